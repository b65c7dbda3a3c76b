//! `/api/v1/rules` and `/api/v1/lines` over real HTTP on SQLite and PostgreSQL: the county admin reads and
//! saves the county rules and a monitoring line; another role, a stale version and invalid values are
//! refused with `{code, message_zh, message_en}` and leave the stored rules, the lines and the audit log
//! as they were.

use reqwest::StatusCode;
use serde_json::{Value, json};
use shouwang_core::codes::RegionLevel;
use shouwang_core::{Fen, Region, RegionCode, Role, Scope};
use shouwang_store::repo::audit::AuditFilter;
use shouwang_store::repo::{self, regions, users};
use shouwang_store::{Actor, Db, db_test};
use shouwang_web::{AppState, router};

const COUNTY: &str = "141123";
const TOWN: &str = "141123100";
const VILLAGE: &str = "141123100201";
const PASSWORD: &str = "correct horse 1";

fn rc(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

async fn seed(db: &Db) {
    let sys = Actor::system();
    let r = |code: &str, name: &str, level, parent: Option<&str>| Region {
        code: rc(code),
        name: name.to_owned(),
        level,
        parent: parent.map(rc),
    };
    regions::upsert_many(
        db,
        &sys,
        &[
            r(COUNTY, "兴县", RegionLevel::County, None),
            r(TOWN, "圪塔上乡", RegionLevel::Township, Some(COUNTY)),
            r(VILLAGE, "李家沟村", RegionLevel::Village, Some(TOWN)),
        ],
    )
    .await
    .unwrap();
    for (u, name, role, area) in [
        ("county", "县振兴局赵六", Role::CountyAdmin, COUNTY),
        ("town", "乡振兴办王五", Role::TownshipAdmin, TOWN),
        ("team", "村专班李四", Role::VillageTeam, VILLAGE),
        ("auditor", "审计吴九", Role::Auditor, COUNTY),
    ] {
        users::add(db, &sys, u, name, PASSWORD, role, area)
            .await
            .unwrap();
    }
}

struct Api {
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn start(db: &Db) -> Api {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(AppState::new(db.clone()));
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Api {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    /// Logs in; returns (bearer token, csrf token, session token).
    async fn login(&self, username: &str) -> (String, String) {
        let resp = self
            .http
            .post(format!("{}/api/v1/login", self.base))
            .json(&json!({"username": username, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let v: Value = resp.json().await.unwrap();
        (
            v["token"].as_str().unwrap().to_owned(),
            v["csrf_token"].as_str().unwrap().to_owned(),
        )
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")),
        )
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, token, None).await
    }

    async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, token, Some(body))
            .await
    }
}

async fn audit_count(db: &Db) -> u64 {
    repo::audit::list(
        db,
        &Scope::new(0, Role::CountyAdmin, COUNTY),
        &AuditFilter::default(),
        1,
        1,
    )
    .await
    .unwrap()
    .total
}

/// The stored rules (as JSON), their version, the lines and the audit count.
async fn snapshot(db: &Db) -> (String, i64, String, u64) {
    let rec = repo::rules::get(db, COUNTY).await.unwrap();
    let lines = repo::lines::table(db).await.unwrap();
    (
        serde_json::to_string(&rec.rules).unwrap(),
        rec.version,
        serde_json::to_string(&lines).unwrap(),
        audit_count(db).await,
    )
}

/// Asserts a refusal's status, code and both messages, and that nothing was written.
async fn refused(
    db: &Db,
    before: &(String, i64, String, u64),
    got: (StatusCode, Value),
    status: StatusCode,
    code: &str,
    zh_part: &str,
) {
    let (s, v) = got;
    assert_eq!(s, status, "{v}");
    assert_eq!(v["code"], code, "{v}");
    let zh = v["message_zh"].as_str().unwrap();
    let en = v["message_en"].as_str().unwrap();
    assert!(zh.contains(zh_part), "{zh}");
    assert!(!en.is_empty() && en.is_ascii(), "{en}");
    assert_eq!(
        &snapshot(db).await,
        before,
        "a refused write changed something"
    );
}

db_test!(
    fn county_admin_edits_rules_and_lines_others_are_refused(db: Db) {
        seed(&db).await;
        let api = Api::start(&db).await;
        let (county, _) = api.login("county").await;
        let (town, _) = api.login("town").await;
        let (auditor, _) = api.login("auditor").await;
        let (team, _) = api.login("team").await;

        // Everyone signed in reads the rules: defaults, version 0, the county's name as notice prefix.
        let (s, v) = api.get("/api/v1/rules", &team).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["version"], 0);
        assert_eq!(v["may_edit"], false);
        assert_eq!(v["county_code"], COUNTY);
        assert_eq!(v["rules"]["exit"]["notice"]["prefix"], "兴县");
        assert_eq!(v["rules"]["screening"]["medical_yuan"], 10000);
        let (s, v) = api.get("/api/v1/rules", &county).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["may_edit"], true);
        let mut rules = v["rules"].clone();
        let before = snapshot(&db).await;

        // Refused roles: township admin and auditor (403, nothing written).
        rules["screening"]["medical_yuan"] = json!(8000);
        for t in [&town, &auditor, &team] {
            let got = api
                .put("/api/v1/rules", t, json!({"rules": rules, "version": 0}))
                .await;
            refused(
                &db,
                &before,
                got,
                StatusCode::FORBIDDEN,
                "role_not_allowed",
                "县级管理员",
            )
            .await;
        }

        // Invalid values: 422 with the reason in each language, nothing written.
        for (path, value, zh) in [
            (("identification", "publicity_days"), json!(3), "公示期"),
            (("screening", "near_line_pct"), json!(90), "临近监测线"),
            (("screening", "medical_yuan"), json!(-1), "金额"),
            (
                ("identification", "time_limit_working_days"),
                json!(0),
                "时限",
            ),
        ] {
            let mut bad = rules.clone();
            bad[path.0][path.1] = value;
            let got = api
                .put(
                    "/api/v1/rules",
                    &county,
                    json!({"rules": bad, "version": 0}),
                )
                .await;
            refused(
                &db,
                &before,
                got,
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                zh,
            )
            .await;
        }
        let mut bad = rules.clone();
        bad["exit"]["notice"]["word"] = json!("  ");
        let got = api
            .put(
                "/api/v1/rules",
                &county,
                json!({"rules": bad, "version": 0}),
            )
            .await;
        refused(
            &db,
            &before,
            got,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "文种字",
        )
        .await;
        let mut bad = rules.clone();
        bad["screening"]["school_age_min"] = json!(17);
        let got = api
            .put(
                "/api/v1/rules",
                &county,
                json!({"rules": bad, "version": 0}),
            )
            .await;
        refused(
            &db,
            &before,
            got,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "辍学",
        )
        .await;
        // Wrong types and unknown fields: 422 bad_json_fields.
        let got = api
            .put(
                "/api/v1/rules",
                &county,
                json!({"rules": rules, "version": 0, "extra": 1}),
            )
            .await;
        refused(
            &db,
            &before,
            got,
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_json_fields",
            "字段",
        )
        .await;
        let mut bad = rules.clone();
        bad["clue"]["merge_window_days"] = json!("thirty");
        let got = api
            .put(
                "/api/v1/rules",
                &county,
                json!({"rules": bad, "version": 0}),
            )
            .await;
        refused(
            &db,
            &before,
            got,
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_json_fields",
            "字段",
        )
        .await;

        // The county admin saves: version 1, one audit row with before and after.
        rules["clue"]["merge_window_days"] = json!(45);
        rules["exit"]["deferred"] = json!(["dibao", "tekun"]);
        rules["exit"]["notice"]["prefix"] = json!("兴县圪塔上乡");
        let (s, v) = api
            .put(
                "/api/v1/rules",
                &county,
                json!({"rules": rules, "version": 0}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["version"], 1);
        assert_eq!(v["rules"]["screening"]["medical_yuan"], 8000);
        let stored = repo::rules::get(&db, COUNTY).await.unwrap();
        assert_eq!(stored.version, 1);
        assert_eq!(stored.rules.screening.medical_yuan, 8000);
        assert_eq!(stored.rules.clue.merge_window_days, 45);
        assert_eq!(stored.rules.exit.deferred.len(), 2);
        assert_eq!(audit_count(&db).await, before.3 + 1);
        let (_, v) = api.get("/api/v1/rules", &team).await;
        assert_eq!(v["version"], 1);
        assert_eq!(v["rules"]["clue"]["merge_window_days"], 45);

        // Stale version: 409, nothing written.
        let before = snapshot(&db).await;
        rules["clue"]["merge_window_days"] = json!(60);
        let got = api
            .put(
                "/api/v1/rules",
                &county,
                json!({"rules": rules, "version": 0}),
            )
            .await;
        refused(
            &db,
            &before,
            got,
            StatusCode::CONFLICT,
            "stale_version",
            "已被他人修改",
        )
        .await;

        // Lines: everyone reads; the county admin sets 2023 of its own county; others refused.
        let (s, v) = api.get("/api/v1/lines", &team).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["province"], "14");
        assert_eq!(v["may_edit"], false);
        assert!(
            v["lines"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["year"] == 2022 && l["line"] == 650_000)
        );
        let got = api
            .put(
                "/api/v1/lines",
                &town,
                json!({"year": 2023, "line": 700_000}),
            )
            .await;
        refused(
            &db,
            &before,
            got,
            StatusCode::FORBIDDEN,
            "role_not_allowed",
            "省级管理员",
        )
        .await;
        let got = api
            .put("/api/v1/lines", &county, json!({"year": 2023, "line": 0}))
            .await;
        refused(
            &db,
            &before,
            got,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "监测线",
        )
        .await;
        let got = api
            .put(
                "/api/v1/lines",
                &county,
                json!({"year": 1990, "line": 700_000}),
            )
            .await;
        refused(
            &db,
            &before,
            got,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "年份",
        )
        .await;
        let (s, v) = api
            .put(
                "/api/v1/lines",
                &county,
                json!({"year": 2023, "line": 700_000}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["may_edit"], true);
        assert_eq!(v["sets"], "county");
        // The county's own line: the province's is not touched (issue 19).
        let table = repo::lines::table(&db).await.unwrap();
        assert_eq!(table.line_for("141123", 2023), Some(Fen::from_yuan(7000)));
        assert_eq!(repo::lines::get(&db, "14", 2023).await.unwrap(), None);
        assert_eq!(audit_count(&db).await, before.3 + 1);

        // The document lists the endpoints.
        let (_, doc) = api.get("/api/v1/openapi.json", &team).await;
        assert!(doc["paths"]["/api/v1/rules"]["put"].is_object());
        assert!(doc["paths"]["/api/v1/lines"]["get"].is_object());
    }
);

db_test!(
    fn cookie_writes_need_the_csrf_header(db: Db) {
        seed(&db).await;
        let api = Api::start(&db).await;
        let (token, csrf) = api.login("county").await;
        let before = snapshot(&db).await;
        let (_, v) = api.get("/api/v1/rules", &token).await;
        let body = json!({"rules": v["rules"], "version": 0});
        let put = |with_csrf: bool| {
            let mut req = api
                .http
                .put(format!("{}/api/v1/rules", api.base))
                .header("cookie", format!("sw_session={token}"))
                .json(&body);
            if with_csrf {
                req = req.header("x-csrf-token", &csrf);
            }
            req.send()
        };
        let resp = put(false).await.unwrap();
        let status = resp.status();
        let v: Value = resp.json().await.unwrap();
        refused(
            &db,
            &before,
            (status, v),
            StatusCode::FORBIDDEN,
            "csrf",
            "CSRF",
        )
        .await;
        let resp = put(true).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(repo::rules::get(&db, COUNTY).await.unwrap().version, 1);
    }
);
