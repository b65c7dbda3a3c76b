//! 登记簿 (issue 21): the subjects of a register — the registry's households of an area with their members,
//! region names and latest case, from which the core derives the scope ([`subjects`]) — and the periodic
//! records of every register in one table `register_records` (one row per county, register, household and
//! period; the record itself as JSON). Reads are area-scoped in SQL; every write appends its audit row in
//! the same transaction. The use cases (scope, visit, overdue, ledger) are `shouwang_app::registers`.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QueryResult,
};
use serde::Serialize;
use shouwang_core::codes::MonitoredType;
use shouwang_core::ledger::{DateRange, Value};
use shouwang_core::monitoring::Lifecycle;
use shouwang_core::register::RegisterKind;
use shouwang_core::registry::RegionNames;
use shouwang_core::{CodeList, Household, Scope};

use super::area::{Area, county_area, effective_area};
use super::audit::{self, Change};
use super::households::{open_household, open_member, to_household};
use super::{Actor, Sql};
use crate::crypto::Keys;
use crate::db::Db;
use crate::entity::{households, members, regions};
use crate::error::{Result, StoreError};
use crate::ids::new_id;

const CHUNK: usize = 500;

/// A household of the registry as a register sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// The household's row id (the registry's).
    pub household_id: i64,
    /// 县 code.
    pub county_code: String,
    /// 行政村 code.
    pub village_code: String,
    /// The household with its members now.
    pub household: Household,
    /// Region names.
    pub names: RegionNames,
    /// The state of its latest case (none: never a case).
    pub lifecycle: Option<Lifecycle>,
    /// 监测对象类别 as the registry keeps it.
    pub monitored_type: Option<MonitoredType>,
}

/// A stored periodic record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordRow {
    /// Row id.
    pub id: i64,
    /// The household's row id.
    pub household_id: i64,
    /// 户编号.
    pub household_number: String,
    /// 行政村 code.
    pub village_code: String,
    /// The period (`2026-06`, `2026-Q2`).
    pub period: String,
    /// The record's date.
    pub recorded_on: NaiveDate,
    /// Who recorded it.
    pub recorded_by: String,
    /// The record (the register's own shape).
    pub body: serde_json::Value,
}

/// A household of the county by 户编号, wherever it lies: (row id, village code). The use case tells a
/// household outside the caller's village (403) from none at all (404).
pub async fn locate(
    conn: &impl ConnectionTrait,
    county: &str,
    number: &str,
) -> Result<Option<(i64, String)>> {
    let mut sql = Sql::new();
    sql.push("SELECT id, village_code FROM households WHERE county_code = ")
        .bind(county)
        .push(" AND number = ")
        .bind(number.trim());
    let row = conn
        .query_one_raw(sql.build(conn.get_database_backend()))
        .await?;
    row.map(|r| Ok((r.try_get("", "id")?, r.try_get("", "village_code")?)))
        .transpose()
}

/// The households of the scope's area (narrowed to `area`, a region inside it; nothing outside it), by
/// village and 户编号, with members, names and latest case; only `number` when given.
pub async fn subjects(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    number: Option<&str>,
) -> Result<Vec<Subject>> {
    let Some(area) = effective_area(scope, area) else {
        return Ok(Vec::new());
    };
    if area.county().is_none() {
        return Ok(Vec::new());
    }
    subjects_in(db.conn(), db.keys(), &area, number, false).await
}

/// [`subjects`] narrowed to the relocated households (是否易地扶贫搬迁户) in the query: the 易地搬迁后续扶持
/// register's scope (§三(三)).
pub async fn relocated_subjects(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    number: Option<&str>,
) -> Result<Vec<Subject>> {
    let Some(area) = county_area(scope, area) else {
        return Ok(Vec::new());
    };
    subjects_in(db.conn(), db.keys(), &area, number, true).await
}

