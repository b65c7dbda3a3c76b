//! Data key rotation (数据密钥轮换, issue 19): rewrites every row with sealed columns (`members`,
//! `households`, `former_members`, `assets`, `grids`; `crypto::sealed`) written with another key version than the ring's
//! current one — opened under its own version, sealed again and its blind index recomputed under the
//! current one — in batches of one transaction each, with a progress row (`key_rotation`) so that a
//! rotation that stops half-way (a crash, Ctrl-C) continues where it stopped when run again. Searches keep
//! working meanwhile: they match a member's blind index under every version of the ring.
//!
//! The same pass seals the rows still plain (`key_version` 0: a database from before the data key, or from
//! before the sealed columns, migration 000019; `names_plain`: names from before migration 000020) and turns their former packed ID keys into blind indexes;
//! [`crate::Db::migrate`] runs it whenever such rows remain.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, Statement};
use shouwang_core::IdNumber;

use crate::crypto::Keys;
use crate::crypto::sealed::{
    FORMER_ID, FORMER_MEMBER, FORMER_NAME, GRID_PEOPLE, HEAD_ID, HEAD_NAME, KEEPER_PHONE,
    MEMBER_ID, MEMBER_NAME, PHONE, PLAIN,
};
use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::repo::Actor;
use crate::repo::audit::{self, Change};
use crate::repo::households::{id_key, seal_household, seal_name};
use crate::repo::{Sql, count};

/// Members rewritten per transaction by default.
pub const DEFAULT_BATCH: u32 = 5_000;

/// Where a rotation stands (the progress row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// The key version members are rewritten to.
    pub target_version: u16,
    /// Members rewritten so far by this rotation (over every run of it).
    pub rows_done: i64,
    /// Members still written with another version.
    pub remaining: i64,
    /// When the rotation began.
    pub started_at: DateTime<Utc>,
    /// When it ended; `None` while members remain.
    pub finished_at: Option<DateTime<Utc>>,
}

/// The progress row, if a rotation (or the first indexing) ever ran.
pub async fn status(db: &Db) -> Result<Option<Rotation>> {
    let Some(row) = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT target_version, rows_done, started_at, finished_at FROM key_rotation WHERE id = 1",
        ))
        .await?
    else {
        return Ok(None);
    };
    let target: i32 = row.try_get("", "target_version")?;
    let target_version = u16::try_from(target).map_err(|_| StoreError::corrupt(target))?;
    Ok(Some(Rotation {
        target_version,
        rows_done: row.try_get("", "rows_done")?,
        remaining: remaining(db, target_version).await?,
        started_at: row.try_get("", "started_at")?,
        finished_at: row.try_get("", "finished_at")?,
    }))
}

/// The tables with sealed columns, in the order a rotation rewrites them.
const TABLES: [&str; 5] = ["members", "households", "former_members", "assets", "grids"];

/// Whether `table` has sealed names (and their marker `names_plain`, migration 000020).
fn has_names(table: &str) -> bool {
    !matches!(table, "assets" | "grids")
}

/// ` OR names_plain = TRUE` for a table with names: its rows with plain names are to rewrite too.
fn or_names_plain(sql: &mut Sql, table: &str) {
    if has_names(table) {
        sql.push(" OR names_plain = ").bind(true);
    }
}

