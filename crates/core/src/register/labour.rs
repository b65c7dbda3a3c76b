//! 农村劳动力就业 (B1, §四(一)): the labour force of the registry's households (16–60, able to work:
//! [`super::labour_members`], the same as 易地搬迁's), its **monthly employment record** ([`MonthlyRecord`]:
//! per member the status, employer or place, monthly income, training wanted and taken, and which of the
//! plan's four drives brought the job — §四(一)3 "致富带头人带动一批、帮扶车间吸纳一批、公益岗位援助一批、工矿企业
//! 招收一批"), the figure **脱贫劳动力务工就业人数** (§二 "脱贫劳动力务工就业人数稳中有增": this year's month
//! against the same month of last year, [`Trend`]) and the 劳动力就业台账's columns.
//!
//! The status list is the plan's (外出务工 by where, 就近就业, 公益岗位, 帮扶车间, 自主创业, 未就业); where a
//! migrant works reuses 易地搬迁's [`WorkPlace`] (县内 / 省内县外 / 省外). 务工就业 is every status but 未就业.

use chrono::NaiveDate;

use crate::codes::{CodeList, HouseholdType, MonitoredType, code_list};
use crate::household::Household;
use crate::ledger::{Column, ColumnKind, Value};
use crate::monitoring::Refusal;
use crate::monitoring::calendar::{Period, YearMonth};
use crate::registry::RegionNames;

use super::relocation::{MAX_MONTHLY_INCOME, WorkPlace};
use super::{check_record_day, check_text, col, household_cells, labour_members, text};

code_list! {
    /// 就业状态: a member's employment in the month (§四(一)).
    pub enum Status ("就业状态", "employment status") {
        Migrant = ("migrant", "外出务工", "Working away"),
        Nearby = ("nearby", "就近就业", "Working near home"),
        WelfarePost = ("welfare_post", "公益岗位", "Public-welfare post"),
        Workshop = ("workshop", "帮扶车间", "Assistance workshop"),
        SelfEmployed = ("self_employed", "自主创业", "Self-employed"),
        Unemployed = ("unemployed", "未就业", "Not employed"),
    }
}

impl Status {
    /// 务工就业: every status but 未就业.
    pub fn employed(self) -> bool {
        self != Status::Unemployed
    }
}

code_list! {
    /// 就业带动方式: which of the plan's four drives brought the job (§四(一)3).
    pub enum Drive ("带动方式", "drive") {
        Leader = ("leader", "带头人带动", "Brought by a local business leader"),
        Workshop = ("workshop", "帮扶车间", "Taken on by an assistance workshop"),
        WelfarePost = ("welfare_post", "公益岗位", "Public-welfare post"),
        Enterprise = ("enterprise", "企业吸纳", "Taken on by an enterprise"),
    }
}

/// The most characters of a record's short text (employer, training).
pub const MAX_SHORT_TEXT: usize = 100;

/// One member of the labour force in the month.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Worker {
    /// The member's place in the household (0 = first).
    pub position: usize,
    /// 姓名 (as registered).
    pub name: String,
    /// 就业状态.
    pub status: Status,
    /// 务工地点 of 外出务工 (省外 / 省内县外 / 县内; none for the other statuses).
    #[serde(default)]
    pub place: Option<WorkPlace>,
    /// 就业单位或地点.
    #[serde(default)]
    pub employer: String,
    /// 月收入（元）.
    #[serde(default)]
    pub monthly_income: Option<u32>,
    /// 带动方式.
    #[serde(default)]
    pub drive: Option<Drive>,
    /// 培训需求 (none: empty).
    #[serde(default)]
    pub training_wanted: String,
    /// 已参加培训 (none: empty).
    #[serde(default)]
    pub training_taken: String,
}

/// 劳动力就业月报: one household's record of a month (§四(一)).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthlyRecord {
    /// 月份.
    pub month: YearMonth,
    /// 登记日期.
    pub recorded_on: NaiveDate,
    /// Every member of the labour force, once.
    pub workers: Vec<Worker>,
    /// The household is a 脱贫户 (kept with the record: the figure counts 脱贫劳动力 as they were).
    pub alleviated: bool,
    /// 脱贫劳动力务工就业人数 of the record (`alleviated` and employed; kept with the record so that the
    /// figure is one sum in the store).
    pub alleviated_employed: u32,
}

/// A 脱贫户: registered as 脱贫户, or a 脱贫不稳定户 under monitoring.
pub fn alleviated(h: &Household) -> bool {
    h.household_type == HouseholdType::Alleviated
        || h.monitored_type == Some(MonitoredType::Unstable)
}

