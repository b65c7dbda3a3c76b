//! 帮扶车间 (B1 §四(一)3): `GET/POST /api/v1/workshops` (the workshops of your area with their workers'
//! figures; register one), `GET/PUT /api/v1/workshops/{id}` (a workshop with its workers; change it),
//! `POST /api/v1/workshops/{id}/workers` (take on a worker), `POST /api/v1/workshops/{id}/release` (a worker
//! left) — through `shouwang_app::workshops`, the one path the pages and `shouwang workshop` use too.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use shouwang_app::assets::Versioned;
use shouwang_app::workshops::{self, Entry, ListFilter, Release, Sheet};
use shouwang_core::workshop::{Draft, Hire};

use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// The id of what a write created.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    /// Row id.
    pub id: i64,
}

/// The workshops of your area by village and name, each with 吸纳就业人数, 其中脱贫户、监测户 and 月工资合计.
/// Filters: `area`, `state` (`operating`, `suspended`, `closed`).
#[utoipa::path(get, path = "/api/v1/workshops", tag = "registers", params(ListFilter),
    responses((status = 200, body = Vec<Entry>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ListFilter>,
) -> AppResult<ApiJson<Vec<Entry>>> {
    Ok(ApiJson(workshops::list(&state.db, &user.caller, &q).await?))
}

/// Registers a workshop (township or county; audited). 403 another role or a village outside your area,
/// 422 a bad registration (no name or operator, a start date in the future, a village of another county …).
#[utoipa::path(post, path = "/api/v1/workshops", tag = "registers", request_body = Draft,
    responses((status = 201, body = Created), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn register(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<Draft>,
) -> AppResult<(StatusCode, ApiJson<Created>)> {
    let id = workshops::register(&state.db, &user.caller, body, shouwang_app::today()).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { id })))
}

/// A workshop of your area with its workers (those working now first; ID numbers masked). 404 outside your
/// area.
#[utoipa::path(get, path = "/api/v1/workshops/{id}", tag = "registers",
    params(("id" = i64, Path, description = "车间编号")),
    responses((status = 200, body = Sheet), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn show(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<Sheet>> {
    Ok(ApiJson(workshops::show(&state.db, &user.caller, id).await?))
}

/// Changes a workshop's registration (with the `version` read; audited). 403 a role other than the township
/// or county, 404 outside your area, 409 a stale version, 422 a bad registration.
#[utoipa::path(put, path = "/api/v1/workshops/{id}", tag = "registers",
    params(("id" = i64, Path, description = "车间编号")),
    request_body = Versioned<Draft>,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Versioned<Draft>>,
) -> AppResult<StatusCode> {
    workshops::update(&state.db, &user.caller, id, body, shouwang_app::today()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes on a member of the labour force as a worker (`household`, `position` 0 = first member, `wage` 元 a
/// month, `since`; with the `version` read; audited). 403 another role or a household outside your area,
/// 404 no such workshop or household, 409 a closed workshop, a member working at a workshop already or a
/// stale version, 422 no such member, one outside the labour force, a bad wage or date.
#[utoipa::path(post, path = "/api/v1/workshops/{id}/workers", tag = "registers",
    params(("id" = i64, Path, description = "车间编号")),
    request_body = Versioned<Hire>,
    responses((status = 201, body = Created), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn hire(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Versioned<Hire>>,
) -> AppResult<(StatusCode, ApiJson<Created>)> {
    let id = workshops::hire(&state.db, &user.caller, id, body, shouwang_app::today()).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { id })))
}

/// Records that a worker left (`worker`, `until` default today; with the `version` read; audited). 403
/// another role, 404 no such workshop, 409 a stale version, 422 no such worker at work there or a bad date.
#[utoipa::path(post, path = "/api/v1/workshops/{id}/release", tag = "registers",
    params(("id" = i64, Path, description = "车间编号")),
    request_body = Versioned<Release>,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn release(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Versioned<Release>>,
) -> AppResult<StatusCode> {
    workshops::release(&state.db, &user.caller, id, body, shouwang_app::today()).await?;
    Ok(StatusCode::NO_CONTENT)
}
