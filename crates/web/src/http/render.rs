//! Rendering a page: a template (the error page if it fails), with a status, or a redirect.

use askama::Template;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::http::error::AppError;

/// Renders a template, or the error page if rendering fails.
pub fn render<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => AppError::internal(e.to_string()).into_response(),
    }
}

/// Renders a template with a status (a form shown again with its error).
pub fn render_status<T: Template>(page: &T, status: axum::http::StatusCode) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => AppError::internal(e.to_string()).into_response(),
    }
}

/// 303 to a local path (after a POST: the browser then GETs it, so a reload does not repeat the POST).
pub fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}
