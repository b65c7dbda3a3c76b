//! 村容村貌指标 (B5, §四(五)): `GET /api/v1/indicators` (the board of a year: every village of the area
//! with its three indicators against the county's targets) and `POST /api/v1/indicators/{village}` (填报,
//! 核实, 退回) — through `shouwang_app::indicators`, the one path the pages use too.

use axum::extract::State;
use chrono::Datelike;
use serde::Deserialize;
use shouwang_app::indicators::{self, ActInput, Board, VillageIndicators};

use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// The board's query.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// 年度 (default: this year).
    pub year: Option<i32>,
    /// A township or village inside your area.
    pub area: Option<String>,
}

/// The board of a year for your area (narrowed with `area`): every 行政村 with its figures, state and the
/// three indicators (value, target, gap), and the area's total over the villages entered.
#[utoipa::path(get, path = "/api/v1/indicators", tag = "indicators", params(BoardQuery),
    responses((status = 200, body = Board), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn board(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> AppResult<ApiJson<Board>> {
    let year = q.year.unwrap_or_else(|| shouwang_app::today().year());
    Ok(ApiJson(
        indicators::board(&state.db, &user.caller, year, q.area.as_deref()).await?,
    ))
}

/// Enters (village team, township), checks or returns (township, county) a village's figures of a year,
/// at the version read (0 while nothing is entered); audited. 403 another area or role, 404 no such
/// village, 409 a stale version or the wrong state (a checked record is returned before a change), 422
/// figures over their totals or a return without a reason.
#[utoipa::path(post, path = "/api/v1/indicators/{village}", tag = "indicators",
    params(("village" = String, Path, description = "行政村代码")),
    request_body = ActInput,
    responses((status = 200, body = VillageIndicators), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn act(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(village): ApiPath<String>,
    ApiJson(body): ApiJson<ActInput>,
) -> AppResult<ApiJson<VillageIndicators>> {
    Ok(ApiJson(
        indicators::act(
            &state.db,
            &user.caller,
            &village,
            body.year,
            body.version,
            body.action,
            shouwang_app::today(),
        )
        .await?,
    ))
}
