//! 帮扶车间 (B1 §四(一)3 "帮扶车间吸纳一批", issue 21): the use cases of the assistance-workshop register — the
//! township or county registers a workshop ([`register`]) and changes it ([`update`]), takes on a member of
//! the labour force as a worker ([`hire`]) and records that one left ([`release`]); the reads: the list with
//! the workers' figures ([`list`]) and a workshop with its workers ([`show`]). The village team reads its
//! own village's workshops. The rules are `shouwang_core::workshop`; the rows
//! `shouwang_store::repo::workshops` (scoped by area in SQL, audited, versioned).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shouwang_core::Role;
use shouwang_core::register::labour_members;
use shouwang_core::workshop::{self, Draft, Hire, OperatorKind, Tally, WorkshopState};
use shouwang_store::repo::workshops::{Hired, WorkerRow, WorkshopFilter, WorkshopRow};
use shouwang_store::{Db, StoreError, repo};

use crate::assets::Versioned;
use crate::caller::Caller;
use crate::error::Error;
use crate::projects::reads::{Names, area_of, code_of};

/// The roles that register workshops and their workers (the township, within its area; the county).
pub const KEEPERS: &[Role] = &[Role::TownshipAdmin, Role::CountyAdmin];

/// May read the register: every role of the registry (the workers are its members).
pub fn may_read(role: Role) -> bool {
    role.may_read_registry()
}

fn may_keep(caller: &Caller) -> Result<(), Error> {
    if KEEPERS.contains(&caller.scope.role) {
        Ok(())
    } else {
        Err(Error::role_not_allowed(
            "帮扶车间由乡镇、县级管理人员登记",
            "Workshops are registered by the township or the county",
        ))
    }
}

/// A filter of [`list`] (a form, a query string, CLI flags).
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct ListFilter {
    /// A township or village inside the caller's area.
    pub area: Option<String>,
    /// Only workshops in this state (`operating`, `suspended`, `closed`, or 在营/停产/关闭).
    pub state: Option<String>,
}

/// A workshop in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    /// Row id (车间编号).
    pub id: i64,
    /// 车间名称.
    pub name: String,
    /// 行政村 code.
    pub village: String,
    /// 乡（镇） name.
    pub township_name: String,
    /// 行政村 name.
    pub village_name: String,
    /// 经营主体类型.
    pub operator_kind: OperatorKind,
    /// 经营主体.
    pub operator: String,
    /// 主要产品.
    pub products: String,
    /// 投产日期.
    pub started_on: NaiveDate,
    /// 车间状态.
    pub state: WorkshopState,
    /// 提供就业岗位数.
    pub jobs: u32,
    /// The workers now in figures.
    pub tally: Tally,
    /// Version (send it back with a change).
    pub version: i64,
}

/// A worker as shown: the member's name, the ID number masked, the household's standing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Worker {
    /// Row id (for 离岗).
    pub id: i64,
    /// 户编号.
    pub household: String,
    /// The household's 行政村 name.
    pub village_name: String,
    /// 姓名 (empty: no longer in the registry).
    pub name: String,
    /// 身份证号 (masked).
    pub id_number: String,
    /// 脱贫户.
    pub alleviated: bool,
    /// 监测户.
    pub monitored: bool,
    /// 月工资（元）.
    pub wage: u32,
    /// 务工起始日期.
    pub since: NaiveDate,
    /// 离岗日期 (none: working now).
    pub until: Option<NaiveDate>,
    /// 录入人.
    pub by: String,
}

/// A workshop with its workers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sheet {
    /// The workshop.
    pub entry: Entry,
    /// Its workers, those working now first, then those who left.
    pub workers: Vec<Worker>,
}

fn entry(r: &WorkshopRow, names: &Names, workers: &[&WorkerRow]) -> Entry {
    let d = &r.draft;
    Entry {
        id: r.id,
        name: d.name.clone(),
        village: r.village_code.clone(),
        township_name: names.township(&r.village_code),
        village_name: names.get(&r.village_code),
        operator_kind: d.operator_kind,
        operator: d.operator.clone(),
        products: d.products.clone(),
        started_on: d.started_on,
        state: d.state,
        jobs: d.jobs,
        tally: workshop::tally(
            workers
                .iter()
                .filter(|w| w.until.is_none())
                .map(|w| w.counted()),
        ),
        version: r.version,
    }
}

