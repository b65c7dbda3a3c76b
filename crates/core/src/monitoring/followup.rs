//! 强监测: the monthly follow-up of every monitored household (§三(一)2 四是强监测:
//! "村级工作专班采取入户核实方式，逐月监测帮扶成效，重点监测帮扶措施是否落实到位、
//! 各类帮扶政策是否应享尽享、'两不愁三保障'及饮水安全是否稳定实现、群众对帮扶工作是否认可等，
//! 监测结果按月如实填入帮扶手册").
//!
//! One [`FollowUp`] per household per month with the plan's four questions, an
//! income estimate (from the visit's 收支测算 when one is made) and notes. [`FollowUpLog::record`] refuses a second record for
//! a month. [`missing_months`] lists the months whose follow-up is overdue.
//!
//! **Which months are due**: from the month after the household entered
//! monitoring (the identification visit covers its own month) through the month
//! it left monitoring, each month due by [`CadenceRules::follow_up_due_day`];
//! a month is missing once its due date has passed without a record.

use chrono::NaiveDate;

use super::calendar::{CadenceRules, YearMonth};
use super::common::{
    Actor, Label, Refusal, RefusalCode, require_not_future, require_role, require_text,
};
use crate::access::Role;
use crate::income::IncomeRecord;
use crate::money::Fen;

/// Roles that may record a follow-up: the village team, the responsible cadre and the grid member 网格员
/// for its grid's households (网格化管理, §四(六): "网格员…入户走访").
pub const FOLLOW_UP_ROLES: &[Role] = &[Role::VillageTeam, Role::Cadre, Role::GridMember];

const FOLLOW_UP: Label = ("逐月跟踪监测", "Monthly follow-up");

/// A monthly follow-up visit 月度跟踪监测.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    /// The month it is for.
    pub month: YearMonth,
    /// 走访日期 (within the month).
    pub visited_on: NaiveDate,
    /// 帮扶措施是否落实到位.
    pub measures_carried_out: bool,
    /// 各类帮扶政策是否应享尽享.
    pub policies_received: bool,
    /// "两不愁三保障"及饮水安全是否稳定实现.
    pub standards_secure: bool,
    /// 群众对帮扶工作是否认可.
    pub household_approves: bool,
    /// 预计人均纯收入 (estimated per-capita yearly net income). With [`FollowUp::income`], the record's
    /// 人均纯收入: [`FollowUpLog::record`] computes it from the record, whatever was typed.
    pub per_capita_income_estimate: Fen,
    /// 备注 (required when any answer is no: what is wrong and what is done).
    pub notes: String,
    /// The household's income estimated at the visit 收支测算 (optional, as at a 入户核查): it becomes the
    /// household's income record of its year, source 月度走访 (issue 17), and the visit's
    /// [`FollowUp::per_capita_income_estimate`] is its 人均纯收入.
    #[serde(default)]
    pub income: Option<IncomeRecord>,
}

impl FollowUp {
    /// All four answers are yes.
    pub fn all_well(&self) -> bool {
        self.measures_carried_out
            && self.policies_received
            && self.standards_secure
            && self.household_approves
    }
}

/// A follow-up as kept: with who recorded it and when.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpEntry {
    /// The visit.
    pub visit: FollowUp,
    /// Who recorded it.
    pub recorded_by: Actor,
    /// When.
    pub recorded_on: NaiveDate,
}

/// The follow-ups of one household, by month.
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpLog {
    /// Entries, ordered by month, one per month.
    pub entries: Vec<FollowUpEntry>,
}

impl FollowUpLog {
    /// An empty log.
    pub fn new() -> FollowUpLog {
        FollowUpLog::default()
    }

    /// The entry of a month.
    pub fn month(&self, m: YearMonth) -> Option<&FollowUpEntry> {
        self.entries.iter().find(|e| e.visit.month == m)
    }

    /// The latest entry by month.
    pub fn latest(&self) -> Option<&FollowUpEntry> {
        self.entries.last()
    }

