//! 三保障和饮水安全问题排查 (A6, §三(四)2): the quarterly campaign's use cases — the coverage of every village
//! of the caller's area in a quarter (checked households against all, the missing ones listed, the task's
//! state: [`coverage`]), a household's sheet with the county's checklist ([`show`]) and its check
//! ([`record_check`]: one per household and quarter, 409 on a second, 403 in another village, 404 for no
//! such household); each item with a problem is written to the 问题台账 by the problem ledger's own
//! function (`problems::insert_and_file_on`, which files one clue of channel 干部排查 for the household's
//! 三保障 risks) in the same transaction. The calendar's task counts the households not yet checked
//! ([`outstanding`]); the 排查台账 is exported by `ledgers::export` (`campaign`). The rules are the core's
//! (`shouwang_core::register::campaign`), the checklist the county's (`CountyRules::campaign`). Each
//! township's 年度工作方案 (§三(四)1: targets, measures, mechanism, dates) is kept beside it ([`plans`],
//! [`save_plan`]).

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use shouwang_core::RegionCode;
use shouwang_core::monitoring::calendar::{Period, Quarter};
use shouwang_core::monitoring::{NewProblem, Problem, ResponsibleUnit};
use shouwang_core::register::RegisterKind;
use shouwang_core::register::campaign::{Check, ChecklistItem, Coverage};
use shouwang_core::register::plan::{PLAN_ROLES, YearPlan};
use shouwang_store::repo;
use shouwang_store::repo::campaign_plans::PlanRow;
use shouwang_store::{Db, StoreError};

use super::{PeriodState, Subject, period_code, period_state};
use crate::caller::Caller;
use crate::error::Error;
use crate::lifecycle::{Filed, county_rules};

const REGISTER: RegisterKind = RegisterKind::Campaign;

/// Days from the check to a problem's 整改时限 when the visitor names none.
pub const DEFAULT_DEADLINE_DAYS: i64 = 30;

pub use super::relocation::quarter_of;

/// A household not yet checked in the quarter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unchecked {
    /// 户编号.
    pub number: String,
    /// 户主姓名.
    pub head_name: String,
}

/// A village's coverage 排查覆盖 in the quarter.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageCoverage {
    /// 行政村 code.
    pub village: String,
    /// 乡镇 name.
    pub township_name: String,
    /// 行政村 name.
    pub village_name: String,
    /// Checked against all households.
    pub coverage: Coverage,
    /// checked / households in per cent.
    pub percent: f64,
    /// Problems the quarter's checks found.
    pub problems: u64,
    /// The task's due date and state (done once every household is checked).
    pub state: PeriodState,
    /// The households not yet checked (未排查), by 户编号.
    pub missing: Vec<Unchecked>,
}

/// A filter of [`coverage`] (a query string, CLI flags).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct CoverageQuery {
    /// A township or village inside the caller's area.
    pub area: Option<String>,
    /// The quarter (`2026-Q4`; default this quarter).
    pub quarter: Option<String>,
}

/// The checks of `quarter` in the caller's area (narrowed to `area`; only `number` when given), by
/// household row id, with their recorder.
async fn checks_of(
    db: &Db,
    caller: &Caller,
    area: Option<&str>,
    number: Option<&str>,
    first: Quarter,
    last: Quarter,
) -> Result<Vec<(i64, Check, String)>, Error> {
    let (first, last) = (
        period_code(Period::Quarter(first)),
        period_code(Period::Quarter(last)),
    );
    let mut out = Vec::new();
    for r in repo::register_records::list(db, &caller.scope, REGISTER, area, number, &first, &last)
        .await?
    {
        let c: Check = serde_json::from_value(r.body)
            .map_err(|e| Error::internal(format!("campaign check {}: {e}", r.id)))?;
        out.push((r.household_id, c, r.recorded_by));
    }
    Ok(out)
}

fn head_name(s: &Subject) -> String {
    s.household
        .head()
        .map(|m| m.name.clone())
        .unwrap_or_default()
}

