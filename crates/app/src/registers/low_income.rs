//! 农村低收入人口常态化帮扶 (A4, §三(二)): the register's use cases — who is in scope and why ([`list`],
//! [`show`]), the monthly visit ([`record_visit`]: one per household and month, 409 on a second, 403 in
//! another village; a new risk found files a clue of channel 干部排查 through the lifecycle's one function),
//! the calendar's count of households not yet visited ([`outstanding`]) and the dashboard's figures
//! ([`figures`]). The 低收入人口台账 is exported by `ledgers::export` (`low_income`).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use shouwang_core::household::Household;
use shouwang_core::monitoring::calendar::{Period, TaskStatus, YearMonth};
use shouwang_core::register::RegisterKind;
use shouwang_core::register::classified_help::{self, Application, AssistanceKind};
use shouwang_core::register::low_income::{
    self, CaseFacts, Category, LowIncomeRules, Reason, Visit,
};
use shouwang_store::repo;
use shouwang_store::{Db, StoreError};

use super::{PeriodState, Subject, code_of, period_code, period_state, subjects};
use crate::caller::Caller;
use crate::error::Error;
use crate::lifecycle::{Filed, county_rules};

const REGISTER: RegisterKind = RegisterKind::LowIncome;

/// A household of the register with why it is in scope and the state of the month asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
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
    /// Why it is in scope (rule and member); empty: not in scope.
    pub reasons: Vec<Reason>,
    /// 控辍保学: members of compulsory-school age without school status.
    pub dropout_watch: Vec<String>,
    /// The month's visit: due date, date visited, state.
    pub month: PeriodState,
}

/// A filter of [`list`] (a form, a query string, CLI flags).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct ListFilter {
    /// A township or village inside the caller's area.
    pub area: Option<String>,
    /// Only households of this category (code, e.g. `dibao`).
    pub category: Option<String>,
    /// Only households whose month is in this state (`pending`, `overdue`, `done`, `done_late`).
    pub status: Option<String>,
    /// The month (`2026-06`; default this month).
    pub month: Option<String>,
}

pub use super::month_of;

async fn rules_of(
    db: &Db,
    subjects: &[Subject],
) -> Result<(LowIncomeRules, shouwang_core::monitoring::CadenceRules), Error> {
    match subjects.first() {
        Some(s) => {
            let r = county_rules(db, &s.county_code).await?;
            Ok((r.low_income, r.cadence))
        }
        None => Ok(Default::default()),
    }
}

fn entry(s: &Subject, reasons: Vec<Reason>, month: PeriodState, today: NaiveDate) -> Entry {
    let h = &s.household;
    Entry {
        number: h.number.clone(),
        village: s.village_code.clone(),
        township_name: s.names.township.clone(),
        village_name: s.names.village.clone(),
        head_name: h.head().map(|m| m.name.clone()).unwrap_or_default(),
        size: h.size(),
        dropout_watch: low_income::dropout_watch(h, today),
        reasons,
        month,
    }
}

/// The households in scope in the caller's area on `today` (filtered), by village and 户编号, each with
/// its reasons and the state of the month's visit.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &ListFilter,
    today: NaiveDate,
) -> Result<Vec<Entry>, Error> {
    let month = month_of(filter.month.as_deref(), today)?;
    let category: Option<Category> = code_of("低收入人口类别", filter.category.as_deref())?;
    let status: Option<TaskStatus> = code_of("任务状态", filter.status.as_deref())?;
    let area = filter.area.as_deref();
    let all = subjects(db, caller, area, None).await?;
    let (rules, cadence) = rules_of(db, &all).await?;
    let visited = visits_of_month(db, caller, area, month).await?;
    let mut out = Vec::new();
    for s in &all {
        let reasons = low_income::reasons(
            &s.household,
            CaseFacts::of(s.lifecycle, s.monitored_type),
            today,
            &rules,
        );
        if reasons.is_empty() || category.is_some_and(|c| !reasons.iter().any(|r| r.category == c))
        {
            continue;
        }
        let state = period_state(
            REGISTER,
            Period::Month(month),
            visited.get(&s.household_id).copied(),
            &cadence,
            today,
        );
        if status.is_some_and(|st| st != state.status) {
            continue;
        }
        out.push(entry(s, reasons, state, today));
    }
    Ok(out)
}

