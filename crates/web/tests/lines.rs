//! Monitoring lines per province and per county (issue 19, separation of duties) through the real router
//! on SQLite and PostgreSQL: the province admin 省级管理员 sets its province's line and whether its
//! counties may set their own; a county admin sets only its own county's line, which changes no other
//! county's; a closed province refuses county lines and its line applies everywhere; the province admin
//! reads no household and resets a county admin's password (forcing a change), not an auditor's.

mod common;

use axum::Router;
use axum::http::StatusCode;
use serde_json::json;
use shouwang_app::demo;
use shouwang_core::codes::RegionLevel;
use shouwang_core::{Fen, Region, RegionCode, Role};
use shouwang_store::repo::{self, regions, users};
use shouwang_store::{Actor, Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

use common::{api_json, api_login, body_text, count, csrf_of, get, login, post_form};

/// A second county of the province, with its own admin.
const OTHER: &str = "141124";

async fn setup(db: &Db) -> Router {
    let county = demo::generate(60, 11);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    let sys = Actor::system();
    let other = Region {
        code: RegionCode::parse(OTHER).unwrap(),
        name: "临县".to_owned(),
        level: RegionLevel::County,
        parent: None,
    };
    regions::upsert_many(db, &sys, &[other]).await.unwrap();
    users::add(
        db,
        &sys,
        "other_admin",
        "临县管理员",
        "correct-horse-1",
        Role::CountyAdmin,
        OTHER,
    )
    .await
    .unwrap();
    router(AppState::new(db.clone()))
}

async fn line_for(db: &Db, area: &str, year: i32) -> Option<Fen> {
    repo::lines::table(db).await.unwrap().line_for(area, year)
}

db_test!(
    fn county_lines_touch_only_their_county_and_the_province_decides(db: Db) {
        let app = setup(&db).await;
        let province = api_login(&app, "province_admin").await;
        let county = api_login(&app, "county_admin").await;
        let put = |token: String, uri: &'static str, body: serde_json::Value| {
            let app = app.clone();
            async move { api_json(&app, "PUT", uri, Some(&token), Some(body)).await }
        };

        let (s, v) = api_json(&app, "GET", "/api/v1/lines", Some(&province), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            (v["sets"].clone(), v["province"].clone()),
            (json!("province"), json!("14"))
        );
        let (_, v) = api_json(&app, "GET", "/api/v1/lines", Some(&county), None).await;
        assert_eq!(v["sets"], "county");
        assert_eq!(v["county_lines_allowed"], true);

        // The county admin sets its county's own 2030 line: no other county's changes.
        let (s, v) = put(
            county.clone(),
            "/api/v1/lines",
            json!({"year": 2030, "line": 700_000}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            line_for(&db, "141123208201", 2030).await,
            Some(Fen::from_yuan(7000))
        );
        assert_eq!(line_for(&db, OTHER, 2030).await, None);
        assert_eq!(repo::lines::get(&db, "14", 2030).await.unwrap(), None);

        // The province admin sets the province's: every county without its own takes it.
        let (s, v) = put(
            province.clone(),
            "/api/v1/lines",
            json!({"year": 2030, "line": 690_000}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(line_for(&db, OTHER, 2030).await, Some(Fen::from_yuan(6900)));
        assert_eq!(
            line_for(&db, "141123", 2030).await,
            Some(Fen::from_yuan(7000))
        );

        // Only the province admin decides the policy.
        let (s, v) = put(
            county.clone(),
            "/api/v1/lines/policy",
            json!({"county_lines_allowed": false}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let (s, v) = put(
            province.clone(),
            "/api/v1/lines/policy",
            json!({"county_lines_allowed": false}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["county_lines_allowed"], false);
        // Closed: the province's line applies in the county too, and the county may not set one.
        assert_eq!(
            line_for(&db, "141123", 2030).await,
            Some(Fen::from_yuan(6900))
        );
        let (s, v) = put(
            county.clone(),
            "/api/v1/lines",
            json!({"year": 2031, "line": 710_000}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        assert!(
            v["message_zh"].as_str().unwrap().contains("省级统一"),
            "{v}"
        );
        assert_eq!(line_for(&db, "141123", 2031).await, None);
        let (_, v) = api_json(&app, "GET", "/api/v1/lines", Some(&county), None).await;
        assert!(v["sets"].is_null(), "{v}");

        // Every change is in the audit log.
        let audited =
            |entity: &str| format!("SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}'");
        assert_eq!(count(&db, &audited("county_monitoring_line")).await, 1);
        assert_eq!(count(&db, &audited("province_line_policy")).await, 1);
        assert!(count(&db, &audited("monitoring_line")).await >= 1);
    }
);

db_test!(
    fn the_province_admin_reads_no_household_and_resets_county_admins(db: Db) {
        let app = setup(&db).await;
        let token = api_login(&app, "province_admin").await;
        let (s, _) = api_json(&app, "GET", "/api/v1/households", Some(&token), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let cookie = login(&app, "province_admin").await;
        let resp = app.clone().oneshot(get("/", &cookie)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()["location"], "/admin/lines");
        for path in ["/households", "/dashboard", "/admin/rules", "/admin/audit"] {
            let resp = app.clone().oneshot(get(path, &cookie)).await.unwrap();
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{path}");
        }
        let resp = app
            .clone()
            .oneshot(get("/admin/lines", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = body_text(resp).await;
        assert!(html.contains("policy-form") && html.contains("line-form"));
        assert!(
            html.contains("省级统一设定，县级不能单独设定"),
            "the page's texts"
        );
        // The province page sets the province's line.
        let form = format!("csrf={}&year=2032&line=6950", csrf_of(&html));
        let resp = app
            .clone()
            .oneshot(post_form("/admin/lines/line", &cookie, &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(line_for(&db, OTHER, 2032).await, Some(Fen::from_yuan(6950)));
        // A county admin does not reach it.
        let county = login(&app, "county_admin").await;
        let resp = app
            .clone()
            .oneshot(get("/admin/lines", &county))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);

        // A reset by a higher level: the county admin must choose a new password; an auditor's is not
        // the province admin's to reset.
        let resp = app
            .clone()
            .oneshot(get("/admin/users", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let csrf = csrf_of(&body_text(resp).await);
        let id_of = |name: &'static str| {
            let db = db.clone();
            async move {
                users::find_by_username(&db, name)
                    .await
                    .unwrap()
                    .unwrap()
                    .id
            }
        };
        let reset = |id: i64| {
            let (app, cookie) = (app.clone(), cookie.clone());
            let form = format!("csrf={csrf}&password=new-secret-123");
            async move {
                app.oneshot(post_form(
                    &format!("/admin/users/{id}/password"),
                    &cookie,
                    &form,
                ))
                .await
                .unwrap()
                .status()
            }
        };
        assert_eq!(reset(id_of("auditor").await).await, StatusCode::FORBIDDEN);
        assert_eq!(
            reset(id_of("county_admin").await).await,
            StatusCode::SEE_OTHER
        );
        let again = common::try_login(&app, "county_admin", "new-secret-123")
            .await
            .unwrap();
        let resp = app.clone().oneshot(get("/", &again)).await.unwrap();
        assert_eq!(resp.headers()["location"], "/account/password?msg=must");
    }
);
