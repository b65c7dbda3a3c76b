//! No lost update (issue 20 part 4), through the real router on both databases: 50 users edit the same
//! household (`PATCH /api/v1/households/{n}`) and the same case (`POST /api/v1/cases/{n}/measures`) at
//! once from the version they read. Exactly one wins; the 49 others get 409 `stale_version` with the
//! reason, and nothing of theirs is written. Then 50 users who re-read and retry after a 409 all get
//! their change in: the version went up by exactly 50 and the audit log has exactly one row per
//! successful write.

use axum::Router;
use axum::http::StatusCode;
use serde_json::{Value, json};
use shouwang_app::demo;
use shouwang_core::Role;
use shouwang_store::repo::{self, Actor};
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};

mod common;
use common::{api_json, api_login, count};

const WRITERS: usize = 50;

/// The demo county (120 households), the router and the township admin's token.
async fn setup(db: &Db) -> (Router, String) {
    let county = demo::generate(120, 7);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    let app = router(AppState::new(db.clone()));
    let token = api_login(&app, "township_admin").await;
    (app, token)
}

async fn audit_rows(db: &Db, entity: &str, id: &str) -> i64 {
    count(
        db,
        &format!(
            "SELECT COUNT(*) FROM audit_log WHERE entity = '{entity}' AND entity_id = '{id}' \
             AND action = 'update'"
        ),
    )
    .await
}

/// The first text column of the first row of `sql`.
async fn text(db: &Db, sql: &str) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    db.conn()
        .query_one_raw(Statement::from_string(db.backend(), sql.to_owned()))
        .await
        .unwrap()
        .expect("a row")
        .try_get_by_index::<String>(0)
        .unwrap()
}

/// The record raced over: the path that reads it, and the method and path that write it.
struct Record {
    read: String,
    method: &'static str,
    write: String,
}

/// Sends `body(i, version)` for `i` in `0..WRITERS` at once, each from `version` (`retry`: false) or,
/// after a 409, again from the version the record has now (`retry`: true); the statuses and bodies of
/// the answers (the last answer of each writer).
async fn race(
    app: &Router,
    token: &str,
    record: &Record,
    version: i64,
    retry: bool,
    body: fn(usize, i64) -> Value,
) -> Vec<(StatusCode, Value)> {
    let mut tasks = tokio::task::JoinSet::new();
    let method = record.method;
    for i in 0..WRITERS {
        let (app, token) = (app.clone(), token.to_owned());
        let (read, write) = (record.read.clone(), record.write.clone());
        tasks.spawn(async move {
            let mut v = version;
            loop {
                let answer = api_json(&app, method, &write, Some(&token), Some(body(i, v))).await;
                if !retry || answer.0 != StatusCode::CONFLICT {
                    return answer;
                }
                let (s, now) = api_json(&app, "GET", &read, Some(&token), None).await;
                assert_eq!(s, StatusCode::OK, "{now}");
                v = version_of(&now);
            }
        });
    }
    tasks.join_all().await
}

/// The `version` of a household's JSON, or of a case's (`{case: {version}}`).
fn version_of(v: &Value) -> i64 {
    v["version"]
        .as_i64()
        .or_else(|| v["case"]["version"].as_i64())
        .unwrap_or_else(|| panic!("no version in {v}"))
}

/// Exactly one 200 and the others 409 `stale_version` with the reason in both languages.
fn one_winner(answers: &[(StatusCode, Value)]) {
    let won = answers.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(won, 1, "exactly one writer wins: {answers:?}");
    for (s, e) in answers.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(
            (*s, e["code"].as_str()),
            (StatusCode::CONFLICT, Some("stale_version")),
            "{e}"
        );
        assert!(
            e["message_zh"].as_str().unwrap().contains("已被他人修改")
                && !e["message_en"].as_str().unwrap().is_empty(),
            "{e}"
        );
    }
}

fn address(i: usize, v: i64) -> Value {
    json!({"version": v, "fields": {"address": format!("并发地址{i}")}})
}

fn address_again(i: usize, v: i64) -> Value {
    json!({"version": v, "fields": {"address": format!("重试地址{i}")}})
}