fn worker(w: &WorkerRow, names: &Names) -> Worker {
    Worker {
        id: w.id,
        household: w.household_number.clone(),
        village_name: names.get(&w.household_village),
        name: w
            .member
            .as_ref()
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        id_number: w
            .member
            .as_ref()
            .map(|m| m.id_number.masked())
            .unwrap_or_default(),
        alleviated: w.alleviated,
        monitored: w.monitored,
        wage: w.wage,
        since: w.since,
        until: w.until,
        by: w.by.clone(),
    }
}

/// The workshops of the caller's area (filtered), by village and name, each with its workers' figures.
pub async fn list(db: &Db, caller: &Caller, filter: &ListFilter) -> Result<Vec<Entry>, Error> {
    if !may_read(caller.scope.role) {
        return Err(Error::forbidden());
    }
    let area = area_of(filter.area.as_deref())?;
    let f = WorkshopFilter {
        area,
        state: code_of("车间状态", filter.state.as_deref())?,
    };
    let rows = repo::workshops::list(db, &caller.scope, &f).await?;
    let names = Names::of_county(db, rows.first().map(|r| r.county_code.as_str())).await?;
    let workers = repo::workshops::workers(db, &caller.scope, area, None, true).await?;
    let mut by_shop: HashMap<i64, Vec<&WorkerRow>> = HashMap::new();
    for w in &workers {
        by_shop.entry(w.workshop_id).or_default().push(w);
    }
    Ok(rows
        .iter()
        .map(|r| entry(r, &names, by_shop.get(&r.id).map_or(&[][..], Vec::as_slice)))
        .collect())
}

/// The workshop `id` of the caller's area (`NotFound` outside it or for a role that may not read it).
async fn workshop_row(db: &Db, caller: &Caller, id: i64) -> Result<WorkshopRow, Error> {
    if !may_read(caller.scope.role) {
        return Err(Error::not_found());
    }
    repo::workshops::get(db, &caller.scope, id)
        .await?
        .ok_or_else(Error::not_found)
}

/// The workshop `id` with its workers (those now first). 404 outside the caller's area.
pub async fn show(db: &Db, caller: &Caller, id: i64) -> Result<Sheet, Error> {
    let row = workshop_row(db, caller, id).await?;
    let names = Names::of_county(db, Some(&row.county_code)).await?;
    let mut workers = repo::workshops::workers(db, &caller.scope, None, Some(id), false).await?;
    workers.sort_by_key(|w| (w.until.is_some(), w.since, w.id));
    let refs: Vec<&WorkerRow> = workers.iter().collect();
    Ok(Sheet {
        entry: entry(&row, &names, &refs),
        workers: workers.iter().map(|w| worker(w, &names)).collect(),
    })
}

fn check_version(row: &WorkshopRow, version: Option<i64>) -> Result<(), Error> {
    match version {
        Some(v) if v != row.version => Err(StoreError::StaleVersion {
            expected: v,
            found: row.version,
        }
        .into()),
        _ => Ok(()),
    }
}

/// Checks a registration against the caller's area: the rules of [`Draft::validate`], the village one of
/// the county inside the caller's area.
async fn check_draft(
    db: &Db,
    caller: &Caller,
    draft: &Draft,
    today: NaiveDate,
) -> Result<(), Error> {
    draft.validate(today)?;
    let county = caller.county()?;
    if !caller.scope.covers(&draft.village) {
        return Err(Error::role_not_allowed(
            "只能登记本辖区的帮扶车间",
            "Only workshops inside the user's area",
        ));
    }
    let names = repo::projects::region_names(db.conn(), &county).await?;
    if !names.contains_key(&draft.village) {
        return Err(Error::invalid(
            format!("所在村{}不是本县的行政村", draft.village),
            "The village is no village of the county",
        ));
    }
    Ok(())
}

