//! 帮扶车间 (assistance workshops, B1 §四(一)3 "帮扶车间吸纳一批", issue 21): the township's register of the
//! workshops that take on the labour force near home — name, village, operator (企业 or 合作社), products,
//! start date, state (在营/停产/关闭) and jobs offered ([`Draft`]) — and their workers: members of the
//! registry's households taken on at a monthly wage ([`Hire`]), counted as 脱贫户 and 监测户 workers with
//! their wages ([`Tally`]); the 帮扶车间台账's columns ([`LEDGER_COLUMNS`], [`ledger_row`]).
//!
//! Pure rules: the store keeps the rows (`repo::workshops`), `shouwang_app::workshops` runs the use cases.

use chrono::NaiveDate;

use crate::codes::{CodeList, code_list};
use crate::ledger::{Column, ColumnKind, Value, col};
use crate::monitoring::{Refusal, RefusalCode};
use crate::project::{MAX_NAME, MAX_TEXT, check_text};
use crate::register::relocation::MAX_MONTHLY_INCOME;

code_list! {
    /// 经营主体类型: who runs the workshop (企业 or 农民专业合作社).
    pub enum OperatorKind ("经营主体类型", "operator") {
        Enterprise = ("enterprise", "企业", "Enterprise"),
        Cooperative = ("cooperative", "合作社", "Cooperative"),
    }
}

code_list! {
    /// 车间状态.
    pub enum WorkshopState ("车间状态", "workshop state") {
        Operating = ("operating", "在营", "Operating"),
        Suspended = ("suspended", "停产", "Suspended"),
        Closed = ("closed", "关闭", "Closed"),
    }
}

/// The most jobs a workshop may offer (吸纳就业岗位数): a plausibility bound.
pub const MAX_JOBS: u32 = 10_000;

/// A workshop as registered (帮扶车间登记内容).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Draft {
    /// 车间名称.
    pub name: String,
    /// 所在行政村 (12-digit code).
    pub village: String,
    /// 经营主体类型.
    pub operator_kind: OperatorKind,
    /// 经营主体 (the enterprise's or the cooperative's name).
    pub operator: String,
    /// 主要产品.
    #[serde(default)]
    pub products: String,
    /// 投产日期.
    pub started_on: NaiveDate,
    /// 车间状态.
    pub state: WorkshopState,
    /// 提供就业岗位数.
    pub jobs: u32,
}

fn invalid(zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal::new(RefusalCode::InvalidInput, zh, en)
}

/// Refuses a village code that is not 12 digits.
pub fn check_village(village: &str) -> Result<(), Refusal> {
    let v = village.trim();
    if v.len() != 12 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(
            "所在村应为12位行政村代码",
            "The village must be a 12-digit village code",
        ));
    }
    Ok(())
}

impl Draft {
    /// Checks the registration against `today`: a name and an operator, texts within bounds, a village code
    /// of 12 digits, a start date not in the future, at most [`MAX_JOBS`] jobs.
    pub fn validate(&self, today: NaiveDate) -> Result<(), Refusal> {
        check_text(&self.name, true, MAX_NAME, "车间名称", "Workshop name")?;
        check_text(&self.operator, true, MAX_NAME, "经营主体", "Operator")?;
        check_text(&self.products, false, MAX_TEXT, "主要产品", "Products")?;
        check_village(&self.village)?;
        if self.started_on > today {
            return Err(invalid(
                format!("投产日期{}晚于今天", self.started_on),
                "The start date lies in the future",
            ));
        }
        if self.jobs > MAX_JOBS {
            return Err(invalid(
                format!("提供就业岗位数不超过{MAX_JOBS}个"),
                format!("At most {MAX_JOBS} jobs"),
            ));
        }
        Ok(())
    }

    /// The draft with its texts trimmed.
    pub fn normalized(mut self) -> Draft {
        self.name = self.name.trim().to_owned();
        self.operator = self.operator.trim().to_owned();
        self.products = self.products.trim().to_owned();
        self.village = self.village.trim().to_owned();
        self
    }
}

/// A member taken on by a workshop (车间务工人员), as the township enters it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hire {
    /// 户编号 of the worker's household (a household of the registry).
    pub household: String,
    /// The member's place in the household (0 = first), as the labour register numbers them.
    pub position: usize,
    /// 月工资（元）.
    pub wage: u32,
    /// 务工起始日期.
    pub since: NaiveDate,
}