impl MonthlyRecord {
    /// The record of `h` for the month of `recorded_on` (the derived counts filled in).
    pub fn new(h: &Household, recorded_on: NaiveDate, workers: Vec<Worker>) -> MonthlyRecord {
        let alleviated = alleviated(h);
        let employed = workers.iter().filter(|w| w.status.employed()).count() as u32;
        MonthlyRecord {
            month: YearMonth::of(recorded_on),
            recorded_on,
            workers,
            alleviated,
            alleviated_employed: if alleviated { employed } else { 0 },
        }
    }

    /// Members employed (务工就业).
    pub fn employed(&self) -> usize {
        self.workers.iter().filter(|w| w.status.employed()).count()
    }

    /// Refuses a record outside its month or in the future; a worker who is not of `h`'s labour force on
    /// the day, listed twice, or a member of it left out; 外出务工 without where, a place with another
    /// status; a drive with 未就业, 帮扶车间/公益岗位 as the drive of another status; income with 未就业 or
    /// an implausible wage; an overlong text; counts that do not match the workers.
    pub fn validate(&self, h: &Household, today: NaiveDate) -> Result<(), Refusal> {
        check_record_day(Period::Month(self.month), self.recorded_on, today)?;
        let labour = labour_members(h, self.recorded_on);
        let mut seen = Vec::new();
        for w in &self.workers {
            let known = labour
                .iter()
                .any(|(i, m)| *i == w.position && m.name == w.name);
            if !known {
                return Err(Refusal::invalid(
                    format!("{}不是本户的劳动力（16至60周岁、有劳动能力）", w.name),
                    format!("{} is not of the household's labour force", w.name),
                ));
            }
            if seen.contains(&w.position) {
                return Err(Refusal::invalid(
                    format!("{}重复填写", w.name),
                    format!("{} is listed twice", w.name),
                ));
            }
            seen.push(w.position);
            check_worker(w)?;
        }
        if let Some((_, m)) = labour.iter().find(|(i, _)| !seen.contains(i)) {
            return Err(Refusal::invalid(
                format!("劳动力{}未填写就业状态", m.name),
                format!("{}: no employment status", m.name),
            ));
        }
        let expected = MonthlyRecord::new(h, self.recorded_on, self.workers.clone());
        if self.alleviated != expected.alleviated
            || self.alleviated_employed != expected.alleviated_employed
        {
            return Err(Refusal::invalid(
                "脱贫劳动力务工就业人数与填写的就业状态不符",
                "The counts do not match the workers",
            ));
        }
        Ok(())
    }
}

fn check_worker(w: &Worker) -> Result<(), Refusal> {
    let refuse = |zh: &str, en: &str| {
        Err(Refusal::invalid(
            format!("{}：{zh}", w.name),
            format!("{}: {en}", w.name),
        ))
    };
    if (w.status == Status::Migrant) != w.place.is_some() {
        return refuse(
            "外出务工须填务工地点（省外、省内县外、县内），其他状态不填",
            "a place of work with 外出务工 only",
        );
    }
    match (w.status, w.drive) {
        (Status::Unemployed, Some(_)) => {
            return refuse("未就业不填带动方式", "no drive when unemployed");
        }
        (s, Some(Drive::Workshop)) if s != Status::Workshop => {
            return refuse(
                "带动方式为帮扶车间的，就业状态须为帮扶车间",
                "drive 帮扶车间 with status 帮扶车间 only",
            );
        }
        (s, Some(Drive::WelfarePost)) if s != Status::WelfarePost => {
            return refuse(
                "带动方式为公益岗位的，就业状态须为公益岗位",
                "drive 公益岗位 with status 公益岗位 only",
            );
        }
        _ => {}
    }
    match w.monthly_income {
        Some(i) if i > 0 && w.status == Status::Unemployed => {
            return refuse("未就业不填月收入", "no income when unemployed");
        }
        Some(i) if i > MAX_MONTHLY_INCOME => {
            return refuse(
                &format!("月收入超过 {MAX_MONTHLY_INCOME} 元"),
                "implausible monthly income",
            );
        }
        _ => {}
    }
    check_text("就业单位或地点", &w.employer, MAX_SHORT_TEXT)?;
    check_text("培训需求", &w.training_wanted, MAX_SHORT_TEXT)?;
    check_text("已参加培训", &w.training_taken, MAX_SHORT_TEXT)
}

/// `外出务工（省外）`, `公益岗位`: a worker's status with where for 外出务工.
pub fn status_label_zh(w: &Worker) -> String {
    match w.place {
        Some(p) => format!("{}（{}）", w.status.label_zh(), p.label_zh()),
        None => w.status.label_zh().to_owned(),
    }
}

