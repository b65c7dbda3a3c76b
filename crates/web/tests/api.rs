//! `/api/v1` end to end over real HTTP (a server bound to 127.0.0.1:0, reqwest as the client), on
//! SQLite and PostgreSQL: users of each role log in and take one household from an application clue
//! to the written exit notice (issue 3 "Done when"), and every kind of refusal leaves the case and
//! the audit log as they were.

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shouwang_core::codes::{RegionLevel, Relation, Sex};
use shouwang_core::rules::CountyRules;
use shouwang_core::{Fen, Household, IncomeRecord, Region, RegionCode, Role, Scope};
use shouwang_store::repo::audit::AuditFilter;
use shouwang_store::repo::{self, households, income, regions, users};
use shouwang_store::{Actor, Db, db_test};
use shouwang_web::{AppState, router};

const COUNTY: &str = "141123";
const TOWN: &str = "141123100";
const VILLAGE: &str = "141123100201";
const OTHER_VILLAGE: &str = "141123100202";
const H1: &str = "1411231002010001";
const H2: &str = "1411231002020001";
const PASSWORD: &str = "correct horse 1";

fn rc(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn member(seq: u16, name: &str, relation: Relation, year: i32) -> shouwang_core::Member {
    let id = shouwang_core::idnum::make(141123, NaiveDate::from_ymd_opt(year, 3, 15).unwrap(), seq);
    shouwang_core::Member {
        id_number: id,
        name: name.to_owned(),
        sex: id.sex(),
        relation,
        labour: shouwang_core::codes::LabourSkill::Ordinary,
        health: vec![shouwang_core::codes::HealthStatus::Healthy],
        education: Some(shouwang_core::codes::Education::JuniorSecondary),
        school: None,
        political: shouwang_core::codes::PoliticalStatus::Masses,
        has_medical_insurance: true,
        dibao: shouwang_core::codes::Dibao::None,
        tekun: shouwang_core::codes::Tekun::None,
        disability_grade: None,
    }
}

fn household(number: &str, village: &str, head: &str, seq: u16) -> Household {
    let mut spouse = member(seq + 500, &format!("{head}妻"), Relation::Spouse, 1972);
    spouse.sex = Sex::Female;
    Household {
        number: number.to_owned(),
        village: rc(village),
        natural_village: None,
        household_type: shouwang_core::codes::HouseholdType::Alleviated,
        address: "李家沟村 1 号".to_owned(),
        phone: None,
        is_relocated: false,
        monitored_type: None,
        risks: vec![],
        members: vec![member(seq, head, Relation::Head, 1970), spouse],
    }
}

/// The user ids of the test accounts.
struct Ids {
    cadre: i64,
}

/// Regions, users of every role needed, two households (one per village), the 2022 income record
/// and the county's rules (notice prefix of the township).
async fn seed(db: &Db) -> Ids {
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
            r(OTHER_VILLAGE, "高家塔村", RegionLevel::Village, Some(TOWN)),
        ],
    )
    .await
    .unwrap();
    let add = |u: &'static str, name: &'static str, role, area: &'static str| async move {
        users::add(db, &sys_actor(), u, name, PASSWORD, role, area)
            .await
            .unwrap()
    };
    add("team", "村专班李四", Role::VillageTeam, VILLAGE).await;
    add("team2", "高家塔专班", Role::VillageTeam, OTHER_VILLAGE).await;
    add("town", "乡振兴办王五", Role::TownshipAdmin, TOWN).await;
    let county = add("county", "县振兴局赵六", Role::CountyAdmin, COUNTY).await;
    let cadre = add("cadre", "帮扶干部孙七", Role::Cadre, VILLAGE).await;
    add("dept", "县医保局周八", Role::Department, COUNTY).await;
    add("auditor", "审计吴九", Role::Auditor, COUNTY).await;
    households::create(db, &sys, &household(H1, VILLAGE, "张三", 11))
        .await
        .unwrap();
    households::create(db, &sys, &household(H2, OTHER_VILLAGE, "郑十", 21))
        .await
        .unwrap();
    let rec = IncomeRecord {
        year: 2022,
        wage: Fen::from_yuan(14_000),
        members: 2,
        ..IncomeRecord::default()
    };
    income::upsert(
        db,
        &sys,
        H1,
        &rec,
        shouwang_core::income::IncomeSource::Manual,
        None,
    )
    .await
    .unwrap();
    let mut rules = CountyRules::default();
    rules.exit.notice.prefix = "兴县圪塔上乡".to_owned();
    repo::rules::set(
        db,
        &Actor::new(county, "县振兴局赵六"),
        &Scope::new(county, Role::CountyAdmin, COUNTY),
        COUNTY,
        &rules,
        0,
    )
    .await
    .unwrap();
    Ids { cadre }
}

