//! The audit log (审计日志): who changed what, when, from what to what.
//!
//! Rows are appended by the repositories inside the transaction of the change they describe (so a change
//! without its audit row, or an audit row of a change that was rolled back, cannot exist) and are never
//! updated or deleted. Reads of full ID numbers by users who must be watched (审计监督) can be logged with
//! [`record_read`].

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Condition, Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use shouwang_core::Scope;
use shouwang_core::idnum::mask_ids;

use super::area::{area_condition, effective_area};
use super::{Actor, Page, paging};
use crate::db::Db;
use crate::entity::audit_log;
use crate::error::{Result, StoreError};
use crate::ids::new_id;

/// One audit row as read back.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    /// UTC.
    pub at: DateTime<Utc>,
    pub actor_user_id: i64,
    pub actor_name: String,
    /// `create`, `update`, `delete`, `login`, `logout`, `read_full_id`, …
    pub action: String,
    /// Table-like name: `household`, `member`, `income_record`, `user`, `session`, `monitoring_line`, `region`.
    pub entity: String,
    /// The entity's key as text (户编号, ID number, user id, …).
    pub entity_id: String,
    pub county_code: Option<String>,
    pub village_code: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Filter of [`list`]; every `None` field matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<i64>,
    pub action: Option<String>,
    /// Inclusive lower bound of `at`.
    pub since: Option<DateTime<Utc>>,
    /// Exclusive upper bound of `at`.
    pub until: Option<DateTime<Utc>>,
}

/// What a repository records about one change.
pub(crate) struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub county_code: Option<String>,
    pub village_code: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A value before or after as the audit log stores it: JSON text with every ID number in a string masked
/// ([`mask_ids`]), so the log never holds a plain ID number (issue 19; the entity id is masked too).
/// Numbers are left alone (a member row's blind index `id_key` may have 18 digits, and tells nothing
/// without the data key).
fn text(v: Option<serde_json::Value>) -> Result<Option<String>> {
    v.map(|mut v| {
        mask_strings(&mut v);
        serde_json::to_string(&v)
            .map_err(|e| StoreError::internal(format!("cannot serialise audit value: {e}")))
    })
    .transpose()
}

/// Masks every ID number inside the strings of `v` ([`mask_ids`]); numbers and keys are left alone. The
/// audit log's values are stored so, and older rows are shown so (`shouwang_app::audit`).
pub fn mask_strings(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            if let std::borrow::Cow::Owned(masked) = mask_ids(s) {
                *s = masked;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(mask_strings),
        _ => {}
    }
}

/// Appends one audit row on `conn` (the caller's transaction).
pub(crate) async fn append(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    change: Change<'_>,
) -> Result<()> {
    audit_log::ActiveModel {
        id: Set(new_id()),
        at: Set(Utc::now()),
        actor_user_id: Set(actor.user_id),
        actor_name: Set(actor.name.clone()),
        action: Set(change.action.to_owned()),
        entity: Set(change.entity.to_owned()),
        entity_id: Set(mask_ids(&change.entity_id).into_owned()),
        county_code: Set(change.county_code),
        village_code: Set(change.village_code),
        before: Set(text(change.before)?),
        after: Set(text(change.after)?),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Appends many audit rows on `conn` with multi-row `INSERT`s (bulk imports: one row per record changed).
pub(crate) async fn append_many(
    conn: &impl ConnectionTrait,
    actor: &Actor,
    changes: Vec<Change<'_>>,
) -> Result<()> {
    const CHUNK: usize = 2000; // 11 columns → 22,000 parameters
    let now = Utc::now();
    let mut batch = Vec::with_capacity(CHUNK.min(changes.len()));
    let mut it = changes.into_iter().peekable();
    while let Some(change) = it.next() {
        batch.push(audit_log::ActiveModel {
            id: Set(new_id()),
            at: Set(now),
            actor_user_id: Set(actor.user_id),
            actor_name: Set(actor.name.clone()),
            action: Set(change.action.to_owned()),
            entity: Set(change.entity.to_owned()),
            entity_id: Set(mask_ids(&change.entity_id).into_owned()),
            county_code: Set(change.county_code),
            village_code: Set(change.village_code),
            before: Set(text(change.before)?),
            after: Set(text(change.after)?),
        });
        if batch.len() == CHUNK || it.peek().is_none() {
            audit_log::Entity::insert_many(std::mem::take(&mut batch))
                .exec_without_returning(conn)
                .await?;
        }
    }
    Ok(())
}

/// Records that `actor` read something worth watching, e.g. a household's full ID numbers
/// (`action = "read_full_id"`), an export or a download, with what was read in `after` (never a plain ID
/// number: the caller masks). A write of its own (one audit row, no other change).
pub async fn record_read(
    db: &Db,
    actor: &Actor,
    action: &str,
    entity: &str,
    entity_id: &str,
    village_code: Option<&str>,
    after: Option<serde_json::Value>,
) -> Result<()> {
    append(
        db.conn(),
        actor,
        Change {
            action,
            entity,
            entity_id: entity_id.to_owned(),
            county_code: village_code.and_then(|v| v.get(..6)).map(str::to_owned),
            village_code: village_code.map(str::to_owned),
            before: None,
            after,
        },
    )
    .await
}

/// How many audit rows of `action` the user `user_id` has written since `since` (a rate limit's window;
/// answered from the index on the actor).
pub async fn count_recent(
    db: &Db,
    user_id: i64,
    action: &str,
    since: DateTime<Utc>,
) -> Result<u64> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::ActorUserId.eq(user_id))
        .filter(audit_log::Column::Action.eq(action))
        .filter(Expr::col(audit_log::Column::At).gte(since))
        .count(db.conn())
        .await?)
}

