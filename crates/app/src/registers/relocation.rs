//! 易地搬迁后续扶持 (A5, §三(三)): the register's use cases — the relocated households of the caller's area
//! by settlement point (安置点: the settlement's 行政村 code in the registry) with their labour force, the
//! quarter's state and the target ([`list`], [`show`]); the quarterly screening ([`record_screening`]: one
//! per household and quarter, 409 on a second, 403 in another village; a new risk files a clue of channel
//! 干部排查 through the lifecycle's one function, the plan's "重点运用干部排查手段"); the calendar's count of
//! households not yet screened ([`outstanding`]) and the figures with the **target** — every relocated
//! household with labour has at least one person in stable employment ([`figures`]; the households that
//! miss it: [`list`] with `target=misses`). The 易地搬迁后续扶持台账 is exported by `ledgers::export`
//! (`relocation`).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use shouwang_core::codes::RiskType;
use shouwang_core::monitoring::calendar::{Period, Quarter, TaskStatus};
use shouwang_core::register::RegisterKind;
use shouwang_core::register::relocation::{self, Job, Screening, TargetState, WorkPlace, Worker};
use shouwang_store::repo;
use shouwang_store::{Db, StoreError};

use super::{PeriodState, Subject, code_of, period_code, period_state};
use crate::caller::Caller;
use crate::error::Error;
use crate::lifecycle::{Filed, county_rules};

const REGISTER: RegisterKind = RegisterKind::Relocation;

/// A member of the labour force (劳动力: 16–60, able to work).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Labour {
    /// Place in the household (0 = first): what a screening's worker names.
    pub position: usize,
    /// 姓名.
    pub name: String,
    /// 年龄.
    pub age: u32,
}

/// A relocated household with its labour force, the quarter's screening state and the target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    /// 户编号.
    pub number: String,
    /// 行政村 (安置点) code.
    pub village: String,
    /// 乡镇 name.
    pub township_name: String,
    /// 安置点（行政村） name.
    pub village_name: String,
    /// 户主姓名.
    pub head_name: String,
    /// 家庭人口.
    pub size: usize,
    /// 劳动力.
    pub labour: Vec<Labour>,
    /// The quarter's screening: due date, date screened, state.
    pub quarter: PeriodState,
    /// The target on the latest screening up to the quarter.
    pub target: TargetState,
    /// Members in stable employment at the latest screening.
    pub stable_workers: usize,
    /// 就业需求 of the latest screening.
    pub employment_needs: String,
    /// 技能培训需求 of the latest screening.
    pub training_needs: String,
}

/// A filter of [`list`] (a form, a query string, CLI flags).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct ListFilter {
    /// A township, village or settlement point inside the caller's area.
    pub area: Option<String>,
    /// Only households in this target state (`met`, `unmet`, `unscreened`, `no_labour`), or `misses`
    /// (unmet or unscreened: the households that miss the target).
    pub target: Option<String>,
    /// Only households whose quarter is in this state (`pending`, `overdue`, `done`, `done_late`).
    pub status: Option<String>,
    /// Only households with 就业需求 or 技能培训需求 (`true`): the list pushed to the county HR bureau.
    pub needs: Option<bool>,
    /// The quarter (`2026-Q2`; default this quarter).
    pub quarter: Option<String>,
}

/// The quarter of a filter or a form (default: the quarter of `today`).
pub fn quarter_of(s: Option<&str>, today: NaiveDate) -> Result<Quarter, Error> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Quarter::of(today)),
        Some(s) => shouwang_core::document::parse_quarter(s).ok_or_else(|| {
            Error::invalid(
                "季度格式应为 YYYY-Qn（如 2026-Q2）",
                "The quarter must be YYYY-Qn",
            )
        }),
    }
}

/// The latest screening of each household up to `quarter`, and the date of the one of `quarter`.
struct Screened {
    latest: HashMap<i64, (Screening, String)>,
    this: HashMap<i64, NaiveDate>,
}