fn sys_actor() -> Actor {
    Actor::system()
}

/// A client of the running server.
struct Api {
    base: String,
    http: reqwest::Client,
}

/// A logged-in user's bearer token.
#[derive(Clone)]
struct Token(String);

impl Api {
    async fn start(db: &Db, files: &std::path::Path) -> Api {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = router(AppState::new(db.clone()).with_files(files));
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Api {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
        }
    }

    async fn login(&self, username: &str) -> Token {
        let (status, body) = self
            .send(
                reqwest::Method::POST,
                "/api/v1/login",
                None,
                Some(json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["csrf_token"].as_str().unwrap().len() >= 32);
        assert!(body["expires_at"].is_string());
        Token(body["token"].as_str().unwrap().to_owned())
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
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        (status, value)
    }

    async fn get(&self, path: &str, t: &Token) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, Some(t), None).await
    }

    async fn post(&self, path: &str, t: &Token, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, Some(t), Some(body))
            .await
    }

    /// A write that must succeed; returns the new case version.
    async fn ok(&self, path: &str, t: &Token, body: Value) -> i64 {
        let (status, v) = self.post(path, t, body).await;
        assert!(status.is_success(), "{path}: {status} {v}");
        v["case"]["version"].as_i64().unwrap()
    }

    async fn upload_photo(&self, t: &Token, name: &str, salt: u8) -> Value {
        let mut bytes = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00".to_vec();
        bytes.extend(std::iter::repeat_n(salt, 300));
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str("image/jpeg")
            .unwrap();
        let form = reqwest::multipart::Form::new().part("file", part);
        let resp = self
            .http
            .post(format!("{}/api/v1/attachments", self.base))
            .bearer_auth(&t.0)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        let v: Value = resp.json().await.unwrap();
        json!({"name": v["name"], "sha256": v["sha256"], "media_type": v["media_type"]})
    }
}

fn case_path(rest: &str) -> String {
    format!("/api/v1/cases/{H1}{rest}")
}

/// A 入户核查 on `on` with an income estimate of `per_capita` yuan for the 12 months before it (the year
/// their middle falls in); it becomes the household's record of that year.
fn verification(on: &str, per_capita: i64, photo: &Value) -> Value {
    let year: i32 = if on.get(5..7).is_some_and(|m| m < "07") {
        2021
    } else {
        2022
    };
    json!({
        "visited_on": on,
        "visitors": ["李四", "王五"],
        "findings": "妻子因病住院，医疗支出大幅增加",
        "income": {"year": year, "wage": per_capita * 2 * 100, "business": 0, "property": 0,
                   "transfer": 0, "production_cost": 0, "rigid_medical": 0, "rigid_education": 0,
                   "rigid_disability": 0, "rigid_disaster": 0, "insurance_payout": 0, "members": 2},
        "standards": {"food_secure": true, "clothing_secure": true, "problems": [],
                      "housing_grade": null, "water": null},
        "authorisation": {"by": "张三", "on": on, "attachment": photo},
        "signature": {"state": "signed", "by": "张三", "on": on},
        "attachments": [photo],
    })
}

fn meeting(on: &str) -> Value {
    json!({"held_on": on, "attendance": 28, "minutes": "逐户研判"})
}

