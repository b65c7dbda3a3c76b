//! 批量装载: bulk writes of a system load (the demo county) in **one write transaction**: multi-row
//! `INSERT`s of [`CHUNK`] rows a statement, and one summary audit row per table
//! ([`BulkLoad::audit_summary`]) instead of one per row. A failed load leaves nothing behind.
//!
//! The registry itself (households, members, income records) is not written here: the demo imports it
//! through the registry import (`repo::registry_file`), as a township would, and refers to its households
//! by id ([`BulkLoad::household_ids`]).
//!
//! What is loaded and in which order is the caller's (`shouwang_app::demo`); this module only writes.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QuerySelect, Statement,
};
use sha2::{Digest, Sha256};
use shouwang_core::monitoring::Attachment;
use shouwang_core::rules::CountyRules;
use shouwang_core::{CodeList, Region, Role};

pub use super::cases::BulkCase;
use crate::db::Db;
use crate::entity::{households, regions, user_roles, users as user_rows};
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::repo::audit::{self, Change};
use crate::repo::{Actor, Sql, cases, rules};
use crate::secret;

/// Rows per multi-row `INSERT` (members: 22 columns → 22,000 parameters, below SQLite's 32,766 and
/// PostgreSQL's 65,535).
pub const CHUNK: usize = 1000;

/// Whether the database already holds households (then `serve --demo` does not load the demo).
pub async fn is_loaded(db: &Db) -> Result<bool> {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT 1 AS one FROM households LIMIT 1",
        ))
        .await?;
    Ok(row.is_some())
}

/// A staff account written in bulk: inactive, with an unusable password (no one signs in as it until the
/// county admin enables it and sets its password).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Login name.
    pub username: String,
    /// 姓名 / 显示名.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Region-code prefix.
    pub area: String,
}

/// A synthetic file registered as an attachment of the county (its bytes are not stored).
#[derive(Clone, Copy, Debug)]
pub struct FileEntry<'a> {
    /// File name.
    pub name: &'a str,
    /// Media type.
    pub media_type: &'a str,
    /// Content (hashed; its length is the size).
    pub content: &'a [u8],
}

/// One bulk load in progress: an open write transaction of county `county`.
pub struct BulkLoad {
    tx: DatabaseTransaction,
    county: String,
    now: chrono::DateTime<Utc>,
}

impl BulkLoad {
    /// Begins the load's write transaction.
    pub async fn begin(db: &Db, county: &str) -> Result<BulkLoad> {
        Ok(BulkLoad {
            tx: db.begin_write().await?,
            county: county.to_owned(),
            now: Utc::now(),
        })
    }

