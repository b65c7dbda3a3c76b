//! Exit pre-judgment 定期预判 and nomination 预判提名 from the registry's facts.

use chrono::{Datelike, NaiveDate};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use shouwang_core::monitoring::{
    self as core_m, CaseAction, ExitBlocker, ExitRules, Lifecycle, PreJudgment,
};
use shouwang_core::{CodeList, Fen, Household, IncomeRecord, Scope};

use super::rows::{case_record, case_row};
use super::writes::apply;
use super::{CaseRecord, CaseRow, push_current};
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::repo::area::effective_area;
use crate::repo::{Actor, Sql, households, lines, problems};

/// What the exit pre-judgment reads from the registry besides the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExitInputs {
    /// The household now (labour, 低保/特困/disability).
    pub household: Household,
    /// The latest income record (with rigid expenditure), if any.
    pub latest_income: Option<IncomeRecord>,
    /// The monitoring line of the province (per capita): the year's, or while the county has not set it,
    /// the latest year's before it.
    pub line: Fen,
    /// The year of [`ExitInputs::line`].
    pub line_year: i32,
    /// The household's open problems of the problem ledger ([`problems::open_blockers`]).
    pub open_problems: Vec<ExitBlocker>,
}

/// The line for `area` (a county or village code; a province's 2 digits for its own line) in `year`, or of
/// the latest year before it that has one (a new year's line is set some weeks into the year; the work
/// goes on meanwhile, saying which year's line it used): the county's own where its province allows it,
/// else the province's ([`LineTable::in_force`](shouwang_core::LineTable::in_force)). `Invalid` when
/// there is no line at all up to `year`.
pub async fn line_in_force(db: &Db, area: &str, year: i32) -> Result<(Fen, i32)> {
    let table = lines::table(db).await?;
    let province = area.get(..2).unwrap_or(area);
    table
        .in_force(area, year)
        .map(|l| (l.line, l.year))
        .ok_or_else(|| {
            StoreError::invalid(
                format!("未设置{year}年监测线（省级代码 {province}），请在县级规则中设置"),
                format!("No monitoring line for province {province} up to {year}: set it in the county rules"),
            )
        })
}

/// The registry facts of household `number` for a pre-judgment in `year`: the household, its latest income
/// record and the province's line in force ([`line_in_force`]).
pub async fn exit_inputs(db: &Db, scope: &Scope, number: &str, year: i32) -> Result<ExitInputs> {
    let detail = households::get(db, scope, number)
        .await?
        .ok_or(StoreError::NotFound)?;
    let (line, line_year) = line_in_force(db, &detail.county_code, year).await?;
    let open_problems =
        problems::open_blockers(db.conn(), &detail.county_code, &detail.household.number).await?;
    Ok(ExitInputs {
        open_problems,
        line_year,
        latest_income: detail
            .incomes
            .iter()
            .map(|e| e.record)
            .max_by_key(|r| r.year),
        household: detail.household,
        line,
    })
}

/// What [`nominate_exit`] needs besides the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NominateRequest {
    /// Who nominates (role checked by the core).
    pub by: core_m::Actor,
    /// Date of the nomination (the line of its year applies).
    pub on: NaiveDate,
    /// Exit rules in force: the county's ([`crate::repo::rules::get`]`.rules.exit`), whose notice
    /// numbering the exit keeps for its 告知书.
    pub rules: ExitRules,
}

/// 预判提名: nominates the household for exit with the facts of the registry ([`exit_inputs`]) rather than
/// facts sent by the client; the core refuses (`Refused`, `NotEligible` with the unmet conditions) unless
/// every risk-elimination condition is met.
pub async fn nominate_exit(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    household_number: &str,
    expected_version: i64,
    req: &NominateRequest,
) -> Result<CaseRecord> {
    let inputs = exit_inputs(db, scope, household_number, req.on.year()).await?;
    apply(db, actor, scope, household_number, expected_version, |c| {
        c.apply(
            CaseAction::NominateExit {
                household: Box::new(inputs.household),
                line: inputs.line,
                latest_income: inputs.latest_income,
                rules: Box::new(req.rules.clone()),
                open_problems: inputs.open_problems,
            },
            &req.by,
            req.on,
        )
    })
    .await
}

/// One household's quarterly pre-judgment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The case.
    pub row: CaseRow,
    /// The judgment: [`PreJudgment::proposed`] when every condition is met, else the unmet ones.
    pub judgment: PreJudgment,
    /// The year of the monitoring line the judgment used ([`line_in_force`]).
    pub line_year: i32,
}

/// 定期预判: the pre-judgment of every monitored household (监测帮扶中 or 缓退, no exit running) in the
/// scope's area on `on`, by village and 户编号. Reads each household's registry facts ([`exit_inputs`]), so
/// it is meant for a township or village at a time (a quarterly task), not a whole county per request.
pub async fn prejudge(
    db: &Db,
    scope: &Scope,
    on: NaiveDate,
    rules: &ExitRules,
) -> Result<Vec<Candidate>> {
    let Some(area) = effective_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT c.* FROM cases c WHERE c.lifecycle IN (")
        .bind(Lifecycle::Monitored.code())
        .push(", ")
        .bind(Lifecycle::Deferred.code())
        .push(") AND c.exit_next_step IS NULL");
    push_current(&mut sql);
    sql.push_case_area("c", &area);
    sql.push(" ORDER BY c.village_code, c.household_number");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    let mut out = Vec::new();
    for r in &rows {
        let rec = case_record(r)?;
        let inputs = exit_inputs(db, scope, &rec.household_number, on.year()).await?;
        if let Some(judgment) = rec.case.prejudge(
            &inputs.household,
            inputs.line,
            inputs.latest_income,
            &inputs.open_problems,
            rules,
            on,
        ) {
            out.push(Candidate {
                row: case_row(r)?,
                judgment,
                line_year: inputs.line_year,
            });
        }
    }
    Ok(out)
}
