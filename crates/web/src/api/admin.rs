//! 用户管理, 修改密码 and 审计日志 over `/api/v1` — the rules of the pages (`pages::admin::users`,
//! `pages::account`, `pages::admin::audit`) and the same store calls:
//!
//! - `GET /api/v1/users`, `POST /api/v1/users` (create), `POST /api/v1/users/{id}/role` (change role and
//!   area), `POST /api/v1/users/{id}/active` (disable or enable): county and township admins, for the
//!   accounts of their area (a township admin manages village teams and cadres only; an account outside
//!   the area is 404); every change carries the user's `version` (stale → 409) and is audited; a change
//!   of role, area, password or a disable ends the user's sessions.
//! - `POST /api/v1/me/password`: anyone, for themselves, with the old password (throttled like a log-in);
//!   all their sessions end (log in again).
//! - `GET /api/v1/audit`: the county admin and the auditor, the rows of their area, ID numbers masked.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use shouwang_app::Kind;
use shouwang_core::CodeList;
use shouwang_store::repo;
use shouwang_store::repo::users::UserWithScope;
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiPath, ApiQuery, ApiUser};
use shouwang_app::audit::{self, AuditRequest};
use shouwang_app::dashboard::{self, DashboardFigures};

use crate::AppState;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::form::clean;
use shouwang_app::users::{check_grant, managed_user};

fn require_admin(user: &ApiUser) -> AppResult<()> {
    if !user.caller.scope.role.grantable().is_empty() {
        Ok(())
    } else {
        Err(AppError::new(
            Kind::Forbidden,
            "role_not_allowed",
            "只有省级、县级和乡镇管理员可以管理用户",
            "Only province, county and township admins manage users",
        ))
    }
}

/// A user account.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    /// 姓名.
    pub display_name: String,
    /// Role code (`county_admin`, `township_admin`, `village_team`, `cadre`, `department`, `auditor`).
    pub role: String,
    /// 角色 in Chinese.
    pub role_zh: String,
    /// Area code prefix (6 county, 9 township, 12 village digits).
    pub area: String,
    /// May log in.
    pub active: bool,
    /// Send it back with a change.
    pub version: i64,
}

impl From<UserWithScope> for UserDto {
    fn from(u: UserWithScope) -> UserDto {
        UserDto {
            id: u.id,
            role: u.scope.role.code().to_owned(),
            role_zh: u.scope.role.label_zh().to_owned(),
            area: u.scope.area_prefix().to_owned(),
            username: u.username,
            display_name: u.display_name,
            active: u.is_active,
            version: u.version,
        }
    }
}

/// The accounts of the admin's area.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = Vec<UserDto>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn list(
    State(state): State<AppState>,
    user: ApiUser,
) -> AppResult<ApiJson<Vec<UserDto>>> {
    require_admin(&user)?;
    let users = repo::users::list(&state.db, &user.caller.scope).await?;
    Ok(ApiJson(users.into_iter().map(Into::into).collect()))
}

/// `POST /api/v1/users`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Log-in name.
    pub username: String,
    /// 姓名 (1–64 characters).
    pub display_name: String,
    /// At least 8 characters.
    pub password: String,
    /// Role code the admin may grant.
    pub role: String,
    /// Area of the role's level inside the admin's area.
    pub area: String,
}

/// Creates an account (409 if the user name is taken).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = UserDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(req): ApiJson<NewUser>,
) -> AppResult<(StatusCode, ApiJson<UserDto>)> {
    require_admin(&user)?;
    let (role, area) = check_grant(&user.caller.scope, &req.role, &req.area)?;
    let id = repo::users::add(
        &state.db,
        &user.caller.actor(),
        &clean(&req.username, 64),
        &clean(&req.display_name, 64),
        &req.password,
        role,
        &area,
    )
    .await
    .map_err(AppError::from)?;
    let created = repo::users::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::internal("a new user cannot be found"))?;
    Ok((StatusCode::CREATED, ApiJson(created.into())))
}

fn user_id(id: &str) -> AppResult<i64> {
    id.trim().parse().map_err(|_| AppError::not_found())
}

/// `POST /api/v1/users/{id}/role`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// New role code.
    pub role: String,
    /// New area.
    pub area: String,
    /// The user's version as read.
    pub version: i64,
}

