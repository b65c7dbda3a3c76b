//! 公益岗位 (B1 §四(一)3, A4 §三(二), issue 21): the rows of the county's public-welfare posts and, for
//! 两无老人看护, the people cared for. Reads are area-scoped in SQL (`push_area` on the post's village); every
//! write appends its audit row in the same transaction and checks the post's version. The holder and the
//! people cared for are members of the registry (household and member row ids); their names are read from
//! the registry, never copied. A member holds at most one post 在岗 at a time: checked in the write's
//! transaction. The rules are `shouwang_core::welfare_post`; the use cases `shouwang_app::welfare_posts`.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryResult,
};
use serde::Serialize;
use shouwang_core::household::Member;
use shouwang_core::welfare_post::{Draft, PostState};
use shouwang_core::{CodeList, Scope};

use super::area::county_area;
use super::audit::{self, Change};
use super::households::{open_member, to_member};
use super::workshops::member_at;
use super::{Actor, Sql};
use crate::db::Db;
use crate::entity::members;
use crate::error::{Result, StoreError};
use crate::ids::new_id;

/// A member the post names (holder or cared for), by household and member row id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Person {
    /// The household's row id.
    pub household_id: i64,
    /// The member's row id.
    pub member_id: i64,
}

/// A stored post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PostRow {
    /// Row id.
    pub id: i64,
    /// 县 code.
    pub county_code: String,
    /// 行政村 code.
    pub village_code: String,
    /// The post as entered.
    pub draft: Draft,
    /// The holder (none: vacant).
    pub holder: Option<Person>,
    /// Version (optimistic locking).
    pub version: i64,
}

/// What a write answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Posted {
    /// The post's row id.
    Done(i64),
    /// The holder holds another post 在岗 now: its id and name.
    Busy(i64, String),
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::internal(format!("welfare post json: {e}")))
}

/// The member row id at `position` of the household `household_id` (see `workshops::member_at`).
pub async fn resolve(
    conn: &impl ConnectionTrait,
    county: &str,
    household_id: i64,
    position: usize,
) -> Result<Option<i64>> {
    member_at(conn, county, household_id, position).await
}

/// The post (id, name) the member holds 在岗 now, other than `except`.
async fn held_by(
    tx: &DatabaseTransaction,
    county: &str,
    member_id: i64,
    except: Option<i64>,
) -> Result<Option<(i64, String)>> {
    let mut sql = Sql::new();
    sql.push("SELECT id, name FROM welfare_posts WHERE county_code = ")
        .bind(county)
        .push(" AND holder_member_id = ")
        .bind(member_id)
        .push(" AND state = ")
        .bind(PostState::Held.code());
    if let Some(e) = except {
        sql.push(" AND id <> ").bind(e);
    }
    let row = tx
        .query_one_raw(sql.build(tx.get_database_backend()))
        .await?;
    row.map(|r| Ok((r.try_get("", "id")?, r.try_get("", "name")?)))
        .transpose()
}

async fn write_care(
    tx: &DatabaseTransaction,
    county: &str,
    post: i64,
    village: &str,
    cared: &[Person],
) -> Result<()> {
    let mut sql = Sql::new();
    sql.push("DELETE FROM welfare_post_care WHERE county_code = ")
        .bind(county)
        .push(" AND post_id = ")
        .bind(post);
    tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    for p in cared {
        let mut sql = Sql::new();
        sql.push(
            "INSERT INTO welfare_post_care (county_code, id, post_id, village_code, household_id, member_id) \
             VALUES (",
        )
        .bind(county)
        .push(", ")
        .bind(new_id())
        .push(", ")
        .bind(post)
        .push(", ")
        .bind(village)
        .push(", ")
        .bind(p.household_id)
        .push(", ")
        .bind(p.member_id)
        .push(")");
        tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    }
    Ok(())
}