async fn subjects_in(
    conn: &impl ConnectionTrait,
    keys: &Keys,
    area: &Area,
    number: Option<&str>,
    relocated_only: bool,
) -> Result<Vec<Subject>> {
    let backend = conn.get_database_backend();
    let mut sql = Sql::new();
    sql.push("SELECT h.* FROM households h WHERE 1 = 1")
        .push_household_area(area);
    if relocated_only {
        sql.push(" AND h.is_relocated = ").bind(true);
    }
    if let Some(n) = number {
        sql.push(" AND h.number = ").bind(n.trim());
    }
    sql.push(" ORDER BY h.village_code, h.number");
    let hs = households::Entity::find()
        .from_raw_sql(sql.build(backend))
        .all(conn)
        .await?
        .into_iter()
        .map(|h| open_household(keys, h))
        .collect::<Result<Vec<_>>>()?;
    let Some(first) = hs.first() else {
        return Ok(Vec::new());
    };
    let county = first.county_code.clone();
    let ids: Vec<i64> = hs.iter().map(|h| h.id).collect();
    let mut ms: HashMap<i64, Vec<members::Model>> = HashMap::new();
    let mut cases: HashMap<i64, Lifecycle> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        for m in members::Entity::find()
            .filter(members::Column::CountyCode.eq(county.as_str()))
            .filter(members::Column::HouseholdId.is_in(chunk.to_vec()))
            .order_by_asc(members::Column::Position)
            .order_by_asc(members::Column::Id)
            .all(conn)
            .await?
        {
            ms.entry(m.household_id)
                .or_default()
                .push(open_member(keys, m)?);
        }
        let mut q = Sql::new();
        q.push("SELECT household_id, lifecycle FROM cases WHERE county_code = ")
            .bind(county.as_str())
            .push(" AND household_id IN (");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(*id);
        }
        q.push(") ORDER BY household_id, seq");
        for r in conn.query_all_raw(q.build(backend)).await? {
            let lifecycle: String = r.try_get("", "lifecycle")?;
            let lifecycle = Lifecycle::from_code(&lifecycle)
                .ok_or_else(|| StoreError::corrupt(format!("lifecycle {lifecycle:?}")))?;
            cases.insert(r.try_get("", "household_id")?, lifecycle);
        }
    }
    let names: HashMap<String, String> = regions::Entity::find()
        .filter(regions::Column::CountyCode.eq(county.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.code, r.name))
        .collect();
    let name = |code: &str| names.get(code).cloned().unwrap_or_default();
    let mut out = Vec::with_capacity(hs.len());
    for h in &hs {
        let household = to_household(h, ms.get(&h.id).map_or(&[][..], Vec::as_slice))?;
        out.push(Subject {
            household_id: h.id,
            county_code: h.county_code.clone(),
            village_code: h.village_code.clone(),
            names: RegionNames {
                county: name(&format!("{}000000", h.county_code)),
                township: name(&format!("{}000", h.township_code)),
                village: name(&h.village_code),
                natural_village: h.natural_village.as_deref().map(name).unwrap_or_default(),
            },
            lifecycle: cases.get(&h.id).copied(),
            monitored_type: household.monitored_type,
            household,
        });
    }
    Ok(out)
}

/// A record to write ([`insert_on`]).
#[derive(Clone, Debug)]
pub struct NewRecord<'a> {
    /// The register.
    pub register: RegisterKind,
    /// 县 code.
    pub county: &'a str,
    /// The household's row id.
    pub household_id: i64,
    /// 户编号.
    pub household_number: &'a str,
    /// 行政村 code.
    pub village: &'a str,
    /// The period (`2026-06`).
    pub period: &'a str,
    /// The record's date.
    pub recorded_on: NaiveDate,
    /// The record.
    pub body: serde_json::Value,
}