/// Registers a workshop; its id. Refused (nothing written): a role other than [`KEEPERS`] (403), a
/// registration the rules refuse (422), a village outside the caller's area (403).
pub async fn register(
    db: &Db,
    caller: &Caller,
    draft: Draft,
    today: NaiveDate,
) -> Result<i64, Error> {
    may_keep(caller)?;
    let draft = draft.normalized();
    check_draft(db, caller, &draft, today).await?;
    let county = caller.county()?;
    Ok(repo::workshops::create(db, &caller.actor(), &county, &draft).await?)
}

/// Changes the registration of the workshop `id` (with the version read). Refused (nothing written): a stale
/// version (409), and what [`register`] refuses.
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    change: Versioned<Draft>,
    today: NaiveDate,
) -> Result<(), Error> {
    may_keep(caller)?;
    let row = workshop_row(db, caller, id).await?;
    check_version(&row, change.version)?;
    let draft = change.body.normalized();
    check_draft(db, caller, &draft, today).await?;
    Ok(repo::workshops::update(db, &caller.actor(), &row, &draft).await?)
}

/// Takes on a member of the labour force (16–60, able to work) of a household of the caller's area as a
/// worker of the workshop `id`; the worker's row id. Refused (nothing written): a role other than
/// [`KEEPERS`] (403); a workshop (404) or a household (404) not found, a household outside the caller's area
/// (403); no such member or one outside the labour force, a bad wage or date (422); a closed workshop, a
/// member working at a workshop already, a stale version (409).
pub async fn hire(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: Versioned<Hire>,
    today: NaiveDate,
) -> Result<i64, Error> {
    may_keep(caller)?;
    let row = workshop_row(db, caller, id).await?;
    check_version(&row, input.version)?;
    let mut h = input.body;
    h.household = h.household.trim().to_owned();
    h.validate(&row.draft, today)?;
    let county = caller.county()?;
    let (household_id, village) = repo::register_records::locate(db.conn(), &county, &h.household)
        .await?
        .ok_or_else(Error::not_found)?;
    if !caller.scope.covers(&village) {
        return Err(Error::forbidden());
    }
    let subject =
        repo::register_records::subjects(db, &caller.scope, None, Some(h.household.as_str()))
            .await?
            .into_iter()
            .next()
            .ok_or_else(Error::not_found)?;
    if !labour_members(&subject.household, h.since)
        .iter()
        .any(|(p, _)| *p == h.position)
    {
        return Err(Error::invalid(
            format!(
                "户编号{}的第{}位成员不是劳动力（16至60周岁、有劳动能力）",
                h.household,
                h.position + 1
            ),
            "That member is not of the household's labour force",
        ));
    }
    match repo::workshops::hire(db, &caller.actor(), &row, household_id, &h).await? {
        Hired::Hired(worker) => Ok(worker),
        Hired::NoMember => Err(Error::invalid(
            format!("户编号{}没有第{}位成员", h.household, h.position + 1),
            "No such member",
        )),
        Hired::Busy(_, name) => Err(Error::conflict(
            format!("该成员已在帮扶车间“{name}”务工，请先办理离岗"),
            "The member works at a workshop already",
        )),
    }
}

/// 离岗 as a surface sends it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Release {
    /// The worker's row id.
    pub worker: i64,
    /// 离岗日期 (default today).
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

/// Records that a worker of the workshop `id` left (with the version read). Refused (nothing written): a
/// role other than [`KEEPERS`] (403), a date in the future (422), no such worker working there now or a date
/// before the worker's start (422), a stale version (409).
pub async fn release(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: Versioned<Release>,
    today: NaiveDate,
) -> Result<(), Error> {
    may_keep(caller)?;
    let row = workshop_row(db, caller, id).await?;
    check_version(&row, input.version)?;
    let until = input.body.until.unwrap_or(today);
    if until > today {
        return Err(Error::invalid(
            format!("离岗日期{until}晚于今天"),
            "The date lies in the future",
        ));
    }
    if !repo::workshops::release(db, &caller.actor(), &row, input.body.worker, until).await? {
        return Err(Error::invalid(
            "该车间没有这名在岗人员，或离岗日期早于务工起始日期",
            "No such worker at work there, or the date is before the start",
        ));
    }
    Ok(())
}
