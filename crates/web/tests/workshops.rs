//! 帮扶车间 (B1 §四(一)3, issue 21) through the pages and `/api/v1` on both databases, on the demo county:
//! the list (every state of the demo, the village team reading, a department kept out), registration and a
//! change by form (township), a worker taken on by form (a bad wage shown on the workshop's page) and by the
//! API (a member at work elsewhere 409), 离岗 by form, a village team's write refused 403, and the ledger
//! downloaded as a workbook; then the 公益岗位 register (issue 21) the same way.

use axum::Router;
use axum::http::StatusCode;
use shouwang_app::demo;
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
    fn workshops_through_the_pages_and_the_api(db: Db) {
        let app = app(&db).await;
        let team = login(&app, "village_team").await;
        let town = login(&app, "township_admin").await;
        let (s, html) = page(&app, "/workshops", &team).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("id=\"workshop-list\"")
                && html.contains("服装加工帮扶车间")
                && html.contains("停产")
                && html.contains("关闭")
                && !html.contains("id=\"workshop-new\""),
            "{html}"
        );
        let (_, html) = page(&app, "/workshops?state=closed", &team).await;
        assert!(html.contains("手工编织帮扶车间") && !html.contains("服装加工帮扶车间"));
        let dept = login(&app, "department").await;
        let (s, _) = page(&app, "/workshops", &dept).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = page(&app, "/workshops/new", &team).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // Registration by form (the township), then a change.
        let (s, html) = page(&app, "/workshops/new", &town).await;
        assert_eq!(s, StatusCode::OK);
        let csrf = csrf_of(&html);
        let form = format!(
            "csrf={csrf}&name={}&village=141123208201&operator_kind=cooperative&operator={}&products={}&started_on=2026-01-05&state=operating&jobs=12",
            enc("页面测试香菇帮扶车间"),
            enc("兴县食用菌专业合作社"),
            enc("香菇")
        );
        let (s, to, body) = submit(&app, "/workshops/new", &town, &form).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        let shop = to.split('?').next().unwrap().to_owned();
        let id: i64 = shop.rsplit('/').next().unwrap().parse().unwrap();
        let (s, html) = page(&app, &format!("{shop}/edit"), &town).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("value=\"12\""), "{html}");
        let edit = form.replace("jobs=12", "jobs=20") + "&version=1";
        let (s, _, body) = submit(&app, &format!("{shop}/edit"), &town, &edit).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        let (_, html) = page(&app, &shop, &town).await;
        assert!(
            html.contains("页面测试香菇帮扶车间") && html.contains("id=\"workshop-hire-form\""),
            "{html}"
        );

        // A worker by the API: the first member of the village's labour force not at work in a workshop
        // (the demo's workers are refused, 409).
        let token = api_login(&app, "township_admin").await;
        let (s, labour) = api_json(
            &app,
            "GET",
            "/api/v1/labour?area=141123208201",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{labour}");
        let mut hired = None;
        'outer: for e in labour.as_array().unwrap() {
            let number = e["number"].as_str().unwrap().to_owned();
            for l in e["labour"].as_array().unwrap() {
                let position = l["position"].as_u64().unwrap();
                let body = serde_json::json!({
                    "household": number, "position": position, "wage": 2600,
                    "since": "2026-02-01",
                });
                let (s, v) = api_json(
                    &app,
                    "POST",
                    &format!("/api/v1/workshops/{id}/workers"),
                    Some(&token),
                    Some(body),
                )
                .await;
                match s {
                    StatusCode::CREATED => {
                        hired = Some((number.clone(), position, v["id"].as_i64().unwrap()));
                        break 'outer;
                    }
                    StatusCode::CONFLICT => {}
                    other => panic!("{other}: {v}"),
                }
            }
        }
        let (number, position, worker) = hired.expect("a member of the labour force taken on");
        // The same member again: at work already.
        let (s, v) = api_json(
            &app,
            "POST",
            &format!("/api/v1/workshops/{id}/workers"),
            Some(&token),
            Some(serde_json::json!({
                "household": number, "position": position, "wage": 2600, "since": "2026-02-01",
            })),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        assert!(
            v["message_zh"]
                .as_str()
                .unwrap()
                .contains("页面测试香菇帮扶车间")
        );
        let (s, v) = api_json(
            &app,
            "GET",
            &format!("/api/v1/workshops/{id}"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["entry"]["tally"]["workers"], 1);
        assert_eq!(v["entry"]["jobs"], 20);
        // The village team may read but not write through the API.
        let team_token = api_login(&app, "village_team").await;
        let (s, _) = api_json(
            &app,
            "POST",
            "/api/v1/workshops",
            Some(&team_token),
            Some(serde_json::json!({
                "name": "车间", "village": "141123208201", "operator_kind": "enterprise",
                "operator": "某公司", "started_on": "2026-01-01", "state": "operating", "jobs": 1,
            })),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // A bad wage by form is shown on the workshop's page; 离岗 by form.
        let (_, html) = page(&app, &shop, &town).await;
        let csrf = csrf_of(&html);
        let bad = format!(
            "csrf={csrf}&household={number}&member={}&wage=0&since=2026-02-01",
            position + 1
        );
        let (s, _, html) = submit(&app, &format!("{shop}/workers"), &town, &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"workshop-error\""), "{html}");
        let leave = format!("csrf={csrf}&worker={worker}");
        let (s, _, body) = submit(&app, &format!("{shop}/release"), &town, &leave).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        let (_, v) = api_json(
            &app,
            "GET",
            &format!("/api/v1/workshops/{id}"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(v["entry"]["tally"]["workers"], 0);

        // The ledger downloads as a workbook.
        let resp = app
            .clone()
            .oneshot(get("/api/v1/ledgers/workshops", &town))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(body_bytes(resp).await.starts_with(b"PK"));

        // 公益岗位: the demo's posts in every state (the holder's ID masked); 光伏收益 without a monthly pay
        // refused (422), a village team's post refused (403), the township's set up and shown.
        let (s, html) = page(&app, "/welfare-posts", &team).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("id=\"post-list\"")
                && html.contains("护林员")
                && html.contains("空缺")
                && html.contains("解聘")
                && !html.contains("id=\"post-new\""),
            "{html}"
        );
        let (s, posts) = api_json(
            &app,
            "GET",
            "/api/v1/welfare-posts?state=held",
            Some(&token),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let ranger = posts
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == "forest_ranger")
            .expect("the demo's ranger")
            .clone();
        assert!(
            ranger["holder"]["id_number"]
                .as_str()
                .unwrap()
                .contains('*')
        );
        let new_post = |pay: serde_json::Value, household: &str| {
            serde_json::json!({
                "name": "保洁员", "kind": "cleaner", "village": "141123208201", "funding": "pv_income",
                "monthly_pay": pay, "holder": {"household": household, "position": 0},
                "from": "2026-01-01", "state": "held",
            })
        };
        let (s, v) = api_json(
            &app,
            "POST",
            "/api/v1/welfare-posts",
            Some(&token),
            Some(new_post(serde_json::Value::Null, &number)),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v["message_zh"].as_str().unwrap().contains("光伏收益"));
        let (s, _) = api_json(
            &app,
            "POST",
            "/api/v1/welfare-posts",
            Some(&team_token),
            Some(new_post(serde_json::json!(600), &number)),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, v) = api_json(
            &app,
            "POST",
            "/api/v1/welfare-posts",
            Some(&token),
            Some(new_post(serde_json::json!(600), &number)),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let post_id = v["id"].as_i64().unwrap();
        let (s, html) = page(&app, &format!("/welfare-posts/{post_id}"), &town).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("id=\"post-form\"") && html.contains("保洁员"),
            "{html}"
        );
        let resp = app
            .clone()
            .oneshot(get("/api/v1/ledgers/welfare_posts", &town))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(body_bytes(resp).await.starts_with(b"PK"));
    }
);
