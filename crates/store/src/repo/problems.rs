//! 问题台账 (issue 22): the 三保障和饮水安全 problems of the quarterly campaigns, one row per problem (the
//! core's [`Problem`] as JSON, with the columns a board filters on). Reads are area-scoped in SQL; every
//! write checks the scope's area against the problem's village, appends its audit row in the same
//! transaction, and an update checks the version (乐观锁). The rules are the core's
//! ([`Problem::find`], [`Problem::apply`]); the use cases are `shouwang_app::problems`.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryResult,
};
use serde::Serialize;
use shouwang_core::codes::Guarantee;
use shouwang_core::ledger::{DateRange, Value};
use shouwang_core::monitoring::exit::ExitBlocker;
use shouwang_core::monitoring::{Problem, ProblemStatus, Refusal, problem};
use shouwang_core::registry::RegionNames;
use shouwang_core::{CodeList, Household, Scope};

use super::area::{Area, county_area};
use super::audit::{self, Change};
use super::cases::write_county;
use super::{Actor, Sql, to_json};
use crate::db::Db;
use crate::entity::regions;
use crate::error::{Result, StoreError};
use crate::ids::new_id;

/// A stored problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProblemRow {
    /// Row id (the problem's number in the ledger).
    pub id: i64,
    /// 县 code.
    pub county_code: String,
    /// Version for optimistic locking.
    pub version: i64,
    /// The problem.
    pub problem: Problem,
}

/// What a board asks for (every field optional: all).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProblemFilter {
    /// A region inside the scope's area (township, village).
    pub area: Option<String>,
    /// 户编号.
    pub household: Option<String>,
    /// 保障.
    pub sector: Option<Guarantee>,
    /// 状态.
    pub status: Option<ProblemStatus>,
    /// Only those not closed whose deadline is before this day (逾期 on the day after the deadline).
    pub overdue_on: Option<NaiveDate>,
}

/// Writes a new problem (already accepted by [`Problem::find`]) with its audit row (`create problem`) on
/// the caller's write transaction `tx` (nothing is committed). `Forbidden` when its village is outside the
/// scope's area.
pub async fn insert_on(
    tx: &DatabaseTransaction,
    actor: &Actor,
    scope: &Scope,
    problem: &Problem,
) -> Result<ProblemRow> {
    let county = write_county(scope)?;
    let village = problem.what.village.as_str();
    if !scope.covers(village) || !village.starts_with(&county) {
        return Err(StoreError::Forbidden);
    }
    let id = new_id();
    let body = to_json(problem)?;
    let now = Utc::now();
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO problems (county_code, id, village_code, household_number, sector, unit, status, \
         found_on, deadline, body, version, created_at, updated_at) VALUES (",
    )
    .bind(county.as_str())
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(village)
    .push(", ")
    .bind(problem.what.household.clone())
    .push(", ")
    .bind(problem.what.sector.code())
    .push(", ")
    .bind(problem.what.unit.code())
    .push(", ")
    .bind(problem.status().code())
    .push(", ")
    .bind(problem.found_on.to_string())
    .push(", ")
    .bind(problem.what.deadline.to_string())
    .push(", ")
    .bind(body.to_string())
    .push(", 1, ")
    .bind(now)
    .push(", ")
    .bind(now)
    .push(")");
    tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    audit::append(
        tx,
        actor,
        Change {
            action: "create",
            entity: "problem",
            entity_id: id.to_string(),
            county_code: Some(county.clone()),
            village_code: Some(village.to_owned()),
            before: None,
            after: Some(body),
        },
    )
    .await?;
    Ok(ProblemRow {
        id,
        county_code: county,
        version: 1,
        problem: problem.clone(),
    })
}

/// Problem `id` in the scope's area (`None`: none, or outside the area).
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Option<ProblemRow>> {
    let Some(area) = county_area(scope, None) else {
        return Ok(None);
    };
    let mut sql = Sql::new();
    sql.push("SELECT p.* FROM problems p WHERE p.id = ")
        .bind(id)
        .push_area("p", &area);
    let row = db.conn().query_one_raw(sql.build(db.backend())).await?;
    row.as_ref().map(problem_row).transpose()
}

