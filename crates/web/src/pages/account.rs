//! 修改密码: a user changes its own password (old password checked with argon2 through
//! `repo::users::authenticate`; the new one stored by `repo::users::set_password`, which ends every
//! session of the user — so the user logs in again with the new password).

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use shouwang_app::Kind;
use shouwang_store::repo;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::cookie::with_cookies;
use crate::http::error::AppError;
use crate::http::i18n::I18n;
use crate::http::render::{render_status, see_other};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route("/account/password", get(form).post(change))
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    error: Option<String>,
    path: &'static str,
}

fn page(user: &CurrentUser, error: Option<String>, status: StatusCode) -> Response {
    render_status(
        &PasswordPage {
            i18n: user.i18n(),
            user,
            error,
            path: "/account/password",
        },
        status,
    )
}

/// GET /account/password
pub async fn form(user: CurrentUser) -> Response {
    page(&user, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    old: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

/// POST /account/password
pub async fn change(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<ChangeForm>,
) -> Response {
    let lang = user.lang;
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return e.into_response();
    }
    if f.new != f.repeat {
        return page(
            &user,
            Some(lang.t("pw.err.repeat").to_string()),
            StatusCode::BAD_REQUEST,
        );
    }
    if f.new == f.old {
        return page(
            &user,
            Some(lang.t("pw.err.same").to_string()),
            StatusCode::BAD_REQUEST,
        );
    }
    // The old password, checked like a login (and counted by the same throttle).
    if let Err(limited) = state.throttle.attempt(&user.username) {
        return limited.with_retry_after(page(
            &user,
            Some(limited.error().message_for(lang)),
            StatusCode::TOO_MANY_REQUESTS,
        ));
    }
    let me = match repo::users::authenticate(&state.db, &user.username, &f.old).await {
        Ok(Some(u)) if u.id == user.user_id => u,
        Ok(_) => {
            return page(
                &user,
                Some(lang.t("pw.err.old").to_string()),
                StatusCode::BAD_REQUEST,
            );
        }
        Err(e) => return AppError::from(e).into_response(),
    };
    match repo::users::set_password(
        &state.db,
        &user.actor(),
        me.id,
        &f.new,
        me.version,
        repo::users::PasswordChange::Own,
    )
    .await
    {
        Ok(_) => with_cookies(
            see_other("/login?msg=password"),
            &[state.cookies().clear_session()],
        ),
        Err(e) => {
            let e = AppError::from(e);
            match e.kind() {
                Kind::BadRequest | Kind::Invalid => {
                    page(&user, Some(e.message_for(lang)), e.status())
                }
                _ => e.into_response(),
            }
        }
    }
}
