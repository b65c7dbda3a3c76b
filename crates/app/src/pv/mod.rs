//! 光伏扶贫电站 and 光伏收益分配 (B2 §四(二)4 "管好用好光伏收益资金…按月分配收益…收益分配到村率达到90%",
//! issue 23): the use cases — the township or county registers a station ([`create_station`]) and changes
//! it ([`update_station`]), enters its monthly generation income ([`record_income`], one per station and
//! month, a correction with the version read); the village, township or county records a village's monthly
//! distribution with its uses and the 村民代表会议's decision ([`distribute`], one per village and month);
//! the reads: the stations ([`stations`]), a station's sheet ([`station`]), the board ([`board::board`])
//! and the dashboard's figure ([`board::figure`]). The rules are `shouwang_core::pv`; the rows
//! `shouwang_store::repo::pv`.

pub mod board;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shouwang_core::Fen;
use shouwang_core::Role;
use shouwang_core::monitoring::YearMonth;
use shouwang_core::pv::{Distribution, Income, Station, StationKind, StationState};
use shouwang_core::welfare_post::Funding;
use shouwang_store::repo::pv::{IncomeRow, StationRow};
use shouwang_store::{Db, repo};

use crate::assets::Versioned;
use crate::caller::Caller;
use crate::error::Error;
use crate::projects::reads::{Names, area_of};

pub use board::{Board, Figure, board, figure};

/// The roles that keep the stations and enter their income (the township, within its area; the county).
pub const KEEPERS: &[Role] = &[Role::TownshipAdmin, Role::CountyAdmin];

/// The roles that record a village's distribution (the village team for its village; the township; the
/// county).
pub const RECORDERS: &[Role] = &[Role::VillageTeam, Role::TownshipAdmin, Role::CountyAdmin];

/// May read the stations and the board: every role of the registry.
pub fn may_read(role: Role) -> bool {
    role.may_read_registry()
}

fn may_keep(caller: &Caller) -> Result<(), Error> {
    if KEEPERS.contains(&caller.scope.role) {
        Ok(())
    } else {
        Err(Error::role_not_allowed(
            "光伏扶贫电站和发电收益由乡镇、县级管理人员录入",
            "Stations and their income are kept by the township or the county",
        ))
    }
}

fn may_record(caller: &Caller) -> Result<(), Error> {
    if RECORDERS.contains(&caller.scope.role) {
        Ok(())
    } else {
        Err(Error::role_not_allowed(
            "光伏收益分配由村级工作专班、乡镇或县级管理人员录入",
            "Distributions are recorded by the village team, the township or the county",
        ))
    }
}

/// A station as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StationEntry {
    /// Row id (电站编号).
    pub id: i64,
    /// 电站名称.
    pub name: String,
    /// 电站类型.
    pub kind: StationKind,
    /// 所在地 code.
    pub place: String,
    /// 所在地 name (乡镇 and village, or the county).
    pub place_name: String,
    /// 受益村.
    pub villages: Vec<Place>,
    /// 装机容量（千瓦）.
    pub capacity_kw: u32,
    /// 并网日期.
    pub grid_on: Option<NaiveDate>,
    /// 资产编号.
    pub asset: Option<i64>,
    /// 电站状态.
    pub state: StationState,
    /// Version (send it back with a change).
    pub version: i64,
}

/// A region by code and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Place {
    /// Region code (12 digits).
    pub code: String,
    /// Name.
    pub name: String,
}

fn entry(names: &Names, r: &StationRow) -> StationEntry {
    let s = &r.station;
    let place_name = if shouwang_core::pv::is_village(&s.place) {
        format!("{}{}", names.township(&s.place), names.get(&s.place))
    } else {
        names.get(&s.place)
    };
    StationEntry {
        id: r.id,
        name: s.name.clone(),
        kind: s.kind,
        place: s.place.clone(),
        place_name,
        villages: s
            .beneficiaries()
            .into_iter()
            .map(|v| Place {
                name: names.get(&v),
                code: v,
            })
            .collect(),
        capacity_kw: s.capacity_kw,
        grid_on: s.grid_on,
        asset: s.asset,
        state: s.state,
        version: r.version,
    }
}

