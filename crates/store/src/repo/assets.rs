//! 扶贫项目资产 and 管护 (B2, A7, issue 23): the rows of the county's assets, their upkeep records and
//! their disposal steps. Reads are area-scoped in SQL (`push_area` on the asset's village); every write
//! appends its audit row in the same transaction and checks the asset's version (a concurrent change is a
//! `StaleVersion`, never a lost update). The keeper's phone is sealed at rest (`crypto::sealed`) and
//! written to the audit log masked. The rules are `shouwang_core::asset`; the use cases
//! `shouwang_app::assets`.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult};
use serde::Serialize;
use shouwang_core::asset::disposal::DisposalRecord;
use shouwang_core::asset::ledger::{self, LedgerAsset};
use shouwang_core::asset::{
    AssetKind, AssetState, DisposalState, Draft, OwnerKind, Upkeep, mask_phone,
};
use shouwang_core::ledger::{DateRange, LedgerKind, Value};
use shouwang_core::{CodeList, Scope};

use super::area::county_area;
use super::audit::{self, Change};
use super::{Actor, Sql};
use crate::crypto::sealed::KEEPER_PHONE;
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::ids::new_id;

/// A stored asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AssetRow {
    /// Row id (资产编号 is its text).
    pub id: i64,
    /// 县 code.
    pub county_code: String,
    /// 行政村 code (坐落位置).
    pub village_code: String,
    /// The registration (the phone opened).
    pub draft: Draft,
    /// 处置状态 (none: never proposed).
    pub disposal: Option<DisposalState>,
    /// Version (optimistic locking).
    pub version: i64,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A stored record of an asset (an upkeep record, a disposal step).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recorded<T> {
    /// Row id.
    pub id: i64,
    /// The asset.
    pub asset_id: i64,
    /// The record.
    pub record: T,
    /// 录入人 / 办理人.
    pub by: String,
}

/// A stored upkeep record.
pub type UpkeepRow = Recorded<Upkeep>;

/// A stored disposal step.
pub type DisposalRow = Recorded<DisposalRecord>;

/// A filter of [`list`].
#[derive(Clone, Debug, Default)]
pub struct AssetFilter<'a> {
    /// A township or village inside the scope's area.
    pub area: Option<&'a str>,
    /// Only this type.
    pub kind: Option<AssetKind>,
    /// Only this owner.
    pub owner: Option<OwnerKind>,
    /// Only this state.
    pub state: Option<AssetState>,
    /// Only assets whose disposal is in one of these states (empty: all).
    pub disposal: &'a [DisposalState],
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::internal(format!("asset json: {e}")))
}

/// The registration as stored in `body` (no phone: it is sealed in its own column).
fn body(draft: &Draft) -> Result<String> {
    let mut d = draft.clone();
    d.keeper_phone = None;
    json(&d)
}

/// The registration as the audit log keeps it (the phone masked).
fn audited(draft: &Draft, disposal: Option<DisposalState>) -> serde_json::Value {
    let mut d = draft.clone();
    d.keeper_phone = d.keeper_phone.as_deref().map(mask_phone);
    serde_json::json!({ "asset": d, "disposal": disposal.map(|s| s.code()) })
}

/// Writes a new asset and its audit row; returns its id.
pub async fn create(db: &Db, actor: &Actor, county: &str, draft: &Draft) -> Result<i64> {
    let tx = db.begin_write().await?;
    let id = insert(db, &tx, actor, county, draft).await?;
    tx.commit().await?;
    Ok(id)
}

