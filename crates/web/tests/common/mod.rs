//! Helpers shared by the web test binaries: requests through the real router, cookies, the log-in
//! form and the CSRF field. Each binary includes this module with `mod common;` and uses a part of
//! it, hence the `dead_code` allowance.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use shouwang_store::demo;
use tower::ServiceExt;

/// The whole body (up to 16 MiB).
pub async fn body_bytes(resp: Response<Body>) -> Vec<u8> {
    axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .expect("body")
        .to_vec()
}

/// The whole body as UTF-8 text.
pub async fn body_text(resp: Response<Body>) -> String {
    String::from_utf8(body_bytes(resp).await).expect("utf-8 body")
}

/// The value of cookie `name` set by the response.
pub fn set_cookie(resp: &Response<Body>, name: &str) -> Option<String> {
    resp.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim_start_matches(&format!("{name}="))
                .to_string()
        })
}

pub fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request")
}

pub fn post_form(uri: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .expect("request")
}

/// A part of a multipart form: (field, file name if a file, content).
pub type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

pub fn post_multipart(uri: &str, cookie: &str, parts: &[Part<'_>]) -> Request<Body> {
    let boundary = "----shouwang-test-boundary-7d9f";
    let mut body: Vec<u8> = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .expect("request")
}

/// The password of a demo user.
pub fn demo_password(username: &str) -> &'static str {
    demo::DEMO_USERS
        .iter()
        .find(|u| u.username == username)
        .map(|u| u.password)
        .expect("demo user")
}

/// Logs in through the form; the session cookie header value, or the status of a refused log-in.
pub async fn try_login(app: &Router, username: &str, password: &str) -> Result<String, StatusCode> {
    let resp = app
        .clone()
        .oneshot(get("/login", ""))
        .await
        .expect("login page");
    assert_eq!(resp.status(), StatusCode::OK);
    let csrf = set_cookie(&resp, "sw_login_csrf").expect("login csrf cookie");
    let form = format!("username={username}&password={password}&csrf={csrf}");
    let resp = app
        .clone()
        .oneshot(post_form("/login", &format!("sw_login_csrf={csrf}"), &form))
        .await
        .expect("login post");
    if resp.status() != StatusCode::SEE_OTHER {
        return Err(resp.status());
    }
    let session = set_cookie(&resp, "sw_session").expect("session cookie");
    Ok(format!("sw_session={session}"))
}

/// Logs a demo user in; the session cookie header value.
pub async fn login(app: &Router, username: &str) -> String {
    match try_login(app, username, demo_password(username)).await {
        Ok(cookie) => cookie,
        Err(status) => panic!("login {username}: {status}"),
    }
}

/// The `csrf` hidden field of a page.
pub fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    html[at..].split('"').next().unwrap_or("").to_string()
}