    /// Regions (parents first); existing codes are kept. Returns the rows written.
    pub async fn regions(&self, list: &[Region]) -> Result<u64> {
        let rows: Vec<regions::ActiveModel> = list
            .iter()
            .map(|r| {
                regions::Model {
                    code: r.code.as_str().to_owned(),
                    county_code: r.code.county().to_owned(),
                    name: r.name.clone(),
                    level: r.level.code().to_owned(),
                    parent_code: r.parent.as_ref().map(|p| p.as_str().to_owned()),
                }
                .into_active_model()
            })
            .collect();
        let mut written = 0u64;
        for chunk in rows.chunks(CHUNK) {
            written += regions::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::column(regions::Column::Code)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&self.tx)
                .await
                .map_err(|e| StoreError::from_write(e, "批量写入的区划", "Bulk regions"))?;
        }
        if written > 0 {
            // The rules' defaults name the county: the constants' version moves with the regions.
            crate::constants::bump(&self.tx, &self.county).await?;
        }
        Ok(written)
    }

    /// The ids of the county's households by 户编号, as the load's transaction sees them (for rows that refer
    /// to households a registry import wrote before the load).
    pub async fn household_ids(&self) -> Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = households::Entity::find()
            .select_only()
            .column(households::Column::Number)
            .column(households::Column::Id)
            .filter(households::Column::CountyCode.eq(self.county.as_str()))
            .into_tuple()
            .all(&self.tx)
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Staff accounts (see [`Account`]); returns their user ids in order.
    pub async fn accounts(&self, list: &[Account]) -> Result<Vec<i64>> {
        let hash = secret::dummy_hash().to_owned();
        let mut ids = Vec::with_capacity(list.len());
        let mut user_batch = Vec::with_capacity(CHUNK);
        let mut role_batch = Vec::with_capacity(CHUNK);
        for a in list {
            let id = new_id();
            ids.push(id);
            user_batch.push(
                user_rows::Model {
                    id,
                    username: a.username.clone(),
                    display_name: a.display_name.clone(),
                    password_hash: hash.clone(),
                    is_active: false,
                    must_change_password: false,
                    version: 1,
                    created_at: self.now,
                    updated_at: self.now,
                }
                .into_active_model(),
            );
            role_batch.push(
                user_roles::Model {
                    id: new_id(),
                    user_id: id,
                    role: a.role.code().to_owned(),
                    area: a.area.clone(),
                    county_code: a.area.get(..6).unwrap_or_default().to_owned(),
                    created_at: self.now,
                }
                .into_active_model(),
            );
            if user_batch.len() == CHUNK {
                self.insert(
                    std::mem::take(&mut user_batch),
                    ("工作人员账号", "staff accounts"),
                )
                .await?;
                self.insert(
                    std::mem::take(&mut role_batch),
                    ("工作人员角色", "staff roles"),
                )
                .await?;
            }
        }
        self.insert(user_batch, ("工作人员账号", "staff accounts"))
            .await?;
        self.insert(role_batch, ("工作人员角色", "staff roles"))
            .await?;
        Ok(ids)
    }

    /// Registers files as attachments of the county uploaded by user `uploader` (a file already
    /// registered is kept); returns them as the cases cite them.
    pub async fn attachments(
        &self,
        uploader: i64,
        files: &[FileEntry<'_>],
    ) -> Result<Vec<Attachment>> {
        let mut out = Vec::new();
        for f in files {
            let sha: String = Sha256::digest(f.content)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let a = Attachment::new(f.name, &sha, f.media_type).map_err(StoreError::Refused)?;
            let mut sql = Sql::new();
            sql.push(
                "INSERT INTO attachments (county_code, sha256, name, media_type, size, uploaded_by, \
                 uploaded_at) VALUES (",
            )
            .bind(self.county.as_str())
            .push(", ")
            .bind(sha)
            .push(", ")
            .bind(f.name)
            .push(", ")
            .bind(f.media_type)
            .push(", ")
            .bind(f.content.len() as i64)
            .push(", ")
            .bind(uploader)
            .push(", ")
            .bind(self.now)
            .push(") ON CONFLICT (county_code, sha256) DO NOTHING");
            self.tx
                .execute_raw(sql.build(self.tx.get_database_backend()))
                .await?;
            out.push(a);
        }
        Ok(out)
    }

    /// The county's rules in force, as the load's transaction sees them.
    pub async fn rules(&self) -> Result<CountyRules> {
        Ok(rules::get_on(&self.tx, &self.county).await?.rules)
    }

    /// Monitoring cases played through the core elsewhere, with their derived columns. Returns the rows.
    pub async fn cases(&self, list: &[BulkCase]) -> Result<u64> {
        cases::insert_bulk(&self.tx, &self.county, list).await
    }

    /// The summary audit row of one table: action `bulk_action` (e.g. `demo_load`), entity `entity`, entity id
    /// the county code, `after` as given.
    pub async fn audit_summary(
        &self,
        actor: &Actor,
        action: &'static str,
        entity: &'static str,
        after: serde_json::Value,
    ) -> Result<()> {
        audit::append(
            &self.tx,
            actor,
            Change {
                action,
                entity,
                entity_id: self.county.clone(),
                county_code: Some(self.county.clone()),
                village_code: None,
                before: None,
                after: Some(after),
            },
        )
        .await
    }

    /// Commits the load (and drops the cached region names, which it may have changed).
    pub async fn commit(self, db: &Db) -> Result<()> {
        self.tx.commit().await?;
        db.forget_regions();
        Ok(())
    }

    /// Inserts one chunk of rows with a multi-row `INSERT`; returns the number of rows. `what` names the
    /// rows in Chinese and in English.
    async fn insert<A>(&self, rows: Vec<A>, (zh, en): (&str, &str)) -> Result<u64>
    where
        A: ActiveModelTrait + Send,
    {
        if rows.is_empty() {
            return Ok(0);
        }
        let n = rows.len() as u64;
        A::Entity::insert_many(rows)
            .exec_without_returning(&self.tx)
            .await
            .map_err(|e| {
                StoreError::from_write(e, &format!("批量写入的{zh}"), &format!("Bulk {en}"))
            })?;
        Ok(n)
    }
}
