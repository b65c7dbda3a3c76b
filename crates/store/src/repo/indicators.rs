//! 村容村貌指标 (B5, issue 22; §四(五)): a village's figures for a year, one row per village and year (the
//! core's [`IndicatorRecord`] as JSON, with the state a board filters on). Reads are area-scoped in SQL;
//! a write checks the scope's area against the village, the version (乐观锁), and appends its audit row in
//! the same transaction. The rules are the core's ([`IndicatorRecord::apply`]); the use cases are
//! `shouwang_app::indicators`.

use std::collections::HashMap;

use chrono::{Datelike, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryResult};
use shouwang_core::indicators::{IndicatorRecord, IndicatorTargets, ledger_row};
use shouwang_core::ledger::{DateRange, Value};
use shouwang_core::monitoring::Refusal;
use shouwang_core::{CodeList, Scope};

use super::area::county_area;
use super::audit::{self, Change};
use super::cases::write_county;
use super::{Actor, Sql, to_json};
use crate::db::Db;
use crate::entity::regions;
use crate::error::{Result, StoreError};

/// A village's stored record of a year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndicatorRow {
    /// 县 code.
    pub county_code: String,
    /// 行政村 code.
    pub village_code: String,
    /// Version for optimistic locking.
    pub version: i64,
    /// The record.
    pub record: IndicatorRecord,
}

fn indicator_row(r: &QueryResult) -> Result<IndicatorRow> {
    let body: String = r.try_get("", "body")?;
    Ok(IndicatorRow {
        county_code: r.try_get("", "county_code")?,
        village_code: r.try_get("", "village_code")?,
        version: r.try_get("", "version")?,
        record: serde_json::from_str(&body)
            .map_err(|e| StoreError::corrupt(format!("village_indicators.body: {e}")))?,
    })
}

/// The records of the scope's area (or of `area` inside it) for the years `from..=to`, by village and
/// year.
pub async fn list(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    from: i32,
    to: i32,
) -> Result<Vec<IndicatorRow>> {
    let Some(area) = county_area(scope, area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT v.county_code, v.village_code, v.version, v.body FROM village_indicators v WHERE v.year >= ")
        .bind(i64::from(from))
        .push(" AND v.year <= ")
        .bind(i64::from(to))
        .push_area("v", &area)
        .push(" ORDER BY v.village_code, v.year");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(indicator_row).collect()
}

/// Applies `rule` to the village's record of `year` (`None` while nothing is entered): `Forbidden` when
/// the village is outside the scope's area, `StaleVersion` when the record changed since
/// `expected_version` (0: nothing entered yet), `Refused` with the core's reason (nothing written); else
/// the new record with its audit row (`create`/`update village_indicators`, before and after).
pub async fn apply<F>(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    village: &str,
    year: i32,
    expected_version: i64,
    rule: F,
) -> Result<IndicatorRow>
where
    F: FnOnce(Option<&IndicatorRecord>) -> std::result::Result<IndicatorRecord, Refusal>,
{
    let county = write_county(scope)?;
    if !scope.covers(village) || !village.starts_with(&county) {
        return Err(StoreError::Forbidden);
    }
    let tx = db.begin_write().await?;
    let backend = tx.get_database_backend();
    let mut find = Sql::new();
    find.push("SELECT county_code, village_code, version, body FROM village_indicators WHERE county_code = ")
        .bind(county.as_str())
        .push(" AND village_code = ")
        .bind(village)
        .push(" AND year = ")
        .bind(i64::from(year));
    let before = tx
        .query_one_raw(find.build(backend))
        .await?
        .as_ref()
        .map(indicator_row)
        .transpose()?;
    let found = before.as_ref().map_or(0, |b| b.version);
    if found != expected_version {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found,
        });
    }
    let after = rule(before.as_ref().map(|b| &b.record))?;
    let body = to_json(&after)?;
    let mut sql = Sql::new();
    if before.is_some() {
        sql.push("UPDATE village_indicators SET status = ")
            .bind(after.status.code())
            .push(", body = ")
            .bind(body.to_string())
            .push(", version = version + 1, updated_at = ")
            .bind(Utc::now())
            .push(" WHERE county_code = ")
            .bind(county.as_str())
            .push(" AND village_code = ")
            .bind(village)
            .push(" AND year = ")
            .bind(i64::from(year))
            .push(" AND version = ")
            .bind(found);
    } else {
        sql.push(
            "INSERT INTO village_indicators (county_code, village_code, year, status, body, version, \
             updated_at) VALUES (",
        )
        .bind(county.as_str())
        .push(", ")
        .bind(village)
        .push(", ")
        .bind(i64::from(year))
        .push(", ")
        .bind(after.status.code())
        .push(", ")
        .bind(body.to_string())
        .push(", 1, ")
        .bind(Utc::now())
        .push(")");
    }
    let done = tx
        .execute_raw(sql.build(backend))
        .await
        .map_err(|e| StoreError::from_write(e, "村容村貌指标", "Village indicators"))?;
    if done.rows_affected() != 1 {
        return Err(StoreError::StaleVersion {
            expected: expected_version,
            found: found + 1,
        });
    }
    audit::append(
        &tx,
        actor,
        Change {
            action: if before.is_some() { "update" } else { "create" },
            entity: "village_indicators",
            entity_id: format!("{village}/{year}"),
            county_code: Some(county.clone()),
            village_code: Some(village.to_owned()),
            before: before.as_ref().map(|b| to_json(&b.record)).transpose()?,
            after: Some(body),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(IndicatorRow {
        county_code: county,
        village_code: village.to_owned(),
        version: found + 1,
        record: after,
    })
}

/// The rows of the 村容村貌指标台账 of the scope's area: every record entered within `range` (all when
/// open), compared with the county's targets.
pub(crate) async fn ledger_rows(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    range: &DateRange,
) -> Result<Vec<Vec<Value>>> {
    let last = Utc::now().date_naive().year();
    let rows = list(db, scope, area, shouwang_core::indicators::FIRST_YEAR, last).await?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let targets: IndicatorTargets = super::rules::get(db, &first.county_code)
        .await?
        .rules
        .indicators;
    let names: HashMap<String, String> = regions::Entity::find()
        .filter(regions::Column::CountyCode.eq(first.county_code.as_str()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    let name = |code: &str| names.get(code).cloned().unwrap_or_default();
    Ok(rows
        .iter()
        .filter(|r| range.contains(r.record.entered_on))
        .map(|r| {
            let v = r.village_code.as_str();
            let township = name(&format!("{}000", v.get(..9).unwrap_or(v)));
            ledger_row(&township, &name(v), &r.record, &targets)
        })
        .collect())
}
