//! Writes and versioning: opening a case, taking an action on it (version-checked, audited), the
//! follow-up months kept beside it.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use shouwang_core::monitoring::{self as core_m, Case, Refusal, Report};
use shouwang_core::{RegionCode, Scope};

use super::CaseRecord;
use super::derived::{bind_derived, body_of, derive};
use super::reads::find_case;
use super::rows::case_record;
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::repo::area::{Area, effective_area};
use crate::repo::audit::{self, Change};
use crate::repo::{Actor, Sql, to_json};

/// The county a write in `scope` works in (the county of its area); `Forbidden` for a wider scope.
pub(crate) fn write_county(scope: &Scope) -> Result<String> {
    effective_area(scope, None)
        .and_then(|area| area.county().map(str::to_owned))
        .ok_or(StoreError::Forbidden)
}

/// The household's current case in `county`, without an area check (a write checks the area of what it
/// writes).
async fn current_in_county(
    conn: &impl ConnectionTrait,
    county: &str,
    number: &str,
) -> Result<Option<CaseRecord>> {
    find_case(conn, &Area::County(county.to_owned()), number).await
}

/// The case for a write: `NotFound` if the county has none for the household, `Forbidden` if it is outside
/// the scope's area.
pub(super) async fn find_for_write(
    tx: &DatabaseTransaction,
    scope: &Scope,
    number: &str,
) -> Result<CaseRecord> {
    let county = write_county(scope)?;
    let rec = current_in_county(tx, &county, number)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !crate::repo::grids::covers_numbered(tx, scope, &county, &rec.village_code, number).await? {
        return Err(StoreError::Forbidden);
    }
    Ok(rec)
}

async fn version_now(tx: &DatabaseTransaction, county: &str, id: i64) -> Result<i64> {
    let mut sql = Sql::new();
    sql.push("SELECT version FROM cases WHERE county_code = ")
        .bind(county)
        .push(" AND id = ")
        .bind(id);
    let row = tx
        .query_one_raw(sql.build(tx.get_database_backend()))
        .await?;
    Ok(match row {
        Some(r) => r.try_get("", "version")?,
        None => 0,
    })
}

/// Inserts the follow-up months of `after` missing in `before` and deletes the ones gone.
async fn sync_months(
    tx: &DatabaseTransaction,
    county: &str,
    case_id: i64,
    before: &BTreeMap<String, (String, bool)>,
    after: &BTreeMap<String, (String, bool)>,
) -> Result<()> {
    let backend = tx.get_database_backend();
    for (month, (visited_on, all_well)) in after {
        if before.get(month) == Some(&(visited_on.clone(), *all_well)) {
            continue;
        }
        let mut del = Sql::new();
        del.push("DELETE FROM case_follow_ups WHERE county_code = ")
            .bind(county)
            .push(" AND case_id = ")
            .bind(case_id)
            .push(" AND month = ")
            .bind(month.clone());
        tx.execute_raw(del.build(backend)).await?;
        let mut ins = Sql::new();
        ins.push(
            "INSERT INTO case_follow_ups (county_code, case_id, month, visited_on, all_well) VALUES (",
        )
        .bind(county)
        .push(", ")
        .bind(case_id)
        .push(", ")
        .bind(month.clone())
        .push(", ")
        .bind(visited_on.clone())
        .push(", ")
        .bind(*all_well)
        .push(")");
        tx.execute_raw(ins.build(backend)).await?;
    }
    for month in before.keys().filter(|m| !after.contains_key(*m)) {
        let mut del = Sql::new();
        del.push("DELETE FROM case_follow_ups WHERE county_code = ")
            .bind(county)
            .push(" AND case_id = ")
            .bind(case_id)
            .push(" AND month = ")
            .bind(month.clone());
        tx.execute_raw(del.build(backend)).await?;
    }
    Ok(())
}

