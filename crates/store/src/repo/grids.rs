//! 网格化管理 (B6, issue 22; §四(六)): the grids of each 行政村 (`grids`; the 网格长 and 网格员 with their phones
//! sealed as one JSON in `people`, `crypto::sealed::GRID_PEOPLE`) and the one grid of each household
//! (`grid_households`, keyed by the household: a household moved to another grid leaves the first). Reads
//! are area-scoped in SQL; a write checks the version (乐观锁) and appends its audit row (phones masked) in
//! the same transaction. The rules are `shouwang_core::grid`; the use cases `shouwang_app::grids`.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, QueryResult};
use serde::Serialize;
use shouwang_core::Scope;
use shouwang_core::grid::{GridDraft, GridPerson, ledger_row};
use shouwang_core::ledger::{DateRange, Value};

use super::area::{Area, county_area};
use super::audit::{self, Change};
use super::{Actor, Sql, to_json};
use crate::crypto::sealed::{GRID_PEOPLE, HEAD_NAME};
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::ids::new_id;

/// A stored grid.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GridRow {
    /// 县 code.
    pub county_code: String,
    /// Id.
    pub id: i64,
    /// 网格编号: its number in the village (1, 2, …); a grid member's area is `<village>/<seq>`.
    pub seq: i64,
    /// The grid (village, name, 党支部, 网格长, 网格员; phones in full: the caller masks them).
    pub draft: GridDraft,
    /// Households in the grid.
    pub households: i64,
    /// Version for optimistic locking.
    pub version: i64,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// The people of a grid as sealed in `people`.
#[derive(serde::Serialize, serde::Deserialize)]
struct People {
    leader: GridPerson,
    members: Vec<GridPerson>,
}

/// A household of a village with its grid, for the grid page (分配农户).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GridHousehold {
    /// The household's id.
    pub id: i64,
    /// 户编号.
    pub number: String,
    /// 户主姓名.
    pub head_name: String,
    /// Its grid (`None`: in no grid, 未划入网格).
    pub grid_id: Option<i64>,
}

/// A village's figures for the dashboard: households, households in a grid, grids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VillageGrids {
    /// 行政村 code.
    pub village_code: String,
    /// 农户总数.
    pub households: i64,
    /// Households in a grid (已划入网格).
    pub with_grid: i64,
}

/// The area of a read by `scope` (narrowed to `area`), inside one county; `None` reads nothing.
fn scoped(scope: &Scope, area: Option<&str>) -> Option<Area> {
    county_area(scope, area.map(str::trim).filter(|a| !a.is_empty()))
}

fn masked(d: &GridDraft) -> GridDraft {
    d.shown(false)
}

fn grid_row(db: &Db, r: &QueryResult) -> Result<GridRow> {
    let key_version: i32 = r.try_get("", "key_version")?;
    let sealed: String = r.try_get("", "people")?;
    let people: People =
        serde_json::from_str(&db.keys().open(&sealed, GRID_PEOPLE, key_version)?)
            .map_err(|e| StoreError::corrupt(format!("grids.people: {e}")))?;
    Ok(GridRow {
        county_code: r.try_get("", "county_code")?,
        id: r.try_get("", "id")?,
        seq: r.try_get("", "seq")?,
        draft: GridDraft {
            village: r.try_get("", "village_code")?,
            name: r.try_get("", "name")?,
            branch: r.try_get("", "branch")?,
            leader: people.leader,
            members: people.members,
        },
        households: r.try_get("", "n")?,
        version: r.try_get("", "version")?,
        updated_at: r.try_get("", "updated_at")?,
    })
}

const SELECT: &str = "SELECT g.county_code, g.id, g.seq, g.village_code, g.name, g.branch, g.people, \
     g.key_version, g.version, g.updated_at, (SELECT COUNT(*) FROM grid_households x JOIN households h \
     ON h.county_code = x.county_code AND h.id = x.household_id WHERE x.county_code = g.county_code AND \
     x.grid_id = g.id) AS n FROM grids g WHERE 1 = 1";

/// The grids of the scope's area (narrowed to `area`), by village and name.
pub async fn list(db: &Db, scope: &Scope, area: Option<&str>) -> Result<Vec<GridRow>> {
    let Some(area) = scoped(scope, area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(SELECT)
        .push_area("g", &area)
        .push(" ORDER BY g.village_code, g.name");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(|r| grid_row(db, r)).collect()
}

/// The grid `id` if it lies in the scope's area.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Option<GridRow>> {
    let Some(area) = scoped(scope, None) else {
        return Ok(None);
    };
    let mut sql = Sql::new();
    sql.push(SELECT)
        .push(" AND g.id = ")
        .bind(id)
        .push_area("g", &area);
    db.conn()
        .query_one_raw(sql.build(db.backend()))
        .await?
        .as_ref()
        .map(|r| grid_row(db, r))
        .transpose()
}

