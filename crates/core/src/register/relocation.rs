//! 易地搬迁后续扶持 (A5, §三(三)): the relocated households of the registry (是否易地扶贫搬迁户, kept on
//! the household), their quarterly screening ([`Screening`]: §三(三)1 "每季度在集中安置的搬迁群众开展一次易返贫
//! 人口排查", §三(三)2 "每季度开展一次搬迁劳动力就业排查") — who of the labour force works, where, how and
//! since when, the household's income, its employment, training and follow-up-support needs (the needs go
//! to the county HR bureau, 推送县人社局), new risks (a clue of channel 干部排查) — the **target**
//! ([`target`]: "确保有劳动力的搬迁户有1人稳定就业") and the 易地搬迁后续扶持台账's columns.
//!
//! **Stable employment (稳定就业)** is read as a job the member holds for the season and beyond: 稳定务工,
//! 公益岗位, 帮扶车间 and 自主创业 count; 灵活就业 (day labour, odd jobs) and 未就业 do not ([`Job::stable`]).

use chrono::NaiveDate;

use crate::codes::{CodeList, RiskType, code_list};
use crate::household::Household;
use crate::ledger::{Column, ColumnKind, Value};
use crate::monitoring::Refusal;
use crate::monitoring::calendar::{Period, Quarter};
use crate::registry::RegionNames;

use super::{check_record_day, check_text, col, household_cells, labour_members, text};

code_list! {
    /// 就业方式: how a member of the labour force works (§三(三)2, §四(一)).
    pub enum Job ("就业方式", "employment") {
        StableJob = ("stable_job", "稳定务工", "Stable job"),
        WelfarePost = ("welfare_post", "公益岗位", "Public-welfare post"),
        Workshop = ("workshop", "帮扶车间", "Assistance workshop"),
        SelfEmployed = ("self_employed", "自主创业", "Self-employed"),
        Flexible = ("flexible", "灵活就业", "Flexible work"),
        Unemployed = ("unemployed", "未就业", "Not employed"),
    }
}

impl Job {
    /// Counts as 稳定就业 for the target (see the module doc).
    pub fn stable(self) -> bool {
        matches!(
            self,
            Job::StableJob | Job::WelfarePost | Job::Workshop | Job::SelfEmployed
        )
    }
}

code_list! {
    /// 务工地点: where a member works.
    pub enum WorkPlace ("务工地点", "place of work") {
        InCounty = ("in_county", "县内", "In the county"),
        InProvince = ("in_province", "省内县外", "In the province, outside the county"),
        OutOfProvince = ("out_of_province", "省外", "Outside the province"),
    }
}

code_list! {
    /// 稳定就业目标: the state of a relocated household against the target (§三(三)2).
    pub enum TargetState ("稳定就业目标", "employment target") {
        Met = ("met", "已有1人以上稳定就业", "At least one member in stable employment"),
        Unmet = ("unmet", "无人稳定就业", "Nobody in stable employment"),
        Unscreened = ("unscreened", "未开展就业排查", "Not screened yet"),
        NoLabour = ("no_labour", "无劳动力", "No labour force"),
    }
}

impl TargetState {
    /// Counted against the target (a household with labour that is not known to meet it).
    pub fn misses(self) -> bool {
        matches!(self, TargetState::Unmet | TargetState::Unscreened)
    }
}

/// The most characters of a screening's text field.
pub const MAX_TEXT: usize = 500;

/// The most yuan of a monthly wage (a typo guard).
pub const MAX_MONTHLY_INCOME: u32 = 100_000;

/// One member of the labour force as screened.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Worker {
    /// The member's place in the household (0 = first).
    pub position: usize,
    /// 姓名 (as registered).
    pub name: String,
    /// 就业方式.
    pub job: Job,
    /// 务工地点 (none when not employed).
    pub place: Option<WorkPlace>,
    /// 就业单位或地点.
    #[serde(default)]
    pub employer: String,
    /// 就业起始日期.
    pub since: Option<NaiveDate>,
    /// 月收入（元）.
    pub monthly_income: Option<u32>,
}

