//! Loading a generated demo county (演示数据导入).
//!
//! The registry comes in as a township's does: the county's households, members and income records are
//! handed to the registry import ([`crate::imports::registry::run_rows`], all or nothing, as the system) as
//! the rows of a registry workbook (户信息, 家庭成员, 收支情况; `registry.rs`), and the import creates the
//! regions they need from the rows' names, the households, members and income records, and audits them as
//! every import does (a `create` row per household, income record and region, and the import's summary).
//! The rest is written in bulk through [`shouwang_store::repo::bulk`] in **one write transaction** after
//! it: the regions without households, the staff accounts, the attachments and the bulk of the cases. A
//! load whose import refuses anything (a 户编号 or an ID number already in the county) writes nothing but
//! the demo accounts; a failure after the import leaves the imported registry (as a township's import
//! would) and nothing of the rest.
//!
//! Audit (审计): besides the import's rows, the load writes **one summary audit row per table** (action
//! `demo_load`, actor 系统 `system`, entity `region` / `household` / `member` / `income_record` /
//! `user` / `case`, entity id the county code, `after` = row count, seed and household count) in its
//! transaction: the cases and staff accounts are one system action, and thousands of audit rows of
//! synthetic cases would only bury the real history. The demo accounts are created through
//! [`shouwang_store::repo::users::add`], which audits each account itself.
//!
//! Monitoring cases 监测帮扶档案 (see `lifecycle.rs`): about 1 % of the households get a case in one of the
//! lifecycle states. Every case is played through the core's rules; the demo village's cases (one of each
//! kind) are then written through [`shouwang_store::repo::cases`] one action at a time as the demo users (each
//! action audited), the rest — the bulk — with one multi-row insert in the load's transaction
//! ([`BulkLoad::cases`], the same derived columns). The staff acting elsewhere
//! (township offices, village teams, responsible cadres) get inactive accounts, written in bulk.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use chrono::Datelike;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shouwang_core::monitoring::Actor as CoreActor;
use shouwang_core::{Household, IncomeRecord, MonitoringLine, Role, Scope};
use shouwang_store::entity::users as user_rows;
use shouwang_store::repo::bulk::{BulkCase, BulkLoad, FileEntry};
use shouwang_store::repo::cases::{self, NominateRequest, NoticeRequest};
use shouwang_store::repo::registry_file::ImportOptions;
use shouwang_store::repo::{Actor, lines, users};
use shouwang_store::{Db, Result, StoreError};

use super::lifecycle::{self, Ctx, Pick, Staff, Step};
use super::names::COUNTY_CODE;
use super::registry::rows;
use super::{DEMO_USERS, DemoCounty, DemoSummary};
use crate::imports::registry as import;
use crate::jobs::Quiet;

pub use shouwang_store::repo::bulk::is_loaded;

/// The demo's two synthetic scans (a visit photo and a signed authorisation form), registered as
/// attachments of the county; the cases refer to them by hash.
const DEMO_FILES: [(&str, &str); 2] = [
    ("入户核查照片（演示）.jpg", "image/jpeg"),
    ("承诺授权书扫描件（演示）.pdf", "application/pdf"),
];

/// Sets the province's latest monitoring line for every later year up to `through` that has none (a
/// demo set after the plan's years; the demo's own assumption, audited like any line, which the county
/// replaces on the rules page); how many lines it wrote.
async fn carry_lines_forward(db: &Db, actor: &Actor, province: &str, through: i32) -> Result<u64> {
    let Some(latest) = lines::table(db)
        .await?
        .latest_for(province, through)
        .cloned()
    else {
        return Ok(0);
    };
    let mut written = 0;
    for year in latest.year + 1..=through {
        let line = MonitoringLine {
            year,
            ..latest.clone()
        };
        lines::set(db, actor, &line).await?;
        written += 1;
    }
    Ok(written)
}