/// The coverage of every village of the caller's area (narrowed to `area`) with households, in the
/// quarter `quarter` (`2026-Q4`; default the quarter of `today`), by village code.
pub async fn coverage(
    db: &Db,
    caller: &Caller,
    area: Option<&str>,
    quarter: Option<&str>,
    today: NaiveDate,
) -> Result<Vec<VillageCoverage>, Error> {
    super::require_registry_reader(caller)?;
    let quarter = quarter_of(quarter, today)?;
    let subjects = super::subjects(db, caller, area, None).await?;
    let Some(first) = subjects.first() else {
        return Ok(Vec::new());
    };
    let cadence = county_rules(db, &first.county_code).await?.cadence;
    let area = area.map(str::trim).filter(|a| !a.is_empty());
    let checks = checks_of(db, caller, area, None, quarter, quarter).await?;
    Ok(village_coverage(
        &subjects, &checks, quarter, &cadence, today,
    ))
}

/// The coverage of the villages of `subjects` given the quarter's `checks`.
fn village_coverage(
    subjects: &[Subject],
    checks: &[(i64, Check, String)],
    quarter: Quarter,
    cadence: &shouwang_core::monitoring::CadenceRules,
    today: NaiveDate,
) -> Vec<VillageCoverage> {
    let done: HashMap<i64, &Check> = checks.iter().map(|(id, c, _)| (*id, c)).collect();
    let mut by_village: BTreeMap<&str, Vec<&Subject>> = BTreeMap::new();
    for s in subjects {
        by_village.entry(&s.village_code).or_default().push(s);
    }
    by_village
        .into_iter()
        .map(|(village, ss)| {
            let checked: Vec<&Check> = ss
                .iter()
                .filter_map(|s| done.get(&s.household_id).copied())
                .collect();
            let coverage = Coverage {
                households: ss.len() as u64,
                checked: checked.len() as u64,
            };
            let latest = checked.iter().map(|c| c.checked_on).max();
            let recorded_on = coverage.complete().then_some(latest).flatten();
            VillageCoverage {
                village: village.to_owned(),
                township_name: ss[0].names.township.clone(),
                village_name: ss[0].names.village.clone(),
                coverage,
                percent: coverage.percent(),
                problems: checked.iter().map(|c| c.problems().count() as u64).sum(),
                state: period_state(
                    REGISTER,
                    Period::Quarter(quarter),
                    recorded_on,
                    cadence,
                    today,
                ),
                missing: ss
                    .iter()
                    .filter(|s| !done.contains_key(&s.household_id))
                    .map(|s| Unchecked {
                        number: s.household.number.clone(),
                        head_name: head_name(s),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// A recorded check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckRow {
    /// 排查人.
    pub recorded_by: String,
    /// The check.
    pub check: Check,
}

/// A household's page of the campaign: the quarter's state, the checklist to answer, its checks (newest
/// first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sheet {
    /// 户编号.
    pub number: String,
    /// 行政村 code.
    pub village: String,
    /// 乡镇 name.
    pub township_name: String,
    /// 行政村 name.
    pub village_name: String,
    /// 户主姓名.
    pub head_name: String,
    /// 家庭人口.
    pub size: usize,
    /// This quarter: due date, date checked, state.
    pub quarter: PeriodState,
    /// The county's checklist, items switched on, in order.
    pub checklist: Vec<ChecklistItem>,
    /// Its checks, newest first.
    pub checks: Vec<CheckRow>,
    /// What the registry already shows for items of the checklist (pre-filled on the form; the visitor
    /// confirms or corrects it).
    pub known: Vec<shouwang_core::register::campaign::KnownProblem>,
}

/// Household `number` of the caller's area on `today` (`NotFound` outside the area).
pub async fn show(
    db: &Db,
    caller: &Caller,
    number: &str,
    today: NaiveDate,
) -> Result<Sheet, Error> {
    super::require_registry_reader(caller)?;
    let s = super::subjects(db, caller, None, Some(number.trim()))
        .await?
        .into_iter()
        .next()
        .ok_or_else(Error::not_found)?;
    let rules = county_rules(db, &s.county_code).await?;
    let q = Quarter::of(today);
    let mut checks: Vec<CheckRow> = checks_of(
        db,
        caller,
        None,
        Some(&s.household.number),
        Quarter { year: 0, q: 1 },
        q,
    )
    .await?
    .into_iter()
    .map(|(_, check, recorded_by)| CheckRow { recorded_by, check })
    .collect();
    checks.reverse();
    let this = checks
        .iter()
        .find(|c| c.check.quarter == q)
        .map(|c| c.check.checked_on);
    Ok(Sheet {
        number: s.household.number.clone(),
        village: s.village_code.clone(),
        township_name: s.names.township.clone(),
        village_name: s.names.village.clone(),
        head_name: head_name(&s),
        size: s.household.size(),
        quarter: period_state(REGISTER, Period::Quarter(q), this, &rules.cadence, today),
        checklist: rules.campaign.enabled().cloned().collect(),
        known: shouwang_core::register::campaign::known_problems(
            &rules.campaign,
            &s.household,
            today,
        ),
        checks,
    })
}

/// One item's answer as a client sends it.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// The item's code (see [`Sheet::checklist`]).
    pub code: String,
    /// 有问题 (true) or 无问题 (false).
    pub problem: bool,
    /// 发现的问题 (required with a problem).
    #[serde(default)]
    pub found: String,
}

/// A check as a client sends it (the API's body, the page's form, the CLI's flags): the quarter is the
/// check's date's; the date defaults to today; every item of the checklist switched on is answered.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct CheckInput {
    /// 排查日期 (default today).
    pub checked_on: Option<NaiveDate>,
    /// One answer per item.
    pub answers: Vec<AnswerInput>,
    /// 整改时限 of the problems found (default 30 days after the check).
    pub deadline: Option<NaiveDate>,
}

/// What [`record_check`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recorded {
    /// The check's row id.
    pub id: i64,
    /// The 问题台账 numbers of the problems it filed.
    pub problems: Vec<i64>,
    /// Where the household's 三保障 risks went (none: no problem, or already reported this quarter).
    pub filed: Option<Filed>,
}

/// Records the quarter's check of household `number` as `caller` (see the module doc). Errors:
/// `Forbidden` (a role that keeps no records, another village), `NotFound` (no such household),
/// `Invalid` (the check's rules), `Conflict` (the household already checked this quarter).
pub async fn record_check(
    db: &Db,
    caller: &Caller,
    number: &str,
    input: &CheckInput,
    today: NaiveDate,
) -> Result<Recorded, Error> {
    let number = number.trim();
    let (household_id, village) = super::target_for_write(db, caller, number).await?;
    let rules = county_rules(db, &caller.county()?).await?;
    let on = input.checked_on.unwrap_or(today);
    let answers: Vec<(String, Option<String>)> = input
        .answers
        .iter()
        .map(|a| (a.code.trim().to_owned(), a.problem.then(|| a.found.clone())))
        .collect();
    if let Some(unknown) = answers
        .iter()
        .find(|(c, _)| rules.campaign.item(c).is_none_or(|i| !i.enabled))
    {
        return Err(Error::invalid(
            format!(
                "排查事项“{}”不在本县排查清单内",
                unknown.0.chars().take(40).collect::<String>()
            ),
            "The item is not on the county's checklist",
        ));
    }
    if let Some(missing) = rules
        .campaign
        .enabled()
        .find(|i| !answers.iter().any(|(c, _)| *c == i.code))
    {
        return Err(Error::invalid(
            format!("请填写排查事项“{}”", missing.label),
            format!("Item {} is not answered", missing.code),
        ));
    }
    let mut check = Check::new(&rules.campaign, on, &answers);
    check.validate(&rules.campaign, today)?;
    let deadline = input
        .deadline
        .unwrap_or(on + Duration::days(DEFAULT_DEADLINE_DAYS));
    let village_code = RegionCode::parse(&village).map_err(|e| Error::internal(e.to_string()))?;
    let by = caller.by();
    let problems: Vec<Problem> = check
        .problems()
        .map(|r| {
            Problem::find(
                NewProblem {
                    village: village_code.clone(),
                    household: Some(number.to_owned()),
                    sector: r.sector,
                    found: format!("{}：{}", r.label, r.found),
                    unit: ResponsibleUnit::default_for(r.sector),
                    deadline,
                },
                &by,
                on,
            )
        })
        .collect::<Result<_, _>>()?;
    let already = checks_of(db, caller, None, Some(number), check.quarter, check.quarter).await?;
    if !already.is_empty() {
        return Err(Error::conflict(
            format!("本户{}已排查，不能重复登记", check.quarter.label_zh()),
            "The household is already checked this quarter",
        ));
    }
    let tx = db.begin_write().await?;
    let (rows, filed) =
        crate::problems::insert_and_file_on(&tx, caller, &problems, on, rules.clue).await?;
    check.problem_ids = rows.iter().map(|r| r.id).collect();
    let body = serde_json::to_value(&check).map_err(Error::internal)?;
    let id = super::insert_record_on(
        &tx,
        caller,
        REGISTER,
        (household_id, number),
        &village,
        Period::Quarter(check.quarter),
        on,
        body,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Recorded {
        id,
        problems: check.problem_ids,
        filed,
    })
}

/// For the calendar: the households of `village` among `subjects` (all of the village), and those not
/// checked in `quarter`, with the latest check's date of that quarter.
pub async fn outstanding(
    db: &Db,
    caller: &Caller,
    village: &str,
    subjects: &[Subject],
    quarter: Quarter,
) -> Result<(u64, u64, Option<NaiveDate>), Error> {
    let checks = checks_of(db, caller, Some(village), None, quarter, quarter).await?;
    let total = subjects.len() as u64;
    let checked = subjects
        .iter()
        .filter(|s| checks.iter().any(|(id, _, _)| *id == s.household_id))
        .count() as u64;
    let latest = checks.iter().map(|(_, c, _)| c.checked_on).max();
    Ok((total, total - checked, latest))
}

/// A township's 年度工作方案 as the pages and the API show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanView {
    /// 乡镇 code.
    pub township: String,
    /// Version for the next save (乐观锁).
    pub version: i64,
    /// Who saved it last.
    pub updated_by: String,
    /// When (UTC, RFC 3339).
    pub updated_at: String,
    /// The plan.
    pub plan: YearPlan,
}

