//! 低收入人口常态化帮扶 (issue 21) through `/api/v1/low-income…` and the pages, on both databases, on the
//! demo county: the list with reasons and filters, the demo village's visits in every state, a visit
//! recorded (201), a second in the month (409), another village (403), a department (403 at the gate), the
//! phone form and its refusal shown on the page, the 低收入人口台账 download, the OpenAPI paths.

use axum::Router;
use axum::http::StatusCode;
use serde_json::{Value, json};
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{api_json, api_login, body_text, count, csrf_of, get, login, post_form};

const DEMO_VILLAGE: &str = "141123208201";

async fn app(db: &Db) -> (Router, demo::DemoSummary) {
    let county = demo::generate(400, 3);
    let summary = demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    (router(AppState::new(db.clone())), summary)
}

fn numbers(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["number"].as_str().unwrap().to_owned())
        .collect()
}

db_test!(
    fn the_register_lists_records_and_refuses(db: Db) {
        let (app, summary) = app(&db).await;
        assert!(summary.low_income_visits >= 2, "{summary:?}");
        let town = api_login(&app, "township_admin").await;
        let (s, all) = api_json(&app, "GET", "/api/v1/low-income", Some(&town), None).await;
        assert_eq!(s, StatusCode::OK);
        let rows = all.as_array().unwrap();
        assert!(rows.len() >= 3);
        assert!(
            rows.iter()
                .all(|e| !e["reasons"].as_array().unwrap().is_empty())
        );
        // The demo village's visits of December 2022 (the classic frame), every state.
        let (_, dec) = api_json(
            &app,
            "GET",
            &format!("/api/v1/low-income?area={DEMO_VILLAGE}&month=2022-11"),
            Some(&town),
            None,
        )
        .await;
        let states: Vec<&str> = dec
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["month"]["status"].as_str().unwrap())
            .collect();
        assert!(
            states.contains(&"done") && states.contains(&"overdue"),
            "{states:?}"
        );

        // A visit this month by the village team: 201, then 409.
        let team = api_login(&app, "village_team").await;
        let (_, mine) = api_json(&app, "GET", "/api/v1/low-income", Some(&team), None).await;
        let number = numbers(&mine)[0].clone();
        let body = json!({"needs": "冬季取暖", "policies": ["dibao"], "help": "协调临时救助"});
        let path = format!("/api/v1/low-income/{number}/visits");
        let audits = count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'register_record'",
        )
        .await;
        let (s, v) = api_json(&app, "POST", &path, Some(&team), Some(body.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'register_record'"
            )
            .await,
            audits + 1
        );
        let (s, v) = api_json(&app, "POST", &path, Some(&team), Some(body.clone())).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        // Another village's household: 403.
        let county = api_login(&app, "county_admin").await;
        let (_, everyone) = api_json(&app, "GET", "/api/v1/low-income", Some(&county), None).await;
        let other = numbers(&everyone)
            .into_iter()
            .find(|n| !numbers(&mine).contains(n))
            .expect("a household of another village");
        let (s, _) = api_json(
            &app,
            "POST",
            &format!("/api/v1/low-income/{other}/visits"),
            Some(&team),
            Some(body.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // The department keeps no visits and reads no register.
        let dept = api_login(&app, "department").await;
        let (s, _) = api_json(&app, "POST", &path, Some(&dept), Some(body)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = api_json(&app, "GET", "/api/v1/low-income", Some(&dept), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'register_record'"
            )
            .await,
            audits + 1
        );

        // The household and the figures.
        let (s, sheet) = api_json(
            &app,
            "GET",
            &format!("/api/v1/low-income/{number}"),
            Some(&team),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(sheet["entry"]["month"]["status"], "done");
        let (s, f) = api_json(&app, "GET", "/api/v1/low-income/figures", Some(&team), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(f["visited"].as_u64().unwrap() >= 1);

        // The OpenAPI document lists the paths.
        let (_, doc) = api_json(&app, "GET", "/api/v1/openapi.json", None, None).await;
        assert!(doc["paths"]["/api/v1/low-income/{number}/visits"]["post"].is_object());
    }
);

db_test!(
    fn the_phone_form_records_and_shows_refusals(db: Db) {
        let (app, _) = app(&db).await;
        let cookie = login(&app, "village_team").await;
        let resp = app
            .clone()
            .oneshot(get("/low-income", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = body_text(resp).await;
        assert!(html.contains("纳入原因"));
        let team = api_login(&app, "village_team").await;
        let (_, mine) = api_json(
            &app,
            "GET",
            "/api/v1/low-income?status=pending",
            Some(&team),
            None,
        )
        .await;
        let number = numbers(&mine)[0].clone();
        let page = format!("/low-income/{number}");
        let resp = app.clone().oneshot(get(&page, &cookie)).await.unwrap();
        let html = body_text(resp).await;
        assert!(html.contains("low-income-visit-form"));
        assert!(html.contains("name=\"apply_tekun\""), "the 分类帮扶 fields");
        let csrf = csrf_of(&html);
        let form = format!(
            "csrf={csrf}&needs=%E5%8F%96%E6%9A%96&policy=dibao&policy=medical_aid&help=%E4%B8%B4%E6%97%B6%E6%95%91%E5%8A%A9&next_step=&apply_tekun=applying&apply_dibao="
        );
        let resp = app
            .clone()
            .oneshot(post_form(&format!("{page}/visit"), &cookie, &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let resp = app
            .clone()
            .oneshot(get(&format!("{page}?recorded=1"), &cookie))
            .await
            .unwrap();
        let html = body_text(resp).await;
        assert!(html.contains("visit-recorded") && html.contains("医疗救助"));
        assert!(html.contains("特困供养：申请中"), "the application's state");
        // The same month again: the form with the reason, 409.
        let resp = app
            .clone()
            .oneshot(post_form(&format!("{page}/visit"), &cookie, &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        assert!(body_text(resp).await.contains("已有走访记录"));

        // The ledger, as the township downloads it.
        let town = login(&app, "township_admin").await;
        let resp = app
            .clone()
            .oneshot(get("/api/v1/ledgers/low_income", &town))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = common::body_bytes(resp).await;
        assert!(bytes.starts_with(b"PK"), "an XLSX workbook");
    }
);
