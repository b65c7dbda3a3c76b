//! 三保障和饮水安全问题台账 (A6, §三(四)): `GET /api/v1/problems` (filters: area, household, sector, status,
//! overdue), `GET /api/v1/problems/board` (by sector and state), `POST /api/v1/problems` (record one found),
//! `GET /api/v1/problems/{id}`, `POST /api/v1/problems/{id}/actions` (整改 with evidence, 验收销号) — through
//! `shouwang_app::problems`, the one path the CLI uses too.

use axum::extract::State;
use axum::http::StatusCode;
use shouwang_app::problems::{self, ActInput, Found, ProblemQuery, ProblemView, SectorCount};
use shouwang_core::monitoring::NewProblem;

use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// The problems of your area, by village, household and number, each with its state and whether overdue
/// today. Filters: `area`, `household`, `sector`, `status`, `overdue=true`.
#[utoipa::path(get, path = "/api/v1/problems", tag = "problems", params(ProblemQuery),
    responses((status = 200, body = Vec<ProblemView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ProblemQuery>,
) -> AppResult<ApiJson<Vec<ProblemView>>> {
    let today = shouwang_app::today();
    let filter = q.filter(today)?;
    Ok(ApiJson(
        problems::list(&state.db, &user.caller, &filter, today).await?,
    ))
}

/// The board of your area (narrowed with `area`): per sector, problems 待整改, 整改中, 已销号 and overdue.
#[utoipa::path(get, path = "/api/v1/problems/board", tag = "problems", params(ProblemQuery),
    responses((status = 200, body = Vec<SectorCount>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn board(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ProblemQuery>,
) -> AppResult<ApiJson<Vec<SectorCount>>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        problems::board(&state.db, &user.caller, q.area, today).await?,
    ))
}

/// Records a problem found today (a household's takes its village and files a clue of channel 干部排查);
/// audited. 403 another area or a role that finds none, 404 no such household, 422 a blank description or
/// a deadline before today.
#[utoipa::path(post, path = "/api/v1/problems", tag = "problems", request_body = NewProblem,
    responses((status = 201, body = Found), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<NewProblem>,
) -> AppResult<(StatusCode, ApiJson<Found>)> {
    let today = shouwang_app::today();
    let found = problems::record(&state.db, &user.caller, body, today).await?;
    Ok((StatusCode::CREATED, ApiJson(found)))
}

/// One problem of your area (404 outside it).
#[utoipa::path(get, path = "/api/v1/problems/{id}", tag = "problems",
    params(("id" = i64, Path, description = "问题编号")),
    responses((status = 200, body = ProblemView), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn show(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<ProblemView>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        problems::show(&state.db, &user.caller, id, today).await?,
    ))
}

/// Takes an action today: `rectify` (what was done + evidence already uploaded to `/api/v1/attachments`)
/// or `accept` (验收销号, township or county). 403 another area or role, 404, 409 out of order, closed or a
/// stale version, 422 no evidence or blank text.
#[utoipa::path(post, path = "/api/v1/problems/{id}/actions", tag = "problems",
    params(("id" = i64, Path, description = "问题编号")),
    request_body = ActInput,
    responses((status = 200, body = ProblemView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn act(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ActInput>,
) -> AppResult<ApiJson<ProblemView>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        problems::act(
            &state.db,
            &user.caller,
            id,
            body.version,
            body.action,
            today,
        )
        .await?,
    ))
}
