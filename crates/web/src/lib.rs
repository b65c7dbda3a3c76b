//! `shouwang-web`: the axum server — HTML pages (askama), auth, CSRF, security headers.
//!
//! Routes:
//! - `GET /login`, `POST /login`, `POST /logout`, `GET /lang` — see [`auth`];
//! - `GET /` — 工作台, the home page of each role, see [`home`];
//! - `GET /households` — the registry search (农户信息查询) with filters, see [`households`];
//! - `GET /households/{number}` — one household: members, income by year, its case;
//!   `POST /households/{number}/full-ids` — the same with full ID numbers (audited);
//! - `/admin/users…` — users, roles and areas, see [`admin`]; `/account/password` — see [`account`];
//! - `GET /admin/audit` — the audit-log viewer, see [`audit`]; `GET /dashboard` — see [`dashboard`]
//!   (Apache ECharts 5.6.0, Apache-2.0, vendored under `assets/vendor/`);
//! - `GET /publicity` (printable 公示 list), `GET /exits` (quarterly exit board), see [`boards`];
//! - `/clues/new`, `/households/{number}/case/…`, `/households/{number}/notice` — the lifecycle
//!   forms over the store's command layer, see [`case_pages`]; the identification, exit and measure
//!   step forms (`/households/{number}/case/ident|green-channel|exit|measures/{i}`), see [`steps`];
//! - `GET/POST /admin/rules`, `POST /admin/rules/line` — county rules and monitoring lines, see [`admin_rules`];
//! - `GET /jobs/{id}` — a background job's progress and result, see [`jobs`];
//!   `GET/POST /screening/upload` — 部门数据上传, see [`screening_upload`];
//!   `GET/POST /imports/registry`, `POST /imports/registry/commit` — 户籍台账导入, see [`imports`];
//! - `GET /admin/codes`, `GET/POST /admin/codes/{list}/{code}` — the code lists (代码表) and the county's local labels and 停用 flags, see [`codes_page`];
//! - `GET /assets/*` — CSS embedded in the binary; `GET /healthz`;
//! - `/api/v1/…` — the JSON API, see [`api`] (OpenAPI at `/api/v1/openapi.json`).

pub mod account;
pub mod admin;
pub mod admin_rules;
pub mod api;
pub mod audit;
pub mod auth;
pub mod boards;
pub mod cadre_round;
pub mod case_pages;
pub mod codes_page;
pub mod dashboard;
pub mod documents;
pub mod error;
pub mod home;
pub mod households;
pub mod i18n;
pub mod imports;
pub mod jobs;
pub mod ledgers;
pub mod page;
pub mod quality_pages;
pub mod screening_upload;
pub mod steps;
pub mod uploads;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use shouwang_store::Db;
use tower_http::set_header::SetResponseHeaderLayer;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub throttle: Arc<auth::Throttle>,
    /// Where uploaded attachments are kept (default `$SHOUWANG_DATA_DIR/attachments`, else
    /// `shouwang-data/attachments`; see [`AppState::with_files`]).
    pub files: shouwang_app::attachments::FileStore,
    /// Background jobs (uploads), see [`shouwang_app::jobs`].
    pub jobs: Arc<shouwang_app::jobs::Jobs>,
}

impl AppState {
    pub fn new(db: Db) -> Self {
        let data_dir =
            std::env::var_os("SHOUWANG_DATA_DIR").unwrap_or_else(|| "shouwang-data".into());
        AppState {
            db,
            throttle: Arc::new(auth::Throttle::default()),
            files: shouwang_app::attachments::FileStore::new(
                std::path::PathBuf::from(data_dir).join("attachments"),
            ),
            jobs: Arc::new(shouwang_app::jobs::Jobs::default()),
        }
    }

    /// The same state with attachments kept under `dir`.
    pub fn with_files(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.files = shouwang_app::attachments::FileStore::new(dir);
        self
    }
}

const STYLE_CSS: &str = include_str!("../assets/style.css");

async fn style_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE_CSS,
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

async fn fallback() -> error::AppError {
    error::AppError::not_found()
}

/// The whole application router, with security headers on every response.
pub fn router(state: AppState) -> Router {
    let headers: [(HeaderName, &'static str); 5] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
        ),
        (header::CACHE_CONTROL, "no-store"),
    ];
    let mut app = Router::new()
        .route("/", get(home::home))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/lang", get(auth::switch_lang))
        .route("/households", get(households::list))
        .route("/households/{number}", get(households::show))
        .route("/households/{number}/full-ids", post(households::reveal))
        .merge(admin::routes())
        .merge(account::routes())
        .merge(audit::routes())
        .merge(case_pages::routes())
        .merge(steps::routes())
        .merge(dashboard::routes())
        .merge(boards::routes())
        .merge(cadre_round::routes())
        .merge(jobs::routes())
        .merge(screening_upload::routes())
        .merge(imports::routes())
        .merge(codes_page::routes())
        .merge(ledgers::routes())
        .merge(documents::routes())
        .merge(quality_pages::routes())
        .route(
            "/admin/rules",
            get(admin_rules::show).post(admin_rules::save),
        )
        .route("/admin/rules/line", post(admin_rules::save_line))
        .route("/assets/style.css", get(style_css))
        .route("/healthz", get(healthz))
        .fallback(fallback)
        .layer(axum::middleware::from_fn(error::render_page_errors))
        .nest(
            "/api/v1",
            api::router().layer(axum::middleware::from_fn(error::render_json_errors)),
        )
        .with_state(state);
    for (name, value) in headers {
        // Cache-Control is only a default: the CSS route sets its own.
        let layer = if name == header::CACHE_CONTROL {
            SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
        } else {
            SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
        };
        app = app.layer(layer);
    }
    app
}

/// Serves the application until Ctrl-C.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