/// 搬迁户排查记录: the quarterly screening of a relocated household (§三(三)1–2).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Screening {
    /// 排查季度.
    pub quarter: Quarter,
    /// 排查日期.
    pub screened_on: NaiveDate,
    /// 劳动力就业情况: one entry per member of the labour force screened.
    pub workers: Vec<Worker>,
    /// 本季度家庭收入（元）.
    pub income: Option<u64>,
    /// 就业需求 (推送县人社局).
    pub employment_needs: String,
    /// 技能培训需求 (推送县人社局).
    pub training_needs: String,
    /// 后续扶持需求 (住房、配套设施、社区服务 …).
    pub support_needs: String,
    /// 发现的新风险 (each files a clue of channel 干部排查).
    pub new_risks: Vec<RiskType>,
}

impl Screening {
    /// Members in stable employment.
    pub fn stable_workers(&self) -> usize {
        self.workers.iter().filter(|w| w.job.stable()).count()
    }

    /// Refuses a screening outside its quarter or in the future, an overlong text, a worker who is not
    /// a member of `h`'s labour force on the screening day (or listed twice), a job without a place or a
    /// place without a job, a start after the screening, an implausible wage, too many new risks.
    pub fn validate(&self, h: &Household, today: NaiveDate) -> Result<(), Refusal> {
        check_record_day(Period::Quarter(self.quarter), self.screened_on, today)?;
        for (what, text) in [
            ("就业需求", &self.employment_needs),
            ("技能培训需求", &self.training_needs),
            ("后续扶持需求", &self.support_needs),
        ] {
            check_text(what, text, MAX_TEXT)?;
        }
        let labour = labour_members(h, self.screened_on);
        let mut seen = Vec::new();
        for w in &self.workers {
            check_text("就业单位或地点", &w.employer, 100)?;
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
            if (w.job == Job::Unemployed) != w.place.is_none() {
                return Err(Refusal::invalid(
                    format!("{}：就业的须填务工地点，未就业的不填", w.name),
                    format!(
                        "{}: a place of work for a job, none when not employed",
                        w.name
                    ),
                ));
            }
            if w.since.is_some_and(|s| s > self.screened_on) {
                return Err(Refusal::invalid(
                    format!("{}：就业起始日期不能晚于排查日期", w.name),
                    format!("{}: the job cannot start after the screening", w.name),
                ));
            }
            if w.monthly_income.is_some_and(|i| i > MAX_MONTHLY_INCOME) {
                return Err(Refusal::invalid(
                    format!("{}：月收入超过 {MAX_MONTHLY_INCOME} 元", w.name),
                    format!("{}: implausible monthly income", w.name),
                ));
            }
        }
        if self.new_risks.len() > crate::household::MAX_RISKS {
            return Err(Refusal::invalid(
                "新发现风险最多 5 项",
                "At most 5 new risks",
            ));
        }
        Ok(())
    }
}

/// The state of relocated household `h` against the target on `on`, given its latest screening (of the
/// quarter asked or before): no labour force → [`TargetState::NoLabour`]; never screened →
/// `Unscreened`; else `Met` when at least one member is in stable employment, `Unmet` otherwise.
pub fn target(h: &Household, on: NaiveDate, latest: Option<&Screening>) -> TargetState {
    if labour_members(h, on).is_empty() {
        return TargetState::NoLabour;
    }
    match latest {
        None => TargetState::Unscreened,
        Some(s) if s.stable_workers() > 0 => TargetState::Met,
        Some(_) => TargetState::Unmet,
    }
}

