//! `/api/v1/screening/cadre-rounds` (干部排查) through the real router on both databases: a round of the
//! whole village recorded with its clue, the 排查台账 list, a repeated round and a partial round
//! refused with the reason, and a role that does not screen.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use shouwang_app::demo;
use shouwang_app::screening::cadre as screening_round;
use shouwang_core::access::{Role, Scope};
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{body_text, demo_password};

const VILLAGE: &str = "141123208201";

async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(b) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let text = body_text(resp).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn token(app: &Router, username: &str) -> String {
    let (s, v) = call(
        app,
        "POST",
        "/api/v1/login",
        "",
        Some(json!({"username": username, "password": demo_password(username)})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["token"].as_str().unwrap().to_owned()
}

fn round(label: &str, numbers: &[String], flagged: &str) -> Value {
    json!({
        "village": VILLAGE,
        "label": label,
        "held_on": "2022-06-10",
        "screeners": "张三、李四",
        "entries": numbers.iter().map(|n| json!({
            "household": n,
            "risks": if n == flagged { vec!["01"] } else { Vec::new() },
            "note": "",
        })).collect::<Vec<_>>(),
    })
}

db_test!(
    fn cadre_rounds_over_the_api(db: Db) {
        let county = demo::generate(120, 7);
        demo::load(&db, &county, &|_, _| {})
            .await
            .expect("demo load");
        let app = router(AppState::new(db.clone()));
        let team = token(&app, "village_team").await;
        let scope = Scope::new(0, Role::VillageTeam, VILLAGE);
        let numbers = screening_round::households_of(&db, &scope, VILLAGE)
            .await
            .unwrap();
        assert!(numbers.len() > 3);
        let uri = "/api/v1/screening/cadre-rounds";

        let (s, v) = call(
            &app,
            "POST",
            uri,
            &team,
            Some(round("二季度", &numbers, &numbers[0])),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["households"], numbers.len());
        assert_eq!(v["flagged"], 1);
        assert_eq!(
            v["new_cases"].as_u64().unwrap()
                + v["new_clues"].as_u64().unwrap()
                + v["merged"].as_u64().unwrap(),
            1,
            "{v}"
        );

        let (s, v) = call(&app, "GET", uri, &team, None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
        assert_eq!(v[0]["round"]["label"], "二季度");

        // The same label again, and a round that leaves a household out: refused with the reason.
        let (s, v) = call(
            &app,
            "POST",
            uri,
            &team,
            Some(round("二季度", &numbers, "")),
        )
        .await;
        assert!(s.is_client_error(), "{s} {v}");
        assert!(v["message_zh"].as_str().unwrap().contains("已登记"), "{v}");
        let (s, v) = call(
            &app,
            "POST",
            uri,
            &team,
            Some(round("补查", &numbers[1..], "")),
        )
        .await;
        assert!(s.is_client_error(), "{s} {v}");
        assert!(
            v["message_zh"].as_str().unwrap().contains(&numbers[0]),
            "{v}"
        );

        // A role that does not screen; a village outside the area.
        let admin = token(&app, "county_admin").await;
        let (s, _) = call(&app, "POST", uri, &admin, Some(round("县级", &numbers, ""))).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = call(
            &app,
            "GET",
            &format!("{uri}?area=141123208202"),
            &team,
            None,
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, v) = call(&app, "GET", uri, &team, None).await;
        assert_eq!((s, v.as_array().unwrap().len()), (StatusCode::OK, 1));

        // Described in the OpenAPI document.
        let (_, doc) = call(&app, "GET", "/api/v1/openapi.json", &team, None).await;
        assert!(
            doc["paths"]["/api/v1/screening/cadre-rounds"]["post"].is_object(),
            "{}",
            doc["paths"]
        );
    }
);