    /// Records a follow-up; with an income record, its estimate is the record's
    /// 人均纯收入. Refuses a role outside [`FOLLOW_UP_ROLES`], a month already
    /// recorded, a month before `monitored_since`'s month or after the recording
    /// month, a visit date outside the month or after `on`, an income record
    /// without members, a negative estimate typed without a record, or a "no"
    /// answer without notes.
    pub fn record(
        &self,
        visit: FollowUp,
        monitored_since: NaiveDate,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<FollowUpLog, Refusal> {
        require_role(actor, FOLLOW_UP, FOLLOW_UP_ROLES)?;
        if self.month(visit.month).is_some() {
            return Err(Refusal::new(
                RefusalCode::Duplicate,
                format!("{}已有跟踪监测记录", visit.month.label_zh()),
                format!("A follow-up for {} is already recorded", visit.month),
            ));
        }
        if visit.month < YearMonth::of(monitored_since) || visit.month > YearMonth::of(on) {
            return Err(Refusal::wrong_state(
                format!("{}不在监测期内或尚未到来", visit.month.label_zh()),
                format!(
                    "{} is before monitoring began or has not come yet",
                    visit.month
                ),
            ));
        }
        if !visit.month.contains(visit.visited_on) {
            return Err(Refusal::invalid(
                format!(
                    "走访日期 {} 不在{}内",
                    visit.visited_on,
                    visit.month.label_zh()
                ),
                format!(
                    "The visit date {} is not in {}",
                    visit.visited_on, visit.month
                ),
            ));
        }
        require_not_future(visit.visited_on, on, ("走访", "visit"))?;
        let mut visit = visit;
        match &visit.income {
            Some(r) if r.members == 0 => {
                return Err(Refusal::invalid(
                    "收入测算的家庭人口须大于 0",
                    "The income estimate needs at least one member",
                ));
            }
            // The estimate is the record's (a loss in the year may make it negative).
            Some(r) => visit.per_capita_income_estimate = r.per_capita(),
            None if visit.per_capita_income_estimate < Fen::ZERO => {
                return Err(Refusal::invalid(
                    "预计收入不能为负数",
                    "The income estimate cannot be negative",
                ));
            }
            None => {}
        }
        if !visit.all_well() {
            require_text(
                &visit.notes,
                ("存在问题及整改措施（备注）", "notes on what is wrong"),
            )?;
        }
        let mut next = self.clone();
        let at = next
            .entries
            .partition_point(|e| e.visit.month < visit.month);
        next.entries.insert(
            at,
            FollowUpEntry {
                visit,
                recorded_by: actor.clone(),
                recorded_on: on,
            },
        );
        Ok(next)
    }
}

/// The first month whose follow-up is due: the month after entry into monitoring.
pub fn first_due_month(monitored_since: NaiveDate) -> YearMonth {
    YearMonth::of(monitored_since).next()
}

/// Months whose follow-up is overdue on `as_of`: from [`first_due_month`]
/// through the month of `ended_on` (when the household left monitoring) or of
/// `as_of`, each due by the rules' day, without a record.
pub fn missing_months(
    log: &FollowUpLog,
    monitored_since: NaiveDate,
    ended_on: Option<NaiveDate>,
    as_of: NaiveDate,
    rules: &CadenceRules,
) -> Vec<YearMonth> {
    let last = YearMonth::of(ended_on.map_or(as_of, |e| e.min(as_of)));
    first_due_month(monitored_since)
        .through(last)
        .into_iter()
        .filter(|m| rules.follow_up_due(*m) < as_of && log.month(*m).is_none())
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::monitoring::identification::tests::actor;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, m, day).unwrap()
    }

    fn ym(m: u32) -> YearMonth {
        YearMonth::new(2022, m).unwrap()
    }

    pub(crate) fn visit(m: YearMonth, per_capita_yuan: i64) -> FollowUp {
        FollowUp {
            month: m,
            visited_on: m.day_clamped(10),
            measures_carried_out: true,
            policies_received: true,
            standards_secure: true,
            household_approves: true,
            per_capita_income_estimate: Fen::from_yuan(per_capita_yuan),
            notes: String::new(),
            income: None,
        }
    }

    #[test]
    fn one_record_per_month() {
        let cadre = actor(Role::Cadre);
        let since = d(1, 15);
        let log = FollowUpLog::new();
        let log = log
            .record(visit(ym(3), 7000), since, &cadre, d(3, 20))
            .unwrap();
        let log = log
            .record(
                visit(ym(2), 7000),
                since,
                &actor(Role::VillageTeam),
                d(3, 21),
            )
            .unwrap();
        assert_eq!(
            log.entries
                .iter()
                .map(|e| e.visit.month)
                .collect::<Vec<_>>(),
            [ym(2), ym(3)]
        );
        assert_eq!(log.latest().unwrap().visit.month, ym(3));
        let e = log
            .record(visit(ym(3), 7000), since, &cadre, d(3, 25))
            .unwrap_err();
        assert_eq!(e.code, RefusalCode::Duplicate);
        assert_eq!(e.message_zh, "2022年3月已有跟踪监测记录");
    }

    #[test]
    fn refusals() {
        let cadre = actor(Role::Cadre);
        let since = d(2, 15);
        let log = FollowUpLog::new();
        for role in [
            Role::TownshipAdmin,
            Role::CountyAdmin,
            Role::Auditor,
            Role::Department,
        ] {
            assert_eq!(
                log.record(visit(ym(3), 1), since, &actor(role), d(3, 20))
                    .unwrap_err()
                    .code,
                RefusalCode::RoleNotAllowed
            );
        }
        // before monitoring, or a month to come
        assert_eq!(
            log.record(visit(ym(1), 1), since, &cadre, d(3, 20))
                .unwrap_err()
                .code,
            RefusalCode::WrongState
        );
        assert_eq!(
            log.record(visit(ym(4), 1), since, &cadre, d(3, 20))
                .unwrap_err()
                .code,
            RefusalCode::WrongState
        );
        // the entry month itself may be recorded
        assert!(log.record(visit(ym(2), 1), since, &cadre, d(3, 20)).is_ok());
        // visit date outside the month / after recording
        let mut v = visit(ym(3), 1);
        v.visited_on = d(4, 1);
        assert_eq!(
            log.record(v, since, &cadre, d(4, 2)).unwrap_err().code,
            RefusalCode::InvalidInput
        );
        assert_eq!(
            log.record(visit(ym(3), 1), since, &cadre, d(3, 5))
                .unwrap_err()
                .code,
            RefusalCode::InvalidInput
        );
        assert!(
            log.record(visit(ym(3), -1), since, &cadre, d(3, 20))
                .is_err()
        );
        // a "no" needs notes
        let mut v = visit(ym(3), 1);
        v.household_approves = false;
        assert!(!v.all_well());
        assert_eq!(
            log.record(v.clone(), since, &cadre, d(3, 20))
                .unwrap_err()
                .code,
            RefusalCode::InvalidInput
        );
        v.notes = "对公益岗位安排不满意，已协调调整".into();
        assert!(log.record(v, since, &cadre, d(3, 20)).is_ok());
    }

    #[test]
    fn the_estimate_is_the_income_records() {
        let cadre = actor(Role::Cadre);
        let since = d(2, 15);
        let mut v = visit(ym(3), 7000);
        v.income = Some(IncomeRecord {
            year: 2022,
            wage: Fen::from_yuan(20_000),
            production_cost: Fen::from_yuan(2_000),
            members: 3,
            ..IncomeRecord::default()
        });
        let log = FollowUpLog::new()
            .record(v.clone(), since, &cadre, d(3, 20))
            .unwrap();
        let kept = &log.month(ym(3)).unwrap().visit;
        assert_eq!(kept.per_capita_income_estimate, Fen::from_yuan(6_000));
        assert_eq!(kept.income, v.income);
        // a loss: the record's negative figure, not a refusal of the typed estimate
        let mut loss = v.clone();
        loss.per_capita_income_estimate = Fen::from_yuan(-1);
        if let Some(r) = &mut loss.income {
            r.production_cost = Fen::from_yuan(23_000);
        }
        let log = FollowUpLog::new()
            .record(loss, since, &cadre, d(3, 20))
            .unwrap();
        assert_eq!(
            log.month(ym(3)).unwrap().visit.per_capita_income_estimate,
            Fen::from_yuan(-1_000)
        );
        // a record without members is refused
        if let Some(r) = &mut v.income {
            r.members = 0;
        }
        assert_eq!(
            FollowUpLog::new()
                .record(v, since, &cadre, d(3, 20))
                .unwrap_err()
                .code,
            RefusalCode::InvalidInput
        );
    }

    #[test]
    fn missing_months_at_boundaries() {
        let r = CadenceRules::default();
        let since = d(1, 20); // first due month: February
        let log = FollowUpLog::new();
        assert_eq!(first_due_month(since), ym(2));
        // on 2-28 February is not yet overdue; on 3-01 it is
        assert!(missing_months(&log, since, None, d(2, 28), &r).is_empty());
        assert_eq!(missing_months(&log, since, None, d(3, 1), &r), [ym(2)]);
        let log = log
            .record(visit(ym(3), 1), since, &actor(Role::Cadre), d(3, 31))
            .unwrap();
        assert_eq!(
            missing_months(&log, since, None, d(6, 1), &r),
            [ym(2), ym(4), ym(5)]
        );
        // after leaving monitoring in May, June onwards is not due
        assert_eq!(
            missing_months(&log, since, Some(d(5, 10)), d(9, 1), &r),
            [ym(2), ym(4), ym(5)]
        );
        // a due day of the 25th makes a month overdue earlier
        let r25 = CadenceRules {
            follow_up_due_day: 25,
            ..r
        };
        assert_eq!(
            missing_months(&log, since, None, d(4, 26), &r25),
            [ym(2), ym(4)]
        );
        assert_eq!(missing_months(&log, since, None, d(4, 25), &r25), [ym(2)]);
        // across the year end
        let since = d(11, 3);
        let jan = NaiveDate::from_ymd_opt(2023, 2, 1).unwrap();
        assert_eq!(
            missing_months(&FollowUpLog::new(), since, None, jan, &r),
            [ym(12), YearMonth::new(2023, 1).unwrap()]
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Months recorded and months missing never overlap, and together they
        /// cover every due month; a refused record leaves the log unchanged.
        #[test]
        fn recorded_and_missing_partition(months in proptest::collection::vec(1u32..=12, 0..20), as_of_m in 2u32..=12) {
            let since = d(1, 5);
            let as_of = YearMonth::new(2022, as_of_m).unwrap().last_day();
            let cadre = actor(Role::Cadre);
            let mut log = FollowUpLog::new();
            for m in months {
                let before = log.clone();
                match log.record(visit(ym(m), 5000), since, &cadre, d(12, 31)) {
                    Ok(n) => log = n,
                    Err(_) => prop_assert_eq!(&log, &before),
                }
            }
            let mut seen: Vec<YearMonth> = log.entries.iter().map(|e| e.visit.month).collect();
            let n = seen.len();
            seen.dedup();
            prop_assert_eq!(seen.len(), n);
            let r = CadenceRules::default();
            let missing = missing_months(&log, since, None, as_of, &r);
            for m in first_due_month(since).through(YearMonth::of(as_of)) {
                let due_passed = r.follow_up_due(m) < as_of;
                prop_assert_eq!(missing.contains(&m), due_passed && log.month(m).is_none());
            }
        }
    }
}
