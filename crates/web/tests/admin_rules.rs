//! The county rules page `/admin/rules` through the real router on SQLite and PostgreSQL: the county
//! admin edits and saves the rules and a monitoring line; a township admin sees the page read-only;
//! other roles get a 403 page; invalid values, a stale version, a missing CSRF token and refused roles
//! re-show the form or an error page and leave the stored rules, the lines and the audit log unchanged.

use axum::Router;
use axum::http::{StatusCode, header};
use shouwang_core::codes::RegionLevel;
use shouwang_core::{Fen, Region, RegionCode, Role, Scope};
use shouwang_store::repo::audit::AuditFilter;
use shouwang_store::repo::{self, regions, users};
use shouwang_store::{Actor, Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{body_text, get, post_form, set_cookie};

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
        ("auditor", "审计吴九", Role::Auditor, COUNTY),
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

fn encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

async fn login(app: &Router, username: &str) -> String {
    let resp = app.clone().oneshot(get("/login", "")).await.unwrap();
    let csrf = set_cookie(&resp, "sw_login_csrf").unwrap();
    let form = format!("username={username}&password={PASSWORD}&csrf={csrf}");
    let resp = app
        .clone()
        .oneshot(post_form("/login", &format!("sw_login_csrf={csrf}"), &form))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    format!("sw_session={}", set_cookie(&resp, "sw_session").unwrap())
}

/// The `value` of the input named `name` on a page.
fn input(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no input {name}"))
        + name.len()
        + 15;
    html[at..].split('"').next().unwrap_or("").to_string()
}

/// The form as the page shows it: every text input with its value, and the checked boxes.
fn form_of(html: &str) -> Vec<(String, String)> {
    let form = &html[html.find("id=\"rules-form\"").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    let mut pairs = Vec::new();
    for (i, _) in form.match_indices("<input ") {
        let tag = &form[i..i + form[i..].find('>').unwrap()];
        let attr = |a: &str| {
            tag.find(&format!(" {a}=\"")).map(|p| {
                tag[p + a.len() + 3..]
                    .split('"')
                    .next()
                    .unwrap()
                    .to_string()
            })
        };
        let (Some(name), Some(value)) = (attr("name"), attr("value")) else {
            continue;
        };
        if tag.contains("type=\"checkbox\"") && !tag.contains(" checked") {
            continue;
        }
        pairs.push((name, value));
    }
    pairs
}

fn with(mut pairs: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    pairs.retain(|(k, _)| k != name);
    pairs.push((name.to_owned(), value.to_owned()));
    pairs
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

async fn snapshot(db: &Db) -> (String, i64, String, u64) {
    let rec = repo::rules::get(db, COUNTY).await.unwrap();
    (
        serde_json::to_string(&rec.rules).unwrap(),
        rec.version,
        serde_json::to_string(&repo::lines::table(db).await.unwrap()).unwrap(),
        audit_count(db).await,
    )
}

async fn page(app: &Router, cookie: &str) -> (StatusCode, String) {
    let resp = app
        .clone()
        .oneshot(get("/admin/rules", cookie))
        .await
        .unwrap();
    let status = resp.status();
    (status, body_text(resp).await)
}

async fn post(
    app: &Router,
    uri: &str,
    cookie: &str,
    pairs: &[(String, String)],
) -> (StatusCode, String, Option<String>) {
    let resp = app
        .clone()
        .oneshot(post_form(uri, cookie, &encode(pairs)))
        .await
        .unwrap();
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, body_text(resp).await, location)
}

db_test!(
    fn county_admin_edits_the_rules_page(db: Db) {
        let app = app(&db).await;
        let county = login(&app, "county").await;
        let (status, html) = page(&app, &county).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("县级规则配置"));
        assert!(html.contains("href=\"/admin/rules\""), "nav link");
        assert_eq!(input(&html, "version"), "0");
        assert_eq!(input(&html, "medical_yuan"), "10000");
        assert_eq!(input(&html, "publicity_days"), "5");
        assert_eq!(input(&html, "notice_prefix"), "兴县");
        assert!(html.contains("兴县〔"), "notice example");
        assert!(html.contains("6500.00"), "the 2022 line");
        let form = form_of(&html);
        assert!(
            form.iter()
                .any(|(k, v)| k == "deferred" && v == "no_labour")
        );
        let before = snapshot(&db).await;

        // Invalid values: the form comes back (422) with the reason in Chinese and what was typed.
        for (name, value, reason) in [
            ("publicity_days", "3", "公示期不少于 5 天"),
            ("medical_yuan", "一万", "应填写不小于 0 的整数"),
            ("school_age_min", "17", "辍学年龄下限不能大于上限"),
            ("near_line_pct", "90", "临近监测线比例不能低于 100%"),
            ("notice_word", " ", "不能为空"),
            ("follow_up_due_day", "40", ""),
        ] {
            let (status, html, _) = post(
                &app,
                "/admin/rules",
                &county,
                &with(form.clone(), name, value),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
            assert!(html.contains("id=\"rules-error\""), "{name}: {html}");
            assert!(html.contains(reason), "{name}: {reason}");
            assert_eq!(
                input(&html, name),
                value,
                "{name}: the typed value is shown again"
            );
            assert_eq!(snapshot(&db).await, before, "{name} changed something");
        }
        let (status, html, _) = post(
            &app,
            "/admin/rules",
            &county,
            &with(form.clone(), "deferred", "rich"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("未知的缓退类别"));
        assert_eq!(snapshot(&db).await, before);

        // No or a wrong CSRF token: 403, nothing written.
        for csrf in ["", "0000"] {
            let (status, _, _) = post(
                &app,
                "/admin/rules",
                &county,
                &with(form.clone(), "csrf", csrf),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            assert_eq!(snapshot(&db).await, before);
        }

        // A good save: redirect with the success message, version 1, one audit row.
        let mut good = with(form.clone(), "medical_yuan", "8000");
        good = with(good, "merge_window_days", "45");
        good = with(good, "notice_prefix", "兴县圪塔上乡");
        good.retain(|(k, v)| k != "deferred" || v == "dibao" || v == "tekun");
        let (status, _, location) = post(&app, "/admin/rules", &county, &good).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location.as_deref(), Some("/admin/rules?saved=rules"));
        let rec = repo::rules::get(&db, COUNTY).await.unwrap();
        assert_eq!(rec.version, 1);
        assert_eq!(rec.rules.screening.medical_yuan, 8000);
        assert_eq!(rec.rules.clue.merge_window_days, 45);
        assert_eq!(rec.rules.exit.notice.prefix, "兴县圪塔上乡");
        assert_eq!(rec.rules.exit.deferred.len(), 2);
        assert_eq!(audit_count(&db).await, before.3 + 1);
        let resp = app
            .clone()
            .oneshot(get("/admin/rules?saved=rules", &county))
            .await
            .unwrap();
        let html = body_text(resp).await;
        assert!(html.contains("已保存"));
        assert_eq!(input(&html, "version"), "1");
        assert_eq!(input(&html, "medical_yuan"), "8000");
        assert!(!html.contains("value=\"no_labour\" checked"));

        // The same form again (version 0): stale, 409, nothing written.
        let before = snapshot(&db).await;
        let (status, html, _) = post(&app, "/admin/rules", &county, &good).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("已被他人修改"), "{html}");
        assert_eq!(snapshot(&db).await, before);

        // Monitoring line: bad values re-shown with the reason; a good one saved and audited.
        let csrf = input(&html, "csrf");
        let line = |year: &str, value: &str| {
            vec![
                ("csrf".to_owned(), csrf.clone()),
                ("year".to_owned(), year.to_owned()),
                ("line".to_owned(), value.to_owned()),
            ]
        };
        for (year, value, reason) in [
            ("2023", "七千", "监测线应为大于 0 的金额"),
            ("2023", "0", "监测线应为大于 0 的金额"),
            ("1999", "7000", "年度应为 2000 至 2100"),
        ] {
            let (status, html, _) =
                post(&app, "/admin/rules/line", &county, &line(year, value)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(html.contains(reason), "{reason}");
            assert_eq!(input(&html, "line"), value);
            assert_eq!(snapshot(&db).await, before);
        }
        let (status, _, location) =
            post(&app, "/admin/rules/line", &county, &line("2023", "7000.50")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location.as_deref(), Some("/admin/rules?saved=line"));
        // The county's own line: the province's is not touched (issue 19).
        let table = repo::lines::table(&db).await.unwrap();
        assert_eq!(table.line_for(COUNTY, 2023), Some(Fen(700_050)));
        assert_eq!(table.line_for("141124", 2023), None);
        assert_eq!(repo::lines::get(&db, "14", 2023).await.unwrap(), None);
        assert_eq!(audit_count(&db).await, before.3 + 1);
        let (_, html) = page(&app, &county).await;
        assert!(html.contains("7000.50"));
    }
);

db_test!(
    fn township_admin_reads_others_are_refused(db: Db) {
        let app = app(&db).await;
        let county = login(&app, "county").await;
        let (_, html) = page(&app, &county).await;
        let form = form_of(&html);
        // (Log-ins are audited: every account logs in before the snapshot.)
        let town = login(&app, "town").await;
        let others = [
            ("team", login(&app, "team").await),
            ("auditor", login(&app, "auditor").await),
        ];
        let before = snapshot(&db).await;

        // Township admin: read-only page, and a forged post is refused.
        let (status, html) = page(&app, &town).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"readonly\""));
        assert!(html.contains(" disabled"));
        assert!(!html.contains("type=\"submit\">保存规则"));
        assert!(!html.contains("id=\"line-form\""));
        assert!(html.contains("href=\"/admin/rules\""), "nav link");
        let town_csrf = input(&html, "csrf");
        let forged = with(with(form.clone(), "csrf", &town_csrf), "medical_yuan", "1");
        let (status, html, _) = post(&app, "/admin/rules", &town, &forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(html.contains("县级管理员"));
        let line = vec![
            ("csrf".to_owned(), town_csrf.clone()),
            ("year".to_owned(), "2023".to_owned()),
            ("line".to_owned(), "1.00".to_owned()),
        ];
        let (status, _, _) = post(&app, "/admin/rules/line", &town, &line).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(snapshot(&db).await, before);

        // Village team and auditor: 403 page, no nav link.
        for (user, cookie) in &others {
            let (status, html) = page(&app, cookie).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
            assert!(html.contains("无权"), "{user}");
            let resp = app
                .clone()
                .oneshot(get("/households", cookie))
                .await
                .unwrap();
            assert!(!body_text(resp).await.contains("href=\"/admin/rules\""));
            let (_, html) = {
                let resp = app
                    .clone()
                    .oneshot(get("/households", cookie))
                    .await
                    .unwrap();
                ((), body_text(resp).await)
            };
            let csrf = html
                .find("name=\"csrf\" value=\"")
                .map(|at| html[at + 19..].split('"').next().unwrap_or("").to_string())
                .unwrap_or_default();
            let (status, _, _) = post(
                &app,
                "/admin/rules",
                cookie,
                &with(form.clone(), "csrf", &csrf),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{user}");
        }
        assert_eq!(snapshot(&db).await, before);

        // Not logged in: to the login page.
        let resp = app.clone().oneshot(get("/admin/rules", "")).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    }
);