/// The problems of the scope's area matching `filter`, by village, household and id.
pub async fn list(db: &Db, scope: &Scope, filter: &ProblemFilter) -> Result<Vec<ProblemRow>> {
    let Some(area) = county_area(scope, filter.area.as_deref()) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT p.* FROM problems p WHERE 1 = 1")
        .push_area("p", &area);
    if let Some(h) = &filter.household {
        sql.push(" AND p.household_number = ").bind(h.trim());
    }
    if let Some(s) = filter.sector {
        sql.push(" AND p.sector = ").bind(s.code());
    }
    if let Some(s) = filter.status {
        sql.push(" AND p.status = ").bind(s.code());
    }
    if let Some(on) = filter.overdue_on {
        sql.push(" AND p.status <> ")
            .bind(ProblemStatus::Closed.code())
            .push(" AND p.deadline < ")
            .bind(on.to_string());
    }
    sql.push(" ORDER BY p.village_code, p.household_number, p.id");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(problem_row).collect()
}

/// For the calendar (问题整改 tasks): the problems of the scope's area (narrowed to `village`) whose
/// deadline falls in `from..=to`, and those still open whose deadline is before `from` (逾期, carried
/// over), with their village, in one statement.
pub async fn due(
    db: &Db,
    scope: &Scope,
    village: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, Problem)>> {
    let Some(area) = county_area(scope, village) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT p.* FROM problems p WHERE 1 = 1")
        .push_area("p", &area)
        .push(" AND ((p.deadline >= ")
        .bind(from.to_string())
        .push(" AND p.deadline <= ")
        .bind(to.to_string())
        .push(") OR (p.status <> ")
        .bind(ProblemStatus::Closed.code())
        .push(" AND p.deadline < ")
        .bind(from.to_string())
        .push(")) ORDER BY p.village_code, p.deadline, p.id");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| {
            let row = problem_row(r)?;
            Ok((row.problem.what.village.as_str().to_owned(), row.problem))
        })
        .collect()
}

/// Takes an action on problem `id`: `NotFound` when the county has none, `Forbidden` outside the scope's
/// area, `StaleVersion` when it changed since `expected_version`, `Refused` with the core's reason
/// (nothing written); else the new state with its audit row (`update problem`, before and after).
pub async fn apply<F>(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    expected_version: i64,
    rule: F,
) -> Result<ProblemRow>
where
    F: FnOnce(&Problem) -> std::result::Result<Problem, Refusal>,
{
    let county = write_county(scope)?;
    let tx = db.begin_write().await?;
    let before = find_on(&tx, &county, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !scope.covers(before.problem.what.village.as_str()) {
        return Err(StoreError::Forbidden);
    }
    if before.version != expected_version {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found: before.version,
        });
    }
    let after = rule(&before.problem)?;
    let body = to_json(&after)?;
    let mut sql = Sql::new();
    sql.push("UPDATE problems SET status = ")
        .bind(after.status().code())
        .push(", unit = ")
        .bind(after.what.unit.code())
        .push(", deadline = ")
        .bind(after.what.deadline.to_string())
        .push(", body = ")
        .bind(body.to_string())
        .push(", version = version + 1, updated_at = ")
        .bind(Utc::now())
        .push(" WHERE county_code = ")
        .bind(county.as_str())
        .push(" AND id = ")
        .bind(id)
        .push(" AND version = ")
        .bind(expected_version);
    let done = tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found: expected_version + 1,
        });
    }
    audit::append(
        &tx,
        actor,
        Change {
            action: "update",
            entity: "problem",
            entity_id: id.to_string(),
            county_code: Some(county.clone()),
            village_code: Some(before.problem.what.village.as_str().to_owned()),
            before: Some(to_json(&before.problem)?),
            after: Some(body),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ProblemRow {
        id,
        county_code: county,
        version: expected_version + 1,
        problem: after,
    })
}