impl Hire {
    /// Refuses a hire without a household, a wage of zero or above [`MAX_MONTHLY_INCOME`], a start before the
    /// workshop's or after `today`, and any hire by a workshop that is 关闭.
    pub fn validate(&self, workshop: &Draft, today: NaiveDate) -> Result<(), Refusal> {
        if self.household.trim().is_empty() {
            return Err(invalid("请填写户编号", "The household number is required"));
        }
        if self.wage == 0 || self.wage > MAX_MONTHLY_INCOME {
            return Err(invalid(
                format!("月工资应在1至{MAX_MONTHLY_INCOME}元之间"),
                format!("The monthly wage must lie between 1 and {MAX_MONTHLY_INCOME} yuan"),
            ));
        }
        if self.since > today || self.since < workshop.started_on {
            return Err(invalid(
                format!("务工起始日期应在投产日期{}至今天之间", workshop.started_on),
                "The start must lie between the workshop's start and today",
            ));
        }
        if workshop.state == WorkshopState::Closed {
            return Err(Refusal::new(
                RefusalCode::WrongState,
                "车间已关闭，不能吸纳务工人员",
                "The workshop is closed",
            ));
        }
        Ok(())
    }
}

/// A worker as the tally sees him: the household's standing and the wage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counted {
    /// Of a 脱贫户 (户类型 脱贫户).
    pub alleviated: bool,
    /// Of a 监测户 (a 监测对象类别 set).
    pub monitored: bool,
    /// 月工资（元）.
    pub wage: u32,
}

/// The workers of a workshop in figures (吸纳就业人数, 其中脱贫户、监测户, 月工资合计).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tally {
    /// 吸纳就业人数 (working now).
    pub workers: u32,
    /// 其中脱贫户劳动力.
    pub alleviated: u32,
    /// 其中监测户劳动力.
    pub monitored: u32,
    /// 月工资合计（元）.
    pub wages: u64,
    /// 脱贫户、监测户劳动力月工资合计（元）.
    pub wages_of_targets: u64,
}

/// Counts the workers working now: a worker of a household both 脱贫 and 监测 counts in both.
pub fn tally(workers: impl IntoIterator<Item = Counted>) -> Tally {
    let mut t = Tally::default();
    for w in workers {
        t.workers += 1;
        t.wages += u64::from(w.wage);
        if w.alleviated {
            t.alleviated += 1;
        }
        if w.monitored {
            t.monitored += 1;
        }
        if w.alleviated || w.monitored {
            t.wages_of_targets += u64::from(w.wage);
        }
    }
    t
}

use ColumnKind::{Date, Digits, Number, Text};

/// 帮扶车间台账: one row per workshop.
pub const LEDGER_COLUMNS: &[Column] = &[
    col("序号", 6.0, Number),
    col("车间编号", 20.0, Digits),
    col("车间名称", 30.0, Text),
    col("乡（镇）", 14.0, Text),
    col("行政村", 14.0, Text),
    col("经营主体类型", 12.0, Text),
    col("经营主体", 30.0, Text),
    col("主要产品", 24.0, Text),
    col("投产日期", 12.0, Date),
    col("车间状态", 10.0, Text),
    col("提供就业岗位数", 12.0, Number),
    col("吸纳就业人数", 12.0, Number),
    col("其中脱贫户劳动力", 14.0, Number),
    col("其中监测户劳动力", 14.0, Number),
    col("月工资合计（元）", 16.0, Number),
];

/// A workshop as the ledger sees it.
#[derive(Clone, Copy, Debug)]
pub struct LedgerWorkshop<'a> {
    /// 车间编号.
    pub number: &'a str,
    /// The registration.
    pub draft: &'a Draft,
    /// 乡（镇） name.
    pub township: &'a str,
    /// 行政村 name.
    pub village: &'a str,
    /// Its workers now.
    pub tally: Tally,
}

