//! 三保障和饮水安全问题台账 (A6, issue 22; §三(四)): the use cases of the problem ledger. A problem is
//! found at a household or a village in the quarterly campaign ([`record`]); a household's problem files a
//! clue of channel 干部排查 through the lifecycle's one function ([`file_report_on`]) in the same
//! transaction; the responsible unit records rectification steps with evidence from the attachment
//! store and the township accepts it (销号) ([`act`]); the boards read it by sector, state and overdue
//! ([`list`]); an open household problem keeps the household from exit (the lifecycle reads
//! `repo::problems::open_blockers`). The rules are the core's (`shouwang_core::monitoring::problem`).

use chrono::NaiveDate;
use serde::Serialize;
use shouwang_core::codes::Guarantee;
use shouwang_core::monitoring::{NewProblem, Problem, ProblemAction, ProblemStatus, Quarter};
use shouwang_core::{CodeList, RegionCode, Role};
use shouwang_store::repo::problems::{self as store, ProblemFilter, ProblemRow};
use shouwang_store::{Db, StoreError, repo};

use crate::caller::Caller;
use crate::error::Error;
use crate::lifecycle::{Filed, check_uploaded, county_rules};
use crate::registers::code_of;

/// A problem as the pages and the API show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProblemView {
    /// Row id: the problem's number.
    pub id: i64,
    /// Version for the next action (乐观锁).
    pub version: i64,
    /// 整改状态.
    pub status: ProblemStatus,
    /// Past its deadline and not closed on the day asked (逾期).
    pub overdue: bool,
    /// The problem.
    pub problem: Problem,
}

impl ProblemView {
    fn of(row: ProblemRow, today: NaiveDate) -> ProblemView {
        ProblemView {
            id: row.id,
            version: row.version,
            status: row.problem.status(),
            overdue: row.problem.is_overdue(today),
            problem: row.problem,
        }
    }
}

/// What [`record`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Found {
    /// The problem recorded.
    pub problem: ProblemView,
    /// The clue it filed (a household's problem), if a new one was filed or merged.
    pub filed: Option<Filed>,
}

fn require_reader(caller: &Caller) -> Result<(), Error> {
    if caller.scope.role.may_read_registry() {
        Ok(())
    } else {
        Err(Error::forbidden())
    }
}

/// Records a problem found on `on` as `caller`. A household's problem takes the household's village
/// (`NotFound`: no such 户编号 in the county; `Forbidden`: another area); a village's must lie in the
/// caller's area. The core refuses a role that does not find problems, a blank description, a deadline
/// before the day. A household's problem files a clue (干部排查, round `2026年第4季度三保障和饮水安全排查`)
/// with the sector's risk type in the same transaction.
pub async fn record(
    db: &Db,
    caller: &Caller,
    mut what: NewProblem,
    on: NaiveDate,
) -> Result<Found, Error> {
    let county = caller.county()?;
    if let Some(number) = what.household.as_deref().map(str::trim) {
        let (_, village) = repo::register_records::locate(db.conn(), &county, number)
            .await?
            .ok_or_else(Error::not_found)?;
        if !caller.scope.covers(&village) {
            return Err(Error::forbidden());
        }
        what.village = RegionCode::parse(&village).map_err(|e| Error::internal(e.to_string()))?;
        what.household = Some(number.to_owned());
    } else if !caller.scope.covers(what.village.as_str()) {
        return Err(Error::forbidden());
    }
    let problem = Problem::find(what, &caller.by(), on)?;
    let rules = county_rules(db, &county).await?;
    let tx = db.begin_write().await?;
    let (mut rows, filed) = insert_and_file_on(&tx, caller, &[problem], on, rules.clue).await?;
    tx.commit().await.map_err(StoreError::from)?;
    let row = rows
        .pop()
        .ok_or_else(|| Error::internal("problem not written"))?;
    Ok(Found {
        problem: ProblemView::of(row, on),
        filed,
    })
}

/// Writes `problems` found on `on` (all of one household, or villages' ones) on `tx`, and files one clue
/// of channel 干部排查 (round [`campaign_round`]) for the household's with the sectors' risk types — the one
/// function of [`record`] and of the quarterly campaign (`registers::campaign`). Returns the rows in
/// order and the clue filed, if any.
pub(crate) async fn insert_and_file_on(
    tx: &sea_orm::DatabaseTransaction,
    caller: &Caller,
    problems: &[Problem],
    on: NaiveDate,
    clue: shouwang_core::monitoring::ClueRules,
) -> Result<(Vec<ProblemRow>, Option<Filed>), Error> {
    let mut rows = Vec::with_capacity(problems.len());
    let mut risks = Vec::new();
    let mut household = None;
    for p in problems {
        rows.push(store::insert_on(tx, &caller.actor(), &caller.scope, p).await?);
        if let Some(number) = &p.what.household {
            household = Some(number.clone());
            risks.extend_from_slice(p.what.sector.matching_risks());
        }
    }
    risks.sort();
    risks.dedup();
    let filed = match household {
        Some(number) => {
            crate::registers::file_new_risks_on(
                tx,
                caller,
                &number,
                &risks,
                campaign_round(on),
                on,
                clue,
            )
            .await?
        }
        None => None,
    };
    Ok((rows, filed))
}