db_test!(
    fn fifty_writers_on_one_household(db: Db) {
        let (app, token) = setup(&db).await;
        let number = text(
            &db,
            "SELECT number FROM households WHERE village_code LIKE '141123208%' ORDER BY number",
        )
        .await;
        let path = format!("/api/v1/households/{number}");
        let record = Record {
            read: path.clone(),
            method: "PATCH",
            write: path.clone(),
        };
        let (s, h) = api_json(&app, "GET", &path, Some(&token), None).await;
        assert_eq!(s, StatusCode::OK, "{h}");
        let v0 = version_of(&h);
        let rows0 = audit_rows(&db, "household", &number).await;

        let answers = race(&app, &token, &record, v0, false, address).await;
        one_winner(&answers);
        let (_, h) = api_json(&app, "GET", &path, Some(&token), None).await;
        assert_eq!(version_of(&h), v0 + 1);
        assert!(
            h["address"].as_str().unwrap().starts_with("并发地址"),
            "{h}"
        );
        assert_eq!(audit_rows(&db, "household", &number).await, rows0 + 1);

        // Everyone retries after a 409: all 50 changes are in, one version and one audit row each.
        let answers = race(&app, &token, &record, v0 + 1, true, address_again).await;
        assert!(
            answers.iter().all(|(s, _)| *s == StatusCode::OK),
            "{answers:?}"
        );
        let (_, h) = api_json(&app, "GET", &path, Some(&token), None).await;
        assert_eq!(version_of(&h), v0 + 1 + WRITERS as i64);
        assert_eq!(
            audit_rows(&db, "household", &number).await,
            rows0 + 1 + WRITERS as i64
        );
    }
);

fn measure(i: usize, v: i64) -> Value {
    json!({"version": v, "on": "2022-12-01", "plan": {"class": "public_welfare_post",
        "item": format!("并发措施{i}"), "planned_on": "2022-12-31",
        "responsible_unit": "圪塔上乡人民政府", "amount": 100_000}})
}

db_test!(
    fn fifty_writers_on_one_case(db: Db) {
        let (app, _) = setup(&db).await;
        let number = text(
            &db,
            "SELECT household_number FROM cases WHERE lifecycle = 'monitored' ORDER BY household_number",
        )
        .await;
        // 帮扶措施 are planned by the township (or the village): an admin of the case's township.
        let password = "Bingfa-Ceshi-2026!";
        repo::users::add(
            &db,
            &Actor::system(),
            "town_of_case",
            "乡镇管理员",
            password,
            Role::TownshipAdmin,
            &number[..9],
        )
        .await
        .unwrap();
        let (s, login) = api_json(
            &app,
            "POST",
            "/api/v1/login",
            None,
            Some(json!({"username": "town_of_case", "password": password})),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{login}");
        let token = login["token"].as_str().unwrap().to_owned();
        let read = format!("/api/v1/cases/{number}");
        let record = Record {
            read: read.clone(),
            method: "POST",
            write: format!("{read}/measures"),
        };
        let (s, c) = api_json(&app, "GET", &read, Some(&token), None).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let v0 = version_of(&c);
        let measures0 = c["case"]["measures"].as_array().map_or(0, Vec::len);
        let rows0 = audit_rows(&db, "case", &number).await;

        let answers = race(&app, &token, &record, v0, false, measure).await;
        one_winner(&answers);
        let (_, c) = api_json(&app, "GET", &read, Some(&token), None).await;
        assert_eq!(version_of(&c), v0 + 1);
        assert_eq!(
            c["case"]["measures"].as_array().unwrap().len(),
            measures0 + 1
        );
        assert_eq!(audit_rows(&db, "case", &number).await, rows0 + 1);

        let answers = race(&app, &token, &record, v0 + 1, true, measure).await;
        assert!(
            answers.iter().all(|(s, _)| *s == StatusCode::OK),
            "{answers:?}"
        );
        let (_, c) = api_json(&app, "GET", &read, Some(&token), None).await;
        assert_eq!(version_of(&c), v0 + 1 + WRITERS as i64);
        assert_eq!(
            c["case"]["measures"].as_array().unwrap().len(),
            measures0 + 1 + WRITERS
        );
        assert_eq!(
            audit_rows(&db, "case", &number).await,
            rows0 + 1 + WRITERS as i64
        );
    }
);