async fn screened(
    db: &Db,
    caller: &Caller,
    area: Option<&str>,
    number: Option<&str>,
    quarter: Quarter,
) -> Result<Screened, Error> {
    let last = period_code(Period::Quarter(quarter));
    let mut out = Screened {
        latest: HashMap::new(),
        this: HashMap::new(),
    };
    for r in repo::register_records::list(db, &caller.scope, REGISTER, area, number, "0000", &last)
        .await?
    {
        let s: Screening = serde_json::from_value(r.body)
            .map_err(|e| Error::internal(format!("relocation screening {}: {e}", r.id)))?;
        if s.quarter == quarter {
            out.this.insert(r.household_id, s.screened_on);
        }
        // Rows come by period: the last one wins.
        out.latest.insert(r.household_id, (s, r.recorded_by));
    }
    Ok(out)
}

fn entry(s: &Subject, latest: Option<&Screening>, quarter: PeriodState, today: NaiveDate) -> Entry {
    let h = &s.household;
    Entry {
        number: h.number.clone(),
        village: s.village_code.clone(),
        township_name: s.names.township.clone(),
        village_name: s.names.village.clone(),
        head_name: h.head().map(|m| m.name.clone()).unwrap_or_default(),
        size: h.size(),
        labour: super::labour_of(h, today),
        quarter,
        target: relocation::target(h, today, latest),
        stable_workers: latest.map_or(0, Screening::stable_workers),
        employment_needs: latest
            .map(|s| s.employment_needs.clone())
            .unwrap_or_default(),
        training_needs: latest.map(|s| s.training_needs.clone()).unwrap_or_default(),
    }
}

async fn entries(
    db: &Db,
    caller: &Caller,
    area: Option<&str>,
    number: Option<&str>,
    quarter: Quarter,
    today: NaiveDate,
) -> Result<Vec<Entry>, Error> {
    let area = area.map(str::trim).filter(|a| !a.is_empty());
    if let Some(a) = area
        && shouwang_core::RegionCode::parse(a).is_err()
    {
        return Err(Error::invalid(
            format!("地区代码“{}”有误", a.chars().take(20).collect::<String>()),
            "Bad area code",
        ));
    }
    let all = repo::register_records::relocated_subjects(db, &caller.scope, area, number).await?;
    let Some(first) = all.first() else {
        return Ok(Vec::new());
    };
    let cadence = county_rules(db, &first.county_code).await?.cadence;
    let done = screened(db, caller, area, number, quarter).await?;
    Ok(all
        .iter()
        .map(|s| {
            let state = period_state(
                REGISTER,
                Period::Quarter(quarter),
                done.this.get(&s.household_id).copied(),
                &cadence,
                today,
            );
            entry(
                s,
                done.latest.get(&s.household_id).map(|(l, _)| l),
                state,
                today,
            )
        })
        .collect())
}

/// The relocated households of the caller's area on `today` (filtered), by settlement point and 户编号,
/// each with its labour force, the quarter's state and the target.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &ListFilter,
    today: NaiveDate,
) -> Result<Vec<Entry>, Error> {
    let quarter = quarter_of(filter.quarter.as_deref(), today)?;
    let misses = filter.target.as_deref().map(str::trim) == Some("misses");
    let target: Option<TargetState> = if misses {
        None
    } else {
        code_of("稳定就业目标", filter.target.as_deref())?
    };
    let status: Option<TaskStatus> = code_of("任务状态", filter.status.as_deref())?;
    let mut out = entries(db, caller, filter.area.as_deref(), None, quarter, today).await?;
    out.retain(|e| {
        (!misses || e.target.misses())
            && target.is_none_or(|t| t == e.target)
            && status.is_none_or(|s| s == e.quarter.status)
            && (filter.needs != Some(true)
                || !e.employment_needs.is_empty()
                || !e.training_needs.is_empty())
    });
    Ok(out)
}

/// A recorded screening.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningRow {
    /// Row id.
    pub id: i64,
    /// 排查人.
    pub recorded_by: String,
    /// The screening.
    pub screening: Screening,
}

/// A relocated household's page of the register: labour force, this quarter, target, its screenings
/// (newest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sheet {
    /// The household, this quarter and the target.
    pub entry: Entry,
    /// Its screenings, newest first.
    pub screenings: Vec<ScreeningRow>,
}

