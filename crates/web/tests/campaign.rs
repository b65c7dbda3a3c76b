//! 三保障和饮水安全问题排查 (A6, issue 22) through `/api/v1/campaign…` and the pages, on both databases, on the
//! demo county: the demo village's coverage in the demo's quarters (last one done, this one pending with
//! the households not checked listed), a check recorded (201) with a problem that reaches the 问题台账, a
//! second check of the household in the quarter (409), another village (403), a department (403 at the
//! gate), the phone form with its refusal on the page, the township's 年度工作方案 (the demo's, a stale
//! save refused), the checklist on the county rules page, the 排查台账
//! and the OpenAPI paths.

use axum::Router;
use axum::http::StatusCode;
use serde_json::{Value, json};
use shouwang_app::demo;
use shouwang_core::monitoring::calendar::Quarter;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{api_json, api_login, body_text, count, csrf_of, get, login, post_form};

const DEMO_VILLAGE: &str = "141123208201";

async fn app(db: &Db) -> (Router, demo::DemoSummary, Quarter) {
    let county = demo::generate(120, 3);
    let summary = demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    (
        router(AppState::new(db.clone())),
        summary,
        Quarter::of(county.frame.as_of),
    )
}

fn village<'a>(all: &'a Value, code: &str) -> &'a Value {
    all.as_array()
        .unwrap()
        .iter()
        .find(|v| v["village"] == code)
        .unwrap_or_else(|| panic!("{code} in {all}"))
}

/// Every item of `sheet`'s checklist 无问题, but `problem` (code, what was found).
fn answers(sheet: &Value, problem: Option<(&str, &str)>) -> Value {
    let items: Vec<Value> = sheet["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let code = i["code"].as_str().unwrap();
            match problem {
                Some((c, f)) if c == code => json!({"code": code, "problem": true, "found": f}),
                _ => json!({"code": code, "problem": false}),
            }
        })
        .collect();
    Value::Array(items)
}

