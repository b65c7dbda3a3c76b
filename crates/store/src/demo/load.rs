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
//! `demo_load`, actor 系统 `system`, entity `region` / `household` / `member` / `income_record` /
//! `user` / `case`, entity id the county code, `after` = row count, seed and household count) in the
//! same transaction, instead of one row per household: the load is a single system action, and 400,000
//! audit rows of synthetic data would only bury the real history. The demo accounts are created
//! through [`crate::repo::users::add`], which audits each account itself.
//!
//! Monitoring cases 监测帮扶档案 (see `lifecycle.rs`): about 1 % of the households get a case in one of the
//! lifecycle states. Every case is played through the core's rules; the demo village's cases (one of each
//! kind) are then written through [`crate::repo::cases`] one action at a time as the demo users (each
//! action audited), the rest — the bulk — with one multi-row insert in the load's transaction
//! ([`crate::repo::cases`]'s `insert_bulk`, the same derived columns). The staff acting elsewhere
//! (township offices, village teams, responsible cadres) get inactive accounts, written in bulk.

use std::collections::HashMap;

use chrono::{Datelike, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    Statement,
};
use sha2::{Digest, Sha256};
use shouwang_core::codes::Relation;
use shouwang_core::monitoring::{Actor as CoreActor, Attachment};
use shouwang_core::{CodeList, Household, Role, Scope};

use super::lifecycle::{self, Ctx, Pick, Staff, Step};
use super::names::COUNTY_CODE;
use super::{DEMO_USERS, DemoCounty, DemoSummary};
use crate::db::Db;
use crate::entity::{households, income_records, members, regions, user_roles, users as user_rows};
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::repo::audit::{self, Change};
use crate::repo::cases::{self, BulkCase, NominateRequest, NoticeRequest};
use crate::repo::households::{id_key, join_codes};
use crate::repo::{Actor, Sql, lines, rules, users};
use crate::secret;

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

