//! The county's local code display 本县代码显示设置 (`/admin/codes`, `/api/v1/codes`) through the real router
//! on SQLite and PostgreSQL: the county admin gives a risk type a local label and disables a disaster
//! sub-code, and the household search's select shows the new label and no longer offers the disabled
//! code (unless it is the selected filter); a village user gets 403 on a POST and a PUT; a bad label is a
//! 422 with the reason; a stale version is a 409; refused writes leave the table and the audit log as
//! they were.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use shouwang_core::codes::RegionLevel;
use shouwang_core::{Region, RegionCode, Role, Scope};
use shouwang_store::repo::audit::AuditFilter;
use shouwang_store::repo::{self, regions, users};
use shouwang_store::{Actor, Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{body_text, get, post_form, try_login};

const COUNTY: &str = "141123";
const TOWN: &str = "141123100";
const VILLAGE: &str = "141123100201";
const PASSWORD: &str = "correct-horse-1";

fn rc(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

async fn app(db: &Db) -> Router {
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
    ] {
        users::add(db, &sys, u, name, PASSWORD, role, area)
            .await
            .unwrap();
    }
    router(AppState::new(db.clone()))
}

/// Percent-encodes a form value.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Logs in through the login page; the session cookie.
async fn login(app: &Router, username: &str) -> String {
    try_login(app, username, PASSWORD).await.expect("log-in")
}

async fn page(app: &Router, uri: &str, cookie: &str) -> (StatusCode, String) {
    let resp = app.clone().oneshot(get(uri, cookie)).await.unwrap();
    let status = resp.status();
    (status, body_text(resp).await)
}

/// The `value` of the input named `name`.
fn input(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))? + name.len() + 15;
    Some(html[at..].split('"').next().unwrap_or("").to_string())
}

/// The csrf token any form of the session carries (the edit form has one).
async fn csrf_of(app: &Router, cookie: &str) -> String {
    let (_, html) = page(app, "/admin/codes/risk_type/01", cookie).await;
    input(&html, "csrf").expect("the edit form has a csrf input")
}

/// The `<select name="…">` of a page, as (value, label) pairs.
fn select(html: &str, name: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no select {name}"));
    let body = &html[start..];
    let body = &body[..body.find("</select>").unwrap()];
    body.split("<option")
        .skip(1)
        .map(|o| {
            let value = o
                .split("value=\"")
                .nth(1)
                .map(|v| v.split('"').next().unwrap().to_owned())
                .unwrap_or_default();
            let label = o
                .split('>')
                .nth(1)
                .unwrap_or("")
                .split('<')
                .next()
                .unwrap()
                .trim()
                .to_owned();
            (value, label)
        })
        .collect()
}

async fn audit_count(db: &Db) -> u64 {
    repo::audit::list(
        db,
        &Scope::new(0, Role::CountyAdmin, COUNTY),
        &AuditFilter {
            entity: Some("code_override".to_owned()),
            ..AuditFilter::default()
        },
        1,
        1,
    )
    .await
    .unwrap()
    .total
}

