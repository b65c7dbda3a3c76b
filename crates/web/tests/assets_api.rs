//! 扶贫项目资产 and 管护 (B2/A7, issue 23) through `/api/v1/assets…` on both databases, on the demo county:
//! the list with its filters (the keeper's phone masked for the village team, in full for the township),
//! 确权登记 (201; 403 for a department user, 422 a bad registration), a change with its version (204; 409
//! stale), an upkeep record (201; 422 a future date), the disposal flow 村申请 → 乡审核 → 县审批 (a skipped
//! step 409, a wrong role 403), an asset of another village 404 for the village team, the queue and the
//! overdue list, and the OpenAPI paths. 清产核资: a real workbook (written by `shouwang_io::ledger_xlsx`, the
//! ledger's columns) with bad rows through the upload page (a dry run and an import, each reporting every
//! rejected row with file, row, column and reason, and writing nothing), then a good one through
//! `/api/v1/imports/assets` (a dry run writes nothing, the import writes every row, the same file again is
//! rejected as duplicates).

use axum::Router;
use axum::http::StatusCode;
use serde_json::{Value, json};
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};

mod common;
use axum::http::header;
use common::{api_json, api_login, body_text, csrf_of, get, login, post_multipart};
use shouwang_core::asset::ledger::ASSET_COLUMNS;
use shouwang_core::ledger::{LedgerKind, Value as Cell};
use tower::ServiceExt;

const DEMO_VILLAGE: &str = "141123208201";

async fn app(db: &Db) -> Router {
    let county = demo::generate(200, 3);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    router(AppState::new(db.clone()))
}

fn draft(name: &str, village: &str) -> Value {
    json!({
        "name": name, "kind": "public_welfare", "owner_kind": "village_collective",
        "owner_name": "村股份经济合作社", "keeper_name": "赵大勇", "keeper_phone": "13800001111",
        "value": 8_500_050, "village": village, "place": "村口", "year": 2021, "state": "in_use",
        "upkeep_months": 6
    })
}

/// A village of the demo county other than the demo village.
async fn other_village(db: &Db) -> String {
    let names = shouwang_store::repo::projects::region_names(db.conn(), "141123")
        .await
        .unwrap();
    let mut v: Vec<String> = names
        .into_keys()
        .filter(|c| c.len() == 12 && c != DEMO_VILLAGE)
        .collect();
    v.sort();
    v.first().expect("another village").clone()
}

