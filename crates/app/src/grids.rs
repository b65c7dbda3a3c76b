//! 网格化管理 (B6, issue 22; §四(六) "推行网格化管理"): the use cases. The village working team, the township
//! or the county admin sets up the grids of a village (名称, 党支部, 网格长, 网格员: [`create`], [`update`]) and
//! puts the village's households into them ([`assign`]: a household lies in exactly one grid; moved, it
//! leaves the first). Every role of the registry reads the grids of its area ([`list`], [`show`]), the
//! phones masked unless the role sees personal data; the dashboard shows the households in a grid per
//! village ([`coverage`]). A household of a village with grids but in none is the quality check Q19. A
//! grid member 网格员 is a user account of role `grid_member` over the area `<village>/<网格编号>`
//! ([`GridView::member_area`], granted by the township or county admin on `/admin/users`): it reads only its
//! grid's households (the store's area filter, `Scope::grid`). The rules are `shouwang_core::grid` and
//! `shouwang_core::access`; the rows `repo::grids`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shouwang_core::grid::{GridDraft, GridPerson, MAX_ASSIGN, coverage_pct, may_edit};
use shouwang_store::repo::grids::{GridHousehold, GridRow, VillageGrids};
use shouwang_store::{Db, repo};

use crate::assets::Versioned;
use crate::caller::Caller;
use crate::error::Error;

/// A grid as a user sees it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridView {
    /// Id.
    pub id: i64,
    /// 网格编号 in the village (1, 2, …).
    pub seq: i64,
    /// The area of its grid members' accounts (网格员账号的管辖区域): `<village>/<seq>`.
    pub member_area: String,
    /// 行政村 code.
    pub village: String,
    /// 行政村 name.
    pub village_name: String,
    /// 网格名称.
    pub name: String,
    /// 党支部.
    pub branch: String,
    /// 网格长 (phone masked unless the role sees personal data).
    pub leader: GridPerson,
    /// 网格员 (phones likewise).
    pub members: Vec<GridPerson>,
    /// 户数.
    pub households: i64,
    /// Version for the next change.
    pub version: i64,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A household of the grid's village, with the grid it lies in.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageHousehold {
    /// The household's id (for [`assign`]).
    pub id: i64,
    /// 户编号.
    pub number: String,
    /// 户主姓名.
    pub head_name: String,
    /// Its grid (`None`: 未划入网格).
    pub grid_id: Option<i64>,
    /// Its grid's name (empty when none).
    pub grid_name: String,
}

/// A grid's page: the grid, and the households of its village with their grids.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridSheet {
    /// The grid.
    pub grid: GridView,
    /// Every household of the village, by 户编号.
    pub households: Vec<VillageHousehold>,
    /// May the caller change the grid and assign households.
    pub may_edit: bool,
}

/// Households put into a grid, or taken out of it, at the grid's version
/// (`POST /api/v1/grids/{id}/households`).
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignInput {
    /// The grid's version read (a stale one is refused, 409).
    #[serde(default)]
    pub version: Option<i64>,
    /// The households' ids.
    pub households: Vec<i64>,
    /// Take them out of the grid instead of putting them in.
    #[serde(default)]
    pub remove: bool,
}

/// A village's households in a grid (网格覆盖).
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageCoverage {
    /// 行政村 code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// 农户总数.
    pub households: i64,
    /// 已划入网格户数.
    pub with_grid: i64,
    /// Percent with one decimal (`None` without households).
    pub pct: Option<f64>,
}

/// The households in a grid of an area: per village and in total.
#[derive(Clone, Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Coverage {
    /// Per village, by code.
    pub villages: Vec<VillageCoverage>,
    /// 农户总数.
    pub households: i64,
    /// 已划入网格户数.
    pub with_grid: i64,
    /// Percent with one decimal.
    pub pct: Option<f64>,
}

fn require_reader(caller: &Caller) -> Result<(), Error> {
    if caller.scope.role.may_read_registry() {
        Ok(())
    } else {
        Err(Error::forbidden())
    }
}