/// 易地搬迁后续扶持台账 (搬迁户台账): one row per relocated household and screening dated in the range (a
/// household not screened in the range has one row without a screening).
pub const LEDGER_COLUMNS: &[Column] = &[
    col("序号", 6.0, ColumnKind::Number),
    col("乡（镇）", 14.0, ColumnKind::Text),
    col("安置点（行政村）", 20.0, ColumnKind::Text),
    col("户编号", 20.0, ColumnKind::Digits),
    col("户主姓名", 10.0, ColumnKind::Text),
    col("户主身份证号", 20.0, ColumnKind::Digits),
    col("家庭人口", 8.0, ColumnKind::Number),
    col("劳动力人数", 8.0, ColumnKind::Number),
    col("排查季度", 14.0, ColumnKind::Text),
    col("排查日期", 12.0, ColumnKind::Date),
    col("劳动力就业情况", 48.0, ColumnKind::Text),
    col("稳定就业人数", 8.0, ColumnKind::Number),
    col("本季度家庭收入（元）", 12.0, ColumnKind::Number),
    col("就业需求", 24.0, ColumnKind::Text),
    col("技能培训需求", 24.0, ColumnKind::Text),
    col("后续扶持需求", 24.0, ColumnKind::Text),
    col("新发现风险", 16.0, ColumnKind::Text),
    col("排查人", 12.0, ColumnKind::Text),
    col("稳定就业目标", 16.0, ColumnKind::Text),
];

/// `张三：稳定务工，省外，某厂，2026-03-01起，月收入4000元`.
pub fn worker_label_zh(w: &Worker) -> String {
    let mut parts = vec![w.job.label_zh().to_owned()];
    if let Some(p) = w.place {
        parts.push(p.label_zh().to_owned());
    }
    if !w.employer.is_empty() {
        parts.push(w.employer.clone());
    }
    if let Some(s) = w.since {
        parts.push(format!("{s}起"));
    }
    if let Some(i) = w.monthly_income {
        parts.push(format!("月收入{i}元"));
    }
    format!("{}：{}", w.name, parts.join("，"))
}