async fn visits_of_month(
    db: &Db,
    caller: &Caller,
    area: Option<&str>,
    month: YearMonth,
) -> Result<HashMap<i64, NaiveDate>, Error> {
    let p = period_code(Period::Month(month));
    Ok(
        repo::register_records::list(db, &caller.scope, REGISTER, area, None, &p, &p)
            .await?
            .into_iter()
            .map(|r| (r.household_id, r.recorded_on))
            .collect(),
    )
}

/// A recorded visit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitRow {
    /// Row id.
    pub id: i64,
    /// 走访人.
    pub recorded_by: String,
    /// The visit.
    pub visit: Visit,
}

/// A household's page of the register: why it is in scope, this month, its visits (newest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sheet {
    /// The household and this month.
    pub entry: Entry,
    /// Its visits, newest first.
    pub visits: Vec<VisitRow>,
    /// Its members cared for by a 公益岗位 在岗 (§三(二) "两无"老人看护): who and by which post.
    pub cared_by: Vec<CaredBy>,
    /// 分类帮扶: where its applications for 低保 and 特困 stand, as its latest visits found them.
    pub applications: Vec<Application>,
    /// The kinds it appears eligible for and does not receive (a hint to check and apply, §三(二)3).
    pub suggested: Vec<AssistanceKind>,
}

/// A member cared for by a public-welfare post (由公益岗位 X 看护).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaredBy {
    /// 姓名.
    pub member: String,
    /// 公益岗位名称.
    pub post: String,
}

/// The household `number` of the caller's area in the register (`NotFound` outside the area; a
/// household out of scope answers with no reasons).
pub async fn show(
    db: &Db,
    caller: &Caller,
    number: &str,
    today: NaiveDate,
) -> Result<Sheet, Error> {
    Ok(sheet_of(db, caller, number, today).await?.0)
}

/// [`show`] with the household as the registry holds it.
async fn sheet_of(
    db: &Db,
    caller: &Caller,
    number: &str,
    today: NaiveDate,
) -> Result<(Sheet, Household), Error> {
    let found = subjects(db, caller, None, Some(number)).await?;
    let s = found.first().ok_or_else(Error::not_found)?;
    let (rules, cadence) = rules_of(db, &found).await?;
    let reasons = low_income::reasons(
        &s.household,
        CaseFacts::of(s.lifecycle, s.monitored_type),
        today,
        &rules,
    );
    let mut visits = Vec::new();
    for r in repo::register_records::list(
        db,
        &caller.scope,
        REGISTER,
        None,
        Some(&s.household.number),
        "0000",
        "9999",
    )
    .await?
    {
        visits.push(VisitRow {
            id: r.id,
            recorded_by: r.recorded_by,
            visit: serde_json::from_value(r.body)
                .map_err(|e| Error::internal(format!("low-income visit {}: {e}", r.id)))?,
        });
    }
    visits.reverse();
    let month = YearMonth::of(today);
    let this = visits
        .iter()
        .find(|v| v.visit.month == month)
        .map(|v| v.visit.visited_on);
    let state = period_state(REGISTER, Period::Month(month), this, &cadence, today);
    let care = repo::welfare_posts::caring_for(db, &caller.scope, s.household_id).await?;
    let mut cared_by = Vec::new();
    if !care.is_empty() {
        let ids: Vec<i64> = care.iter().map(|(_, m)| *m).collect();
        let people = repo::welfare_posts::people(db, &s.county_code, &ids).await?;
        for (post, m) in care {
            cared_by.push(CaredBy {
                member: people.get(&m).map(|p| p.name.clone()).unwrap_or_default(),
                post,
            });
        }
    }
    let applications =
        classified_help::latest(visits.iter().rev().map(|v| v.visit.applications.as_slice()));
    let sheet = Sheet {
        suggested: classified_help::suggestions(&s.household, &reasons),
        applications,
        entry: entry(s, reasons, state, today),
        visits,
        cared_by,
    };
    Ok((sheet, s.household.clone()))
}

