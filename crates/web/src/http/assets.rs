//! Static assets embedded in the binary: the style sheet, and the health check.

use axum::http::header;
use axum::response::{IntoResponse, Response};

const STYLE_CSS: &str = include_str!("../../assets/style.css");

/// `GET /assets/style.css` (cached for an hour).
pub async fn style_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE_CSS,
    )
        .into_response()
}

/// `GET /healthz`.
pub async fn healthz() -> &'static str {
    "ok"
}
