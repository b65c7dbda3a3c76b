//! `/api/v1` for the operations of the upload, data-quality, ledger/document and admin pages, over real
//! HTTP (a server on 127.0.0.1:0, reqwest) on SQLite and PostgreSQL with the demo county: department
//! screening rounds and registry imports as jobs, and the OpenAPI document covering every route.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use shouwang_core::access::{Role, Scope};
use shouwang_store::repo::cases;
use shouwang_store::{Db, db_test, demo};
use shouwang_web::{AppState, router};

struct Api {
    base: String,
    http: reqwest::Client,
}

struct Token(String);

fn password(username: &str) -> &'static str {
    demo::DEMO_USERS
        .iter()
        .find(|u| u.username == username)
        .map(|u| u.password)
        .expect("demo user")
}

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
                Some(json!({"username": username, "password": password(username)})),
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

async fn count(db: &Db, sql: &str) -> i64 {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(db.backend(), sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

fn file(name: &str, bytes: &[u8]) -> Part {
    Part::bytes(bytes.to_vec()).file_name(name.to_owned())
}

// ------------------------------------------------------------------------------------------------
// Jobs: department screening rounds and registry imports.

/// A household of the demo county without a case, and one of its members' ID numbers.
async fn household_without_case(db: &Db, county: &demo::DemoCounty) -> (String, String) {
    let everyone = Scope::new(0, Role::CountyAdmin, "141123");
    for dh in &county.households {
        if dh.incomes.iter().any(|r| r.year == 2021)
            && cases::history(db, &everyone, &dh.household.number)
                .await
                .unwrap()
                .is_empty()
        {
            return (
                dh.household.number.clone(),
                dh.household.members[0].id_number.to_string(),
            );
        }
    }
    panic!("a household without a case");
}

/// 20,000 yuan out of pocket for `id`, an ID in no registry, a malformed row (line 4).
fn medical(id: &str) -> String {
    format!(
        "身份证号,结算日期,医疗总费用,基本医保支付,大病保险支付,医疗救助支付\n\
         {id},2022-03-15,25000.00,5000.00,0.00,0.00\n\
         11010519491231002X,2022-03-15,500.00,100.00,0.00,0.00\n\
         {id},2022-03-16,N/A,0.00,0.00,0.00\n"
    )
}

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

fn id(seq: u16, year: i32) -> String {
    shouwang_core::idnum::make(
        141123,
        chrono::NaiveDate::from_ymd_opt(year, 5, 17).unwrap(),
        seq,
    )
    .to_string()
}

const HEADER: &str = "户编号,县,乡镇,行政村,村代码,户类型,家庭人口,姓名,公民身份号码,与户主关系,劳动技能,健康状况,是否参加城乡居民基本医疗保险";

fn row(number: &str, size: &str, name: &str, idn: &str, rel: &str) -> String {
    format!(
        "{number},兴县,圪塔上乡,测试村,141123208201,一般农户,{size},{name},{idn},{rel},普通劳动力,健康,是"
    )
}

/// Households `{p}001`–`{p}003` with 6 members (the 6th member on row 7).
fn registry_csv(p: &str, k: u16) -> String {
    let rows = [
        row(&format!("{p}001"), "2", "张三", &id(11 + k, 1970), "户主"),
        row(&format!("{p}001"), "", "李四", &id(22 + k, 1972), "妻"),
        row(&format!("{p}002"), "1", "王五", &id(31 + k, 1960), "本人"),
        row(&format!("{p}003"), "3", "赵六", &id(41 + k, 1950), "户主"),
        row(&format!("{p}003"), "", "赵七", &id(51 + k, 1980), "之子"),
        row(&format!("{p}003"), "", "钱八", &id(62 + k, 1982), "之儿媳"),
    ];
    format!("{HEADER}\r\n{}\r\n", rows.join("\r\n"))
}

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
