//! `/api/v1`: the JSON API for department systems, scripts and the pages' scripts. Every lifecycle
//! operation goes through the store's command layer ([`shouwang_app::lifecycle`]), exactly as the
//! CLI and the pages do; the document is at `GET /api/v1/openapi.json` ([`openapi::ApiDoc`]).
//!
//! **Auth.** `POST /api/v1/login {username, password}` answers `{token, csrf_token, expires_at}`; send
//! `Authorization: Bearer <token>` (no CSRF header needed: a bearer token is never sent by a browser
//! on its own). A browser's session cookie works too, and then every write needs the header
//! `X-CSRF-Token` with the session's CSRF token. Failed logins are throttled per user name (the same
//! throttle as the login page).
//!
//! **Writes** carry the case `version` they were based on (stale → 409 `stale_version`) and an
//! optional 办理日期 `on` (default today in China, never in the future). Errors are JSON
//! `{code, message_zh, message_en}` ([`error`]); a refused write leaves the case and the audit log
//! as they were.

pub mod admin;
pub mod assets;
pub mod campaign;
pub mod codes;
pub mod downloads;
pub mod dto;
pub mod grids;
mod handlers;
pub mod households;
pub mod income;
pub mod indicators;
pub mod jobs;
pub mod labour;
pub mod low_income;
pub mod openapi;
pub mod problems;
pub mod projects;
pub mod pv;
pub mod quality;
pub mod relocation;
pub mod rounds;
pub mod rules;
pub mod welfare_posts;
pub mod workshops;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use shouwang_store::repo;
use shouwang_store::repo::sessions::SessionUser;

use crate::AppState;
pub use crate::auth::{ApiUser, CSRF_HEADER};
use crate::auth::{SESSION_TTL, SignIn, sign_in};
use crate::http::client::ClientAddr;
use crate::http::error::{AppError, AppResult, ErrorBody};
use dto::{LoginRequest, LoginResponse, Me};
use shouwang_app::Kind;

/// JSON body extractor whose rejection is an [`AppError`] (400 malformed, 422 wrong fields).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct ApiJson<T>(pub T);

/// Query extractor whose rejection is an [`AppError`] (400).
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct ApiQuery<T>(pub T);

/// Path extractor whose rejection is an [`AppError`] (400).
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct ApiPath<T>(pub T);

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

fn me(s: &SessionUser) -> Me {
    Me {
        user_id: s.user_id,
        username: s.username.clone(),
        display_name: s.display_name.clone(),
        role: s.scope.role,
        area: s.scope.area_prefix().to_owned(),
        may_view_full_id: s.scope.may_view_full_id(),
    }
}

