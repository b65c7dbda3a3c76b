//! Bounded sign-in and safe redirects (issue 20) through the real router on both databases: an over-long
//! user name costs nothing and is audited, parallel wrong passwords cannot slip past the limit, failed
//! sign-ins are in the audit log, sign-ins are limited per client address and in all (429 with
//! `Retry-After`, audited once per window), the language switch never redirects off-site.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::auth::rate::LoginLimits;
use shouwang_web::http::client::Peer;
use shouwang_web::{AppState, router};
use tower::ServiceExt;

use common::{api_json, count, get};

async fn setup(db: &Db) -> axum::Router {
    demo::load(db, &demo::generate(30, 3), &|_, _| {})
        .await
        .expect("demo");
    router(AppState::new(db.clone()))
}

async fn login(app: &axum::Router, name: &str, password: &str) -> StatusCode {
    api_json(
        app,
        "POST",
        "/api/v1/login",
        None,
        Some(serde_json::json!({"username": name, "password": password})),
    )
    .await
    .0
}

db_test!(
    fn sign_in_is_bounded_raced_safely_and_audited(db: Db) {
        let app = setup(&db).await;
        // A 1 MB body is refused before it is read (413); a 180 KB user name is refused at once and
        // audited with 64 characters of it.
        let huge = "张".repeat(1 << 18);
        assert_eq!(login(&app, &huge, "x").await, StatusCode::PAYLOAD_TOO_LARGE);
        let long = "张".repeat(60_000);
        assert_eq!(login(&app, &long, "x").await, StatusCode::UNAUTHORIZED);
        let kept = count(
            &db,
            "SELECT CAST(MAX(LENGTH(entity_id)) AS BIGINT) FROM audit_log WHERE action = 'login_failed'",
        )
        .await;
        assert_eq!(kept, 64);
        // Twenty wrong passwords for one name at once: at most five are checked, the rest refused.
        let mut tries = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let app = app.clone();
            tries.spawn(async move { login(&app, "township_admin", "wrong-password").await });
        }
        let answers = tries.join_all().await;
        let checked = answers
            .iter()
            .filter(|s| **s == StatusCode::UNAUTHORIZED)
            .count();
        let refused = answers
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count();
        assert_eq!((checked, refused), (5, 15), "{answers:?}");
        // Now even the right password is refused for the window.
        assert_eq!(
            login(
                &app,
                "township_admin",
                common::demo_password("township_admin")
            )
            .await,
            StatusCode::TOO_MANY_REQUESTS
        );
        // The refusal says how long the name's window still runs (the API as the page).
        let (status, retry) =
            login_from(&app, "192.0.2.50", "township_admin", "wrong-password").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            retry.is_some_and(|s| (1..=15 * 60).contains(&s)),
            "{retry:?}"
        );
        let failed = count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' AND entity_id = 'township_admin'",
        )
        .await;
        let throttled = count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login_throttled' AND entity_id = 'township_admin'",
        )
        .await;
        assert_eq!((failed, throttled), (5, 17));
    }
);

/// `POST /api/v1/login` from the client address `ip`: the status and the `Retry-After` header.
async fn login_from(
    app: &axum::Router,
    ip: &str,
    name: &str,
    password: &str,
) -> (StatusCode, Option<u64>) {
    let body = serde_json::json!({"username": name, "password": password}).to_string();
    let mut req = Request::post("/api/v1/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let addr = SocketAddr::new(ip.parse().unwrap(), 40000);
    req.extensions_mut().insert(ConnectInfo(Peer(addr)));
    let resp = app.clone().oneshot(req).await.unwrap();
    let retry = resp
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (resp.status(), retry)
}

db_test!(
    fn sign_in_is_limited_per_address_and_in_all(db: Db) {
        demo::load(&db, &demo::generate(30, 3), &|_, _| {})
            .await
            .expect("demo");
        let app = router(AppState::new(db.clone()).with_login_limits(LoginLimits {
            per_address: 4,
            global: 10,
            window: Duration::from_secs(600),
        }));
        let right = common::demo_password("township_admin");
        // One host sprays four names: each is checked once (no name reaches its own limit).
        for i in 0..4 {
            let (status, _) = login_from(&app, "10.0.0.1", &format!("user{i}"), "x").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        // Its fifth and sixth attempts are refused, even with the right password, and say when to retry.
        for _ in 0..2 {
            let (status, retry) = login_from(&app, "10.0.0.1", "township_admin", right).await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
            assert!(retry.is_some_and(|s| (1..=600).contains(&s)), "{retry:?}");
        }
        // Another address signs in.
        assert_eq!(
            login_from(&app, "10.0.0.2", "township_admin", right).await,
            (StatusCode::OK, None)
        );
        // Ten in all: five more from five addresses, then anyone is refused.
        for i in 0..5 {
            let (status, _) = login_from(&app, &format!("10.0.1.{i}"), "nobody", "x").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        for ip in ["10.0.2.1", "2001:db8::7"] {
            let (status, retry) = login_from(&app, ip, "county_admin", "x").await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{ip}");
            assert!(retry.is_some(), "{ip}");
        }
        // Each limit is audited once in its window: the address, and the global limit (`*`).
        let audited = |id: &'static str| {
            let db = db.clone();
            async move {
                count(
                    &db,
                    &format!(
                        "SELECT COUNT(*) FROM audit_log WHERE action = 'login_rate_limited' AND entity_id = '{id}'"
                    ),
                )
                .await
            }
        };
        assert_eq!((audited("10.0.0.1").await, audited("*").await), (1, 1));
        // No password of a refused attempt was checked: no failure was recorded for them.
        let failed = count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' AND entity_id IN ('township_admin', 'county_admin')",
        )
        .await;
        assert_eq!(failed, 0);
    }
);

db_test!(
    fn the_language_switch_never_redirects_off_site(db: Db) {
        let app = setup(&db).await;
        for (back, to) in [
            ("/%5Cevil.example", "/"),
            ("//evil.example", "/"),
            ("https://evil.example", "/"),
            ("/%5C%5Cevil.example/x", "/"),
            ("/households?q=1", "/households?q=1"),
        ] {
            let resp = app
                .clone()
                .oneshot(get(&format!("/lang?to=en&back={back}"), ""))
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{back}");
            assert_eq!(resp.headers()["location"], to, "{back}");
        }
    }
);

db_test!(
    fn a_large_cadre_round_form_is_refused_by_role_first_and_read_in_one_pass(db: Db) {
        let app = setup(&db).await;
        let big: String = (0..40_000)
            .map(|i| format!("hh=H{i:06}&risk_H{i:06}=01&note_H{i:06}=x&"))
            .collect();
        // A department clerk may not record a cadre round: refused before the form is read.
        let clerk = common::login(&app, "department").await;
        let resp = app
            .clone()
            .oneshot(common::post_form("/screening/cadre", &clerk, &big))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        // A village team's huge form is read (in one pass, see the handler) and answered, not a failure.
        let team = common::login(&app, "village_team").await;
        let form = common::body_text(
            app.clone()
                .oneshot(get("/screening/cadre", &team))
                .await
                .unwrap(),
        )
        .await;
        let csrf = common::csrf_of(&form);
        let body = format!(
            "csrf={csrf}&village=141123208201&held_on=2022-03-01&label=x&screeners=y&{big}"
        );
        let resp = app
            .clone()
            .oneshot(common::post_form("/screening/cadre", &team, &body))
            .await
            .unwrap();
        assert_ne!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
);
