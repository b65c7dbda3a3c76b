//! 光伏扶贫电站 and 光伏收益分配 (B2 §四(二)4, issue 23): the rows of the county's PV stations, their monthly
//! generation income and the villages' monthly distributions. Reads are area-scoped in SQL: a station is
//! read where its place or one of the villages it benefits lies in the area, its income with it; the
//! distributions and the board's sums by their village (`push_area`). Every write appends its audit row in
//! the same transaction and checks the row's version; a second income of a station and month, or a second
//! distribution of a village and month, is refused by the unique keys (409). The rules are
//! `shouwang_core::pv`; the use cases `shouwang_app::pv`.

use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult};
use serde::Serialize;
use shouwang_core::ledger::DateRange;
use shouwang_core::monitoring::YearMonth;
use shouwang_core::pv::{Distribution, Income, Station};
use shouwang_core::{CodeList, Fen, Scope};

use super::area::{Area, county_area};
use super::audit::{self, Change};
use super::{Actor, Sql};
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::ids::new_id;

/// A stored station.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StationRow {
    /// Row id (电站编号).
    pub id: i64,
    /// 县 code.
    pub county_code: String,
    /// The station as entered.
    pub station: Station,
    /// Version (optimistic locking).
    pub version: i64,
}

/// A stored monthly income of a station.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IncomeRow {
    /// Row id.
    pub id: i64,
    /// The station's row id.
    pub station_id: i64,
    /// 县 code.
    pub county_code: String,
    /// The station's place.
    pub village_code: String,
    /// The income.
    pub income: Income,
    /// 记录人.
    pub recorded_by: String,
    /// Version.
    pub version: i64,
}

/// A stored distribution of a village and month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DistributionRow {
    /// Row id.
    pub id: i64,
    /// 县 code.
    pub county_code: String,
    /// The distribution.
    pub record: Distribution,
    /// 记录人.
    pub recorded_by: String,
    /// Version.
    pub version: i64,
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::internal(format!("pv json: {e}")))
}

fn month_range(year: i32, last: u32) -> (String, String) {
    (
        format!("{year:04}-01"),
        format!("{year:04}-{:02}", last.clamp(1, 12)),
    )
}

/// Appends ` AND (…)`: the station `s` lies in the area, by its place or a village it benefits.
fn push_visible(sql: &mut Sql, area: &Area) {
    sql.push(" AND ((1 = 1").push_area("s", area).push(
        ") OR EXISTS (SELECT 1 FROM pv_station_villages b WHERE b.county_code = s.county_code \
         AND b.station_id = s.id",
    );
    sql.push_area("b", area).push("))");
}

async fn exec(tx: &DatabaseTransaction, sql: &Sql) -> Result<u64> {
    Ok(tx
        .execute_raw(sql.build(tx.get_database_backend()))
        .await?
        .rows_affected())
}

async fn write_villages(
    tx: &DatabaseTransaction,
    county: &str,
    id: i64,
    station: &Station,
) -> Result<()> {
    let mut sql = Sql::new();
    sql.push("DELETE FROM pv_station_villages WHERE county_code = ")
        .bind(county)
        .push(" AND station_id = ")
        .bind(id);
    exec(tx, &sql).await?;
    for v in station.beneficiaries() {
        let mut sql = Sql::new();
        sql.push(
            "INSERT INTO pv_station_villages (county_code, station_id, village_code) VALUES (",
        )
        .bind(county)
        .push(", ")
        .bind(id)
        .push(", ")
        .bind(v)
        .push(")");
        exec(tx, &sql).await?;
    }
    Ok(())
}

fn change(
    action: &'static str,
    entity: &'static str,
    id: i64,
    county: &str,
    village: &str,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Change<'static> {
    Change {
        action,
        entity,
        entity_id: id.to_string(),
        county_code: Some(county.to_owned()),
        village_code: Some(village.to_owned()),
        before,
        after: Some(after),
    }
}

