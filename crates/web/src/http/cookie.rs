//! Cookies: reading one from the request, setting several on a response.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Adds `Set-Cookie` headers to a response (values are built from our own
/// tokens, so they are always valid header text; an invalid one is skipped).
pub fn with_cookies(mut resp: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_parsing() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; sw_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&h, "sw_session"), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }
}