/// The open problems of household `number` in `county` as exit blockers ([`Problem::blocker`]), on `conn`
/// (a write transaction's, or the pool). No area check: the caller has checked the household's.
pub async fn open_blockers(
    conn: &impl ConnectionTrait,
    county: &str,
    number: &str,
) -> Result<Vec<ExitBlocker>> {
    let mut sql = Sql::new();
    sql.push("SELECT p.* FROM problems p WHERE p.county_code = ")
        .bind(county)
        .push(" AND p.household_number = ")
        .bind(number.trim())
        .push(" AND p.status <> ")
        .bind(ProblemStatus::Closed.code())
        .push(" ORDER BY p.id");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        out.extend(problem_row(r)?.problem.blocker());
    }
    Ok(out)
}

/// Whether a problem of `area` in `county` refers to the attachment `sha256` (its evidence), so that
/// those who may read the problem may download the file.
pub(crate) async fn refers_to(
    conn: &impl ConnectionTrait,
    county: &str,
    area: &Area,
    sha256: &str,
) -> Result<bool> {
    let mut sql = Sql::new();
    sql.push("SELECT 1 AS found FROM problems p WHERE p.county_code = ")
        .bind(county)
        .push_area("p", area)
        .push(" AND p.body LIKE ")
        .bind(format!("%{sha256}%"))
        .push(" LIMIT 1");
    Ok(conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?
        .is_some())
}

async fn find_on(tx: &DatabaseTransaction, county: &str, id: i64) -> Result<Option<ProblemRow>> {
    let mut sql = Sql::new();
    sql.push("SELECT p.* FROM problems p WHERE p.county_code = ")
        .bind(county)
        .push(" AND p.id = ")
        .bind(id);
    let row = tx
        .query_one_raw(sql.build(tx.get_database_backend()))
        .await?;
    row.as_ref().map(problem_row).transpose()
}

fn problem_row(r: &QueryResult) -> Result<ProblemRow> {
    let body: String = r.try_get("", "body")?;
    Ok(ProblemRow {
        id: r.try_get("", "id")?,
        county_code: r.try_get("", "county_code")?,
        version: r.try_get("", "version")?,
        problem: serde_json::from_str(&body)
            .map_err(|e| StoreError::corrupt(format!("problem: {e}")))?,
    })
}

/// The rows of the 问题整改台账 of the scope's area (narrowed to `area`): every problem found in `range`,
/// by village, household and id ([`shouwang_core::monitoring::problem::ledger_row`]), overdue as of
/// `today`.
pub(crate) async fn ledger_rows(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    range: &DateRange,
    full_ids: bool,
    today: NaiveDate,
) -> Result<Vec<Vec<Value>>> {
    let filter = ProblemFilter {
        area: area.map(str::to_owned),
        ..ProblemFilter::default()
    };
    let rows = list(db, scope, &filter).await?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let names: HashMap<String, String> = regions::Entity::find()
        .filter(regions::Column::CountyCode.eq(first.county_code.as_str()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    let name = |code: &str| names.get(code).cloned().unwrap_or_default();
    let households: HashMap<String, Household> =
        super::register_records::subjects(db, scope, area, None)
            .await?
            .into_iter()
            .map(|s| (s.household.number.clone(), s.household))
            .collect();
    let mut out = Vec::new();
    for r in rows.iter().filter(|r| range.contains(r.problem.found_on)) {
        let village = r.problem.what.village.as_str();
        let region = RegionNames {
            county: name(&format!("{}000000", r.county_code)),
            township: name(&format!("{}000", village.get(..9).unwrap_or(village))),
            village: name(village),
            natural_village: String::new(),
        };
        let head = r
            .problem
            .what
            .household
            .as_ref()
            .and_then(|n| households.get(n))
            .and_then(|h| h.head().or(h.members.first()));
        out.push(problem::ledger_row(
            out.len() + 1,
            &r.problem,
            &region,
            head,
            full_ids,
            today,
        ));
    }
    Ok(out)
}
