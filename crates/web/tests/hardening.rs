//! Bounded sign-in and safe redirects (issue 20) through the real router on both databases: an over-long
//! user name costs nothing and is audited, parallel wrong passwords cannot slip past the limit, failed
//! sign-ins are in the audit log, the language switch never redirects off-site.

mod common;

use axum::http::StatusCode;
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
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
        // A 1 MB user name: refused at once, audited with 64 characters of it.
        let long = "张".repeat(1 << 18);
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
        assert_eq!((failed, throttled), (5, 16));
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