fn require_editor(caller: &Caller) -> Result<(), Error> {
    if may_edit(caller.scope.role) {
        Ok(())
    } else {
        Err(Error::role_not_allowed(
            "网格由村级工作专班、乡镇或县级管理员设置",
            "Grids are kept by the village working team, the township or the county admin",
        ))
    }
}

fn view(row: GridRow, names: &HashMap<String, String>, full: bool) -> GridView {
    let d = row.draft.shown(full);
    GridView {
        id: row.id,
        seq: row.seq,
        member_area: format!("{}/{}", d.village, row.seq),
        village_name: names.get(&d.village).cloned().unwrap_or_default(),
        village: d.village,
        name: d.name,
        branch: d.branch,
        leader: d.leader,
        members: d.members,
        households: row.households,
        version: row.version,
        updated_at: row.updated_at,
    }
}

async fn names(db: &Db, caller: &Caller) -> Result<HashMap<String, String>, Error> {
    Ok(repo::projects::region_names(db.conn(), &caller.county()?).await?)
}

/// The grid `id` of the caller's area (`NotFound` outside it or for a role that may not read it).
async fn grid(db: &Db, caller: &Caller, id: i64) -> Result<GridRow, Error> {
    if !caller.scope.role.may_read_registry() {
        return Err(Error::not_found());
    }
    repo::grids::get(db, &caller.scope, id)
        .await?
        .ok_or_else(Error::not_found)
}

/// The grids of the caller's area (or of `area` inside it: a township, a village), by village and name.
pub async fn list(db: &Db, caller: &Caller, area: Option<&str>) -> Result<Vec<GridView>, Error> {
    require_reader(caller)?;
    let names = names(db, caller).await?;
    let full = caller.scope.may_view_full_id();
    let rows = repo::grids::list(db, &caller.scope, area).await?;
    if full {
        let phones = rows.iter().map(|r| phones_of(&r.draft)).sum();
        let read = crate::privacy::read_area(Some(&caller.scope), area);
        let village = (read.len() >= 12).then_some(read);
        crate::privacy::phones_read(db, &caller.actor(), "grids", read, village, phones).await?;
    }
    Ok(rows.into_iter().map(|r| view(r, &names, full)).collect())
}

/// The phone numbers a grid shows: its 网格长's and 网格员's.
fn phones_of(d: &shouwang_core::grid::GridDraft) -> usize {
    std::iter::once(&d.leader)
        .chain(&d.members)
        .filter(|p| !p.phone.trim().is_empty())
        .count()
}

/// The grid `id` with the households of its village.
pub async fn show(db: &Db, caller: &Caller, id: i64) -> Result<GridSheet, Error> {
    let row = grid(db, caller, id).await?;
    let village = row.draft.village.clone();
    let grids: HashMap<i64, String> = repo::grids::list(db, &caller.scope, Some(&village))
        .await?
        .into_iter()
        .map(|g| (g.id, g.draft.name))
        .collect();
    let households = repo::grids::households(db, &caller.scope, Some(&village), false)
        .await?
        .into_iter()
        .map(|h: GridHousehold| VillageHousehold {
            grid_name: h
                .grid_id
                .and_then(|g| grids.get(&g).cloned())
                .unwrap_or_default(),
            id: h.id,
            number: h.number,
            head_name: h.head_name,
            grid_id: h.grid_id,
        })
        .collect();
    let names = names(db, caller).await?;
    let full = caller.scope.may_view_full_id();
    if full {
        crate::privacy::phones_read(
            db,
            &caller.actor(),
            "grid",
            &id.to_string(),
            Some(&village),
            phones_of(&row.draft),
        )
        .await?;
    }
    Ok(GridSheet {
        grid: view(row, &names, full),
        households,
        may_edit: may_edit(caller.scope.role),
    })
}

/// Checks a grid against the rules ([`GridDraft::validate`]) and the caller's area: a 行政村 of the county
/// inside the caller's area.
async fn check(db: &Db, caller: &Caller, draft: &GridDraft) -> Result<(), Error> {
    draft.validate()?;
    if !caller.scope.covers(&draft.village) {
        return Err(Error::role_not_allowed(
            "只能设置本辖区行政村的网格",
            "Only grids of villages inside the user's area",
        ));
    }
    let village = repo::regions::get(db, &draft.village).await?;
    let county = caller.county()?;
    if !village.is_some_and(|r| {
        r.level == shouwang_core::codes::RegionLevel::Village
            && r.code.as_str().starts_with(&county)
    }) {
        return Err(Error::invalid(
            format!("{}不是本县的行政村", draft.village),
            "The village is no village of the county",
        ));
    }
    Ok(())
}

