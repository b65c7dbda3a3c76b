//! Helpers shared by the web test binaries: requests through the real router, cookies, the log-in
//! form and the CSRF field. Each binary includes this module with `mod common;` and uses a part of
//! it, hence the `dead_code` allowance.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use sea_orm::{ConnectionTrait, Statement};
use shouwang_app::demo;
use shouwang_core::access::{Role, Scope};
use shouwang_store::Db;
use shouwang_store::repo::cases;
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

/// `SELECT COUNT(*)`-style: the first column of the first row.
pub async fn count(db: &Db, sql: &str) -> i64 {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// A household of the demo county without a case, and one of its members' ID numbers.
pub async fn household_without_case(db: &Db, county: &demo::DemoCounty) -> (String, String) {
    let everyone = Scope::new(0, Role::CountyAdmin, "141123");
    for dh in &county.households {
        if dh.incomes.iter().any(|r| r.year == 2021)
            && cases::history(db, &everyone, &dh.household.number)
                .await
                .unwrap()
                .is_empty()
        {
            return (
                dh.household.number.clone(),
                dh.household.members[0].id_number.to_string(),
            );
        }
    }
    panic!("a household without a case");
}

/// A medical file: 20,000 yuan out of pocket for `id` (above the default 10,000), a row of an ID in no
/// registry, and a malformed row (line 4, 医疗总费用).
pub fn medical(id: &str) -> String {
    format!(
        "身份证号,结算日期,医疗总费用,基本医保支付,大病保险支付,医疗救助支付\n\
         {id},2022-03-15,25000.00,5000.00,0.00,0.00\n\
         11010519491231002X,2022-03-15,500.00,100.00,0.00,0.00\n\
         {id},2022-03-16,N/A,0.00,0.00,0.00\n"
    )
}

pub fn id(seq: u16, year: i32) -> String {
    shouwang_core::idnum::make(
        141123,
        chrono::NaiveDate::from_ymd_opt(year, 5, 17).unwrap(),
        seq,
    )
    .to_string()
}

pub const HEADER: &str = "户编号,县,乡镇,行政村,村代码,户类型,家庭人口,姓名,公民身份号码,与户主关系,劳动技能,健康状况,是否参加城乡居民基本医疗保险";

pub fn row(number: &str, size: &str, name: &str, idn: &str, rel: &str) -> String {
    format!(
        "{number},兴县,圪塔上乡,测试村,141123208201,一般农户,{size},{name},{idn},{rel},普通劳动力,健康,是"
    )
}

/// Households `{p}001`–`{p}003` with 6 members (the 6th member on row 7).
pub fn registry_csv(p: &str, k: u16) -> String {
    let rows = [
        row(&format!("{p}001"), "2", "张三", &id(11 + k, 1970), "户主"),
        row(&format!("{p}001"), "", "李四", &id(22 + k, 1972), "妻"),
        row(&format!("{p}002"), "1", "王五", &id(31 + k, 1960), "本人"),
        row(&format!("{p}003"), "3", "赵六", &id(41 + k, 1950), "户主"),
        row(&format!("{p}003"), "", "赵七", &id(51 + k, 1980), "之子"),
        row(&format!("{p}003"), "", "钱八", &id(62 + k, 1982), "之儿媳"),
    ];
    format!("{HEADER}\r\n{}\r\n", rows.join("\r\n"))
}

/// A JSON request to `/api/v1` through the router, with a bearer token: the status and the JSON body
/// (`Null` when empty).
pub async fn api_json(
    app: &Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let resp = app.clone().oneshot(req).await.expect("api response");
    let status = resp.status();
    let bytes = body_bytes(resp).await;
    let value = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
    };
    (status, value)
}

/// Logs a demo user in through `POST /api/v1/login`; the bearer token.
pub async fn api_login(app: &Router, username: &str) -> String {
    let (status, v) = api_json(
        app,
        "POST",
        "/api/v1/login",
        None,
        Some(serde_json::json!({"username": username, "password": demo_password(username)})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["token"].as_str().expect("token").to_owned()
}