/// The relocated household `number` of the caller's area (`NotFound` outside the area or for a household
/// that is not relocated).
pub async fn show(
    db: &Db,
    caller: &Caller,
    number: &str,
    today: NaiveDate,
) -> Result<Sheet, Error> {
    let entry = entries(db, caller, None, Some(number), Quarter::of(today), today)
        .await?
        .into_iter()
        .next()
        .ok_or_else(Error::not_found)?;
    let mut screenings = Vec::new();
    for r in repo::register_records::list(
        db,
        &caller.scope,
        REGISTER,
        None,
        Some(&entry.number),
        "0000",
        "9999",
    )
    .await?
    {
        screenings.push(ScreeningRow {
            id: r.id,
            recorded_by: r.recorded_by,
            screening: serde_json::from_value(r.body)
                .map_err(|e| Error::internal(format!("relocation screening {}: {e}", r.id)))?,
        });
    }
    screenings.reverse();
    Ok(Sheet { entry, screenings })
}

/// A member's employment as a client sends it: the member by place in the household (see
/// [`Entry::labour`]).
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WorkerInput {
    /// The member's place in the household (0 = first).
    pub position: usize,
    /// 就业方式 (`stable_job`, `welfare_post`, `workshop`, `self_employed`, `flexible`, `unemployed`).
    pub job: Job,
    /// 务工地点 (`in_county`, `in_province`, `out_of_province`; none when not employed).
    #[serde(default)]
    pub place: Option<WorkPlace>,
    /// 就业单位或地点.
    #[serde(default)]
    pub employer: String,
    /// 就业起始日期.
    #[serde(default)]
    pub since: Option<NaiveDate>,
    /// 月收入（元）.
    #[serde(default)]
    pub monthly_income: Option<u32>,
}

/// A screening as a client sends it (the API's body, the page's form, the CLI's flags): the quarter is the
/// screening date's; the date defaults to today.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ScreeningInput {
    /// 排查日期 (default today).
    pub screened_on: Option<NaiveDate>,
    /// 劳动力就业情况.
    pub workers: Vec<WorkerInput>,
    /// 本季度家庭收入（元）.
    pub income: Option<u64>,
    /// 就业需求.
    pub employment_needs: String,
    /// 技能培训需求.
    pub training_needs: String,
    /// 后续扶持需求.
    pub support_needs: String,
    /// 发现的新风险 (风险类型 codes; a screening with one files a clue of channel 干部排查).
    pub new_risks: Vec<RiskType>,
}

impl ScreeningInput {
    /// The screening, dated `screened_on` or `today`, its workers named from `labour` (a position outside
    /// the labour force keeps an empty name, which the screening's checks refuse).
    pub fn screening(&self, labour: &[Labour], today: NaiveDate) -> Screening {
        let on = self.screened_on.unwrap_or(today);
        let mut new_risks = self.new_risks.clone();
        new_risks.sort();
        new_risks.dedup();
        Screening {
            quarter: Quarter::of(on),
            screened_on: on,
            workers: self
                .workers
                .iter()
                .map(|w| Worker {
                    position: w.position,
                    name: labour
                        .iter()
                        .find(|l| l.position == w.position)
                        .map(|l| l.name.clone())
                        .unwrap_or_default(),
                    job: w.job,
                    place: w.place,
                    employer: w.employer.trim().to_owned(),
                    since: w.since,
                    monthly_income: w.monthly_income,
                })
                .collect(),
            income: self.income,
            employment_needs: self.employment_needs.trim().to_owned(),
            training_needs: self.training_needs.trim().to_owned(),
            support_needs: self.support_needs.trim().to_owned(),
            new_risks,
        }
    }
}

/// What [`record_screening`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recorded {
    /// The screening's row id.
    pub id: i64,
    /// The household's target after it.
    pub target: TargetState,
    /// Where the new risks went (none: no new risk).
    pub filed: Option<Filed>,
}

