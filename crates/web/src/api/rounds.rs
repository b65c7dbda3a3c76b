//! 干部排查 rounds over `/api/v1/screening/cadre-rounds` — the same store calls as the page
//! `pages::screening::cadre`: `screening_round::record` (role, area, the core's checks — every household
//! of the village once — clues for the households at risk and the 排查台账 row, in one transaction) and
//! `screening_round::list` (scoped to the user's area).

use axum::extract::State;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shouwang_app::screening::cadre::{self as screening_round, RoundSummary};
use shouwang_core::monitoring::ScreeningRound;
use utoipa::{IntoParams, ToSchema};

use super::quality::area_filter;
use super::{ApiJson, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// The filter of the round list.
#[derive(Deserialize, IntoParams)]
pub struct RoundParams {
    /// A village (or township) code inside your area.
    area: Option<String>,
    /// First day (default: no limit).
    from: Option<NaiveDate>,
    /// Last day (default: today).
    to: Option<NaiveDate>,
}

/// A recorded round.
#[derive(Serialize, ToSchema)]
pub struct RoundDto {
    /// Row id.
    pub id: i64,
    /// 登记人.
    pub recorded_by: String,
    /// The round with every household's result.
    pub round: ScreeningRound,
}

/// What recording a round did.
#[derive(Serialize, ToSchema)]
pub struct RoundResult {
    /// The round's row id.
    pub id: i64,
    /// Households screened.
    pub households: u64,
    /// Households found at risk.
    pub flagged: u64,
    /// Reports that opened a case.
    pub new_cases: u64,
    /// Reports that added a clue to an open case.
    pub new_clues: u64,
    /// Reports merged into a clue of the same cause.
    pub merged: u64,
    /// Households whose case already has this round's report.
    pub already_present: u64,
}

impl From<RoundSummary> for RoundResult {
    fn from(s: RoundSummary) -> RoundResult {
        RoundResult {
            id: s.id,
            households: s.households,
            flagged: s.flagged,
            new_cases: s.new_cases,
            new_clues: s.new_clues,
            merged: s.merged,
            already_present: s.already_present,
        }
    }
}

/// 干部排查台账: the rounds of your area, newest first.
#[utoipa::path(get, path = "/api/v1/screening/cadre-rounds", tag = "clues", params(RoundParams),
    responses((status = 200, body = Vec<RoundDto>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<RoundParams>,
) -> AppResult<ApiJson<Vec<RoundDto>>> {
    let area = area_filter(&user, &q.area)?;
    let rows = screening_round::list(
        &state.db,
        &user.caller.scope,
        area.as_deref(),
        q.from.unwrap_or(NaiveDate::MIN),
        q.to.unwrap_or_else(shouwang_app::today),
    )
    .await?;
    Ok(ApiJson(
        rows.into_iter()
            .map(|r| RoundDto {
                id: r.id,
                recorded_by: r.recorded_by,
                round: r.round,
            })
            .collect(),
    ))
}

/// Records a 干部排查 round of one village: every household of the village exactly once (排查农户全覆盖),
/// each with the risk types found (none: 未发现风险). Households at risk get a 干部排查 clue; the round
/// is kept in the 排查台账. 403 for a role that does not screen, 404 outside your area, 422 with the
/// reason when the round is refused (a household missing or unknown, the same label twice, a future date);
/// the case of a household at risk out of order: 409.
#[utoipa::path(post, path = "/api/v1/screening/cadre-rounds", tag = "clues",
    request_body = ScreeningRound,
    responses((status = 200, body = RoundResult), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn record(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(round): ApiJson<ScreeningRound>,
) -> AppResult<ApiJson<RoundResult>> {
    let s = screening_round::record(&state.db, &user.caller, &round, shouwang_app::today()).await?;
    Ok(ApiJson(s.into()))
}
