//! 工作日历: months, quarters, working days 工作日, and the cadence calendar of
//! docs/domain.md ("Cadence, as a calendar"): the tasks of each village per period with
//! their due dates and overdue state.
//!
//! | task | period | due (default, configurable) | source |
//! | --- | --- | --- | --- |
//! | 逐月跟踪监测 monthly follow-up of every monitored household | month | last day of the month | §三(一)2 四是强监测 |
//! | 干部排查 cadre screening of all households | quarter | last day of the quarter | §三(一)1 二是干部排查 |
//! | 定期预判 exit pre-judgment meeting | quarter | 15th of the quarter's last month ("末月中旬") | §三(一)3 一是定期预判 |
//! | 民主评议 democratic appraisal | quarter | 25th of the quarter's last month ("末月下旬") | §三(一)3 三是民主评议 |
//! | 低收入人口月度走访 monthly visit of the low-income register | month | with the follow-up | §三(二) 常态化帮扶 |
//!
//! Working days (for the identification time limit) are Monday to Friday, minus
//! the holidays 法定节假日 and plus the make-up working days 调休上班日 given in a
//! [`WorkCalendar`] (the State Council publishes both every December).

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};

use super::common::Refusal;
use crate::codes::code_list;

/// A calendar month 月份, e.g. 2022-06. Serde: the text `2022-06`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// A month; `None` unless `month` is 1–12 and the year is 1900–9999.
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        ((1..=12).contains(&month) && (1900..=9999).contains(&year))
            .then_some(YearMonth { year, month })
    }

    /// The month of a date.
    pub fn of(d: NaiveDate) -> YearMonth {
        YearMonth {
            year: d.year(),
            month: d.month(),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day.
    pub fn last_day(self) -> NaiveDate {
        self.day_clamped(31)
    }

    /// Day `day` of the month, or the last day when the month is shorter (day 0
    /// counts as 1).
    pub fn day_clamped(self, day: u32) -> NaiveDate {
        let mut d = day.clamp(1, 31);
        loop {
            if let Some(date) = NaiveDate::from_ymd_opt(self.year, self.month, d) {
                return date;
            }
            if d <= 28 {
                return self.first_day();
            }
            d -= 1;
        }
    }

    /// The next month.
    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Whether the date falls in this month.
    pub fn contains(self, d: NaiveDate) -> bool {
        YearMonth::of(d) == self
    }

    /// The months from `self` to `last`, both included (empty when `last < self`).
    pub fn through(self, last: YearMonth) -> Vec<YearMonth> {
        let mut out = Vec::new();
        let mut m = self;
        while m <= last {
            out.push(m);
            m = m.next();
        }
        out
    }

    /// The quarter of the month.
    pub fn quarter(self) -> Quarter {
        Quarter {
            year: self.year,
            q: (self.month - 1) / 3 + 1,
        }
    }

    /// `2022年6月`.
    pub fn label_zh(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }

    /// Parses `2022-06` (or `2022-6`).
    pub fn parse(s: &str) -> Option<YearMonth> {
        let (y, m) = s.trim().split_once('-')?;
        YearMonth::new(y.parse().ok()?, m.parse().ok()?)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl serde::Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        YearMonth::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not a month (YYYY-MM): {s:?}")))
    }
}

/// A calendar quarter 季度 (the exit mechanism runs "按季", §三(一)3).
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quarter {
    /// The year.
    pub year: i32,
    /// 1–4.
    pub q: u32,
}

impl Quarter {
    /// The quarter of a date.
    pub fn of(d: NaiveDate) -> Quarter {
        YearMonth::of(d).quarter()
    }

    /// The first month (Jan, Apr, Jul, Oct).
    pub fn first_month(self) -> YearMonth {
        YearMonth {
            year: self.year,
            month: (self.q.clamp(1, 4) - 1) * 3 + 1,
        }
    }

    /// The last month 末月 (Mar, Jun, Sep, Dec).
    pub fn last_month(self) -> YearMonth {
        YearMonth {
            year: self.year,
            month: self.q.clamp(1, 4) * 3,
        }
    }

    /// The first day.
    pub fn first_day(self) -> NaiveDate {
        self.first_month().first_day()
    }

    /// The last day.
    pub fn last_day(self) -> NaiveDate {
        self.last_month().last_day()
    }

    /// The next quarter.
    pub fn next(self) -> Quarter {
        self.last_month().next().quarter()
    }

    /// `2022年第2季度`.
    pub fn label_zh(self) -> String {
        format!("{}年第{}季度", self.year, self.q)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

/// Working days 工作日: Monday–Friday, minus [`WorkCalendar::holidays`], plus
/// [`WorkCalendar::makeup_workdays`] (weekend days worked in exchange, 调休).
#[derive(Clone, PartialEq, Eq, Debug, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkCalendar {
    /// 法定节假日 falling on weekdays (days off).
    pub holidays: BTreeSet<NaiveDate>,
    /// 调休上班日: weekend days that are working days.
    pub makeup_workdays: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// Monday–Friday only, no holidays.
    pub fn weekdays_only() -> WorkCalendar {
        WorkCalendar::default()
    }

    /// A calendar with these holidays and make-up working days.
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        makeup_workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> WorkCalendar {
        WorkCalendar {
            holidays: holidays.into_iter().collect(),
            makeup_workdays: makeup_workdays.into_iter().collect(),
        }
    }

    /// Whether `d` is a working day.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.makeup_workdays.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// The day on which `n` working days after `start` have passed: the `n`-th
    /// working day strictly after `start` (`start` itself when `n == 0`). Saturates
    /// at the end of the calendar.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            match d.succ_opt() {
                Some(next) => d = next,
                None => return d,
            }
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in `(start, end]` (zero when `end <= start`).
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> u32 {
        let mut n = 0u32;
        let mut d = start;
        while d < end {
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
            if self.is_working_day(d) {
                n = n.saturating_add(1);
            }
        }
        n
    }
}

code_list! {
    /// 工作任务: the recurring tasks of a village (docs/domain.md cadence calendar).
    pub enum TaskKind ("工作任务", "task") {
        MonthlyFollowUp = ("monthly_follow_up", "逐月跟踪监测", "Monthly follow-up of monitored households"),
        CadreScreening = ("cadre_screening", "干部排查", "Quarterly cadre screening of all households"),
        ExitPrejudgment = ("exit_prejudgment", "定期预判会议", "Exit pre-judgment meeting"),
        ExitAppraisal = ("exit_appraisal", "民主评议会", "Democratic appraisal meeting"),
        LowIncomeVisit = ("low_income_visit", "低收入人口月度走访", "Monthly visit of low-income households"),
        RelocationScreening = ("relocation_screening", "搬迁户季度排查", "Quarterly screening of relocated households"),
        LabourRecord = ("labour_record", "劳动力就业月报", "Monthly employment record of the labour force"),
        ProblemRectification = ("problem_rectification", "问题整改", "Rectification of the problems found (by their deadline)"),
        Campaign = ("campaign", "三保障和饮水安全季度排查", "Quarterly campaign of the three guarantees and drinking water"),
        PvDistribution = ("pv_distribution", "光伏收益分配", "Monthly distribution of PV income (§四(二)4)"),
    }
}

/// The period a task is for.
#[derive(
    Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Period {
    /// A month.
    Month(YearMonth),
    /// A quarter.
    Quarter(Quarter),
}

impl Period {
    /// The first day.
    pub fn first_day(self) -> NaiveDate {
        match self {
            Period::Month(m) => m.first_day(),
            Period::Quarter(q) => q.first_day(),
        }
    }

    /// The last day.
    pub fn last_day(self) -> NaiveDate {
        match self {
            Period::Month(m) => m.last_day(),
            Period::Quarter(q) => q.last_day(),
        }
    }

    /// `2022年6月` or `2022年第2季度`.
    pub fn label_zh(self) -> String {
        match self {
            Period::Month(m) => m.label_zh(),
            Period::Quarter(q) => q.label_zh(),
        }
    }
}

/// Due days of the cadence calendar (configurable by the county). A day beyond
/// the month's length means the month's last day (so 31 = 月底).
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CadenceRules {
    /// Day of the month by which the month's follow-up is due (default 31 = last day).
    pub follow_up_due_day: u32,
    /// Day of the quarter's last month by which the cadre screening is due
    /// (default 31 = last day of the quarter).
    pub screening_due_day: u32,
    /// Day of the quarter's last month by which the pre-judgment meeting is due
    /// (default 15: "每季度末月中旬").
    pub prejudgment_due_day: u32,
    /// Day of the quarter's last month by which the democratic appraisal is due
    /// (default 25: "每季度末月下旬").
    pub appraisal_due_day: u32,
}

impl Default for CadenceRules {
    fn default() -> Self {
        CadenceRules {
            follow_up_due_day: 31,
            screening_due_day: 31,
            prejudgment_due_day: 15,
            appraisal_due_day: 25,
        }
    }
}

impl CadenceRules {
    /// Refuses a day outside 1–31, or an appraisal due before the pre-judgment.
    pub fn validate(&self) -> Result<(), Refusal> {
        let days = [
            self.follow_up_due_day,
            self.screening_due_day,
            self.prejudgment_due_day,
            self.appraisal_due_day,
        ];
        if days.iter().any(|d| !(1..=31).contains(d)) {
            return Err(Refusal::invalid(
                "期限日须在 1 至 31 之间",
                "Due days must be between 1 and 31",
            ));
        }
        if self.appraisal_due_day < self.prejudgment_due_day {
            return Err(Refusal::invalid(
                "民主评议期限不能早于定期预判期限",
                "The appraisal cannot be due before the pre-judgment meeting",
            ));
        }
        Ok(())
    }

    /// The due date of the follow-up of a month.
    pub fn follow_up_due(&self, m: YearMonth) -> NaiveDate {
        m.day_clamped(self.follow_up_due_day)
    }

    /// The due date of a task kind for a period (monthly kinds take a month,
    /// quarterly kinds a quarter; a mismatched period gets its last day).
    pub fn due(&self, kind: TaskKind, period: Period) -> NaiveDate {
        match (kind, period) {
            (
                TaskKind::MonthlyFollowUp | TaskKind::LowIncomeVisit | TaskKind::LabourRecord,
                Period::Month(m),
            ) => self.follow_up_due(m),
            (
                TaskKind::CadreScreening | TaskKind::RelocationScreening | TaskKind::Campaign,
                Period::Quarter(q),
            ) => q.last_month().day_clamped(self.screening_due_day),
            // 光伏收益分配 (§四(二)4 "按月分配收益"): a month's income is distributed in the month after it.
            (TaskKind::PvDistribution, Period::Month(m)) => {
                m.next().day_clamped(self.follow_up_due_day)
            }
            (TaskKind::ExitPrejudgment, Period::Quarter(q)) => {
                q.last_month().day_clamped(self.prejudgment_due_day)
            }
            (TaskKind::ExitAppraisal, Period::Quarter(q)) => {
                q.last_month().day_clamped(self.appraisal_due_day)
            }
            (_, p) => p.last_day(),
        }
    }
}

/// One task of a village for one period.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    /// The village code 行政村代码.
    pub village: String,
    /// What is to be done.
    pub kind: TaskKind,
    /// For which month or quarter.
    pub period: Period,
    /// 截止日期.
    pub due_on: NaiveDate,
}

