//! Sessions, CSRF and login throttling (会话): the signed-in user of a page ([`CurrentUser`]) or of an
//! API request ([`ApiUser`]). The login page itself is `pages::login`.
//!
//! - Passwords are argon2id hashes in the store; sessions live in our own DB.
//! - The session cookie is `HttpOnly; SameSite=Lax` (over HTTPS also `Secure` and named
//!   `__Host-sw_session`: [`Cookies`]); every POST form carries the session's CSRF token (`csrf`
//!   field), checked by [`check_csrf`].
//! - The login form itself uses a double-submit token (`sw_login_csrf` cookie).
//! - After [`MAX_FAILURES`] failed logins for one user name within
//!   [`THROTTLE_WINDOW`], further attempts are refused until the window passes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use shouwang_core::access::{Role, Scope};
use shouwang_store::repo;
use shouwang_store::repo::Actor;

mod api_user;
mod cookies;

pub use api_user::{ApiUser, CSRF_HEADER};
pub use cookies::{Cookies, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_COOKIE_HTTPS};

use crate::AppState;
use crate::http::cookie::with_cookies;
use crate::http::error::AppError;
use crate::http::i18n::{I18n, Lang};

/// How long a session lives without activity.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Failed logins allowed per user name within the window.
pub const MAX_FAILURES: u32 = 5;
/// The throttling window.
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The logged-in user of a request, with the area scope every query uses.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub scope: Scope,
    pub csrf: String,
    pub lang: Lang,
    /// When the session ends (UTC).
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl CurrentUser {
    pub fn i18n(&self) -> I18n {
        I18n { lang: self.lang }
    }

    /// The role's name in the page language.
    pub fn role_label(&self) -> &'static str {
        self.i18n().label(&self.scope.role)
    }

    /// The user as the caller of a use case.
    pub fn caller(&self) -> shouwang_app::Caller {
        shouwang_app::Caller {
            user_id: self.user_id,
            name: self.display_name.clone(),
            scope: self.scope.clone(),
        }
    }

    /// The user as the actor of a change (audit log).
    pub fn actor(&self) -> Actor {
        Actor::new(self.user_id, self.display_name.clone())
    }

    /// The user as the actor of a lifecycle rule (core).
    pub fn core_actor(&self) -> shouwang_core::monitoring::Actor {
        shouwang_core::monitoring::Actor::new(
            self.user_id,
            self.display_name.clone(),
            self.scope.role,
        )
    }

    /// May manage users (用户管理): county and township admins.
    pub fn is_admin(&self) -> bool {
        matches!(self.scope.role, Role::CountyAdmin | Role::TownshipAdmin)
    }

    /// May open the dashboard (数据看板).
    pub fn may_dashboard(&self) -> bool {
        shouwang_app::dashboard::may_see(self.scope.role)
    }

    /// May read the audit log (审计日志): county admin and auditor.
    pub fn may_audit(&self) -> bool {
        shouwang_app::audit::may_read(self.scope.role)
    }

    /// May see the data-quality findings (数据质量).
    pub fn may_quality(&self) -> bool {
        shouwang_app::quality::may_see(self.scope.role)
    }

    /// May read the county rules (县级规则).
    pub fn may_read_rules(&self) -> bool {
        self.scope.role.may_read_county_rules()
    }

    /// May record a 干部排查 round.
    pub fn may_cadre_screening(&self) -> bool {
        shouwang_core::monitoring::Channel::CadreScreening
            .roles()
            .contains(&self.scope.role)
    }

    /// May upload department data (部门数据上传).
    pub fn may_upload(&self) -> bool {
        shouwang_app::screening::upload::may_upload(self.scope.role)
    }

    /// May import the registry (户籍台账导入).
    pub fn may_import(&self) -> bool {
        self.scope.role.may_import_registry()
    }

    /// The session's end in Beijing time (`HH:MM`, with the date if not today).
    pub fn expires_label(&self) -> String {
        let shift = chrono::TimeDelta::hours(8);
        let end = (self.expires_at + shift).naive_utc();
        let now = (chrono::Utc::now() + shift).naive_utc();
        if end.date() == now.date() {
            end.format("%H:%M").to_string()
        } else {
            end.format("%m-%d %H:%M").to_string()
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = Lang::from_headers(&parts.headers);
        let cookies = state.cookies();
        let Some(token) = cookies.session(&parts.headers).filter(|t| !t.is_empty()) else {
            return Err(AppError::unauthenticated().into_response());
        };
        match repo::sessions::lookup(&state.db, token).await {
            Ok(Some(s)) => Ok(CurrentUser {
                user_id: s.user_id,
                username: s.username,
                display_name: s.display_name,
                scope: s.scope,
                csrf: s.csrf_token,
                lang,
                expires_at: s.expires_at,
            }),
            // A cookie whose session ended (expired, logged out elsewhere, password changed, user
            // deactivated): back to the login page with a message, and the stale cookie dropped.
            Ok(None) => Err(with_cookies(
                Redirect::to("/login?msg=expired").into_response(),
                &[cookies.clear_session()],
            )),
            Err(e) => Err(AppError::from(e).into_response()),
        }
    }
}

impl FromRequestParts<AppState> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Lang::from_headers(&parts.headers))
    }
}

/// Checks a form's CSRF token against the session's (constant-time compare).
pub fn check_csrf(user: &CurrentUser, submitted: &str) -> Result<(), AppError> {
    if constant_time_eq(user.csrf.as_bytes(), submitted.as_bytes()) {
        Ok(())
    } else {
        Err(AppError::csrf())
    }
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Per-user-name failure counter for login throttling.
#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    /// Whether this user name is currently locked out.
    pub fn is_locked(&self, username: &str) -> bool {
        let Ok(map) = self.failures.lock() else {
            return false;
        };
        matches!(map.get(&username.to_lowercase()),
            Some((n, since)) if *n >= MAX_FAILURES && since.elapsed() < THROTTLE_WINDOW)
    }

    /// Records a failed attempt.
    pub fn fail(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            if map.len() > 100_000 {
                map.retain(|_, (_, since)| since.elapsed() < THROTTLE_WINDOW);
            }
            let e = map
                .entry(username.to_lowercase())
                .or_insert((0, Instant::now()));
            if e.1.elapsed() >= THROTTLE_WINDOW {
                *e = (0, Instant::now());
            }
            e.0 += 1;
        }
    }

    /// Clears the counter after a successful login.
    pub fn succeed(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&username.to_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_locks_after_max_failures() {
        let t = Throttle::default();
        for _ in 0..MAX_FAILURES - 1 {
            t.fail("Zhang");
        }
        assert!(!t.is_locked("zhang"));
        t.fail("zhang");
        assert!(t.is_locked("ZHANG"));
        t.succeed("zhang");
        assert!(!t.is_locked("zhang"));
    }

    #[test]
    fn csrf_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"", b""));
    }
}
