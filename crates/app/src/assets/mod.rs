//! 扶贫项目资产 and 管护 (B2, A7, §四(二)3, issue 23): the use cases of the county's asset registry — the
//! village, township or county registers an asset (确权登记, [`register`]) and changes it ([`update`]),
//! records its upkeep and repairs ([`record_upkeep`]), and takes it out by the disposal flow 村申请 →
//! 乡审核 → 县审批 ([`dispose`]); the reads: the list with its filters ([`list`]), an asset with its
//! upkeep and disposal ([`show`]), and the assets whose upkeep is overdue ([`overdue`], on the 工作台).
//! The rules are `shouwang_core::asset`; the rows `shouwang_store::repo::assets` (scoped by area in SQL,
//! audited, versioned, the keeper's phone sealed).

pub mod import;
mod reads;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use shouwang_core::Role;
use shouwang_core::asset::disposal::{self, DisposalRecord};
use shouwang_core::asset::{AssetState, DisposalState, Draft, OwnerKind, Upkeep};
use shouwang_store::repo::assets::AssetRow;
use shouwang_store::{Db, repo};

use crate::caller::Caller;
use crate::error::Error;

pub use reads::{Entry, ListFilter, Overdue, Sheet, list, overdue, queue, show};

/// The roles that register assets and record their upkeep (within their area).
pub const KEEPERS: &[Role] = &[Role::VillageTeam, Role::TownshipAdmin, Role::CountyAdmin];

/// May read the asset registry: every role of the registry (it links households and keepers' phones).
pub fn may_read(role: Role) -> bool {
    role.may_read_registry()
}

/// A change as a surface sends it: the version read and what it applies to.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Versioned<T> {
    /// The version read (a stale one is refused, 409).
    #[serde(default)]
    pub version: Option<i64>,
    /// The change.
    #[serde(flatten)]
    pub body: T,
}

pub(crate) fn may_keep(caller: &Caller) -> Result<(), Error> {
    if KEEPERS.contains(&caller.scope.role) {
        Ok(())
    } else {
        Err(Error::role_not_allowed(
            "资产登记和管护记录由村、乡、县管理人员办理",
            "Assets are registered and kept by village, township or county staff",
        ))
    }
}

/// The asset `id` of the caller's area (`NotFound` outside it or for a role that may not read it).
pub(crate) async fn asset(db: &Db, caller: &Caller, id: i64) -> Result<AssetRow, Error> {
    if !may_read(caller.scope.role) {
        return Err(Error::not_found());
    }
    repo::assets::get(db, &caller.scope, id)
        .await?
        .ok_or_else(Error::not_found)
}

fn check_version(row: &AssetRow, version: Option<i64>) -> Result<(), Error> {
    Error::check_version(version, row.version)
}

/// Checks a registration against the caller's area: the rules of [`Draft::validate`], the location a
/// village of the county inside the caller's area, an owning household one of the caller's area, a
/// source project one of the caller's area.
async fn check_draft(
    db: &Db,
    caller: &Caller,
    draft: &Draft,
    today: NaiveDate,
) -> Result<(), Error> {
    draft.validate(today.year())?;
    let county = caller.county()?;
    if !caller.scope.covers(&draft.village) {
        return Err(Error::role_not_allowed(
            "只能登记本辖区的资产",
            "Only assets inside the user's area",
        ));
    }
    let names = repo::projects::region_names(db.conn(), &county).await?;
    if !names.contains_key(&draft.village) {
        return Err(Error::invalid(
            format!("坐落位置{}不是本县的行政村", draft.village),
            "The location is no village of the county",
        ));
    }
    if draft.owner_kind == OwnerKind::Household
        && let Some(n) = &draft.household
    {
        let found = repo::register_records::locate(db.conn(), &county, n).await?;
        if !found.is_some_and(|(_, v)| caller.scope.covers(&v)) {
            return Err(Error::invalid(
                format!("户编号{n}不是本辖区农户"),
                "The owning household is not one of the area's",
            ));
        }
    }
    if let Some(p) = draft.project
        && repo::projects::get(db, &caller.scope, p).await?.is_none()
    {
        return Err(Error::invalid(
            format!("来源项目{p}不在本辖区项目库中"),
            "The source project is not in the area's project library",
        ));
    }
    Ok(())
}

