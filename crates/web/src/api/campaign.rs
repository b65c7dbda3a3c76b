//! 三保障和饮水安全问题排查 (A6, §三(四)2): `GET /api/v1/campaign` (each village's coverage in the quarter:
//! checked / households, the households not checked, the task's state), `GET /api/v1/campaign/{number}` (a
//! household with the county's checklist and its checks), `POST /api/v1/campaign/{number}/checks` (the
//! quarter's check; each item with a problem goes to the 问题台账), `GET /api/v1/campaign-plans` and `PUT
//! /api/v1/campaign-plans/{township}` (the townships' 年度工作方案) — through
//! `shouwang_app::registers::campaign`, the one path the pages and `shouwang campaign` use too.

use axum::extract::State;
use axum::http::StatusCode;
use shouwang_app::registers::campaign::{
    self, CheckInput, CoverageQuery, PlanInput, PlanView, Recorded, Sheet, VillageCoverage,
};

use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// The quarter's campaign coverage of every village of your area with households: households, checked,
/// the per cent, problems found, the task's due date and state (pending, overdue, done, done_late) and the
/// households not yet checked. Filters: `area`, `quarter` (YYYY-Qn, default this quarter).
#[utoipa::path(get, path = "/api/v1/campaign", tag = "registers", params(CoverageQuery),
    responses((status = 200, body = Vec<VillageCoverage>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn coverage(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> AppResult<ApiJson<Vec<VillageCoverage>>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        campaign::coverage(
            &state.db,
            &user.caller,
            q.area.as_deref(),
            q.quarter.as_deref(),
            today,
        )
        .await?,
    ))
}

/// One household of your area: this quarter's state, the county's checklist (items switched on, with
/// their codes) and its checks (newest first). 404 outside your area.
#[utoipa::path(get, path = "/api/v1/campaign/{number}", tag = "registers",
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
        campaign::show(&state.db, &user.caller, &number, today).await?,
    ))
}

/// Records the quarter's check of a household (排查记录: every item of the checklist answered 无问题 or
/// 有问题 with what was found); each problem is written to the 问题台账 (responsible unit by sector,
/// deadline `deadline` or 30 days) and the household's 三保障 risks file one clue of channel 干部排查;
/// audited. 403 for a role that keeps no records or a household of another village, 404 no such
/// household, 409 the household already checked this quarter, 422 a bad check (an item missing or not
/// on the checklist, a problem without what was found, a date in the future).
#[utoipa::path(post, path = "/api/v1/campaign/{number}/checks", tag = "registers",
    params(("number" = String, Path, description = "户编号")),
    request_body = CheckInput,
    responses((status = 201, body = Recorded), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn check(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<CheckInput>,
) -> AppResult<(StatusCode, ApiJson<Recorded>)> {
    let today = shouwang_app::today();
    let done = campaign::record_check(&state.db, &user.caller, &number, &body, today).await?;
    Ok((StatusCode::CREATED, ApiJson(done)))
}

/// A filter of the plans: the year.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct PlansQuery {
    /// 年度 (default this year).
    pub year: Option<i32>,
}

/// The 年度工作方案 of the year (default this year) of your area: a county's townships, or the township
/// that holds your township or village (§三(四)1: targets, measures, mechanism, dates).
#[utoipa::path(get, path = "/api/v1/campaign-plans", tag = "registers", params(PlansQuery),
    responses((status = 200, body = Vec<PlanView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn plans(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<PlansQuery>,
) -> AppResult<ApiJson<Vec<PlanView>>> {
    let today = shouwang_app::today();
    Ok(ApiJson(
        campaign::plans(&state.db, &user.caller, q.year, today).await?,
    ))
}

/// Saves a township's 年度工作方案 of the plan's year (the township admin its own; the county admin any of
/// the county's), with the version read (0 for the first); audited. 403 another township or role, 409 saved
/// meanwhile (stale version), 422 a bad plan (blank targets or measures, dates outside the year).
#[utoipa::path(put, path = "/api/v1/campaign-plans/{township}", tag = "registers",
    params(("township" = String, Path, description = "乡镇代码（9位）")),
    request_body = PlanInput,
    responses((status = 200, body = PlanView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn save_plan(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(township): ApiPath<String>,
    ApiJson(body): ApiJson<PlanInput>,
) -> AppResult<ApiJson<PlanView>> {
    Ok(ApiJson(
        campaign::save_plan(&state.db, &user.caller, &township, &body).await?,
    ))
}