/// The campaign round a problem found on `on` belongs to: `2026年第4季度三保障和饮水安全排查`.
pub fn campaign_round(on: NaiveDate) -> String {
    format!("{}三保障和饮水安全排查", Quarter::of(on).label_zh())
}

/// Takes `action` on problem `id` on `on` (a rectification's evidence must be in the attachment store).
/// Errors: `NotFound`, `Forbidden` (another area), `StaleVersion`, `Refused` (the core's rule: no
/// evidence, out of order, a role that may not, closed).
pub async fn act(
    db: &Db,
    caller: &Caller,
    id: i64,
    version: i64,
    action: ProblemAction,
    on: NaiveDate,
) -> Result<ProblemView, Error> {
    if let ProblemAction::Rectify { evidence, .. } = &action {
        check_uploaded(db, caller, evidence.iter().collect()).await?;
    }
    let by = caller.by();
    let row = store::apply(db, &caller.actor(), &caller.scope, id, version, |p| {
        p.apply(action, &by, on)
    })
    .await?;
    Ok(ProblemView::of(row, on))
}

/// Problem `id` (`NotFound` outside the caller's area too).
pub async fn show(
    db: &Db,
    caller: &Caller,
    id: i64,
    today: NaiveDate,
) -> Result<ProblemView, Error> {
    require_reader(caller)?;
    let row = store::get(db, &caller.scope, id)
        .await?
        .ok_or_else(Error::not_found)?;
    Ok(ProblemView::of(row, today))
}

/// The problems of the caller's area matching `filter` (`overdue_on`: only those overdue that day).
pub async fn list(
    db: &Db,
    caller: &Caller,
    filter: &ProblemFilter,
    today: NaiveDate,
) -> Result<Vec<ProblemView>, Error> {
    require_reader(caller)?;
    let rows = store::list(db, &caller.scope, filter).await?;
    Ok(rows
        .into_iter()
        .map(|r| ProblemView::of(r, today))
        .collect())
}

/// One line of the board: a sector's problems by state, and how many are overdue.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectorCount {
    /// The sector's code (`compulsory_education` …).
    pub sector: String,
    /// 待整改.
    pub open: usize,
    /// 整改中.
    pub rectifying: usize,
    /// 已销号.
    pub closed: usize,
    /// 逾期.
    pub overdue: usize,
}

/// The board of the caller's area (narrowed to `area`): one line per sector, in the code list's order.
pub async fn board(
    db: &Db,
    caller: &Caller,
    area: Option<String>,
    today: NaiveDate,
) -> Result<Vec<SectorCount>, Error> {
    let all = list(
        db,
        caller,
        &ProblemFilter {
            area,
            ..ProblemFilter::default()
        },
        today,
    )
    .await?;
    Ok(Guarantee::ALL
        .iter()
        .map(|g| {
            let of: Vec<&ProblemView> =
                all.iter().filter(|p| p.problem.what.sector == *g).collect();
            let n = |s: ProblemStatus| of.iter().filter(|p| p.status == s).count();
            SectorCount {
                sector: g.code().to_owned(),
                open: n(ProblemStatus::Open),
                rectifying: n(ProblemStatus::Rectifying),
                closed: n(ProblemStatus::Closed),
                overdue: of.iter().filter(|p| p.overdue).count(),
            }
        })
        .collect())
}

/// Roles that take part in the problem ledger (find, rectify, accept: the core says who does which).
pub const PROBLEM_ROLES: &[Role] = &[
    Role::VillageTeam,
    Role::Cadre,
    Role::TownshipAdmin,
    Role::CountyAdmin,
];

/// A filter of [`list`] (a query string, CLI flags).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct ProblemQuery {
    /// A township or village inside the caller's area.
    pub area: Option<String>,
    /// 户编号.
    pub household: Option<String>,
    /// 保障 (`compulsory_education`, `basic_medical`, `housing`, `drinking_water`).
    pub sector: Option<String>,
    /// 状态 (`open`, `rectifying`, `closed`).
    pub status: Option<String>,
    /// Only those overdue today (`true`).
    pub overdue: Option<bool>,
}

impl ProblemQuery {
    /// The store's filter; `Invalid` for an unknown sector or state.
    pub fn filter(&self, today: NaiveDate) -> Result<ProblemFilter, Error> {
        let blank = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Ok(ProblemFilter {
            area: blank(&self.area),
            household: blank(&self.household),
            sector: code_of::<Guarantee>("保障类别", self.sector.as_deref())?,
            status: code_of::<ProblemStatus>("整改状态", self.status.as_deref())?,
            overdue_on: self.overdue.unwrap_or(false).then_some(today),
        })
    }
}

/// An action on a problem with the version the client saw.
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActInput {
    /// The problem's version (乐观锁).
    pub version: i64,
    /// The action.
    pub action: ProblemAction,
}
