//! 户情变更 over `/api/v1`: a household's changes between registry imports. Every handler builds one
//! [`Change`] and runs it through [`households::change`] (the same function as the household page's forms
//! and `shouwang household …`): the village team and up, in their area (another village's household is
//! 404), the registry's rules (422 with the reason in both languages, nothing written), the version read
//! (stale: 409 `stale_version`), one audit row.
//!
//! `{member}` is the member's `member_id` from `GET /api/v1/households/{number}` (a full ID number works
//! too). Each write carries the household's `version`, except `PATCH …/members/{member}`, which carries
//! the member's.

use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use shouwang_app::households::{
    self, Change, ChangeRequest, Changed, HouseholdPatch, MemberPatch, MemberRef, NewMember,
};
use shouwang_core::codes::Relation;
use shouwang_core::household::changes::LeaveReason;
use utoipa::ToSchema;

use super::{ApiJson, ApiPath, ApiUser};
use crate::AppState;
use crate::http::error::{AppResult, ErrorBody};

/// `POST /api/v1/households/{number}/members`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    /// The household's version as read (stale → 409).
    pub version: i64,
    /// The new member with the reason (出生, 婚入 …).
    pub member: NewMember,
}

/// `PATCH /api/v1/households/{number}/members/{member}`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberRequest {
    /// The member's version as read (`version` of the member in the household's JSON; stale → 409).
    pub version: i64,
    /// The fields that change (a field left out keeps its value).
    pub fields: MemberPatch,
}

/// `POST /api/v1/households/{number}/members/{member}/departure`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartureRequest {
    /// The household's version as read (stale → 409).
    pub version: i64,
    /// `death` 死亡 or `moved_out` 迁出.
    pub reason: LeaveReason,
    /// The date (default today in China; never after today, never before the birth).
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// `POST /api/v1/households/{number}/head`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeHeadRequest {
    /// The household's version as read (stale → 409).
    pub version: i64,
    /// The new head: a `member_id` or a full ID number.
    pub member: String,
    /// The former head's new 与户主关系 (not `head`).
    pub former_head_becomes: Relation,
}

/// `PATCH /api/v1/households/{number}`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateHouseholdRequest {
    /// The household's version as read (stale → 409).
    pub version: i64,
    /// The fields that change (a field left out keeps its value).
    pub fields: HouseholdPatch,
}

async fn run(
    state: &AppState,
    user: &ApiUser,
    number: String,
    version: i64,
    change: Change,
) -> AppResult<ApiJson<Changed>> {
    let req = ChangeRequest {
        household: number,
        version,
        change,
    };
    Ok(ApiJson(
        households::change(&state.db, &user.caller, req).await?,
    ))
}

/// 新增成员: a member joins the household (出生, 婚入, 迁入 …); the reason and date go into the audit log.
#[utoipa::path(post, path = "/api/v1/households/{number}/members", tag = "household-changes",
    params(("number" = String, Path, description = "户编号")),
    request_body = AddMemberRequest,
    responses((status = 201, body = Changed), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn add_member(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<AddMemberRequest>,
) -> AppResult<(StatusCode, ApiJson<Changed>)> {
    let done = run(
        &state,
        &user,
        number,
        req.version,
        Change::AddMember(req.member),
    )
    .await?;
    Ok((StatusCode::CREATED, done))
}

/// A member's fields change (劳动技能, 健康状况, 残疾等级, 在校生状况, 低保, 特困, 参保 …).
#[utoipa::path(patch, path = "/api/v1/households/{number}/members/{member}",
    tag = "household-changes",
    params(("number" = String, Path, description = "户编号"),
        ("member" = String, Path, description = "member_id, or a full ID number")),
    request_body = UpdateMemberRequest,
    responses((status = 200, body = Changed), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update_member(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((number, member)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<UpdateMemberRequest>,
) -> AppResult<ApiJson<Changed>> {
    let member = MemberRef::parse(&member)?;
    let change = Change::UpdateMember {
        member,
        patch: req.fields,
    };
    run(&state, &user, number, req.version, change).await
}

/// 减员: the member died or moved out; he is kept as a former member (原家庭成员) and no longer counts.
#[utoipa::path(post, path = "/api/v1/households/{number}/members/{member}/departure",
    tag = "household-changes",
    params(("number" = String, Path, description = "户编号"),
        ("member" = String, Path, description = "member_id, or a full ID number")),
    request_body = DepartureRequest,
    responses((status = 200, body = Changed), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn departure(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((number, member)): ApiPath<(String, String)>,
    ApiJson(req): ApiJson<DepartureRequest>,
) -> AppResult<ApiJson<Changed>> {
    let member = MemberRef::parse(&member)?;
    let change = Change::Leave {
        member,
        reason: req.reason,
        on: req.on,
    };
    run(&state, &user, number, req.version, change).await
}

/// 变更户主: another member becomes the head; the former head takes the relation given.
#[utoipa::path(post, path = "/api/v1/households/{number}/head", tag = "household-changes",
    params(("number" = String, Path, description = "户编号")),
    request_body = ChangeHeadRequest,
    responses((status = 200, body = Changed), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn change_head(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<ChangeHeadRequest>,
) -> AppResult<ApiJson<Changed>> {
    let change = Change::ChangeHead {
        member: MemberRef::parse(&req.member)?,
        former_head_becomes: req.former_head_becomes,
    };
    run(&state, &user, number, req.version, change).await
}

/// The household's own fields change (易地搬迁, 家庭住址, 联系电话).
#[utoipa::path(patch, path = "/api/v1/households/{number}", tag = "household-changes",
    params(("number" = String, Path, description = "户编号")),
    request_body = UpdateHouseholdRequest,
    responses((status = 200, body = Changed), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn update_household(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(number): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateHouseholdRequest>,
) -> AppResult<ApiJson<Changed>> {
    run(
        &state,
        &user,
        number,
        req.version,
        Change::UpdateHousehold(req.fields),
    )
    .await
}