/// The case's version and lifecycle, and the audit count (to show a refusal changed nothing).
async fn snapshot(db: &Db) -> (i64, String, u64) {
    let rec = repo::cases::get(db, &Scope::new(0, Role::CountyAdmin, COUNTY), H1)
        .await
        .unwrap()
        .unwrap();
    let body = serde_json::to_string(&rec.case).unwrap();
    (rec.version, body, audit_count(db).await)
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

/// Asserts a refusal: status, code, both messages, and nothing written.
async fn refused(
    db: &Db,
    before: &(i64, String, u64),
    got: (StatusCode, Value),
    status: StatusCode,
    code: &str,
) -> Value {
    let (s, v) = got;
    assert_eq!(s, status, "{v}");
    assert_eq!(v["code"], code, "{v}");
    assert!(!v["message_zh"].as_str().unwrap().is_empty(), "{v}");
    assert!(!v["message_en"].as_str().unwrap().is_empty(), "{v}");
    assert_eq!(
        &snapshot(db).await,
        before,
        "a refusal changed the case or the audit log"
    );
    v
}

db_test!(
    fn household_from_application_to_exit_notice_through_the_api(db: Db) {
        let ids = seed(&db).await;
        let files = tempfile::tempdir().unwrap();
        let api = Api::start(&db, files.path()).await;
        let team = api.login("team").await;
        let town = api.login("town").await;
        let county = api.login("county").await;
        let cadre = api.login("cadre").await;
        let dept = api.login("dept").await;

        // 线索: the household applies (农户申请); the case opens.
        let report = json!({
            "household": H1,
            "source": {"channel": "application", "applicant": "张三",
                       "stated_cause": "妻子患病住院，医疗费用高", "means": "written"},
            "risks": ["01"],
            "reporter": "张三",
            "reported_on": "2022-01-03",
        });
        let (s, v) = api
            .post(
                "/api/v1/clues",
                &team,
                json!({"report": report, "on": "2022-01-03"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["filed"], "new_case");
        assert_eq!(v["case"]["lifecycle"], "clue");
        assert_eq!(v["case"]["version"], 1);
        // The county's medical-insurance screening flags the same household and cause: merged.
        let mut dept_report = report.clone();
        dept_report["source"] = json!({"channel": "department_screening", "department": "县医保局", "file": "1月医保.csv"});
        dept_report["reporter"] = json!("医保局周八");
        let (s, v) = api
            .post(
                "/api/v1/clues",
                &dept,
                json!({"report": dept_report, "on": "2022-01-03"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["filed"], "merged");
        assert_eq!(
            v["case"]["case"]["clues"][0]["sources"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        let mut version = v["case"]["version"].as_i64().unwrap();
        let (_, queues) = api.get("/api/v1/queues", &team).await;
        assert_eq!(queues["clues_waiting"][0]["village_code"], VILLAGE);
        let (_, list) = api
            .get(
                "/api/v1/cases?channel=department_screening&lifecycle=clue",
                &town,
            )
            .await;
        assert_eq!(list["total"], 1);

        // 启动识别 and the steps, each by its role.
        version = api
            .ok(
                &case_path("/identification/start"),
                &team,
                json!({"version": version, "on": "2022-01-04"}),
            )
            .await;
        let photo = api.upload_photo(&team, "入户照片.jpg", 1).await;
        let steps = [
            (
                &team,
                "2022-01-05",
                json!({"action": "verify", "verification": verification("2022-01-05", 3000, &photo),
                                          "decision": {"result": "pass", "opinion": "情况属实"}}),
            ),
            (
                &team,
                "2022-01-06",
                json!({"action": "compare", "checked_with": ["财政", "公安"], "discrepancies": "",
                                          "decision": {"result": "pass", "opinion": "无财政供养人员"}}),
            ),
            (
                &team,
                "2022-01-07",
                json!({"action": "appraise", "meeting": meeting("2022-01-07"),
                                          "decision": {"result": "pass", "opinion": "同意纳入"}}),
            ),
            (
                &team,
                "2022-01-07",
                json!({"action": "post_notice", "place": "村委会公示栏"}),
            ),
            (
                &team,
                "2022-01-12",
                json!({"action": "close_notice", "objections": [],
                                          "decision": {"result": "pass", "opinion": "公示无异议"}}),
            ),
        ];
        for (who, on, action) in steps {
            version = api
                .ok(
                    &case_path("/identification/steps"),
                    who,
                    json!({"version": version, "on": on, "action": action}),
                )
                .await;
        }
        // The approvals queue of the township shows the review waiting.
        let (_, q) = api.get("/api/v1/queues", &town).await;
        assert_eq!(q["approvals"][0]["ident_step"], "township_review", "{q}");

        // Refusals on the way: a village team may not take the township review (403, both languages) …
        let before = snapshot(&db).await;
        let review =
            json!({"action": "township_review", "decision": {"result": "pass", "opinion": "同意"}});
        let v = refused(
            &db,
            &before,
            api.post(
                &case_path("/identification/steps"),
                &team,
                json!({"version": version, "on": "2022-01-13", "action": review.clone()}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "role_not_allowed",
        )
        .await;
        assert!(
            v["message_zh"].as_str().unwrap().contains("乡镇审核"),
            "{v}"
        );
        assert!(
            v["message_en"].as_str().unwrap().contains("Township"),
            "{v}"
        );
        // … the county may not approve before the township has reviewed (409) …
        let approval = json!({"action": "county_approval", "decision": {"result": "pass", "opinion": "审定同意"},
                              "outcome": {"monitored_type": "sudden_hardship", "risks": ["01"]}});
        let v = refused(
            &db,
            &before,
            api.post(
                &case_path("/identification/steps"),
                &county,
                json!({"version": version, "on": "2022-01-13", "action": approval.clone()}),
            )
            .await,
            StatusCode::CONFLICT,
            "out_of_order",
        )
        .await;
        assert!(
            v["message_zh"].as_str().unwrap().contains("乡镇审核"),
            "{v}"
        );
        // … and a stale version is refused even for the right role and step.
        refused(
            &db,
            &before,
            api.post(
                &case_path("/identification/steps"),
                &town,
                json!({"version": version - 1, "on": "2022-01-13", "action": review.clone()}),
            )
            .await,
            StatusCode::CONFLICT,
            "stale_version",
        )
        .await;
        version = api
            .ok(
                &case_path("/identification/steps"),
                &town,
                json!({"version": version, "on": "2022-01-13", "action": review}),
            )
            .await;
        version = api
            .ok(
                &case_path("/identification/steps"),
                &county,
                json!({"version": version, "on": "2022-01-14", "action": approval}),
            )
            .await;
        let (s, v) = api
            .post(&case_path("/identification/steps"), &county,
                json!({"version": version, "on": "2022-01-17", "action": {"action": "enrol", "opinion": "已录入全国系统"}}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["case"]["lifecycle"], "monitored");
        assert_eq!(v["case"]["needs_cadre"], true);
        version = v["case"]["version"].as_i64().unwrap();

        // 定措施: the decision table recommends; the team plans one of them.
        let (s, rec) = api.get(&case_path("/recommendations"), &team).await;
        assert_eq!(s, StatusCode::OK, "{rec}");
        let classes: Vec<&str> = rec["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["class"].as_str().unwrap())
            .collect();
        assert!(classes.contains(&"public_welfare_post"), "{rec}");
        assert!(
            rec["classes_zh"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "健康"),
            "{rec}"
        );

        // 明责任: the cadre's name comes from the account.
        let (s, v) = api
            .post(&case_path("/cadre"), &team, json!({"version": version, "on": "2022-01-18",
                "action": {"action": "assign", "cadre_user_id": ids.cadre, "level": "village", "unit": "李家沟村委"}}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(
            v["case"]["case"]["cadres"]["history"][0]["cadre"]["name"],
            "帮扶干部孙七"
        );
        version = v["case"]["version"].as_i64().unwrap();
        version = api
            .ok(&case_path("/measures"), &team, json!({"version": version, "on": "2022-01-20",
                "plan": {"class": "public_welfare_post", "item": "光伏公益岗位", "planned_on": "2022-02-28",
                         "responsible_unit": "圪塔上乡人民政府", "amount": 600_000}}))
            .await;
        // Completion needs evidence: without it 422, with an uploaded document it is done.
        let before = snapshot(&db).await;
        refused(
            &db,
            &before,
            api.post(&case_path("/measures/0"), &cadre, json!({"version": version, "on": "2022-02-15",
                "action": {"action": "complete", "evidence": {"description": "已上岗", "attachments": []}}})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "evidence_required",
        )
        .await;
        let payroll = api.upload_photo(&cadre, "工资发放表.jpg", 2).await;
        let (s, v) = api
            .post(&case_path("/measures/0"), &cadre, json!({"version": version, "on": "2022-02-15",
                "action": {"action": "complete", "evidence": {"description": "已上岗，按月发放工资", "attachments": [payroll.clone()]}}}))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["case"]["case"]["measures"][0]["status"], "done");
        version = v["case"]["version"].as_i64().unwrap();
        // The evidence can be downloaded by the township, byte for byte.
        let resp = api
            .http
            .get(format!(
                "{}/api/v1/attachments/{}",
                api.base,
                payroll["sha256"].as_str().unwrap()
            ))
            .bearer_auth(&town.0)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "image/jpeg");
        assert_eq!(resp.bytes().await.unwrap().len(), 311);

        // 强监测: the cadre records February to August. February's visit estimates the 2021 income
        // afresh (after January's 入户核查: it counts, source 月度走访); August's estimates 2022's, where
        // the record entered by hand today (a verified record of a later date) still counts.
        let income = |year: i32, wage_yuan: i64| {
            json!({"year": year, "wage": wage_yuan * 100, "business": 0, "property": 0, "transfer": 0,
                   "production_cost": 0, "rigid_medical": 0, "rigid_education": 0, "rigid_disability": 0,
                   "rigid_disaster": 0, "insurance_payout": 0, "members": 2})
        };
        for m in 2..=8 {
            let mut visit = json!({"month": format!("2022-{m:02}"), "visited_on": format!("2022-{m:02}-10"),
                "measures_carried_out": true, "policies_received": true, "standards_secure": true,
                "household_approves": true, "per_capita_income_estimate": 700_000, "notes": ""});
            match m {
                2 => visit["income"] = income(2021, 6_400),
                8 => visit["income"] = income(2022, 18_900),
                _ => {}
            }
            version = api
                .ok(
                    &case_path("/follow-ups"),
                    &cadre,
                    json!({"version": version, "on": format!("2022-{m:02}-12"), "visit": visit}),
                )
                .await;
        }
        let (_, case) = api.get(&case_path(""), &town).await;
        let estimates: Vec<&Value> = case["case"]["follow_ups"]["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["visit"]["per_capita_income_estimate"])
            .collect();
        assert_eq!(estimates[0], 320_000, "February's: its record's 人均纯收入");
        assert_eq!(estimates[1], 700_000, "March's: as typed");
        assert_eq!(estimates[6], 945_000, "August's: its record's");
        let (s, sheet) = api
            .get(&format!("/api/v1/households/{H1}/income"), &town)
            .await;
        assert_eq!(s, StatusCode::OK, "{sheet}");
        let y21 = &sheet["years"][0];
        assert_eq!(
            (&y21["record"]["year"], &y21["source"], &y21["as_of"]),
            (&json!(2021), &json!("follow_up"), &json!("2022-02-10")),
            "{sheet}"
        );
        assert_eq!(y21["not_counted"][0]["source"], "verification");
        assert_eq!(y21["not_counted"][0]["as_of"], "2022-01-05");
        let y22 = &sheet["years"][1];
        assert_eq!(y22["source"], "manual", "{sheet}");
        assert_eq!(y22["not_counted"][0]["source"], "follow_up");
        assert_eq!(y22["not_counted"][0]["per_capita"], 945_000);
        assert_eq!(y22["not_counted"][0]["as_of"], "2022-08-10");
        // A second record for a month is refused.
        let before = snapshot(&db).await;
        refused(
            &db,
            &before,
            api.post(&case_path("/follow-ups"), &cadre, json!({"version": version, "on": "2022-08-20",
                "visit": {"month": "2022-08", "visited_on": "2022-08-15", "measures_carried_out": true,
                          "policies_received": true, "standards_secure": true, "household_approves": true,
                          "per_capita_income_estimate": 700_000, "notes": ""}})).await,
            StatusCode::CONFLICT,
            "duplicate",
        )
        .await;
        let (_, load) = api.get("/api/v1/cadres/workload", &town).await;
        assert_eq!(load[0]["cadre_user_id"], ids.cadre);
        assert_eq!(load[0]["households"], 1);
        let (_, mine) = api.get("/api/v1/queues", &cadre).await;
        assert_eq!(mine["my_households"][0]["household_number"], H1, "{mine}");

        // 退出: the quarterly pre-judgment proposes the household (facts from the registry).
        let (s, cands) = api
            .get("/api/v1/exit/candidates?on=2022-09-15", &team)
            .await;
        assert_eq!(s, StatusCode::OK, "{cands}");
        assert_eq!(cands[0]["case"]["household_number"], H1);
        assert_eq!(cands[0]["proposed"], true, "{cands}");
        version = api
            .ok(
                &case_path("/exit/nominate"),
                &team,
                json!({"version": version, "on": "2022-09-15"}),
            )
            .await;
        let check_photo = api.upload_photo(&team, "退出核查.jpg", 3).await;
        let exit_steps = [
            (
                "2022-09-16",
                json!({"action": "decide_at_meeting", "meeting": meeting("2022-09-16"),
                                  "decision": {"result": "pass", "opinion": "同意进入退出程序"}}),
            ),
            (
                "2022-09-20",
                json!({"action": "check_household", "opinion": "四查达标",
                                  "check": {"verification": verification("2022-09-20", 7000, &check_photo),
                                            "measures_delivered": true, "industry_employment_ok": true,
                                            "industry_employment": "户主在县城务工"}}),
            ),
            (
                "2022-09-26",
                json!({"action": "appraise", "meeting": meeting("2022-09-26"),
                                  "decision": {"result": "pass", "opinion": "评议通过"}, "mode": "assisted"}),
            ),
        ];
        for (on, action) in exit_steps {
            version = api
                .ok(
                    &case_path("/exit/steps"),
                    &team,
                    json!({"version": version, "on": on, "action": action}),
                )
                .await;
        }
        let (_, c) = api.get(&case_path(""), &team).await;
        assert_eq!(c["lifecycle"], "eliminated");
        assert_eq!(c["exit_next_step"], "notice");

        // 退出告知: the numbered written notice (only the village team may issue it).
        let before = snapshot(&db).await;
        refused(
            &db,
            &before,
            api.post(
                &case_path("/exit/notice"),
                &town,
                json!({"version": version, "on": "2022-09-28"}),
            )
            .await,
            StatusCode::FORBIDDEN,
            "role_not_allowed",
        )
        .await;
        let (s, v) = api
            .post(
                &case_path("/exit/notice"),
                &team,
                json!({"version": version, "on": "2022-09-28"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, n) = api.get(&case_path("/exit/notice"), &team).await;
        assert_eq!(s, StatusCode::OK, "{n}");
        assert_eq!(n["notice"]["number"], "兴县圪塔上乡〔2022〕告字第1号");
        assert_eq!(n["text"]["title"], "退出防返贫监测帮扶范围告知书");
        assert_eq!(n["text"]["salutation"], "张三户：");
        assert_eq!(n["text"]["issuer"], "李家沟村村民委员会");
        assert_eq!(n["text"]["date"], "2022年9月28日");
        let body0 = n["text"]["body"][0].as_str().unwrap();
        assert!(body0.contains("圪塔上乡李家沟村民主评议"), "{body0}");
        assert!(
            body0.contains("帮扶消除") && body0.contains("2022年9月26日"),
            "{body0}"
        );
        assert!(
            n["plain"]
                .as_str()
                .unwrap()
                .starts_with("退出防返贫监测帮扶范围告知书\n兴县圪塔上乡〔2022〕告字第1号")
        );
        let (_, issued) = api.get("/api/v1/notices?year=2022", &town).await;
        assert_eq!(issued[0]["number"], "兴县圪塔上乡〔2022〕告字第1号");
        assert_eq!(issued[0]["sequence"], 1);
        let (_, c) = api.get(&case_path(""), &team).await;
        assert!(c["exit_next_step"].is_null());
        let handbook = c["handbook"].as_array().unwrap();
        assert!(
            handbook
                .iter()
                .any(|e| e["detail_zh"] == "兴县圪塔上乡〔2022〕告字第1号")
        );
        assert!(
            handbook
                .iter()
                .filter(|e| e["section"] == "follow_up")
                .count()
                >= 6
        );
        // The cadence calendar of the village reads its states from the records.
        let (s, tasks) = api
            .get("/api/v1/calendar?from=2022-02-01&to=2022-09-30", &team)
            .await;
        assert_eq!(s, StatusCode::OK, "{tasks}");
        let task = |kind: &str, period: &str| {
            tasks
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["kind"] == kind && t["period"]["value"] == period)
                .unwrap_or_else(|| panic!("{kind} {period} missing: {tasks}"))
                .clone()
        };
        assert_eq!(task("monthly_follow_up", "2022-02")["status"], "done");
        let sep = task("monthly_follow_up", "2022-09");
        assert_eq!(sep["status"], "overdue", "{sep}");
        assert_eq!(sep["outstanding"], 1);
        let q3 = json!({"year": 2022, "q": 3});
        let pre = tasks
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["kind"] == "exit_prejudgment" && t["period"]["value"] == q3)
            .unwrap();
        assert_eq!(pre["status"], "done", "{pre}");
        assert_eq!(pre["completed_on"], "2022-09-15");
        let appraisal = tasks
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["kind"] == "exit_appraisal" && t["period"]["value"] == q3)
            .unwrap();
        assert_eq!(appraisal["status"], "done_late", "{appraisal}");
        // One audit row per write through the API: every case change, 3 uploads, 7 logins.
        let log = repo::audit::list(
            &db,
            &Scope::new(0, Role::CountyAdmin, COUNTY),
            &AuditFilter {
                entity: Some("case".into()),
                ..AuditFilter::default()
            },
            1,
            500,
        )
        .await
        .unwrap();
        assert_eq!(
            i64::try_from(log.total).unwrap(),
            c["version"].as_i64().unwrap()
        );
    }
);

db_test!(
    fn refusals_answer_json_and_write_nothing(db: Db) {
        let _ids = seed(&db).await;
        let files = tempfile::tempdir().unwrap();
        let api = Api::start(&db, files.path()).await;
        let team = api.login("team").await;
        let team2 = api.login("team2").await;
        let auditor = api.login("auditor").await;
        let report = json!({"household": H1, "source": {"channel": "application", "applicant": "张三",
            "stated_cause": "因病", "means": "written"}, "risks": ["01"], "reporter": "张三",
            "reported_on": "2022-01-03"});
        let (s, _) = api
            .post(
                "/api/v1/clues",
                &team,
                json!({"report": report, "on": "2022-01-03"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let before = snapshot(&db).await;
        let start = case_path("/identification/start");

        // Not logged in; a bad token.
        refused(
            &db,
            &before,
            api.send(
                reqwest::Method::POST,
                &start,
                None,
                Some(json!({"version": 1})),
            )
            .await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        )
        .await;
        refused(
            &db,
            &before,
            api.post(&start, &Token("nope".into()), json!({"version": 1}))
                .await,
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        )
        .await;
        // Another village's household: not even visible (404), for reads and writes.
        refused(
            &db,
            &before,
            api.get(&case_path(""), &team2).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        refused(
            &db,
            &before,
            api.get(&format!("/api/v1/households/{H1}"), &team2).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        refused(
            &db,
            &before,
            api.post(&start, &team2, json!({"version": 1})).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        refused(
            &db,
            &before,
            api.post("/api/v1/clues", &team2, json!({"report": report}))
                .await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        // A role that may not: the auditor reads only.
        refused(
            &db,
            &before,
            api.post(&start, &auditor, json!({"version": 1, "on": "2022-01-04"}))
                .await,
            StatusCode::FORBIDDEN,
            "role_not_allowed",
        )
        .await;
        // Out of order: an identification step before identification started.
        refused(&db, &before, api.post(&case_path("/identification/steps"), &team,
            json!({"version": 1, "on": "2022-01-04", "action": {"action": "post_notice", "place": "村委会"}})).await,
            StatusCode::CONFLICT, "wrong_state").await;
        // Stale version.
        refused(
            &db,
            &before,
            api.post(&start, &team, json!({"version": 7, "on": "2022-01-04"}))
                .await,
            StatusCode::CONFLICT,
            "stale_version",
        )
        .await;
        // Malformed JSON, wrong fields, unknown fields, a client trying to send rules, a future date.
        let raw = |body: &'static str| {
            api.http
                .post(format!("{}{start}", api.base))
                .bearer_auth(&team.0)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let resp = raw("{\"version\": 1,").await.unwrap();
        let status = resp.status();
        refused(
            &db,
            &before,
            (status, resp.json().await.unwrap()),
            StatusCode::BAD_REQUEST,
            "bad_json",
        )
        .await;
        let resp = raw("{\"version\": \"one\"}").await.unwrap();
        let status = resp.status();
        refused(
            &db,
            &before,
            (status, resp.json().await.unwrap()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_json_fields",
        )
        .await;
        refused(
            &db,
            &before,
            api.post(
                &start,
                &team,
                json!({"version": 1, "rules": {"publicity_days": 1}}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_json_fields",
        )
        .await;
        refused(
            &db,
            &before,
            api.post(&start, &team, json!({"version": 1, "on": "2999-01-01"}))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        )
        .await;
        refused(
            &db,
            &before,
            api.get("/api/v1/cases?lifecycle=flying", &team).await,
            StatusCode::BAD_REQUEST,
            "bad_query",
        )
        .await;
        // Evidence citing a file that was never uploaded.
        refused(&db, &before, api.post(&case_path("/commands"), &team, json!({"version": 1, "on": "2022-01-05",
            "command": {"command": "identify", "action": {"action": "verify",
                "verification": verification("2022-01-05", 3000, &json!({"name": "x.jpg", "sha256": "ab".repeat(32), "media_type": "image/jpeg"})),
                "decision": {"result": "pass", "opinion": ""}}}})).await,
            StatusCode::UNPROCESSABLE_ENTITY, "invalid_input").await;
        // Cookie auth without the CSRF header is refused; with it the write goes through.
        let cookie = format!("sw_session={}", team.0);
        let resp = api
            .http
            .post(format!("{}{start}", api.base))
            .header("cookie", &cookie)
            .json(&json!({"version": 1, "on": "2022-01-04"}))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        refused(
            &db,
            &before,
            (status, resp.json().await.unwrap()),
            StatusCode::FORBIDDEN,
            "csrf",
        )
        .await;
        let (_, login) = api
            .send(
                reqwest::Method::POST,
                "/api/v1/login",
                None,
                Some(json!({"username": "team", "password": PASSWORD})),
            )
            .await;
        let resp = api
            .http
            .post(format!("{}{start}", api.base))
            .header(
                "cookie",
                format!("sw_session={}", login["token"].as_str().unwrap()),
            )
            .header("x-csrf-token", login["csrf_token"].as_str().unwrap())
            .json(&json!({"version": 1, "on": "2022-01-04"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        // Uploads: wrong type, content not matching, too large.
        let up = |bytes: Vec<u8>, mime: &'static str| {
            let part = reqwest::multipart::Part::bytes(bytes)
                .file_name("a.bin")
                .mime_str(mime)
                .unwrap();
            api.http
                .post(format!("{}/api/v1/attachments", api.base))
                .bearer_auth(&team.0)
                .multipart(reqwest::multipart::Form::new().part("file", part))
                .send()
        };
        let resp = up(b"MZ\x90\x00".to_vec(), "application/x-msdownload")
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let resp = up(b"not a jpeg".to_vec(), "image/jpeg").await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let mut big = b"\xFF\xD8\xFF\xE0".to_vec();
        big.resize(10 * 1024 * 1024 + 1, 0);
        let resp = up(big, "image/jpeg").await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Login throttling: five wrong passwords lock the name.
        for _ in 0..5 {
            let (s, _) = api
                .send(
                    reqwest::Method::POST,
                    "/api/v1/login",
                    None,
                    Some(json!({"username": "team2", "password": "wrong password"})),
                )
                .await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        }
        let (s, v) = api
            .send(
                reqwest::Method::POST,
                "/api/v1/login",
                None,
                Some(json!({"username": "team2", "password": PASSWORD})),
            )
            .await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");
        // ID numbers: masked for the village team, full for the auditor (and that read is audited).
        let (_, h) = api.get(&format!("/api/v1/households/{H1}"), &team).await;
        assert!(
            h["members"][0]["id_number"]
                .as_str()
                .unwrap()
                .contains("********"),
            "{h}"
        );
        let n = audit_count(&db).await;
        let (_, h) = api.get(&format!("/api/v1/households/{H1}"), &auditor).await;
        assert!(
            !h["members"][0]["id_number"].as_str().unwrap().contains('*'),
            "{h}"
        );
        assert_eq!(audit_count(&db).await, n + 1);
        // The OpenAPI document describes every lifecycle path and the core types.
        let (s, doc) = api
            .send(reqwest::Method::GET, "/api/v1/openapi.json", None, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for p in [
            "/api/v1/clues",
            "/api/v1/cases/{number}/identification/steps",
            "/api/v1/cases/{number}/exit/notice",
            "/api/v1/attachments",
            "/api/v1/queues",
            "/api/v1/calendar",
            "/api/v1/exit/candidates",
        ] {
            assert!(doc["paths"][p].is_object(), "{p} missing");
        }
        for schema in [
            "IdentAction",
            "ExitCommand",
            "Verification",
            "Report",
            "ErrorBody",
            "Case",
        ] {
            assert!(
                doc["components"]["schemas"][schema].is_object(),
                "{schema} missing"
            );
        }
        // Unknown endpoints answer JSON too.
        let (s, v) = api.get("/api/v1/nothing-here", &team).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(v["code"], "no_such_endpoint");
    }
);