/// Whether a list holds an entry whose name contains `needle` (the demo's names start with the village's).
fn has(v: &Value, needle: &str) -> bool {
    names(v).iter().any(|n| n.contains(needle))
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("a list")
        .iter()
        .map(|e| e["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

db_test!(
    fn assets_through_the_api(db: Db) {
        let app = app(&db).await;
        let team = api_login(&app, "village_team").await;
        let town = api_login(&app, "township_admin").await;
        let county = api_login(&app, "county_admin").await;
        let dept = api_login(&app, "department").await;

        // The list and its filters; the phone masked for the team, in full for the township.
        let (s, all) = api_json(&app, "GET", "/api/v1/assets", Some(&team), None).await;
        assert_eq!(s, StatusCode::OK, "{all}");
        assert!(has(&all, "村级光伏电站"), "{all}");
        let text = all.to_string();
        assert!(text.contains("139****5600") && !text.contains("13912345600"));
        let (_, full) = api_json(&app, "GET", "/api/v1/assets", Some(&town), None).await;
        assert!(full.to_string().contains("13912345600"));
        let (_, hh) = api_json(
            &app,
            "GET",
            "/api/v1/assets?kind=household",
            Some(&team),
            None,
        )
        .await;
        assert!(
            has(&hh, "到户养殖基础母羊") && !has(&hh, "村级光伏电站"),
            "{hh}"
        );
        let (s, v) = api_json(
            &app,
            "GET",
            "/api/v1/assets?kind=nonsense",
            Some(&team),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (s, _) = api_json(&app, "GET", "/api/v1/assets", Some(&dept), None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, od) = api_json(&app, "GET", "/api/v1/assets/overdue", Some(&team), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(has(&od, "通村道路"), "{od}");
        let (s, q) = api_json(&app, "GET", "/api/v1/assets/queue", Some(&town), None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(has(&q, "人饮工程蓄水池"), "{q}");

        // 确权登记: refused for a department user and for a bad registration, then done.
        let body = draft("接口测试便民桥", DEMO_VILLAGE);
        let (s, _) = api_json(
            &app,
            "POST",
            "/api/v1/assets",
            Some(&dept),
            Some(body.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let mut bad = body.clone();
        bad["year"] = json!(2012);
        let (s, v) = api_json(&app, "POST", "/api/v1/assets", Some(&team), Some(bad)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(
            v["message_zh"].as_str().unwrap().contains("形成年度"),
            "{v}"
        );
        let (s, v) = api_json(
            &app,
            "POST",
            "/api/v1/assets",
            Some(&team),
            Some(body.clone()),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["id"].as_i64().unwrap();
        let one = format!("/api/v1/assets/{id}");
        let (s, v) = api_json(&app, "GET", &one, Some(&team), None).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["entry"]["version"], 1);
        assert_eq!(v["draft"]["keeper_phone"], "138****1111");
        assert_eq!(v["awaited"], "propose");

        // An asset of another village is not found for the team.
        let (s, v) = api_json(
            &app,
            "POST",
            "/api/v1/assets",
            Some(&county),
            Some(draft("邻村蓄水池", &other_village(&db).await)),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let other = format!("/api/v1/assets/{}", v["id"]);
        let (s, _) = api_json(&app, "GET", &other, Some(&team), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // A change with the version read; the same version again is stale.
        let mut change = body.clone();
        change["version"] = json!(1);
        change["place"] = json!("村口河道");
        let (s, v) = api_json(&app, "PUT", &one, Some(&team), Some(change.clone())).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
        let (s, v) = api_json(&app, "PUT", &one, Some(&team), Some(change)).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");

        // Upkeep: a future date refused, then a repair.
        let upkeep = format!("{one}/upkeep");
        let future = (shouwang_app::today() + chrono::Duration::days(3)).to_string();
        let today = shouwang_app::today().to_string();
        let rec = |on: &str| json!({"version": 2, "kind": "repair", "on": on, "cost": 12_000, "content": "更换护栏", "done_by": "赵大勇"});
        let (s, v) = api_json(&app, "POST", &upkeep, Some(&team), Some(rec(&future))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (s, v) = api_json(&app, "POST", &upkeep, Some(&team), Some(rec(&today))).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");

        // The disposal flow: the county cannot skip the township, the township cannot propose.
        let disposal = format!("{one}/disposal");
        let step = |st: &str| json!({"step": st, "decision": "approve", "opinion": "同意"});
        let (s, v) = api_json(&app, "POST", &disposal, Some(&town), Some(json!({"step": "propose", "decision": "approve", "method": "scrap", "opinion": "洪水冲毁"}))).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let (s, v) = api_json(&app, "POST", &disposal, Some(&team), Some(json!({"step": "propose", "decision": "approve", "method": "scrap", "opinion": "洪水冲毁"}))).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["disposal"], "proposed");
        let (s, v) = api_json(
            &app,
            "POST",
            &disposal,
            Some(&county),
            Some(step("county_approval")),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        let (s, v) = api_json(
            &app,
            "POST",
            &disposal,
            Some(&town),
            Some(step("township_review")),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, v) = api_json(
            &app,
            "POST",
            &disposal,
            Some(&county),
            Some(step("county_approval")),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["disposal"], "approved");
        let (_, v) = api_json(&app, "GET", &one, Some(&team), None).await;
        assert_eq!(v["entry"]["state"], "disposed", "{v}");
        assert_eq!(v["disposal_steps"].as_array().unwrap().len(), 3);
        let (s, v) = api_json(
            &app,
            "POST",
            &upkeep,
            Some(&team),
            Some(json!({"kind": "upkeep", "on": today, "cost": 0, "content": "巡查"})),
        )
        .await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");

        let (_, doc) = api_json(&app, "GET", "/api/v1/openapi.json", None, None).await;
        for (path, method) in [
            ("/api/v1/assets", "post"),
            ("/api/v1/assets/{id}", "put"),
            ("/api/v1/assets/{id}/upkeep", "post"),
            ("/api/v1/assets/{id}/disposal", "post"),
            ("/api/v1/assets/overdue", "get"),
        ] {
            assert!(doc["paths"][path][method].is_object(), "{path} {method}");
        }
    }
);

/// A 清产核资 workbook in the ledger's columns: (名称, 类型, 行政村, 产权归属, 形成年度, 原值, 管护责任人).
fn workbook(rows: &[[&str; 7]]) -> Vec<u8> {
    let rows: Vec<Vec<Cell>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            ASSET_COLUMNS
                .iter()
                .map(|c| {
                    let t = |s: &str| Cell::Text(s.to_owned());
                    match c.header {
                        "序号" => Cell::Number((i + 1) as f64),
                        "资产名称" => t(r[0]),
                        "资产类型" => t(r[1]),
                        "行政村" => t(r[2]),
                        "产权归属" => t(r[3]),
                        "形成年度" => {
                            r[4].parse::<f64>().map_or_else(|_| t(r[4]), Cell::Number)
                        }
                        "资产原值（元）" => t(r[5]),
                        "管护责任人" => t(r[6]),
                        "资产状态" => t("在用"),
                        "联系电话" => t("13600003333"),
                        "管护周期（月）" => Cell::Number(6.0),
                        _ => Cell::Empty,
                    }
                })
                .collect()
        })
        .collect();
    shouwang_io::ledger_xlsx::write(LedgerKind::Assets, ASSET_COLUMNS, &rows).expect("workbook")
}

async fn count(app: &Router, token: &str) -> usize {
    let (s, v) = api_json(app, "GET", "/api/v1/assets", Some(token), None).await;
    assert_eq!(s, StatusCode::OK);
    v.as_array().unwrap().len()
}

async fn api_import(app: &Router, token: &str, file: &[u8], dry_run: &str) -> (StatusCode, Value) {
    let mut req = post_multipart(
        "/api/v1/imports/assets",
        "",
        &[
            ("dry_run", None, dry_run.as_bytes()),
            ("file", Some("清产核资.xlsx"), file),
        ],
    );
    req.headers_mut().remove(header::COOKIE);
    req.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    let resp = app.clone().oneshot(req).await.unwrap();
    let s = resp.status();
    let text = body_text(resp).await;
    (s, serde_json::from_str(&text).unwrap_or(Value::Null))
}

db_test!(
    fn the_inventory_import(db: Db) {
        let app = app(&db).await;
        let token = api_login(&app, "village_team").await;
        let dept = api_login(&app, "department").await;
        let cookie = login(&app, "village_team").await;
        let before = count(&app, &token).await;
        let good = [
            "导入测试光伏电站",
            "经营性资产",
            DEMO_VILLAGE,
            "村集体",
            "2019",
            "250000.00",
            "刘三",
        ];
        let good2 = [
            "导入测试便民桥",
            "公益性",
            DEMO_VILLAGE,
            "乡镇",
            "2020",
            "80000",
            "刘三",
        ];
        let other = other_village(&db).await;
        let bad = workbook(&[
            good,
            ["", "厂房", DEMO_VILLAGE, "村集体", "2010", "1.234", "刘三"],
            [
                "邻村水窖",
                "公益性资产",
                &other,
                "村集体",
                "2020",
                "5000",
                "张四",
            ],
            good2,
        ]);

        // The page: a dry run and an import of the bad file both list every problem and write nothing.
        let resp = app
            .clone()
            .oneshot(get("/assets/import", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let csrf = csrf_of(&body_text(resp).await);
        for mode in ["dry_run", "commit"] {
            let req = post_multipart(
                "/assets/import",
                &cookie,
                &[
                    ("csrf", None, csrf.as_bytes()),
                    ("mode", None, mode.as_bytes()),
                    ("file", Some("清产核资.xlsx"), &bad),
                ],
            );
            let resp = app.clone().oneshot(req).await.unwrap();
            assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{mode}");
            let html = body_text(resp).await;
            assert!(html.contains("id=\"asset-import-problems\""), "{html}");
            for needle in [
                "清产核资.xlsx",
                "资产名称",
                "资产类型",
                "形成年度",
                "资产原值（元）",
                "不在本辖区",
                "未写入任何数据",
            ] {
                assert!(html.contains(needle), "{mode}: {needle}: {html}");
            }
            assert_eq!(count(&app, &token).await, before, "{mode}: nothing written");
        }

        // The API: a department user is refused; the bad file's report names rows 3 and 4.
        let (s, _) = api_import(&app, &dept, &bad, "true").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, r) = api_import(&app, &token, &bad, "false").await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(
            (
                r["rows"].as_u64(),
                r["rejected"].as_u64(),
                r["imported"].as_u64()
            ),
            (Some(4), Some(2), Some(0)),
            "{r}"
        );
        let rows: Vec<u64> = r["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["row"].as_u64().unwrap())
            .collect();
        assert!(
            rows.contains(&3) && rows.contains(&4) && !rows.contains(&2),
            "{r}"
        );
        assert_eq!(r["file"], "清产核资.xlsx");

        // A good file: the dry run writes nothing, the import writes both rows, again: duplicates.
        let ok = workbook(&[good, good2]);
        let (s, r) = api_import(&app, &token, &ok, "true").await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(
            (r["accepted"].as_u64(), r["imported"].as_u64()),
            (Some(2), Some(0)),
            "{r}"
        );
        assert_eq!(count(&app, &token).await, before);
        let (s, r) = api_import(&app, &token, &ok, "false").await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(r["imported"], 2, "{r}");
        assert_eq!(count(&app, &token).await, before + 2);
        let id = r["ids"][0].as_i64().unwrap();
        let (_, sheet) = api_json(
            &app,
            "GET",
            &format!("/api/v1/assets/{id}"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(sheet["draft"]["value"], 25_000_000, "{sheet}");
        assert_eq!(sheet["draft"]["upkeep_months"], 6);
        let (s, r) = api_import(&app, &token, &ok, "false").await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["rejected"], 2, "{r}");
        assert!(r.to_string().contains("本村已登记同名资产"), "{r}");
        assert_eq!(count(&app, &token).await, before + 2);
    }
);
