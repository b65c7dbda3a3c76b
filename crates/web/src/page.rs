//! Helpers every page module shares: rendering, query encoding, input cleaning, region names.

use std::collections::HashMap;

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use shouwang_core::codes::RegionLevel;
use shouwang_core::region::Region;
use shouwang_store::{Db, repo};

use crate::error::AppError;

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

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Form or query text without control characters (a NUL byte, say), trimmed, at most `max` characters.
pub fn clean(s: &str, max: usize) -> String {
    s.chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect::<String>()
        .trim()
        .to_string()
}

/// An optional filter value: `None` when blank.
pub fn opt(s: &Option<String>, max: usize) -> Option<String> {
    s.as_deref()
        .map(|v| clean(v, max))
        .filter(|v| !v.is_empty())
}

/// A page number from a query (anything that is not a positive number is page 1).
pub fn page_number(p: &Option<String>) -> u32 {
    p.as_deref()
        .and_then(|p| p.trim().parse::<u32>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
}

/// A region for a `<select>`.
pub struct RegionOption {
    pub code: String,
    pub label: String,
    pub level: RegionLevel,
}

/// The county, townships, villages and settlement points inside `area` (no natural villages), with
/// indented labels, in code order.
pub async fn region_options(db: &Db, area: &str) -> Result<Vec<RegionOption>, AppError> {
    let regions = repo::regions::list_under(db, area).await?;
    let mut out: Vec<RegionOption> = regions
        .into_iter()
        .filter(|r| r.level != RegionLevel::NaturalVillage)
        .map(|r: Region| {
            let indent = match r.level {
                RegionLevel::County => "",
                RegionLevel::Township => "　",
                _ => "　　",
            };
            RegionOption {
                code: r.code.scope_prefix().to_string(),
                label: format!("{indent}{}", r.name),
                level: r.level,
            }
        })
        .collect();
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// Names of the regions inside `area`, by scope prefix (for showing codes as names).
pub async fn region_names(db: &Db, area: &str) -> Result<HashMap<String, String>, AppError> {
    Ok(repo::regions::list_under(db, area)
        .await?
        .into_iter()
        .map(|r| (r.code.scope_prefix().to_string(), r.name))
        .collect())
}

/// Bytes as a download: the content type, `Content-Disposition: attachment` with an ASCII fallback
/// name (`ascii`, or `name` with `_` for anything else) and the UTF-8 name (RFC 6266), no caching.
pub fn attachment(name: &str, ascii: Option<&str>, content_type: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = ascii
        .unwrap_or(name)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encode(name)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}
