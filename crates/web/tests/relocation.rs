//! 易地搬迁后续扶持 (A5, issue 21) through `/api/v1/relocation…` and the pages, on both databases, on the
//! demo county: the settlement point's households with the target in every state, the figure and the list
//! that misses it, a screening recorded (201), a second in the quarter (409), another village (403), a
//! department (403 at the gate), the phone form and its refusal on the page, the ledger, the OpenAPI paths.

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

fn field<'a>(v: &'a Value, name: &str) -> Vec<&'a str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e[name].as_str().unwrap_or_default())
        .collect()
}

/// Makes the demo village's households relocated ones (分散安置) so that the demo village team keeps their
/// screening; the first with a labour force: its 户编号 and the place of its first labour member.
async fn relocate_village(app: &Router, db: &Db) -> (String, u64) {
    use sea_orm::ConnectionTrait;
    db.conn()
        .execute_unprepared(&format!(
            "UPDATE households SET is_relocated = TRUE WHERE village_code = '{DEMO_VILLAGE}'"
        ))
        .await
        .unwrap();
    let team = api_login(app, "village_team").await;
    let (_, list) = api_json(app, "GET", "/api/v1/relocation", Some(&team), None).await;
    let e = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| !e["labour"].as_array().unwrap().is_empty())
        .expect("a household with labour");
    (
        e["number"].as_str().unwrap().to_owned(),
        e["labour"][0]["position"].as_u64().unwrap(),
    )
}

db_test!(
    fn the_register_lists_the_target_and_refuses(db: Db) {
        let (app, summary) = app(&db).await;
        assert!(summary.relocation_screenings >= 2, "{summary:?}");
        let county = api_login(&app, "county_admin").await;
        let (s, all) = api_json(
            &app,
            "GET",
            "/api/v1/relocation?quarter=2022-Q4",
            Some(&county),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{all}");
        let targets = field(&all, "target");
        for t in ["met", "unmet", "unscreened"] {
            assert!(targets.contains(&t), "{t} in {targets:?}");
        }
        let states: Vec<&str> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["quarter"]["status"].as_str().unwrap())
            .collect();
        assert!(
            states.contains(&"done") && states.contains(&"overdue"),
            "{states:?}"
        );
        let (_, misses) = api_json(
            &app,
            "GET",
            "/api/v1/relocation?target=misses",
            Some(&county),
            None,
        )
        .await;
        let (s, f) = api_json(
            &app,
            "GET",
            "/api/v1/relocation/figures",
            Some(&county),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            f["missing"].as_u64().unwrap() as usize,
            misses.as_array().unwrap().len()
        );
        assert!(f["with_labour"].as_u64().unwrap() >= f["met"].as_u64().unwrap());

        // The demo village team screens a (designed) relocated household of its village: 201, then 409.
        let (number, position) = relocate_village(&app, &db).await;
        let team = api_login(&app, "village_team").await;
        let (s, sheet) = api_json(
            &app,
            "GET",
            &format!("/api/v1/relocation/{number}"),
            Some(&team),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{sheet}");
        assert!(!sheet["entry"]["labour"].as_array().unwrap().is_empty());
        let workers = json!([{"position": position, "job": "welfare_post", "place": "in_county"}]);
        let body = json!({"workers": workers, "employment_needs": "就近务工"});
        let path = format!("/api/v1/relocation/{number}/screenings");
        let audits = count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'register_record'",
        )
        .await;
        let (s, v) = api_json(&app, "POST", &path, Some(&team), Some(body.clone())).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["target"], "met");
        let (s, _) = api_json(&app, "POST", &path, Some(&team), Some(body.clone())).await;
        assert_eq!(s, StatusCode::CONFLICT);
        // A household of the settlement point: another village, 403.
        let other = field(&all, "number")[0].to_owned();
        let (s, _) = api_json(
            &app,
            "POST",
            &format!("/api/v1/relocation/{other}/screenings"),
            Some(&team),
            Some(json!({})),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let dept = api_login(&app, "department").await;
        let (s, _) = api_json(&app, "POST", &path, Some(&dept), Some(body)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = api_json(&app, "GET", "/api/v1/relocation", Some(&dept), None).await;
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
        assert!(doc["paths"]["/api/v1/relocation/{number}/screenings"]["post"].is_object());
    }
);

db_test!(
    fn the_phone_form_records_and_the_ledger_downloads(db: Db) {
        let (app, _) = app(&db).await;
        let (number, p) = relocate_village(&app, &db).await;
        let cookie = login(&app, "village_team").await;
        let resp = app
            .clone()
            .oneshot(get("/relocation", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(body_text(resp).await.contains(&number));
        let page = format!("/relocation/{number}");
        let resp = app.clone().oneshot(get(&page, &cookie)).await.unwrap();
        let html = body_text(resp).await;
        assert!(html.contains("relocation-screening-form"), "{html}");
        let csrf = csrf_of(&html);
        // A job without a place of work: refused on the page (422), the form kept.
        let bad = format!("csrf={csrf}&job_{p}=stable_job&employer_{p}=x");
        let resp = app
            .clone()
            .oneshot(post_form(&format!("{page}/screening"), &cookie, &bad))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body_text(resp).await.contains("务工地点"));
        let form = format!(
            "csrf={csrf}&job_{p}=stable_job&place_{p}=out_of_province&employer_{p}=%E5%BB%BA%E7%AD%91%E5%85%AC%E5%8F%B8&wage_{p}=4000&income=9000&training_needs=%E7%94%B5%E7%84%8A"
        );
        let resp = app
            .clone()
            .oneshot(post_form(&format!("{page}/screening"), &cookie, &form))
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
            html.contains("screening-recorded") && html.contains("月收入4000元"),
            "{html}"
        );
        let resp = app
            .clone()
            .oneshot(post_form(&format!("{page}/screening"), &cookie, &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        assert!(body_text(resp).await.contains("已有搬迁户排查记录"));

        let county = login(&app, "county_admin").await;
        let resp = app
            .clone()
            .oneshot(get("/api/v1/ledgers/relocation", &county))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        // The dashboard shows the target (the demo point has households with labour).
        let resp = app
            .clone()
            .oneshot(get("/dashboard", &county))
            .await
            .unwrap();
        assert!(
            body_text(resp)
                .await
                .contains("有劳动力的搬迁户有1人稳定就业")
        );
        let resp = app
            .clone()
            .oneshot(get("/relocation?target=misses", &county))
            .await
            .unwrap();
        let html = body_text(resp).await;
        assert!(
            html.contains("relocation-figures") && html.contains("晋绥新村"),
            "{html}"
        );
    }
);
