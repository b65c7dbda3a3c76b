//! Request limits (请求限制): how large a body may be and how long a request may take, so that no client
//! holds the server's memory or connections at will.
//!
//! - Bodies: [`FORM_BODY`] for every form and JSON body (the router's default), [`LARGE_FORM_BODY`] for
//!   the cadre round form of a whole village; only the upload routes set their own, larger limit
//!   (`DefaultBodyLimit` on the route).
//! - Time: a request whose body stops arriving for [`Timeouts::body_idle`] fails, and a request that is
//!   not answered within [`Timeouts::request`] (an upload route: [`Timeouts::upload`]) is answered 408
//!   and its connection closed ([`time_limit`]): a client that sends its headers and stalls is cut off;
//!   one that never finishes its headers is cut off by the server loop ([`super::server`]) after
//!   [`Timeouts::headers`].

use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest form or JSON body of an ordinary route.
pub const FORM_BODY: usize = 256 * 1024;

/// The largest cadre round form (干部排查: every household of a village with its risks and notes).
pub const LARGE_FORM_BODY: usize = 2 * 1024 * 1024;

/// How long requests may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Any request but an upload.
    pub request: Duration,
    /// An upload ([`UPLOAD_ROUTES`]): 100 MB over a slow township line.
    pub upload: Duration,
    /// The longest wait for the next piece of a body.
    pub body_idle: Duration,
    /// The longest a client may take to send a request's headers (the server loop,
    /// [`super::server`], closes its connection after: slow-loris).
    pub headers: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            request: Duration::from_secs(60),
            upload: Duration::from_secs(30 * 60),
            body_idle: Duration::from_secs(30),
            headers: Duration::from_secs(30),
        }
    }
}

/// The routes that take an uploaded file (their own body limit), besides the case step forms
/// (`/households/{number}/case/…`, which carry attachments).
pub const UPLOAD_ROUTES: &[&str] = &[
    "/imports/registry",
    "/screening/upload",
    "/api/v1/attachments",
    "/api/v1/screening/rounds",
    "/api/v1/imports/registry",
];

/// Whether the route `path` (as matched) takes an upload.
pub fn is_upload(path: &str) -> bool {
    UPLOAD_ROUTES.contains(&path) || path.starts_with("/households/{number}/case")
}

/// Route layer: answers 408 (and closes the connection) when the route does not answer within its
/// time ([`Timeouts`], from the request's extensions; the defaults without).
pub async fn time_limit(req: Request, next: Next) -> Response {
    let timeouts = req
        .extensions()
        .get::<Timeouts>()
        .copied()
        .unwrap_or_default();
    let upload = req
        .extensions()
        .get::<MatchedPath>()
        .is_some_and(|p| is_upload(p.as_str()));
    let limit = if upload {
        timeouts.upload
    } else {
        timeouts.request
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => {
            let mut resp = (
                StatusCode::REQUEST_TIMEOUT,
                "请求超时 / the request timed out",
            )
                .into_response();
            resp.headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            resp
        }
    }
}
