//! The signed-in user of an API request: a bearer token (`Authorization: Bearer <token>`, no CSRF
//! header needed: a browser never sends one on its own), or the browser's session cookie, and then every
//! write carries the session's CSRF token in the header [`CSRF_HEADER`].

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use shouwang_app::{Caller, Kind};
use shouwang_store::repo;
use shouwang_store::repo::sessions::SessionUser;

use super::constant_time_eq;
use crate::AppState;
use crate::http::error::AppError;

/// The header carrying the CSRF token for cookie-authenticated writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in user of an API request (bearer token or session cookie).
#[derive(Clone, Debug)]
pub struct ApiUser {
    /// The session.
    pub session: SessionUser,
    /// The caller for the command layer.
    pub caller: Caller,
    /// The session token used.
    pub token: String,
}

fn bearer(headers: &HeaderMap) -> Option<Result<&str, AppError>> {
    let v = headers.get(header::AUTHORIZATION)?;
    let Some(token) = v
        .to_str()
        .ok()
        .and_then(|s| {
            s.strip_prefix("Bearer ")
                .or_else(|| s.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return Some(Err(AppError::new(
            Kind::Unauthenticated,
            "unauthenticated",
            "Authorization 头格式应为 “Bearer 令牌”",
            "The Authorization header must be `Bearer <token>`",
        )));
    };
    Some(Ok(token))
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let (token, by_cookie) = match bearer(&parts.headers) {
            Some(t) => (t?.to_owned(), false),
            None => match state.cookies().session(&parts.headers) {
                Some(c) => (c.to_owned(), true),
                None => return Err(AppError::unauthenticated()),
            },
        };
        let session = repo::sessions::lookup(&state.db, &token)
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        if !super::gate(parts, session.scope.role) {
            return Err(AppError::forbidden());
        }
        if session.must_change_password && !super::may_pass_before_change(parts) {
            return Err(AppError::new(
                Kind::Forbidden,
                "password_change_required",
                "管理员已重置您的密码，请先修改密码（POST /api/v1/me/password）",
                "An admin reset your password: change it first (POST /api/v1/me/password)",
            ));
        }
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if by_cookie && !safe {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
                return Err(AppError::new(
                    Kind::Forbidden,
                    "csrf",
                    "缺少或错误的 X-CSRF-Token 请求头（使用登录 Cookie 时，每个写操作都须带上）",
                    "Missing or wrong X-CSRF-Token header (required on writes with the session cookie)",
                ));
            }
        }
        Ok(ApiUser {
            caller: Caller::from_session(&session),
            session,
            token,
        })
    }
}
