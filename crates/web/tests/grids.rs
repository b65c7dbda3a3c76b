//! 网格化管理 (B6, issue 22) through the pages and `/api/v1/grids`, on both databases, on the demo county:
//! the demo village's grids with their people (phones masked for the village team) and coverage; the
//! village team creates a grid on its phone form (a bad phone refused on the page, 422, the form kept) and
//! puts a household into it (it leaves its former grid); the API lists, refuses a cadre's grid (403) and a
//! stale version (409); the grid member 网格员 sees its grid's households only (another's: 404), records
//! the 低收入人口 visit of its grid's households only (another's: 404), reads their cases and records the
//! monthly follow-up of its grid's monitored households (another grid's case: 404), and nothing else of
//! the registry (403); the dashboard shows the coverage; the ledger downloads; Q19 shows on
//! the quality page; the OpenAPI lists the paths.

use axum::Router;
use axum::http::StatusCode;
use serde_json::json;
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{api_json, api_login, body_text, csrf_of, get, login, post_form};

async fn app(db: &Db) -> Router {
    let county = demo::generate(300, 5);
    let summary = demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    assert_eq!(summary.grids, 3, "{summary:?}");
    router(AppState::new(db.clone()))
}

async fn page(app: &Router, uri: &str, cookie: &str) -> (StatusCode, String) {
    let resp = app.clone().oneshot(get(uri, cookie)).await.unwrap();
    (resp.status(), body_text(resp).await)
}