impl From<PlanRow> for PlanView {
    fn from(r: PlanRow) -> PlanView {
        PlanView {
            township: r.township,
            version: r.version,
            updated_by: r.updated_by,
            updated_at: r.updated_at.to_rfc3339(),
            plan: r.plan,
        }
    }
}

/// The 年度工作方案 of `year` (default the year of `today`) of the caller's area — a county's townships,
/// or the township that holds a township's or village's area — by township.
pub async fn plans(
    db: &Db,
    caller: &Caller,
    year: Option<i32>,
    today: NaiveDate,
) -> Result<Vec<PlanView>, Error> {
    super::require_registry_reader(caller)?;
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&today));
    Ok(repo::campaign_plans::list(db, &caller.scope, None, year)
        .await?
        .into_iter()
        .map(PlanView::from)
        .collect())
}

/// A plan as a client saves it, with the version it was read at (0: a new one).
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanInput {
    /// The version read (乐观锁; 0 for a township's first plan of the year).
    pub version: i64,
    /// The plan.
    pub plan: YearPlan,
}

/// Saves township `township`'s plan (§三(四)1) as `caller`: a township admin its own township's, a county
/// admin any of the county's. Errors: `Forbidden` (another role, another township), `Invalid` (the plan's
/// rules: blank targets or measures, dates outside the year …), `StaleVersion` (saved meanwhile).
pub async fn save_plan(
    db: &Db,
    caller: &Caller,
    township: &str,
    input: &PlanInput,
) -> Result<PlanView, Error> {
    if !PLAN_ROLES.contains(&caller.scope.role) {
        return Err(Error::role_not_allowed(
            "只有乡镇管理员和县级管理员可以制定年度工作方案",
            "Only the township or county admin may enter the yearly plan",
        ));
    }
    let mut plan = input.plan.clone();
    for t in [
        &mut plan.title,
        &mut plan.targets,
        &mut plan.measures,
        &mut plan.mechanism,
    ] {
        *t = t.trim().to_owned();
    }
    plan.validate()?;
    Ok(repo::campaign_plans::save(
        db,
        &caller.actor(),
        &caller.scope,
        township,
        &plan,
        input.version,
    )
    .await?
    .into())
}