/// Writes a new station with the villages it benefits, and its audit row; its id.
pub async fn create_station(
    db: &Db,
    actor: &Actor,
    county: &str,
    station: &Station,
) -> Result<i64> {
    let tx = db.begin_write().await?;
    let id = new_id();
    let now = Utc::now();
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO pv_stations (county_code, id, village_code, name, kind, state, asset_id, body, \
         version, created_at, updated_at) VALUES (",
    )
    .bind(county)
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(station.place.as_str())
    .push(", ")
    .bind(station.name.as_str())
    .push(", ")
    .bind(station.kind.code())
    .push(", ")
    .bind(station.state.code())
    .push(", ")
    .bind(station.asset)
    .push(", ")
    .bind(json(station)?)
    .push(", 1, ")
    .bind(now)
    .push(", ")
    .bind(now)
    .push(")");
    exec(&tx, &sql).await?;
    write_villages(&tx, county, id, station).await?;
    audit::append(
        &tx,
        actor,
        change(
            "create",
            "pv_station",
            id,
            county,
            &station.place,
            None,
            serde_json::json!({ "station": station }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes the station read as `row` (its version bumped), and one audit row. `StaleVersion` when it
/// changed since `row` was read.
pub async fn update_station(
    db: &Db,
    actor: &Actor,
    row: &StationRow,
    station: &Station,
) -> Result<()> {
    let tx = db.begin_write().await?;
    let county = row.county_code.as_str();
    let mut sql = Sql::new();
    sql.push("UPDATE pv_stations SET version = version + 1, village_code = ")
        .bind(station.place.as_str())
        .push(", name = ")
        .bind(station.name.as_str())
        .push(", kind = ")
        .bind(station.kind.code())
        .push(", state = ")
        .bind(station.state.code())
        .push(", asset_id = ")
        .bind(station.asset)
        .push(", body = ")
        .bind(json(station)?)
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE county_code = ")
        .bind(county)
        .push(" AND id = ")
        .bind(row.id)
        .push(" AND version = ")
        .bind(row.version);
    if exec(&tx, &sql).await? == 0 {
        return Err(StoreError::StaleVersion {
            expected: row.version,
            found: row.version + 1,
        });
    }
    // The income rows follow the station's place (their area).
    let mut sql = Sql::new();
    sql.push("UPDATE pv_income SET village_code = ")
        .bind(station.place.as_str())
        .push(" WHERE county_code = ")
        .bind(county)
        .push(" AND station_id = ")
        .bind(row.id);
    exec(&tx, &sql).await?;
    write_villages(&tx, county, row.id, station).await?;
    audit::append(
        &tx,
        actor,
        change(
            "update",
            "pv_station",
            row.id,
            county,
            &row.station.place,
            Some(serde_json::json!({ "station": row.station })),
            serde_json::json!({ "station": station }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn station_row(r: &QueryResult) -> Result<StationRow> {
    let text: String = r.try_get("", "body")?;
    let station: Station =
        serde_json::from_str(&text).map_err(|e| StoreError::corrupt(format!("pv station: {e}")))?;
    Ok(StationRow {
        id: r.try_get("", "id")?,
        county_code: r.try_get("", "county_code")?,
        station,
        version: r.try_get("", "version")?,
    })
}

/// The stations of the scope's area (narrowed to `area`): those kept in it or benefiting one of its
/// villages, by place and name.
pub async fn stations(db: &Db, scope: &Scope, area: Option<&str>) -> Result<Vec<StationRow>> {
    let Some(area) = county_area(scope, area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT s.* FROM pv_stations s WHERE 1 = 1");
    push_visible(&mut sql, &area);
    sql.push(" ORDER BY s.village_code, s.name, s.id");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(station_row).collect()
}

/// The station `id` if the scope's area keeps it or a village it benefits.
pub async fn station(db: &Db, scope: &Scope, id: i64) -> Result<Option<StationRow>> {
    let Some(area) = county_area(scope, None) else {
        return Ok(None);
    };
    let mut sql = Sql::new();
    sql.push("SELECT s.* FROM pv_stations s WHERE s.id = ")
        .bind(id);
    push_visible(&mut sql, &area);
    db.conn()
        .query_one_raw(sql.build(db.backend()))
        .await?
        .as_ref()
        .map(station_row)
        .transpose()
}

fn taken(err: StoreError, zh: String, en: &str) -> StoreError {
    match err {
        StoreError::Conflict { .. } => StoreError::conflict(zh, en),
        e => e,
    }
}

/// Writes the income of `station` for a month (recorded by `actor`), and its audit row; its id. `Conflict`
/// (nothing written) when the station has that month's income already.
pub async fn record_income(
    db: &Db,
    actor: &Actor,
    station: &StationRow,
    income: &Income,
) -> Result<i64> {
    let tx = db.begin_write().await?;
    let id = new_id();
    let now = Utc::now();
    let county = station.county_code.as_str();
    let place = station.station.place.as_str();
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO pv_income (county_code, id, station_id, village_code, month, amount_fen, note, \
         recorded_by, version, created_at, updated_at) VALUES (",
    )
    .bind(county)
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(station.id)
    .push(", ")
    .bind(place)
    .push(", ")
    .bind(income.month.to_string())
    .push(", ")
    .bind(income.amount.0)
    .push(", ")
    .bind(income.note.as_str())
    .push(", ")
    .bind(actor.name.as_str())
    .push(", 1, ")
    .bind(now)
    .push(", ")
    .bind(now)
    .push(")");
    tx.execute_raw(sql.build(tx.get_database_backend()))
        .await
        .map_err(|e| {
            taken(
                StoreError::from_write(e, "发电收益", "Income"),
                format!(
                    "{}{}的发电收益已录入，如需更正请修改原记录",
                    station.station.name,
                    income.month.label_zh()
                ),
                "The station's income of the month is recorded already; correct that record",
            )
        })?;
    audit::append(
        &tx,
        actor,
        change(
            "create",
            "pv_income",
            id,
            county,
            place,
            None,
            serde_json::json!({ "station": station.id, "income": income }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Corrects the income read as `row` (same station and month; its version bumped), and one audit row.
pub async fn correct_income(
    db: &Db,
    actor: &Actor,
    row: &IncomeRow,
    income: &Income,
) -> Result<()> {
    let tx = db.begin_write().await?;
    let mut sql = Sql::new();
    sql.push("UPDATE pv_income SET version = version + 1, amount_fen = ")
        .bind(income.amount.0)
        .push(", note = ")
        .bind(income.note.as_str())
        .push(", recorded_by = ")
        .bind(actor.name.as_str())
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE county_code = ")
        .bind(row.county_code.as_str())
        .push(" AND id = ")
        .bind(row.id)
        .push(" AND version = ")
        .bind(row.version);
    if exec(&tx, &sql).await? == 0 {
        return Err(StoreError::StaleVersion {
            expected: row.version,
            found: row.version + 1,
        });
    }
    audit::append(
        &tx,
        actor,
        change(
            "update",
            "pv_income",
            row.id,
            &row.county_code,
            &row.village_code,
            Some(serde_json::json!({ "station": row.station_id, "income": row.income })),
            serde_json::json!({ "station": row.station_id, "income": income }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn income_row(r: &QueryResult) -> Result<IncomeRow> {
    let month: String = r.try_get("", "month")?;
    Ok(IncomeRow {
        id: r.try_get("", "id")?,
        station_id: r.try_get("", "station_id")?,
        county_code: r.try_get("", "county_code")?,
        village_code: r.try_get("", "village_code")?,
        income: Income {
            month: YearMonth::parse(&month)
                .ok_or_else(|| StoreError::corrupt(format!("pv income month {month}")))?,
            amount: Fen(r.try_get("", "amount_fen")?),
            note: r.try_get("", "note")?,
        },
        recorded_by: r.try_get("", "recorded_by")?,
        version: r.try_get("", "version")?,
    })
}

/// The income of the station `station` (read through the scope: its station visible), by month; only
/// `month` when given.
pub async fn incomes(
    db: &Db,
    scope: &Scope,
    station: i64,
    month: Option<YearMonth>,
) -> Result<Vec<IncomeRow>> {
    let Some(area) = county_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(
        "SELECT i.* FROM pv_income i JOIN pv_stations s ON s.county_code = i.county_code \
         AND s.id = i.station_id WHERE i.station_id = ",
    )
    .bind(station);
    if let Some(m) = month {
        sql.push(" AND i.month = ").bind(m.to_string());
    }
    push_visible(&mut sql, &area);
    sql.push(" ORDER BY i.month, i.id");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(income_row).collect()
}

/// Writes the distribution of a village and month (recorded by `actor`), and its audit row; its id.
/// `Conflict` (nothing written) when the village has that month's distribution already.
pub async fn record_distribution(
    db: &Db,
    actor: &Actor,
    county: &str,
    d: &Distribution,
) -> Result<i64> {
    let tx = db.begin_write().await?;
    let id = new_id();
    let now = Utc::now();
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO pv_distributions (county_code, id, village_code, month, distributed_fen, body, \
         recorded_by, version, created_at, updated_at) VALUES (",
    )
    .bind(county)
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(d.village.as_str())
    .push(", ")
    .bind(d.month.to_string())
    .push(", ")
    .bind(d.distributed.0)
    .push(", ")
    .bind(json(d)?)
    .push(", ")
    .bind(actor.name.as_str())
    .push(", 1, ")
    .bind(now)
    .push(", ")
    .bind(now)
    .push(")");
    tx.execute_raw(sql.build(tx.get_database_backend()))
        .await
        .map_err(|e| {
            taken(
                StoreError::from_write(e, "收益分配", "Distribution"),
                format!(
                    "该村{}的光伏收益分配已录入，如需更正请修改原记录",
                    d.month.label_zh()
                ),
                "The village's distribution of the month is recorded already; correct that record",
            )
        })?;
    audit::append(
        &tx,
        actor,
        change(
            "create",
            "pv_distribution",
            id,
            county,
            &d.village,
            None,
            serde_json::json!({ "distribution": d }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Corrects the distribution read as `row` (same village and month; its version bumped), and one audit row.
pub async fn correct_distribution(
    db: &Db,
    actor: &Actor,
    row: &DistributionRow,
    d: &Distribution,
) -> Result<()> {
    let tx = db.begin_write().await?;
    let mut sql = Sql::new();
    sql.push("UPDATE pv_distributions SET version = version + 1, distributed_fen = ")
        .bind(d.distributed.0)
        .push(", body = ")
        .bind(json(d)?)
        .push(", recorded_by = ")
        .bind(actor.name.as_str())
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE county_code = ")
        .bind(row.county_code.as_str())
        .push(" AND id = ")
        .bind(row.id)
        .push(" AND version = ")
        .bind(row.version);
    if exec(&tx, &sql).await? == 0 {
        return Err(StoreError::StaleVersion {
            expected: row.version,
            found: row.version + 1,
        });
    }
    audit::append(
        &tx,
        actor,
        change(
            "update",
            "pv_distribution",
            row.id,
            &row.county_code,
            &row.record.village,
            Some(serde_json::json!({ "distribution": row.record })),
            serde_json::json!({ "distribution": d }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn distribution_row(r: &QueryResult) -> Result<DistributionRow> {
    let text: String = r.try_get("", "body")?;
    let record: Distribution = serde_json::from_str(&text)
        .map_err(|e| StoreError::corrupt(format!("pv distribution: {e}")))?;
    Ok(DistributionRow {
        id: r.try_get("", "id")?,
        county_code: r.try_get("", "county_code")?,
        record,
        recorded_by: r.try_get("", "recorded_by")?,
        version: r.try_get("", "version")?,
    })
}

/// The distributions of the scope's area (narrowed to `area`) from `from` to `to` (months, both included),
/// by month and village.
pub async fn distributions(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    from: YearMonth,
    to: YearMonth,
) -> Result<Vec<DistributionRow>> {
    let Some(area) = county_area(scope, area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT d.* FROM pv_distributions d WHERE d.month >= ")
        .bind(from.to_string())
        .push(" AND d.month <= ")
        .bind(to.to_string())
        .push_area("d", &area);
    sql.push(" ORDER BY d.month, d.village_code");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(distribution_row).collect()
}

/// The generation income of the stations kept in the scope's area (narrowed to `area`) in `year` up to
/// month `last`, summed by the station's place and month: (place, month, amount).
pub async fn income_by_place(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    year: i32,
    last: u32,
) -> Result<Vec<(String, YearMonth, Fen)>> {
    let Some(area) = county_area(scope, area) else {
        return Ok(Vec::new());
    };
    let (from, to) = month_range(year, last);
    let mut sql = Sql::new();
    sql.push(
        "SELECT i.village_code, i.month, CAST(SUM(i.amount_fen) AS BIGINT) AS amount FROM pv_income i \
         WHERE i.month >= ",
    )
    .bind(from)
    .push(" AND i.month <= ")
    .bind(to)
    .push_area("i", &area);
    sql.push(" GROUP BY i.village_code, i.month ORDER BY i.village_code, i.month");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| {
            let month: String = r.try_get("", "month")?;
            Ok((
                r.try_get("", "village_code")?,
                YearMonth::parse(&month)
                    .ok_or_else(|| StoreError::corrupt(format!("pv income month {month}")))?,
                Fen(r.try_get("", "amount")?),
            ))
        })
        .collect()
}

/// The year's figure of the scope's area up to month `last` in ONE statement (the dashboard's 光伏收益分配到
/// 村率): (income of the stations kept in the area, distributed to its villages).
pub async fn year_totals(db: &Db, scope: &Scope, year: i32, last: u32) -> Result<(Fen, Fen)> {
    let Some(area) = county_area(scope, None) else {
        return Ok((Fen(0), Fen(0)));
    };
    let (from, to) = month_range(year, last);
    let mut sql = Sql::new();
    sql.push(
        "SELECT (SELECT CAST(COALESCE(SUM(i.amount_fen), 0) AS BIGINT) FROM pv_income i WHERE i.month >= ",
    )
    .bind(from.clone())
    .push(" AND i.month <= ")
    .bind(to.clone())
    .push_area("i", &area);
    sql.push(
        ") AS income, (SELECT CAST(COALESCE(SUM(d.distributed_fen), 0) AS BIGINT) FROM pv_distributions d \
         WHERE d.month >= ",
    )
    .bind(from)
    .push(" AND d.month <= ")
    .bind(to)
    .push_area("d", &area);
    sql.push(") AS distributed");
    let row = db.conn().query_one_raw(sql.build(db.backend())).await?;
    let Some(r) = row else {
        return Ok((Fen(0), Fen(0)));
    };
    Ok((
        Fen(r.try_get("", "income")?),
        Fen(r.try_get("", "distributed")?),
    ))
}

/// The rows of the 光伏收益分配台账: the distributions of the scope's area (narrowed to `area`) whose month
/// falls in `range` (all when open), with the income of each village's own stations that month.
pub(crate) async fn ledger_rows(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    range: &DateRange,
) -> Result<Vec<Vec<shouwang_core::ledger::Value>>> {
    let from = range
        .from
        .map_or(YearMonth::new(1900, 1), |d| Some(YearMonth::of(d)));
    let to = range
        .to
        .map_or(YearMonth::new(9999, 12), |d| Some(YearMonth::of(d)));
    let (Some(from), Some(to)) = (from, to) else {
        return Ok(Vec::new());
    };
    let rows = distributions(db, scope, area, from, to).await?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let names = super::projects::region_names(db.conn(), &first.county_code).await?;
    let mut income: std::collections::HashMap<(String, YearMonth), Fen> =
        std::collections::HashMap::new();
    let last = rows.last().map_or(first.record.month, |r| r.record.month);
    for y in first.record.month.year()..=last.year() {
        for (place, m, a) in income_by_place(db, scope, area, y, 12).await? {
            *income.entry((place, m)).or_default() += a;
        }
    }
    let mut out = Vec::new();
    for r in &rows {
        let v = &r.record.village;
        let township = format!("{}000", v.get(..9).unwrap_or_default());
        let view = shouwang_core::pv::LedgerDistribution {
            record: &r.record,
            township: names.get(&township).map_or("", String::as_str),
            village: names.get(v).map_or("", String::as_str),
            income: income
                .get(&(v.clone(), r.record.month))
                .copied()
                .unwrap_or_default(),
            recorded_by: &r.recorded_by,
        };
        out.push(shouwang_core::pv::ledger_row(out.len() + 1, &view));
    }
    Ok(out)
}
