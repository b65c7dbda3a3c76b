//! Sessions, CSRF and login throttling (会话): the signed-in user of a page ([`CurrentUser`]) or of an
//! API request ([`ApiUser`]). The login page itself is `pages::login`.
//!
//! - Passwords are argon2id hashes in the store; sessions live in our own DB.
//! - The session cookie is `HttpOnly; SameSite=Lax` (over HTTPS also `Secure` and named
//!   `__Host-sw_session`: [`Cookies`]); every POST form carries the session's CSRF token (`csrf`
//!   field), checked by [`check_csrf`].
//! - The login form itself uses a double-submit token (`sw_login_csrf` cookie).
//! - After [`MAX_FAILURES`] failed logins for one user name within
//!   [`THROTTLE_WINDOW`], further attempts are refused until the window passes; attempts per client
//!   address and in all are limited too ([`rate`]: 429 with `Retry-After`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use shouwang_core::access::Scope;
use shouwang_store::repo;
use shouwang_store::repo::Actor;

mod api_user;
mod cookies;
pub mod policy;
pub mod rate;

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
    /// An admin reset the password: only the password page is open until a new one is chosen.
    pub must_change_password: bool,
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

    /// May manage users (用户管理): province, county and township admins.
    pub fn is_admin(&self) -> bool {
        !self.scope.role.grantable().is_empty()
    }

    /// May read the registry and the cases ([`shouwang_core::Role::may_read_registry`]).
    pub fn may_read_registry(&self) -> bool {
        self.scope.role.may_read_registry()
    }

    /// May read households (the registry list, a household's page): every role of the registry and the
    /// grid member 网格员 (its grid's; [`shouwang_core::Role::may_read_households`]).
    pub fn may_read_households(&self) -> bool {
        self.scope.role.may_read_households()
    }

    /// Sets the province's monitoring lines (省级管理员, `/admin/lines`).
    pub fn may_set_province_line(&self) -> bool {
        self.scope.role.may_set_province_line()
    }

    /// May open the project library (项目库, issue 23): the registry's roles and the department.
    pub fn may_read_projects(&self) -> bool {
        shouwang_app::projects::may_read(self.scope.role)
    }

    /// May read the asset registry (扶贫项目资产, issue 23).
    pub fn may_read_assets(&self) -> bool {
        shouwang_app::assets::may_read(self.scope.role)
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
            Ok(Some(s)) if !gate(parts, s.scope.role) => Err(AppError::forbidden().into_response()),
            Ok(Some(s)) if s.must_change_password && !may_pass_before_change(parts) => {
                Err(Redirect::to("/account/password?msg=must").into_response())
            }
            Ok(Some(s)) => Ok(CurrentUser {
                user_id: s.user_id,
                username: s.username,
                display_name: s.display_name,
                scope: s.scope,
                csrf: s.csrf_token,
                lang,
                expires_at: s.expires_at,
                must_change_password: s.must_change_password,
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

/// Whether the route of the request admits `role` ([`policy::admits`]); a request that matched no route
/// (the fallback) is left to its handler.
pub(crate) fn gate(parts: &Parts, role: shouwang_core::Role) -> bool {
    parts
        .extensions
        .get::<axum::extract::MatchedPath>()
        .is_none_or(|p| policy::admits(p.as_str(), role))
}

/// Whether the request may go on while the user must choose a new password (an admin reset it):
/// only the routes of [`policy::WHILE_PASSWORD_MUST_CHANGE`].
pub(crate) fn may_pass_before_change(parts: &Parts) -> bool {
    parts
        .extensions
        .get::<axum::extract::MatchedPath>()
        .is_some_and(|p| policy::WHILE_PASSWORD_MUST_CHANGE.contains(&p.as_str()))
}

/// What a sign-in came to.
pub enum SignIn {
    /// The user, whose attempt count is cleared.
    Welcome(shouwang_store::repo::users::UserWithScope),
    /// Too many attempts for the name ([`Throttle`]); no password was checked.
    Throttled(rate::Limited),
    /// Too many attempts from the client's address or in all ([`rate::LoginRate`]); no password was
    /// checked.
    Limited(rate::Limited),
    /// A wrong name or password (or an over-long one, refused before any work).
    Failed,
}

/// Signs `username` in with `password` — the log-in form and `POST /api/v1/login` both. Bounded before
/// any work (a name of more than 64 characters is a failure), throttled per name, and every failure or
/// throttled attempt written to the audit log with the client's address (`login_failed`,
/// `login_throttled`).
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    from: crate::http::client::ClientAddr,
) -> Result<SignIn, AppError> {
    let username = username.trim();
    let ip = from.0.map(|a| a.ip());
    let outcome = if username.chars().count() > repo::users::MAX_USERNAME_CHARS {
        SignIn::Failed
    } else if let Err(limited) = state.login_rate.attempt(ip) {
        if limited.first {
            audit_limited(state, limited, ip).await?;
        }
        return Ok(SignIn::Limited(limited));
    } else if let Err(limited) = state.throttle.attempt(username) {
        SignIn::Throttled(limited)
    } else {
        match repo::users::authenticate(&state.db, username, password).await? {
            Some(u) => {
                state.throttle.succeed(username);
                return Ok(SignIn::Welcome(u));
            }
            None => SignIn::Failed,
        }
    };
    let action = match outcome {
        SignIn::Throttled(_) => "login_throttled",
        _ => "login_failed",
    };
    let name: String = username
        .chars()
        .take(repo::users::MAX_USERNAME_CHARS)
        .collect();
    let address = from.0.map(|a| a.ip().to_string());
    tracing::warn!(target: "shouwang_web::login", %name, ?address, "{action}");
    repo::audit::record_read(
        &state.db,
        &Actor::new(0, name.clone()),
        action,
        "user",
        &name,
        None,
        Some(serde_json::json!({ "address": address })),
    )
    .await?;
    Ok(outcome)
}

/// Writes the first refusal of a rate limit within its window to the audit log (`login_rate_limited`,
/// the entity is the client's address, or `*` for the global limit), and to the server log.
async fn audit_limited(
    state: &AppState,
    limited: rate::Limited,
    ip: Option<std::net::IpAddr>,
) -> Result<(), AppError> {
    let address = ip.map(|a| a.to_string());
    let scope = limited.scope.as_str();
    tracing::warn!(target: "shouwang_web::login", ?address, scope, "login_rate_limited");
    let entity = match limited.scope {
        // A name's refusals are audited as `login_throttled` by `sign_in`, not here.
        rate::Scope::Address | rate::Scope::Name => address.clone().unwrap_or_default(),
        rate::Scope::Global => "*".to_owned(),
    };
    repo::audit::record_read(
        &state.db,
        &Actor::new(0, String::new()),
        "login_rate_limited",
        "login",
        &entity,
        None,
        Some(serde_json::json!({ "address": address, "limit": scope,
            "retry_after": limited.retry_after })),
    )
    .await?;
    Ok(())
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

/// Per-user-name attempt counter for login throttling. Keys are hashes of the lower-cased name (a fixed
/// size whatever is sent), the map holds at most [`THROTTLE_NAMES`] names (past that, new names are not
/// tracked rather than memory growing), and an attempt is counted *before* the password is checked, so
/// parallel attempts cannot slip past the limit; a success clears the count.
#[derive(Default)]
pub struct Throttle {
    attempts: Mutex<HashMap<u64, (u32, Instant)>>,
    keys: std::hash::RandomState,
}

/// The most user names the throttle tracks at once.
pub const THROTTLE_NAMES: usize = 100_000;

impl Throttle {
    fn key(&self, username: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.keys, username.to_lowercase())
    }

    /// Reserves one attempt for this user name; refused ([`rate::Limited`] of scope `Name`, with the
    /// seconds until the name's window passes) when [`MAX_FAILURES`] attempts without a success were
    /// made within [`THROTTLE_WINDOW`] (the caller answers 429 with `Retry-After` and checks no
    /// password).
    pub fn attempt(&self, username: &str) -> Result<(), rate::Limited> {
        let key = self.key(username);
        let refused = |since: Instant| rate::Limited {
            scope: rate::Scope::Name,
            retry_after: THROTTLE_WINDOW
                .saturating_sub(since.elapsed())
                .as_secs()
                .max(1),
            first: false,
        };
        let Ok(mut map) = self.attempts.lock() else {
            return Err(refused(Instant::now()));
        };
        if map.len() >= THROTTLE_NAMES {
            map.retain(|_, (_, since)| since.elapsed() < THROTTLE_WINDOW);
        }
        let full = map.len() >= THROTTLE_NAMES;
        match map.get_mut(&key) {
            Some(e) if e.1.elapsed() >= THROTTLE_WINDOW => *e = (1, Instant::now()),
            Some(e) if e.0 >= MAX_FAILURES => return Err(refused(e.1)),
            Some(e) => e.0 += 1,
            None if full => {}
            None => {
                map.insert(key, (1, Instant::now()));
            }
        }
        Ok(())
    }

    /// Clears the count after a successful login.
    pub fn succeed(&self, username: &str) {
        let key = self.key(username);
        if let Ok(mut map) = self.attempts.lock() {
            map.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_locks_after_max_failures() {
        let t = Throttle::default();
        for _ in 0..MAX_FAILURES {
            assert!(t.attempt("Zhang").is_ok());
        }
        let refused = t.attempt("zhang").unwrap_err();
        assert_eq!(refused.scope, rate::Scope::Name);
        assert!((1..=THROTTLE_WINDOW.as_secs()).contains(&refused.retry_after));
        assert!(t.attempt("ZHANG").is_err());
        t.succeed("zhang");
        assert!(t.attempt("zhang").is_ok());
        // Another name is not affected.
        assert!(t.attempt("li").is_ok());
    }

    #[test]
    fn csrf_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"", b""));
    }
}