/// Changes an account's role and area (the admin's grant rules apply; the user's sessions end).
#[utoipa::path(post, path = "/api/v1/users/{id}/role", tag = "users",
    params(("id" = i64, Path, description = "user id")), request_body = RoleChange,
    responses((status = 200, body = UserDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn set_role(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RoleChange>,
) -> AppResult<ApiJson<UserDto>> {
    require_admin(&user)?;
    let scope = &user.caller.scope;
    let t = managed_user(&state.db, scope, user_id(&id)?).await?;
    if t.id == user.session.user_id {
        return Err(AppError::invalid(
            "不能修改自己的角色",
            "You cannot change your own role",
        ));
    }
    let (role, area) = check_grant(scope, &req.role, &req.area)?;
    repo::users::set_role(
        &state.db,
        &user.caller.actor(),
        t.id,
        role,
        &area,
        req.version,
    )
    .await
    .map_err(AppError::from)?;
    let after = repo::users::get(&state.db, t.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(ApiJson(after.into()))
}

/// `POST /api/v1/users/{id}/active`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActiveChange {
    /// `false` disables the account (its sessions end), `true` enables it.
    pub active: bool,
    /// The user's version as read.
    pub version: i64,
}

/// Disables or enables an account (not one's own).
#[utoipa::path(post, path = "/api/v1/users/{id}/active", tag = "users",
    params(("id" = i64, Path, description = "user id")), request_body = ActiveChange,
    responses((status = 200, body = UserDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn set_active(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ActiveChange>,
) -> AppResult<ApiJson<UserDto>> {
    require_admin(&user)?;
    let t = managed_user(&state.db, &user.caller.scope, user_id(&id)?).await?;
    if t.id == user.session.user_id && !req.active {
        return Err(AppError::invalid(
            "不能停用自己的账号",
            "You cannot disable your own account",
        ));
    }
    repo::users::set_active(
        &state.db,
        &user.caller.actor(),
        t.id,
        req.active,
        req.version,
    )
    .await
    .map_err(AppError::from)?;
    let after = repo::users::get(&state.db, t.id)
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(ApiJson(after.into()))
}

/// `POST /api/v1/me/password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The current password.
    pub old: String,
    /// The new password (at least 8 characters, not the old one).
    pub new: String,
}

/// Changes one's own password; every session of the user ends (log in again). A wrong old password
/// counts as a failed log-in (throttled: 429 with `Retry-After`).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(req): ApiJson<PasswordChange>,
) -> AppResult<Response> {
    let username = user.session.username.clone();
    if req.new == req.old {
        return Err(AppError::invalid(
            "新密码不能与旧密码相同",
            "The new password must differ from the old one",
        ));
    }
    if let Err(limited) = state.throttle.attempt(&username) {
        return Ok(limited.with_retry_after(limited.error().json()));
    }
    let me = match repo::users::authenticate(&state.db, &username, &req.old).await? {
        Some(u) if u.id == user.session.user_id => u,
        _ => {
            return Err(AppError::invalid(
                "旧密码不正确",
                "The old password is wrong",
            ));
        }
    };
    repo::users::set_password(
        &state.db,
        &user.caller.actor(),
        me.id,
        &req.new,
        me.version,
        repo::users::PasswordChange::Own,
    )
    .await
    .map_err(AppError::from)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Audit log filters (dates are Beijing days, both inclusive).
#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditParams {
    /// `household`, `member`, `case`, `user`, …
    pub entity: Option<String>,
    /// `create`, `update`, `delete`, `read_full_id`, `login`, …
    pub action: Option<String>,
    /// The record's key (户编号, user id, …).
    pub entity_id: Option<String>,
    /// Actor user id.
    pub actor: Option<i64>,
    /// From this day (YYYY-MM-DD).
    pub since: Option<String>,
    /// To this day (YYYY-MM-DD).
    pub until: Option<String>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Rows per page (1–500, default 50).
    pub per_page: Option<u32>,
}

/// One audit row (ID numbers masked in the key and in the before/after values).
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRow {
    pub id: i64,
    /// UTC.
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor_user_id: i64,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub county_code: Option<String>,
    pub village_code: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditRow>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

fn check_day(what: &str, v: &Option<String>) -> AppResult<()> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err() => {
            Err(AppError::bad_request(
                "bad_query",
                format!("{what} 日期格式应为 YYYY-MM-DD：{}", clean(s, 20)),
                format!("{what} must be a date YYYY-MM-DD"),
            ))
        }
        _ => Ok(()),
    }
}

/// The audit log of the user's area, newest first (county admin and auditor).
#[utoipa::path(get, path = "/api/v1/audit", tag = "users", params(AuditParams),
    responses((status = 200, body = AuditPage), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn audit(
    State(state): State<AppState>,
    user: ApiUser,
    ApiQuery(q): ApiQuery<AuditParams>,
) -> AppResult<ApiJson<AuditPage>> {
    if audit::may_read(user.caller.scope.role) {
        check_day("since", &q.since)?;
        check_day("until", &q.until)?;
    }
    let req = AuditRequest {
        entity: q.entity,
        action: q.action,
        entity_id: q.entity_id,
        actor: q.actor.map(|a| a.to_string()),
        since: q.since,
        until: q.until,
    };
    let p = audit::list(
        &state.db,
        &user.caller,
        &req,
        q.page.unwrap_or(1).max(1),
        q.per_page.unwrap_or(50).clamp(1, repo::MAX_PER_PAGE),
    )
    .await?;
    Ok(ApiJson(AuditPage {
        items: p
            .items
            .into_iter()
            .map(|e| AuditRow {
                id: e.id,
                at: e.at,
                actor_user_id: e.actor_user_id,
                actor_name: e.actor_name,
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                county_code: e.county_code,
                village_code: e.village_code,
                before: e.before,
                after: e.after,
            })
            .collect(),
        total: p.total,
        page: p.page,
        per_page: p.per_page,
    }))
}

/// The dashboard's figures (数据看板) for the user's area: monitored households by type, risk and
/// village, the clue funnel by channel, overdue follow-ups, exits this quarter and the computable
/// targets (county and township admins, village teams, auditors).
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "work",
    responses((status = 200, body = DashboardFigures),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn dashboard(
    State(state): State<AppState>,
    user: ApiUser,
) -> AppResult<ApiJson<DashboardFigures>> {
    Ok(ApiJson(dashboard::figures(&state.db, &user.caller).await?))
}