/// Logs in and starts a session.
#[utoipa::path(post, path = "/api/v1/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "too many attempts for the name, from the address or in all (`Retry-After`: seconds)")))]
pub async fn login(
    State(state): State<AppState>,
    from: ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> AppResult<Response> {
    let user = match sign_in(&state, &req.username, &req.password, from).await? {
        SignIn::Welcome(u) => u,
        SignIn::Limited(limited) | SignIn::Throttled(limited) => {
            return Ok(limited.with_retry_after(limited.error().json()));
        }
        SignIn::Failed => {
            return Err(AppError::new(
                Kind::Unauthenticated,
                "login_failed",
                "用户名或密码错误",
                "Wrong user name or password",
            ));
        }
    };
    let (token, csrf_token) = repo::sessions::create(&state.db, user.id, SESSION_TTL).await?;
    let session = repo::sessions::lookup(&state.db, &token)
        .await?
        .ok_or_else(|| AppError::internal("a new session cannot be found"))?;
    Ok(ApiJson(LoginResponse {
        token,
        csrf_token,
        expires_at: session.expires_at,
        user: me(&session),
    })
    .into_response())
}

/// Ends the session.
#[utoipa::path(post, path = "/api/v1/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn logout(State(state): State<AppState>, user: ApiUser) -> AppResult<StatusCode> {
    repo::sessions::delete(&state.db, &user.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn whoami(user: ApiUser) -> ApiJson<Me> {
    ApiJson(me(&user.session))
}

async fn not_found() -> AppError {
    AppError::new(
        Kind::NotFound,
        "no_such_endpoint",
        "没有这个接口",
        "No such endpoint",
    )
}

/// Declares the `/api/v1` routes once: [`router`] builds them, [`PATHS`] lists them (a test checks that
/// every path and method of the router is in the OpenAPI document).
macro_rules! api_routes {
    ($($path:literal => $method_router:expr,)*) => {
        /// Every path of [`router`], relative to `/api/v1`.
        pub const PATHS: &[&str] = &[$($path),*];

        /// The `/api/v1` routes (nested by [`crate::router`]).
        pub fn router() -> Router<AppState> {
            use handlers as h;
            Router::new()
                $(.route($path, $method_router))*
                .fallback(not_found)
        }
    };
}

api_routes! {
    "/openapi.json" => get(openapi::document),
    "/login" => post(login),
    "/logout" => post(logout),
    "/me" => get(whoami),
    "/households" => get(h::households),
    "/households/{number}/income" => get(income::sheet),
    "/households/{number}/income/{year}" => get(income::year).put(income::put_year),
    "/households/{number}" => get(h::household).patch(households::update_household),
    "/households/{number}/members" => post(households::add_member),
    "/households/{number}/members/{member}" => patch(households::update_member),
    "/households/{number}/members/{member}/departure" => post(households::departure),
    "/households/{number}/head" => post(households::change_head),
    "/cases" => get(h::cases),
    "/cases/{number}" => get(h::case),
    "/cases/{number}/commands" => post(h::command),
    "/clues" => post(h::clue),
    "/cases/{number}/identification/start" => post(h::start_identification),
    "/cases/{number}/identification/steps" => post(h::ident_step),
    "/cases/{number}/identification/green-channel" => post(h::green_channel),
    "/cases/{number}/recommendations" => get(h::recommendations),
    "/cases/{number}/measures" => post(h::plan_measure),
    "/cases/{number}/measures/{index}" => post(h::update_measure),
    "/cases/{number}/cadre" => post(h::cadre),
    "/cadres/workload" => get(h::workload),
    "/cases/{number}/follow-ups" => post(h::follow_up),
    "/follow-ups/overdue" => get(h::overdue_follow_ups),
    "/exit/candidates" => get(h::exit_candidates),
    "/cases/{number}/exit/nominate" => post(h::nominate_exit),
    "/cases/{number}/exit/steps" => post(h::exit_step),
    "/cases/{number}/exit/notice" => post(h::issue_notice).get(h::notice),
    "/notices" => get(h::notices),
    "/attachments" => post(h::upload).layer(DefaultBodyLimit::max(
        shouwang_app::attachments::MAX_ATTACHMENT_BYTES + 64 * 1024,
    )),
    "/attachments/{sha256}" => get(h::download),
    "/queues" => get(h::queues),
    "/calendar" => get(h::calendar),
    "/rules" => get(rules::get_rules).put(rules::put_rules),
    "/lines" => get(rules::get_lines).put(rules::put_line),
    "/lines/policy" => put(rules::put_line_policy),
    "/codes" => get(codes::get_codes).put(codes::put_code),
    "/screening/rounds" => post(jobs::screening_round).layer(DefaultBodyLimit::max(
        shouwang_app::screening::upload::MAX_UPLOAD as usize + 1024 * 1024,
    )),
    "/imports/registry" => post(jobs::registry_import).layer(DefaultBodyLimit::max(
        shouwang_app::imports::registry::MAX_FILE as usize + 1024 * 1024,
    )),
    "/screening/cadre-rounds" => get(rounds::list).post(rounds::record).layer(
        DefaultBodyLimit::max(crate::http::limits::LARGE_FORM_BODY)
    ),
    "/jobs/{id}" => get(jobs::job),
    "/jobs/{id}/files/{n}" => get(jobs::job_file),
    "/quality" => get(quality::findings),
    "/quality/duplicates" => get(quality::duplicates),
    "/quality/duplicates/merge" => post(quality::merge),
    "/quality/duplicates/remove-member" => post(quality::remove_member),
    "/ledgers/{kind}" => get(downloads::ledger),
    "/households/{number}/documents/{kind}" => get(downloads::household_document),
    "/documents/publicity" => get(downloads::publicity),
    "/documents/exit-notices" => get(downloads::exit_notices),
    "/users" => get(admin::list).post(admin::create),
    "/users/{id}/role" => post(admin::set_role),
    "/users/{id}/active" => post(admin::set_active),
    "/me/password" => post(admin::change_password),
    "/audit" => get(admin::audit),
    "/dashboard" => get(admin::dashboard),
    "/low-income" => get(low_income::list),
    "/low-income/figures" => get(low_income::figures),
    "/low-income/{number}" => get(low_income::household),
    "/low-income/{number}/visits" => post(low_income::visit),
    "/problems" => get(problems::list).post(problems::create),
    "/problems/board" => get(problems::board),
    "/problems/{id}" => get(problems::show),
    "/problems/{id}/actions" => post(problems::act),
    "/grids" => get(grids::list).post(grids::create),
    "/grids/coverage" => get(grids::coverage),
    "/grids/{id}" => get(grids::show).put(grids::update),
    "/grids/{id}/households" => post(grids::assign),
    "/indicators" => get(indicators::board),
    "/indicators/{village}" => post(indicators::act),
    "/campaign" => get(campaign::coverage),
    "/campaign-plans" => get(campaign::plans),
    "/campaign-plans/{township}" => put(campaign::save_plan),
    "/campaign/{number}" => get(campaign::household),
    "/campaign/{number}/checks" => post(campaign::check),
    "/relocation" => get(relocation::list),
    "/relocation/figures" => get(relocation::figures),
    "/relocation/{number}" => get(relocation::household),
    "/relocation/{number}/screenings" => post(relocation::screening),
    "/labour" => get(labour::list),
    "/labour/figures" => get(labour::figures),
    "/labour/{number}" => get(labour::household),
    "/labour/{number}/records" => post(labour::record),
    "/projects" => get(projects::list).post(projects::apply),
    "/projects/queue" => get(projects::queue),
    "/projects/board" => get(projects::board),
    "/projects/{id}" => get(projects::show),
    "/projects/{id}/steps" => post(projects::step),
    "/projects/{id}/payments" => post(projects::pay),
    "/workshops" => get(workshops::list).post(workshops::register),
    "/workshops/{id}" => get(workshops::show).put(workshops::update),
    "/workshops/{id}/workers" => post(workshops::hire),
    "/workshops/{id}/release" => post(workshops::release),
    "/welfare-posts" => get(welfare_posts::list).post(welfare_posts::create),
    "/welfare-posts/{id}" => get(welfare_posts::show).put(welfare_posts::update),
    "/pv" => get(pv::board),
    "/pv/stations" => get(pv::stations).post(pv::create_station),
    "/pv/stations/{id}" => get(pv::station).put(pv::update_station),
    "/pv/stations/{id}/income" => post(pv::income),
    "/pv/distributions" => post(pv::distribute),
    "/assets" => get(assets::list).post(assets::register),
    "/assets/queue" => get(assets::queue),
    "/assets/overdue" => get(assets::overdue),
    "/assets/{id}" => get(assets::show).put(assets::update),
    "/assets/{id}/upkeep" => post(assets::upkeep),
    "/assets/{id}/disposal" => post(assets::dispose),
    "/imports/assets" => post(assets::import_assets).layer(DefaultBodyLimit::max(
        shouwang_app::assets::import::MAX_FILE as usize + 1024 * 1024,
    )),
}
