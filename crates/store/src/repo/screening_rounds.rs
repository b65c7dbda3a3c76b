//! 排查台账: the stored 干部排查 rounds (§三(一)1 二是 "健全排查台账"), one `screening_rounds` row per
//! village and round with every household's result; the use case that records a round (checks, clues,
//! this row, one transaction) is `shouwang_app::screening::cadre`.

use chrono::{NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, QueryResult};
use serde::Serialize;
use shouwang_core::Scope;
use shouwang_core::monitoring::{Refusal, ScreeningRound};

use crate::db::Db;
use crate::error::{Result, StoreError};
use crate::ids::new_id;
use crate::repo::area::Area;
use crate::repo::audit::{self, Change};
use crate::repo::{Actor, Sql};

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
pub async fn village_households(
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

/// Writes `round` (labelled `label`, `households` screened, `flagged` at risk) into the 排查台账 of
/// `village` inside the transaction `tx`, with its audit row; the same label twice in a village is
/// refused. Returns the row id.
// The row's columns, each distinct.
#[allow(clippy::too_many_arguments)]
pub async fn insert_on(
    tx: &DatabaseTransaction,
    actor: &Actor,
    county: &str,
    village: &str,
    label: &str,
    round: &ScreeningRound,
    households: u64,
    flagged: u64,
) -> Result<i64> {
    let id = new_id();
    let body = serde_json::to_value(round)
        .map_err(|e| StoreError::internal(format!("cannot serialise the round: {e}")))?;
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
    .bind(households as i64)
    .push(", ")
    .bind(flagged as i64)
    .push(", ")
    .bind(body.to_string())
    .push(", ")
    .bind(actor.user_id)
    .push(", ")
    .bind(actor.name.clone())
    .push(", ")
    .bind(Utc::now())
    .push(")");
    tx.execute_raw(sql.build(tx.get_database_backend()))
        .await
        .map_err(|e| {
            match StoreError::from_write(
                e,
                &format!("干部排查“{label}”"),
                &format!("Cadre screening round “{label}”"),
            ) {
                StoreError::Conflict { .. } => StoreError::Refused(Refusal::invalid(
                    format!("本村“{label}”已登记，不能重复登记"),
                    format!("The round “{label}” is already recorded for this village"),
                )),
                other => other,
            }
        })?;
    audit::append(
        tx,
        actor,
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
        Some(v) if scope.covers(v) => Area::parse(v),
        Some(_) => return Ok(Vec::new()),
        None => Area::parse(scope.area_prefix()),
    };
    let Some(area) = area.filter(|a| a.county().is_some()) else {
        return Ok(Vec::new());
    };
    let mut sql = Sql::new();
    sql.push("SELECT r.id, r.recorded_by_name, r.body FROM screening_rounds r WHERE 1 = 1")
        .push_area("r", &area);
    sql.push(" AND r.held_on >= ")
        .bind(from.to_string())
        .push(" AND r.held_on <= ")
        .bind(to.to_string())
        .push(" ORDER BY r.held_on DESC, r.id DESC");
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
