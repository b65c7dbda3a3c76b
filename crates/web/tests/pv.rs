//! 光伏扶贫电站 and 光伏收益分配 (B2 §四(二)4, issue 23) through the pages and `/api/v1` on both databases, on
//! the demo county: the board (the demo's stations of both kinds, the rate against 90 %), a department kept
//! out, a station registered by form (township) and a month's income entered by form (a second one 409), a
//! village's distribution by form (uses above the amount 422, then saved), the API (board, stations, a
//! second distribution 409, a village team's income 403), the OpenAPI paths, the ledger as a workbook and
//! the dashboard's row.

use axum::Router;
use axum::http::StatusCode;
use shouwang_app::demo;
use shouwang_core::monitoring::YearMonth;
use shouwang_store::{Db, db_test};
use shouwang_web::http::form::encode as enc;
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{api_json, api_login, body_bytes, body_text, csrf_of, get, login, post_form};

async fn app(db: &Db) -> Router {
    let county = demo::generate(200, 3);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    router(AppState::new(db.clone()))
}

async fn page(app: &Router, uri: &str, cookie: &str) -> (StatusCode, String) {
    let resp = app.clone().oneshot(get(uri, cookie)).await.unwrap();
    let s = resp.status();
    (s, body_text(resp).await)
}

async fn submit(app: &Router, uri: &str, cookie: &str, form: &str) -> (StatusCode, String, String) {
    let resp = app
        .clone()
        .oneshot(post_form(uri, cookie, form))
        .await
        .unwrap();
    let s = resp.status();
    let to = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (s, to, body_text(resp).await)
}

db_test!(
    fn pv_through_the_pages_and_the_api(db: Db) {
        let app = app(&db).await;
        let today = shouwang_app::today();
        let this_month = YearMonth::of(today).to_string();
        let team = login(&app, "village_team").await;
        let town = login(&app, "township_admin").await;

        // The board: the demo's stations of both kinds, the rate against the target.
        let (s, html) = page(&app, "/pv", &team).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("id=\"pv-rate\"")
                && html.contains("村级光伏电站")
                && html.contains("集中式电站")
                && html.contains("id=\"pv-distribute\"")
                && !html.contains("id=\"pv-station-new\""),
            "{html}"
        );
        // The demo's year (the classic frame, 2022): the distributions, one corrected.
        let (_, html) = page(&app, "/pv?year=2022", &team).await;
        assert!(
            html.contains("id=\"pv-distributions\"")
                && html.contains("村民代表会议决议（2022年1月）")
                && html.contains("id=\"pv-months\""),
            "{html}"
        );
        let dept = login(&app, "department").await;
        let (s, _) = page(&app, "/pv", &dept).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = page(&app, "/pv/stations/new", &team).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // A station registered by form (the township), then a month's income; a second one is refused.
        let (s, html) = page(&app, "/pv/stations/new", &town).await;
        assert_eq!(s, StatusCode::OK);
        let csrf = csrf_of(&html);
        let form = format!(
            "csrf={csrf}&name={}&kind=village&place=141123208201&capacity_kw=60&grid_on=2025-05-01&state=running",
            enc("页面测试光伏电站")
        );
        let (s, to, body) = submit(&app, "/pv/stations/new", &town, &form).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        let id: i64 = to
            .trim_start_matches("/pv/stations/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let (s, html) = page(&app, &to, &town).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("id=\"station-form\"") && html.contains("id=\"income-form\""),
            "{html}"
        );
        let form = format!("csrf={csrf}&month={this_month}&amount=1234.50&note=");
        let uri = format!("/pv/stations/{id}/income");
        let (s, _, body) = submit(&app, &uri, &town, &form).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        let (s, _, body) = submit(&app, &uri, &town, &form).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert!(
            body.contains("id=\"income-error\"") && body.contains("已录入"),
            "{body}"
        );
        let (_, html) = page(&app, &format!("/pv/stations/{id}"), &team).await;
        assert!(html.contains("1234.50") && !html.contains("id=\"income-form\""));

        // The village's distribution of this month by form: uses above the amount refused, then saved.
        let (s, html) = page(&app, "/pv/distribute", &team).await;
        assert_eq!(s, StatusCode::OK);
        let csrf = csrf_of(&html);
        let form = |other: &str| {
            format!(
                "csrf={csrf}&village=141123208201&month={this_month}&distributed=1000&post_wages=0&public_works=600&rewards=300&other={other}&posts=&decision={}&decided_on={today}&note=",
                enc("村民代表会议决议（页面测试）")
            )
        };
        let (s, _, body) = submit(&app, "/pv/distribute", &team, &form("100.01")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("id=\"distribute-error\"") && body.contains("超过"),
            "{body}"
        );
        let (s, to, body) = submit(&app, "/pv/distribute", &team, &form("100")).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        let (_, html) = page(&app, &to, &team).await;
        assert!(html.contains("村民代表会议决议（页面测试）"), "{html}");

        // The API: the board, the stations, a second distribution 409, a village team's income 403.
        let token = api_login(&app, "township_admin").await;
        let team_token = api_login(&app, "village_team").await;
        let (s, b) = api_json(&app, "GET", "/api/v1/pv", Some(&token), None).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert_eq!(b["targets"]["village_rate_pct"], 90);
        assert!(b["rate"]["income"].as_i64().unwrap() > 0);
        assert!(!b["months"].as_array().unwrap().is_empty());
        let (s, st) = api_json(&app, "GET", "/api/v1/pv/stations", Some(&token), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(st.as_array().unwrap().len() >= 4, "{st}");
        let again = serde_json::json!({
            "village": "141123208201", "month": this_month, "distributed": 100000,
            "decision": "重复", "decided_on": today.to_string(),
        });
        let (s, v) = api_json(
            &app,
            "POST",
            "/api/v1/pv/distributions",
            Some(&token),
            Some(again),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        let (s, _) = api_json(
            &app,
            "POST",
            &format!("/api/v1/pv/stations/{id}/income"),
            Some(&team_token),
            Some(serde_json::json!({"month": this_month, "amount": 100})),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, v) = api_json(
            &app,
            "GET",
            &format!("/api/v1/pv/stations/{id}"),
            Some(&team_token),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["total"], 123_450);

        // The OpenAPI document names the paths.
        let (s, doc) = api_json(&app, "GET", "/api/v1/openapi.json", None, None).await;
        assert_eq!(s, StatusCode::OK);
        for p in [
            "/api/v1/pv",
            "/api/v1/pv/stations",
            "/api/v1/pv/stations/{id}",
            "/api/v1/pv/stations/{id}/income",
            "/api/v1/pv/distributions",
        ] {
            assert!(
                doc["paths"].get(p).is_some(),
                "{p} missing from openapi.json"
            );
        }

        // The ledger downloads as a workbook; the dashboard shows the rate's row.
        let resp = app
            .clone()
            .oneshot(get("/api/v1/ledgers/pv_distribution", &town))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(body_bytes(resp).await.starts_with(b"PK"));
        let (s, html) = page(&app, "/dashboard", &town).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("光伏收益分配到村率"), "{html}");
        // The targets are county rules, editable on /admin/rules (defaults of the plan).
        let county = login(&app, "county_admin").await;
        let (s, html) = page(&app, "/admin/rules", &county).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("全年光伏扶贫收益目标") && html.contains("85000000"),
            "{html}"
        );
    }
);
