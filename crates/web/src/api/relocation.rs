//! 易地搬迁后续扶持 (A5, §三(三)): `GET /api/v1/relocation` (the relocated households with labour force,
//! the quarter's state and the stable-employment target), `GET /api/v1/relocation/figures` (the target's
//! figure), `GET /api/v1/relocation/{number}` (a household with its screenings), `POST
//! /api/v1/relocation/{number}/screenings` (the quarterly screening) — through
//! `shouwang_app::registers::relocation`, the one path the pages and `shouwang relocation` use too.

use axum::extract::State;
use axum::http::StatusCode;
use shouwang_app::registers::relocation::{
    self, Entry, Figures, ListFilter, Recorded, ScreeningInput, Sheet,
};

use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// The relocated households (易地扶贫搬迁户) of your area by settlement point and 户编号, each with its
/// labour force (16–60, able to work), the quarter's screening (due date, date, state: pending, overdue,
/// done, done_late) and the target (met, unmet, unscreened, no_labour). Filters: `area`, `target` (a state
/// or `misses`: the households that miss the target), `status`, `needs=true` (with employment or training
/// needs: the list for the county HR bureau), `quarter` (YYYY-Qn).
#[utoipa::path(get, path = "/api/v1/relocation", tag = "registers", params(ListFilter),
    responses((status = 200, body = Vec<Entry>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ListFilter>,
) -> AppResult<ApiJson<Vec<Entry>>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        relocation::list(&state.db, &user.caller, &q, today).await?,
    ))
}

/// The register's figures of your area this quarter: relocated households, with labour, meeting the
/// target (at least one member in stable employment) and its rate (target 100 %), missing it, screened,
/// overdue.
#[utoipa::path(get, path = "/api/v1/relocation/figures", tag = "registers",
    responses((status = 200, body = Figures), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn figures(State(state): State<AppState>, user: ApiUser) -> AppResult<ApiJson<Figures>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        relocation::figures(&state.db, &user.caller, today).await?,
    ))
}

/// One relocated household of your area: labour force, target, this quarter, its screenings (newest
/// first). 404 outside your area or not relocated.
#[utoipa::path(get, path = "/api/v1/relocation/{number}", tag = "registers",
    params(("number" = String, Path, description = "户编号")),
    responses((status = 200, body = Sheet), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn household(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
) -> AppResult<ApiJson<Sheet>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        relocation::show(&state.db, &user.caller, &number, today).await?,
    ))
}

/// Records the quarter's screening (搬迁户排查记录: each labour member's job, place, employer, since, wage;
/// the household's income; employment, training and follow-up-support needs; new risks — a new risk files
/// a clue of channel 干部排查); audited. 403 for a role that keeps no records or a household of another
/// village, 404 no such household, 409 the quarter already screened, 422 a bad screening (dated in the
/// future, a worker outside the labour force, a job without a place …) or a household not relocated.
#[utoipa::path(post, path = "/api/v1/relocation/{number}/screenings", tag = "registers",
    params(("number" = String, Path, description = "户编号")),
    request_body = ScreeningInput,
    responses((status = 201, body = Recorded), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn screening(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<ScreeningInput>,
) -> AppResult<(StatusCode, ApiJson<Recorded>)> {
    let today = shouwang_app::today();
    let done = relocation::record_screening(&state.db, &user.caller, &number, &body, today).await?;
    Ok((StatusCode::CREATED, ApiJson(done)))
}