db_test!(
    fn county_admin_edits_a_label_and_the_form_select_shows_it(db: Db) {
        let app = app(&db).await;
        let county = login(&app, "county").await;

        let (status, html) = page(&app, "/admin/codes", &county).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"codes-editable\""));
        assert!(html.contains("href=\"/admin/codes/risk_type/01\""));
        let (status, form) = page(&app, "/admin/codes/risk_type/01", &county).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(input(&form, "label_zh").as_deref(), Some("因病"));
        assert_eq!(input(&form, "version").as_deref(), Some("0"));
        // 一级风险类型 cannot be disabled: no checkbox, the reason instead.
        assert!(form.contains("id=\"code-locked\""));
        let csrf = input(&form, "csrf").unwrap();

        let resp = app
            .clone()
            .oneshot(post_form(
                "/admin/codes/risk_type/01",
                &county,
                &format!(
                    "csrf={csrf}&version=0&label_zh={}&label_en=Illness+or+injury",
                    enc("因病（含慢性病）")
                ),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let to = resp.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(to.starts_with("/admin/codes?saved=risk_type:01"), "{to}");
        let (_, html) = page(&app, &to, &county).await;
        assert!(html.contains("id=\"codes-saved\""), "no confirmation");
        assert!(html.contains("已保存：风险类型“因病”（代码 01）本县显示名称为“因病（含慢性病）”"));

        // Disable 地震 (0206).
        let resp = app
            .clone()
            .oneshot(post_form(
                "/admin/codes/risk_type/0206",
                &county,
                &format!("csrf={csrf}&version=0&label_zh={}&disabled=1", enc("地震")),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(audit_count(&db).await, 2);

        // The household search's risk select: the new label, no 0206.
        let (status, html) = page(&app, "/households", &county).await;
        assert_eq!(status, StatusCode::OK);
        let risks = select(&html, "risk");
        assert!(
            risks
                .iter()
                .any(|(v, l)| v == "01" && l == "因病（含慢性病）"),
            "{risks:?}"
        );
        assert!(!risks.iter().any(|(v, _)| v == "0206"), "{risks:?}");
        // Selected as the filter, the disabled code stays.
        let (_, html) = page(&app, "/households?risk=0206", &county).await;
        assert!(select(&html, "risk").iter().any(|(v, _)| v == "0206"));
        // A village user's form shows the county's label too.
        let team = login(&app, "team").await;
        let (_, html) = page(&app, "/households", &team).await;
        assert!(
            select(&html, "risk")
                .iter()
                .any(|(_, l)| l == "因病（含慢性病）")
        );
        // The clue form's risk choices: new label, no 0206.
        let (status, html) = page(&app, "/clues/new", &team).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("因病（含慢性病）"));
        assert!(!html.contains("value=\"0206\""));

        // The household page shows an existing record's codes with the county's labels: risk 0206 is
        // disabled for new entries, yet a household that has it still shows it.
        let id = shouwang_core::idnum::make(
            141123,
            chrono::NaiveDate::from_ymd_opt(1970, 3, 15).unwrap(),
            11,
        );
        let head = shouwang_core::Member {
            id_number: id,
            name: "张三".to_owned(),
            sex: id.sex(),
            relation: shouwang_core::codes::Relation::Head,
            labour: shouwang_core::codes::LabourSkill::Ordinary,
            health: vec![shouwang_core::codes::HealthStatus::Healthy],
            education: None,
            school: None,
            political: shouwang_core::codes::PoliticalStatus::Masses,
            has_medical_insurance: true,
            dibao: shouwang_core::codes::Dibao::None,
            tekun: shouwang_core::codes::Tekun::None,
            disability_grade: None,
        };
        let number = "1411231002010001";
        repo::households::create(
            &db,
            &Actor::system(),
            &shouwang_core::Household {
                number: number.to_owned(),
                village: rc(VILLAGE),
                natural_village: None,
                household_type: shouwang_core::codes::HouseholdType::Ordinary,
                address: "李家沟村 1 号".to_owned(),
                phone: None,
                is_relocated: false,
                monitored_type: None,
                risks: vec![
                    shouwang_core::codes::RiskType::Illness,
                    shouwang_core::codes::RiskType::DisasterEarthquake,
                ],
                members: vec![head],
            },
        )
        .await
        .unwrap();
        let (status, html) = page(&app, &format!("/households/{number}"), &county).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("因病（含慢性病）、地震"), "{html}");

        // The table shows the local label and the 停用 state; the English page the English label.
        let (_, html) = page(&app, "/admin/codes", &county).await;
        let row = &html[html.find("id=\"code-risk_type-0206\"").unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains("停用"), "{row}");
        let row = &html[html.find("id=\"code-risk_type-01\"").unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(
            row.contains("因病（含慢性病）") && row.contains("Illness or injury"),
            "{row}"
        );
    }
);

db_test!(
    fn others_are_refused_and_bad_input_changes_nothing(db: Db) {
        let app = app(&db).await;
        let county = login(&app, "county").await;
        let team = login(&app, "team").await;
        let town = login(&app, "town").await;

        // Read-only for the others; the edit form and a POST are 403.
        let (status, html) = page(&app, "/admin/codes", &team).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"codes-readonly\""));
        assert!(!html.contains("href=\"/admin/codes/risk_type/01\""));
        for who in [&team, &town] {
            let (status, _) = page(&app, "/admin/codes/risk_type/01", who).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
        }
        // A valid CSRF token of their own session: still 403.
        let (_, html) = page(&app, "/households", &team).await;
        let team_csrf = html
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .unwrap_or_default();
        for (who, csrf) in [(&team, team_csrf.as_str()), (&town, "x")] {
            let resp = app
                .clone()
                .oneshot(post_form(
                    "/admin/codes/risk_type/01",
                    who,
                    &format!("csrf={csrf}&version=0&label_zh=x"),
                ))
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        }

        let csrf = csrf_of(&app, &county).await;
        let post = |form: String| {
            let app = app.clone();
            let county = county.clone();
            async move {
                let resp = app
                    .oneshot(post_form("/admin/codes/relation/head", &county, &form))
                    .await
                    .unwrap();
                let status = resp.status();
                (status, body_text(resp).await)
            }
        };
        // Empty label: 422 with the reason, what was typed kept.
        let (status, html) = post(format!("csrf={csrf}&version=0&label_zh=++&label_en=Head")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("本县显示名称不能为空"), "{html}");
        assert!(html.contains("value=\"Head\""));
        // Too long.
        let (status, html) = post(format!(
            "csrf={csrf}&version=0&label_zh={}",
            enc(&"户".repeat(31))
        ))
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("最多 30 个字"), "{html}");
        // 户主 cannot be disabled.
        let (status, html) = post(format!(
            "csrf={csrf}&version=0&label_zh={}&disabled=1",
            enc("户主")
        ))
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("每户必须有且只有一名户主"), "{html}");
        // No CSRF token.
        let (status, _) = post(format!("version=0&label_zh={}", enc("户主"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(audit_count(&db).await, 0);
        assert!(repo::codes::list(&db, COUNTY).await.unwrap().is_empty());

        // Saved once; the same version again is stale: 409, nothing written.
        let (status, _) = post(format!(
            "csrf={csrf}&version=0&label_zh={}",
            enc("户主（家长）")
        ))
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (status, html) =
            post(format!("csrf={csrf}&version=0&label_zh={}", enc("当家人"))).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("已被他人修改"), "{html}");
        assert_eq!(
            repo::codes::get(&db, COUNTY, "relation", "head")
                .await
                .unwrap()
                .label_zh,
            "户主（家长）"
        );
        assert_eq!(audit_count(&db).await, 1);
        // Unknown list or code: 404.
        let (status, _) = page(&app, "/admin/codes/nope/01", &county).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
);

async fn api_login(app: &Router, username: &str) -> String {
    let resp = app
        .clone()
        .oneshot(
            Request::post("/api/v1/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"username": username, "password": PASSWORD}).to_string(),
                ))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let v: Value = serde_json::from_str(&body_text(resp).await).unwrap();
    v["token"].as_str().unwrap().to_owned()
}

async fn api(app: &Router, method: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri("/api/v1/codes")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let text = body_text(resp).await;
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}")),
    )
}

