//! 常态化帮扶登记簿: the registers kept beside the monitoring lifecycle on the same households and members
//! (issue 21) — 农村低收入人口常态化帮扶 (A4, §三(二)), later 易地搬迁后续扶持 (A5, §三(三)) and 农村劳动力就业
//! (B1, §四(一)). Each register is one pattern:
//!
//! 1. **scope** (帮扶范围): which households of the registry are in the register, and why — a pure function
//!    of the household, its members and its case ([`low_income::reasons`]);
//! 2. **a periodic record** (定期记录): one record per household and period ([`Cadence`]: a month or a
//!    quarter), validated here ([`check_record_day`]);
//! 3. **overdue** (逾期): a period without its record after its due date ([`due_on`],
//!    [`crate::monitoring::calendar::status_on`]) — on the 工作台 and the 工作日历 (a [`TaskKind`] of the
//!    register, [`RegisterKind::task`]);
//! 4. **a ledger** (台账): a [`crate::ledger::LedgerKind`] with its columns;
//! 5. **a figure** on the dashboard (counts of the scope and of the overdue).
//!
//! The store keeps every register's records in one table (`register_records`, keyed by county, register,
//! household and period); the application layer (`shouwang_app::registers`) scopes, audits and writes them.

pub mod campaign;
pub mod classified_help;
pub mod labour;
pub mod low_income;
pub mod plan;
pub mod relocation;

use chrono::NaiveDate;

use crate::codes::code_list;
use crate::household::{Household, Member};
use crate::ledger::Value;
use crate::monitoring::Refusal;
use crate::monitoring::calendar::{CadenceRules, Period, Quarter, Task, TaskKind, YearMonth};
use crate::registry::RegionNames;

code_list! {
    /// 登记簿: the registers kept on the registry's households.
    pub enum RegisterKind ("登记簿", "register") {
        LowIncome = ("low_income", "农村低收入人口常态化帮扶", "Regular assistance to the rural low-income population"),
        Relocation = ("relocation", "易地搬迁后续扶持", "Follow-up support of relocated households"),
        Labour = ("labour", "农村劳动力就业", "Employment of the rural labour force"),
        Campaign = ("campaign", "三保障和饮水安全问题排查", "Quarterly campaign of the three guarantees and drinking water"),
    }
}

/// How often a register's record is due (记录周期).
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// 每月.
    Monthly,
    /// 每季度.
    Quarterly,
}

impl Cadence {
    /// The period of this cadence that holds `day`.
    pub fn period_of(self, day: NaiveDate) -> Period {
        match self {
            Cadence::Monthly => Period::Month(YearMonth::of(day)),
            Cadence::Quarterly => Period::Quarter(Quarter::of(day)),
        }
    }
}

impl RegisterKind {
    /// The cadence of the register's record: 低收入人口 a visit every month (§三(二) "常态化"), 易地搬迁 a
    /// screening every quarter (§三(三)1 "每季度……开展一次易返贫人口排查", 2 "每季度开展一次搬迁劳动力就业排查"), 劳动力就业
    /// a record every month (§四(一)), 三保障和饮水安全问题排查 every quarter (§三(四)2 "每季度要开展一次问题排查整改工作").
    pub fn cadence(self) -> Cadence {
        match self {
            RegisterKind::LowIncome => Cadence::Monthly,
            RegisterKind::Relocation => Cadence::Quarterly,
            RegisterKind::Labour => Cadence::Monthly,
            RegisterKind::Campaign => Cadence::Quarterly,
        }
    }

    /// The calendar task of the register's record.
    pub fn task(self) -> TaskKind {
        match self {
            RegisterKind::LowIncome => TaskKind::LowIncomeVisit,
            RegisterKind::Relocation => TaskKind::RelocationScreening,
            RegisterKind::Labour => TaskKind::LabourRecord,
            RegisterKind::Campaign => TaskKind::Campaign,
        }
    }

    /// The record's name, for messages: `走访记录`.
    pub fn record_zh(self) -> &'static str {
        match self {
            RegisterKind::LowIncome => "走访记录",
            RegisterKind::Relocation => "搬迁户排查记录",
            RegisterKind::Labour => "劳动力就业月报",
            RegisterKind::Campaign => "三保障和饮水安全排查记录",
        }
    }
}

/// The due date of a register's record for `period` under the county's cadence rules (a monthly record is
/// due with the monitored households' follow-up, a quarterly one on the quarter's last day).
pub fn due_on(kind: RegisterKind, period: Period, rules: &CadenceRules) -> NaiveDate {
    rules.due(kind.task(), period)
}

/// The tasks of a register's record in `village` for every period of its cadence that overlaps
/// `from..=to` (the calendar adds them for the villages that have households in the register).
pub fn register_tasks(
    kind: RegisterKind,
    village: &str,
    from: NaiveDate,
    to: NaiveDate,
    rules: &CadenceRules,
) -> Vec<Task> {
    let mut periods = Vec::new();
    if to >= from {
        match kind.cadence() {
            Cadence::Monthly => {
                for m in YearMonth::of(from).through(YearMonth::of(to)) {
                    periods.push(Period::Month(m));
                }
            }
            Cadence::Quarterly => {
                let mut q = Quarter::of(from);
                while q <= Quarter::of(to) {
                    periods.push(Period::Quarter(q));
                    q = q.next();
                }
            }
        }
    }
    periods
        .into_iter()
        .map(|period| Task {
            village: village.to_owned(),
            kind: kind.task(),
            period,
            due_on: due_on(kind, period, rules),
        })
        .collect()
}