/// 清产核资: writes every asset of `drafts` with its audit row, and one audit row of the import naming
/// the file, in one transaction (all or nothing); their ids in order.
pub async fn create_many(
    db: &Db,
    actor: &Actor,
    county: &str,
    drafts: &[Draft],
    file: &str,
) -> Result<Vec<i64>> {
    let tx = db.begin_write().await?;
    let mut ids = Vec::with_capacity(drafts.len());
    for d in drafts {
        ids.push(insert(db, &tx, actor, county, d).await?);
    }
    audit::append(
        &tx,
        actor,
        Change {
            action: "import",
            entity: "asset_import",
            entity_id: file.to_owned(),
            county_code: Some(county.to_owned()),
            village_code: None,
            before: None,
            after: Some(serde_json::json!({ "file": file, "assets": ids.len() })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ids)
}

/// Inserts a new asset and its audit row in `tx`; its id.
async fn insert(
    db: &Db,
    tx: &DatabaseTransaction,
    actor: &Actor,
    county: &str,
    draft: &Draft,
) -> Result<i64> {
    let keys = db.keys();
    let phone = keys.seal_opt(draft.keeper_phone.as_deref(), KEEPER_PHONE)?;
    let key_version = i32::from(keys.current()?);
    let id = new_id();
    let now = Utc::now();
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO assets (county_code, id, village_code, name, kind, owner_kind, state, disposal_state, \
         year_formed, original_value, project_id, upkeep_months, body, keeper_phone, key_version, version, \
         created_at, updated_at) VALUES (",
    )
    .bind(county)
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(draft.village.as_str())
    .push(", ")
    .bind(draft.name.as_str())
    .push(", ")
    .bind(draft.kind.code())
    .push(", ")
    .bind(draft.owner_kind.code())
    .push(", ")
    .bind(draft.state.code())
    .push(", NULL, ")
    .bind(draft.year)
    .push(", ")
    .bind(draft.value.0)
    .push(", ")
    .bind(draft.project)
    .push(", ")
    .bind(draft.upkeep_months.and_then(|m| i32::try_from(m).ok()))
    .push(", ")
    .bind(body(draft)?)
    .push(", ")
    .bind(phone)
    .push(", ")
    .bind(key_version)
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
            entity: "asset",
            entity_id: id.to_string(),
            county_code: Some(county.to_owned()),
            village_code: Some(draft.village.clone()),
            before: None,
            after: Some(audited(draft, None)),
        },
    )
    .await?;
    Ok(id)
}

/// Sets the asset read as `row` to `draft` and `disposal`, bumping its version; `StaleVersion` when it
/// changed since `row` was read.
async fn bump(
    db: &Db,
    tx: &DatabaseTransaction,
    row: &AssetRow,
    draft: &Draft,
    disposal: Option<DisposalState>,
) -> Result<()> {
    let keys = db.keys();
    let phone = keys.seal_opt(draft.keeper_phone.as_deref(), KEEPER_PHONE)?;
    let mut sql = Sql::new();
    sql.push("UPDATE assets SET version = version + 1, name = ")
        .bind(draft.name.as_str())
        .push(", village_code = ")
        .bind(draft.village.as_str())
        .push(", kind = ")
        .bind(draft.kind.code())
        .push(", owner_kind = ")
        .bind(draft.owner_kind.code())
        .push(", state = ")
        .bind(draft.state.code())
        .push(", disposal_state = ")
        .bind(disposal.map(|s| s.code()))
        .push(", year_formed = ")
        .bind(draft.year)
        .push(", original_value = ")
        .bind(draft.value.0)
        .push(", project_id = ")
        .bind(draft.project)
        .push(", upkeep_months = ")
        .bind(draft.upkeep_months.and_then(|m| i32::try_from(m).ok()))
        .push(", body = ")
        .bind(body(draft)?)
        .push(", keeper_phone = ")
        .bind(phone)
        .push(", key_version = ")
        .bind(i32::from(keys.current()?))
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE county_code = ")
        .bind(row.county_code.as_str())
        .push(" AND id = ")
        .bind(row.id)
        .push(" AND version = ")
        .bind(row.version);
    let done = tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::StaleVersion {
            expected: row.version,
            found: row.version + 1,
        });
    }
    Ok(())
}