/// Records the quarter's screening of relocated household `number` as `caller` (see the module doc).
/// Errors: `Forbidden` (a role that keeps no records, another village), `NotFound` (no such household, or
/// not relocated), `Invalid` (the screening's checks), `Conflict` (the quarter already screened).
pub async fn record_screening(
    db: &Db,
    caller: &Caller,
    number: &str,
    input: &ScreeningInput,
    today: NaiveDate,
) -> Result<Recorded, Error> {
    let (household_id, village) = super::target_for_write(db, caller, number).await?;
    let found =
        repo::register_records::relocated_subjects(db, &caller.scope, None, Some(number)).await?;
    let subject = found.first().ok_or_else(|| {
        Error::invalid(
            "该户不是易地扶贫搬迁户",
            "The household is not a relocated household",
        )
    })?;
    let on = input.screened_on.unwrap_or(today);
    let labour = super::labour_of(&subject.household, on);
    let screening = input.screening(&labour, today);
    screening.validate(&subject.household, today)?;
    let number = subject.household.number.as_str();
    let rules = county_rules(db, &caller.county()?).await?;
    let body = serde_json::to_value(&screening).map_err(Error::internal)?;
    let tx = db.begin_write().await?;
    let id = super::insert_record_on(
        &tx,
        caller,
        REGISTER,
        (household_id, number),
        &village,
        Period::Quarter(screening.quarter),
        screening.screened_on,
        body,
    )
    .await?;
    let filed = super::file_new_risks_on(
        &tx,
        caller,
        number,
        &screening.new_risks,
        format!("{}搬迁户排查", screening.quarter.label_zh()),
        screening.screened_on,
        rules.clue,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Recorded {
        id,
        target: relocation::target(&subject.household, today, Some(&screening)),
        filed,
    })
}

/// For the calendar: the relocated households of `village` (none: the village has no task) and those
/// without a screening of `quarter`, with the latest screening's date of that quarter.
pub async fn outstanding(
    db: &Db,
    caller: &Caller,
    village: &str,
    quarter: Quarter,
    today: NaiveDate,
) -> Result<(u64, u64, Option<NaiveDate>), Error> {
    let rows = entries(db, caller, Some(village), None, quarter, today).await?;
    let missing = rows
        .iter()
        .filter(|e| e.quarter.recorded_on.is_none())
        .count() as u64;
    let latest = rows.iter().filter_map(|e| e.quarter.recorded_on).max();
    Ok((rows.len() as u64, missing, latest))
}

/// The register's figures for the dashboard (数据看板): the target and the quarter's screening.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// 搬迁户.
    pub households: u64,
    /// 有劳动力的搬迁户: the target's base.
    pub with_labour: u64,
    /// Of them, at least one member in stable employment.
    pub met: u64,
    /// Of them, missing the target (nobody in stable employment, or not screened yet).
    pub missing: u64,
    /// met / with_labour in per cent (100 with no household with labour).
    pub rate_percent: f64,
    /// The quarter counted.
    pub quarter: Quarter,
    /// Screened this quarter.
    pub screened: u64,
    /// Past due without a screening.
    pub overdue: u64,
}

/// The figures of the caller's area for the quarter of `today`.
pub async fn figures(db: &Db, caller: &Caller, today: NaiveDate) -> Result<Figures, Error> {
    let rows = list(db, caller, &ListFilter::default(), today).await?;
    let count = |f: &dyn Fn(&Entry) -> bool| rows.iter().filter(|e| f(e)).count() as u64;
    let with_labour = count(&|e| e.target != TargetState::NoLabour);
    let met = count(&|e| e.target == TargetState::Met);
    Ok(Figures {
        households: rows.len() as u64,
        with_labour,
        met,
        missing: count(&|e| e.target.misses()),
        rate_percent: if with_labour == 0 {
            100.0
        } else {
            (met as f64 * 1000.0 / with_labour as f64).round() / 10.0
        },
        quarter: Quarter::of(today),
        screened: count(&|e| e.quarter.recorded_on.is_some()),
        overdue: count(&|e| e.quarter.status == TaskStatus::Overdue),
    })
}