db_test!(
    fn api_reads_and_writes_with_versions(db: Db) {
        let app = app(&db).await;
        let county = api_login(&app, "county").await;
        let team = api_login(&app, "team").await;

        let (status, v) = api(&app, "GET", &team, None).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["county_code"], COUNTY);
        assert_eq!(v["may_edit"], false);
        assert_eq!(v["lists"].as_array().unwrap().len(), 17);
        let edu = v["lists"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["key"] == "education")
            .unwrap();
        let college = edu["codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "college")
            .unwrap();
        assert_eq!(college["label_zh"], "大专");
        assert_eq!(college["version"], 0);
        let head = &v["lists"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["key"] == "relation")
            .unwrap()["codes"][0];
        assert!(head["locked_reason_zh"].as_str().unwrap().contains("户主"));

        let body = |label: &str, version: i64| json!({"list": "education", "code": "college", "label_zh": label, "disabled": true, "version": version});
        // A village user: 403, nothing written.
        let (status, v) = api(&app, "PUT", &team, Some(body("专科", 0))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
        assert_eq!(v["code"], "role_not_allowed");
        // Bad label: 422 with the message.
        let (status, v) = api(&app, "PUT", &county, Some(body("大\n专", 0))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(
            v["message_zh"].as_str().unwrap().contains("控制字符"),
            "{v}"
        );
        assert!(
            v["message_en"]
                .as_str()
                .unwrap()
                .contains("control characters"),
            "{v}"
        );
        assert_eq!(audit_count(&db).await, 0);

        let (status, v) = api(&app, "PUT", &county, Some(body("专科", 0))).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["label_zh"], "专科");
        assert_eq!(v["national_zh"], "大专");
        assert_eq!(v["disabled"], true);
        assert_eq!(v["version"], 1);
        // Stale: 409.
        let (status, v) = api(&app, "PUT", &county, Some(body("高职", 0))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{v}");
        assert_eq!(v["code"], "stale_version");
        let (_, v) = api(&app, "GET", &county, None).await;
        assert_eq!(v["may_edit"], true);
        let edu = v["lists"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["key"] == "education")
            .unwrap();
        let college = edu["codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == "college")
            .unwrap();
        assert_eq!(college["label_zh"], "专科");
        assert_eq!(college["version"], 1);
        assert_eq!(audit_count(&db).await, 1);

        // The document lists the endpoint.
        let resp = app
            .clone()
            .oneshot(get("/api/v1/openapi.json", ""))
            .await
            .unwrap();
        let doc: Value = serde_json::from_str(&body_text(resp).await).unwrap();
        assert!(doc["paths"]["/api/v1/codes"]["put"].is_object());
        assert!(doc["paths"]["/api/v1/codes"]["get"].is_object());
    }
);
