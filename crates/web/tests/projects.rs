//! 项目库与衔接资金 (B2, issue 23) through `/api/v1/projects…` on both databases, on the demo county: a
//! project from 村申报 to 县备案 by the four roles, a step out of order (409), a wrong role (403), a payment
//! and one over the plan (409), the queue and the board, an auditor reading but not writing, the two
//! ledgers, the OpenAPI paths; the pages: 村申报 by form, a step and a payment by form, a refusal shown
//! on the project's page.

use axum::Router;
use axum::http::StatusCode;
use serde_json::{Value, json};
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{api_json, api_login, body_bytes, body_text, csrf_of, get, login, post_form};

const DEMO_VILLAGE: &str = "141123208201";

async fn app(db: &Db) -> Router {
    let county = demo::generate(200, 3);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    router(AppState::new(db.clone()))
}

fn step(step: &str, decision: &str, opinion: &str) -> Value {
    json!({"step": step, "decision": decision, "opinion": opinion})
}

db_test!(
    fn a_project_through_the_api(db: Db) {
        let app = app(&db).await;
        let team = api_login(&app, "village_team").await;
        let town = api_login(&app, "township_admin").await;
        let dept = api_login(&app, "department").await;
        let county = api_login(&app, "county_admin").await;
        let auditor = api_login(&app, "auditor").await;
        // The demo village's projects show every state.
        let (s, all) = api_json(&app, "GET", "/api/v1/projects", Some(&county), None).await;
        assert_eq!(s, StatusCode::OK);
        let mut states: Vec<&str> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["state"].as_str().unwrap())
            .collect();
        states.sort_unstable();
        states.dedup();
        assert_eq!(states.len(), 6, "{states:?}");
        let body = json!({"project": {
            "name": "API测试村道硬化", "kind": "infrastructure", "village": DEMO_VILLAGE,
            "place": "村东", "content": "硬化村道2公里", "year_from": 2026, "year_to": 2026,
            "plan": {"central": 30_000_000, "integrated": 10_000_000}, "households": []
        }, "opinion": "村民代表会议通过"});
        let (s, v) = api_json(
            &app,
            "POST",
            "/api/v1/projects",
            Some(&town),
            Some(body.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let (s, v) = api_json(&app, "POST", "/api/v1/projects", Some(&team), Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["id"].as_i64().unwrap();
        let steps = format!("/api/v1/projects/{id}/steps");

        let (s, q) = api_json(&app, "GET", "/api/v1/projects/queue", Some(&town), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(q.as_array().unwrap().iter().any(|e| e["id"] == id), "{q}");
        let skip = step("county_filing", "approve", "");
        let (s, v) = api_json(&app, "POST", &steps, Some(&county), Some(skip)).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        for (who, st, state) in [
            (&town, "township_review", "township_approved"),
            (&dept, "department_review", "department_approved"),
            (&county, "county_filing", "filed"),
        ] {
            let (s, v) = api_json(
                &app,
                "POST",
                &steps,
                Some(who),
                Some(step(st, "approve", "同意")),
            )
            .await;
            assert_eq!(s, StatusCode::OK, "{st}: {v}");
            assert_eq!(v["state"], state);
        }
        let (s, _) = api_json(
            &app,
            "POST",
            &steps,
            Some(&auditor),
            Some(step("county_filing", "approve", "")),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        let pays = format!("/api/v1/projects/{id}/payments");
        let today = shouwang_app::today().to_string();
        let pay = |fen: i64| json!({"source": "central", "paid_on": today, "amount": fen, "voucher": "国库支付0001"});
        let (s, v) = api_json(&app, "POST", &pays, Some(&town), Some(pay(1))).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let (s, v) = api_json(&app, "POST", &pays, Some(&county), Some(pay(12_000_000))).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let (s, v) = api_json(&app, "POST", &pays, Some(&county), Some(pay(18_000_001))).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        assert!(
            v["message_zh"].as_str().unwrap().contains("超计划拨付"),
            "{v}"
        );

        let (s, v) = api_json(
            &app,
            "GET",
            &format!("/api/v1/projects/{id}"),
            Some(&auditor),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["steps"].as_array().unwrap().len(), 4);
        assert_eq!(v["entry"]["progress"]["paid"], 12_000_000);
        let (s, b) = api_json(&app, "GET", "/api/v1/projects/board", Some(&county), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(b["total"]["paid"].as_i64().unwrap() >= 12_000_000, "{b}");
        let (s, _) = api_json(
            &app,
            "GET",
            "/api/v1/projects?state=nonsense",
            Some(&town),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

        for kind in ["projects", "project_funds"] {
            let cookie = login(&app, "county_admin").await;
            let resp = app
                .clone()
                .oneshot(get(&format!("/api/v1/ledgers/{kind}"), &cookie))
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{kind}");
            assert!(body_bytes(resp).await.starts_with(b"PK"), "{kind}");
        }
        let (_, doc) = api_json(&app, "GET", "/api/v1/openapi.json", None, None).await;
        assert!(doc["paths"]["/api/v1/projects/{id}/payments"]["post"].is_object());
    }
);

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

use shouwang_web::http::form::encode as enc;

db_test!(
    fn a_project_through_the_pages(db: Db) {
        let app = app(&db).await;
        let team = login(&app, "village_team").await;
        let (s, html) = page(&app, "/projects", &team).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("id=\"project-queue\""),
            "the returned demo project awaits the team"
        );
        // Each role's 工作台 lists the demo project awaiting its step.
        for user in [
            "village_team",
            "township_admin",
            "department",
            "county_admin",
        ] {
            let (s, html) = page(&app, "/", &login(&app, user).await).await;
            assert_eq!(s, StatusCode::OK, "{user}");
            assert!(html.contains("id=\"home-projects\""), "{user}: {html}");
        }
        let (s, html) = page(&app, "/projects/new", &team).await;
        assert_eq!(s, StatusCode::OK);
        let csrf = csrf_of(&html);
        let form = format!(
            "csrf={csrf}&name={}&kind=industry&place=&content=&year_from=2026&year_to=2026&plan_central=1000.00&plan_county=200&households=&opinion={}",
            enc("页面测试养殖项目"),
            enc("村民代表会议通过")
        );
        let (s, to, _) = submit(&app, "/projects/new", &team, &form).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let project = to.split('?').next().unwrap().to_owned();
        let (_, html) = page(&app, &project, &team).await;
        assert!(
            html.contains("页面测试养殖项目") && html.contains("1200.00"),
            "{html}"
        );

        let town = login(&app, "township_admin").await;
        let (_, html) = page(&app, &project, &town).await;
        assert!(html.contains("id=\"project-step-form\""));
        let csrf = csrf_of(&html);
        let no_reason =
            format!("csrf={csrf}&version=1&step=township_review&decision=refuse&opinion=");
        let (s, _, html) = submit(&app, &format!("{project}/step"), &town, &no_reason).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"project-error\""), "{html}");
        for (user, st) in [
            ("township_admin", "township_review"),
            ("department", "department_review"),
            ("county_admin", "county_filing"),
        ] {
            let cookie = login(&app, user).await;
            let (_, html) = page(&app, &project, &cookie).await;
            let csrf = csrf_of(&html);
            let form = format!(
                "csrf={csrf}&step={st}&decision=approve&opinion={}",
                enc("同意")
            );
            let (s, _, body) = submit(&app, &format!("{project}/step"), &cookie, &form).await;
            assert_eq!(s, StatusCode::SEE_OTHER, "{st}: {body}");
        }
        let county = login(&app, "county_admin").await;
        let (_, html) = page(&app, &project, &county).await;
        assert!(html.contains("id=\"project-pay-form\""));
        let csrf = csrf_of(&html);
        let today = shouwang_app::today();
        let pay = |yuan: &str| {
            format!("csrf={csrf}&source=central&paid_on={today}&amount={yuan}&voucher=V1")
        };
        let (s, _, _) = submit(&app, &format!("{project}/pay"), &county, &pay("600.00")).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, html) = submit(&app, &format!("{project}/pay"), &county, &pay("400.01")).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert!(html.contains("超计划拨付"), "{html}");
        let (_, html) = page(&app, &project, &county).await;
        assert!(html.contains("600.00") && html.contains("50.0%"), "{html}");
        let (s, _) = page(&app, "/projects", &login(&app, "auditor").await).await;
        assert_eq!(s, StatusCode::OK);
    }
);
