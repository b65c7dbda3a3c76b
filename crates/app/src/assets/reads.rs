//! The reads of the asset registry: the list with its filters (type, owner, state, overdue upkeep), an
//! asset's sheet (registration, upkeep records, disposal flow), the assets whose upkeep is overdue (工作台)
//! and each role's disposal queue. The keeper's phone is masked for roles that see masked data.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shouwang_core::asset::disposal::DisposalStep;
use shouwang_core::asset::upkeep;
use shouwang_core::asset::{AssetKind, AssetState, DisposalState, Draft, OwnerKind, mask_phone};
use shouwang_core::money::Fen;
use shouwang_core::{Role, Scope};
use shouwang_store::Db;
use shouwang_store::repo;
use shouwang_store::repo::assets::{AssetFilter, AssetRow, DisposalRow, Planned, UpkeepRow};

use super::{asset, may_read};
use crate::caller::Caller;
use crate::error::Error;
use crate::projects::reads::{Names, area_of, code_of};

/// A filter of [`list`] (a form, a query string, CLI flags).
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct ListFilter {
    /// A township or village inside the caller's area.
    pub area: Option<String>,
    /// Only assets of this type (`operating`, `public_welfare`, `household`).
    pub kind: Option<String>,
    /// Only assets of this owner (`village_collective`, `township`, `household`).
    pub owner: Option<String>,
    /// Only assets in this state (`in_use`, `idle`, `damaged`, `disposed`).
    pub state: Option<String>,
    /// Only assets whose upkeep is overdue (`1`, `true`, `on`).
    pub overdue: Option<String>,
}

/// An asset in a list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Entry {
    /// Row id (资产编号).
    pub id: i64,
    /// 资产名称.
    pub name: String,
    /// 资产类型.
    pub kind: AssetKind,
    /// 产权归属.
    pub owner_kind: OwnerKind,
    /// 行政村 code.
    pub village: String,
    /// 乡（镇） name.
    pub township_name: String,
    /// 行政村 name.
    pub village_name: String,
    /// 资产原值 (分).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub value: Fen,
    /// 形成年度.
    pub year: i32,
    /// 资产状态.
    pub state: AssetState,
    /// 处置状态.
    pub disposal: Option<DisposalState>,
    /// 管护责任人.
    pub keeper_name: String,
    /// 联系电话 (masked for roles that see masked data).
    pub keeper_phone: Option<String>,
    /// 下次管护日期 (none: no plan, or disposed).
    pub upkeep_due: Option<NaiveDate>,
    /// 管护逾期.
    pub overdue: bool,
    /// Version.
    pub version: i64,
}

fn shown_phone(scope: &Scope, phone: Option<&str>) -> Option<String> {
    phone.map(|p| {
        if scope.may_view_full_id() {
            p.to_owned()
        } else {
            mask_phone(p)
        }
    })
}

fn entry(
    caller: &Caller,
    r: &AssetRow,
    names: &Names,
    plan: Option<&Planned>,
    today: NaiveDate,
) -> Entry {
    let due = plan.and_then(|p| upkeep::due(Some(p.months), p.last, p.since));
    Entry {
        id: r.id,
        name: r.draft.name.clone(),
        kind: r.draft.kind,
        owner_kind: r.draft.owner_kind,
        village: r.village_code.clone(),
        township_name: names.township(&r.village_code),
        village_name: names.get(&r.village_code),
        value: r.draft.value,
        year: r.draft.year,
        state: r.draft.state,
        disposal: r.disposal,
        keeper_name: r.draft.keeper_name.clone(),
        keeper_phone: shown_phone(&caller.scope, r.draft.keeper_phone.as_deref()),
        upkeep_due: due,
        overdue: due.is_some_and(|d| d < today),
        version: r.version,
    }
}

fn flag(s: Option<&str>) -> bool {
    matches!(s.map(str::trim), Some("1" | "true" | "on" | "yes" | "是"))
}

async fn entries(
    db: &Db,
    caller: &Caller,
    filter: &AssetFilter<'_>,
    today: NaiveDate,
) -> Result<Vec<Entry>, Error> {
    if !may_read(caller.scope.role) {
        return Ok(Vec::new());
    }
    let rows = repo::assets::list(db, &caller.scope, filter).await?;
    let names = Names::of_county(db, rows.first().map(|r| r.county_code.as_str())).await?;
    let plans: HashMap<i64, Planned> = repo::assets::planned(db, &caller.scope)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(rows
        .iter()
        .map(|r| entry(caller, r, &names, plans.get(&r.id), today))
        .collect())
}