/// 脱贫劳动力务工就业人数 of an area or village in a month against the same month of last year
/// (§二 "稳中有增": stable or growing).
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Trend {
    /// This year's month.
    pub this_year: u64,
    /// The same month of last year.
    pub last_year: u64,
}

impl Trend {
    /// This year against last year (positive: growing).
    pub fn change(self) -> i64 {
        self.this_year as i64 - self.last_year as i64
    }

    /// 稳中有增: not fewer than last year.
    pub fn stable_or_growing(self) -> bool {
        self.this_year >= self.last_year
    }
}

/// 劳动力就业台账: one row per household with labour and monthly record dated in the range (a household
/// without a record in the range has one row without one).
pub const LEDGER_COLUMNS: &[Column] = &[
    col("序号", 6.0, ColumnKind::Number),
    col("乡（镇）", 14.0, ColumnKind::Text),
    col("行政村", 14.0, ColumnKind::Text),
    col("户编号", 20.0, ColumnKind::Digits),
    col("户主姓名", 10.0, ColumnKind::Text),
    col("户主身份证号", 20.0, ColumnKind::Digits),
    col("家庭人口", 8.0, ColumnKind::Number),
    col("是否脱贫户", 8.0, ColumnKind::Text),
    col("劳动力人数", 8.0, ColumnKind::Number),
    col("月份", 12.0, ColumnKind::Text),
    col("登记日期", 12.0, ColumnKind::Date),
    col("劳动力就业情况", 60.0, ColumnKind::Text),
    col("务工就业人数", 8.0, ColumnKind::Number),
    col("月收入合计（元）", 12.0, ColumnKind::Number),
    col("培训需求", 24.0, ColumnKind::Text),
    col("已参加培训", 24.0, ColumnKind::Text),
    col("登记人", 12.0, ColumnKind::Text),
];

/// `张三：外出务工（省外），某厂，月收入4000元，企业吸纳`.
pub fn worker_label_zh(w: &Worker) -> String {
    let mut parts = vec![status_label_zh(w)];
    if !w.employer.is_empty() {
        parts.push(w.employer.clone());
    }
    if let Some(i) = w.monthly_income {
        parts.push(format!("月收入{i}元"));
    }
    if let Some(d) = w.drive {
        parts.push(d.label_zh().to_owned());
    }
    format!("{}：{}", w.name, parts.join("，"))
}

