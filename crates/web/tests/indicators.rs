//! 村容村貌指标 (B5, issue 22) through the pages and `/api/v1/indicators`, on both databases, on the demo
//! county: the county's board with villages in every state and the targets; the village team enters on
//! its phone form (a figure over its total refused on the page, 422, the form kept), the township checks
//! it; the API answers the board, refuses another village (403) and a stale version (409); a department
//! is refused at the gate; the ledger downloads; the OpenAPI lists the paths.

use axum::Router;
use axum::http::StatusCode;
use serde_json::json;
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{api_json, api_login, body_text, csrf_of, get, login, post_form};

const DEMO_VILLAGE: &str = "141123208201";

async fn app(db: &Db) -> (Router, i32) {
    let county = demo::generate(300, 5);
    let summary = demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    assert!(summary.village_indicators >= 3, "{summary:?}");
    (
        router(AppState::new(db.clone())),
        chrono::Datelike::year(&county.frame.as_of),
    )
}

async fn page(app: &Router, uri: &str, cookie: &str) -> (StatusCode, String) {
    let resp = app.clone().oneshot(get(uri, cookie)).await.unwrap();
    (resp.status(), body_text(resp).await)
}

db_test!(
    fn indicators_entered_on_a_phone_and_checked_by_the_township(db: Db) {
        let (app, year) = app(&db).await;
        let town = login(&app, "township_admin").await;
        let county_page = login(&app, "county_admin").await;
        let (s, html) = page(&app, &format!("/indicators?year={year}"), &county_page).await;
        assert_eq!(s, StatusCode::OK);
        for state in ["已填报待核实", "乡镇已核实", "退回修改", "未填报"] {
            assert!(html.contains(state), "{state} on the board");
        }
        assert!(html.contains("卫生厕所普及率 ≥ 75%") && html.contains("indicator-ledger"));

        // The village team corrects its figures on the phone form.
        let team = login(&app, "village_team").await;
        let uri = format!("/indicators/{DEMO_VILLAGE}?year={year}");
        let (s, html) = page(&app, &uri, &team).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("indicator-form") && !html.contains("indicator-check"));
        let csrf = csrf_of(&html);
        let act = format!("/indicators/{DEMO_VILLAGE}/act");
        let form = |toilets: u32| {
            format!(
                "csrf={csrf}&action=enter&year={year}&version=1&households=200&toilets={toilets}&natural_villages=6&garbage_covered=6&civilized=150&note=x"
            )
        };
        let resp = app
            .clone()
            .oneshot(post_form(&act, &team, &form(201)))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = body_text(resp).await;
        assert!(
            html.contains("不能大于总数") && html.contains("value=\"201\""),
            "{html}"
        );
        let resp = app
            .clone()
            .oneshot(post_form(&act, &team, &form(160)))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let (_, html) = page(&app, &format!("{uri}&done=1"), &team).await;
        assert!(
            html.contains("indicator-done") && html.contains("80.0%"),
            "{html}"
        );

        // The township checks it; the village can no longer change it.
        let (_, html) = page(&app, &uri, &town).await;
        assert!(html.contains("indicator-check"));
        let csrf = csrf_of(&html);
        let check = format!("csrf={csrf}&action=check&year={year}&version=2");
        let resp = app
            .clone()
            .oneshot(post_form(&act, &town, &check))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let (_, html) = page(&app, &uri, &team).await;
        assert!(html.contains("乡镇已核实") && !html.contains("indicator-form"));

        // The API: the board, another village (403), a stale version (409).
        let county = api_login(&app, "county_admin").await;
        let (s, b) = api_json(
            &app,
            "GET",
            &format!("/api/v1/indicators?year={year}"),
            Some(&county),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(b["villages"].as_array().unwrap().len() >= 3);
        assert_eq!(b["targets"]["garbage_pct"], 90);
        let token = api_login(&app, "village_team").await;
        let other = b["villages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["code"].as_str().unwrap())
            .find(|c| *c != DEMO_VILLAGE)
            .unwrap()
            .to_owned();
        let body = json!({"year": year, "version": 0, "action": "enter",
            "figures": {"households": 10, "toilets": 8, "natural_villages": 1, "garbage_covered": 1, "civilized": 7}});
        let (s, _) = api_json(
            &app,
            "POST",
            &format!("/api/v1/indicators/{other}"),
            Some(&token),
            Some(body),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let returned = json!({"year": year, "version": 1, "action": "return", "reason": "复核"});
        let (s, e) = api_json(
            &app,
            "POST",
            &format!("/api/v1/indicators/{DEMO_VILLAGE}"),
            Some(&county),
            Some(returned),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        let returned = json!({"year": year, "version": 3, "action": "return", "reason": "复核"});
        let (s, v) = api_json(
            &app,
            "POST",
            &format!("/api/v1/indicators/{DEMO_VILLAGE}"),
            Some(&county),
            Some(returned),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["record"]["status"], "returned");

        // A department reads no registry; the ledger downloads; the OpenAPI lists the paths.
        let dept = login(&app, "department").await;
        let (s, _) = page(&app, "/indicators", &dept).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let resp = app
            .clone()
            .oneshot(get("/api/v1/ledgers/village_indicators", &town))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let (_, doc) = api_json(&app, "GET", "/api/v1/openapi.json", None, None).await;
        assert!(doc["paths"]["/api/v1/indicators/{village}"]["post"].is_object());
    }
);
