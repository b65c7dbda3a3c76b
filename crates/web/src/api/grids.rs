//! 网格化管理 (B6, §四(六)): `GET/POST /api/v1/grids` (the grids of your area; a new grid),
//! `GET/PUT /api/v1/grids/{id}` (a grid with its village's households; a change at the version read),
//! `POST /api/v1/grids/{id}/households` (分配农户) and `GET /api/v1/grids/coverage` (households in a grid per
//! village) — through `shouwang_app::grids`, the one path the pages and the CLI use too.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use shouwang_app::assets::Versioned;
use shouwang_app::grids::{self, AssignInput, Coverage, GridSheet, GridView};
use shouwang_core::grid::GridDraft;

use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// The list's query.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GridQuery {
    /// A township or village inside your area.
    pub area: Option<String>,
}

/// A grid created.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    /// The new grid's id.
    pub id: i64,
}

/// Households whose grid changed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Assigned {
    /// How many households changed grid (those already where asked are not counted).
    pub changed: usize,
}

/// The grids of your area (narrowed with `area`), by village and name; phones masked unless your role
/// sees personal data.
#[utoipa::path(get, path = "/api/v1/grids", tag = "grids", params(GridQuery),
    responses((status = 200, body = Vec<GridView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<GridQuery>,
) -> AppResult<ApiJson<Vec<GridView>>> {
    Ok(ApiJson(
        grids::list(&state.db, &user.caller, q.area.as_deref()).await?,
    ))
}

/// Creates a grid of a village of your area (village team, township, county); audited. 403 another area
/// or role, 409 a name taken in the village, 422 a missing name, 党支部 or 网格长, a bad phone.
#[utoipa::path(post, path = "/api/v1/grids", tag = "grids", request_body = GridDraft,
    responses((status = 201, body = Created), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<GridDraft>,
) -> AppResult<(StatusCode, ApiJson<Created>)> {
    let id = grids::create(&state.db, &user.caller, body).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { id })))
}

/// Households in a grid per village of your area, and in total.
#[utoipa::path(get, path = "/api/v1/grids/coverage", tag = "grids",
    responses((status = 200, body = Coverage), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn coverage(
    State(state): State<AppState>,
    user: ApiUser,
) -> AppResult<ApiJson<Coverage>> {
    Ok(ApiJson(grids::coverage(&state.db, &user.caller).await?))
}

/// One grid of your area with every household of its village and its grid (404 outside your area).
#[utoipa::path(get, path = "/api/v1/grids/{id}", tag = "grids",
    params(("id" = i64, Path, description = "网格编号")),
    responses((status = 200, body = GridSheet), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn show(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<GridSheet>> {
    Ok(ApiJson(grids::show(&state.db, &user.caller, id).await?))
}

/// Changes a grid (name, 党支部, 网格长, 网格员; not its village) at the version read; audited. 403 a role
/// that keeps no grid, 404 outside your area, 409 a stale version or a name taken, 422 as on creation.
#[utoipa::path(put, path = "/api/v1/grids/{id}", tag = "grids",
    params(("id" = i64, Path, description = "网格编号")),
    request_body = GridDraft,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Versioned<GridDraft>>,
) -> AppResult<StatusCode> {
    grids::update(&state.db, &user.caller, id, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 分配农户: puts households of the grid's village into the grid (each leaves its former grid), or takes
/// them out (`remove`), in one transaction; audited. 403 a role that keeps no grid, 404 outside your
/// area, 409 a stale version, 422 no household, or one not of the village (named; nothing written).
#[utoipa::path(post, path = "/api/v1/grids/{id}/households", tag = "grids",
    params(("id" = i64, Path, description = "网格编号")),
    request_body = AssignInput,
    responses((status = 200, body = Assigned), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AssignInput>,
) -> AppResult<ApiJson<Assigned>> {
    let changed = grids::assign(&state.db, &user.caller, id, body).await?;
    Ok(ApiJson(Assigned { changed }))
}
