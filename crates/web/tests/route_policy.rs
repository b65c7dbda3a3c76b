//! The access table (`auth::policy`, issue 19): every route the router declares has a rule, the route
//! table in `docs/security.md` is the table's, and the department data provider reaches only its uploads.
//! `SHOUWANG_BLESS=1 cargo test -p shouwang-web --test route_policy` rewrites the table in the doc.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use axum::http::StatusCode;
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::auth::policy;
use shouwang_web::{AppState, router};
use tower::ServiceExt;

use common::{api_json, api_login, get, login};

/// The routes declared in the web crate's sources: `.route("…"` (pages) and the `api_routes!` entries
/// (`"…" =>`, under `/api/v1`).
fn declared_routes() -> BTreeSet<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeSet::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let api = path.ends_with("api/mod.rs");
            let mut rest = text.as_str();
            while let Some(at) = rest.find(".route(") {
                rest = &rest[at + 7..];
                let trimmed = rest.trim_start();
                if let Some(lit) = trimmed.strip_prefix('"') {
                    out.insert(lit.split('"').next().unwrap().to_owned());
                }
            }
            if api {
                for line in text.lines() {
                    let t = line.trim_start();
                    if let Some(lit) = t.strip_prefix('"')
                        && let Some((p, tail)) = lit.split_once('"')
                        && tail.trim_start().starts_with("=>")
                        && p.starts_with('/')
                    {
                        out.insert(format!("/api/v1{p}"));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_route_has_a_rule_and_every_rule_a_route() {
    let declared = declared_routes();
    assert!(declared.len() > 100, "{declared:?}");
    let ruled: BTreeSet<String> = policy::RULES.iter().map(|r| r.path.to_owned()).collect();
    let missing: Vec<&String> = declared.difference(&ruled).collect();
    let stale: Vec<&String> = ruled.difference(&declared).collect();
    assert!(missing.is_empty(), "routes without a rule: {missing:?}");
    assert!(stale.is_empty(), "rules of no route: {stale:?}");
    assert_eq!(ruled.len(), policy::RULES.len(), "a route has two rules");
}

#[test]
fn the_security_doc_carries_the_route_table() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/security.md");
    let text = std::fs::read_to_string(&doc).unwrap_or_default();
    let (begin, end) = (
        "<!-- route table: generated -->\n",
        "<!-- end of route table -->",
    );
    let table = policy::table();
    let (Some(a), Some(b)) = (text.find(begin), text.find(end)) else {
        panic!("docs/security.md has no route table markers");
    };
    let current = &text[a + begin.len()..b];
    if current != table {
        if std::env::var("SHOUWANG_BLESS").is_ok() {
            let new = format!("{}{table}{}", &text[..a + begin.len()], &text[b..]);
            std::fs::write(&doc, new).unwrap();
            return;
        }
        panic!(
            "docs/security.md's route table is not the policy's: run SHOUWANG_BLESS=1 cargo test -p shouwang-web --test route_policy"
        );
    }
}

db_test!(
    fn the_department_clerk_reaches_only_its_uploads(db: Db) {
        demo::load(&db, &demo::generate(60, 3), &|_, _| {})
            .await
            .expect("demo");
        let app = router(AppState::new(db.clone()));
        let cookie = login(&app, "department").await;
        for (path, status) in [
            ("/", StatusCode::OK),
            ("/screening/upload", StatusCode::OK),
            ("/households", StatusCode::FORBIDDEN),
            ("/ledgers", StatusCode::FORBIDDEN),
            ("/exits", StatusCode::FORBIDDEN),
            ("/publicity", StatusCode::FORBIDDEN),
            ("/dashboard", StatusCode::FORBIDDEN),
        ] {
            let resp = app.clone().oneshot(get(path, &cookie)).await.unwrap();
            assert_eq!(resp.status(), status, "{path}");
        }
        let number = demo::generate(60, 3).households[0].household.number.clone();
        let resp = app
            .clone()
            .oneshot(get(&format!("/households/{number}"), &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let token = api_login(&app, "department").await;
        for path in [
            "/api/v1/households".to_owned(),
            format!("/api/v1/households/{number}"),
            "/api/v1/cases".to_owned(),
            "/api/v1/ledgers/monitored".to_owned(),
        ] {
            let (status, body) = api_json(&app, "GET", &path, Some(&token), None).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        }
        let (status, _) = api_json(&app, "GET", "/api/v1/me", Some(&token), None).await;
        assert_eq!(status, StatusCode::OK);
        // The village team still reads its households.
        let team = login(&app, "village_team").await;
        let resp = app
            .clone()
            .oneshot(get("/households", &team))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
);