code_list! {
    /// The state of a task on a day.
    pub enum TaskStatus ("任务状态", "task status") {
        Pending = ("pending", "待完成", "Pending"),
        Overdue = ("overdue", "已逾期", "Overdue"),
        Done = ("done", "已完成", "Done"),
        DoneLate = ("done_late", "逾期完成", "Done late"),
    }
}

impl Task {
    /// The state on `today`, given when the task was completed (if it was). A task
    /// is overdue from the day after its due date.
    pub fn status(&self, completed_on: Option<NaiveDate>, today: NaiveDate) -> TaskStatus {
        status_on(self.due_on, completed_on, today)
    }
}

/// The state on `today` of work due on `due_on`, completed on `completed_on` (if it was): overdue from the
/// day after its due date. The one rule for the calendar's tasks and the registers' records.
pub fn status_on(
    due_on: NaiveDate,
    completed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> TaskStatus {
    match completed_on {
        Some(d) if d <= due_on => TaskStatus::Done,
        Some(_) => TaskStatus::DoneLate,
        None if today > due_on => TaskStatus::Overdue,
        None => TaskStatus::Pending,
    }
}

/// The tasks of a village for every period that overlaps `from..=to`, ordered by
/// due date, then kind.
pub fn village_tasks(
    village: &str,
    from: NaiveDate,
    to: NaiveDate,
    rules: &CadenceRules,
) -> Vec<Task> {
    let mut out = Vec::new();
    if to < from {
        return out;
    }
    for m in YearMonth::of(from).through(YearMonth::of(to)) {
        let period = Period::Month(m);
        for kind in [TaskKind::MonthlyFollowUp, TaskKind::LowIncomeVisit] {
            out.push(Task {
                village: village.to_owned(),
                kind,
                period,
                due_on: rules.due(kind, period),
            });
        }
    }
    let mut q = Quarter::of(from);
    let last = Quarter::of(to);
    while q <= last {
        let period = Period::Quarter(q);
        for kind in [
            TaskKind::CadreScreening,
            TaskKind::ExitPrejudgment,
            TaskKind::ExitAppraisal,
        ] {
            out.push(Task {
                village: village.to_owned(),
                kind,
                period,
                due_on: rules.due(kind, period),
            });
        }
        q = q.next();
    }
    out.sort_by_key(|a| (a.due_on, a.kind));
    out
}

/// OpenAPI: a month, `YYYY-MM` (e.g. `2022-06`)
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for YearMonth {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::codes::string_schema(
            "a month, `YYYY-MM` (e.g. `2022-06`)",
            None,
            Some("^[0-9]{4}-[0-9]{1,2}$"),
        )
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for YearMonth {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CodeList;
    use crate::testing::to_text;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn months() {
        let m = YearMonth::new(2022, 2).unwrap();
        assert_eq!(m.last_day(), d(2022, 2, 28));
        assert_eq!(YearMonth::new(2024, 2).unwrap().last_day(), d(2024, 2, 29));
        assert_eq!(m.day_clamped(15), d(2022, 2, 15));
        assert_eq!(m.day_clamped(0), d(2022, 2, 1));
        assert_eq!(m.to_string(), "2022-02");
        assert_eq!(m.label_zh(), "2022年2月");
        assert_eq!(
            YearMonth::new(2022, 12).unwrap().next(),
            YearMonth::new(2023, 1).unwrap()
        );
        assert_eq!(YearMonth::new(2022, 13), None);
        assert_eq!(YearMonth::new(2022, 0), None);
        assert_eq!(YearMonth::parse("2022-6"), YearMonth::new(2022, 6));
        assert_eq!(YearMonth::parse("2022/6"), None);
        assert_eq!(YearMonth::parse("x-6"), None);
        assert_eq!(m.through(YearMonth::new(2022, 4).unwrap()).len(), 3);
        assert!(m.through(YearMonth::new(2021, 4).unwrap()).is_empty());
        assert!(m.contains(d(2022, 2, 28)) && !m.contains(d(2022, 3, 1)));
        assert_eq!(to_text(&m).unwrap(), "\"2022-02\"");
        assert_eq!(crate::testing::from_str::<YearMonth>("2022-02").unwrap(), m);
        assert!(crate::testing::from_str::<YearMonth>("2022-13").is_err());
    }

    #[test]
    fn quarters() {
        let q = Quarter::of(d(2022, 8, 15));
        assert_eq!(q, Quarter { year: 2022, q: 3 });
        assert_eq!(q.first_day(), d(2022, 7, 1));
        assert_eq!(q.last_day(), d(2022, 9, 30));
        assert_eq!(q.last_month(), YearMonth::new(2022, 9).unwrap());
        assert_eq!(
            Quarter { year: 2022, q: 4 }.next(),
            Quarter { year: 2023, q: 1 }
        );
        assert_eq!(q.label_zh(), "2022年第3季度");
        assert_eq!(q.to_string(), "2022-Q3");
    }

    #[test]
    fn working_days_across_weekends_and_holidays() {
        let cal = WorkCalendar::weekdays_only();
        // Friday 2022-06-10 + 1 working day = Monday 06-13.
        assert_eq!(cal.add_working_days(d(2022, 6, 10), 1), d(2022, 6, 13));
        // Saturday start: the first working day is Monday.
        assert_eq!(cal.add_working_days(d(2022, 6, 11), 1), d(2022, 6, 13));
        assert_eq!(cal.add_working_days(d(2022, 6, 10), 0), d(2022, 6, 10));
        // 20 working days from Wednesday 2022-06-01 = Wednesday 06-29.
        assert_eq!(cal.add_working_days(d(2022, 6, 1), 20), d(2022, 6, 29));
        assert_eq!(cal.working_days_between(d(2022, 6, 1), d(2022, 6, 29)), 20);
        assert_eq!(cal.working_days_between(d(2022, 6, 10), d(2022, 6, 12)), 0);
        assert_eq!(cal.working_days_between(d(2022, 6, 12), d(2022, 6, 10)), 0);
        // 端午节 2022-06-03 (Friday) off: Thursday 06-02 + 1 = Monday 06-06.
        let dragon = WorkCalendar::new([d(2022, 6, 3)], []);
        assert!(!dragon.is_working_day(d(2022, 6, 3)));
        assert_eq!(dragon.add_working_days(d(2022, 6, 2), 1), d(2022, 6, 6));
        // 国庆 2022: Oct 1–7 off, Sat Oct 8 and Sun Oct 9 worked.
        let national = WorkCalendar::new(
            (3..=7).map(|day| d(2022, 10, day)),
            [d(2022, 10, 8), d(2022, 10, 9)],
        );
        assert_eq!(national.add_working_days(d(2022, 9, 30), 1), d(2022, 10, 8));
        assert_eq!(
            national.add_working_days(d(2022, 9, 30), 3),
            d(2022, 10, 10)
        );
        assert!(national.is_working_day(d(2022, 10, 9)));
        assert_eq!(cal.add_working_days(NaiveDate::MAX, 3), NaiveDate::MAX);
    }

    #[test]
    fn cadence_due_dates() {
        let r = CadenceRules::default();
        assert!(r.validate().is_ok());
        let q = Period::Quarter(Quarter { year: 2022, q: 2 });
        assert_eq!(r.due(TaskKind::ExitPrejudgment, q), d(2022, 6, 15));
        assert_eq!(r.due(TaskKind::ExitAppraisal, q), d(2022, 6, 25));
        assert_eq!(r.due(TaskKind::CadreScreening, q), d(2022, 6, 30));
        let feb = Period::Month(YearMonth::new(2022, 2).unwrap());
        assert_eq!(r.due(TaskKind::MonthlyFollowUp, feb), d(2022, 2, 28));
        assert_eq!(r.due(TaskKind::ExitAppraisal, feb), d(2022, 2, 28));
        assert_eq!(r.due(TaskKind::MonthlyFollowUp, q), d(2022, 6, 30));
        let bad = CadenceRules {
            appraisal_due_day: 10,
            ..r
        };
        assert_eq!(
            bad.validate().unwrap_err().code,
            super::super::RefusalCode::InvalidInput
        );
        assert!(
            CadenceRules {
                follow_up_due_day: 0,
                ..r
            }
            .validate()
            .is_err()
        );
        assert!(
            CadenceRules {
                screening_due_day: 32,
                ..r
            }
            .validate()
            .is_err()
        );
        assert_eq!(
            Period::Month(YearMonth::new(2022, 2).unwrap()).label_zh(),
            "2022年2月"
        );
        assert_eq!(q.label_zh(), "2022年第2季度");
        assert_eq!(q.first_day(), d(2022, 4, 1));
    }

    #[test]
    fn tasks_of_a_village() {
        let r = CadenceRules::default();
        let tasks = village_tasks("141123100201", d(2022, 5, 10), d(2022, 6, 20), &r);
        let summary: Vec<(&str, NaiveDate)> =
            tasks.iter().map(|t| (t.kind.code(), t.due_on)).collect();
        assert_eq!(
            summary,
            [
                ("monthly_follow_up", d(2022, 5, 31)),
                ("low_income_visit", d(2022, 5, 31)),
                ("exit_prejudgment", d(2022, 6, 15)),
                ("exit_appraisal", d(2022, 6, 25)),
                ("monthly_follow_up", d(2022, 6, 30)),
                ("cadre_screening", d(2022, 6, 30)),
                ("low_income_visit", d(2022, 6, 30)),
            ]
        );
        assert!(village_tasks("v", d(2022, 6, 1), d(2022, 5, 1), &r).is_empty());
        let t = &tasks[2];
        assert_eq!(t.status(None, d(2022, 6, 15)), TaskStatus::Pending);
        assert_eq!(t.status(None, d(2022, 6, 16)), TaskStatus::Overdue);
        assert_eq!(
            t.status(Some(d(2022, 6, 15)), d(2022, 7, 1)),
            TaskStatus::Done
        );
        assert_eq!(
            t.status(Some(d(2022, 6, 16)), d(2022, 7, 1)),
            TaskStatus::DoneLate
        );
        let two_years = village_tasks("v", d(2022, 1, 1), d(2023, 12, 31), &r);
        assert_eq!(two_years.len(), 24 * 2 + 8 * 3);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// `add_working_days` lands on a working day with exactly `n` working days
        /// in between, whatever the weekday of the start and the holidays.
        #[test]
        fn add_and_count_agree(start in 0i64..3000, n in 0u32..60, hol in proptest::collection::vec(0i64..3100, 0..20)) {
            let base = d(2020, 1, 1);
            let cal = WorkCalendar::new(hol.iter().map(|o| base + chrono::Days::new(*o as u64)), []);
            let s = base + chrono::Days::new(start as u64);
            let end = cal.add_working_days(s, n);
            prop_assert_eq!(cal.working_days_between(s, end), n);
            if n > 0 {
                prop_assert!(cal.is_working_day(end));
                // one day earlier is one working day short
                prop_assert_eq!(cal.working_days_between(s, end.pred_opt().unwrap()), n - 1);
            } else {
                prop_assert_eq!(end, s);
            }
        }
    }
}