/// One row of the 劳动力就业台账 (`seq` from 1; `on`: the day the labour force is counted); the head's ID
/// number in full when `full_ids`.
pub fn ledger_row(
    seq: usize,
    h: &Household,
    names: &RegionNames,
    record: Option<(&MonthlyRecord, &str)>,
    on: NaiveDate,
    full_ids: bool,
) -> Vec<Value> {
    let mut row = household_cells(seq, h, names, full_ids);
    row.push(text(if alleviated(h) { "是" } else { "否" }));
    row.push(Value::Number(labour_members(h, on).len() as f64));
    let named = |r: &MonthlyRecord, f: fn(&Worker) -> &str| {
        r.workers
            .iter()
            .filter(|w| !f(w).is_empty())
            .map(|w| format!("{}：{}", w.name, f(w)))
            .collect::<Vec<_>>()
            .join("；")
    };
    match record {
        Some((r, by)) => row.extend([
            text(r.month.label_zh()),
            text(r.recorded_on.to_string()),
            text(
                r.workers
                    .iter()
                    .map(worker_label_zh)
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            Value::Number(r.employed() as f64),
            Value::Number(
                r.workers
                    .iter()
                    .filter_map(|w| w.monthly_income)
                    .map(f64::from)
                    .sum(),
            ),
            text(named(r, |w| &w.training_wanted)),
            text(named(r, |w| &w.training_taken)),
            text(by),
        ]),
        None => row.extend(std::iter::repeat_n(Value::Empty, 8)),
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::LabourSkill;
    use crate::household::tests::{d, household};

    fn worker(position: usize, name: &str, status: Status) -> Worker {
        Worker {
            position,
            name: name.to_owned(),
            status,
            place: (status == Status::Migrant).then_some(WorkPlace::OutOfProvince),
            employer: String::new(),
            monthly_income: None,
            drive: None,
            training_wanted: String::new(),
            training_taken: String::new(),
        }
    }

    fn both(h: &Household, a: Status, b: Status) -> MonthlyRecord {
        MonthlyRecord::new(
            h,
            d(2026, 5, 10),
            vec![worker(0, "成员11", a), worker(1, "成员22", b)],
        )
    }

    #[test]
    fn the_counts_follow_the_household_and_the_statuses() {
        let mut h = household();
        h.household_type = HouseholdType::Alleviated;
        let r = both(&h, Status::Migrant, Status::Unemployed);
        assert!(r.alleviated);
        assert_eq!((r.employed(), r.alleviated_employed), (1, 1));
        h.household_type = HouseholdType::Ordinary;
        let r = both(&h, Status::Migrant, Status::Nearby);
        assert_eq!((r.employed(), r.alleviated_employed), (2, 0));
        h.monitored_type = Some(MonitoredType::Unstable);
        assert!(alleviated(&h));
        let t = Trend {
            this_year: 9,
            last_year: 10,
        };
        assert_eq!(t.change(), -1);
        assert!(!t.stable_or_growing());
        assert!(
            Trend {
                this_year: 10,
                last_year: 10
            }
            .stable_or_growing()
        );
    }

    #[test]
    fn a_record_is_checked() {
        let h = household();
        let today = d(2026, 5, 31);
        let ok = both(&h, Status::Migrant, Status::WelfarePost);
        assert!(ok.validate(&h, today).is_ok());
        assert!(ok.validate(&h, d(2026, 5, 9)).is_err(), "in the future");
        let mut r = ok.clone();
        r.workers.pop();
        assert!(r.validate(&h, today).is_err(), "a member left out");
        let mut r = ok.clone();
        r.workers[1].position = 0;
        r.workers[1].name = "成员11".into();
        assert!(r.validate(&h, today).is_err(), "twice");
        let mut r = ok.clone();
        r.workers[0].place = None;
        assert!(r.validate(&h, today).is_err(), "migrant without a place");
        let mut r = ok.clone();
        r.workers[1].place = Some(WorkPlace::InCounty);
        assert!(r.validate(&h, today).is_err(), "a place without migrating");
        let mut r = ok.clone();
        r.workers[0].drive = Some(Drive::Workshop);
        assert!(
            r.validate(&h, today).is_err(),
            "workshop drive, no workshop"
        );
        let mut r = ok.clone();
        r.workers[1].drive = Some(Drive::WelfarePost);
        r.workers[0].drive = Some(Drive::Enterprise);
        assert!(r.validate(&h, today).is_ok());
        let mut r = both(&h, Status::Unemployed, Status::Nearby);
        r.workers[0].drive = Some(Drive::Leader);
        assert!(r.validate(&h, today).is_err(), "drive when unemployed");
        let mut r = both(&h, Status::Unemployed, Status::Nearby);
        r.workers[0].monthly_income = Some(800);
        assert!(r.validate(&h, today).is_err(), "income when unemployed");
        let mut r = ok.clone();
        r.workers[0].monthly_income = Some(MAX_MONTHLY_INCOME + 1);
        assert!(r.validate(&h, today).is_err(), "wage");
        let mut r = ok.clone();
        r.workers[0].training_wanted = "训".repeat(MAX_SHORT_TEXT + 1);
        assert!(r.validate(&h, today).is_err(), "overlong");
        let mut r = ok.clone();
        r.alleviated_employed = 2;
        assert!(r.validate(&h, today).is_err(), "counts");
        let mut r = ok;
        r.workers[0].position = 5;
        assert!(r.validate(&h, today).is_err(), "no such member");
        // A member who lost labour is outside the labour force.
        let mut weak = household();
        weak.members[1].labour = LabourSkill::Lost;
        let r = MonthlyRecord::new(
            &weak,
            d(2026, 5, 10),
            vec![worker(0, "成员11", Status::Nearby)],
        );
        assert!(r.validate(&weak, today).is_ok());
    }

    #[test]
    fn ledger_rows_fit_the_columns() {
        let h = household();
        let names = RegionNames::default();
        let mut r = both(&h, Status::Migrant, Status::Unemployed);
        r.workers[0].monthly_income = Some(4000);
        r.workers[0].drive = Some(Drive::Enterprise);
        r.workers[1].training_wanted = "电工".into();
        let row = ledger_row(1, &h, &names, Some((&r, "村专班")), d(2026, 6, 1), false);
        assert_eq!(row.len(), LEDGER_COLUMNS.len());
        assert_eq!(row[8], Value::Number(2.0));
        assert_eq!(
            row[11],
            Value::Text(
                "成员11：外出务工（省外），月收入4000元，企业吸纳；成员22：未就业".to_owned()
            )
        );
        assert_eq!(row[12], Value::Number(1.0));
        assert_eq!(row[14], Value::Text("成员22：电工".to_owned()));
        let empty = ledger_row(2, &h, &names, None, d(2026, 6, 1), true);
        assert_eq!(empty.len(), LEDGER_COLUMNS.len());
    }
}