/// Writes a new post with its holder and the people it cares for, and its audit row. `Busy` (nothing
/// written) when the holder holds another post 在岗.
pub async fn create(
    db: &Db,
    actor: &Actor,
    county: &str,
    draft: &Draft,
    holder: Option<Person>,
    cared: &[Person],
) -> Result<Posted> {
    let tx = db.begin_write().await?;
    if draft.active()
        && let Some(h) = holder
        && let Some((id, name)) = held_by(&tx, county, h.member_id, None).await?
    {
        return Ok(Posted::Busy(id, name));
    }
    let id = new_id();
    let now = Utc::now();
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO welfare_posts (county_code, id, village_code, name, kind, funding, state, \
         holder_household_id, holder_member_id, body, version, created_at, updated_at) VALUES (",
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
    .bind(draft.funding.code())
    .push(", ")
    .bind(draft.state.code())
    .push(", ")
    .bind(holder.map(|h| h.household_id))
    .push(", ")
    .bind(holder.map(|h| h.member_id))
    .push(", ")
    .bind(json(draft)?)
    .push(", 1, ")
    .bind(now)
    .push(", ")
    .bind(now)
    .push(")");
    tx.execute_raw(sql.build(tx.get_database_backend())).await?;
    write_care(&tx, county, id, &draft.village, cared).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "create",
            entity: "welfare_post",
            entity_id: id.to_string(),
            county_code: Some(county.to_owned()),
            village_code: Some(draft.village.clone()),
            before: None,
            after: Some(serde_json::json!({ "post": draft })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Posted::Done(id))
}

/// Changes the post read as `row` (its version bumped) with its holder and the people it cares for, and one
/// audit row. `Busy` (nothing written) when the new holder holds another post 在岗; `StaleVersion` when the
/// post changed since `row` was read.
pub async fn update(
    db: &Db,
    actor: &Actor,
    row: &PostRow,
    draft: &Draft,
    holder: Option<Person>,
    cared: &[Person],
) -> Result<Posted> {
    let tx = db.begin_write().await?;
    let county = row.county_code.as_str();
    if draft.active()
        && let Some(h) = holder
        && let Some((id, name)) = held_by(&tx, county, h.member_id, Some(row.id)).await?
    {
        return Ok(Posted::Busy(id, name));
    }
    let mut sql = Sql::new();
    sql.push("UPDATE welfare_posts SET version = version + 1, village_code = ")
        .bind(draft.village.as_str())
        .push(", name = ")
        .bind(draft.name.as_str())
        .push(", kind = ")
        .bind(draft.kind.code())
        .push(", funding = ")
        .bind(draft.funding.code())
        .push(", state = ")
        .bind(draft.state.code())
        .push(", holder_household_id = ")
        .bind(holder.map(|h| h.household_id))
        .push(", holder_member_id = ")
        .bind(holder.map(|h| h.member_id))
        .push(", body = ")
        .bind(json(draft)?)
        .push(", updated_at = ")
        .bind(Utc::now())
        .push(" WHERE county_code = ")
        .bind(county)
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
    write_care(&tx, county, row.id, &draft.village, cared).await?;
    audit::append(
        &tx,
        actor,
        Change {
            action: "update",
            entity: "welfare_post",
            entity_id: row.id.to_string(),
            county_code: Some(row.county_code.clone()),
            village_code: Some(row.village_code.clone()),
            before: Some(serde_json::json!({ "post": row.draft })),
            after: Some(serde_json::json!({ "post": draft })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Posted::Done(row.id))
}

fn post_row(r: &QueryResult) -> Result<PostRow> {
    let text: String = r.try_get("", "body")?;
    let draft: Draft = serde_json::from_str(&text)
        .map_err(|e| StoreError::corrupt(format!("welfare post: {e}")))?;
    let hh: Option<i64> = r.try_get("", "holder_household_id")?;
    let m: Option<i64> = r.try_get("", "holder_member_id")?;
    Ok(PostRow {
        id: r.try_get("", "id")?,
        county_code: r.try_get("", "county_code")?,
        village_code: r.try_get("", "village_code")?,
        draft,
        holder: hh.zip(m).map(|(household_id, member_id)| Person {
            household_id,
            member_id,
        }),
        version: r.try_get("", "version")?,
    })
}

/// The posts of the scope's area (narrowed to `area`; only this state when given), by village and name.
pub async fn list(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    state: Option<PostState>,
) -> Result<Vec<PostRow>> {
    let Some(area) = county_area(scope, area) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT p.* FROM welfare_posts p WHERE 1 = 1")
        .push_area("p", &area);
    if let Some(s) = state {
        sql.push(" AND p.state = ").bind(s.code());
    }
    sql.push(" ORDER BY p.village_code, p.name, p.id");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(post_row).collect()
}

/// The post `id` if it lies in the scope's area.
pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Option<PostRow>> {
    let Some(area) = county_area(scope, None) else {
        return Ok(None);
    };
    let mut sql = Sql::new();
    sql.push("SELECT p.* FROM welfare_posts p WHERE p.id = ")
        .bind(id)
        .push_area("p", &area);
    db.conn()
        .query_one_raw(sql.build(db.backend()))
        .await?
        .as_ref()
        .map(post_row)
        .transpose()
}

/// The people cared for by the posts of the scope's area (only post `id` when given): (post id, person).
pub async fn cared(db: &Db, scope: &Scope, id: Option<i64>) -> Result<Vec<(i64, Person)>> {
    let Some(area) = county_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT c.post_id, c.household_id, c.member_id FROM welfare_post_care c WHERE 1 = 1")
        .push_area("c", &area);
    if let Some(id) = id {
        sql.push(" AND c.post_id = ").bind(id);
    }
    sql.push(" ORDER BY c.post_id, c.id");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("", "post_id")?,
                Person {
                    household_id: r.try_get("", "household_id")?,
                    member_id: r.try_get("", "member_id")?,
                },
            ))
        })
        .collect()
}