/// Writes `county` into `db`: the default monitoring lines (if the migration has not seeded them), the
/// demo accounts of [`DEMO_USERS`] (existing user names are kept), the registry through the registry
/// import (households, members, income records and the regions they need), then in one
/// transaction the other regions, the staff accounts and the bulk of the monitoring cases, and last the
/// demo village's cases through the case repository. `progress(done, total)` is called after the import
/// (its households, members and income records) and as the cases are written.
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
    let county_code = format!("{COUNTY_CODE}");
    let n_members = county.member_count();
    let n_incomes = county.income_count();

    // The monitoring lines (the migration seeds the plan's; this fills gaps, and carries the latest on to
    // the frame's years when the demo is set later than the plan's lines go) and the demo accounts, who
    // act in the cases.
    let mut monitoring_lines = lines::seed_defaults(db).await?;
    let province = county_code.get(..2).unwrap_or("14");
    let year = county.frame.as_of.year();
    monitoring_lines += carry_lines_forward(db, &actor, province, year).await?;
    let (line, _) = cases::line_in_force(db, &county_code, year).await?;
    let picks = lifecycle::select(county, line);
    let promoted: HashMap<usize, Household> = picks
        .iter()
        .filter(|p| p.promote)
        .filter_map(|p| Some((p.index, lifecycle::household_for(county, p)?)))
        .collect();
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
            Err(StoreError::Conflict { .. }) => user_rows::Entity::find()
                .filter(user_rows::Column::Username.eq(u.username))
                .one(db.conn())
                .await?
                .map(|m| m.id)
                .ok_or(StoreError::NotFound)?,
            Err(e) => return Err(e),
        };
        staff.add(id, u.display_name, u.role, u.area);
    }

    let total = (county.households.len() + n_members + n_incomes + picks.len()) as u64;
    let done = Cell::new(0u64);
    let step = |n: u64| {
        done.set(done.get() + n);
        progress(done.get(), total);
    };
    progress(0, total);

    // The registry (households as promoted for their cases), through the registry import.
    let started = Instant::now();
    let registry: Vec<(Household, Vec<IncomeRecord>)> = county
        .households
        .iter()
        .enumerate()
        .map(|(i, dh)| {
            (
                promoted.get(&i).unwrap_or(&dh.household).clone(),
                dh.incomes.clone(),
            )
        })
        .collect();
    let options = ImportOptions {
        dry_run: false,
        all_or_nothing: true,
        source: format!("演示县农户信息台账（种子 {}）", county.seed),
    };
    let imported = import::run_rows(
        db,
        None,
        &options.source,
        rows(county, registry),
        &options,
        crate::caller::today(),
        Arc::new(Quiet),
    )
    .await
    .map_err(|f| StoreError::invalid(f.zh(), f.en()))?;
    let report = &imported.report;
    if let Some(p) = report.problems.first() {
        return Err(StoreError::conflict(
            format!("演示县无法载入（{p}）：请载入到空数据库"),
            format!(
                "the demo county cannot be loaded ({}): load it into an empty database",
                p.reason_en
            ),
        ));
    }
    if report.households_created != county.households.len() as u64 {
        return Err(StoreError::conflict(
            "演示县的农户已在数据库中：请载入到空数据库",
            "The demo county's households are in the database already: load it into an empty database",
        ));
    }
    step(report.households_created + report.members_added + report.incomes_created);
    let imported_in = started.elapsed();

    let bulk = BulkLoad::begin(db, &county_code).await?;
    let regions_written = report.regions_created + bulk.regions(&county.regions).await?;
    let by_number = bulk.household_ids().await?;
    let ids: Vec<i64> = county
        .households
        .iter()
        .map(|dh| {
            by_number
                .get(&dh.household.number)
                .copied()
                .unwrap_or_default()
        })
        .collect();

    // Staff accounts, attachments and the bulk of the cases.
    let accounts = lifecycle::staff_accounts(county, &picks);
    for (a, id) in accounts.iter().zip(bulk.accounts(&accounts).await?) {
        staff.add(id, &a.display_name, a.role, &a.area);
    }
    let uploader = staff.county_admin.as_ref().map_or(0, |a| a.user_id);
    let contents: Vec<String> = DEMO_FILES
        .iter()
        .map(|(name, _)| format!("守望演示县合成附件：{name}"))
        .collect();
    let files: Vec<FileEntry<'_>> = DEMO_FILES
        .iter()
        .zip(&contents)
        .map(|((name, media_type), content)| FileEntry {
            name,
            media_type,
            content: content.as_bytes(),
        })
        .collect();
    let attachments = bulk.attachments(uploader, &files).await?;
    let county_rules = bulk.rules().await?;
    let names = lifecycle::region_names(county);
    let ctx = Ctx {
        staff: &staff,
        rules: &county_rules,
        line,
        frame: county.frame,
        names: &names,
        attachments: &attachments,
    };
    let cases_written = bulk
        .cases(&bulk_cases(&ctx, county, &picks, &promoted, &ids)?)
        .await?;
    step(picks.iter().filter(|p| !p.api).count() as u64);

    // One summary audit row per table (see the module doc).
    let households_n = county.households.len() as u64;
    for (entity, rows) in [
        ("region", regions_written),
        ("household", households_n),
        ("member", n_members as u64),
        ("income_record", report.incomes_created),
        ("user", accounts.len() as u64),
        ("case", cases_written),
    ] {
        let after = serde_json::json!({
            "rows": rows,
            "seed": county.seed,
            "households": households_n,
            "as_of": county.as_of.to_string(),
            "note": "demo load (演示数据导入): one summary audit row per table; the registry came in through the registry import (see its registry_import row)",
        });
        bulk.audit_summary(&actor, "demo_load", entity, after)
            .await?;
    }
    bulk.commit(db).await?;
    tracing::debug!(
        target: "shouwang_app::demo",
        "demo load: registry import {:.3} s (rows handed over {:.3} s), cases and the rest {:.3} s",
        imported_in.as_secs_f64(),
        imported.timing.read.as_secs_f64(),
        (started.elapsed() - imported_in).as_secs_f64()
    );

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
        step(1);
    }
    // The demo village's 低收入人口 visits, after its cases (a risk found joins them).
    let low_income_visits = super::low_income::visits(db, county.frame.as_of).await?;
    let relocation_screenings =
        super::relocation::screenings(db, county, county.frame.as_of).await?;
    // The demo village's projects in every state of the 项目库 flow, with payments (issue 23).
    let projects = super::projects::projects(db, county.frame.as_of).await?;
    let labour_records = super::labour::records(db, county.frame.as_of).await?;
    // The demo village's quarterly 三保障和饮水安全问题排查 (last quarter complete, this one half done).
    let campaign_checks = super::campaign::checks(db, county.frame.as_of).await?;
    // The demo village's assets in every type and state, upkeep done and overdue, disposals (issue 23).
    let assets = super::assets::assets(db, county.frame.as_of).await?;
    // The demo village's 帮扶车间 in every state, with workers (issue 21).
    let workshops = super::workshops::workshops(db, county.frame.as_of).await?;
    // The demo village's 公益岗位 in every state, a 两无老人看护 post among them (issue 21).
    let welfare_posts = super::welfare_posts::posts(db, county.frame.as_of).await?;
    // The demo township's 光伏扶贫电站 of both kinds, income every month, distributions done, pending and
    // overdue (issue 23), after the posts its share pays.
    let pv_distributions = super::pv::pv(db, county.frame.as_of).await?;
    // The demo township's 村容村貌指标 in every state (issue 22).
    let village_indicators = super::indicators::indicators(db, county.frame.as_of).await?;
    // The demo village's grids, most households in one, a few in none (issue 22, B6).
    let grids = super::grids::grids(db).await?;
    db.optimize().await?;

    Ok(DemoSummary {
        regions: regions_written,
        households: households_n,
        members: n_members as u64,
        income_records: report.incomes_created,
        monitoring_lines,
        users: users_created,
        staff_accounts: accounts.len() as u64,
        cases: cases_written + api_cases,
        low_income_visits,
        relocation_screenings,
        campaign_checks,
        projects,
        labour_records,
        assets,
        workshops,
        welfare_posts,
        pv_distributions,
        village_indicators,
        grids,
    })
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
        Role::ProvinceAdmin => h.village.as_str().get(..2).unwrap_or(""),
        // A grid member acts in no script of the demo (its area is its grid, `<village>/<n>`).
        Role::GridMember => "",
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