/// A visit as a client sends it (the API's body, the page's form, the CLI's flags): the month is the
/// visit's; the date defaults to today.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct VisitInput {
    /// 走访日期 (default today).
    pub visited_on: Option<NaiveDate>,
    /// 家庭需求.
    pub needs: String,
    /// 已享受政策 (codes: `dibao`, `tekun`, `temporary_relief`, `medical_aid`, `education_aid`,
    /// `disability_subsidies`, `pension_paid`, `welfare_post`).
    pub policies: Vec<low_income::Policy>,
    /// 存在困难.
    pub difficulties: String,
    /// 帮扶措施.
    pub help: String,
    /// 下一步打算.
    pub next_step: String,
    /// 发现的新风险 (风险类型 codes; each visit with one files a clue of channel 干部排查).
    pub new_risks: Vec<shouwang_core::codes::RiskType>,
    /// 分类帮扶: where the household's applications for 低保 / 特困 stand (`{"kind": "dibao", "status":
    /// "applying" | "granted" | "refused"}`).
    pub applications: Vec<Application>,
}

impl VisitInput {
    /// The visit, dated `visited_on` or `today`.
    pub fn visit(&self, today: NaiveDate) -> Visit {
        let on = self.visited_on.unwrap_or(today);
        let mut policies = self.policies.clone();
        policies.sort();
        policies.dedup();
        let mut new_risks = self.new_risks.clone();
        new_risks.sort();
        new_risks.dedup();
        Visit {
            month: YearMonth::of(on),
            visited_on: on,
            needs: self.needs.trim().to_owned(),
            policies,
            difficulties: self.difficulties.trim().to_owned(),
            help: self.help.trim().to_owned(),
            next_step: self.next_step.trim().to_owned(),
            new_risks,
            applications: self.applications.clone(),
        }
    }
}

/// What [`record_visit`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recorded {
    /// The visit's row id.
    pub id: i64,
    /// Where the new risks went (none: no new risk).
    pub filed: Option<Filed>,
    /// 控辍保学: the 问题台账 number of the 义务教育 problem filed for a child of compulsory-school age not in
    /// school (none: no such child, one already open, or a grid member's visit).
    pub dropout_problem: Option<i64>,
}

/// Records the month's visit of household `number` as `caller` (see the module doc). Errors: `Forbidden`
/// (a role that keeps no visits, another village), `NotFound` (no such household), `Invalid` (the visit's
/// checks, a household out of scope), `Conflict` (the month already visited).
pub async fn record_visit(
    db: &Db,
    caller: &Caller,
    number: &str,
    visit: &Visit,
    today: NaiveDate,
) -> Result<Recorded, Error> {
    // A grid member 网格员 visits its grid's households (网格化管理, §四(六)); the others by role and area.
    let (household_id, village) = if caller.scope.grid().is_some() {
        super::grid_target(db, caller, number).await?
    } else {
        super::target_for_write(db, caller, number).await?
    };
    visit.validate(today)?;
    let (sheet, household) = sheet_of(db, caller, number, today).await?;
    if sheet.entry.reasons.is_empty() {
        return Err(Error::invalid(
            "该户不在低收入人口范围内",
            "The household is not in the low-income register",
        ));
    }
    let number = sheet.entry.number.as_str();
    let rules = county_rules(db, &caller.county()?).await?;
    let body = serde_json::to_value(visit).map_err(Error::internal)?;
    let tx = db.begin_write().await?;
    let id = super::insert_record_on(
        &tx,
        caller,
        REGISTER,
        (household_id, number),
        &village,
        Period::Month(visit.month),
        visit.visited_on,
        body,
    )
    .await?;
    let filed = super::file_new_risks_on(
        &tx,
        caller,
        number,
        &visit.new_risks,
        format!("{}低收入人口走访", visit.month.label_zh()),
        visit.visited_on,
        rules.clue,
    )
    .await?;
    let dropout_problem =
        dropout_problem_on(&tx, caller, &sheet, &household, visit, rules.clue).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Recorded {
        id,
        filed,
        dropout_problem,
    })
}