/// Changes the registration of the asset read as `row`, with one audit row.
pub async fn update(db: &Db, actor: &Actor, row: &AssetRow, draft: &Draft) -> Result<()> {
    let tx = db.begin_write().await?;
    bump(db, &tx, row, draft, row.disposal).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "update",
            entity: "asset",
            entity_id: row.id.to_string(),
            county_code: Some(row.county_code.clone()),
            village_code: Some(row.village_code.clone()),
            before: Some(audited(&row.draft, row.disposal)),
            after: Some(audited(draft, row.disposal)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Inserts a record row (upkeep or disposal step) of the asset `row`: `cols` are the table's three own
/// columns with their values already bound in `vals` order (a code, a code or amount, a date).
#[allow(clippy::too_many_arguments)]
async fn insert_record(
    tx: &DatabaseTransaction,
    actor: &Actor,
    row: &AssetRow,
    table: &str,
    cols: &str,
    first: &str,
    second: sea_orm::Value,
    on: NaiveDate,
    body: String,
) -> Result<i64> {
    let id = new_id();
    let mut sql = Sql::new();
    sql.push(&format!(
        "INSERT INTO {table} (county_code, id, asset_id, village_code, {cols}, body, by_user, by_name, \
         created_at) VALUES ("
    ))
    .bind(row.county_code.as_str())
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(row.id)
    .push(", ")
    .bind(row.village_code.as_str())
    .push(", ")
    .bind(first)
    .push(", ")
    .bind(second)
    .push(", ")
    .bind(on.to_string())
    .push(", ")
    .bind(body)
    .push(", ")
    .bind(actor.user_id)
    .push(", ")
    .bind(actor.name.clone())
    .push(", ")
    .bind(Utc::now())
    .push(")");
    tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    Ok(id)
}

/// Records an upkeep of the asset read as `row` (its version bumped), with its audit row; its id.
pub async fn record_upkeep(db: &Db, actor: &Actor, row: &AssetRow, upkeep: &Upkeep) -> Result<i64> {
    let tx = db.begin_write().await?;
    bump(db, &tx, row, &row.draft, row.disposal).await?;
    let id = insert_record(
        &tx,
        actor,
        row,
        "asset_upkeep",
        "kind, cost, done_on",
        upkeep.kind.code(),
        upkeep.cost.0.into(),
        upkeep.on,
        json(upkeep)?,
    )
    .await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "create",
            entity: "asset_upkeep",
            entity_id: id.to_string(),
            county_code: Some(row.county_code.clone()),
            village_code: Some(row.village_code.clone()),
            before: None,
            after: Some(serde_json::json!({ "asset": row.id.to_string(), "upkeep": upkeep })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records a disposal step of the asset read as `row`: its new disposal state (and 已处置 when approved),
/// the step and one audit row. `StaleVersion` when the asset changed since.
pub async fn dispose_step(
    db: &Db,
    actor: &Actor,
    row: &AssetRow,
    state: DisposalState,
    record: &DisposalRecord,
) -> Result<()> {
    let mut draft = row.draft.clone();
    if state == DisposalState::Approved {
        draft.state = AssetState::Disposed;
    }
    let tx = db.begin_write().await?;
    bump(db, &tx, row, &draft, Some(state)).await?;
    insert_record(
        &tx,
        actor,
        row,
        "asset_disposal_steps",
        "step, decision, taken_on",
        record.step.code(),
        record.decision.code().into(),
        record.on,
        json(record)?,
    )
    .await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "update",
            entity: "asset",
            entity_id: row.id.to_string(),
            county_code: Some(row.county_code.clone()),
            village_code: Some(row.village_code.clone()),
            before: Some(audited(&row.draft, row.disposal)),
            after: Some(serde_json::json!({
                "asset": audited(&draft, Some(state)),
                "step": record,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn asset_row(db: &Db, r: &QueryResult) -> Result<AssetRow> {
    let text: String = r.try_get("", "body")?;
    let mut draft: Draft =
        serde_json::from_str(&text).map_err(|e| StoreError::corrupt(format!("asset: {e}")))?;
    let phone: Option<String> = r.try_get("", "keeper_phone")?;
    let key_version: i32 = r.try_get("", "key_version")?;
    draft.keeper_phone = db
        .keys()
        .open_opt(phone.as_deref(), KEEPER_PHONE, key_version)?;
    // The columns are the truth of what SQL filters on.
    draft.state = super::parse_code(r, "state")?;
    let disposal: Option<String> = r.try_get("", "disposal_state")?;
    Ok(AssetRow {
        id: r.try_get("", "id")?,
        county_code: r.try_get("", "county_code")?,
        village_code: r.try_get("", "village_code")?,
        draft,
        disposal: disposal
            .map(|s| {
                DisposalState::from_code(&s)
                    .ok_or_else(|| StoreError::corrupt(format!("disposal_state {s:?}")))
            })
            .transpose()?,
        version: r.try_get("", "version")?,
        created_at: r.try_get("", "created_at")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}

/// The assets of the scope's area (filtered), newest first.
pub async fn list(db: &Db, scope: &Scope, filter: &AssetFilter<'_>) -> Result<Vec<AssetRow>> {
    let Some(area) = county_area(scope, filter.area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT a.* FROM assets a WHERE 1 = 1")
        .push_area("a", &area);
    if let Some(k) = filter.kind {
        sql.push(" AND a.kind = ").bind(k.code());
    }
    if let Some(o) = filter.owner {
        sql.push(" AND a.owner_kind = ").bind(o.code());
    }
    if let Some(s) = filter.state {
        sql.push(" AND a.state = ").bind(s.code());
    }
    if !filter.disposal.is_empty() {
        sql.push(" AND a.disposal_state IN (");
        for (i, s) in filter.disposal.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(s.code());
        }
        sql.push(")");
    }
    sql.push(" ORDER BY a.id DESC");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(|r| asset_row(db, r)).collect()
}

/// The asset `id` if it lies in the scope's area.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Option<AssetRow>> {
    let Some(area) = county_area(scope, None) else {
        return Ok(None);
    };
    let mut sql = Sql::new();
    sql.push("SELECT a.* FROM assets a WHERE a.id = ")
        .bind(id)
        .push_area("a", &area);
    db.conn()
        .query_one_raw(sql.build(db.backend()))
        .await?
        .as_ref()
        .map(|r| asset_row(db, r))
        .transpose()
}

/// The rows of a record table (`asset_upkeep`, `asset_disposal_steps`) of the scope's area (narrowed to
/// `area`; only asset `id` when given), by asset and `order`.
async fn records<T: serde::de::DeserializeOwned>(
    db: &Db,
    scope: &Scope,
    table: &str,
    area: Option<&str>,
    id: Option<i64>,
    order: &str,
) -> Result<Vec<Recorded<T>>> {
    let Some(area) = county_area(scope, area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(&format!(
        "SELECT r.id, r.asset_id, r.body, r.by_name FROM {table} r WHERE 1 = 1"
    ))
    .push_area("r", &area);
    if let Some(id) = id {
        sql.push(" AND r.asset_id = ").bind(id);
    }
    sql.push(&format!(" ORDER BY r.asset_id, {order}, r.id"));
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| {
            let body: String = r.try_get("", "body")?;
            Ok(Recorded {
                id: r.try_get("", "id")?,
                asset_id: r.try_get("", "asset_id")?,
                record: serde_json::from_str(&body)
                    .map_err(|e| StoreError::corrupt(format!("{table}: {e}")))?,
                by: r.try_get("", "by_name")?,
            })
        })
        .collect()
}

/// The upkeep records of the scope's area (narrowed to `area`; only asset `id` when given), by asset and
/// date.
pub async fn upkeeps(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    id: Option<i64>,
) -> Result<Vec<UpkeepRow>> {
    records(db, scope, "asset_upkeep", area, id, "r.done_on").await
}

/// The disposal steps of the asset `id` in the scope's area, in order.
pub async fn disposal_steps(db: &Db, scope: &Scope, id: i64) -> Result<Vec<DisposalRow>> {
    records(db, scope, "asset_disposal_steps", None, Some(id), "r.id").await
}

/// An asset under an upkeep plan, with the date of its last upkeep (管护到期提醒).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Planned {
    /// The asset.
    pub id: i64,
    /// 资产名称.
    pub name: String,
    /// 行政村 code.
    pub village_code: String,
    /// 行政村 name.
    pub village_name: String,
    /// 管护周期 (months).
    pub months: u32,
    /// 最近管护日期 (none: never).
    pub last: Option<NaiveDate>,
    /// Registered (the plan's start when nothing was recorded).
    pub since: NaiveDate,
}

/// The assets of the scope's area under an upkeep plan and not disposed, each with its last upkeep date:
/// one statement (the 工作台's overdue upkeep), the village's name joined.
pub async fn planned(db: &Db, scope: &Scope) -> Result<Vec<Planned>> {
    let Some(area) = county_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(
        "SELECT a.id, a.name, a.village_code, g.name AS village_name, a.upkeep_months, a.created_at, \
         (SELECT MAX(u.done_on) FROM asset_upkeep u WHERE u.county_code = a.county_code \
         AND u.asset_id = a.id) AS last_on FROM assets a LEFT JOIN regions g ON g.code = a.village_code \
         WHERE a.upkeep_months IS NOT NULL AND a.state <> ",
    )
    .bind(AssetState::Disposed.code())
    .push_area("a", &area);
    sql.push(" ORDER BY a.village_code, a.id");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| {
            let months: i32 = r.try_get("", "upkeep_months")?;
            let last: Option<String> = r.try_get("", "last_on")?;
            let created: DateTime<Utc> = r.try_get("", "created_at")?;
            Ok(Planned {
                id: r.try_get("", "id")?,
                name: r.try_get("", "name")?,
                village_code: r.try_get("", "village_code")?,
                village_name: r
                    .try_get::<Option<String>>("", "village_name")?
                    .unwrap_or_default(),
                months: u32::try_from(months).map_err(|_| StoreError::corrupt(months))?,
                last: last
                    .map(|s| s.parse::<NaiveDate>())
                    .transpose()
                    .map_err(|e| StoreError::corrupt(format!("last_on: {e}")))?,
                since: created.date_naive(),
            })
        })
        .collect()
}

/// The rows of the 扶贫项目资产台账 (every asset of the area: a register's state now) or the 资产管护台账
/// (upkeep records dated in `range`) of the scope's area (narrowed to `area`); the keeper's phone masked
/// unless `full` (a role that sees personal data, asking for it).
pub(crate) async fn ledger_rows(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    kind: LedgerKind,
    range: &DateRange,
    full: bool,
) -> Result<Vec<Vec<Value>>> {
    let filter = AssetFilter {
        area,
        ..Default::default()
    };
    let assets = list(db, scope, &filter).await?;
    let Some(first) = assets.first() else {
        return Ok(Vec::new());
    };
    let names = super::projects::region_names(db.conn(), &first.county_code).await?;
    let mut kept: HashMap<i64, Vec<Upkeep>> = HashMap::new();
    for u in upkeeps(db, scope, area, None).await? {
        kept.entry(u.asset_id).or_default().push(u.record);
    }
    let mut out = Vec::new();
    // Oldest first.
    for a in assets.iter().rev() {
        let number = a.id.to_string();
        let mut draft = a.draft.clone();
        if !full {
            draft.keeper_phone = draft.keeper_phone.as_deref().map(mask_phone);
        }
        let township = format!("{}000", a.village_code.get(..9).unwrap_or_default());
        let view = LedgerAsset {
            number: &number,
            draft: &draft,
            disposal: a.disposal,
            township: names.get(&township).map_or("", String::as_str),
            village: names.get(&a.village_code).map_or("", String::as_str),
            upkeeps: kept.get(&a.id).map_or(&[][..], Vec::as_slice),
        };
        if kind == LedgerKind::AssetUpkeep {
            for u in view.upkeeps.iter().filter(|u| range.contains(u.on)) {
                out.push(ledger::upkeep_row(out.len() + 1, &view, u));
            }
        } else {
            out.push(ledger::asset_row(out.len() + 1, &view));
        }
    }
    Ok(out)
}
