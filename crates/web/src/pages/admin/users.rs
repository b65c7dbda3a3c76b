//! 用户管理: users, roles and areas, for the county admin (the whole county) and the township admin
//! (its township's villages). List, add, deactivate / reactivate, reset a password. Every change goes
//! through `repo::users`, which writes the audit row in the same transaction.
//!
//! Rules of this page (on top of the store's checks of user name, password length and area level):
//! - a township admin adds only village teams and cadres, inside its township;
//! - an admin touches only users whose area lies inside its own (a township admin cannot reach a
//!   county-level account), and never deactivates itself.

use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use shouwang_app::Kind;
use shouwang_core::CodeList;
use shouwang_core::Role;
use shouwang_core::codes::RegionLevel;
use shouwang_store::repo;
use shouwang_store::repo::users::UserWithScope;

use shouwang_app::users;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::form::clean;
use crate::http::i18n::I18n;
use crate::http::render::{render_status, see_other};
use crate::pages::regions::{RegionOption, region_names, region_options};

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(add))
        .route("/admin/users/{id}/active", post(set_active))
        .route("/admin/users/{id}/password", post(reset_password))
}

/// One user row, ready to show.
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub area: String,
    pub area_name: String,
    pub active: bool,
    pub version: i64,
    pub is_me: bool,
}

pub struct RoleOption {
    pub code: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    users: Vec<UserView>,
    roles: Vec<RoleOption>,
    regions: Vec<RegionOption>,
    error: Option<String>,
    done: Option<&'static str>,
    form: AddForm,
    path: &'static str,
}

#[derive(Deserialize, Default, Clone)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub area: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

fn require_admin(user: &CurrentUser) -> Result<(), AppError> {
    if user.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

async fn show(
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
    done: Option<&'static str>,
    form: AddForm,
    status: StatusCode,
) -> Response {
    let i18n = user.i18n();
    let area = user.scope.area_prefix().to_string();
    let listed = match repo::users::list(&state.db, &user.scope).await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    let names = match region_names(&state.db, &area).await {
        Ok(n) => n,
        Err(e) => return e.into_response(),
    };
    let mut regions = match region_options(&state.db, &area).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    // A province admin gives county admins: its counties are the choice, not every village.
    if user.scope.role == Role::ProvinceAdmin {
        regions.retain(|r| r.level == RegionLevel::County);
    }
    let users = listed
        .into_iter()
        .map(|u: UserWithScope| UserView {
            id: u.id,
            is_me: u.id == user.user_id,
            area_name: names
                .get(u.scope.area_prefix())
                .cloned()
                .unwrap_or_default(),
            area: u.scope.area_prefix().to_string(),
            role: i18n.label(&u.scope.role),
            username: u.username,
            display_name: u.display_name,
            active: u.is_active,
            version: u.version,
        })
        .collect();
    let roles = user
        .scope
        .role
        .grantable()
        .iter()
        .map(|r| RoleOption {
            code: r.code(),
            label: i18n.label(r),
        })
        .collect();
    render_status(
        &UsersPage {
            i18n,
            user,
            users,
            roles,
            regions,
            error,
            done,
            form,
            path: "/admin/users",
        },
        status,
    )
}

/// GET /admin/users
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DoneQuery>,
) -> Response {
    if let Err(e) = require_admin(&user) {
        return e.into_response();
    }
    let done = match q.done.as_deref() {
        Some("added") => Some("users.done.added"),
        Some("active") => Some("users.done.active"),
        Some("password") => Some("users.done.password"),
        _ => None,
    };
    show(
        &state,
        &user,
        None,
        done,
        AddForm::default(),
        StatusCode::OK,
    )
    .await
}

/// POST /admin/users — add a user.
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<AddForm>,
) -> Response {
    if let Err(e) = require_admin(&user).and_then(|_| check_csrf(&user, &form.csrf)) {
        return e.into_response();
    }
    let lang = user.lang;
    let mut kept = form.clone();
    kept.password.clear();
    let fail = |e: AppError| (e, kept.clone());
    let result: Result<(), (AppError, AddForm)> = async {
        let (role, prefix) =
            users::check_grant(&user.scope, &form.role, &form.area).map_err(|e| fail(e.into()))?;
        repo::users::add(
            &state.db,
            &user.actor(),
            &clean(&form.username, 64),
            &clean(&form.display_name, 64),
            &form.password,
            role,
            &prefix,
        )
        .await
        .map_err(|e| fail(e.into()))?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => see_other("/admin/users?done=added"),
        Err((e, kept)) => {
            show(
                &state,
                &user,
                Some(e.message_for(lang)),
                None,
                kept,
                e.status(),
            )
            .await
        }
    }
}

async fn target(state: &AppState, user: &CurrentUser, id: i64) -> Result<UserWithScope, AppError> {
    Ok(users::managed_user(&state.db, &user.scope, id).await?)
}

#[derive(Deserialize)]
pub struct ActiveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    active: String,
    #[serde(default)]
    version: String,
}

/// POST /admin/users/{id}/active — deactivate (`active=0`) or reactivate (`active=1`).
pub async fn set_active(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Response {
    let result = async {
        require_admin(&user)?;
        check_csrf(&user, &form.csrf)?;
        let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
        let t = target(&state, &user, id).await?;
        let active = form.active == "1";
        if t.id == user.user_id && !active {
            return Err(AppError::bad_request(
                "bad_request",
                Lang::Zh.t("users.err.self").to_string(),
                Lang::En.t("users.err.self").to_string(),
            ));
        }
        let version = form.version.trim().parse().unwrap_or(t.version);
        repo::users::set_active(&state.db, &user.actor(), t.id, active, version).await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => see_other("/admin/users?done=active"),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    version: String,
}

/// POST /admin/users/{id}/password — set a new password (the user's sessions end).
pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<ResetForm>,
) -> Response {
    let lang = user.lang;
    let result: Result<(), AppError> = async {
        require_admin(&user)?;
        check_csrf(&user, &form.csrf)?;
        let id: i64 = id.parse().map_err(|_| AppError::not_found())?;
        let t = target(&state, &user, id).await?;
        let version = form.version.trim().parse().unwrap_or(t.version);
        repo::users::set_password(
            &state.db,
            &user.actor(),
            t.id,
            &form.password,
            version,
            repo::users::PasswordChange::ResetByAdmin,
        )
        .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => see_other("/admin/users?done=password"),
        Err(e) if matches!(e.kind(), Kind::BadRequest | Kind::Invalid) => {
            show(
                &state,
                &user,
                Some(e.message_for(lang)),
                None,
                AddForm::default(),
                e.status(),
            )
            .await
        }
        Err(e) => e.into_response(),
    }
}

use crate::http::i18n::Lang;