/// The 帮扶车间台账 row of a workshop (序号 `seq`).
pub fn ledger_row(seq: usize, w: &LedgerWorkshop<'_>) -> Vec<Value> {
    let d = w.draft;
    let t = |s: &str| Value::Text(s.to_owned());
    vec![
        Value::Number(seq as f64),
        t(w.number),
        t(&d.name),
        t(w.township),
        t(w.village),
        t(d.operator_kind.label_zh()),
        t(&d.operator),
        t(&d.products),
        Value::Text(d.started_on.to_string()),
        t(d.state.label_zh()),
        Value::Number(f64::from(d.jobs)),
        Value::Number(f64::from(w.tally.workers)),
        Value::Number(f64::from(w.tally.alleviated)),
        Value::Number(f64::from(w.tally.monitored)),
        Value::Number(w.tally.wages as f64),
    ]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    pub(crate) fn draft() -> Draft {
        Draft {
            name: "圪塔上村服装帮扶车间".to_owned(),
            village: "141123208201".to_owned(),
            operator_kind: OperatorKind::Enterprise,
            operator: "兴县某服饰有限公司".to_owned(),
            products: "校服、工装".to_owned(),
            started_on: day(3, 1),
            state: WorkshopState::Operating,
            jobs: 40,
        }
    }

    fn hire() -> Hire {
        Hire {
            household: "1411232082010001".to_owned(),
            position: 1,
            wage: 2400,
            since: day(4, 1),
        }
    }

    #[test]
    fn a_complete_registration_passes() {
        assert_eq!(draft().validate(day(12, 7)), Ok(()));
    }

    #[test]
    fn bad_registrations_are_refused() {
        let cases: Vec<fn(&mut Draft)> = vec![
            |d| d.name = " ".to_owned(),
            |d| d.operator = String::new(),
            |d| d.village = "1411232082".to_owned(),
            |d| d.village = "14112320820x".to_owned(),
            |d| d.started_on = day(12, 8),
            |d| d.jobs = MAX_JOBS + 1,
            |d| d.products = "产".repeat(MAX_TEXT + 1),
        ];
        for (i, change) in cases.into_iter().enumerate() {
            let mut d = draft();
            change(&mut d);
            let r = d.validate(day(12, 7));
            assert!(
                matches!(&r, Err(e) if e.code == RefusalCode::InvalidInput),
                "case {i}: {r:?}"
            );
        }
    }

    #[test]
    fn hires_are_checked_against_the_workshop() {
        let today = day(12, 7);
        assert_eq!(hire().validate(&draft(), today), Ok(()));
        let cases: Vec<fn(&mut Hire)> = vec![
            |h| h.household = " ".to_owned(),
            |h| h.wage = 0,
            |h| h.wage = MAX_MONTHLY_INCOME + 1,
            |h| h.since = day(2, 28),
            |h| h.since = day(12, 8),
        ];
        for (i, change) in cases.into_iter().enumerate() {
            let mut h = hire();
            change(&mut h);
            let r = h.validate(&draft(), today);
            assert!(
                matches!(&r, Err(e) if e.code == RefusalCode::InvalidInput),
                "case {i}: {r:?}"
            );
        }
        let mut closed = draft();
        closed.state = WorkshopState::Closed;
        assert!(matches!(
            hire().validate(&closed, today),
            Err(e) if e.code == RefusalCode::WrongState
        ));
    }

    #[test]
    fn the_tally_counts_targets_once_each() {
        let w = |alleviated, monitored, wage| Counted {
            alleviated,
            monitored,
            wage,
        };
        let t = tally([
            w(true, false, 2000),
            w(true, true, 2500),
            w(false, true, 1800),
            w(false, false, 3000),
        ]);
        assert_eq!(
            t,
            Tally {
                workers: 4,
                alleviated: 2,
                monitored: 2,
                wages: 9300,
                wages_of_targets: 6300,
            }
        );
        assert_eq!(tally([]), Tally::default());
    }

    #[test]
    fn the_ledger_row_matches_its_columns() {
        let d = draft();
        let row = ledger_row(
            1,
            &LedgerWorkshop {
                number: "7",
                draft: &d,
                township: "蔡家崖乡",
                village: "圪塔上村",
                tally: tally([Counted {
                    alleviated: true,
                    monitored: false,
                    wage: 2400,
                }]),
            },
        );
        assert_eq!(row.len(), LEDGER_COLUMNS.len());
        assert_eq!(row[9].to_text(), "在营");
        assert_eq!(row[12].to_text(), "1");
    }

    proptest::proptest! {
        #[test]
        fn the_tally_never_counts_more_targets_than_workers(
            ws in proptest::collection::vec((proptest::bool::ANY, proptest::bool::ANY, 0u32..100_000), 0..50)
        ) {
            let t = tally(ws.iter().map(|&(a, m, wage)| Counted { alleviated: a, monitored: m, wage }));
            proptest::prop_assert_eq!(t.workers as usize, ws.len());
            proptest::prop_assert!(t.alleviated <= t.workers && t.monitored <= t.workers);
            proptest::prop_assert!(t.wages_of_targets <= t.wages);
        }
    }
}