/// The assets of the caller's area (filtered), newest first.
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &ListFilter,
    today: NaiveDate,
) -> Result<Vec<Entry>, Error> {
    let f = AssetFilter {
        area: area_of(filter.area.as_deref())?,
        kind: code_of("资产类型", filter.kind.as_deref())?,
        owner: code_of("产权归属", filter.owner.as_deref())?,
        state: code_of("资产状态", filter.state.as_deref())?,
        disposal: &[],
    };
    let mut out = entries(db, caller, &f, today).await?;
    if flag(filter.overdue.as_deref()) {
        out.retain(|e| e.overdue);
    }
    if caller.scope.may_view_full_id() {
        let phones = out.iter().filter(|e| e.keeper_phone.is_some()).count();
        let read = crate::privacy::read_area(Some(&caller.scope), filter.area.as_deref());
        let village = (read.len() >= 12).then_some(read);
        crate::privacy::phones_read(db, &caller.actor(), "assets", read, village, phones).await?;
    }
    Ok(out)
}

/// The disposal states whose next step is the role's (工作台 待办).
pub fn awaiting(role: Role) -> &'static [DisposalState] {
    match role {
        Role::VillageTeam => &[DisposalState::Returned],
        Role::TownshipAdmin => &[DisposalState::Proposed],
        Role::CountyAdmin => &[DisposalState::TownshipApproved],
        _ => &[],
    }
}

/// The caller's disposal queue: the assets of its area awaiting its role's step, oldest first.
pub async fn queue(db: &Db, caller: &Caller, today: NaiveDate) -> Result<Vec<Entry>, Error> {
    let states = awaiting(caller.scope.role);
    if states.is_empty() {
        return Ok(Vec::new());
    }
    let f = AssetFilter {
        disposal: states,
        ..Default::default()
    };
    let mut out = entries(db, caller, &f, today).await?;
    out.reverse();
    Ok(out)
}

/// An asset's page: the registration, its upkeep records and its disposal flow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Sheet {
    /// The asset as listed.
    pub entry: Entry,
    /// The registration (the phone as the caller may see it).
    pub draft: Draft,
    /// The upkeep and repair records, by date.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub upkeeps: Vec<UpkeepRow>,
    /// 管护费用合计.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub upkeep_cost: Fen,
    /// The disposal steps taken, in order.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub disposal_steps: Vec<DisposalRow>,
    /// The disposal step it awaits (a proposal when none is under way; none once disposed).
    pub awaited: Option<DisposalStep>,
}

/// The asset `id` of the caller's area (`NotFound` outside it).
pub async fn show(db: &Db, caller: &Caller, id: i64, today: NaiveDate) -> Result<Sheet, Error> {
    let row = asset(db, caller, id).await?;
    let names = Names::of_county(db, Some(&row.county_code)).await?;
    let upkeeps = repo::assets::upkeeps(db, &caller.scope, None, Some(id)).await?;
    let plan = row.draft.upkeep_months.map(|months| Planned {
        id,
        name: row.draft.name.clone(),
        village_code: row.village_code.clone(),
        village_name: String::new(),
        months,
        last: upkeeps.iter().map(|u| u.record.on).max(),
        since: row.created_at.date_naive(),
    });
    let plan = plan.filter(|_| row.draft.state != AssetState::Disposed);
    let mut draft = row.draft.clone();
    draft.keeper_phone = shown_phone(&caller.scope, draft.keeper_phone.as_deref());
    if caller.scope.may_view_full_id() {
        let phones = usize::from(draft.keeper_phone.is_some());
        crate::privacy::phones_read(
            db,
            &caller.actor(),
            "asset",
            &id.to_string(),
            Some(&row.village_code),
            phones,
        )
        .await?;
    }
    Ok(Sheet {
        entry: entry(caller, &row, &names, plan.as_ref(), today),
        draft,
        upkeep_cost: upkeeps.iter().map(|u| u.record.cost).sum(),
        upkeeps,
        disposal_steps: repo::assets::disposal_steps(db, &caller.scope, id).await?,
        awaited: DisposalStep::awaited(row.disposal),
    })
}

/// An asset whose upkeep is overdue (管护逾期, on the 工作台).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Overdue {
    /// The asset.
    pub id: i64,
    /// 资产名称.
    pub name: String,
    /// 行政村 code.
    pub village: String,
    /// 行政村 name.
    pub village_name: String,
    /// 应管护日期.
    pub due: NaiveDate,
}

/// The assets of the caller's area whose upkeep was due before `today`, the longest overdue first: one
/// statement.
pub async fn overdue(db: &Db, caller: &Caller, today: NaiveDate) -> Result<Vec<Overdue>, Error> {
    if !may_read(caller.scope.role) {
        return Ok(Vec::new());
    }
    let mut out: Vec<Overdue> = repo::assets::planned(db, &caller.scope)
        .await?
        .into_iter()
        .filter_map(|p| {
            let due = upkeep::due(Some(p.months), p.last, p.since)?;
            (due < today).then_some(Overdue {
                id: p.id,
                name: p.name,
                village: p.village_code,
                village_name: p.village_name,
                due,
            })
        })
        .collect();
    out.sort_by_key(|o| (o.due, o.id));
    Ok(out)
}