/// Writes a record on `tx` with its audit row (`create register_record`); a second record of the same
/// household, register and period is a `Conflict` (`本户2026-06已有走访记录`). Returns the row id.
pub async fn insert_on(tx: &DatabaseTransaction, actor: &Actor, r: &NewRecord<'_>) -> Result<i64> {
    let id = new_id();
    let body = without_names(&r.body);
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO register_records (county_code, id, register, household_id, village_code, \
         household_number, period, recorded_on, body, recorded_by, recorded_by_name, created_at) VALUES (",
    )
    .bind(r.county)
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(r.register.code())
    .push(", ")
    .bind(r.household_id)
    .push(", ")
    .bind(r.village)
    .push(", ")
    .bind(r.household_number)
    .push(", ")
    .bind(r.period)
    .push(", ")
    .bind(r.recorded_on.to_string())
    .push(", ")
    .bind(body.to_string())
    .push(", ")
    .bind(actor.user_id)
    .push(", ")
    .bind(actor.name.clone())
    .push(", ")
    .bind(Utc::now())
    .push(")");
    tx.execute_raw(sql.build(tx.get_database_backend()))
        .await
        .map_err(|e| match StoreError::from_write(e, "记录", "Record") {
            StoreError::Conflict { .. } => StoreError::conflict(
                format!(
                    "本户{}已有{}，不能重复登记",
                    r.period,
                    r.register.record_zh()
                ),
                format!(
                    "The household already has its record of {} in this register",
                    r.period
                ),
            ),
            other => other,
        })?;
    audit::append(
        tx,
        actor,
        Change {
            action: "create",
            entity: "register_record",
            entity_id: id.to_string(),
            county_code: Some(r.county.to_owned()),
            village_code: Some(r.village.to_owned()),
            before: None,
            after: Some(serde_json::json!({
                "register": r.register.code(),
                "household": r.household_number,
                "period": r.period,
                "record": body,
            })),
        },
    )
    .await?;
    Ok(id)
}