/// The posts 在岗 that care for a member of the household `household_id` (the A4 household page's "由公益岗位
/// X 看护"): (post name, the member's row id), in the scope's area, one statement.
pub async fn caring_for(db: &Db, scope: &Scope, household_id: i64) -> Result<Vec<(String, i64)>> {
    let Some(area) = county_area(scope, None) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push(
        "SELECT p.name, c.member_id FROM welfare_post_care c JOIN welfare_posts p ON p.county_code = \
         c.county_code AND p.id = c.post_id WHERE c.household_id = ",
    )
    .bind(household_id)
    .push(" AND p.state = ")
    .bind(PostState::Held.code())
    .push_area("c", &area);
    sql.push(" ORDER BY p.name, c.id");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("", "name")?, r.try_get("", "member_id")?)))
        .collect()
}

/// The members of the county by row id, opened (names and ID numbers from the registry).
pub async fn people(db: &Db, county: &str, ids: &[i64]) -> Result<HashMap<i64, Member>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        for m in members::Entity::find()
            .filter(members::Column::CountyCode.eq(county))
            .filter(members::Column::Id.is_in(chunk.to_vec()))
            .all(db.conn())
            .await?
        {
            let id = m.id;
            out.insert(id, to_member(&open_member(db.keys(), m)?)?);
        }
    }
    Ok(out)
}

/// The rows of the 公益岗位台账: every post of the scope's area (narrowed to `area`), the holder's ID number
/// masked unless `full` (a role that sees personal data, asking for it; the export is audited).
pub(crate) async fn ledger_rows(
    db: &Db,
    scope: &Scope,
    area: Option<&str>,
    full: bool,
) -> Result<Vec<Vec<shouwang_core::ledger::Value>>> {
    let posts = list(db, scope, area, None).await?;
    let Some(first) = posts.first() else {
        return Ok(Vec::new());
    };
    let county = first.county_code.clone();
    let names = super::projects::region_names(db.conn(), &county).await?;
    let mut cared_n: HashMap<i64, usize> = HashMap::new();
    for (post, _) in cared(db, scope, None).await? {
        *cared_n.entry(post).or_default() += 1;
    }
    let ids: Vec<i64> = posts
        .iter()
        .filter_map(|p| p.holder.map(|h| h.member_id))
        .collect();
    let people = people(db, &county, &ids).await?;
    let mut out = Vec::new();
    for p in &posts {
        let number = p.id.to_string();
        let township = format!("{}000", p.village_code.get(..9).unwrap_or_default());
        let holder = p.holder.and_then(|h| people.get(&h.member_id));
        let holder_id = holder
            .map(|m| {
                if full {
                    m.id_number.to_string()
                } else {
                    m.id_number.masked()
                }
            })
            .unwrap_or_default();
        let view = shouwang_core::welfare_post::LedgerPost {
            number: &number,
            draft: &p.draft,
            township: names.get(&township).map_or("", String::as_str),
            village: names.get(&p.village_code).map_or("", String::as_str),
            holder_name: holder.map_or("", |m| m.name.as_str()),
            holder_id: &holder_id,
            cared: cared_n.get(&p.id).copied().unwrap_or_default(),
        };
        out.push(shouwang_core::welfare_post::ledger_row(
            out.len() + 1,
            &view,
        ));
    }
    Ok(out)
}
