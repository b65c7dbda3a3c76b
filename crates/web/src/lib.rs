//! `shouwang-web`: the axum server — HTML pages (askama), the JSON API, login, sessions, CSRF, security
//! headers. The folders are its layers (ARCHITECTURE.md):
//!
//! - [`http`] — plumbing: the one error type and its rendering, i18n, rendering, form values, uploads,
//!   cookies, downloads, assets. It imports no feature.
//! - [`auth`] — sessions, the signed-in user of a page or an API request, CSRF, login throttling. It
//!   imports only [`http`].
//! - [`pages`] — the HTML pages, a module per page or folder of pages; the URL names the folder
//!   (`/admin/rules` → `pages/admin/rules.rs`, templates in `templates/admin/`).
//! - [`api`] — `/api/v1`, the JSON API (OpenAPI at `/api/v1/openapi.json`).
//! - [`tls`] — HTTPS: the certificate (a given one or a self-signed one in the data directory) and
//!   [`tls::serve_tls`].
//!
//! `pages` and `api` never import each other: what both need is in `shouwang-app` (the use cases) or
//! below them here. `scripts/check-layers.py` checks it in CI.

pub mod api;
pub mod auth;
pub mod http;
pub mod pages;
pub mod tls;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use axum::{Extension, Router};
use shouwang_store::Db;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub throttle: Arc<auth::Throttle>,
    /// Sign-in attempts per client address and in all ([`auth::rate`]).
    pub login_rate: Arc<auth::rate::LoginRate>,
    /// Where uploaded attachments are kept (default `$SHOUWANG_DATA_DIR/attachments`, else
    /// `shouwang-data/attachments`; see [`AppState::with_files`]).
    pub files: shouwang_app::attachments::FileStore,
    /// Where uploads wait for their jobs, on disk (default `$SHOUWANG_DATA_DIR/uploads`, else
    /// `shouwang-data/uploads`; see [`AppState::with_spool`]).
    pub spool: shouwang_app::uploads::Spool,
    /// Background jobs (uploads), see [`shouwang_app::jobs`].
    pub jobs: Arc<shouwang_app::jobs::Jobs>,
    /// Whether the server speaks HTTPS ([`AppState::with_tls`]).
    tls: bool,
    /// How long requests may take ([`http::limits`]).
    pub timeouts: http::limits::Timeouts,
}

impl AppState {
    pub fn new(db: Db) -> Self {
        let data_dir =
            std::env::var_os("SHOUWANG_DATA_DIR").unwrap_or_else(|| "shouwang-data".into());
        AppState {
            db,
            throttle: Arc::new(auth::Throttle::default()),
            login_rate: Arc::new(auth::rate::LoginRate::default()),
            files: shouwang_app::attachments::FileStore::new(
                std::path::PathBuf::from(&data_dir).join("attachments"),
            ),
            spool: shouwang_app::uploads::Spool::new(
                std::path::PathBuf::from(&data_dir).join("uploads"),
            ),
            jobs: Arc::new(shouwang_app::jobs::Jobs::default()),
            tls: false,
            timeouts: http::limits::Timeouts::default(),
        }
    }

    /// The same state for a server that speaks HTTPS (`true`) or plain HTTP (`false`, the default):
    /// over HTTPS the cookies are `Secure` and the session cookie `__Host-` prefixed ([`auth::Cookies`]),
    /// and every response carries `Strict-Transport-Security`.
    pub fn with_tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// The same state with other sign-in rate limits (a load test from one address, a test).
    pub fn with_login_limits(mut self, limits: auth::rate::LoginLimits) -> Self {
        self.login_rate = Arc::new(auth::rate::LoginRate::new(limits));
        self
    }

    /// The same state with uploads waiting in `spool`.
    pub fn with_spool(mut self, spool: shouwang_app::uploads::Spool) -> Self {
        self.spool = spool;
        self
    }

    /// The same state with other request timeouts (a test).
    pub fn with_timeouts(mut self, timeouts: http::limits::Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Whether the server speaks HTTPS.
    pub fn tls(&self) -> bool {
        self.tls
    }

    /// The names and attributes of the cookies, for this server's scheme.
    pub fn cookies(&self) -> auth::Cookies {
        auth::Cookies::new(self.tls)
    }

    /// The same state with attachments kept under `dir`.
    pub fn with_files(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.files = shouwang_app::attachments::FileStore::new(dir);
        self
    }
}

/// The whole application router, with security headers on every response (over HTTPS also
/// `Strict-Transport-Security`: one year; browsers then refuse plain HTTP and certificate-error
/// click-throughs for the host name).
pub fn router(state: AppState) -> Router {
    let tls = state.tls;
    let timeouts = state.timeouts;
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
    let time_limit = || axum::middleware::from_fn(http::limits::time_limit);
    let mut app = pages::routes()
        .route_layer(time_limit())
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(http::error::render_page_errors))
        .nest(
            "/api/v1",
            api::router()
                .route_layer(time_limit())
                .layer(axum::middleware::from_fn(http::error::render_json_errors)),
        )
        .with_state(state)
        // Bodies: small unless the route says otherwise; time: see `http::limits`.
        .layer(DefaultBodyLimit::max(http::limits::FORM_BODY))
        .layer(RequestBodyTimeoutLayer::new(timeouts.body_idle))
        .layer(Extension(timeouts));
    for (name, value) in headers {
        // Cache-Control is only a default: the CSS route sets its own.
        let layer = if name == header::CACHE_CONTROL {
            SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
        } else {
            SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
        };
        app = app.layer(layer);
    }
    if tls {
        app = app.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ));
    }
    app
}

/// The `Strict-Transport-Security` value of a server that speaks HTTPS: one year, this host only (a
/// township server has no subdomains of its own to vouch for).
pub const HSTS: &str = "max-age=31536000";

/// Serves the application over plain HTTP until Ctrl-C (HTTPS: [`tls::serve_tls`]).
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let headers = state.timeouts.headers;
    http::server::serve_on(listener, router(state), headers, http::server::ctrl_c()).await
}
