//! `/api/v1/rules` and `/api/v1/lines`: the county's rules 县级规则配置 (screening thresholds, clue merge
//! window, 公示期, identification time limit, exit rules, notice numbering, cadence, work calendar) and the
//! monitoring lines 防止返贫监测线 (§三(一)1). Anyone signed in reads them; only the county admin
//! 县级管理员 of the county changes the rules (issue 5). The lines are the province's, set by the province
//! admin 省级管理员, and a county's own where the province allows it, set by the county admin
//! (`shouwang_app::lines`; issue 19).
//!
//! `PUT /api/v1/rules` replaces the whole [`CountyRules`] (fields left out take the plan's defaults) and
//! carries the `version` read (stale → 409); the store validates and audits. `PUT /api/v1/lines` sets
//! the line of one year the caller may set (`sets`: the province's for the province admin, the county's
//! own for the county admin); `PUT /api/v1/lines/policy` whether the counties may set their own (the
//! province admin). The line tables have no version, so a line write is last-writer-wins, audited with
//! before and after.

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shouwang_app::Kind;
use shouwang_app::lines::{self, Sets};
use shouwang_core::rules::CountyRules;
use shouwang_core::{CountyLine, Fen, MonitoringLine};
use shouwang_store::StoreError;
use shouwang_store::repo;
use utoipa::ToSchema;

use super::{ApiJson, ApiUser};
use crate::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};

/// The county rules in force (`GET /api/v1/rules`, and the answer of a save).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RulesDto {
    /// 县 code (6 digits).
    pub county_code: String,
    /// The rules (the plan's defaults where the county saved nothing).
    pub rules: CountyRules,
    /// Version to send back with a change: 0 while nothing was saved.
    pub version: i64,
    /// Last save (UTC), absent while nothing was saved.
    pub updated_at: Option<DateTime<Utc>>,
    /// Whether the caller may change them (the county admin of the county).
    pub may_edit: bool,
}

/// `PUT /api/v1/rules`: the whole rules value and the version it was based on.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesUpdate {
    /// The new rules (fields left out take the plan's defaults).
    pub rules: CountyRules,
    /// The version read (`GET /api/v1/rules`); stale → 409 and nothing written.
    pub version: i64,
}

/// The monitoring lines (`GET /api/v1/lines`).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LinesDto {
    /// The caller's province (2 digits).
    pub province: String,
    /// The caller's county (6 digits); absent for the province admin.
    pub county: Option<String>,
    /// Every line of every province, by province and year; `line` in 分 (fen, per person and year).
    pub lines: Vec<MonitoringLine>,
    /// The counties' own lines: the caller's county's, or every county of the province for the province
    /// admin; in force while `county_lines_allowed`.
    pub county_lines: Vec<CountyLine>,
    /// Whether the province's counties may set their own line.
    pub county_lines_allowed: bool,
    /// Which line `PUT /api/v1/lines` sets for the caller: `province`, `county`, or absent (none).
    #[schema(value_type = Option<String>)]
    pub sets: Option<Sets>,
    /// Whether the caller may set a line (`sets` is present).
    pub may_edit: bool,
}

/// `PUT /api/v1/lines`: the line of one year the caller may set.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineUpdate {
    /// Year (2000–2100).
    pub year: i32,
    /// The line in 分 (fen) per person and year, positive (e.g. 650000 = 6500.00 元).
    #[schema(value_type = i64)]
    pub line: Fen,
}

fn refused_role() -> AppError {
    AppError::new(
        Kind::Forbidden,
        "role_not_allowed",
        "只有本县的县级管理员可以修改县级规则和监测线",
        "Only the county admin of this county may change the county rules and monitoring lines",
    )
}

/// Maps the store's errors of a rules or line write: role → 403 `role_not_allowed`, invalid values → 422
/// `invalid` with the reason in each language.
fn write_error(e: StoreError) -> AppError {
    match e {
        StoreError::Forbidden => refused_role(),
        other => other.into(),
    }
}