fn entry(m: audit_log::Model) -> AuditEntry {
    // Audit JSON is written by this crate; should a row be unreadable, show it as a JSON string rather than
    // hide it.
    let parse = |s: Option<String>| {
        s.map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)))
    };
    AuditEntry {
        id: m.id,
        at: m.at,
        actor_user_id: m.actor_user_id,
        actor_name: m.actor_name,
        action: m.action,
        entity: m.entity,
        entity_id: m.entity_id,
        county_code: m.county_code,
        village_code: m.village_code,
        before: parse(m.before),
        after: parse(m.after),
    }
}

/// The audit rows in the scope's area, newest first.
///
/// Area: rows with a village code are matched by prefix; rows with only a county code (users, lines of the
/// county) by the county; rows with neither (system-wide: monitoring lines, regions above a county) are
/// shown to county-level (or wider) scopes only.
pub async fn list(
    db: &Db,
    scope: &Scope,
    filter: &AuditFilter,
    page: u32,
    per_page: u32,
) -> Result<Page<AuditEntry>> {
    let (page, per_page, offset) = paging(page, per_page);
    let Some(area) = effective_area(scope, None) else {
        // An empty (or malformed) area covers nothing (`Scope::covers`).
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            page,
            per_page,
        });
    };
    let mut cond = Condition::all();
    if area.is_inside_county() {
        // Township or village scope: only rows of villages inside it.
        cond = cond
            .add(audit_log::Column::VillageCode.is_not_null())
            .add(area_condition(
                &area,
                audit_log::Column::CountyCode,
                audit_log::Column::VillageCode,
            ));
    } else {
        // County scope (or wider): its rows, and the system-wide rows without a county.
        cond = cond.add(
            Condition::any()
                .add(area_condition(
                    &area,
                    audit_log::Column::CountyCode,
                    audit_log::Column::VillageCode,
                ))
                .add(audit_log::Column::CountyCode.is_null()),
        );
    }
    if let Some(e) = &filter.entity {
        cond = cond.add(audit_log::Column::Entity.eq(e.as_str()));
    }
    if let Some(e) = &filter.entity_id {
        cond = cond.add(audit_log::Column::EntityId.eq(e.as_str()));
    }
    if let Some(a) = filter.actor_user_id {
        cond = cond.add(audit_log::Column::ActorUserId.eq(a));
    }
    if let Some(a) = &filter.action {
        cond = cond.add(audit_log::Column::Action.eq(a.as_str()));
    }
    if let Some(t) = filter.since {
        cond = cond.add(Expr::col(audit_log::Column::At).gte(t));
    }
    if let Some(t) = filter.until {
        cond = cond.add(Expr::col(audit_log::Column::At).lt(t));
    }
    let query = audit_log::Entity::find().filter(cond);
    let total = query.clone().count(db.conn()).await?;
    let rows = query
        .order_by_desc(audit_log::Column::Id)
        .offset(offset)
        .limit(u64::from(per_page))
        .all(db.conn())
        .await?;
    Ok(Page {
        items: rows.into_iter().map(entry).collect(),
        total,
        page,
        per_page,
    })
}