/// Refuses a record dated in the future, or outside the period it is for.
pub fn check_record_day(period: Period, on: NaiveDate, today: NaiveDate) -> Result<(), Refusal> {
    if on > today {
        return Err(Refusal::invalid(
            "记录日期不能晚于今天",
            "The record's date may not be in the future",
        ));
    }
    if on < period.first_day() || on > period.last_day() {
        return Err(Refusal::invalid(
            format!("记录日期 {on} 不在{}内", period.label_zh()),
            format!("The date {on} is outside the period"),
        ));
    }
    Ok(())
}

/// Refuses a text field longer than `max` characters (`what`: its Chinese name).
pub fn check_text(what: &str, text: &str, max: usize) -> Result<(), Refusal> {
    if text.chars().count() > max {
        return Err(Refusal::invalid(
            format!("{what}不能超过 {max} 字"),
            format!("{what}: at most {max} characters"),
        ));
    }
    Ok(())
}

/// Members of labour age (劳动年龄, 16–60) able to work (劳动技能 普通/技能/弱劳动力), with their place in
/// the household: the labour force a register's employment record lists (易地搬迁 §三(三)2, 劳动力就业 §四(一)).
pub fn labour_members(h: &Household, on: NaiveDate) -> Vec<(usize, &Member)> {
    h.members
        .iter()
        .enumerate()
        .filter(|(_, m)| (16..=60).contains(&m.age_on(on)) && m.labour.can_work())
        .collect()
}

/// The ledgers' column and text-cell helpers, for the registers' ledgers.
pub(crate) use crate::ledger::{col, t as text};

/// The household's first seven cells of a register's ledger row — 序号, 乡（镇）, 行政村, 户编号, 户主姓名,
/// 户主身份证号 (masked unless `full_ids`), 家庭人口 — the same first columns in every register's ledger.
pub(crate) fn household_cells(
    seq: usize,
    h: &Household,
    names: &RegionNames,
    full_ids: bool,
) -> Vec<Value> {
    let head = h.head();
    vec![
        Value::Number(seq as f64),
        text(names.township.clone()),
        text(names.village.clone()),
        text(h.number.clone()),
        text(head.map(|m| m.name.clone()).unwrap_or_default()),
        match head {
            Some(m) if full_ids => text(m.id_number.to_string()),
            Some(m) => text(m.id_number.masked()),
            None => Value::Empty,
        },
        Value::Number(h.size() as f64),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitoring::calendar::TaskStatus;
    use crate::monitoring::calendar::status_on;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn monthly_periods_and_due_dates() {
        let p = RegisterKind::LowIncome.cadence().period_of(d(2026, 2, 10));
        assert_eq!(p, Period::Month(YearMonth::new(2026, 2).unwrap()));
        let rules = CadenceRules::default();
        assert_eq!(due_on(RegisterKind::LowIncome, p, &rules), d(2026, 2, 28));
        assert_eq!(
            Cadence::Quarterly.period_of(d(2026, 5, 1)),
            Period::Quarter(Quarter { year: 2026, q: 2 })
        );
    }

    #[test]
    fn quarterly_register_tasks() {
        let rules = CadenceRules::default();
        let t = register_tasks(
            RegisterKind::Relocation,
            "v",
            d(2026, 2, 1),
            d(2026, 7, 1),
            &rules,
        );
        let due: Vec<NaiveDate> = t.iter().map(|t| t.due_on).collect();
        assert_eq!(due, [d(2026, 3, 31), d(2026, 6, 30), d(2026, 9, 30)]);
        assert!(t.iter().all(|t| t.kind == TaskKind::RelocationScreening));
        assert!(
            register_tasks(
                RegisterKind::Relocation,
                "v",
                d(2026, 2, 1),
                d(2026, 1, 1),
                &rules
            )
            .is_empty()
        );
    }

    #[test]
    fn a_missing_month_is_overdue_after_its_due_date() {
        let due = d(2026, 2, 28);
        assert_eq!(status_on(due, None, d(2026, 2, 28)), TaskStatus::Pending);
        assert_eq!(status_on(due, None, d(2026, 3, 1)), TaskStatus::Overdue);
        assert_eq!(
            status_on(due, Some(d(2026, 2, 3)), d(2026, 3, 1)),
            TaskStatus::Done
        );
    }

    #[test]
    fn record_day_in_its_period_and_not_in_the_future() {
        let p = Period::Month(YearMonth::new(2026, 2).unwrap());
        assert!(check_record_day(p, d(2026, 2, 3), d(2026, 3, 1)).is_ok());
        assert!(check_record_day(p, d(2026, 3, 1), d(2026, 3, 1)).is_err());
        assert!(check_record_day(p, d(2026, 2, 20), d(2026, 2, 10)).is_err());
        assert!(check_text("困难", &"字".repeat(11), 10).is_err());
        assert!(check_text("困难", &"字".repeat(10), 10).is_ok());
    }
}