fn dto(rec: repo::rules::RulesRecord, user: &ApiUser) -> RulesDto {
    let scope = &user.caller.scope;
    RulesDto {
        may_edit: scope.may_configure(&rec.county_code),
        county_code: rec.county_code,
        rules: rec.rules,
        version: rec.version,
        updated_at: rec.updated_at,
    }
}

/// The rules of the caller's county.
#[utoipa::path(get, path = "/api/v1/rules", tag = "admin",
    responses((status = 200, body = RulesDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn get_rules(
    State(state): State<AppState>,
    user: ApiUser,
) -> AppResult<ApiJson<RulesDto>> {
    let county = user.caller.county()?;
    let rec = repo::rules::get(&state.db, &county).await?;
    Ok(ApiJson(dto(rec, &user)))
}

/// Replaces the rules of the caller's county (county admin only; validated; versioned; audited).
#[utoipa::path(put, path = "/api/v1/rules", tag = "admin", request_body = RulesUpdate,
    responses((status = 200, body = RulesDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn put_rules(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(req): ApiJson<RulesUpdate>,
) -> AppResult<ApiJson<RulesDto>> {
    let county = user.caller.county().map_err(write_error)?;
    let rec = repo::rules::set(
        &state.db,
        &user.caller.actor(),
        &user.caller.scope,
        &county,
        &req.rules,
        req.version,
    )
    .await
    .map_err(write_error)?;
    Ok(ApiJson(dto(rec, &user)))
}

fn lines_dto(v: lines::LinesView) -> LinesDto {
    LinesDto {
        may_edit: v.sets.is_some(),
        province: v.province,
        county: v.county,
        lines: v.lines,
        county_lines: v.county_lines,
        county_lines_allowed: v.county_lines_allowed,
        sets: v.sets,
    }
}

/// The monitoring lines: the province's by year, the counties' own, the province's policy.
#[utoipa::path(get, path = "/api/v1/lines", tag = "admin",
    responses((status = 200, body = LinesDto), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn get_lines(
    State(state): State<AppState>,
    user: ApiUser,
) -> AppResult<ApiJson<LinesDto>> {
    Ok(ApiJson(lines_dto(
        lines::view(&state.db, &user.caller).await?,
    )))
}

/// Sets the line of one year: the province's (province admin) or the county's own (county admin, while
/// the province allows it); audited.
#[utoipa::path(put, path = "/api/v1/lines", tag = "admin", request_body = LineUpdate,
    responses((status = 200, body = LinesDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn put_line(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(req): ApiJson<LineUpdate>,
) -> AppResult<ApiJson<LinesDto>> {
    if !(2000..=2100).contains(&req.year) {
        return Err(AppError::new(
            Kind::Invalid,
            "invalid",
            format!("年份应在 2000 至 2100 之间，收到 {}", req.year),
            format!("The year must be 2000 to 2100, got {}", req.year),
        ));
    }
    let v = lines::set(&state.db, &user.caller, req.year, req.line).await?;
    Ok(ApiJson(lines_dto(v)))
}

/// `PUT /api/v1/lines/policy`: whether the province's counties may set their own line.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinePolicyUpdate {
    /// `true`: each county may set its own line; `false`: one line for the whole province.
    pub county_lines_allowed: bool,
}

/// Sets whether the counties of the caller's province may set their own line (province admin; audited).
#[utoipa::path(put, path = "/api/v1/lines/policy", tag = "admin", request_body = LinePolicyUpdate,
    responses((status = 200, body = LinesDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn put_line_policy(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(req): ApiJson<LinePolicyUpdate>,
) -> AppResult<ApiJson<LinesDto>> {
    let v = lines::set_county_policy(&state.db, &user.caller, req.county_lines_allowed).await?;
    Ok(ApiJson(lines_dto(v)))
}