/// 新建网格: a grid of a village; its id. Refused (nothing written): a role other than the editors
/// ([`may_edit`]), a grid the rules or the area refuse, a name taken in the village (409).
pub async fn create(db: &Db, caller: &Caller, draft: GridDraft) -> Result<i64, Error> {
    require_editor(caller)?;
    let draft = draft.normalised();
    check(db, caller, &draft).await?;
    let county = caller.county()?;
    Ok(repo::grids::create(db, &caller.actor(), &county, &draft).await?)
}

/// Changes the grid `id` (at the version read). Its village stays (a grid does not move: the households
/// of a village are assigned within it). Refused as [`create`], and a stale version (409).
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    change: Versioned<GridDraft>,
) -> Result<(), Error> {
    require_editor(caller)?;
    let row = grid(db, caller, id).await?;
    Error::check_version(change.version, row.version)?;
    let mut draft = change.body.normalised();
    if draft.village.is_empty() {
        draft.village = row.draft.village.clone();
    }
    if draft.village != row.draft.village {
        return Err(Error::invalid(
            "网格所属行政村不能更改",
            "A grid's village cannot change",
        ));
    }
    check(db, caller, &draft).await?;
    Ok(repo::grids::update(db, &caller.actor(), &row, &draft).await?)
}

/// 分配农户: puts households of the grid's village into the grid `id` (taking each out of its former
/// grid), or takes them out (`remove`), in one transaction with one audit row; how many changed. Refused
/// (nothing written): a role other than the editors, no household or more than [`MAX_ASSIGN`], a
/// household not of the grid's village (named), a stale version.
pub async fn assign(db: &Db, caller: &Caller, id: i64, input: AssignInput) -> Result<usize, Error> {
    require_editor(caller)?;
    let row = grid(db, caller, id).await?;
    Error::check_version(input.version, row.version)?;
    if input.households.is_empty() {
        return Err(Error::invalid(
            "请选择要分配的农户",
            "Choose the households to assign",
        ));
    }
    if input.households.len() > MAX_ASSIGN {
        return Err(Error::invalid(
            format!("一次最多分配{MAX_ASSIGN}户"),
            format!("At most {MAX_ASSIGN} households at once"),
        ));
    }
    Ok(repo::grids::assign(db, &caller.actor(), &row, &input.households, !input.remove).await?)
}

/// The households in a grid per village of the caller's area, and in total (数据看板: 网格覆盖). One
/// grouped statement, and the region names.
pub async fn coverage(db: &Db, caller: &Caller) -> Result<Coverage, Error> {
    require_reader(caller)?;
    let rows = repo::grids::coverage(db, &caller.scope, None).await?;
    if rows.is_empty() {
        return Ok(Coverage::default());
    }
    Ok(coverage_of(rows, &names(db, caller).await?))
}

/// The coverage of the grouped rows of `repo::grids::coverage`, with the villages' names.
pub(crate) fn coverage_of(rows: Vec<VillageGrids>, names: &HashMap<String, String>) -> Coverage {
    let pct =
        |w: i64, a: i64| coverage_pct(u64::try_from(w).unwrap_or(0), u64::try_from(a).unwrap_or(0));
    let villages: Vec<VillageCoverage> = rows
        .into_iter()
        .map(|r| VillageCoverage {
            name: names.get(&r.village_code).cloned().unwrap_or_default(),
            pct: pct(r.with_grid, r.households),
            code: r.village_code,
            households: r.households,
            with_grid: r.with_grid,
        })
        .collect();
    let households = villages.iter().map(|v| v.households).sum();
    let with_grid = villages.iter().map(|v| v.with_grid).sum();
    Coverage {
        villages,
        households,
        with_grid,
        pct: pct(with_grid, households),
    }
}
