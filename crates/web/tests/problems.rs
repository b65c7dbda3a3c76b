//! 三保障和饮水安全问题台账 (A6, issue 22) through `/api/v1/problems…` on both databases, on the demo county:
//! a village's water problem recorded by the village team (201), listed and on the board, closing before a
//! rectification (409), a rectification without evidence (422), an unknown state in the filter (422), a
//! department (403 at the gate), the OpenAPI paths; and the pages (`/problems…`): the board and the list,
//! a problem recorded on the phone form, a rectification refused without evidence then saved with a photo,
//! the photo downloadable by the township only once the problem refers to it (audited), 验收销号.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{api_json, api_login, body_bytes, body_text, count, csrf_of, get, login, post_form};

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

/// A multipart form whose files are PNG photos: (field, file name if a file, content).
fn post_photos(uri: &str, cookie: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Request<Body> {
    let boundary = "----shouwang-problem-boundary";
    let mut body: Vec<u8> = Vec::new();
    for (name, file, content) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let head = match file {
            Some(f) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: image/png\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(head.as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

db_test!(
    fn a_problem_from_the_phone_form_to_closed(db: Db) {
        let county = demo::generate(120, 3);
        demo::load(&db, &county, &|_, _| {})
            .await
            .expect("demo load");
        let dir = tempfile::tempdir().unwrap();
        let mut state = AppState::new(db.clone());
        state.files = shouwang_app::attachments::FileStore::new(dir.path());
        let app = router(state);
        let team = login(&app, "village_team").await;
        let town = login(&app, "township_admin").await;

        let html = body_text(app.clone().oneshot(get("/problems", &team)).await.unwrap()).await;
        assert!(html.contains("problem-board") && html.contains("href=\"/problems\""));
        let html = body_text(
            app.clone()
                .oneshot(get("/problems/new", &team))
                .await
                .unwrap(),
        )
        .await;
        let csrf = csrf_of(&html);
        // A blank description: the form again with the reason.
        let blank = format!(
            "csrf={csrf}&household=&village={DEMO_VILLAGE}&sector=drinking_water&found=&unit=&deadline=2099-12-31"
        );
        let resp = app
            .clone()
            .oneshot(post_form("/problems/new", &team, &blank))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body_text(resp).await.contains("问题描述"));
        let form = format!(
            "csrf={csrf}&household=&village={DEMO_VILLAGE}&sector=drinking_water&found=%E6%B0%B4%E7%AE%A1%E5%86%BB%E8%A3%82&unit=&deadline=2099-12-31"
        );
        let resp = app
            .clone()
            .oneshot(post_form("/problems/new", &team, &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let to = resp.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .to_owned();
        let page = to.split('?').next().unwrap().to_owned();
        let html = body_text(app.clone().oneshot(get(&to, &team)).await.unwrap()).await;
        assert!(
            html.contains("水管冻裂") && html.contains("县水利局"),
            "{html}"
        );
        assert!(html.contains("problem-rectify-form") && !html.contains("problem-accept-form"));

        // A rectification without evidence is refused; nothing changes.
        let rectify = format!("{page}/rectify");
        let text = [
            ("csrf", None, csrf.as_bytes()),
            ("version", None, &b"1"[..]),
            ("done", None, "已更换保温水管".as_bytes()),
        ];
        let resp = app
            .clone()
            .oneshot(post_photos(&rectify, &team, &text))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body_text(resp).await.contains("佐证材料"));

        // The photo, uploaded with a blank step (refused): stored, but no problem refers to it yet, so the
        // township (not the uploader) cannot download it.
        let png: Vec<u8> = [&b"\x89PNG\r\n\x1a\n"[..], &b"problem-photo-bytes"[..]].concat();
        let sha = shouwang_app::attachments::sha256_hex(&png);
        let file = format!("/api/v1/attachments/{sha}");
        let blank_step = [
            ("csrf", None, csrf.as_bytes()),
            ("version", None, &b"1"[..]),
            ("done", None, &b""[..]),
            ("evidence", Some("photo.png"), &png[..]),
        ];
        let resp = app
            .clone()
            .oneshot(post_photos(&rectify, &team, &blank_step))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let resp = app.clone().oneshot(get(&file, &town)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "not referred to yet");
        let mut parts = text.to_vec();
        parts.push(("evidence", Some("photo.png"), &png));
        let resp = app
            .clone()
            .oneshot(post_photos(&rectify, &team, &parts))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let html = body_text(app.clone().oneshot(get(&page, &town)).await.unwrap()).await;
        assert!(
            html.contains(&file) && html.contains("problem-accept-form"),
            "{html}"
        );
        let downloads =
            "SELECT COUNT(*) FROM audit_log WHERE action = 'download' AND entity = 'attachment'";
        let before = count(&db, downloads).await;
        let resp = app.clone().oneshot(get(&file, &town)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(body_bytes(resp).await, png);
        assert_eq!(
            count(&db, downloads).await,
            before + 1,
            "the download is audited"
        );

        // 验收销号 by the township.
        let html = body_text(app.clone().oneshot(get(&page, &town)).await.unwrap()).await;
        let csrf = csrf_of(&html);
        let resp = app
            .clone()
            .oneshot(post_form(
                &format!("{page}/accept"),
                &town,
                &format!("csrf={csrf}&version=2&opinion=%E9%AA%8C%E6%94%B6%E5%90%88%E6%A0%BC"),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let html = body_text(app.clone().oneshot(get(&page, &town)).await.unwrap()).await;
        assert!(
            html.contains("已销号")
                && html.contains("验收合格")
                && !html.contains("problem-rectify-form")
        );
        let html = body_text(
            app.clone()
                .oneshot(get("/problems?status=closed&sector=drinking_water", &town))
                .await
                .unwrap(),
        )
        .await;
        assert!(html.contains(&format!("href=\"{page}\"")), "{html}");
        let html = body_text(
            app.clone()
                .oneshot(get("/problems?overdue=1", &town))
                .await
                .unwrap(),
        )
        .await;
        assert!(!html.contains(&format!("href=\"{page}\"")));
        // A problem due today is on the township's 工作台 (the calendar's 问题整改 task).
        let team_api = api_login(&app, "village_team").await;
        let today = shouwang_app::today().to_string();
        let body = json!({"village": DEMO_VILLAGE, "household": null, "sector": "housing",
            "found": "村内一处危房未验收", "unit": "housing", "deadline": today});
        let (s, _) = api_json(
            &app,
            "POST",
            "/api/v1/problems",
            Some(&team_api),
            Some(body),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        let home = body_text(app.clone().oneshot(get("/", &town)).await.unwrap()).await;
        assert!(home.contains("问题整改</td>"), "{home}");
        // The department may not see the pages.
        let dept = login(&app, "department").await;
        let resp = app.clone().oneshot(get("/problems", &dept)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    }
);
