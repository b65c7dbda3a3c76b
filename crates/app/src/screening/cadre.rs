//! 干部排查 rounds through the store (§三(一)1 二是: "每季度集中开展一次…逐村逐户对标排查，做到排查农户
//! 全覆盖…健全排查台账"): [`record`] checks a round against the village's registry with the core's
//! [`ScreeningRound::check`] (every household exactly once), turns each household found at risk into a
//! report of channel 干部排查 through the case repository, and keeps the round, all households included,
//! as one `screening_rounds` row (the 排查台账) with an audit row, all in one write transaction: a refusal
//! writes nothing. [`list`] reads the rounds of an area; the cadence calendar counts a round as the
//! village's 干部排查 of its quarter, also when nobody was found at risk.

use chrono::NaiveDate;
use serde::Serialize;
use shouwang_core::monitoring::{Channel, Refusal, Report, ScreeningRound, Source};
use shouwang_store::repo::{rules, screening_rounds};
use shouwang_store::{Db, Result, StoreError};

use crate::caller::Caller;
use crate::lifecycle::{Filed, Filing, file_report_on};

pub use shouwang_store::repo::screening_rounds::{RoundRow, households_of, list};

/// What [`record`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RoundSummary {
    /// The round's row id.
    pub id: i64,
    /// Households screened (the whole village).
    pub households: u64,
    /// Households found at risk.
    pub flagged: u64,
    /// Reports that opened a case (线索).
    pub new_cases: u64,
    /// Reports that added a clue to an open case.
    pub new_clues: u64,
    /// Reports merged into a clue of the same cause.
    pub merged: u64,
    /// Households whose open case already has a report of this round.
    pub already_present: u64,
}

/// Records `round` as `caller` on `today` (see the module doc). Refusals: the caller's role may not
/// record 干部排查 (`Forbidden`), the village is outside its area (`NotFound`), the core's checks
/// (`Refused`, with the reason), the same label already recorded in the village (`Conflict`).
pub async fn record(
    db: &Db,
    caller: &Caller,
    round: &ScreeningRound,
    today: NaiveDate,
) -> Result<RoundSummary> {
    if !Channel::CadreScreening.roles().contains(&caller.scope.role) {
        return Err(StoreError::Forbidden);
    }
    let village = round.village.trim();
    if village.len() != 12 || !caller.scope.covers(village) {
        return Err(StoreError::NotFound);
    }
    let county = village[..6].to_owned();
    let tx = db.begin_write().await?;
    let numbers = screening_rounds::village_households(&tx, &county, village).await?;
    round
        .check(&numbers, today)
        .map_err(|p| StoreError::Refused(Refusal::invalid(p.message_zh(), p.message_en())))?;
    let mut summary = RoundSummary {
        households: round.entries.len() as u64,
        flagged: round.flagged().count() as u64,
        ..RoundSummary::default()
    };
    let clue_rules = rules::get_on(&tx, &county).await?.rules.clue;
    let label = round.label.trim().to_owned();
    for e in round.flagged() {
        let report = Report {
            household: e.household.clone(),
            source: Source::CadreScreening {
                round: label.clone(),
            },
            risks: e.risks.clone(),
            reporter: round.screeners.trim().to_owned(),
            reported_on: round.held_on,
        };
        let this_round =
            |s: &Source| matches!(s, Source::CadreScreening { round: r } if *r == label);
        match file_report_on(&tx, caller, report, clue_rules, today, None, this_round).await? {
            Filing::Filed { filed, .. } => match filed {
                Filed::NewCase => summary.new_cases += 1,
                Filed::NewClue => summary.new_clues += 1,
                Filed::Merged => summary.merged += 1,
            },
            Filing::AlreadyPresent => summary.already_present += 1,
            Filing::OutOfArea => return Err(StoreError::NotFound),
        }
    }
    summary.id = screening_rounds::insert_on(
        &tx,
        &caller.actor(),
        &county,
        village,
        &label,
        round,
        summary.households,
        summary.flagged,
    )
    .await?;
    tx.commit().await?;
    Ok(summary)
}
