//! 低收入人口常态化帮扶 (A4, §三(二)): `GET /api/v1/low-income` (the households in scope with why and the
//! month's state), `GET /api/v1/low-income/figures`, `GET /api/v1/low-income/{number}` (a household with
//! its visits), `POST /api/v1/low-income/{number}/visits` (the monthly visit) — through
//! `shouwang_app::registers::low_income`, the one path the pages and `shouwang low-income` use too.

use axum::extract::State;
use axum::http::StatusCode;
use shouwang_app::registers::low_income::{
    self, Entry, Figures, ListFilter, Recorded, Sheet, VisitInput,
};

use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// The low-income households of your area in scope (低收入人口: 风险消除的监测对象, 低保, 特困, 残疾人家庭,
/// “两无”老人, 孤儿和事实无人抚养儿童, 留守儿童 — the county may switch categories off), by village and 户编号,
/// each with its reasons (rule and member), the dropout watch and the month's visit (due date, date,
/// state: pending, overdue, done, done_late). Filters: `area`, `category`, `status`, `month` (YYYY-MM).
#[utoipa::path(get, path = "/api/v1/low-income", tag = "registers", params(ListFilter),
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
        low_income::list(&state.db, &user.caller, &q, today).await?,
    ))
}

/// The register's figures of your area this month: households in scope, by category, visited, overdue.
#[utoipa::path(get, path = "/api/v1/low-income/figures", tag = "registers",
    responses((status = 200, body = Figures), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn figures(State(state): State<AppState>, user: ApiUser) -> AppResult<ApiJson<Figures>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        low_income::figures(&state.db, &user.caller, today).await?,
    ))
}

/// One household of your area in the register: why (no reasons: not in scope), this month, its visits
/// (newest first). 404 outside your area.
#[utoipa::path(get, path = "/api/v1/low-income/{number}", tag = "registers",
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
        low_income::show(&state.db, &user.caller, &number, today).await?,
    ))
}

/// Records the month's visit (走访记录: needs, policies received, difficulties, help arranged, next step,
/// new risks — a new risk files a clue of channel 干部排查); audited. 403 for a role that keeps no visits
/// or a household of another village, 404 no such household, 409 the month already visited, 422 a bad
/// visit (dated in the future, overlong, nothing found or done) or a household out of scope.
#[utoipa::path(post, path = "/api/v1/low-income/{number}/visits", tag = "registers",
    params(("number" = String, Path, description = "户编号")),
    request_body = VisitInput,
    responses((status = 201, body = Recorded), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn visit(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<VisitInput>,
) -> AppResult<(StatusCode, ApiJson<Recorded>)> {
    let today = shouwang_app::today();
    let done =
        low_income::record_visit(&state.db, &user.caller, &number, &body.visit(today), today)
            .await?;
    Ok((StatusCode::CREATED, ApiJson(done)))
}