/// Opens a case of the household from a report (发现线索): its first case, or its next one when the current
/// case is closed (风险消除, 未纳入: sequence + 1; the closed case stays in [`history`](super::history)). The
/// household must be in the registry inside the scope's area (`NotFound`, `Forbidden`); a household whose
/// current case is open gets its next report through [`apply`] with
/// [`CaseAction::Report`](shouwang_core::monitoring::CaseAction::Report) (`Conflict` here). The core checks
/// the report and the role (`Refused`).
pub async fn open(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    report: Report,
    by: &core_m::Actor,
    on: NaiveDate,
) -> Result<CaseRecord> {
    let tx = db.begin_write().await?;
    let rec = open_on(&tx, actor, scope, report, by, on).await?;
    tx.commit().await?;
    Ok(rec)
}

/// [`open`] on the caller's write transaction `tx` (nothing is committed; an error leaves nothing
/// written by this call before the case row).
pub async fn open_on(
    tx: &DatabaseTransaction,
    actor: &Actor,
    scope: &Scope,
    report: Report,
    by: &core_m::Actor,
    on: NaiveDate,
) -> Result<CaseRecord> {
    let county = write_county(scope)?;
    let number = report.household.trim().to_owned();
    let backend = tx.get_database_backend();
    let mut find = Sql::new();
    find.push("SELECT id, township_code, village_code FROM households WHERE county_code = ")
        .bind(county.clone())
        .push(" AND number = ")
        .bind(number.clone());
    let h = tx
        .query_one_raw(find.build(backend))
        .await?
        .ok_or(StoreError::NotFound)?;
    let household_id: i64 = h.try_get("", "id")?;
    let township_code: String = h.try_get("", "township_code")?;
    let village_code: String = h.try_get("", "village_code")?;
    if !crate::repo::grids::covers_numbered(tx, scope, &county, &village_code, &number).await? {
        return Err(StoreError::Forbidden);
    }
    let previous = current_in_county(tx, &county, &number).await?;
    if let Some(prev) = &previous
        && !prev.lifecycle.is_closed()
    {
        return Err(StoreError::conflict(
            format!("户 {number} 已有未结束的监测帮扶档案，请在档案中登记新线索"),
            format!("Household {number} already has an open monitoring case: add the report to it"),
        ));
    }
    let seq = previous.as_ref().map_or(1, |p| p.seq + 1);
    let village = RegionCode::parse(&village_code)
        .map_err(|_| StoreError::corrupt(format!("village code {village_code:?}")))?;
    let mut report = report;
    report.household = number.clone();
    let case = Case::open(report, village, by, on)?;
    let d = derive(&case);
    let id = new_id();
    let now = Utc::now();
    if let Some(prev) = &previous {
        let mut upd = Sql::new();
        upd.push("UPDATE cases SET is_current = ")
            .bind(false)
            .push(" WHERE county_code = ")
            .bind(county.clone())
            .push(" AND id = ")
            .bind(prev.id);
        tx.execute_raw(upd.build(backend)).await?;
    }
    let mut ins = Sql::new();
    ins.push(
        "INSERT INTO cases (county_code, id, seq, is_current, household_id, township_code, village_code, \
         household_number, lifecycle, channels, first_reported_on, ident_started_on, ident_next_step, \
         monitored_since, eliminated_on, exit_next_step, cadre_user_id, cadre_name, last_follow_up_month, \
         body, version, created_at, updated_at) VALUES (",
    )
    .bind(county.clone())
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(seq)
    .push(", ")
    .bind(true)
    .push(", ")
    .bind(household_id)
    .push(", ")
    .bind(township_code)
    .push(", ")
    .bind(village_code.clone())
    .push(", ")
    .bind(number.clone());
    bind_derived(&mut ins, &d, false);
    ins.push(", ")
        .bind(body_of(&case)?)
        .push(", ")
        .bind(1_i64)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(")");
    tx.execute_raw(ins.build(backend)).await.map_err(|e| {
        StoreError::from_write(
            e,
            &format!("户 {number} 的监测帮扶档案"),
            &format!("Case of household {number}"),
        )
    })?;
    sync_months(tx, &county, id, &BTreeMap::new(), &d.months).await?;
    audit::append(
        tx,
        actor,
        Change {
            action: "create",
            entity: "case",
            entity_id: number.clone(),
            county_code: Some(county.clone()),
            village_code: Some(village_code),
            before: None,
            after: Some(to_json(&case)?),
        },
    )
    .await?;
    current_in_county(tx, &county, &number)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Writes `after` over `before` (version-checked), its follow-up months and the audit row, on `tx`.
pub(super) async fn write(
    tx: &DatabaseTransaction,
    actor: &Actor,
    before: &CaseRecord,
    after: &Case,
    expected_version: i64,
) -> Result<()> {
    if after.household != before.case.household || after.village != before.case.village {
        return Err(StoreError::internal(
            "an action may not change the case's household or village",
        ));
    }
    let d_before = derive(&before.case);
    let d = derive(after);
    let mut upd = Sql::new();
    upd.push("UPDATE cases SET body = ").bind(body_of(after)?);
    bind_derived(&mut upd, &d, true);
    upd.push(", version = ")
        .bind(expected_version + 1)
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE county_code = ")
        .bind(before.county_code.clone())
        .push(" AND id = ")
        .bind(before.id)
        .push(" AND version = ")
        .bind(expected_version);
    let res = tx.execute_raw(upd.build(tx.get_database_backend())).await?;
    if res.rows_affected() != 1 {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found: version_now(tx, &before.county_code, before.id).await?,
        });
    }
    sync_months(
        tx,
        &before.county_code,
        before.id,
        &d_before.months,
        &d.months,
    )
    .await?;
    audit::append(
        tx,
        actor,
        Change {
            action: "update",
            entity: "case",
            entity_id: before.household_number.clone(),
            county_code: Some(before.county_code.clone()),
            village_code: Some(before.village_code.clone()),
            before: Some(to_json(&before.case)?),
            after: Some(to_json(after)?),
        },
    )
    .await
}