/// A filter of [`stations`].
#[derive(Clone, Debug, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct StationFilter {
    /// A township or village inside the caller's area.
    pub area: Option<String>,
}

/// The stations of the caller's area (kept in it or benefiting one of its villages).
pub async fn stations(
    db: &Db,
    caller: &Caller,
    filter: &StationFilter,
) -> Result<Vec<StationEntry>, Error> {
    if !may_read(caller.scope.role) {
        return Err(Error::forbidden());
    }
    let area = area_of(filter.area.as_deref())?;
    let rows = repo::pv::stations(db, &caller.scope, area).await?;
    let names = Names::of_county(db, rows.first().map(|r| r.county_code.as_str())).await?;
    Ok(rows.iter().map(|r| entry(&names, r)).collect())
}

/// A month's income of a station as shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncomeEntry {
    /// 月份.
    pub month: YearMonth,
    /// 发电收益 (分).
    pub amount: Fen,
    /// 备注.
    pub note: String,
    /// 记录人.
    pub recorded_by: String,
    /// Version (send it back with a correction).
    pub version: i64,
}

fn income_entry(r: &IncomeRow) -> IncomeEntry {
    IncomeEntry {
        month: r.income.month,
        amount: r.income.amount,
        note: r.income.note.clone(),
        recorded_by: r.recorded_by.clone(),
        version: r.version,
    }
}

/// A station with its monthly income.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StationSheet {
    /// The station.
    pub station: StationEntry,
    /// Its income by month.
    pub income: Vec<IncomeEntry>,
    /// The total of the income shown (分).
    pub total: Fen,
}

async fn station_row(db: &Db, caller: &Caller, id: i64) -> Result<StationRow, Error> {
    if !may_read(caller.scope.role) {
        return Err(Error::not_found());
    }
    repo::pv::station(db, &caller.scope, id)
        .await?
        .ok_or_else(Error::not_found)
}

/// The station `id` of the caller's area with its income by month. 404 outside it.
pub async fn station(db: &Db, caller: &Caller, id: i64) -> Result<StationSheet, Error> {
    let row = station_row(db, caller, id).await?;
    let names = Names::of_county(db, Some(&row.county_code)).await?;
    let income: Vec<IncomeEntry> = repo::pv::incomes(db, &caller.scope, id, None)
        .await?
        .iter()
        .map(income_entry)
        .collect();
    Ok(StationSheet {
        station: entry(&names, &row),
        total: income.iter().map(|i| i.amount).sum(),
        income,
    })
}

/// Checks a station: the rules, its place inside the caller's area, its asset (if named) an asset of the
/// area.
async fn checked_station(
    db: &Db,
    caller: &Caller,
    s: &Station,
    today: NaiveDate,
) -> Result<(), Error> {
    s.validate(today)?;
    if !caller
        .scope
        .covers(shouwang_core::pv::region_prefix(&s.place))
    {
        return Err(Error::role_not_allowed(
            "只能登记本辖区的光伏扶贫电站",
            "Only stations inside the user's area",
        ));
    }
    if let Some(a) = s.asset
        && repo::assets::get(db, &caller.scope, a).await?.is_none()
    {
        return Err(Error::invalid(
            format!("资产编号{a}不在本辖区的扶贫资产中"),
            "No such asset in the user's area",
        ));
    }
    Ok(())
}

/// Registers a station; its id. Refused (nothing written): another role (403), a station the rules refuse
/// (422), a place outside the caller's area (403), an asset that is not the area's (422).
pub async fn create_station(
    db: &Db,
    caller: &Caller,
    s: Station,
    today: NaiveDate,
) -> Result<i64, Error> {
    may_keep(caller)?;
    let s = s.normalized();
    checked_station(db, caller, &s, today).await?;
    let county = caller.county()?;
    Ok(repo::pv::create_station(db, &caller.actor(), &county, &s).await?)
}