db_test!(
    fn grids_kept_by_the_village_and_a_grid_member_sees_its_grid_only(db: Db) {
        let app = app(&db).await;
        let team = login(&app, "village_team").await;
        let (s, html) = page(&app, "/grids", &team).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("第一网格（东片）") && html.contains("第三网格（新村）"));
        assert!(html.contains("138****1201"), "phones masked for the team");
        assert!(!html.contains("13834561201"));
        assert!(html.contains("grid-villages") && html.contains("grid-new"));
        let town = login(&app, "township_admin").await;
        let (_, html) = page(&app, "/grids", &town).await;
        assert!(html.contains("13834561201"), "in full for the township");

        // The API: the grids, the first grid's sheet.
        let token = api_login(&app, "village_team").await;
        let (s, list) = api_json(&app, "GET", "/api/v1/grids", Some(&token), None).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let grids = list.as_array().unwrap();
        assert_eq!(grids.len(), 3);
        let first = grids[0]["id"].as_i64().unwrap();
        let (s, sheet) = api_json(
            &app,
            "GET",
            &format!("/api/v1/grids/{first}"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let households = sheet["households"].as_array().unwrap();
        let outside: Vec<&serde_json::Value> = households
            .iter()
            .filter(|h| h["grid_id"].is_null())
            .collect();
        assert!(!outside.is_empty(), "some demo households in no grid");
        let mine: Vec<String> = households
            .iter()
            .filter(|h| h["grid_id"].as_i64() == Some(first))
            .map(|h| h["number"].as_str().unwrap().to_owned())
            .collect();
        let theirs: Vec<String> = households
            .iter()
            .filter(|h| !h["grid_id"].is_null() && h["grid_id"].as_i64() != Some(first))
            .map(|h| h["number"].as_str().unwrap().to_owned())
            .collect();
        assert!(!mine.is_empty() && !theirs.is_empty());

        // A new grid on the phone form: a bad phone refused (422, the form kept), then saved.
        let (s, html) = page(&app, "/grids/new?village=141123208201", &team).await;
        assert_eq!(s, StatusCode::OK);
        let csrf = csrf_of(&html);
        let form = |phone: &str| {
            format!(
                "csrf={csrf}&village=141123208201&name=%E7%AC%AC%E5%9B%9B%E7%BD%91%E6%A0%BC&branch=%E5%85%9A%E6%94%AF%E9%83%A8&leader_name=%E8%B5%B5%E5%A4%A7&leader_phone={phone}&member_name_1=%E9%92%B1%E4%BA%8C&member_phone_1="
            )
        };
        let resp = app
            .clone()
            .oneshot(post_form("/grids/new", &team, &form("abc")))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = body_text(resp).await;
        assert!(
            html.contains("联系电话") && html.contains("赵大"),
            "reason and form kept"
        );
        let resp = app
            .clone()
            .oneshot(post_form("/grids/new", &team, &form("13800001111")))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let location = resp.headers()["location"].to_str().unwrap().to_owned();
        let fourth: i64 = location
            .trim_start_matches("/grids/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();

        // Put a household of the first grid into the new one: it leaves the first.
        let moved = &mine[0];
        let id = households
            .iter()
            .find(|h| h["number"].as_str() == Some(moved))
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let (_, html) = page(&app, &format!("/grids/{fourth}"), &team).await;
        let csrf = csrf_of(&html);
        let resp = app
            .clone()
            .oneshot(post_form(
                &format!("/grids/{fourth}/households"),
                &team,
                &format!("csrf={csrf}&version=1&action=assign&household={id}"),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let (_, sheet) = api_json(
            &app,
            "GET",
            &format!("/api/v1/grids/{first}"),
            Some(&token),
            None,
        )
        .await;
        let now = sheet["households"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"].as_i64() == Some(id))
            .unwrap()["grid_id"]
            .as_i64();
        assert_eq!(now, Some(fourth));
        // A stale version (409), a cadre's grid (403).
        let (s, _) = api_json(
            &app,
            "POST",
            &format!("/api/v1/grids/{fourth}/households"),
            Some(&token),
            Some(json!({"version": 1, "households": [id], "remove": true})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT);
        let cadre = api_login(&app, "cadre").await;
        let (s, _) = api_json(
            &app,
            "POST",
            "/api/v1/grids",
            Some(&cadre),
            Some(
                json!({"village": "141123208201", "name": "第五网格", "branch": "党支部",
                "leader": {"name": "甲", "phone": ""}}),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The grid member of the first grid: its grid's households, nothing else.
        let member = login(&app, "grid_member").await;
        let resp = app.clone().oneshot(get("/", &member)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let (s, html) = page(&app, "/households", &member).await;
        assert_eq!(s, StatusCode::OK);
        for n in mine.iter().skip(1).take(5) {
            assert!(html.contains(n.as_str()), "{n} of its grid listed");
        }
        for n in theirs.iter().chain([moved]) {
            assert!(
                !html.contains(&format!("/households/{n}\"")),
                "{n} not listed"
            );
        }
        let (s, _) = page(&app, &format!("/households/{}", mine[1]), &member).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = page(&app, &format!("/households/{}", theirs[0]), &member).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        for uri in [
            "/grids",
            "/indicators",
            "/low-income",
            "/dashboard",
            "/ledgers",
        ] {
            let (s, _) = page(&app, uri, &member).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{uri}");
        }

        // It records the month's 低收入人口 visit of a household of its grid (201, or 409 when the demo
        // already visited it this month), not of another grid's (404).
        let (_, entries) = api_json(&app, "GET", "/api/v1/low-income", Some(&token), None).await;
        let low: Vec<&str> = entries
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["number"].as_str())
            .collect();
        let visited = mine
            .iter()
            .skip(1)
            .find(|n| low.contains(&n.as_str()))
            .expect("a low-income household in the first grid");
        let other = theirs
            .iter()
            .find(|n| low.contains(&n.as_str()))
            .expect("a low-income household in another grid");
        let (s, html) = page(&app, &format!("/low-income/{visited}"), &member).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("low-income-visit-form"), "the visit form");
        let grid_token = api_login(&app, "grid_member").await;
        let body = json!({"needs": "希望增加公益岗位", "help": "走访了解情况，宣传政策"});
        let (s, v) = api_json(
            &app,
            "POST",
            &format!("/api/v1/low-income/{visited}/visits"),
            Some(&grid_token),
            Some(body.clone()),
        )
        .await;
        assert!(
            s == StatusCode::CREATED || s == StatusCode::CONFLICT,
            "{s} {v}"
        );
        let (s, _) = api_json(
            &app,
            "POST",
            &format!("/api/v1/low-income/{other}/visits"),
            Some(&grid_token),
            Some(body),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = page(&app, &format!("/low-income/{other}"), &member).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // It reads its grid's monitored households' cases and records their monthly follow-up (逐月跟踪监测,
        // §四(六)); another grid's case is 404, the other case steps stay closed to it (403).
        let mut monitored = Vec::new();
        for n in &mine {
            let (s, case) = api_json(
                &app,
                "GET",
                &format!("/api/v1/cases/{n}"),
                Some(&grid_token),
                None,
            )
            .await;
            if s == StatusCode::OK && case["lifecycle"] == "monitored" {
                monitored.push((n.clone(), case));
            }
        }
        assert!(
            !monitored.is_empty(),
            "a monitored household in the first grid"
        );
        let (n, case) = monitored
            .iter()
            .find(|(_, c)| c["missing_follow_ups"][0].is_string())
            .unwrap_or(&monitored[0]);
        let (s, html) = page(&app, &format!("/households/{n}"), &member).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("/case/follow-up"), "the follow-up link");
        let (s, html) = page(&app, &format!("/households/{n}/case/follow-up"), &member).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("name=\"visited_on\""), "the follow-up form");
        // A month still missing is recorded (200); where none is, a month recorded already is refused
        // by the rule (409), past the route's gate either way.
        let (month, expected) = match case["missing_follow_ups"][0].as_str() {
            Some(m) => (m.to_owned(), StatusCode::OK),
            None => (
                case["case"]["follow_ups"]["entries"][0]["visit"]["month"]
                    .as_str()
                    .expect("a follow-up recorded")
                    .to_owned(),
                StatusCode::CONFLICT,
            ),
        };
        let on = format!("{month}-01");
        let visit = json!({"month": month, "visited_on": on,
            "measures_carried_out": true, "policies_received": true, "standards_secure": true,
            "household_approves": true, "per_capita_income_estimate": 900_000, "notes": ""});
        let (s, v) = api_json(
            &app,
            "POST",
            &format!("/api/v1/cases/{n}/follow-ups"),
            Some(&grid_token),
            Some(json!({"version": case["version"], "on": on, "visit": visit})),
        )
        .await;
        assert_eq!(s, expected, "{v}");
        for other in theirs.iter().take(10) {
            let (s, _) = api_json(
                &app,
                "GET",
                &format!("/api/v1/cases/{other}"),
                Some(&grid_token),
                None,
            )
            .await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{other}");
        }
        let (s, _) = api_json(
            &app,
            "POST",
            &format!("/api/v1/cases/{n}/measures"),
            Some(&grid_token),
            Some(json!({"version": 1})),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The dashboard's coverage; the ledger; Q19 on the quality page; the OpenAPI.
        let county = login(&app, "county_admin").await;
        let (s, html) = page(&app, "/dashboard", &county).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("农户纳入网格化管理"));
        let resp = app
            .clone()
            .oneshot(get("/api/v1/ledgers/grids", &town))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let (s, html) = page(&app, "/quality?code=Q19", &town).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("未划入本村任何网格"), "Q19 listed");
        let (_, doc) = api_json(&app, "GET", "/api/v1/openapi.json", None, None).await;
        assert!(doc["paths"]["/api/v1/grids/{id}/households"]["post"].is_object());
    }
);
