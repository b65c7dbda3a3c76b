//! 农村劳动力就业 (B1, §四(一)): `GET /api/v1/labour` (the households with labour and the month's record),
//! `GET /api/v1/labour/figures` (脱贫劳动力务工就业人数 this year against last year by village), `GET
//! /api/v1/labour/{number}` (a household with its records), `POST /api/v1/labour/{number}/records` (the
//! monthly record) — through `shouwang_app::registers::labour`, the one path the pages and `shouwang
//! labour` use too.

use axum::extract::State;
use axum::http::StatusCode;
use shouwang_app::registers::labour::{
    self, Entry, Figures, ListFilter, RecordInput, Recorded, Sheet,
};

use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// The households of your area with labour (16–60, able to work) by village and 户编号, each with the
/// month's record (due date, date, state: pending, overdue, done, done_late). Filters: `area`, `status`
/// (households with a member in this 就业状态), `state` (a state, or `missing`: not recorded yet),
/// `month` (YYYY-MM).
#[utoipa::path(get, path = "/api/v1/labour", tag = "registers", params(ListFilter),
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
        labour::list(&state.db, &user.caller, &q, today).await?,
    ))
}

/// The register's figures of your area for `month` (default this month): households with labour,
/// recorded, overdue, labour, employed, and 脱贫劳动力务工就业人数 against the same month of last year, in
/// total and by village (the plan: stable or growing).
#[utoipa::path(get, path = "/api/v1/labour/figures", tag = "registers", params(ListFilter),
    responses((status = 200, body = Figures), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn figures(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<ListFilter>,
) -> AppResult<ApiJson<Figures>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        labour::figures(
            &state.db,
            &user.caller,
            q.area.as_deref(),
            q.month.as_deref(),
            today,
        )
        .await?,
    ))
}

/// One household of your area with labour: labour force, this month, its records (newest first). 404
/// outside your area or without labour.
#[utoipa::path(get, path = "/api/v1/labour/{number}", tag = "registers",
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
        labour::show(&state.db, &user.caller, &number, today).await?,
    ))
}

/// Records the month's employment (劳动力就业月报: every member of the labour force with 就业状态, 务工地点
/// for 外出务工, employer, monthly income, drive, training wanted and taken); audited. 403 for a role that
/// keeps no records or a household of another village, 404 no such household, 409 the month already
/// recorded, 422 a bad record (dated in the future, a member left out, 外出务工 without where …) or a
/// household without labour.
#[utoipa::path(post, path = "/api/v1/labour/{number}/records", tag = "registers",
    params(("number" = String, Path, description = "户编号")),
    request_body = RecordInput,
    responses((status = 201, body = Recorded), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn record(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<RecordInput>,
) -> AppResult<(StatusCode, ApiJson<Recorded>)> {
    let today = shouwang_app::today();
    let done = labour::record(&state.db, &user.caller, &number, &body, today).await?;
    Ok((StatusCode::CREATED, ApiJson(done)))
}
