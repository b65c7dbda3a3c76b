//! 批量装载: bulk writes of a system load (the demo county; later large first imports) in **one write
//! transaction**: multi-row `INSERT`s of [`CHUNK`] rows a statement, and one summary audit row per table
//! ([`BulkLoad::audit_summary`]) instead of one per row. A failed load leaves nothing behind.
//!
//! Measured at 100,000 households on SQLite (release, 2 shared cores): ≈ 9–10 s of CPU, almost all
//! of it SQLite maintaining the members' indexes (name, ID number, ID key, household); multi-row
//! `INSERT`s of literal values instead of bound parameters took the same CPU, so the
//! compile-checked entity path is kept. Inserting members in ID-number order (sequential for two
//! of the indexes) and a 256 MiB page cache made no measurable difference either.
//!
//! What is loaded and in which order is the caller's (`shouwang_app::demo`); this module only writes.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, Statement,
};
use sha2::{Digest, Sha256};
use shouwang_core::codes::Relation;
use shouwang_core::income::IncomeSource;
use shouwang_core::monitoring::Attachment;
use shouwang_core::rules::CountyRules;
use shouwang_core::{CodeList, Household, IncomeRecord, Region, Role};

pub use super::cases::BulkCase;
use crate::db::Db;
use crate::entity::{households, income_records, members, regions, user_roles, users as user_rows};
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::repo::audit::{self, Change};
use crate::repo::households::{id_key, join_codes};
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
        Ok(written)
    }

    /// Households; returns their ids in order. `progress` is told the rows of each chunk written.
    pub async fn households<'a>(
        &self,
        list: impl IntoIterator<Item = &'a Household>,
        progress: &dyn Fn(u64),
    ) -> Result<Vec<i64>> {
        let mut ids = Vec::new();
        let mut batch: Vec<households::ActiveModel> = Vec::with_capacity(CHUNK);
        for h in list {
            let id = new_id();
            ids.push(id);
            batch.push(household_row(h, id, self.now).into_active_model());
            if batch.len() == CHUNK {
                progress(
                    self.insert(std::mem::take(&mut batch), ("农户", "households"))
                        .await?,
                );
            }
        }
        progress(self.insert(batch, ("农户", "households")).await?);
        Ok(ids)
    }

    /// The members of each household with its id. Returns the rows written.
    pub async fn members<'a>(
        &self,
        list: impl IntoIterator<Item = (&'a Household, i64)>,
        progress: &dyn Fn(u64),
    ) -> Result<u64> {
        let mut written = 0;
        let mut batch: Vec<members::ActiveModel> = Vec::with_capacity(CHUNK);
        for (h, hid) in list {
            for (pos, m) in h.members.iter().enumerate() {
                batch.push(
                    members::Model {
                        county_code: h.village.county().to_owned(),
                        id: new_id(),
                        village_code: h.village.as_str().to_owned(),
                        household_id: hid,
                        position: i32::try_from(pos).unwrap_or(i32::MAX),
                        id_number: m.id_number.to_string(),
                        id_key: id_key(m.id_number),
                        name: m.name.clone(),
                        sex: m.sex.code().to_owned(),
                        relation: m.relation.code().to_owned(),
                        labour: m.labour.code().to_owned(),
                        health: join_codes(&m.health),
                        education: m.education.map(|e| e.code().to_owned()),
                        school: m.school.map(|s| s.code().to_owned()),
                        political: m.political.code().to_owned(),
                        has_medical_insurance: m.has_medical_insurance,
                        dibao: m.dibao.code().to_owned(),
                        tekun: m.tekun.code().to_owned(),
                        disability_grade: m.disability_grade.map(i16::from),
                        version: 1,
                        created_at: self.now,
                        updated_at: self.now,
                    }
                    .into_active_model(),
                );
                if batch.len() == CHUNK {
                    let n = self
                        .insert(std::mem::take(&mut batch), ("成员", "members"))
                        .await?;
                    written += n;
                    progress(n);
                }
            }
        }
        let n = self.insert(batch, ("成员", "members")).await?;
        progress(n);
        Ok(written + n)
    }

    /// Income records, each with its household and the household's id. Returns the rows written.
    pub async fn incomes<'a>(
        &self,
        list: impl IntoIterator<Item = (&'a Household, i64, &'a IncomeRecord)>,
        progress: &dyn Fn(u64),
    ) -> Result<u64> {
        let mut written = 0;
        let mut batch: Vec<income_records::ActiveModel> = Vec::with_capacity(CHUNK);
        for (h, hid, r) in list {
            batch.push(
                income_records::Model {
                    county_code: h.village.county().to_owned(),
                    id: new_id(),
                    village_code: h.village.as_str().to_owned(),
                    household_id: hid,
                    year: r.year,
                    wage: r.wage.0,
                    business: r.business.0,
                    property: r.property.0,
                    transfer: r.transfer.0,
                    production_cost: r.production_cost.0,
                    rigid_medical: r.rigid_medical.0,
                    rigid_education: r.rigid_education.0,
                    rigid_disability: r.rigid_disability.0,
                    rigid_disaster: r.rigid_disaster.0,
                    insurance_payout: r.insurance_payout.0,
                    members: i32::try_from(r.members).unwrap_or(i32::MAX),
                    source: IncomeSource::Import.code().to_owned(),
                    version: 1,
                    created_at: self.now,
                    updated_at: self.now,
                }
                .into_active_model(),
            );
            if batch.len() == CHUNK {
                let n = self
                    .insert(std::mem::take(&mut batch), ("收入记录", "income records"))
                    .await?;
                written += n;
                progress(n);
            }
        }
        let n = self.insert(batch, ("收入记录", "income records")).await?;
        progress(n);
        Ok(written + n)
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

fn household_row(h: &Household, id: i64, now: chrono::DateTime<Utc>) -> households::Model {
    let head = h
        .members
        .iter()
        .find(|m| m.relation == Relation::Head)
        .or(h.members.first());
    households::Model {
        county_code: h.village.county().to_owned(),
        id,
        township_code: h.village.township().to_owned(),
        village_code: h.village.as_str().to_owned(),
        number: h.number.clone(),
        natural_village: h.natural_village.clone(),
        household_type: h.household_type.code().to_owned(),
        address: h.address.clone(),
        phone: h.phone.clone(),
        is_relocated: h.is_relocated,
        monitored_type: h.monitored_type.map(|t| t.code().to_owned()),
        risks: join_codes(&h.risks),
        head_name: head.map(|m| m.name.clone()).unwrap_or_default(),
        head_id_number: head.map(|m| m.id_number.to_string()).unwrap_or_default(),
        size: i32::try_from(h.members.len()).unwrap_or(i32::MAX),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}
