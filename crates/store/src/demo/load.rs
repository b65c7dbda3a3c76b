//! Bulk loading of a generated demo county (演示数据导入).
//!
//! The households, members and income records are written with multi-row `INSERT`s (SeaORM
//! `insert_many`, [`CHUNK`] rows a statement) in **one write transaction**: a failed load leaves
//! nothing behind. Regions that exist already are kept (`ON CONFLICT DO NOTHING`).
//!
//! Measured at 100,000 households on SQLite (release, 2 shared cores): ≈ 9–10 s of CPU, almost all
//! of it SQLite maintaining the members' indexes (name, ID number, ID key, household); multi-row
//! `INSERT`s of literal values instead of bound parameters took the same CPU, so the
//! compile-checked entity path is kept. Inserting members in ID-number order (sequential for two
//! of the indexes) and a 256 MiB page cache made no measurable difference either.
//!
//! Audit (审计): a bulk system load writes **one summary audit row per table** (action
//! `demo_load`, actor 系统 `system`, entity `region` / `household` / `member` / `income_record`,
//! entity id the county code, `after` = row count, seed and household count) in the same
//! transaction, instead of one row per household: the load is a single system action, and 400,000
//! audit rows of synthetic data would only bury the real history. The demo accounts are created
//! through [`crate::repo::users::add`], which audits each account itself.

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Statement};
use shouwang_core::codes::Relation;
use shouwang_core::{CodeList, Household};

use super::names::COUNTY_CODE;
use super::{DEMO_USERS, DemoCounty, DemoSummary};
use crate::db::Db;
use crate::entity::{households, income_records, members, regions};
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::repo::audit::{self, Change};
use crate::repo::households::{id_key, join_codes};
use crate::repo::{Actor, lines, users};

/// Rows per multi-row `INSERT` (members: 22 columns → 22,000 parameters, below SQLite's 32,766 and
/// PostgreSQL's 65,535).
const CHUNK: usize = 1000;

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

/// Writes `county` into `db`: regions, households, members, income records, the default monitoring
/// lines (if the migration has not seeded them) and the demo accounts of [`DEMO_USERS`] (existing
/// user names are kept). `progress(done, total)` is called after every chunk, counting rows of
/// households, members and income records.
///
/// Households whose 户编号 or members whose ID number already exist in the county make the whole
/// load fail with [`StoreError::Conflict`] (nothing is written): load a demo county into an empty
/// database.
pub async fn load(
    db: &Db,
    county: &DemoCounty,
    progress: &dyn Fn(u64, u64),
) -> Result<DemoSummary> {
    let actor = Actor::system();
    let now = Utc::now();
    let county_code = format!("{COUNTY_CODE}");
    let n_members = county.member_count();
    let n_incomes = county.income_count();
    let total = (county.households.len() + n_members + n_incomes) as u64;
    let mut done = 0u64;
    progress(0, total);

    let tx = db.begin_write().await?;

    // Regions (parents first, as generated).
    let region_rows: Vec<regions::ActiveModel> = county
        .regions
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
    let mut regions_written = 0u64;
    for chunk in chunks(region_rows) {
        regions_written += regions::Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::column(regions::Column::Code)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&tx)
            .await
            .map_err(|e| StoreError::from_write(e, "demo regions"))?;
    }

    // Households, keeping their ids for members and income records.
    let mut ids: Vec<i64> = Vec::with_capacity(county.households.len());
    let mut batch: Vec<households::ActiveModel> = Vec::with_capacity(CHUNK);
    for dh in &county.households {
        let id = new_id();
        ids.push(id);
        batch.push(household_row(&dh.household, id, now).into_active_model());
        if batch.len() == CHUNK {
            done += insert_chunk(&tx, std::mem::take(&mut batch), "demo households").await?;
            progress(done, total);
        }
    }
    done += insert_chunk(&tx, batch, "demo households").await?;
    progress(done, total);

    // Members.
    let mut batch: Vec<members::ActiveModel> = Vec::with_capacity(CHUNK);
    for (dh, &hid) in county.households.iter().zip(&ids) {
        let h = &dh.household;
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
                    created_at: now,
                    updated_at: now,
                }
                .into_active_model(),
            );
            if batch.len() == CHUNK {
                done += insert_chunk(&tx, std::mem::take(&mut batch), "demo members").await?;
                progress(done, total);
            }
        }
    }
    done += insert_chunk(&tx, batch, "demo members").await?;
    progress(done, total);

    // Income records.
    let mut batch: Vec<income_records::ActiveModel> = Vec::with_capacity(CHUNK);
    for (dh, &hid) in county.households.iter().zip(&ids) {
        let h = &dh.household;
        for r in &dh.incomes {
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
                    version: 1,
                    created_at: now,
                    updated_at: now,
                }
                .into_active_model(),
            );
            if batch.len() == CHUNK {
                done +=
                    insert_chunk(&tx, std::mem::take(&mut batch), "demo income records").await?;
                progress(done, total);
            }
        }
    }
    done += insert_chunk(&tx, batch, "demo income records").await?;
    progress(done, total);

    // One summary audit row per table (see the module doc).
    let households_n = county.households.len() as u64;
    for (entity, rows) in [
        ("region", regions_written),
        ("household", households_n),
        ("member", n_members as u64),
        ("income_record", n_incomes as u64),
    ] {
        audit::append(
            &tx,
            &actor,
            Change {
                action: "demo_load",
                entity,
                entity_id: county_code.clone(),
                county_code: Some(county_code.clone()),
                village_code: None,
                before: None,
                after: Some(serde_json::json!({
                    "rows": rows,
                    "seed": county.seed,
                    "households": households_n,
                    "as_of": county.as_of.to_string(),
                    "note": "bulk demo load (演示数据批量导入): one summary audit row per table",
                })),
            },
        )
        .await?;
    }
    tx.commit().await?;

    // Monitoring lines (the migration seeds them; this only fills gaps) and the demo accounts.
    let monitoring_lines = lines::seed_defaults(db).await?;
    let mut users_created = 0;
    for u in DEMO_USERS {
        match users::add(
            db,
            &actor,
            u.username,
            u.display_name,
            u.password,
            u.role,
            u.area,
        )
        .await
        {
            Ok(_) => users_created += 1,
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    db.optimize().await?;

    Ok(DemoSummary {
        regions: regions_written,
        households: households_n,
        members: n_members as u64,
        income_records: n_incomes as u64,
        monitoring_lines,
        users: users_created,
    })
}

fn chunks<T>(rows: Vec<T>) -> Vec<Vec<T>> {
    let mut out = Vec::with_capacity(rows.len() / CHUNK + 1);
    let mut it = rows.into_iter().peekable();
    while it.peek().is_some() {
        out.push(it.by_ref().take(CHUNK).collect());
    }
    out
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

/// Inserts one chunk of rows with a multi-row `INSERT`; returns the number of rows.
async fn insert_chunk<A>(tx: &impl ConnectionTrait, rows: Vec<A>, what: &str) -> Result<u64>
where
    A: ActiveModelTrait + Send,
{
    if rows.is_empty() {
        return Ok(0);
    }
    let n = rows.len() as u64;
    A::Entity::insert_many(rows)
        .exec_without_returning(tx)
        .await
        .map_err(|e| StoreError::from_write(e, what))?;
    Ok(n)
}
