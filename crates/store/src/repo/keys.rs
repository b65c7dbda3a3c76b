//! Data key rotation (数据密钥轮换, issue 19): rewrites every member written with another key version than the
//! ring's current one, in batches of one transaction each, with a progress row (`key_rotation`) so that a
//! rotation that stops half-way (a crash, Ctrl-C) continues where it stopped when run again. Searches keep
//! working meanwhile: they match a member's blind index under every version of the ring.
//!
//! The same pass turns the former packed ID keys (`key_version` 0, a database from before the data key)
//! into blind indexes; [`crate::Db::migrate`] runs it once on such a database.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Statement};
use shouwang_core::IdNumber;

use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::repo::Actor;
use crate::repo::audit::{self, Change};
use crate::repo::households::id_key;
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

async fn remaining(db: &Db, target: u16) -> Result<i64> {
    let mut sql = Sql::new();
    sql.push("SELECT COUNT(*) AS n FROM members WHERE key_version <> ")
        .bind(i32::from(target));
    let n = count(db.conn(), sql.build(db.backend())).await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
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
        let mut pick = Sql::new();
        pick.push("SELECT county_code, id, id_number FROM members WHERE key_version <> ")
            .bind(i32::from(target))
            .push(" ORDER BY county_code, id LIMIT ")
            .bind(batch);
        let rows = tx.query_all_raw(pick.build(backend)).await?;
        let done_now = rows.len() as i64;
        for r in &rows {
            let county: String = r.try_get("", "county_code")?;
            let id: i64 = r.try_get("", "id")?;
            let number: String = r.try_get("", "id_number")?;
            let parsed = IdNumber::parse(&number).map_err(|_| StoreError::corrupt("id_number"))?;
            let (key, version) = id_key(keys, parsed)?;
            let mut up = Sql::new();
            up.push("UPDATE members SET id_key = ")
                .bind(key)
                .push(", key_version = ")
                .bind(version)
                .push(" WHERE county_code = ")
                .bind(county)
                .push(" AND id = ")
                .bind(id);
            tx.execute_raw(up.build(backend)).await?;
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

/// On a database that has never been indexed with a data key (no progress row): rewrites the former
/// packed ID keys into blind indexes ([`rotate`]); on a new database only records that nothing is left.
/// Nothing without a configured key. Run by [`Db::migrate`].
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
    if exists {
        return Ok(());
    }
    rotate(db, &Actor::system(), DEFAULT_BATCH, &mut |_| {}).await?;
    Ok(())
}