/// 确权登记: registers an asset; its id. Refused (nothing written): a role other than [`KEEPERS`], a
/// registration the rules or the area refuse.
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
    Ok(repo::assets::create(db, &caller.actor(), &county, &draft).await?)
}

/// Changes the registration of the asset `id` (with the version read). Refused (nothing written): a
/// disposed asset or one under a disposal proposal, a stale version, and what [`register`] refuses.
pub async fn update(
    db: &Db,
    caller: &Caller,
    id: i64,
    change: Versioned<Draft>,
    today: NaiveDate,
) -> Result<(), Error> {
    may_keep(caller)?;
    let row = asset(db, caller, id).await?;
    check_version(&row, change.version)?;
    if row.draft.state == AssetState::Disposed || row.disposal.is_some_and(DisposalState::is_open) {
        return Err(Error::conflict(
            "资产已处置或正在处置审批中，不能修改",
            "A disposed asset, or one awaiting disposal approval, cannot be changed",
        ));
    }
    let draft = change.body.normalized();
    check_draft(db, caller, &draft, today).await?;
    Ok(repo::assets::update(db, &caller.actor(), &row, &draft).await?)
}

/// Records an upkeep or repair of the asset `id` (with the version read); its id. Refused (nothing
/// written): a role other than [`KEEPERS`], a disposed asset, a record the rules refuse, a stale version.
pub async fn record_upkeep(
    db: &Db,
    caller: &Caller,
    id: i64,
    upkeep: Versioned<Upkeep>,
    today: NaiveDate,
) -> Result<i64, Error> {
    may_keep(caller)?;
    let row = asset(db, caller, id).await?;
    check_version(&row, upkeep.version)?;
    if row.draft.state == AssetState::Disposed {
        return Err(Error::conflict(
            "资产已处置，不再登记管护",
            "The asset is disposed",
        ));
    }
    let mut u = upkeep.body;
    u.content = u.content.trim().to_owned();
    u.done_by = u.done_by.trim().to_owned();
    u.validate(today)?;
    Ok(repo::assets::record_upkeep(db, &caller.actor(), &row, &u).await?)
}

/// A disposal step as a surface sends it; `on` defaults to today.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisposalInput {
    /// The step (the one the asset awaits).
    pub step: disposal::DisposalStep,
    /// 同意 / 退回 / 不予处置.
    pub decision: disposal::DisposalDecision,
    /// 处置方式 (the proposal's).
    #[serde(default)]
    pub method: Option<disposal::DisposalMethod>,
    /// 办理日期 (default today).
    #[serde(default)]
    pub on: Option<NaiveDate>,
    /// 意见 (the reason).
    #[serde(default)]
    pub opinion: String,
}

/// A step of the disposal flow on the asset `id` (with the version read): the new disposal state (an
/// approval by the county sets the asset 已处置). Refused (nothing written): a step out of order or by
/// another role, a missing reason or method, a date before the last step or after today, a stale version.
pub async fn dispose(
    db: &Db,
    caller: &Caller,
    id: i64,
    input: Versioned<DisposalInput>,
    today: NaiveDate,
) -> Result<DisposalState, Error> {
    let row = asset(db, caller, id).await?;
    check_version(&row, input.version)?;
    let i = input.body;
    let record = DisposalRecord {
        step: i.step,
        decision: i.decision,
        method: i.method,
        on: i.on.unwrap_or(today),
        opinion: i.opinion.trim().to_owned(),
    };
    if record.on > today {
        return Err(Error::invalid(
            format!("办理日期{}晚于今天", record.on),
            "The date lies in the future",
        ));
    }
    let last = repo::assets::disposal_steps(db, &caller.scope, id)
        .await?
        .last()
        .map(|s| s.record.on);
    let state = disposal::next(row.disposal, last, caller.scope.role, &record)?;
    repo::assets::dispose_step(db, &caller.actor(), &row, state, &record).await?;
    Ok(state)
}
