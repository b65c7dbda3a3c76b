//! A file as a download (`Content-Disposition: attachment`, the Chinese file name per RFC 6266).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::http::form::encode;

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