/// The records of `register` in the scope's area (narrowed to `area`; only `number` when given) whose
/// period lies in `first..=last` (periods compare as text: `2026-01` … `2026-12`), by village, 户编号 and
/// period.
pub async fn list(
    db: &Db,
    scope: &Scope,
    register: RegisterKind,
    area: Option<&str>,
    number: Option<&str>,
    first: &str,
    last: &str,
) -> Result<Vec<RecordRow>> {
    let Some(area) = county_area(scope, area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(
        "SELECT r.id, r.household_id, r.household_number, r.village_code, r.period, r.recorded_on, \
         r.recorded_by_name, r.body FROM register_records r WHERE 1 = 1",
    );
    // A grid member's area tells the records by their household (网格化管理: `Area::Grid`).
    if scope.grid().is_some() {
        sql.push_area_by_village("r", &area);
    } else {
        sql.push_area("r", &area);
    }
    sql.push(" AND r.register = ")
        .bind(register.code())
        .push(" AND r.period >= ")
        .bind(first)
        .push(" AND r.period <= ")
        .bind(last);
    if let Some(n) = number {
        sql.push(" AND r.household_number = ").bind(n.trim());
    }
    sql.push(" ORDER BY r.village_code, r.household_number, r.period");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    let mut rows = rows.iter().map(record_row).collect::<Result<Vec<_>>>()?;
    with_names(db, &mut rows).await?;
    Ok(rows)
}

/// The record as stored: the members' names left out of its `workers` (a member is named by its
/// `position`; the registry keeps the name sealed, issue 19, so no plain copy of it lies in a record or
/// its audit row).
fn without_names(body: &serde_json::Value) -> serde_json::Value {
    let mut body = body.clone();
    if let Some(workers) = body
        .get_mut("workers")
        .and_then(serde_json::Value::as_array_mut)
    {
        for w in workers {
            if let Some(w) = w.as_object_mut() {
                w.insert("name".into(), serde_json::Value::String(String::new()));
            }
        }
    }
    body
}

/// The members' names put back into the `workers` of records read ([`without_names`]), from the
/// registry's sealed names (one statement per 500 households with such records).
async fn with_names(db: &Db, rows: &mut [RecordRow]) -> Result<()> {
    let mut ids: Vec<i64> = rows
        .iter()
        .filter(|r| {
            r.body
                .get("workers")
                .is_some_and(serde_json::Value::is_array)
        })
        .map(|r| r.household_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut names: HashMap<(i64, i64), String> = HashMap::new();
    for chunk in ids.chunks(500) {
        let members = members::Entity::find()
            .filter(members::Column::HouseholdId.is_in(chunk.iter().copied()))
            .all(db.conn())
            .await?;
        for m in members {
            let name =
                db.keys()
                    .open_name(&m.name, crate::crypto::sealed::MEMBER_NAME, m.names_plain)?;
            names.insert((m.household_id, i64::from(m.position)), name);
        }
    }
    for r in rows.iter_mut() {
        let household = r.household_id;
        let Some(workers) = r
            .body
            .get_mut("workers")
            .and_then(serde_json::Value::as_array_mut)
        else {
            continue;
        };
        for w in workers {
            let Some(position) = w.get("position").and_then(serde_json::Value::as_i64) else {
                continue;
            };
            if let (Some(name), Some(w)) = (names.get(&(household, position)), w.as_object_mut()) {
                w.insert("name".into(), serde_json::Value::String(name.clone()));
            }
        }
    }
    Ok(())
}

fn record_row(r: &QueryResult) -> Result<RecordRow> {
    let body: String = r.try_get("", "body")?;
    let on: String = r.try_get("", "recorded_on")?;
    Ok(RecordRow {
        id: r.try_get("", "id")?,
        household_id: r.try_get("", "household_id")?,
        household_number: r.try_get("", "household_number")?,
        village_code: r.try_get("", "village_code")?,
        period: r.try_get("", "period")?,
        recorded_on: on
            .parse()
            .map_err(|e| StoreError::corrupt(format!("record date {on:?}: {e}")))?,
        recorded_by: r.try_get("", "recorded_by_name")?,
        body: serde_json::from_str(&body)
            .map_err(|e| StoreError::corrupt(format!("register record: {e}")))?,
    })
}

/// The records of `register` in the scope's area (narrowed to `area`) dated in `range` (`date_of`: the
/// record's date), by household row id, each with its recorder's name.
async fn records_in_range<T: serde::de::DeserializeOwned>(
    db: &Db,
    scope: &Scope,
    register: RegisterKind,
    area: Option<&str>,
    range: &DateRange,
    date_of: impl Fn(&T) -> NaiveDate,
) -> Result<HashMap<i64, Vec<(T, String)>>> {
    let mut out: HashMap<i64, Vec<(T, String)>> = HashMap::new();
    for r in list(db, scope, register, area, None, "0000", "9999").await? {
        let v: T = serde_json::from_value(r.body)
            .map_err(|e| StoreError::corrupt(format!("{} record: {e}", register.code())))?;
        if range.contains(date_of(&v)) {
            out.entry(r.household_id)
                .or_default()
                .push((v, r.recorded_by));
        }
    }
    Ok(out)
}

/// One ledger row per record of a subject in `records`, or one row without a record (`row(seq, record)`).
fn rows_per_record<T>(
    out: &mut Vec<Vec<Value>>,
    records: Option<&Vec<(T, String)>>,
    mut row: impl FnMut(usize, Option<(&T, &str)>) -> Vec<Value>,
) {
    match records {
        Some(rs) => {
            for (v, by) in rs {
                let seq = out.len() + 1;
                out.push(row(seq, Some((v, by.as_str()))));
            }
        }
        None => {
            let seq = out.len() + 1;
            out.push(row(seq, None));
        }
    }
}

/// The rows of the 低收入人口台账 of the scope's area (narrowed to `area`): every household in scope (the
/// county's rules) with one row per visit dated in `range`, or one row without a visit.
pub(crate) async fn low_income_rows(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    range: &DateRange,
    full_ids: bool,
    today: NaiveDate,
) -> Result<Vec<Vec<Value>>> {
    use shouwang_core::register::low_income::{self, CaseFacts, Visit};
    let subjects = subjects(db, scope, area, None).await?;
    let Some(first) = subjects.first() else {
        return Ok(Vec::new());
    };
    let rules = super::rules::get(db, &first.county_code)
        .await?
        .rules
        .low_income;
    let visits = records_in_range(
        db,
        scope,
        RegisterKind::LowIncome,
        area,
        range,
        |v: &Visit| v.visited_on,
    )
    .await?;
    let mut out = Vec::new();
    for s in &subjects {
        let facts = CaseFacts::of(s.lifecycle, s.monitored_type);
        let reasons = low_income::reasons(&s.household, facts, today, &rules);
        if reasons.is_empty() {
            continue;
        }
        rows_per_record(&mut out, visits.get(&s.household_id), |seq, v| {
            low_income::ledger_row(seq, &s.household, &s.names, &reasons, v, full_ids)
        });
    }
    Ok(out)
}

/// The rows of the 易地搬迁后续扶持台账 of the scope's area (narrowed to `area`): every relocated household
/// with one row per screening dated in `range`, or one row without a screening.
pub(crate) async fn relocation_rows(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    range: &DateRange,
    full_ids: bool,
    today: NaiveDate,
) -> Result<Vec<Vec<Value>>> {
    use shouwang_core::register::relocation::{self, Screening};
    let subjects = relocated_subjects(db, scope, area, None).await?;
    let screenings = records_in_range(
        db,
        scope,
        RegisterKind::Relocation,
        area,
        range,
        |s: &Screening| s.screened_on,
    )
    .await?;
    let mut out = Vec::new();
    for s in &subjects {
        rows_per_record(&mut out, screenings.get(&s.household_id), |seq, v| {
            relocation::ledger_row(seq, &s.household, &s.names, v, today, full_ids)
        });
    }
    Ok(out)
}

/// The rows of the 劳动力就业台账 of the scope's area (narrowed to `area`): every household with labour on
/// `today` (§四(一)) with one row per monthly record dated in `range`, or one row without a record.
pub(crate) async fn labour_rows(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    range: &DateRange,
    full_ids: bool,
    today: NaiveDate,
) -> Result<Vec<Vec<Value>>> {
    use shouwang_core::register::labour::{self, MonthlyRecord};
    let subjects = subjects(db, scope, area, None).await?;
    let records = records_in_range(
        db,
        scope,
        RegisterKind::Labour,
        area,
        range,
        |r: &MonthlyRecord| r.recorded_on,
    )
    .await?;
    let mut out = Vec::new();
    for s in &subjects {
        if shouwang_core::register::labour_members(&s.household, today).is_empty() {
            continue;
        }
        rows_per_record(&mut out, records.get(&s.household_id), |seq, r| {
            labour::ledger_row(seq, &s.household, &s.names, r, today, full_ids)
        });
    }
    Ok(out)
}

/// The rows of the 三保障和饮水安全排查台账 of the scope's area (narrowed to `area`): every household of the
/// registry with one row per check dated in `range`, or one row without a check (未排查) (§三(四)2
/// "建立……问题排查整改台账").
pub(crate) async fn campaign_rows(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    range: &DateRange,
    full_ids: bool,
) -> Result<Vec<Vec<Value>>> {
    use shouwang_core::register::campaign::{self, Check};
    let subjects = subjects(db, scope, area, None).await?;
    let checks = records_in_range(
        db,
        scope,
        RegisterKind::Campaign,
        area,
        range,
        |c: &Check| c.checked_on,
    )
    .await?;
    let mut out = Vec::new();
    for s in &subjects {
        rows_per_record(&mut out, checks.get(&s.household_id), |seq, c| {
            campaign::ledger_row(seq, &s.household, &s.names, c, full_ids)
        });
    }
    Ok(out)
}

/// 脱贫劳动力务工就业人数 of the 劳动力就业 records of the scope's area (narrowed to `area`) in `periods`
/// (`2026-11`): (village code, period, the sum of the records' `alleviated_employed`), by village and
/// period — one statement, the sum taken in the database from the record's JSON.
pub async fn labour_employed(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    periods: &[String],
) -> Result<Vec<(String, String, i64)>> {
    let Some(area) = county_area(scope, area) else {
        return Ok(Vec::new());
    };
    if periods.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.backend();
    let count = match backend {
        sea_orm::DbBackend::Postgres => {
            "CAST(SUM(CAST(CAST(r.body AS json) ->> 'alleviated_employed' AS BIGINT)) AS BIGINT)"
        }
        _ => "CAST(SUM(json_extract(r.body, '$.alleviated_employed')) AS INTEGER)",
    };
    let mut sql = Sql::new();
    sql.push("SELECT r.village_code, r.period, ")
        .push(count)
        .push(" AS n FROM register_records r WHERE 1 = 1")
        .push_area("r", &area)
        .push(" AND r.register = ")
        .bind(RegisterKind::Labour.code())
        .push(" AND r.period IN (");
    for (i, p) in periods.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(p.as_str());
    }
    sql.push(") GROUP BY r.village_code, r.period ORDER BY r.village_code, r.period");
    let rows = db.conn().query_all_raw(sql.build(backend)).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "village_code")?,
                r.try_get("", "period")?,
                r.try_get::<Option<i64>>("", "n")?.unwrap_or(0),
            ))
        })
        .collect()
}
