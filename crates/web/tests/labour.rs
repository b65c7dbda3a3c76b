//! 农村劳动力就业 (B1, issue 21) through `/api/v1/labour…` and the pages, on both databases, on the demo
//! county: the demo village's households with labour in every state (done, overdue, pending) and every
//! 就业状态, the figure against last year, who is not recorded yet, a record (201), a second in the month
//! (409), another village (403), a department (403 at the gate), the phone form and its refusal on the
//! page, the ledger, the dashboard's figure, the OpenAPI paths.

use axum::http::StatusCode;
use serde_json::{Value, json};
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{api_json, api_login, body_text, count, csrf_of, get, login, post_form};

fn entries(v: &Value) -> &Vec<Value> {
    v.as_array().unwrap()
}

db_test!(
    fn the_register_lists_records_and_refuses(db: Db) {
        let county = demo::generate(400, 3);
        let summary = demo::load(&db, &county, &|_, _| {})
            .await
            .expect("demo load");
        assert!(summary.labour_records >= 4, "{summary:?}");
        let app = router(AppState::new(db.clone()));
        let team = api_login(&app, "village_team").await;
        let (s, dec) = api_json(
            &app,
            "GET",
            "/api/v1/labour?month=2022-12",
            Some(&team),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{dec}");
        let states: Vec<&str> = entries(&dec)
            .iter()
            .map(|e| e["month"]["status"].as_str().unwrap())
            .collect();
        assert!(states.contains(&"done"), "{states:?}");
        let (_, nov) = api_json(
            &app,
            "GET",
            "/api/v1/labour?month=2022-11",
            Some(&team),
            None,
        )
        .await;
        let states: Vec<&str> = entries(&nov)
            .iter()
            .map(|e| e["month"]["status"].as_str().unwrap())
            .collect();
        assert!(
            states.contains(&"overdue") && states.contains(&"done"),
            "{states:?}"
        );
        let statuses: Vec<&str> = entries(&nov)
            .iter()
            .filter_map(|e| e["record"]["workers"].as_array())
            .flatten()
            .map(|w| w["status"].as_str().unwrap())
            .collect();
        for s in [
            "migrant",
            "nearby",
            "welfare_post",
            "workshop",
            "self_employed",
            "unemployed",
        ] {
            assert!(statuses.contains(&s), "{s} in {statuses:?}");
        }
        let (_, missing) = api_json(
            &app,
            "GET",
            "/api/v1/labour?month=2022-11&state=missing",
            Some(&team),
            None,
        )
        .await;
        // The one left out on purpose (and any whose labour changed since: refused by the checks).
        assert!(!entries(&missing).is_empty(), "{missing}");
        assert!(
            entries(&missing).len() < entries(&nov).len() / 2,
            "{missing}"
        );
        let (s, f) = api_json(
            &app,
            "GET",
            "/api/v1/labour/figures?month=2022-11",
            Some(&team),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{f}");
        let (this, last) = (
            f["trend"]["this_year"].as_u64().unwrap(),
            f["trend"]["last_year"].as_u64().unwrap(),
        );
        assert!(this > last && last > 0, "{f}");

        // Today's month is not recorded: 201, then 409; audited once.
        let e = &entries(&dec)[0];
        let number = e["number"].as_str().unwrap();
        let workers: Vec<Value> = e["labour"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| json!({"position": l["position"], "status": "nearby", "employer": "本村合作社"}))
            .collect();
        let body = json!({ "workers": workers });
        let path = format!("/api/v1/labour/{number}/records");
        let audits = count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'register_record'",
        )
        .await;
        let (s, v) = api_json(&app, "POST", &path, Some(&team), Some(body.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let (s, _) = api_json(&app, "POST", &path, Some(&team), Some(body.clone())).await;
        assert_eq!(s, StatusCode::CONFLICT);
        // A household of another village: 403.
        let admin = api_login(&app, "county_admin").await;
        let (_, all) = api_json(&app, "GET", "/api/v1/labour", Some(&admin), None).await;
        let other = entries(&all)
            .iter()
            .find(|e| e["village"] != dec[0]["village"])
            .unwrap()["number"]
            .as_str()
            .unwrap()
            .to_owned();
        let (s, _) = api_json(
            &app,
            "POST",
            &format!("/api/v1/labour/{other}/records"),
            Some(&team),
            Some(body.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let dept = api_login(&app, "department").await;
        let (s, _) = api_json(&app, "POST", &path, Some(&dept), Some(body)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = api_json(&app, "GET", "/api/v1/labour", Some(&dept), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'register_record'"
            )
            .await,
            audits + 1
        );
        let (_, doc) = api_json(&app, "GET", "/api/v1/openapi.json", None, None).await;
        assert!(doc["paths"]["/api/v1/labour/{number}/records"]["post"].is_object());

        // The phone form: 外出务工 without where refused (422, the form kept), then recorded.
        let cookie = login(&app, "village_team").await;
        let resp = app
            .clone()
            .oneshot(get("/labour?month=2022-11", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = body_text(resp).await;
        assert!(
            html.contains("labour-trends") && html.contains("稳中有增"),
            "{html}"
        );
        let e = &entries(&dec)[1];
        let number = e["number"].as_str().unwrap();
        let page = format!("/labour/{number}");
        let html = body_text(app.clone().oneshot(get(&page, &cookie)).await.unwrap()).await;
        assert!(html.contains("labour-record-form"), "{html}");
        let csrf = csrf_of(&html);
        let positions: Vec<u64> = e["labour"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["position"].as_u64().unwrap())
            .collect();
        let rest: String = positions[1..]
            .iter()
            .map(|p| format!("&status_{p}=unemployed"))
            .collect();
        let p = positions[0];
        let bad = format!("csrf={csrf}&status_{p}=migrant{rest}");
        let resp = app
            .clone()
            .oneshot(post_form(&format!("{page}/record"), &cookie, &bad))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body_text(resp).await.contains("务工地点"));
        let good = format!(
            "csrf={csrf}&status_{p}=migrant&place_{p}=out_of_province&wage_{p}=5000&drive_{p}=enterprise{rest}"
        );
        let resp = app
            .clone()
            .oneshot(post_form(&format!("{page}/record"), &cookie, &good))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let html = body_text(
            app.clone()
                .oneshot(get(&format!("{page}?recorded=1"), &cookie))
                .await
                .unwrap(),
        )
        .await;
        assert!(
            html.contains("labour-recorded")
                && html.contains("外出务工（省外），月收入5000元，企业吸纳"),
            "{html}"
        );

        let county = login(&app, "county_admin").await;
        let resp = app
            .clone()
            .oneshot(get("/api/v1/ledgers/labour", &county))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let resp = app
            .clone()
            .oneshot(get("/dashboard", &county))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
);