/// Changes the station `id` (with the version read; its state 运行/停运 among the rest). Refused (nothing
/// written): a stale version (409), a station outside the area (404), what [`create_station`] refuses.
pub async fn update_station(
    db: &Db,
    caller: &Caller,
    id: i64,
    change: Versioned<Station>,
    today: NaiveDate,
) -> Result<(), Error> {
    may_keep(caller)?;
    let row = station_row(db, caller, id).await?;
    Error::check_version(change.version, row.version)?;
    if !caller
        .scope
        .covers(shouwang_core::pv::region_prefix(&row.station.place))
    {
        return Err(Error::forbidden());
    }
    let s = change.body.normalized();
    checked_station(db, caller, &s, today).await?;
    Ok(repo::pv::update_station(db, &caller.actor(), &row, &s).await?)
}

/// Enters the income of the station `station_id` for a month; with a `version`, corrects that month's
/// income read with it. Refused (nothing written): another role (403), a station outside the area (404) or
/// kept above the caller (403), a bad income (422: a month in the future, a negative amount), the month's
/// income entered already (409), a correction of a month never entered (404) or with a stale version (409).
pub async fn record_income(
    db: &Db,
    caller: &Caller,
    station_id: i64,
    income: Versioned<Income>,
    today: NaiveDate,
) -> Result<i64, Error> {
    may_keep(caller)?;
    let station = station_row(db, caller, station_id).await?;
    if !caller
        .scope
        .covers(shouwang_core::pv::region_prefix(&station.station.place))
    {
        return Err(Error::forbidden());
    }
    let mut body = income.body;
    body.note = body.note.trim().to_owned();
    body.validate(today)?;
    match income.version {
        None => Ok(repo::pv::record_income(db, &caller.actor(), &station, &body).await?),
        Some(v) => {
            let row = repo::pv::incomes(db, &caller.scope, station_id, Some(body.month))
                .await?
                .pop()
                .ok_or_else(Error::not_found)?;
            Error::check_version(Some(v), row.version)?;
            repo::pv::correct_income(db, &caller.actor(), &row, &body).await?;
            Ok(row.id)
        }
    }
}

/// Checks the posts a distribution names: 公益岗位 of the same village funded by 光伏收益.
async fn check_posts(db: &Db, caller: &Caller, d: &Distribution) -> Result<(), Error> {
    for id in &d.posts {
        let post = repo::welfare_posts::get(db, &caller.scope, *id).await?;
        match post {
            Some(p) if p.village_code == d.village && p.draft.funding == Funding::PvIncome => {}
            _ => {
                return Err(Error::invalid(
                    format!("公益岗位{id}不是该村由光伏收益设置的公益岗位"),
                    "The post is no post of the village paid from PV income",
                ));
            }
        }
    }
    Ok(())
}

/// Records a village's distribution of a month; with a `version`, corrects that month's distribution read
/// with it. Its id. Refused (nothing written): another role (403), a village outside the caller's area
/// (403), a bad distribution (422: uses above the amount distributed, a negative amount, a month in the
/// future, a post that is no 光伏收益 post of the village), the month recorded already (409), a correction of
/// a month never recorded (404) or with a stale version (409).
pub async fn distribute(
    db: &Db,
    caller: &Caller,
    d: Versioned<Distribution>,
    today: NaiveDate,
) -> Result<i64, Error> {
    may_record(caller)?;
    let body = d.body.normalized();
    body.validate(today)?;
    if !caller.scope.covers(&body.village) {
        return Err(Error::role_not_allowed(
            "只能录入本辖区行政村的收益分配",
            "Only villages inside the user's area",
        ));
    }
    check_posts(db, caller, &body).await?;
    let county = caller.county()?;
    match d.version {
        None => Ok(repo::pv::record_distribution(db, &caller.actor(), &county, &body).await?),
        Some(v) => {
            let row = repo::pv::distributions(
                db,
                &caller.scope,
                Some(&body.village),
                body.month,
                body.month,
            )
            .await?
            .pop()
            .ok_or_else(Error::not_found)?;
            Error::check_version(Some(v), row.version)?;
            repo::pv::correct_distribution(db, &caller.actor(), &row, &body).await?;
            Ok(row.id)
        }
    }
}