db_test!(
    fn coverage_checks_and_refusals_through_the_api(db: Db) {
        let (app, summary, q) = app(&db).await;
        assert!(summary.campaign_checks >= 2, "{summary:?}");
        let town = api_login(&app, "township_admin").await;
        let last = Quarter::of(q.first_day() - chrono::Duration::days(1));
        let (s, all) = api_json(
            &app,
            "GET",
            &format!("/api/v1/campaign?quarter={last}"),
            Some(&api_login(&app, "county_admin").await),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{all}");
        let demo_v = village(&all, DEMO_VILLAGE);
        assert_eq!(demo_v["state"]["status"], "done", "{demo_v}");
        assert_eq!(
            demo_v["coverage"]["checked"],
            demo_v["coverage"]["households"]
        );
        assert!(
            all.as_array()
                .unwrap()
                .iter()
                .any(|v| v["state"]["status"] == "overdue"),
            "another village of the county not checked: {all}"
        );
        let (_, this) = api_json(
            &app,
            "GET",
            &format!("/api/v1/campaign?quarter={q}&area={DEMO_VILLAGE}"),
            Some(&town),
            None,
        )
        .await;
        let demo_v = village(&this, DEMO_VILLAGE);
        assert!(
            !demo_v["missing"].as_array().unwrap().is_empty(),
            "{demo_v}"
        );
        assert!(
            demo_v["problems"].as_u64().unwrap() >= 1,
            "the demo's seasonal shortage"
        );

        // Today's quarter: the team checks a household of its village — 201, a problem in the ledger; then 409.
        let team = api_login(&app, "village_team").await;
        let (_, now) = api_json(&app, "GET", "/api/v1/campaign", Some(&team), None).await;
        let number = now[0]["missing"][0]["number"].as_str().unwrap().to_owned();
        let (s, sheet) = api_json(
            &app,
            "GET",
            &format!("/api/v1/campaign/{number}"),
            Some(&team),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{sheet}");
        let body = json!({
            "answers": answers(&sheet, Some(("med_chronic", "高血压患者未签约家庭医生"))),
            "deadline": "2099-12-31",
        });
        let path = format!("/api/v1/campaign/{number}/checks");
        let audits = count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'register_record'",
        )
        .await;
        let (s, done) = api_json(&app, "POST", &path, Some(&team), Some(body.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{done}");
        let id = done["problems"][0].as_i64().unwrap();
        let (s, p) = api_json(
            &app,
            "GET",
            &format!("/api/v1/problems/{id}"),
            Some(&town),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(p["problem"]["sector"], "basic_medical");
        assert_eq!(p["problem"]["household"], number.as_str());
        let (s, e) = api_json(&app, "POST", &path, Some(&team), Some(body.clone())).await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        // An item left out: 422 with the item named.
        let mut short = body.clone();
        short["answers"].as_array_mut().unwrap().pop();
        let other = now[0]["missing"][1]["number"].as_str().unwrap();
        let (s, e) = api_json(
            &app,
            "POST",
            &format!("/api/v1/campaign/{other}/checks"),
            Some(&team),
            Some(short),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(
            e["message_zh"].as_str().unwrap().contains("请填写排查事项"),
            "{e}"
        );
        // A household of another village: 403; a department: 403 at the gate.
        let (_, county_all) = api_json(
            &app,
            "GET",
            "/api/v1/campaign",
            Some(&api_login(&app, "county_admin").await),
            None,
        )
        .await;
        let elsewhere = county_all
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["village"] != DEMO_VILLAGE)
            .unwrap()["missing"][0]["number"]
            .as_str()
            .unwrap()
            .to_owned();
        let (s, _) = api_json(
            &app,
            "POST",
            &format!("/api/v1/campaign/{elsewhere}/checks"),
            Some(&team),
            Some(body.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let dept = api_login(&app, "department").await;
        let (s, _) = api_json(&app, "POST", &path, Some(&dept), Some(body)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = api_json(&app, "GET", "/api/v1/campaign", Some(&dept), None).await;
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
        assert!(doc["paths"]["/api/v1/campaign/{number}/checks"]["post"].is_object());
        assert!(doc["paths"]["/api/v1/campaign"]["get"].is_object());
    }
);

db_test!(
    fn the_phone_form_the_plan_the_rules_and_the_ledger(db: Db) {
        let (app, _, q) = app(&db).await;
        let year = q.year;
        let cookie = login(&app, "village_team").await;
        let resp = app
            .clone()
            .oneshot(get("/campaign", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = body_text(resp).await;
        assert!(html.contains("campaign-coverage"), "{html}");
        let team = api_login(&app, "village_team").await;
        let (_, now) = api_json(&app, "GET", "/api/v1/campaign", Some(&team), None).await;
        let number = now[0]["missing"][0]["number"].as_str().unwrap().to_owned();
        assert!(html.contains(&number));
        let page = format!("/campaign/{number}");
        let resp = app.clone().oneshot(get(&page, &cookie)).await.unwrap();
        let html = body_text(resp).await;
        assert!(
            html.contains("campaign-check-form") && html.contains("改而不住"),
            "{html}"
        );
        let csrf = csrf_of(&html);
        let (_, sheet) = api_json(&app, "GET", &format!("/api/v1{page}"), Some(&team), None).await;
        let codes: Vec<&str> = sheet["checklist"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["code"].as_str().unwrap())
            .collect();
        let mut base = format!("csrf={csrf}");
        for c in &codes {
            let answer = if *c == "water_seasonal" {
                "problem"
            } else {
                "ok"
            };
            base.push_str(&format!("&ans_{c}={answer}"));
        }
        // A problem without what was found: refused on the page (422), the form kept.
        let blank = format!("{base}&found_water_seasonal=");
        let resp = app
            .clone()
            .oneshot(post_form(&format!("{page}/check"), &cookie, &blank))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body_text(resp).await.contains("请填写发现的问题"));
        // 旱季缺水 (URL-encoded).
        let form = format!("{base}&found_water_seasonal=%E6%97%B1%E5%AD%A3%E7%BC%BA%E6%B0%B4");
        let resp = app
            .clone()
            .oneshot(post_form(&format!("{page}/check"), &cookie, &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let resp = app
            .clone()
            .oneshot(get(&format!("{page}?recorded=1"), &cookie))
            .await
            .unwrap();
        let html = body_text(resp).await;
        assert!(
            html.contains("check-recorded") && html.contains("旱季缺水"),
            "{html}"
        );
        assert!(
            !html.contains("campaign-check-form"),
            "no second form this quarter"
        );

        // The township's 年度工作方案: the demo's of its year, and the form for the township admin.
        let town = login(&app, "township_admin").await;
        let resp = app
            .clone()
            .oneshot(get(&format!("/campaign?year={year}"), &town))
            .await
            .unwrap();
        let html = body_text(resp).await;
        assert!(
            html.contains("plan-form") && html.contains("每季度开展一次问题排查"),
            "{html}"
        );
        let csrf = csrf_of(&html);
        let (_, plans) = api_json(
            &app,
            "GET",
            &format!("/api/v1/campaign-plans?year={year}"),
            Some(&api_login(&app, "township_admin").await),
            None,
        )
        .await;
        let township = plans[0]["township"].as_str().unwrap().to_owned();
        // Saved from a stale version: 409 on the page, the form kept with the reason.
        let form = format!(
            "csrf={csrf}&township={township}&version=0&year={year}&title=T&targets=A&measures=B&starts_on={year}-01-01&ends_on={year}-12-31"
        );
        let resp = app
            .clone()
            .oneshot(post_form("/campaign-plans", &town, &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        let form = form.replace("version=0", "version=1");
        let resp = app
            .clone()
            .oneshot(post_form("/campaign-plans", &town, &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);

        let county = login(&app, "county_admin").await;
        let resp = app
            .clone()
            .oneshot(get("/admin/rules", &county))
            .await
            .unwrap();
        let html = body_text(resp).await;
        assert!(
            html.contains("campaign-checklist") && html.contains("季节性缺水"),
            "{html}"
        );
        let resp = app
            .clone()
            .oneshot(get("/api/v1/ledgers/campaign", &county))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
);