/// Writes `county` into `db`: the default monitoring lines (if the migration has not seeded them), the
/// demo accounts of [`DEMO_USERS`] (existing user names are kept), then in one transaction regions,
/// households, members, income records, the staff accounts and the bulk of the monitoring cases, and
/// last the demo village's cases through the case repository. `progress(done, total)` is called after
/// every chunk, counting rows of households, members and income records, and cases.
///
/// Households whose 户编号 or members whose ID number already exist in the county make the whole
/// load fail with [`StoreError::Conflict`] (nothing but the demo accounts is written): load a demo
/// county into an empty database.
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

    // The monitoring line of the demo year (the migration seeds it; this only fills gaps) and the demo
    // accounts, who act in the cases.
    let monitoring_lines = lines::seed_defaults(db).await?;
    let province = county_code.get(..2).unwrap_or("14");
    let line = lines::get(db, province, county.as_of.year())
        .await?
        .ok_or_else(|| {
            StoreError::Invalid(format!(
                "no monitoring line for province {province} in {} (未设置监测线)",
                county.as_of.year()
            ))
        })?;
    let mut staff = Staff::default();
    let mut users_created = 0;
    for u in DEMO_USERS {
        let id = match users::add(
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
            Ok(id) => {
                users_created += 1;
                id
            }
            Err(StoreError::Conflict(_)) => user_rows::Entity::find()
                .filter(user_rows::Column::Username.eq(u.username))
                .one(db.conn())
                .await?
                .map(|m| m.id)
                .ok_or(StoreError::NotFound)?,
            Err(e) => return Err(e),
        };
        staff.add(id, u.display_name, u.role, u.area);
    }

    let picks = lifecycle::select(county, line);
    let promoted: HashMap<usize, Household> = picks
        .iter()
        .filter(|p| p.promote)
        .filter_map(|p| Some((p.index, lifecycle::household_for(county, p)?)))
        .collect();
    let total = (county.households.len() + n_members + n_incomes + picks.len()) as u64;
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
    for (i, dh) in county.households.iter().enumerate() {
        let id = new_id();
        ids.push(id);
        let h = promoted.get(&i).unwrap_or(&dh.household);
        batch.push(household_row(h, id, now).into_active_model());
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

    // Staff accounts, attachments and the bulk of the cases.
    let accounts = lifecycle::staff_accounts(county, &picks);
    insert_staff(&tx, &accounts, &mut staff, now).await?;
    let uploader = staff.county_admin.as_ref().map_or(0, |a| a.user_id);
    let attachments = demo_attachments(&tx, &county_code, uploader, now).await?;
    let county_rules = rules::get_on(&tx, &county_code).await?.rules;
    let names = lifecycle::region_names(county);
    let ctx = Ctx {
        staff: &staff,
        rules: &county_rules,
        line,
        names: &names,
        attachments: &attachments,
    };
    let bulk = bulk_cases(&ctx, county, &picks, &promoted, &ids)?;
    let cases_written = cases::insert_bulk(&tx, &county_code, &bulk).await?;
    done += picks.iter().filter(|p| !p.api).count() as u64;
    progress(done, total);

    // One summary audit row per table (see the module doc).
    let households_n = county.households.len() as u64;
    for (entity, rows) in [
        ("region", regions_written),
        ("household", households_n),
        ("member", n_members as u64),
        ("income_record", n_incomes as u64),
        ("user", accounts.len() as u64),
        ("case", cases_written),
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
    db.forget_regions();

    // The demo village's cases, one action at a time through the repository, as the demo users.
    let mut api_cases = 0;
    for p in picks.iter().filter(|p| p.api) {
        let Some(h) = promoted
            .get(&p.index)
            .or_else(|| county.households.get(p.index).map(|dh| &dh.household))
        else {
            continue;
        };
        let steps = lifecycle::script(&ctx, county, p, h).map_err(StoreError::Refused)?;
        api_cases += drive(db, &ctx, h, steps).await?;
        done += 1;
        progress(done, total);
    }
    db.optimize().await?;

    Ok(DemoSummary {
        regions: regions_written,
        households: households_n,
        members: n_members as u64,
        income_records: n_incomes as u64,
        monitoring_lines,
        users: users_created,
        staff_accounts: accounts.len() as u64,
        cases: cases_written + api_cases,
    })
}

/// Writes the staff accounts (inactive, with an unusable password: no one signs in as them until the
/// county admin enables one and sets its password) and adds them to `staff`.
async fn insert_staff(
    tx: &impl ConnectionTrait,
    accounts: &[lifecycle::StaffAccount],
    staff: &mut Staff,
    now: chrono::DateTime<Utc>,
) -> Result<()> {
    let hash = secret::dummy_hash().to_owned();
    let mut user_batch = Vec::with_capacity(CHUNK);
    let mut role_batch = Vec::with_capacity(CHUNK);
    for a in accounts {
        let id = new_id();
        staff.add(id, &a.display_name, a.role, &a.area);
        user_batch.push(
            user_rows::Model {
                id,
                username: a.username.clone(),
                display_name: a.display_name.clone(),
                password_hash: hash.clone(),
                is_active: false,
                version: 1,
                created_at: now,
                updated_at: now,
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
                created_at: now,
            }
            .into_active_model(),
        );
        if user_batch.len() == CHUNK {
            insert_chunk(tx, std::mem::take(&mut user_batch), "demo staff accounts").await?;
            insert_chunk(tx, std::mem::take(&mut role_batch), "demo staff roles").await?;
        }
    }
    insert_chunk(tx, user_batch, "demo staff accounts").await?;
    insert_chunk(tx, role_batch, "demo staff roles").await?;
    Ok(())
}

/// The demo's two synthetic scans (a visit photo and a signed authorisation form), registered as
/// attachments of the county; the cases refer to them by hash.
async fn demo_attachments(
    tx: &impl ConnectionTrait,
    county_code: &str,
    uploader: i64,
    now: chrono::DateTime<Utc>,
) -> Result<Vec<Attachment>> {
    let files = [
        ("入户核查照片（演示）.jpg", "image/jpeg"),
        ("承诺授权书扫描件（演示）.pdf", "application/pdf"),
    ];
    let mut out = Vec::new();
    for (name, media_type) in files {
        let content = format!("守望演示县合成附件：{name}");
        let sha = hex(&Sha256::digest(content.as_bytes()));
        let a = Attachment::new(name, &sha, media_type).map_err(StoreError::Refused)?;
        let mut sql = Sql::new();
        sql.push(
            "INSERT INTO attachments (county_code, sha256, name, media_type, size, uploaded_by, \
             uploaded_at) VALUES (",
        )
        .bind(county_code)
        .push(", ")
        .bind(sha)
        .push(", ")
        .bind(name)
        .push(", ")
        .bind(media_type)
        .push(", ")
        .bind(content.len() as i64)
        .push(", ")
        .bind(uploader)
        .push(", ")
        .bind(now)
        .push(") ON CONFLICT (county_code, sha256) DO NOTHING");
        tx.execute_raw(sql.build(tx.get_database_backend())).await?;
        out.push(a);
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Plays the scripts of the bulk picks through the core and returns the cases to insert. The exit
/// notices are numbered 1, 2, … in the order of their dates (the demo village's, written later through
/// the repository, take the numbers after them).
fn bulk_cases(
    ctx: &Ctx<'_>,
    county: &DemoCounty,
    picks: &[Pick],
    promoted: &HashMap<usize, Household>,
    ids: &[i64],
) -> Result<Vec<BulkCase>> {
    let mut scripts: Vec<(&Pick, &Household, Vec<Step>)> = Vec::new();
    for p in picks.iter().filter(|p| !p.api) {
        let (Some(dh), Some(_)) = (county.households.get(p.index), ids.get(p.index)) else {
            continue;
        };
        let h = promoted.get(&p.index).unwrap_or(&dh.household);
        let steps = lifecycle::script(ctx, county, p, h).map_err(StoreError::Refused)?;
        scripts.push((p, h, steps));
    }
    // Notice sequences by date.
    let mut dated: Vec<(chrono::NaiveDate, usize)> = scripts
        .iter()
        .enumerate()
        .filter_map(|(i, (_, _, steps))| {
            steps.iter().find_map(|s| match s {
                Step::Notice { on, .. } => Some((*on, i)),
                _ => None,
            })
        })
        .collect();
    dated.sort();
    let mut sequence: HashMap<usize, u32> = HashMap::new();
    for (n, (_, i)) in dated.iter().enumerate() {
        sequence.insert(*i, u32::try_from(n + 1).unwrap_or(u32::MAX));
    }
    let mut out = Vec::with_capacity(scripts.len());
    for (i, (p, h, steps)) in scripts.into_iter().enumerate() {
        let income = county
            .households
            .get(p.index)
            .and_then(|dh| dh.incomes.iter().max_by_key(|r| r.year).copied());
        let seq = sequence.get(&i).copied().unwrap_or(1);
        let all = lifecycle::run(h, income, ctx.line, ctx.rules, steps, seq)
            .map_err(StoreError::Refused)?;
        let n = all.len();
        let household_id = ids.get(p.index).copied().unwrap_or_default();
        for (k, case) in all.into_iter().enumerate() {
            out.push(BulkCase {
                household_id,
                seq: k as i64 + 1,
                is_current: k + 1 == n,
                case,
            });
        }
    }
    Ok(out)
}

/// The scope a staff member acts in: the county, the township or the village of the household.
fn scope_of(by: &CoreActor, h: &Household) -> Scope {
    let area = match by.role {
        Role::CountyAdmin | Role::Department | Role::Auditor => h.village.county(),
        Role::TownshipAdmin => h.village.township(),
        Role::VillageTeam | Role::Cadre => h.village.as_str(),
    };
    Scope::new(by.user_id, by.role, area)
}

/// Writes one household's script through the case repository, one action a transaction, each as its
/// actor in the actor's scope. Returns the number of cases opened.
async fn drive(db: &Db, ctx: &Ctx<'_>, h: &Household, steps: Vec<Step>) -> Result<u64> {
    let mut version = 0;
    let mut opened = 0;
    for step in steps {
        let by = step.by().clone();
        let actor = Actor::new(by.user_id, by.name.clone());
        let scope = scope_of(&by, h);
        let number = h.number.as_str();
        let rec = match step {
            Step::Open { report, by, on } => {
                opened += 1;
                cases::open(db, &actor, &scope, report, &by, on).await?
            }
            Step::Act { action, by, on } => {
                cases::apply(db, &actor, &scope, number, version, |c| {
                    c.apply(action, &by, on)
                })
                .await?
            }
            Step::Nominate { by, on } => {
                let req = NominateRequest {
                    by,
                    on,
                    rules: ctx.rules.exit.clone(),
                };
                cases::nominate_exit(db, &actor, &scope, number, version, &req).await?
            }
            Step::Notice {
                by,
                on,
                addressee,
                village,
                committee,
            } => {
                let req = NoticeRequest {
                    by,
                    on,
                    addressee,
                    village,
                    committee,
                };
                cases::issue_exit_notice(db, &actor, &scope, number, version, &req).await?
            }
        };
        version = rec.version;
    }
    Ok(opened)
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