/// One row of the 易地搬迁后续扶持台账 (`seq` from 1; `on`: the day the labour force and the target are
/// counted); the head's ID number in full when `full_ids`.
pub fn ledger_row(
    seq: usize,
    h: &Household,
    names: &RegionNames,
    screening: Option<(&Screening, &str)>,
    on: NaiveDate,
    full_ids: bool,
) -> Vec<Value> {
    let mut row = household_cells(seq, h, names, full_ids);
    row.push(Value::Number(labour_members(h, on).len() as f64));
    match screening {
        Some((s, by)) => row.extend([
            text(s.quarter.label_zh()),
            text(s.screened_on.to_string()),
            text(
                s.workers
                    .iter()
                    .map(worker_label_zh)
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            Value::Number(s.stable_workers() as f64),
            s.income.map_or(Value::Empty, |i| Value::Number(i as f64)),
            text(s.employment_needs.clone()),
            text(s.training_needs.clone()),
            text(s.support_needs.clone()),
            text(
                s.new_risks
                    .iter()
                    .map(|r| r.label_zh())
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            text(by),
        ]),
        None => row.extend(std::iter::repeat_n(Value::Empty, 10)),
    }
    row.push(text(target(h, on, screening.map(|(s, _)| s)).label_zh()));
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{LabourSkill, Relation};
    use crate::household::tests::{d, household, member};

    fn worker(position: usize, name: &str, job: Job) -> Worker {
        Worker {
            position,
            name: name.to_owned(),
            job,
            place: (job != Job::Unemployed).then_some(WorkPlace::InCounty),
            employer: String::new(),
            since: None,
            monthly_income: None,
        }
    }

    fn screening(workers: Vec<Worker>) -> Screening {
        Screening {
            quarter: Quarter { year: 2026, q: 2 },
            screened_on: d(2026, 5, 10),
            workers,
            income: Some(9000),
            employment_needs: "就近务工".to_owned(),
            training_needs: String::new(),
            support_needs: String::new(),
            new_risks: vec![],
        }
    }

    #[test]
    fn the_target_on_designed_households() {
        let on = d(2026, 6, 1);
        let h = household();
        assert_eq!(target(&h, on, None), TargetState::Unscreened);
        let flexible = screening(vec![worker(0, "成员11", Job::Flexible)]);
        assert_eq!(target(&h, on, Some(&flexible)), TargetState::Unmet);
        let post = screening(vec![
            worker(0, "成员11", Job::Flexible),
            worker(1, "成员22", Job::WelfarePost),
        ]);
        assert_eq!(target(&h, on, Some(&post)), TargetState::Met);
        assert!(TargetState::Unmet.misses() && TargetState::Unscreened.misses());
        // An old couple without labour is outside the target, screened or not.
        let mut old = household();
        old.members = vec![
            member(d(1950, 1, 1), 11, Relation::Head),
            member(d(1990, 1, 1), 22, Relation::Son),
        ];
        old.members[1].labour = LabourSkill::Lost;
        assert_eq!(target(&old, on, None), TargetState::NoLabour);
        assert!(!TargetState::NoLabour.misses());
    }

    #[test]
    fn a_screening_is_checked() {
        let h = household();
        let ok = screening(vec![worker(0, "成员11", Job::StableJob)]);
        assert!(ok.validate(&h, d(2026, 6, 30)).is_ok());
        assert!(ok.validate(&h, d(2026, 5, 9)).is_err(), "in the future");
        let mut s = ok.clone();
        s.screened_on = d(2026, 7, 1);
        assert!(
            s.validate(&h, d(2026, 7, 2)).is_err(),
            "outside its quarter"
        );
        let s = screening(vec![worker(5, "成员11", Job::StableJob)]);
        assert!(s.validate(&h, d(2026, 6, 30)).is_err(), "no such member");
        let s = screening(vec![
            worker(0, "成员11", Job::StableJob),
            worker(0, "成员11", Job::Flexible),
        ]);
        assert!(s.validate(&h, d(2026, 6, 30)).is_err(), "twice");
        let mut s = screening(vec![worker(0, "成员11", Job::Unemployed)]);
        s.workers[0].place = Some(WorkPlace::OutOfProvince);
        assert!(s.validate(&h, d(2026, 6, 30)).is_err(), "place, no job");
        let mut s = ok.clone();
        s.workers[0].since = Some(d(2026, 5, 11));
        assert!(s.validate(&h, d(2026, 6, 30)).is_err(), "starts later");
        let mut s = ok.clone();
        s.workers[0].monthly_income = Some(MAX_MONTHLY_INCOME + 1);
        assert!(s.validate(&h, d(2026, 6, 30)).is_err(), "wage");
        let mut s = ok;
        s.support_needs = "需".repeat(MAX_TEXT + 1);
        assert!(s.validate(&h, d(2026, 6, 30)).is_err(), "overlong");
    }

    #[test]
    fn ledger_rows_fit_the_columns() {
        let h = household();
        let names = RegionNames::default();
        let mut s = screening(vec![worker(0, "成员11", Job::StableJob)]);
        s.workers[0].monthly_income = Some(4000);
        let row = ledger_row(1, &h, &names, Some((&s, "村专班")), d(2026, 6, 1), false);
        assert_eq!(row.len(), LEDGER_COLUMNS.len());
        assert_eq!(row[7], Value::Number(2.0));
        assert_eq!(
            row[10],
            Value::Text("成员11：稳定务工，县内，月收入4000元".to_owned())
        );
        assert_eq!(row[18], Value::Text("已有1人以上稳定就业".to_owned()));
        let empty = ledger_row(2, &h, &names, None, d(2026, 6, 1), true);
        assert_eq!(empty.len(), LEDGER_COLUMNS.len());
        assert_eq!(empty[18], Value::Text("未开展就业排查".to_owned()));
    }
}