/// 控辍保学 (§三(二)3): a child of the household of compulsory-school age not in school, found at the visit,
/// becomes a 义务教育 problem of the 问题台账 to close (the one function of the ledger, which files the
/// household's clue), unless one is open already. A grid member finds no problems (the core's roles): its
/// visit files none.
async fn dropout_problem_on(
    tx: &sea_orm::DatabaseTransaction,
    caller: &Caller,
    sheet: &Sheet,
    household: &Household,
    visit: &Visit,
    clue: shouwang_core::monitoring::ClueRules,
) -> Result<Option<i64>, Error> {
    use shouwang_core::codes::Guarantee;
    use shouwang_core::monitoring::problem::{FIND_ROLES, Problem};
    if !FIND_ROLES.contains(&caller.scope.role) || sheet.entry.dropout_watch.is_empty() {
        return Ok(None);
    }
    let county = caller.county()?;
    let open = repo::problems::open_blockers(tx, &county, &sheet.entry.number).await?;
    if open
        .iter()
        .any(|b| b.sector == Guarantee::CompulsoryEducation)
    {
        return Ok(None);
    }
    let Some(what) = low_income::dropout_problem(household, visit.visited_on) else {
        return Ok(None);
    };
    let problem = Problem::find(what, &caller.by(), visit.visited_on)?;
    let (rows, _) =
        crate::problems::insert_and_file_on(tx, caller, &[problem], visit.visited_on, clue).await?;
    Ok(rows.first().map(|r| r.id))
}

/// The households of a village's `subjects` ([`subjects`], read once for the months of a calendar and
/// every register's task) in the register's scope (their ids) ([`outstanding`]).
pub async fn in_scope(db: &Db, all: &[Subject], today: NaiveDate) -> Result<Vec<i64>, Error> {
    let (rules, _) = rules_of(db, all).await?;
    Ok(all
        .iter()
        .filter(|s| {
            !low_income::reasons(
                &s.household,
                CaseFacts::of(s.lifecycle, s.monitored_type),
                today,
                &rules,
            )
            .is_empty()
        })
        .map(|s| s.household_id)
        .collect())
}

/// How many of the households `in_scope` of `village` ([`in_scope`]) lack month `month`'s visit, and
/// the latest visit of the month among them: one statement.
pub async fn outstanding(
    db: &Db,
    caller: &Caller,
    village: &str,
    in_scope: &[i64],
    month: YearMonth,
) -> Result<(u64, Option<NaiveDate>), Error> {
    let visited = visits_of_month(db, caller, Some(village), month).await?;
    let missing = in_scope
        .iter()
        .filter(|id| !visited.contains_key(id))
        .count() as u64;
    let latest = in_scope
        .iter()
        .filter_map(|id| visited.get(id))
        .max()
        .copied();
    Ok((missing, latest))
}

/// One category's count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryCount {
    /// The category.
    pub category: Category,
    /// Households with it.
    pub households: u64,
}

/// The register's figures for the dashboard (数据看板).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// 低收入人口 households in scope.
    pub households: u64,
    /// By category (a household counts in each of its categories).
    pub by_category: Vec<CategoryCount>,
    /// The month counted.
    pub month: YearMonth,
    /// Visited this month.
    pub visited: u64,
    /// Past due without a visit.
    pub overdue: u64,
}

/// The figures of the caller's area for the month of `today`.
pub async fn figures(db: &Db, caller: &Caller, today: NaiveDate) -> Result<Figures, Error> {
    let rows = list(db, caller, &ListFilter::default(), today).await?;
    let by_category = Category::ALL
        .iter()
        .map(|c| CategoryCount {
            category: *c,
            households: rows
                .iter()
                .filter(|e| e.reasons.iter().any(|r| r.category == *c))
                .count() as u64,
        })
        .collect();
    Ok(Figures {
        households: rows.len() as u64,
        by_category,
        month: YearMonth::of(today),
        visited: rows
            .iter()
            .filter(|e| e.month.recorded_on.is_some())
            .count() as u64,
        overdue: rows
            .iter()
            .filter(|e| e.month.status == TaskStatus::Overdue)
            .count() as u64,
    })
}
