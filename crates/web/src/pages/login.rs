//! 登录 (`/login`, `/logout`, `/lang`): the login form with its double-submit CSRF token and the
//! throttle, logging out, and the language switch.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use shouwang_store::repo;

use crate::AppState;
use crate::http::error::AppError;
use crate::http::i18n::{I18n, Lang};

use crate::auth::{
    Cookies, CurrentUser, SESSION_TTL, SignIn, check_csrf, constant_time_eq, sign_in,
};
use crate::http::client::ClientAddr;
use crate::http::cookie::with_cookies;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    i18n: I18n,
    csrf: &'a str,
    error: Option<&'a str>,
    notice: Option<&'a str>,
    username: &'a str,
}

/// 32 random bytes from the OS as hex, for the login form's double-submit token.
fn random_token() -> Option<String> {
    use rand::TryRngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.try_fill_bytes(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn login_page(
    cookies: Cookies,
    lang: Lang,
    error: Option<&str>,
    username: &str,
    status: StatusCode,
) -> Response {
    login_page_with(cookies, lang, error, None, username, status)
}

fn login_page_with(
    cookies: Cookies,
    lang: Lang,
    error: Option<&str>,
    notice: Option<&str>,
    username: &str,
    status: StatusCode,
) -> Response {
    let Some(csrf) = random_token() else {
        return AppError::internal("no random source").into_response();
    };
    let page = LoginPage {
        i18n: I18n { lang },
        csrf: &csrf,
        error,
        notice,
        username,
    };
    match page.render() {
        Ok(html) => {
            let resp = (status, Html(html)).into_response();
            with_cookies(resp, &[cookies.set_login_csrf(&csrf)])
        }
        Err(e) => AppError::internal(e.to_string()).into_response(),
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    msg: Option<String>,
}

/// GET /login (`?msg=expired` after a session ended, `?msg=password` after a password change)
pub async fn login_form(
    State(state): State<AppState>,
    lang: Lang,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    let notice = match q.msg.as_deref() {
        Some("expired") => Some(lang.t("login.session_expired")),
        Some("password") => Some(lang.t("login.password_changed")),
        _ => None,
    };
    login_page_with(state.cookies(), lang, None, notice, "", StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

/// POST /login
pub async fn login(
    State(state): State<AppState>,
    lang: Lang,
    from: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let username = form.username.trim();
    let cookies = state.cookies();
    match cookies.login_csrf(&headers) {
        Some(c) if constant_time_eq(c.as_bytes(), form.csrf.as_bytes()) => {}
        _ => {
            return login_page(
                cookies,
                lang,
                Some(lang.t("login.expired")),
                username,
                StatusCode::FORBIDDEN,
            );
        }
    }
    let user = match sign_in(&state, username, &form.password, from).await {
        Ok(SignIn::Welcome(u)) => u,
        Ok(SignIn::Limited(limited) | SignIn::Throttled(limited)) => {
            let message = limited.error().message_for(lang);
            return limited.with_retry_after(login_page(
                cookies,
                lang,
                Some(&message),
                "",
                StatusCode::TOO_MANY_REQUESTS,
            ));
        }
        Ok(SignIn::Failed) => {
            return login_page(
                cookies,
                lang,
                Some(lang.t("login.failed")),
                "",
                StatusCode::UNAUTHORIZED,
            );
        }
        Err(e) => return e.into_response(),
    };
    let (token, _csrf) = match repo::sessions::create(&state.db, user.id, SESSION_TTL).await {
        Ok(t) => t,
        Err(e) => return AppError::from(e).into_response(),
    };
    with_cookies(
        Redirect::to("/").into_response(),
        &[cookies.set_session(&token), cookies.clear_login_csrf()],
    )
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// POST /logout
pub async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Err(e) = check_csrf(&user, &form.csrf) {
        return e.into_response();
    }
    let cookies = state.cookies();
    if let Some(token) = cookies.session(&headers)
        && let Err(e) = repo::sessions::delete(&state.db, token).await
    {
        return AppError::from(e).into_response();
    }
    with_cookies(
        Redirect::to("/login").into_response(),
        &[cookies.clear_session()],
    )
}

#[derive(Deserialize)]
pub struct LangQuery {
    to: Option<String>,
    back: Option<String>,
}

/// A path of this site a redirect may go to: it starts with one `/` and holds no backslash (browsers read
/// `/\host` as `//host`), no control character and no scheme.
pub fn is_local_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && !p.contains('\\')
        && !p.chars().any(char::is_control)
        && p.len() <= 2048
}

/// GET /lang?to=en|zh&back=/path — the language switch (a cookie, one year).
pub async fn switch_lang(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<LangQuery>,
) -> Response {
    let to = if q.to.as_deref() == Some("en") {
        "en"
    } else {
        "zh"
    };
    // Only local paths, never an open redirect.
    let back = q
        .back
        .filter(|b| is_local_path(b))
        .unwrap_or_else(|| "/".to_string());
    with_cookies(
        Redirect::to(&back).into_response(),
        &[state.cookies().set_lang(to)],
    )
}
