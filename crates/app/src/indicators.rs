//! 村容村貌指标 (B5, issue 22; §四(五)): the use cases. The village enters its figures of the year, the
//! township checks them or returns them with a reason ([`act`]); the board shows every village of the
//! caller's area with its three indicators against the county's targets and the gap, and the area's total
//! ([`board`]). The rules are the core's (`shouwang_core::indicators`); the records the store's
//! (`repo::indicators`).

use serde::Serialize;
use shouwang_core::codes::RegionLevel;
use shouwang_core::indicators::{
    IndicatorAction, IndicatorRecord, IndicatorStatus, IndicatorTargets, Rate, VillageFigures,
};
use shouwang_store::repo::indicators as store;
use shouwang_store::{Db, repo};

use crate::caller::Caller;
use crate::error::Error;
use crate::lifecycle::county_rules;

/// A village on the board.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VillageIndicators {
    /// 行政村 code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// The record of the year (`None`: not entered, 未填报).
    pub record: Option<IndicatorRecord>,
    /// Version for the next action (0 while nothing is entered).
    pub version: i64,
    /// The three indicators against the targets (no data while not entered).
    pub rates: Vec<Rate>,
}

/// The board of an area for a year.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    /// 年度.
    pub year: i32,
    /// The county's targets.
    pub targets: IndicatorTargets,
    /// Every village of the area, by code.
    pub villages: Vec<VillageIndicators>,
    /// The area's indicators over the villages entered (returned ones left out).
    pub total: Vec<Rate>,
    /// Villages not entered.
    pub missing: usize,
    /// Villages entered and waiting for the township.
    pub to_check: usize,
    /// Villages checked.
    pub checked: usize,
}

/// The roles that enter, check or return a village's figures.
pub fn may_act(role: shouwang_core::Role) -> bool {
    shouwang_core::indicators::ENTER.contains(&role)
        || shouwang_core::indicators::CHECK.contains(&role)
}

/// An action on a village's figures of a year, at the version read (`POST /api/v1/indicators/{village}`).
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActInput {
    /// 年度.
    pub year: i32,
    /// The version read (0 while nothing is entered).
    pub version: i64,
    /// What to do.
    #[serde(flatten)]
    pub action: IndicatorAction,
}

fn require_reader(caller: &Caller) -> Result<(), Error> {
    if caller.scope.role.may_read_registry() {
        Ok(())
    } else {
        Err(Error::forbidden())
    }
}

/// The board of `year` for the caller's area, or `area` inside it (a township, a village).
pub async fn board(
    db: &Db,
    caller: &Caller,
    year: i32,
    area: Option<&str>,
) -> Result<Board, Error> {
    require_reader(caller)?;
    let county = caller.county()?;
    let targets = county_rules(db, &county).await?.indicators;
    let prefix = match area.map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) if caller.scope.covers(a) => a.to_owned(),
        Some(_) => return Err(Error::forbidden()),
        None => caller.scope.area_prefix().to_owned(),
    };
    let rows = store::list(db, &caller.scope, Some(&prefix), year, year).await?;
    let villages: Vec<VillageIndicators> = repo::regions::list_under(db, &prefix)
        .await?
        .into_iter()
        .filter(|r| r.level == RegionLevel::Village && caller.scope.covers_region(&r.code))
        .map(|r| {
            let row = rows.iter().find(|x| x.village_code == r.code.as_str());
            let record = row.map(|x| x.record.clone());
            let rates = record
                .as_ref()
                .map_or_else(VillageFigures::default, |x| x.figures)
                .rates(&targets);
            VillageIndicators {
                code: r.code.as_str().to_owned(),
                name: r.name,
                version: row.map_or(0, |x| x.version),
                record,
                rates,
            }
        })
        .collect();
    let counted: Vec<&VillageFigures> = villages
        .iter()
        .filter_map(|v| v.record.as_ref())
        .filter(|r| r.status != IndicatorStatus::Returned)
        .map(|r| &r.figures)
        .collect();
    let state = |s: IndicatorStatus| {
        villages
            .iter()
            .filter(|v| v.record.as_ref().is_some_and(|r| r.status == s))
            .count()
    };
    Ok(Board {
        year,
        targets,
        total: VillageFigures::sum(counted).rates(&targets),
        missing: villages.iter().filter(|v| v.record.is_none()).count(),
        to_check: state(IndicatorStatus::Entered),
        checked: state(IndicatorStatus::Checked),
        villages,
    })
}

/// Takes `action` on `village`'s record of `year` as `caller` on `on` (today; the demo its own day), at
/// `version` (0 while nothing is entered). `NotFound` for a code that is no 行政村 of the county; `Forbidden` outside the caller's area;
/// `StaleVersion` when it changed meanwhile; the core's refusal (wrong role, bad figures, wrong state).
pub async fn act(
    db: &Db,
    caller: &Caller,
    village: &str,
    year: i32,
    version: i64,
    action: IndicatorAction,
    on: chrono::NaiveDate,
) -> Result<VillageIndicators, Error> {
    let county = caller.county()?;
    let region = repo::regions::get(db, village)
        .await?
        .filter(|r| r.level == RegionLevel::Village && r.code.as_str().starts_with(&county))
        .ok_or_else(Error::not_found)?;
    let code = region.code.as_str().to_owned();
    if !caller.scope.covers(&code) {
        return Err(Error::forbidden());
    }
    let targets = county_rules(db, &county).await?.indicators;
    let by = caller.by();
    let row = store::apply(
        db,
        &caller.actor(),
        &caller.scope,
        &code,
        year,
        version,
        |current| IndicatorRecord::apply(current, year, action, &by, on),
    )
    .await?;
    Ok(VillageIndicators {
        code,
        name: region.name,
        version: row.version,
        rates: row.record.figures.rates(&targets),
        record: Some(row.record),
    })
}