/// Rows of the sealed tables whose `key_version` is `op` `version` (`<>` target: still to rewrite).
async fn rows_where(db: &Db, op: &str, version: i32) -> Result<i64> {
    let mut n = 0u64;
    for table in TABLES {
        let mut sql = Sql::new();
        sql.push(&format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE (key_version {op} "
        ))
        .bind(version);
        or_names_plain(&mut sql, table);
        sql.push(")");
        n += count(db.conn(), sql.build(db.backend())).await?;
    }
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

async fn remaining(db: &Db, target: u16) -> Result<i64> {
    rows_where(db, "<>", i32::from(target)).await
}

/// Rewrites up to `limit` rows of `table` not written with `target`, in `tx`; returns how many.
async fn reseal(
    tx: &DatabaseTransaction,
    keys: &Keys,
    table: &str,
    target: u16,
    limit: i64,
) -> Result<i64> {
    let backend = tx.get_database_backend();
    let cols = match table {
        "members" => "id_number, name",
        "households" => "head_id_number, phone, head_name",
        "assets" => "keeper_phone",
        "grids" => "people",
        _ => "id_number, member, name",
    };
    let mut pick = Sql::new();
    let marker = if has_names(table) {
        "names_plain, "
    } else {
        ""
    };
    pick.push(&format!(
        "SELECT county_code, id, key_version, {marker}{cols} FROM {table} WHERE (key_version <> "
    ))
    .bind(i32::from(target));
    or_names_plain(&mut pick, table);
    pick.push(") ORDER BY county_code, id LIMIT ").bind(limit);
    let rows = tx.query_all_raw(pick.build(backend)).await?;
    let current = i32::from(target);
    for r in &rows {
        let county: String = r.try_get("", "county_code")?;
        let id: i64 = r.try_get("", "id")?;
        let version: i32 = r.try_get("", "key_version")?;
        let names_plain: bool = has_names(table) && r.try_get("", "names_plain")?;
        let text = |col: &str, ctx: &str| -> Result<String> {
            keys.open(&r.try_get::<String>("", col)?, ctx, version)
        };
        let name = |col: &str, ctx: &str| -> Result<String> {
            keys.open_name(&r.try_get::<String>("", col)?, ctx, names_plain)
        };
        let mut up = Sql::new();
        match table {
            "members" => {
                let number = text("id_number", MEMBER_ID)?;
                let parsed =
                    IdNumber::parse(&number).map_err(|_| StoreError::corrupt("id_number"))?;
                let (key, _) = id_key(keys, parsed)?;
                let (sealed_name, name_key, surname_key) =
                    seal_name(keys, &name("name", MEMBER_NAME)?)?;
                up.push("UPDATE members SET id_number = ")
                    .bind(keys.seal(&number, MEMBER_ID)?)
                    .push(", id_key = ")
                    .bind(key)
                    .push(", name = ")
                    .bind(sealed_name)
                    .push(", name_key = ")
                    .bind(name_key)
                    .push(", surname_key = ")
                    .bind(surname_key);
            }
            "households" => {
                let phone: Option<String> = r.try_get("", "phone")?;
                let phone = keys.open_opt(phone.as_deref(), PHONE, version)?;
                let (head, phone, _) =
                    seal_household(keys, &text("head_id_number", HEAD_ID)?, phone.as_deref())?;
                up.push("UPDATE households SET head_id_number = ")
                    .bind(head)
                    .push(", phone = ")
                    .bind(phone)
                    .push(", head_name = ")
                    .bind(keys.seal(&name("head_name", HEAD_NAME)?, HEAD_NAME)?);
            }
            "assets" => {
                let phone: Option<String> = r.try_get("", "keeper_phone")?;
                let phone = keys.open_opt(phone.as_deref(), KEEPER_PHONE, version)?;
                up.push("UPDATE assets SET keeper_phone = ")
                    .bind(keys.seal_opt(phone.as_deref(), KEEPER_PHONE)?);
            }
            "grids" => {
                up.push("UPDATE grids SET people = ")
                    .bind(keys.seal(&text("people", GRID_PEOPLE)?, GRID_PEOPLE)?);
            }
            _ => {
                up.push("UPDATE former_members SET id_number = ")
                    .bind(keys.seal(&text("id_number", FORMER_ID)?, FORMER_ID)?)
                    .push(", member = ")
                    .bind(keys.seal(&text("member", FORMER_MEMBER)?, FORMER_MEMBER)?)
                    .push(", name = ")
                    .bind(keys.seal(&name("name", FORMER_NAME)?, FORMER_NAME)?);
            }
        }
        up.push(", key_version = ").bind(current);
        if has_names(table) {
            up.push(", names_plain = ").bind(false);
        }
        up.push(" WHERE county_code = ")
            .bind(county)
            .push(" AND id = ")
            .bind(id);
        tx.execute_raw(up.build(backend)).await?;
    }
    Ok(rows.len() as i64)
}

/// Rewrites every member not yet written with the ring's current key version, `batch` members per
/// transaction, calling `each` after every batch; the progress row says how far it got. Running it again
/// after a stop continues; running it when nothing remains only marks the rotation finished. One audit
/// row records the rotation when it finishes having rewritten any (the key version and the count, no
/// personal data).
pub async fn rotate(
    db: &Db,
    actor: &Actor,
    batch: u32,
    each: &mut (dyn FnMut(&Rotation) + Send),
) -> Result<Rotation> {
    let keys = db.keys();
    let target = keys.current()?;
    let batch = i64::from(batch.max(1));
    let backend = db.backend();
    let now = Utc::now();
    let mut progress = match status(db).await? {
        Some(p) if p.target_version == target && p.finished_at.is_none() => p,
        Some(p) if p.target_version == target && p.remaining == 0 => return Ok(p),
        _ => {
            let mut sql = Sql::new();
            sql.push("DELETE FROM key_rotation WHERE id = 1");
            let tx = db.begin_write().await?;
            tx.execute_raw(sql.build(backend)).await?;
            let mut ins = Sql::new();
            ins.push(
                "INSERT INTO key_rotation (id, target_version, rows_done, started_at, updated_at) \
                 VALUES (1, ",
            )
            .bind(i32::from(target))
            .push(", 0, ")
            .bind(now)
            .push(", ")
            .bind(now)
            .push(")");
            tx.execute_raw(ins.build(backend)).await?;
            tx.commit().await?;
            Rotation {
                target_version: target,
                rows_done: 0,
                remaining: remaining(db, target).await?,
                started_at: now,
                finished_at: None,
            }
        }
    };
    loop {
        let tx = db.begin_write().await?;
        let mut done_now = 0i64;
        for table in TABLES {
            if done_now < batch {
                done_now += reseal(&tx, keys, table, target, batch - done_now).await?;
            }
        }
        let at = Utc::now();
        let finished = done_now < batch;
        let mut mark = Sql::new();
        mark.push("UPDATE key_rotation SET rows_done = rows_done + ")
            .bind(done_now)
            .push(", updated_at = ")
            .bind(at);
        if finished {
            mark.push(", finished_at = ").bind(at);
        }
        mark.push(" WHERE id = 1");
        tx.execute_raw(mark.build(backend)).await?;
        progress.rows_done += done_now;
        progress.remaining = (progress.remaining - done_now).max(0);
        if finished {
            progress.finished_at = Some(at);
            progress.remaining = 0;
        }
        if finished && progress.rows_done > 0 {
            audit::append(
                &tx,
                actor,
                Change {
                    action: "keys.rotate",
                    entity: "members",
                    entity_id: format!("v{target}"),
                    county_code: None,
                    village_code: None,
                    before: None,
                    after: Some(serde_json::json!({
                        "key_version": target,
                        "members_rewritten": progress.rows_done,
                    })),
                },
            )
            .await?;
        }
        tx.commit().await?;
        each(&progress);
        if finished {
            return Ok(progress);
        }
    }
}

/// On a database that has never been indexed with a data key (no progress row), or that holds rows still
/// plain (`key_version` 0, e.g. just after migration 000019): seals them and rewrites the former packed ID
/// keys into blind indexes ([`rotate`]; a stop half-way leaves the rest to the next run); on a new
/// database only records that nothing is left. Nothing without a configured key. Run by [`Db::migrate`].
/// Checks that the key ring opens this database's sealed rows: one member sealed under each key version
/// the members use. A database restored or copied without its `shouwang.key`, or opened with another
/// folder's key, is refused here, at the start, with what to do — not later on every page that reads a
/// person.
pub(crate) async fn check_opens(db: &Db) -> Result<()> {
    if !db.keys().is_configured() {
        return Ok(());
    }
    let mut sql = Sql::new();
    sql.push("SELECT key_version, MIN(id) AS id FROM members WHERE key_version <> ")
        .bind(PLAIN)
        .push(" GROUP BY key_version");
    let samples = db.conn().query_all_raw(sql.build(db.backend())).await?;
    for sample in samples {
        let version: i32 = sample.try_get("", "key_version")?;
        let id: i64 = sample.try_get("", "id")?;
        let mut one = Sql::new();
        one.push("SELECT id_number FROM members WHERE id = ")
            .bind(id);
        let Some(row) = db.conn().query_one_raw(one.build(db.backend())).await? else {
            continue;
        };
        let stored: String = row.try_get("", "id_number")?;
        if db.keys().open(&stored, MEMBER_ID, version).is_err() {
            return Err(StoreError::invalid(
                format!(
                    "数据密钥与数据库不符（密钥版本 {version}）：请使用该数据库原数据目录中的 {file}（或设置 {env}），\
                     不要使用新生成的密钥",
                    file = crate::crypto::keyfile::KEY_FILE,
                    env = crate::crypto::keyfile::KEY_ENV,
                ),
                format!(
                    "The data key does not open this database (key version {version}): use the {file} of the \
                     database's own data folder (or set {env}), not a newly made key",
                    file = crate::crypto::keyfile::KEY_FILE,
                    env = crate::crypto::keyfile::KEY_ENV,
                ),
            ));
        }
    }
    Ok(())
}

pub(crate) async fn index_once(db: &Db) -> Result<()> {
    if !db.keys().is_configured() {
        return Ok(());
    }
    let exists = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT 1 AS one FROM key_rotation WHERE id = 1",
        ))
        .await?
        .is_some();
    if exists && rows_where(db, "=", PLAIN).await? == 0 {
        return Ok(());
    }
    rotate(db, &Actor::system(), DEFAULT_BATCH, &mut |_| {}).await?;
    Ok(())
}
