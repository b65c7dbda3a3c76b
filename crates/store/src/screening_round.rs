//! 干部排查 rounds through the store (§三(一)1 二是: "每季度集中开展一次…逐村逐户对标排查，做到排查农户
//! 全覆盖…健全排查台账"): [`record`] checks a round against the village's registry with the core's
//! [`ScreeningRound::check`] (every household exactly once), turns each household found at risk into a
//! report of channel 干部排查 through the case repository, and keeps the round, all households included,
//! as one `screening_rounds` row (the 排查台账) with an audit row, all in one write transaction: a refusal
//! writes nothing. [`list`] reads the rounds of an area; the cadence calendar counts a round as the
//! village's 干部排查 of its quarter, also when nobody was found at risk.

use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult};
use serde::Serialize;
use shouwang_core::Scope;
use shouwang_core::monitoring::{CaseAction, Channel, Refusal, Report, ScreeningRound, Source};

use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::lifecycle::{Caller, Filed};
use crate::repo::audit::{self, Change};
use crate::repo::{Sql, cases, prefix_upper, rules};

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

/// A recorded round (a row of the 排查台账).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoundRow {
    /// Row id.
    pub id: i64,
    /// Who recorded it.
    pub recorded_by: String,
    /// The round with every household's result.
    pub round: ScreeningRound,
}

/// The 户编号 of a village's households, in order.
async fn village_households(
    conn: &impl ConnectionTrait,
    county: &str,
    village: &str,
) -> Result<Vec<String>> {
    let mut sql = Sql::new();
    sql.push("SELECT number FROM households WHERE county_code = ")
        .bind(county)
        .push(" AND village_code = ")
        .bind(village)
        .push(" ORDER BY number");
    let rows = conn
        .query_all_raw(sql.build(conn.get_database_backend()))
        .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String>("", "number")?))
        .collect()
}

/// The village's households (户编号) as the round form lists them; `NotFound` outside the scope.
pub async fn households_of(db: &Db, scope: &Scope, village: &str) -> Result<Vec<String>> {
    if village.len() != 12 || !scope.covers(village) {
        return Err(StoreError::NotFound);
    }
    village_households(db.conn(), &village[..6], village).await
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
    let numbers = village_households(&tx, &county, village).await?;
    round
        .check(&numbers, today)
        .map_err(|p| StoreError::Refused(Refusal::invalid(p.message_zh(), p.message_en())))?;
    let mut summary = RoundSummary {
        households: round.entries.len() as u64,
        flagged: round.flagged().count() as u64,
        ..RoundSummary::default()
    };
    let clue_rules = rules::get_on(&tx, &county).await?.rules.clue;
    let actor = caller.actor();
    let by = caller.by();
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
        let all = cases::history_on(&tx, &county, &e.household).await?;
        let present = all.iter().any(|c| {
            c.case.clues.iter().flat_map(|cl| &cl.sources).any(
                |s| matches!(&s.report.source, Source::CadreScreening { round: r } if *r == label),
            )
        });
        if present {
            summary.already_present += 1;
            continue;
        }
        let filed = match all.last().filter(|c| !c.lifecycle.is_closed()) {
            None => {
                cases::open_on(&tx, &actor, &caller.scope, report, &by, today).await?;
                Filed::NewCase
            }
            Some(current) => {
                let clues = current.case.clues.len();
                let rec = cases::apply_on(
                    &tx,
                    &actor,
                    &caller.scope,
                    &e.household,
                    current.version,
                    |c| {
                        c.apply(
                            CaseAction::Report {
                                report,
                                rules: clue_rules,
                            },
                            &by,
                            today,
                        )
                    },
                )
                .await?;
                if rec.case.clues.len() > clues {
                    Filed::NewClue
                } else {
                    Filed::Merged
                }
            }
        };
        match filed {
            Filed::NewCase => summary.new_cases += 1,
            Filed::NewClue => summary.new_clues += 1,
            Filed::Merged => summary.merged += 1,
        }
    }
    summary.id = insert(&tx, caller, &county, village, &label, round, &summary).await?;
    tx.commit().await?;
    Ok(summary)
}

async fn insert(
    tx: &DatabaseTransaction,
    caller: &Caller,
    county: &str,
    village: &str,
    label: &str,
    round: &ScreeningRound,
    summary: &RoundSummary,
) -> Result<i64> {
    let id = new_id();
    let body = serde_json::to_value(round)
        .map_err(|e| StoreError::Invalid(format!("cannot serialise the round: {e}")))?;
    let mut sql = Sql::new();
    sql.push(
        "INSERT INTO screening_rounds (county_code, id, village_code, label, held_on, screeners, \
         households, flagged, body, recorded_by, recorded_by_name, created_at) VALUES (",
    )
    .bind(county)
    .push(", ")
    .bind(id)
    .push(", ")
    .bind(village)
    .push(", ")
    .bind(label)
    .push(", ")
    .bind(round.held_on.to_string())
    .push(", ")
    .bind(round.screeners.trim())
    .push(", ")
    .bind(summary.households as i64)
    .push(", ")
    .bind(summary.flagged as i64)
    .push(", ")
    .bind(body.to_string())
    .push(", ")
    .bind(caller.user_id)
    .push(", ")
    .bind(caller.name.clone())
    .push(", ")
    .bind(Utc::now())
    .push(")");
    tx.execute_raw(sql.build(tx.get_database_backend()))
        .await
        .map_err(|e| match StoreError::from_write(e, "干部排查 round") {
            StoreError::Conflict(_) => StoreError::Refused(Refusal::invalid(
                format!("本村“{label}”已登记，不能重复登记"),
                format!("The round “{label}” is already recorded for this village"),
            )),
            other => other,
        })?;
    audit::append(
        tx,
        &caller.actor(),
        Change {
            action: "create",
            entity: "screening_round",
            entity_id: id.to_string(),
            county_code: Some(county.to_owned()),
            village_code: Some(village.to_owned()),
            before: None,
            after: Some(body),
        },
    )
    .await?;
    Ok(id)
}

/// The rounds of the scope's area (or of `village` in it) held in `from..=to`, newest first.
pub async fn list(
    db: &Db,
    scope: &Scope,
    village: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RoundRow>> {
    let area = match village.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) if scope.covers(v) => v.to_owned(),
        Some(_) => return Ok(Vec::new()),
        None => scope.area_prefix().trim().to_owned(),
    };
    let Some(county) = area.get(..6) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT id, recorded_by_name, body FROM screening_rounds WHERE county_code = ")
        .bind(county);
    if area.len() > 6 {
        sql.push(" AND village_code >= ")
            .bind(area.as_str())
            .push(" AND village_code < ")
            .bind(prefix_upper(&area));
    }
    sql.push(" AND held_on >= ")
        .bind(from.to_string())
        .push(" AND held_on <= ")
        .bind(to.to_string())
        .push(" ORDER BY held_on DESC, id DESC");
    let rows = db.conn().query_all_raw(sql.build(db.backend())).await?;
    rows.iter().map(row).collect()
}

fn row(r: &QueryResult) -> Result<RoundRow> {
    let body: String = r.try_get("", "body")?;
    Ok(RoundRow {
        id: r.try_get("", "id")?,
        recorded_by: r.try_get("", "recorded_by_name")?,
        round: serde_json::from_str(&body)
            .map_err(|e| StoreError::corrupt(format!("screening round: {e}")))?,
    })
}
