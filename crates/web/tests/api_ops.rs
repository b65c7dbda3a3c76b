//! `/api/v1` for the operations of the upload, data-quality, ledger/document and admin pages, over real
//! HTTP (a server on 127.0.0.1:0, reqwest) on SQLite and PostgreSQL with the demo county: department
//! screening rounds and registry imports as jobs, and the OpenAPI document covering every route.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use shouwang_app::demo;
use shouwang_core::access::{Role, Scope};
use shouwang_core::codes::{
    Dibao, Education, HealthStatus, HouseholdType, LabourSkill, PoliticalStatus, Relation, Tekun,
};
use shouwang_core::{Household, Member, RegionCode};
use shouwang_store::repo::households;
use shouwang_store::{Actor, Db, db_test};
use shouwang_web::{AppState, router};

mod common;
use common::{count, demo_password, household_without_case, medical, registry_csv};

struct Api {
    base: String,
    http: reqwest::Client,
}

struct Token(String);

impl Api {
    async fn start(db: &Db) -> Api {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let files = tempfile::tempdir().unwrap().keep();
        let app = router(AppState::new(db.clone()).with_files(files.join("attachments")));
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Api {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    /// Starts the server over a loaded demo county (120 households).
    async fn demo(db: &Db) -> (Api, demo::DemoCounty) {
        let county = demo::generate(120, 7);
        demo::load(db, &county, &|_, _| {})
            .await
            .expect("demo load");
        (Api::start(db).await, county)
    }

    async fn login(&self, username: &str) -> Token {
        let (s, v) = self
            .send(
                reqwest::Method::POST,
                "/api/v1/login",
                None,
                Some(json!({"username": username, "password": demo_password(username)})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        Token(v["token"].as_str().unwrap().to_owned())
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&Token>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(&t.0);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        json_of(req.send().await.unwrap()).await
    }

    async fn get(&self, path: &str, t: &Token) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, Some(t), None).await
    }

    async fn post(&self, path: &str, t: &Token, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(t), Some(body))
            .await
    }

    async fn multipart(&self, path: &str, t: &Token, form: Form) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&t.0)
            .multipart(form)
            .send()
            .await
            .unwrap();
        json_of(resp).await
    }

    /// Raw bytes of a GET: status, content type, content disposition, body.
    async fn bytes(&self, path: &str, t: &Token) -> (StatusCode, String, String, Vec<u8>) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&t.0)
            .send()
            .await
            .unwrap();
        let h = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let (ct, cd) = (h("content-type"), h("content-disposition"));
        (resp.status(), ct, cd, resp.bytes().await.unwrap().to_vec())
    }

    /// Polls a job until it is finished.
    async fn finished(&self, job: &Value, t: &Token) -> Value {
        let href = job["href"].as_str().expect("job href").to_owned();
        for _ in 0..600 {
            let (s, v) = self.get(&href, t).await;
            assert_eq!(s, StatusCode::OK, "{v}");
            if v["finished"] == true {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("job {href} did not finish");
    }
}

async fn json_of(resp: reqwest::Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.unwrap();
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    (status, v)
}

/// Asserts an error answer: status, and a code and both messages.
fn refused(got: &(StatusCode, Value), status: StatusCode) {
    let (s, v) = got;
    assert_eq!(*s, status, "{v}");
    assert!(v["code"].as_str().is_some_and(|c| !c.is_empty()), "{v}");
    assert!(
        v["message_zh"].as_str().is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    assert!(
        v["message_en"].as_str().is_some_and(|m| !m.is_empty()),
        "{v}"
    );
}

fn file(name: &str, bytes: &[u8]) -> Part {
    Part::bytes(bytes.to_vec()).file_name(name.to_owned())
}

// ------------------------------------------------------------------------------------------------
// Jobs: department screening rounds and registry imports.

db_test!(
    fn api_department_upload_runs_a_round_as_a_job(db: Db) {
        let (api, county) = Api::demo(&db).await;
        let (number, id) = household_without_case(&db, &county).await;
        let dept = api.login("department").await;
        let form = || {
            Form::new().text("month", "2022-06").part(
                "medical",
                file("2022年6月医保结算.csv", medical(&id).as_bytes()),
            )
        };
        let (s, job) = api
            .multipart("/api/v1/screening/rounds", &dept, form())
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{job}");
        assert_eq!(job["kind"], "screening");
        let done = api.finished(&job, &dept).await;
        assert_eq!(done["ok"], false, "one malformed row: {done}");
        let r = &done["result"];
        assert_eq!(r["round"], "2022-06", "{r}");
        assert!(r["recorded"]["new_cases"].as_u64().unwrap() >= 1, "{r}");
        let medical_file = &r["files"][0];
        assert_eq!(medical_file["department"], "medical");
        assert_eq!(medical_file["file"], "2022年6月医保结算.csv");
        assert_eq!(medical_file["malformed"], 1, "{r}");
        assert_eq!(r["rejected"][0]["line"], 4, "{r}");
        assert_eq!(r["rejected"][0]["file"], "2022年6月医保结算.csv");
        assert!(
            r["hits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["household"] == number.as_str() && h["result"] == "new_case"),
            "{r}"
        );
        // rejected.csv as a download.
        let csv = done["files"][0]["href"].as_str().unwrap();
        let (s, ct, cd, bytes) = api.bytes(csv, &dept).await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.starts_with("text/csv"), "{ct}");
        assert!(
            cd.starts_with("attachment;") && cd.contains("rejected.csv"),
            "{cd}"
        );
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            text.contains("2022年6月医保结算.csv,4,医疗总费用"),
            "{text}"
        );

        // Only the owner sees the job.
        let other = api.login("county_admin").await;
        refused(
            &api.get(job["href"].as_str().unwrap(), &other).await,
            StatusCode::NOT_FOUND,
        );
        refused(&api.get(csv, &other).await, StatusCode::NOT_FOUND);
        refused(
            &api.get("/api/v1/jobs/notanumber", &dept).await,
            StatusCode::NOT_FOUND,
        );

        // The same month again records nothing new.
        let audit = count(&db, "SELECT COUNT(*) FROM audit_log").await;
        let (_, job) = api
            .multipart("/api/v1/screening/rounds", &dept, form())
            .await;
        let done = api.finished(&job, &dept).await;
        assert_eq!(done["result"]["recorded"]["new_cases"], 0, "{done}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, audit);

        // Refusals: a village team (403), a bad month, no file, a non-spreadsheet (422), not multipart (400).
        let team = api.login("village_team").await;
        refused(
            &api.multipart("/api/v1/screening/rounds", &team, form())
                .await,
            StatusCode::FORBIDDEN,
        );
        let bad_month = Form::new()
            .text("month", "2022-13")
            .part("medical", file("m.csv", medical(&id).as_bytes()));
        let got = api
            .multipart("/api/v1/screening/rounds", &dept, bad_month)
            .await;
        refused(&got, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            got.1["message_zh"].as_str().unwrap().contains("年-月"),
            "{}",
            got.1
        );
        refused(
            &api.multipart(
                "/api/v1/screening/rounds",
                &dept,
                Form::new().text("month", "2022-06"),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        let pdf = Form::new()
            .text("month", "2022-06")
            .part("medical", file("m.pdf", b"%PDF-1.4"));
        refused(
            &api.multipart("/api/v1/screening/rounds", &dept, pdf).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        // With the session cookie instead of the bearer token, an upload needs the CSRF header.
        let resp = api
            .http
            .post(format!("{}/api/v1/screening/rounds", api.base))
            .header("cookie", format!("sw_session={}", dept.0))
            .multipart(form())
            .send()
            .await
            .unwrap();
        let got = json_of(resp).await;
        refused(&got, StatusCode::FORBIDDEN);
        assert_eq!(got.1["code"], "csrf");
        refused(
            &api.post(
                "/api/v1/screening/rounds",
                &dept,
                json!({"month": "2022-06"}),
            )
            .await,
            StatusCode::BAD_REQUEST,
        );
    }
);

db_test!(
    fn api_registry_import_reports_every_problem_and_imports(db: Db) {
        let (api, _) = Api::demo(&db).await;
        let admin = api.login("county_admin").await;
        let households = "SELECT COUNT(*) FROM households";
        let before = count(&db, households).await;
        let audit = count(&db, "SELECT COUNT(*) FROM audit_log").await;

        // A dry run (the default) of a file with one bad row: the problem located, nothing written.
        let bad = registry_csv("U", 100).replace("之儿媳", "邻居");
        let form = Form::new().part("file", file("坏台账.csv", bad.as_bytes()));
        let (s, job) = api
            .multipart("/api/v1/imports/registry", &admin, form)
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{job}");
        assert_eq!(job["kind"], "registry_import");
        let done = api.finished(&job, &admin).await;
        let r = &done["result"];
        assert_eq!(done["ok"], false, "{done}");
        assert_eq!(r["file"], "坏台账.csv");
        assert_eq!(r["report"]["dry_run"], true, "{r}");
        assert_eq!(r["report"]["committed"], false, "{r}");
        let p = &r["report"]["problems"][0];
        assert_eq!(p["sheet"], "坏台账.csv", "{r}");
        assert_eq!(p["row"], 7, "{r}");
        assert_eq!(p["column"], "与户主关系", "{r}");
        assert_eq!(p["value"], "邻居", "{r}");
        assert!(!p["reason_zh"].as_str().unwrap().is_empty(), "{r}");
        assert!(!p["reason_en"].as_str().unwrap().is_empty(), "{r}");
        assert_eq!(count(&db, households).await, before);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, audit);

        // all_or_nothing with a rejected household: nothing written.
        let form = Form::new()
            .text("dry_run", "false")
            .text("all_or_nothing", "true")
            .part("file", file("坏台账.csv", bad.as_bytes()));
        let (_, job) = api
            .multipart("/api/v1/imports/registry", &admin, form)
            .await;
        let done = api.finished(&job, &admin).await;
        assert_eq!(done["result"]["report"]["committed"], false, "{done}");
        assert_eq!(count(&db, households).await, before);

        // A real import of a good file.
        let form = Form::new()
            .text("dry_run", "false")
            .part("file", file("台账.csv", registry_csv("T", 0).as_bytes()));
        let (_, job) = api
            .multipart("/api/v1/imports/registry", &admin, form)
            .await;
        let done = api.finished(&job, &admin).await;
        assert_eq!(done["ok"], true, "{done}");
        assert_eq!(done["result"]["report"]["committed"], true, "{done}");
        assert_eq!(done["result"]["report"]["households_created"], 3, "{done}");
        assert_eq!(count(&db, households).await, before + 3);
        // The problem list downloads.
        let (s, ct, _, _) = api
            .bytes(done["files"][0]["href"].as_str().unwrap(), &admin)
            .await;
        assert_eq!((s, ct.starts_with("text/csv")), (StatusCode::OK, true));

        // Refusals: a village team (403), no file / empty / not a spreadsheet / a bad flag (422).
        let team = api.login("village_team").await;
        let form = Form::new().part("file", file("台账.csv", registry_csv("V", 0).as_bytes()));
        refused(
            &api.multipart("/api/v1/imports/registry", &team, form).await,
            StatusCode::FORBIDDEN,
        );
        for form in [
            Form::new().text("dry_run", "true"),
            Form::new().part("file", file("空.csv", b"")),
            Form::new().part(
                "file",
                file("x.bin", b"\x00\x01\x02\x03\xff\xfe\x00\x00binary"),
            ),
            Form::new()
                .text("dry_run", "perhaps")
                .part("file", file("台账.csv", registry_csv("V", 0).as_bytes())),
        ] {
            refused(
                &api.multipart("/api/v1/imports/registry", &admin, form)
                    .await,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
        assert_eq!(count(&db, households).await, before + 3);
    }
);

// ------------------------------------------------------------------------------------------------
// The OpenAPI document.

/// Every `$ref` in `v`.
fn refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref"
                    && let Some(s) = x.as_str()
                {
                    out.push(s.to_owned());
                }
                refs(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

db_test!(
    fn openapi_documents_every_route_and_method(db: Db) {
        db.migrate().await.unwrap();
        let api = Api::start(&db).await;
        let (s, doc) = api
            .send(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        // It parses as an OpenAPI 3.1 document, and every reference resolves.
        let parsed: utoipa::openapi::OpenApi =
            serde_json::from_value(doc.clone()).expect("a valid OpenAPI document");
        assert!(!parsed.paths.paths.is_empty());
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let mut all = Vec::new();
        refs(&doc, &mut all);
        for r in &all {
            let name = r
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected $ref {r}"));
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "{r} does not resolve"
            );
        }
        // Every route of the router is documented with each method it answers, and nothing else is.
        let documented = doc["paths"].as_object().unwrap();
        for path in shouwang_web::api::PATHS {
            let full = format!("/api/v1{path}");
            let entry = documented
                .get(&full)
                .unwrap_or_else(|| panic!("{full} is routed but not in openapi.json"));
            let concrete: String = full
                .split('/')
                .map(|seg| if seg.starts_with('{') { "1" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
                let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let resp = api
                    .http
                    .request(m, format!("{}{concrete}", api.base))
                    .send()
                    .await
                    .unwrap();
                let routed = resp.status() != StatusCode::METHOD_NOT_ALLOWED;
                let in_doc = entry[method.to_lowercase()].is_object();
                assert_eq!(
                    routed, in_doc,
                    "{method} {full}: routed {routed}, documented {in_doc}"
                );
            }
        }
        for p in documented.keys() {
            let rel = p.strip_prefix("/api/v1").unwrap_or(p);
            assert!(
                shouwang_web::api::PATHS.contains(&rel),
                "{p} is documented but not routed"
            );
        }
        // The import report's description lists exactly the fields the report serialises.
        let report =
            serde_json::to_value(shouwang_store::repo::registry_file::ImportReport::default())
                .unwrap();
        let mut sent: Vec<&String> = report.as_object().unwrap().keys().collect();
        let mut described: Vec<&String> =
            doc["components"]["schemas"]["ImportReportDoc"]["properties"]
                .as_object()
                .expect("ImportReportDoc")
                .keys()
                .collect();
        sent.sort();
        described.sort();
        assert_eq!(sent, described);
    }
);

// ------------------------------------------------------------------------------------------------
// Data quality and duplicates.

const VILLAGE: &str = "141123208201";

fn qmember(seq: u16, year: i32, name: &str, relation: Relation) -> Member {
    let id = shouwang_core::idnum::make(
        110105,
        chrono::NaiveDate::from_ymd_opt(year, 2, 3).unwrap(),
        seq,
    );
    Member {
        id_number: id,
        name: name.to_owned(),
        sex: id.sex(),
        relation,
        labour: LabourSkill::Ordinary,
        health: vec![HealthStatus::Healthy],
        education: Some(Education::JuniorSecondary),
        school: None,
        political: PoliticalStatus::Masses,
        has_medical_insurance: true,
        dibao: Dibao::None,
        tekun: Tekun::None,
        disability_grade: None,
    }
}

fn qhousehold(number: &str, members: Vec<Member>) -> Household {
    Household {
        number: number.to_owned(),
        village: RegionCode::parse(VILLAGE).unwrap(),
        natural_village: None,
        household_type: HouseholdType::Ordinary,
        address: "测试地址".to_owned(),
        phone: None,
        is_relocated: false,
        monitored_type: None,
        risks: vec![],
        members,
    }
}

async fn read_full_id_rows(db: &Db) -> i64 {
    count(
        db,
        "SELECT COUNT(*) FROM audit_log WHERE action = 'read_full_id'",
    )
    .await
}

db_test!(
    fn api_quality_findings_and_duplicate_merge(db: Db) {
        let (api, _) = Api::demo(&db).await;
        // 9901 without medical insurance (Q07); 9902 and 9903 the same family twice (D2).
        let mut bad = qmember(901, 1961, "测甲", Relation::Head);
        bad.has_medical_insurance = false;
        for h in [
            qhousehold("1411232082019901", vec![bad.clone()]),
            qhousehold(
                "1411232082019902",
                vec![qmember(902, 1955, "重乙", Relation::Head)],
            ),
            qhousehold(
                "1411232082019903",
                vec![qmember(903, 1955, "重 乙", Relation::Head)],
            ),
        ] {
            households::create(&db, &Actor::system(), &h).await.unwrap();
        }
        let admin = api.login("county_admin").await;
        let team = api.login("village_team").await;

        // The county admin: the Q07 household with the member's full ID number, the read audited.
        let reads = read_full_id_rows(&db).await;
        let (s, v) = api.get("/api/v1/quality?code=q07", &admin).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let rows = v["households"].as_array().unwrap();
        let row = rows
            .iter()
            .find(|h| h["number"] == "1411232082019901")
            .expect("the seeded finding");
        assert!(rows.iter().all(|h| h["number"] != "1411232082019902"));
        assert_eq!(row["findings"][0]["code"], "Q07");
        assert_eq!(row["findings"][0]["member_id"], bad.id_number.to_string());
        assert!(
            v["codes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["code"] == "Q07" && c["households"].as_u64().unwrap() >= 1)
        );
        assert_eq!(read_full_id_rows(&db).await, reads + 1);
        // The village team: masked, nothing audited.
        let (_, v) = api
            .get(&format!("/api/v1/quality?code=Q07&area={VILLAGE}"), &team)
            .await;
        let row = v["households"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["number"] == "1411232082019901")
            .expect("listed for the village");
        assert_eq!(row["findings"][0]["member_id"], bad.id_number.masked());
        assert_eq!(read_full_id_rows(&db).await, reads + 1);
        // Refusals.
        let dept = api.login("department").await;
        refused(
            &api.get("/api/v1/quality", &dept).await,
            StatusCode::FORBIDDEN,
        );
        refused(
            &api.get("/api/v1/quality?area=141123208202", &team).await,
            StatusCode::NOT_FOUND,
        );
        refused(
            &api.get("/api/v1/quality?area=abc", &team).await,
            StatusCode::BAD_REQUEST,
        );
        refused(
            &api.get("/api/v1/quality?code=Q99", &admin).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        refused(
            &api.get("/api/v1/quality?page=x", &admin).await,
            StatusCode::BAD_REQUEST,
        );

        // Duplicates: the D2 pair with versions; the team may read, not merge.
        let (s, v) = api.get("/api/v1/quality/duplicates", &admin).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["may_merge"], true);
        let pair = v["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "D2" && c["b"]["number"] == "1411232082019903")
            .expect("the D2 pair")
            .clone();
        let (_, tv) = api.get("/api/v1/quality/duplicates", &team).await;
        assert_eq!(tv["may_merge"], false);
        refused(
            &api.get("/api/v1/quality/duplicates", &dept).await,
            StatusCode::FORBIDDEN,
        );
        let body = |keep_version: &Value| {
            json!({"keep": pair["a"]["number"], "keep_version": keep_version,
                   "drop": pair["b"]["number"], "drop_version": pair["b"]["version"]})
        };
        let audit = count(&db, "SELECT COUNT(*) FROM audit_log").await;
        refused(
            &api.post(
                "/api/v1/quality/duplicates/merge",
                &team,
                body(&pair["a"]["version"]),
            )
            .await,
            StatusCode::FORBIDDEN,
        );
        refused(
            &api.post("/api/v1/quality/duplicates/merge", &admin, body(&json!(99)))
                .await,
            StatusCode::CONFLICT,
        );
        refused(
            &api.post(
                "/api/v1/quality/duplicates/merge",
                &admin,
                json!({"keep": "x"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        refused(
            &api.post(
                "/api/v1/quality/duplicates/remove-member",
                &admin,
                json!({"household": "1411232082019902", "id_number": "12345", "version": 1}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, audit);
        let scope = Scope::new(0, Role::CountyAdmin, "141123");
        assert!(
            households::get(&db, &scope, "1411232082019903")
                .await
                .unwrap()
                .is_some()
        );
        // Merged.
        let (s, v) = api
            .post(
                "/api/v1/quality/duplicates/merge",
                &admin,
                body(&pair["a"]["version"]),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert!(v["version"].as_i64().unwrap() > pair["a"]["version"].as_i64().unwrap());
        assert!(
            households::get(&db, &scope, "1411232082019903")
                .await
                .unwrap()
                .is_none()
        );
        assert!(count(&db, "SELECT COUNT(*) FROM audit_log").await > audit);
    }
);

// ------------------------------------------------------------------------------------------------
// Ledgers and documents.

db_test!(
    fn api_ledgers_and_documents_download(db: Db) {
        let (api, _) = Api::demo(&db).await;
        let county = api.login("county_admin").await;
        let team = api.login("village_team").await;
        let dept = api.login("department").await;

        let exports = "SELECT COUNT(*) FROM audit_log WHERE action = 'export_ledger'";
        let before = count(&db, exports).await;
        let (s, ct, cd, bytes) = api
            .bytes(
                "/api/v1/ledgers/clues?from=2021-01-01&to=2022-12-31",
                &county,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            ct,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(
            cd.starts_with("attachment; filename=\"clues-141123.xlsx\"")
                && cd.contains("filename*=UTF-8''"),
            "{cd}"
        );
        assert!(bytes.starts_with(b"PK"));
        assert_eq!(count(&db, exports).await, before + 1);
        // Refusals: a department clerk (403), an unknown ledger or date (400), another village (404).
        refused(
            &api.get("/api/v1/ledgers/clues", &dept).await,
            StatusCode::FORBIDDEN,
        );
        refused(
            &api.get("/api/v1/ledgers/nonsense", &county).await,
            StatusCode::BAD_REQUEST,
        );
        refused(
            &api.get("/api/v1/ledgers/clues?from=2021-13-01", &county)
                .await,
            StatusCode::BAD_REQUEST,
        );
        refused(
            &api.get("/api/v1/ledgers/monitored?area=141123208202", &team)
                .await,
            StatusCode::NOT_FOUND,
        );

        // A household's 帮扶手册: DOCX and HTML; another village's household is 404.
        let stmt = Statement::from_string(
            db.backend(),
            "SELECT household_number FROM cases WHERE cadre_name IS NOT NULL AND is_current = TRUE ORDER BY household_number LIMIT 1",
        );
        let n: String = db
            .conn()
            .query_one_raw(stmt)
            .await
            .unwrap()
            .expect("a case with a cadre in the demo county")
            .try_get("", "household_number")
            .unwrap();
        let path = format!("/api/v1/households/{n}/documents/handbook");
        let (s, ct, cd, bytes) = api.bytes(&path, &county).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            ct,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert!(
            cd.starts_with(&format!("attachment; filename=\"handbook-{n}.docx\"")),
            "{cd}"
        );
        assert!(bytes.starts_with(b"PK"));
        let (s, ct, _, bytes) = api.bytes(&format!("{path}?format=html"), &county).await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.starts_with("text/html"), "{ct}");
        assert!(String::from_utf8(bytes).unwrap().contains("帮扶手册"));
        refused(
            &api.get(&format!("{path}?format=pdf"), &county).await,
            StatusCode::BAD_REQUEST,
        );
        refused(
            &api.get(&format!("/api/v1/households/{n}/documents/nope"), &county)
                .await,
            StatusCode::NOT_FOUND,
        );
        let team2 = {
            // A village team of another village.
            shouwang_store::repo::users::add(
                &db,
                &Actor::system(),
                "team_other",
                "另一村专班",
                "another password 1",
                Role::VillageTeam,
                if n.starts_with("141123208202") {
                    "141123208201"
                } else {
                    "141123208202"
                },
            )
            .await
            .unwrap();
            let (_, v) = api
                .send(
                    reqwest::Method::POST,
                    "/api/v1/login",
                    None,
                    Some(json!({"username": "team_other", "password": "another password 1"})),
                )
                .await;
            Token(v["token"].as_str().unwrap().to_owned())
        };
        refused(&api.get(&path, &team2).await, StatusCode::NOT_FOUND);

        // The 公示 list of the team's own village, and the quarter's exit notices.
        let (s, ct, _, _) = api
            .bytes("/api/v1/documents/publicity?format=html", &team)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.starts_with("text/html"), "{ct}");
        refused(
            &api.get("/api/v1/documents/publicity", &county).await,
            StatusCode::BAD_REQUEST,
        );
        refused(
            &api.get("/api/v1/documents/publicity", &dept).await,
            StatusCode::FORBIDDEN,
        );
        let stmt = Statement::from_string(
            db.backend(),
            "SELECT issued_on FROM exit_notices ORDER BY issued_on LIMIT 1",
        );
        let on: String = db
            .conn()
            .query_one_raw(stmt)
            .await
            .unwrap()
            .expect("a notice in the demo county")
            .try_get("", "issued_on")
            .unwrap();
        let q = shouwang_core::monitoring::Quarter::of(on.parse().unwrap());
        let (s, ct, _, bytes) = api
            .bytes(
                &format!("/api/v1/documents/exit-notices?quarter={}Q{}", q.year, q.q),
                &county,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(ct.contains("wordprocessingml"), "{ct}");
        assert!(bytes.starts_with(b"PK"));
        refused(
            &api.get("/api/v1/documents/exit-notices?quarter=2022Q9", &county)
                .await,
            StatusCode::BAD_REQUEST,
        );
    }
);

// ------------------------------------------------------------------------------------------------
// Users, password, audit log.

db_test!(
    fn api_users_password_and_audit(db: Db) {
        let (api, _) = Api::demo(&db).await;
        let county = api.login("county_admin").await;
        let town = api.login("township_admin").await;
        let team = api.login("village_team").await;

        // Lists: the admins, not the team.
        let (s, v) = api.get("/api/v1/users", &county).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert!(
            v.as_array()
                .unwrap()
                .iter()
                .any(|u| u["username"] == "auditor")
        );
        let (_, v) = api.get("/api/v1/users", &town).await;
        assert!(
            v.as_array()
                .unwrap()
                .iter()
                .all(|u| u["area"].as_str().unwrap().starts_with("141123208")),
            "{v}"
        );
        refused(
            &api.get("/api/v1/users", &team).await,
            StatusCode::FORBIDDEN,
        );

        // The township admin creates a village team member of its township.
        let new = json!({"username": "newteam", "display_name": "新专班", "password": "long enough 1",
                         "role": "village_team", "area": "141123208201"});
        let (s, u) = api.post("/api/v1/users", &town, new.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{u}");
        assert_eq!(u["role"], "village_team");
        let id = u["id"].as_i64().unwrap();
        // Refusals: a name taken (409), a role it may not grant (403), a short password (422),
        // an unknown field (422), the team (403).
        refused(
            &api.post("/api/v1/users", &town, new.clone()).await,
            StatusCode::CONFLICT,
        );
        let mut admin_grant = new.clone();
        admin_grant["username"] = json!("x1");
        admin_grant["role"] = json!("county_admin");
        admin_grant["area"] = json!("141123");
        refused(
            &api.post("/api/v1/users", &town, admin_grant).await,
            StatusCode::FORBIDDEN,
        );
        let mut short = new.clone();
        short["username"] = json!("x2");
        short["password"] = json!("short");
        refused(
            &api.post("/api/v1/users", &town, short).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        refused(
            &api.post("/api/v1/users", &town, json!({"username": "x3", "nope": 1}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        refused(
            &api.post("/api/v1/users", &team, new.clone()).await,
            StatusCode::FORBIDDEN,
        );

        // The new member logs in; moving them to a cadre role ends the session.
        let (_, v) = api
            .send(
                reqwest::Method::POST,
                "/api/v1/login",
                None,
                Some(json!({"username": "newteam", "password": "long enough 1"})),
            )
            .await;
        let newteam = Token(v["token"].as_str().unwrap().to_owned());
        let role_path = format!("/api/v1/users/{id}/role");
        refused(
            &api.post(
                &role_path,
                &town,
                json!({"role": "cadre", "area": "141123208201", "version": 9}),
            )
            .await,
            StatusCode::CONFLICT,
        );
        refused(
            &api.post(
                &role_path,
                &town,
                json!({"role": "cadre", "area": "141123100201", "version": 1}),
            )
            .await,
            StatusCode::FORBIDDEN,
        );
        let (s, u) = api
            .post(
                &role_path,
                &town,
                json!({"role": "cadre", "area": "141123208201", "version": 1}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{u}");
        assert_eq!(
            (u["role"].as_str(), u["version"].as_i64()),
            (Some("cadre"), Some(2))
        );
        refused(
            &api.get("/api/v1/me", &newteam).await,
            StatusCode::UNAUTHORIZED,
        );
        // Disabled, then another area's admin cannot reach the account (404).
        let (s, u) = api
            .post(
                &format!("/api/v1/users/{id}/active"),
                &town,
                json!({"active": false, "version": 2}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{u}");
        assert_eq!(u["active"], false);
        let other_town = {
            shouwang_store::repo::users::add(
                &db,
                &Actor::system(),
                "town_other",
                "另一乡",
                "another password 1",
                Role::TownshipAdmin,
                "141123100",
            )
            .await
            .unwrap();
            let (_, v) = api
                .send(
                    reqwest::Method::POST,
                    "/api/v1/login",
                    None,
                    Some(json!({"username": "town_other", "password": "another password 1"})),
                )
                .await;
            Token(v["token"].as_str().unwrap().to_owned())
        };
        refused(
            &api.post(
                &format!("/api/v1/users/{id}/active"),
                &other_town,
                json!({"active": true, "version": 3}),
            )
            .await,
            StatusCode::NOT_FOUND,
        );
        refused(
            &api.post(
                "/api/v1/users/abc/active",
                &town,
                json!({"active": true, "version": 3}),
            )
            .await,
            StatusCode::NOT_FOUND,
        );

        // The audit log: the county admin sees the changes of the user, masked IDs; the team may not.
        let (s, v) = api
            .get(
                &format!("/api/v1/audit?entity=user&entity_id={id}"),
                &county,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let actions: Vec<&str> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["update", "update", "create"], "{v}");
        assert_eq!(v["items"][1]["after"]["role"], "cadre", "{v}");
        let (_, v) = api
            .get("/api/v1/audit?entity=household&per_page=50", &county)
            .await;
        let text = v.to_string();
        assert!(v["total"].as_u64().unwrap() > 0, "{v}");
        assert!(
            !regex_like_full_id(&text),
            "a full ID number in the audit log: {text}"
        );
        refused(
            &api.get("/api/v1/audit", &team).await,
            StatusCode::FORBIDDEN,
        );
        refused(
            &api.get("/api/v1/audit?since=2022-02-30", &county).await,
            StatusCode::BAD_REQUEST,
        );
        refused(
            &api.get("/api/v1/audit?actor=abc", &county).await,
            StatusCode::BAD_REQUEST,
        );

        // The team changes its own password: wrong old one refused, then done, and the token ends.
        refused(
            &api.post(
                "/api/v1/me/password",
                &team,
                json!({"old": "wrong one", "new": "brand new pw 1"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        let old = demo_password("village_team");
        refused(
            &api.post(
                "/api/v1/me/password",
                &team,
                json!({"old": old, "new": "x"}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        let (s, v) = api
            .post(
                "/api/v1/me/password",
                &team,
                json!({"old": old, "new": "brand new pw 1"}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
        refused(
            &api.get("/api/v1/me", &team).await,
            StatusCode::UNAUTHORIZED,
        );
        let (s, _) = api
            .send(
                reqwest::Method::POST,
                "/api/v1/login",
                None,
                Some(json!({"username": "village_team", "password": "brand new pw 1"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
    }
);

/// Whether `text` holds an 18-character ID number in full (17 digits and a check character).
fn regex_like_full_id(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(17)).any(|i| {
        (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && b[i..i + 17].iter().all(u8::is_ascii_digit)
            && (b[i + 17].is_ascii_digit() || b[i + 17] == b'X')
            && b.get(i + 18).is_none_or(|c| !c.is_ascii_alphanumeric())
    })
}

db_test!(
    fn api_dashboard_figures_by_area(db: Db) {
        let (api, _) = Api::demo(&db).await;
        let county = api.login("county_admin").await;
        let team = api.login("village_team").await;
        let (s, c) = api.get("/api/v1/dashboard", &county).await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let monitored = c["monitored"].as_u64().unwrap();
        assert!(monitored > 0, "{c}");
        assert_eq!(c["funnel"].as_array().unwrap().len(), 4, "{c}");
        let by_village: u64 = c["by_village"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["value"].as_u64().unwrap())
            .sum();
        assert!(by_village > 0, "{c}");
        // The page charts the same figures (the session token works as the page's cookie).
        let resp = api
            .http
            .get(format!("{}/dashboard", api.base))
            .header("cookie", format!("sw_session={}", county.0))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("by-village") && html.contains("funnel"),
            "{html}"
        );
        let first = &c["by_village"][0];
        assert!(
            html.contains(first["label_zh"].as_str().unwrap()),
            "{first} not on the page"
        );
        // The 村容村貌 indicators against their targets and the problems by sector (issue 22).
        assert_eq!(c["indicators"]["rates"].as_array().unwrap().len(), 3, "{c}");
        assert_eq!(c["indicators"]["rates"][0]["target_pct"], 75, "{c}");
        assert_eq!(c["problems"].as_array().unwrap().len(), 4, "{c}");
        assert!(
            html.contains("卫生厕所普及率")
                && html.contains("≥ 75%")
                && html.contains("dash-problems"),
            "the indicators and problems on the page"
        );
        // The village team sees its own village only.
        let (s, v) = api.get("/api/v1/dashboard", &team).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        for f in v["by_village"].as_array().unwrap() {
            assert_eq!(f["code"], VILLAGE, "{v}");
        }
        assert!(v["monitored"].as_u64().unwrap() <= monitored);
        // The cadre and the department clerk: no dashboard.
        let cadre = api.login("cadre").await;
        refused(
            &api.get("/api/v1/dashboard", &cadre).await,
            StatusCode::FORBIDDEN,
        );
        let dept = api.login("department").await;
        refused(
            &api.get("/api/v1/dashboard", &dept).await,
            StatusCode::FORBIDDEN,
        );
    }
);
