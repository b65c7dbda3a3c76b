//! 三保障和饮水安全问题台账 (A6, issue 22) through `/api/v1/problems…` on both databases, on the demo county:
//! a village's water problem recorded by the village team (201), listed and on the board, closing before a
//! rectification (409), a rectification without evidence (422), an unknown state in the filter (422), a
//! department (403 at the gate), the OpenAPI paths.

use axum::http::StatusCode;
use serde_json::json;
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};

mod common;
use common::{api_json, api_login};

const DEMO_VILLAGE: &str = "141123208201";

db_test!(
    fn a_problem_through_the_api(db: Db) {
        let county = demo::generate(120, 3);
        demo::load(&db, &county, &|_, _| {})
            .await
            .expect("demo load");
        let app = router(AppState::new(db.clone()));
        let team = api_login(&app, "village_team").await;
        let town = api_login(&app, "township_admin").await;
        let body = json!({
            "village": DEMO_VILLAGE,
            "household": null,
            "sector": "drinking_water",
            "found": "村集中供水点本季度未做水质检测",
            "unit": "water",
            "deadline": "2099-12-31",
        });
        let (s, found) = api_json(&app, "POST", "/api/v1/problems", Some(&team), Some(body)).await;
        assert_eq!(s, StatusCode::CREATED, "{found}");
        let id = found["problem"]["id"].as_i64().unwrap();
        assert_eq!(found["problem"]["status"], "open");
        let (s, all) = api_json(
            &app,
            "GET",
            "/api/v1/problems?sector=drinking_water",
            Some(&town),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            all.as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"].as_i64() == Some(id)),
            "{all}"
        );
        let (s, board) = api_json(&app, "GET", "/api/v1/problems/board", Some(&town), None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(board.as_array().unwrap().len(), 4);
        let (s, bad) = api_json(
            &app,
            "GET",
            "/api/v1/problems?status=nonsense",
            Some(&town),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");

        let act = |action: serde_json::Value| json!({"version": 1, "action": action});
        let path = format!("/api/v1/problems/{id}/actions");
        let accept = json!({"action": "accept", "opinion": "验收合格"});
        let (s, e) = api_json(&app, "POST", &path, Some(&town), Some(act(accept.clone()))).await;
        assert_eq!(s, StatusCode::CONFLICT, "closing first: {e}");
        let no_evidence = json!({"action": "rectify", "done": "已检测", "evidence": []});
        let (s, e) = api_json(&app, "POST", &path, Some(&team), Some(act(no_evidence))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "no evidence: {e}");
        let (s, one) = api_json(
            &app,
            "GET",
            &format!("/api/v1/problems/{id}"),
            Some(&team),
            None,
        )
        .await;
        assert_eq!(
            (s, one["version"].as_i64()),
            (StatusCode::OK, Some(1)),
            "refusals changed nothing"
        );

        let dept = api_login(&app, "department").await;
        let (s, _) = api_json(&app, "GET", "/api/v1/problems", Some(&dept), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = api_json(&app, "GET", "/api/v1/problems/board", Some(&dept), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        let (s, doc) = api_json(&app, "GET", "/api/v1/openapi.json", None, None).await;
        assert_eq!(s, StatusCode::OK);
        for p in [
            "/api/v1/problems",
            "/api/v1/problems/board",
            "/api/v1/problems/{id}/actions",
        ] {
            assert!(doc["paths"][p].is_object(), "{p} missing");
        }
    }
);