fn seal_people(db: &Db, d: &GridDraft) -> Result<(String, i32)> {
    let keys = db.keys();
    let people = serde_json::to_string(&People {
        leader: d.leader.clone(),
        members: d.members.clone(),
    })
    .map_err(|e| StoreError::internal(format!("cannot serialise: {e}")))?;
    Ok((keys.seal(&people, GRID_PEOPLE)?, i32::from(keys.current()?)))
}

/// Writes a new grid of `county` (the draft checked by the caller) and its audit row; its id. A name
/// taken in the village is a `Conflict`.
pub async fn create(db: &Db, actor: &Actor, county: &str, draft: &GridDraft) -> Result<i64> {
    let (people, key_version) = seal_people(db, draft)?;
    let tx = db.begin_write().await?;
    let id = new_id();
    let now = Utc::now();
    let mut next = Sql::new();
    next.push("SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM grids WHERE county_code = ")
        .bind(county)
        .push(" AND village_code = ")
        .bind(draft.village.as_str());
    let seq = i64::try_from(super::count(&tx, next.build(tx.get_database_backend())).await?)
        .map_err(StoreError::internal)?;
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO grids (county_code, id, seq, village_code, name, branch, people, key_version, \
         version, created_at, updated_at) VALUES (",
    )
    .bind(county)
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(seq)
    .push(", ")
    .bind(draft.village.as_str())
    .push(", ")
    .bind(draft.name.as_str())
    .push(", ")
    .bind(draft.branch.as_str())
    .push(", ")
    .bind(people)
    .push(", ")
    .bind(key_version)
    .push(", 1, ")
    .bind(now)
    .push(", ")
    .bind(now)
    .push(")");
    tx.execute_raw(sql.build(tx.get_database_backend()))
        .await
        .map_err(|e| StoreError::from_write(e, "网格名称", "Grid name"))?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "create",
            entity: "grid",
            entity_id: id.to_string(),
            county_code: Some(county.to_owned()),
            village_code: Some(draft.village.clone()),
            before: None,
            after: Some(to_json(&masked(draft))?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes the grid read as `row` to `draft` (same village), bumping its version: `StaleVersion` when it
/// changed since `row` was read, `Conflict` for a name taken in the village.
pub async fn update(db: &Db, actor: &Actor, row: &GridRow, draft: &GridDraft) -> Result<()> {
    let (people, key_version) = seal_people(db, draft)?;
    let tx = db.begin_write().await?;
    let mut sql = Sql::new();
    sql.push("UPDATE grids SET version = version + 1, name = ")
        .bind(draft.name.as_str())
        .push(", branch = ")
        .bind(draft.branch.as_str())
        .push(", people = ")
        .bind(people)
        .push(", key_version = ")
        .bind(key_version)
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE county_code = ")
        .bind(row.county_code.as_str())
        .push(" AND id = ")
        .bind(row.id)
        .push(" AND version = ")
        .bind(row.version);
    let done = tx
        .execute_raw(sql.build(tx.get_database_backend()))
        .await
        .map_err(|e| StoreError::from_write(e, "网格名称", "Grid name"))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::StaleVersion {
            expected: row.version,
            found: row.version + 1,
        });
    }
    audit::append(
        &tx,
        actor,
        Change {
            action: "update",
            entity: "grid",
            entity_id: row.id.to_string(),
            county_code: Some(row.county_code.clone()),
            village_code: Some(row.draft.village.clone()),
            before: Some(to_json(&masked(&row.draft))?),
            after: Some(to_json(&masked(draft))?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Puts the households `ids` into the grid read as `row` (`into`; a household in another grid leaves
/// it), or takes them out of it (`!into`), in one transaction with one audit row listing each household
/// and the grid it was in: `Invalid` naming the ids that are no household of the grid's village (nothing
/// written), `StaleVersion` when the grid changed since `row` was read. The grid's version is bumped.
pub async fn assign(
    db: &Db,
    actor: &Actor,
    row: &GridRow,
    ids: &[i64],
    into: bool,
) -> Result<usize> {
    let ids: Vec<i64> = {
        let mut seen = HashSet::new();
        ids.iter().copied().filter(|i| seen.insert(*i)).collect()
    };
    let county = row.county_code.as_str();
    let village = row.draft.village.as_str();
    let tx = db.begin_write().await?;
    let backend = tx.get_database_backend();
    let mut before: BTreeMap<i64, Option<i64>> = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let mut sql = Sql::new();
        sql.push(
            "SELECT h.id, x.grid_id FROM households h LEFT JOIN grid_households x ON \
             x.county_code = h.county_code AND x.household_id = h.id WHERE h.county_code = ",
        )
        .bind(county)
        .push(" AND h.village_code = ")
        .bind(village)
        .push(" AND h.id IN (");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(*id);
        }
        sql.push(")");
        for r in tx.query_all_raw(sql.build(backend)).await? {
            before.insert(r.try_get("", "id")?, r.try_get("", "grid_id")?);
        }
    }
    let missing: Vec<String> = ids
        .iter()
        .filter(|i| !before.contains_key(i))
        .map(i64::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(StoreError::invalid(
            format!("以下农户不是本村农户或不存在：{}", missing.join("、")),
            format!(
                "Not households of the grid's village: {}",
                missing.join(", ")
            ),
        ));
    }
    let mut bump = Sql::new();
    bump.push("UPDATE grids SET version = version + 1, updated_at = ")
        .bind(Utc::now())
        .push(" WHERE county_code = ")
        .bind(county)
        .push(" AND id = ")
        .bind(row.id)
        .push(" AND version = ")
        .bind(row.version);
    if tx.execute_raw(bump.build(backend)).await?.rows_affected() == 0 {
        return Err(StoreError::StaleVersion {
            expected: row.version,
            found: row.version + 1,
        });
    }
    let mut changed = 0;
    for (id, grid) in &before {
        let stays = if into {
            *grid == Some(row.id)
        } else {
            *grid != Some(row.id)
        };
        if stays {
            continue;
        }
        let mut del = Sql::new();
        del.push("DELETE FROM grid_households WHERE county_code = ")
            .bind(county)
            .push(" AND household_id = ")
            .bind(*id);
        tx.execute_raw(del.build(backend)).await?;
        if into {
            let mut ins = Sql::new();
            ins.push(
                "INSERT INTO grid_households (county_code, household_id, village_code, grid_id, \
                 updated_at) VALUES (",
            )
            .bind(county)
            .push(", ")
            .bind(*id)
            .push(", ")
            .bind(village)
            .push(", ")
            .bind(row.id)
            .push(", ")
            .bind(Utc::now())
            .push(")");
            tx.execute_raw(ins.build(backend)).await?;
        }
        changed += 1;
    }
    let moves: Vec<serde_json::Value> = before
        .iter()
        .map(|(id, g)| serde_json::json!({ "household": id, "from_grid": g }))
        .collect();
    audit::append(
        &tx,
        actor,
        Change {
            action: if into { "assign" } else { "unassign" },
            entity: "grid",
            entity_id: row.id.to_string(),
            county_code: Some(county.to_owned()),
            village_code: Some(village.to_owned()),
            before: Some(serde_json::Value::Array(moves)),
            after: Some(serde_json::json!({ "grid": row.id, "into": into, "changed": changed })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}

/// The households of the scope's area (narrowed to `area`) with their grid, by 户编号; only those without
/// a grid when `without_grid`.
pub async fn households(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    without_grid: bool,
) -> Result<Vec<GridHousehold>> {
    let Some(area) = scoped(scope, area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(
        "SELECT h.id, h.number, h.head_name, h.names_plain, x.grid_id FROM households h LEFT JOIN \
         grid_households x ON x.county_code = h.county_code AND x.household_id = h.id WHERE 1 = 1",
    )
    .push_household_area(&area);
    if without_grid {
        sql.push(" AND x.grid_id IS NULL");
    }
    sql.push(" ORDER BY h.number");
    let keys = db.keys();
    db.conn()
        .query_all_raw(sql.build(db.backend()))
        .await?
        .iter()
        .map(|r| {
            let head: String = r.try_get("", "head_name")?;
            Ok(GridHousehold {
                id: r.try_get("", "id")?,
                number: r.try_get("", "number")?,
                head_name: keys.open_name(&head, HEAD_NAME, r.try_get("", "names_plain")?)?,
                grid_id: r.try_get("", "grid_id")?,
            })
        })
        .collect()
}

/// Whether household `household_id` lies in the area of `scope` — for a grid member 网格员, its grid (the
/// registers' writes for a grid member ask this, `shouwang_app::registers`).
pub async fn covers_household(db: &Db, scope: &Scope, household_id: i64) -> Result<bool> {
    let Some(area) = scoped(scope, None) else {
        return Ok(false);
    };
    let mut sql = Sql::new();
    sql.push("SELECT COUNT(*) AS n FROM households h WHERE h.id = ")
        .bind(household_id)
        .push_household_area(&area);
    Ok(super::count(db.conn(), sql.build(db.backend())).await? > 0)
}

/// Whether household `number` of `county`, in `village`, lies in the area of `scope`: for a grid member
/// 网格员 whether it is in its grid (one statement), for every other role whether the village is in its
/// area ([`Scope::covers`], no statement). The lifecycle's writes ask this (a grid member follows up its
/// grid's monitored households and reports their risks, §四(六)).
pub async fn covers_numbered(
    conn: &impl ConnectionTrait,
    scope: &Scope,
    county: &str,
    village: &str,
    number: &str,
) -> Result<bool> {
    if scope.grid().is_none() {
        return Ok(scope.covers(village));
    }
    let Some(area) = scoped(scope, None) else {
        return Ok(false);
    };
    let mut sql = Sql::new();
    sql.push("SELECT COUNT(*) AS n FROM households h WHERE h.county_code = ")
        .bind(county)
        .push(" AND h.number = ")
        .bind(number.trim())
        .push_household_area(&area);
    Ok(super::count(conn, sql.build(conn.get_database_backend())).await? > 0)
}

/// The 户编号 (with their county) of the households of the area (every county for `None`) that lie
/// outside every grid of a village that has grids: the quality check Q19's households.
pub(crate) async fn outside_grids(
    conn: &impl ConnectionTrait,
    area: Option<&Area>,
) -> Result<HashSet<(String, String)>> {
    let mut sql = Sql::new();
    sql.push(
        "SELECT h.county_code, h.number FROM households h WHERE NOT EXISTS (SELECT 1 FROM \
         grid_households x WHERE x.county_code = h.county_code AND x.household_id = h.id) AND EXISTS \
         (SELECT 1 FROM grids g WHERE g.county_code = h.county_code AND g.village_code = h.village_code)",
    );
    if let Some(area) = area {
        sql.push_household_area(area);
    }
    conn.query_all_raw(sql.build(conn.get_database_backend()))
        .await?
        .iter()
        .map(|r| Ok((r.try_get("", "county_code")?, r.try_get("", "number")?)))
        .collect()
}

/// Households and households in a grid per village of the scope's area: one grouped statement (the
/// dashboard's 网格覆盖).
pub async fn coverage(db: &Db, scope: &Scope, area: Option<&str>) -> Result<Vec<VillageGrids>> {
    let Some(area) = scoped(scope, area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(
        "SELECT h.village_code, COUNT(*) AS households, COUNT(x.household_id) AS with_grid FROM \
         households h LEFT JOIN grid_households x ON x.county_code = h.county_code AND x.household_id = \
         h.id WHERE 1 = 1",
    )
    .push_household_area(&area)
    .push(" GROUP BY h.village_code ORDER BY h.village_code");
    db.conn()
        .query_all_raw(sql.build(db.backend()))
        .await?
        .iter()
        .map(|r| {
            Ok(VillageGrids {
                village_code: r.try_get("", "village_code")?,
                households: r.try_get("", "households")?,
                with_grid: r.try_get("", "with_grid")?,
            })
        })
        .collect()
}

/// The rows of the 网格台账 of the scope's area: every grid changed within `range` (all when open), its
/// phones in full only when `full` (the caller's role sees personal data).
pub(crate) async fn ledger_rows(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    range: &DateRange,
    full: bool,
) -> Result<Vec<Vec<Value>>> {
    let rows = list(db, scope, area).await?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let names = super::projects::region_names(db.conn(), &first.county_code).await?;
    let name = |code: &str| names.get(code).cloned().unwrap_or_default();
    Ok(rows
        .iter()
        .filter(|r| range.contains(super::income::beijing_date(r.updated_at)))
        .map(|r| {
            let v = r.draft.village.as_str();
            let township = name(&format!("{}000", v.get(..9).unwrap_or(v)));
            let households = u64::try_from(r.households).unwrap_or(0);
            ledger_row(&township, &name(v), &r.draft.shown(full), households)
        })
        .collect())
}