pub(super) async fn reread(tx: &DatabaseTransaction, before: &CaseRecord) -> Result<CaseRecord> {
    current_in_county(tx, &before.county_code, &before.household_number)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Takes one action on the household's case: `rule` is the core's rule, typically
/// `|case| case.apply(action, &core_actor, on)`. In one transaction: load (area-checked), compare
/// `expected_version` (`StaleVersion`), run the rule (`Refused` with the core's reason, nothing written),
/// write the new case with `version + 1` and its audit row. Returns the case as stored.
pub async fn apply<F>(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    household_number: &str,
    expected_version: i64,
    rule: F,
) -> Result<CaseRecord>
where
    F: FnOnce(&Case) -> std::result::Result<Case, Refusal>,
{
    let tx = db.begin_write().await?;
    let rec = apply_on(&tx, actor, scope, household_number, expected_version, rule).await?;
    tx.commit().await?;
    Ok(rec)
}

/// [`apply`] on the caller's write transaction `tx` (nothing is committed).
pub async fn apply_on<F>(
    tx: &DatabaseTransaction,
    actor: &Actor,
    scope: &Scope,
    household_number: &str,
    expected_version: i64,
    rule: F,
) -> Result<CaseRecord>
where
    F: FnOnce(&Case) -> std::result::Result<Case, Refusal>,
{
    let before = find_for_write(tx, scope, household_number).await?;
    if before.version != expected_version {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found: before.version,
        });
    }
    let after = rule(&before.case)?;
    write(tx, actor, &before, &after, expected_version).await?;
    reread(tx, &before).await
}

/// Every case of household `number` in `county`, oldest first, on `conn` (a write transaction's). No area
/// check: the caller checks the area of what it writes (`open_on` and `apply_on` do).
pub async fn history_on(
    conn: &impl ConnectionTrait,
    county: &str,
    number: &str,
) -> Result<Vec<CaseRecord>> {
    let mut sql = Sql::new();
    sql.push("SELECT c.* FROM cases c WHERE c.county_code = ")
        .bind(county)
        .push(" AND c.household_number = ")
        .bind(number.trim())
        .push(" ORDER BY c.seq");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    rows.iter().map(case_record).collect()
}
