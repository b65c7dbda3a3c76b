//! 光伏扶贫电站 and 光伏收益分配 (B2 §四(二)4): `GET /api/v1/pv` (the board of a year: income and distribution
//! by month, township and village, the 分配到村率 against the target with the gap), `GET/POST
//! /api/v1/pv/stations`, `GET/PUT /api/v1/pv/stations/{id}`, `POST /api/v1/pv/stations/{id}/income` (a
//! month's 发电收益; with `version`, its correction), `POST /api/v1/pv/distributions` (a village's monthly
//! 收益分配; with `version`, its correction) — through `shouwang_app::pv`, the one path the pages and
//! `shouwang pv` use too.

use axum::extract::State;
use axum::http::StatusCode;
use shouwang_app::assets::Versioned;
use shouwang_app::pv::board::BoardQuery;
use shouwang_app::pv::{self, Board, StationEntry, StationFilter, StationSheet};
use shouwang_core::pv::{Distribution, Income, Station};

use super::workshops::Created;
use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// The board of a year (default this year) for your area (narrowed by `area`): income and distribution by
/// month with the cumulative 分配到村率 and its gap to the target, by township and village, the yearly income
/// against its target, the stations and the distributions. Amounts in 分.
#[utoipa::path(get, path = "/api/v1/pv", tag = "pv", params(BoardQuery),
    responses((status = 200, body = Board), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn board(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> AppResult<ApiJson<Board>> {
    Ok(ApiJson(
        pv::board(&state.db, &user.caller, &q, shouwang_app::today()).await?,
    ))
}

/// The stations of your area (kept in it or benefiting one of its villages). Filter: `area`.
#[utoipa::path(get, path = "/api/v1/pv/stations", tag = "pv", params(StationFilter),
    responses((status = 200, body = Vec<StationEntry>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn stations(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<StationFilter>,
) -> AppResult<ApiJson<Vec<StationEntry>>> {
    Ok(ApiJson(pv::stations(&state.db, &user.caller, &q).await?))
}

/// Registers a station (township or county; audited). 403 another role or a place outside your area; 422 a
/// bad station (a 村级电站 outside a village, a 集中式电站 without its 受益村, a capacity of 0, an asset not of
/// your area …).
#[utoipa::path(post, path = "/api/v1/pv/stations", tag = "pv", request_body = Station,
    responses((status = 201, body = Created), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn create_station(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<Station>,
) -> AppResult<(StatusCode, ApiJson<Created>)> {
    let id = pv::create_station(&state.db, &user.caller, body, shouwang_app::today()).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { id })))
}

/// A station of your area with its income by month. 404 outside it.
#[utoipa::path(get, path = "/api/v1/pv/stations/{id}", tag = "pv",
    params(("id" = i64, Path, description = "电站编号")),
    responses((status = 200, body = StationSheet), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn station(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> AppResult<ApiJson<StationSheet>> {
    Ok(ApiJson(pv::station(&state.db, &user.caller, id).await?))
}

/// Changes a station (with the `version` read; audited): what `POST` refuses, 404 outside your area, and
/// 409 a stale version.
#[utoipa::path(put, path = "/api/v1/pv/stations/{id}", tag = "pv",
    params(("id" = i64, Path, description = "电站编号")),
    request_body = Versioned<Station>,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update_station(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Versioned<Station>>,
) -> AppResult<StatusCode> {
    pv::update_station(&state.db, &user.caller, id, body, shouwang_app::today()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enters a station's 发电收益 of a month (分; township or county; audited); with `version`, corrects that
/// month's. 403 another role or a station kept above you; 404 no such station in your area (or no income
/// of that month to correct); 409 the month entered already, or a stale version; 422 a month in the future
/// or a negative amount.
#[utoipa::path(post, path = "/api/v1/pv/stations/{id}/income", tag = "pv",
    params(("id" = i64, Path, description = "电站编号")),
    request_body = Versioned<Income>,
    responses((status = 201, body = Created), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn income(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Versioned<Income>>,
) -> AppResult<(StatusCode, ApiJson<Created>)> {
    let id = pv::record_income(&state.db, &user.caller, id, body, shouwang_app::today()).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { id })))
}

/// Records a village's 收益分配 of a month (分; village team, township or county; audited): the amount
/// distributed to the village, its uses, the 公益岗位 paid (posts of the village funded by 光伏收益) and the
/// decision; with `version`, corrects that month's. 403 another role or a village outside your area; 404
/// nothing to correct; 409 the month recorded already, or a stale version; 422 uses above the amount, a
/// negative amount, a month in the future, a post that is no 光伏收益 post of the village.
#[utoipa::path(post, path = "/api/v1/pv/distributions", tag = "pv",
    request_body = Versioned<Distribution>,
    responses((status = 201, body = Created), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn distribute(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<Versioned<Distribution>>,
) -> AppResult<(StatusCode, ApiJson<Created>)> {
    let id = pv::distribute(&state.db, &user.caller, body, shouwang_app::today()).await?;
    Ok((StatusCode::CREATED, ApiJson(Created { id })))
}
