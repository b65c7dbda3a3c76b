//! The step forms (crates/web/src/steps.rs) through the real router on both databases: the village's
//! identification steps with a photo upload, the green channel, a measure started and completed with
//! evidence, and the exit steps to the numbered notice; each refusal (bad input 422 with the form
//! re-shown, out of order or stale 409, wrong role 403, missing CSRF 403) leaves the case as it was.
//! Dates are fixed in 2022 (the demo county's year), as the API's end-to-end test does.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use shouwang_app::demo;
use shouwang_app::lifecycle::{self, Request as CommandRequest};
use shouwang_core::access::{Role, Scope};
use shouwang_core::monitoring::{Command, FollowUp, Lifecycle, YearMonth};
use shouwang_core::{Fen, IncomeRecord};
use shouwang_store::repo::households::HouseholdQuery;
use shouwang_store::repo::registry::{self, RegistryQuery};
use shouwang_store::{Actor, Db, db_test, repo};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{body_text, get, set_cookie};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";
const BOUNDARY: &str = "----shouwang-test-boundary";

/// A multipart form: text fields, then files (field, file name, type, bytes).
fn multipart(
    uri: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> Request<Body> {
    let mut body: Vec<u8> = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (k, name, ty, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: {ty}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .expect("request")
}

struct User {
    cookie: String,
    csrf: String,
}

async fn login(app: &Router, username: &str) -> User {
    let resp = app.clone().oneshot(get("/login", "")).await.unwrap();
    let login_csrf = set_cookie(&resp, "sw_login_csrf").expect("login csrf cookie");
    let form = format!(
        "username={username}&password={}&csrf={login_csrf}",
        demo::DEMO_PASSWORD
    );
    let resp = app
        .clone()
        .oneshot(
            Request::post("/login")
                .header(header::COOKIE, format!("sw_login_csrf={login_csrf}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "login {username}");
    let cookie = format!(
        "sw_session={}",
        set_cookie(&resp, "sw_session").expect("session")
    );
    let html = body_text(
        app.clone()
            .oneshot(get("/households", &cookie))
            .await
            .unwrap(),
    )
    .await;
    let at = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    let csrf = html[at..].split('"').next().unwrap_or("").to_string();
    User { cookie, csrf }
}

fn area(username: &str) -> &'static str {
    demo::DEMO_USERS
        .iter()
        .find(|u| u.username == username)
        .map(|u| u.area)
        .expect("demo user")
}

/// The case's version and its audit-row count.
async fn state_of(db: &Db, number: &str) -> (i64, Lifecycle) {
    let county = Scope::new(0, Role::CountyAdmin, "141123".to_string());
    let rec = repo::cases::get(db, &county, number)
        .await
        .unwrap()
        .expect("case");
    (rec.version, rec.lifecycle)
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Runs a command as a demo user (the steps the other pages cover).
async fn run(db: &Db, username: &str, number: &str, on: &str, command: Command) {
    let caller = shouwang_app::caller_by_username(db, username)
        .await
        .unwrap()
        .expect("caller");
    let version = state_of(db, number).await.0;
    lifecycle::execute(
        db,
        &caller,
        CommandRequest {
            household: number.to_string(),
            version: Some(version),
            on: Some(d(on)),
            command,
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{on}: {e}"));
}

/// Posts a step form; returns status and body.
async fn post(
    app: &Router,
    u: &User,
    uri: &str,
    version: i64,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &str, &[u8])],
) -> (StatusCode, String) {
    let v = version.to_string();
    let mut all: Vec<(&str, &str)> = vec![("csrf", u.csrf.as_str()), ("version", v.as_str())];
    all.extend_from_slice(fields);
    let resp = app
        .clone()
        .oneshot(multipart(uri, &u.cookie, &all, files))
        .await
        .unwrap();
    let status = resp.status();
    (status, body_text(resp).await)
}

/// Visit fields that pass (income above the 2022 line of 6500 per person).
fn visit<'a>(on: &'a str, head: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("on", on),
        ("visitors", "李四、王五"),
        ("findings", "家中主要劳动力务工受伤，收入下降"),
        ("food", "1"),
        ("clothing", "1"),
        ("housing", "A"),
        ("w_quantity", "1"),
        ("w_quality", "1"),
        ("w_convenience", "1"),
        ("w_reliability", "1"),
        ("inc_year", "2022"),
        ("inc_wage", "30000"),
        ("inc_members", "3"),
        ("auth_by", head),
        ("auth_on", on),
        ("signed", "1"),
        ("signed_by", head),
        ("result", "pass"),
        ("opinion", "情况属实"),
    ]
}

db_test!(
    fn identification_measure_and_exit_steps(db: Db) {
        demo::load(&db, &demo::generate(400, 7), &|_, _| {})
            .await
            .expect("demo load");
        let files = tempfile::tempdir().unwrap();
        let app = router(AppState::new(db.clone()).with_files(files.path()));
        let village = area("village_team");
        let county = Scope::new(0, Role::CountyAdmin, "141123".to_string());

        // A household of the demo village without a case; the county defers no category (缓退), so
        // that the appraisal eliminates the risk.
        let fresh = registry::search(
            &db,
            &county,
            &RegistryQuery {
                base: HouseholdQuery {
                    village: Some(village.to_string()),
                    ..Default::default()
                },
                lifecycle: Some(None),
                risk: None,
            },
            1,
            5,
        )
        .await
        .unwrap();
        let row = fresh.items.first().expect("a household without a case");
        let h = repo::households::get(&db, &county, &row.number)
            .await
            .unwrap()
            .unwrap();
        let (number, head, members) = (
            row.number.clone(),
            h.household.head().unwrap().name.clone(),
            h.household.members.len() as u32,
        );
        let county_admin = shouwang_app::caller_by_username(&db, "county_admin")
            .await
            .unwrap()
            .unwrap();
        let stored = repo::rules::get(&db, "141123").await.unwrap();
        let mut rules = stored.rules.clone();
        rules.exit.deferred.clear();
        repo::rules::set(
            &db,
            &Actor::new(county_admin.user_id, "县级管理员"),
            &county_admin.scope,
            "141123",
            &rules,
            stored.version,
        )
        .await
        .unwrap();
        let sys = Actor::system();
        let income = IncomeRecord {
            year: 2022,
            wage: Fen::from_yuan(12_000 * i64::from(members)),
            members,
            ..IncomeRecord::default()
        };
        let income_version = h
            .incomes
            .iter()
            .find(|e| e.record.year == 2022)
            .map(|e| e.version);
        // The registry's 2022 income (an import: the visits of 2022 below replace it — a record entered
        // by hand today would be a verified record of a later date, which a 2022 visit does not replace).
        repo::income::upsert(
            &db,
            &sys,
            &number,
            &income,
            shouwang_core::income::IncomeSource::Import,
            income_version,
        )
        .await
        .unwrap();

        // The clue and 启动识别 (the clue pages are tested elsewhere).
        use shouwang_core::codes::RiskType;
        use shouwang_core::monitoring::clue::ApplicationMeans;
        use shouwang_core::monitoring::{Report, Source};
        let report = Report {
            household: number.clone(),
            source: Source::Application {
                applicant: head.clone(),
                stated_cause: "务工受伤".into(),
                means: ApplicationMeans::Written,
            },
            risks: vec![RiskType::Accident],
            reporter: head.clone(),
            reported_on: d("2022-01-03"),
        };
        let caller = shouwang_app::caller_by_username(&db, "village_team")
            .await
            .unwrap()
            .unwrap();
        lifecycle::execute(
            &db,
            &caller,
            CommandRequest {
                household: number.clone(),
                version: None,
                on: Some(d("2022-01-03")),
                command: Command::Report { report },
            },
        )
        .await
        .unwrap();
        run(
            &db,
            "village_team",
            &number,
            "2022-01-04",
            Command::StartIdentification,
        )
        .await;

        let team = login(&app, "village_team").await;
        let hh = format!("/households/{number}");
        let ident = format!("{hh}/case/ident");
        let html = body_text(app.clone().oneshot(get(&hh, &team.cookie)).await.unwrap()).await;
        assert!(html.contains("识别办理：入户核查"), "{html}");
        let resp = app
            .clone()
            .oneshot(get(&ident, &team.cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = body_text(resp).await;
        assert!(html.contains("两不愁") && html.contains("饮水安全") && html.contains("承诺授权"));
        assert!(html.contains("enctype=\"multipart/form-data\""));

        // The English switch (cookie) turns the form English.
        let html = body_text(
            app.clone()
                .oneshot(get(&ident, &format!("{}; sw_lang=en", team.cookie)))
                .await
                .unwrap(),
        )
        .await;
        assert!(
            html.contains("Identification step") && html.contains("Drinking water"),
            "{html}"
        );
        // 入户核查: without findings → 422, the form again with what was typed and the uploaded photo.
        let (v0, _) = state_of(&db, &number).await;
        let mut fields = visit("2022-01-05", &head);
        fields.retain(|(k, _)| *k != "findings");
        fields.push(("step", "verification"));
        let (status, html) = post(
            &app,
            &team,
            &ident,
            v0,
            &fields,
            &[("photo", "门前.png", "image/png", PNG)],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("核查情况"), "{html}");
        assert!(html.contains("id=\"form-error\""), "{html}");
        assert!(html.contains("value=\"李四、王五\""), "typed value kept");
        assert!(html.contains("已上传：门前.png"), "photo kept: {html}");
        assert_eq!(state_of(&db, &number).await.0, v0, "nothing written");
        let att_at = html.find("name=\"att_photo\" value=\"").unwrap() + 24;
        let att = html[att_at..].split('"').next().unwrap().to_string();

        // Without the CSRF token: 403, nothing written.
        let resp = app
            .clone()
            .oneshot(multipart(
                &ident,
                &team.cookie,
                &[("version", &v0.to_string()), ("step", "verification")],
                &[],
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        // A cadre may not verify (403 page).
        let cadre = login(&app, "cadre").await;
        let mut ok = visit("2022-01-05", &head);
        ok.push(("step", "verification"));
        let (status, _) = post(&app, &cadre, &ident, v0, &ok, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(state_of(&db, &number).await.0, v0);

        // Now complete, with the photo uploaded before.
        ok.push(("att_photo", att.as_str()));
        let (status, html) = post(&app, &team, &ident, v0, &ok, &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let rec = repo::cases::get(&db, &county, &number)
            .await
            .unwrap()
            .unwrap();
        let v = rec
            .case
            .identification
            .as_ref()
            .unwrap()
            .verification()
            .unwrap();
        assert_eq!(v.attachments.len(), 1);
        assert_eq!(v.attachments[0].name, "门前.png");
        assert_eq!(v.visitors, vec!["李四", "王五"]);
        assert!(v.signature.is_signed());

        // 信息比对.
        let version = state_of(&db, &number).await.0;
        let (status, html) = post(
            &app,
            &team,
            &ident,
            version,
            &[
                ("step", "data_comparison"),
                ("on", "2022-01-06"),
                ("checked_with", "财政"),
                ("checked_with", "公安"),
                ("result", "pass"),
            ],
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        // 民主评议: attendance not a number → 422; a stale version → 409; then done.
        let version = state_of(&db, &number).await.0;
        let appraise = |att: &'static str| {
            vec![
                ("step", "appraisal"),
                ("on", "2022-01-07"),
                ("attendance", att),
                ("minutes", "逐户评议"),
                ("result", "pass"),
                ("opinion", "同意"),
            ]
        };
        let (status, html) = post(&app, &team, &ident, version, &appraise("很多"), &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("参会人数须为整数"), "{html}");
        assert!(html.contains("value=\"很多\""));
        let (status, html) = post(&app, &team, &ident, version - 1, &appraise("28"), &[]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{html}");
        assert_eq!(state_of(&db, &number).await.0, version);
        let (status, _) = post(&app, &team, &ident, version, &appraise("28"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // 公示, then 公示期满 too early (409, the form again) and on time.
        let version = state_of(&db, &number).await.0;
        let (status, _) = post(
            &app,
            &team,
            &ident,
            version,
            &[
                ("step", "public_notice"),
                ("on", "2022-01-07"),
                ("place", "村委会公示栏"),
            ],
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = body_text(
            app.clone()
                .oneshot(get(&ident, &team.cookie))
                .await
                .unwrap(),
        )
        .await;
        assert!(
            html.contains("公示期满") && html.contains("2022-01-07"),
            "{html}"
        );
        let version = state_of(&db, &number).await.0;
        let close =
            |on: &'static str| vec![("step", "notice_closed"), ("on", on), ("result", "pass")];
        let (status, html) = post(&app, &team, &ident, version, &close("2022-01-08"), &[]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{html}");
        assert!(html.contains("id=\"form-error\""));
        assert_eq!(state_of(&db, &number).await.0, version);

        // 绿色通道 by the township admin (shown on the identification page).
        let town = login(&app, "township_admin").await;
        let html = body_text(
            app.clone()
                .oneshot(get(&ident, &town.cookie))
                .await
                .unwrap(),
        )
        .await;
        assert!(html.contains("id=\"green-form\""), "{html}");
        let (status, html) = post(
            &app,
            &town,
            &format!("{hh}/case/green-channel"),
            version,
            &[("on", "2022-01-10"), ("reason", "")],
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        let (status, _) = post(
            &app,
            &town,
            &format!("{hh}/case/green-channel"),
            version,
            &[("on", "2022-01-10"), ("reason", "务工受伤住院，家庭无收入")],
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let version = state_of(&db, &number).await.0;
        let (status, _) = post(&app, &team, &ident, version, &close("2022-01-12"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);

        // The approvals, the cadre and a plan (their pages are tested elsewhere).
        use shouwang_core::codes::{MeasureClass, MonitoredType};
        use shouwang_core::monitoring::{Decision, IdentAction, MeasurePlan, Outcome};
        let review = IdentAction::TownshipReview {
            decision: Decision::pass("同意"),
        };
        run(
            &db,
            "township_admin",
            &number,
            "2022-01-13",
            Command::Identify { action: review },
        )
        .await;
        let approval = IdentAction::CountyApproval {
            decision: Decision::pass("审定同意"),
            outcome: Some(Outcome {
                monitored_type: MonitoredType::SuddenHardship,
                risks: vec![RiskType::Accident],
            }),
        };
        run(
            &db,
            "county_admin",
            &number,
            "2022-01-14",
            Command::Identify { action: approval },
        )
        .await;
        let enrol = IdentAction::Enrol {
            opinion: String::new(),
        };
        run(
            &db,
            "county_admin",
            &number,
            "2022-01-17",
            Command::Identify { action: enrol },
        )
        .await;
        let plan = MeasurePlan {
            class: MeasureClass::PublicWelfarePost,
            item: "光伏公益岗位".into(),
            planned_on: d("2022-02-28"),
            responsible_unit: "村委会".into(),
            amount: Fen::ZERO,
        };
        run(
            &db,
            "village_team",
            &number,
            "2022-01-20",
            Command::PlanMeasure { plan },
        )
        .await;

        // The measure: started by the cadre, completion refused without evidence, then done.
        let html = body_text(app.clone().oneshot(get(&hh, &cadre.cookie)).await.unwrap()).await;
        assert!(html.contains(&format!("{hh}/case/measures/0")), "{html}");
        let measure = format!("{hh}/case/measures/0");
        for bad in ["abc", "99", "-1"] {
            let resp = app
                .clone()
                .oneshot(get(&format!("{hh}/case/measures/{bad}"), &cadre.cookie))
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::NOT_FOUND, "measure {bad}");
        }
        let version = state_of(&db, &number).await.0;
        let (status, html) = post(
            &app,
            &cadre,
            &measure,
            version,
            &[
                ("action", "start"),
                ("on", "2022-02-01"),
                ("note", "已上岗"),
            ],
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let version = state_of(&db, &number).await.0;
        let done = [
            ("action", "complete"),
            ("on", "2022-02-15"),
            ("description", "已上岗，按月发放工资"),
        ];
        let (status, html) = post(&app, &cadre, &measure, version, &done, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("佐证"), "{html}");
        assert_eq!(state_of(&db, &number).await.0, version);
        // A file that is not what it claims is refused by the store (422), nothing written.
        let (status, html) = post(
            &app,
            &cadre,
            &measure,
            version,
            &done,
            &[("evidence", "工资表.png", "image/png", b"not a png")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        let (status, html) = post(
            &app,
            &cadre,
            &measure,
            version,
            &done,
            &[("evidence", "工资表.png", "image/png", PNG)],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        let rec = repo::cases::get(&db, &county, &number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            rec.case.measures[0].status,
            shouwang_core::monitoring::MeasureStatus::Done
        );

        // Follow-ups of Feb … Aug (the follow-up page is tested elsewhere).
        for m in 2..=8 {
            let visit = FollowUp {
                month: YearMonth::new(2022, m).unwrap(),
                visited_on: d(&format!("2022-{m:02}-10")),
                measures_carried_out: true,
                policies_received: true,
                standards_secure: true,
                household_approves: true,
                per_capita_income_estimate: Fen::from_yuan(9000),
                notes: String::new(),
                income: None,
            };
            run(
                &db,
                "cadre",
                &number,
                &format!("2022-{m:02}-10"),
                Command::FollowUp { visit },
            )
            .await;
        }

        // The exit steps.
        let exit = format!("{hh}/case/exit");
        let html = body_text(app.clone().oneshot(get(&hh, &team.cookie)).await.unwrap()).await;
        assert!(html.contains("退出办理：预判提名"), "{html}");
        let version = state_of(&db, &number).await.0;
        let (status, html) = post(
            &app,
            &team,
            &exit,
            version,
            &[("step", "nomination"), ("on", "2022-09-15")],
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        // 终止 needs a reason (422); the cadre may not withdraw (403).
        let withdraw = format!("{hh}/case/exit/withdraw");
        let version = state_of(&db, &number).await.0;
        let (status, _) = post(
            &app,
            &team,
            &withdraw,
            version,
            &[("on", "2022-09-15"), ("reason", "")],
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = post(
            &app,
            &cadre,
            &withdraw,
            version,
            &[("on", "2022-09-15"), ("reason", "x")],
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(state_of(&db, &number).await.0, version);
        let (status, _) = post(
            &app,
            &team,
            &exit,
            version,
            &[
                ("step", "meeting_decision"),
                ("on", "2022-09-16"),
                ("attendance", "9"),
                ("result", "pass"),
                ("opinion", "同意进入退出程序"),
            ],
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // 入户核查 at exit needs the income estimate (422 without members), then passes.
        let version = state_of(&db, &number).await.0;
        let mut check = visit("2022-09-20", &head);
        check.retain(|(k, _)| *k != "inc_members");
        check.extend([
            ("step", "household_check"),
            ("measures_delivered", "1"),
            ("industry_ok", "1"),
            ("industry", "公益岗位务工"),
        ]);
        let (status, html) = post(&app, &team, &exit, version, &check, &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("家庭人口"), "{html}");
        check.push(("inc_members", "3"));
        let (status, html) = post(
            &app,
            &team,
            &exit,
            version,
            &check,
            &[("photo", "核查.png", "image/png", PNG)],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        // the visit's re-estimate is now the household's 2022 record, source 入户核查
        let detail = repo::households::get(
            &db,
            &shouwang_core::Scope::new(0, shouwang_core::Role::CountyAdmin, "141123"),
            &number,
        )
        .await
        .unwrap()
        .unwrap();
        let y2022 = detail
            .incomes
            .iter()
            .find(|e| e.record.year == 2022)
            .unwrap();
        assert_eq!(
            (y2022.source, y2022.record.wage, y2022.record.members),
            (
                shouwang_core::income::IncomeSource::Verification,
                Fen::from_yuan(30_000),
                3
            )
        );
        let version = state_of(&db, &number).await.0;
        let (status, html) = post(
            &app,
            &team,
            &exit,
            version,
            &[
                ("step", "appraisal"),
                ("on", "2022-09-26"),
                ("attendance", "30"),
                ("result", "pass"),
                ("opinion", "评议通过"),
                ("mode", "assisted"),
            ],
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
        assert_eq!(state_of(&db, &number).await.1, Lifecycle::Eliminated);
        // 退出告知: the notice is issued and its printable page follows.
        let version = state_of(&db, &number).await.0;
        let resp = app
            .clone()
            .oneshot(multipart(
                &exit,
                &team.cookie,
                &[
                    ("csrf", &team.csrf),
                    ("version", &version.to_string()),
                    ("step", "notice"),
                    ("on", "2022-09-28"),
                ],
                &[],
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let to = resp.headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(to, format!("{hh}/notice"));
        let html = body_text(app.clone().oneshot(get(&to, &team.cookie)).await.unwrap()).await;
        assert!(
            html.contains("告字第") && html.contains(&format!("{head}户")),
            "{html}"
        );
        // Nothing more to do on the exit page.
        let html = body_text(app.clone().oneshot(get(&exit, &team.cookie)).await.unwrap()).await;
        assert!(html.contains("当前没有您可办理的步骤"), "{html}");
    }
);
