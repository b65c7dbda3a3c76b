//! 线索登记: the one way a report (农户申请, 干部排查, 部门筛查, 信访舆情) becomes part of a household's case —
//! used by [`super::execute`] (a single report), the department-screening rounds and the 干部排查 rounds.
//!
//! A household without a case, or whose case is closed (风险消除, 未纳入), gets a new case (its next one,
//! §三(一)1 "发现线索"); on an open case the core merges the report into a clue of the same cause
//! within the county's merge window or adds a new clue (线索归并, [`shouwang_core::monitoring::Case::apply`]).

use chrono::NaiveDate;
use sea_orm::DatabaseTransaction;
use serde::Serialize;
use shouwang_core::monitoring::{CaseAction, ClueRules, Report, Source};
use shouwang_store::Result;
use shouwang_store::repo;
use shouwang_store::repo::cases::{self, CaseRecord};

use crate::caller::Caller;

/// Where a report went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Filed {
    /// It opened the household's case (发现线索, 新建档案).
    NewCase,
    /// A new clue in the existing case (another cause, or outside the merge window).
    NewClue,
    /// Merged into an open clue of the same cause within the merge window (线索归并).
    Merged,
}

/// What [`file_report_on`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Filing {
    /// The report was written; the case as stored afterwards.
    Filed {
        /// Where it went.
        filed: Filed,
        /// The case after the report.
        record: Box<CaseRecord>,
    },
    /// A source of one of the household's cases already is this report (`already` said so): nothing written.
    AlreadyPresent,
    /// The household's case lies outside the caller's area: nothing written.
    OutOfArea,
}

/// Files `report` into its household's case on the write transaction `tx`, as `caller`, dated `on`
/// (see the module doc). `version` is the case version the client saw (checked when given; the open
/// case's current version otherwise). `already` tells whether a source already recorded in any of the
/// household's cases is this same report (a screening round's, say): then nothing is written.
///
/// Errors: `NotFound` (no such household in the county), `Forbidden` (outside the caller's area, or a
/// county-wide role), `StaleVersion`, `Refused` (the core's rule), `Conflict` (a concurrent first report
/// opened the case: retry on a new transaction).
pub async fn file_report_on(
    tx: &DatabaseTransaction,
    caller: &Caller,
    report: Report,
    rules: ClueRules,
    on: NaiveDate,
    version: Option<i64>,
    already: impl Fn(&Source) -> bool,
) -> Result<Filing> {
    let county = caller.county()?;
    let number = report.household.trim().to_owned();
    let all = cases::history_on(tx, &county, &number).await?;
    if let Some(last) = all.last()
        && !repo::grids::covers_numbered(tx, &caller.scope, &county, &last.village_code, &number)
            .await?
    {
        return Ok(Filing::OutOfArea);
    }
    if all.iter().any(|c| {
        c.case
            .clues
            .iter()
            .flat_map(|cl| &cl.sources)
            .any(|s| already(&s.report.source))
    }) {
        return Ok(Filing::AlreadyPresent);
    }
    let actor = caller.actor();
    let by = caller.by();
    let Some(current) = all.last().filter(|c| !c.lifecycle.is_closed()) else {
        let record = cases::open_on(tx, &actor, &caller.scope, report, &by, on).await?;
        return Ok(Filing::Filed {
            filed: Filed::NewCase,
            record: Box::new(record),
        });
    };
    let clues = current.case.clues.len();
    let record = cases::apply_on(
        tx,
        &actor,
        &caller.scope,
        &number,
        version.unwrap_or(current.version),
        |c| c.apply(CaseAction::Report { report, rules }, &by, on),
    )
    .await?;
    let filed = if record.case.clues.len() > clues {
        Filed::NewClue
    } else {
        Filed::Merged
    };
    Ok(Filing::Filed {
        filed,
        record: Box::new(record),
    })
}

/// Nothing recorded counts as this report (a single report: every report is new).
pub fn never(_: &Source) -> bool {
    false
}
