//! The upload pages through the real router on both databases: 部门数据上传 (`/screening/upload`)
//! and 户籍台账导入 (`/imports/registry`) run as background jobs (`/jobs/{id}`), and the code lists
//! page (`/admin/codes`).

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use shouwang_app::demo;
use shouwang_core::access::{Role, Scope};
use shouwang_store::repo::cases;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{
    Part, body_text, count, csrf_of, get, household_without_case, login, medical, post_form,
    post_multipart, registry_csv,
};

/// Loads a small demo county and returns the router.
async fn app(db: &Db) -> (Router, demo::DemoCounty) {
    let county = demo::generate(120, 7);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    let dir = tempfile::tempdir().expect("tempdir").keep();
    (
        router(AppState::new(db.clone()).with_files(dir.join("attachments"))),
        county,
    )
}

async fn page(app: &Router, uri: &str, cookie: &str) -> (StatusCode, String) {
    let resp = app.clone().oneshot(get(uri, cookie)).await.unwrap();
    let status = resp.status();
    (status, body_text(resp).await)
}

/// Posts and expects a redirect to a job page; returns its path.
async fn start_job(app: &Router, req: Request<Body>) -> String {
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = body_text(resp).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let location = location.expect("location");
    assert!(location.starts_with("/jobs/"), "{location}");
    location
}

/// Waits for a job to finish (polling its JSON status) and returns its page.
async fn finished(app: &Router, job: &str, cookie: &str) -> (serde_json::Value, String) {
    for _ in 0..600 {
        let (status, text) = page(app, &format!("{job}/status"), cookie).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let v: serde_json::Value = serde_json::from_str(&text).expect("status JSON");
        if v["finished"] == true {
            let (status, html) = page(app, job, cookie).await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                !html.contains("http-equiv=\"refresh\""),
                "a finished job stops refreshing"
            );
            return (v, html);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {job} did not finish");
}

/// The number in `<strong id="{id}">N</strong>`.
fn stat(html: &str, id: &str) -> u64 {
    let pat = format!("id=\"{id}\">");
    let at = html.find(&pat).unwrap_or_else(|| panic!("{id} in {html}")) + pat.len();
    html[at..]
        .split('<')
        .next()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| panic!("number at {id}"))
}

db_test!(
    fn department_upload_records_clues_once(db: Db) {
        let (app, county) = app(&db).await;
        let (number, id) = household_without_case(&db, &county).await;
        let cookie = login(&app, "department").await;
        let (status, html) = page(&app, "/screening/upload", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            html.contains("部门数据上传") && html.contains("医疗费用结算"),
            "{html}"
        );
        let csrf = csrf_of(&html);
        let file = medical(&id);
        let parts: Vec<Part> = vec![
            ("csrf", None, csrf.as_bytes()),
            ("month", None, b"2022-06"),
            ("medical", Some("2022年6月医保结算.csv"), file.as_bytes()),
            ("education", Some(""), b""),
        ];
        let job = start_job(&app, post_multipart("/screening/upload", &cookie, &parts)).await;
        let (status, html) = finished(&app, &job, &cookie).await;
        assert_eq!(status["ok"], false, "one malformed row: {status}");
        assert!(html.contains("筛查结果"), "{html}");
        let written = stat(&html, "stat-written");
        assert!(written >= 1, "{html}");
        assert_eq!(stat(&html, "stat-present"), 0);
        assert_eq!(stat(&html, "stat-rejected"), 1);
        // The uploaded file's own name is shown, with the unmatched row.
        assert!(html.contains("2022年6月医保结算.csv"), "{html}");
        assert!(
            html.contains(&format!("href=\"/households/{number}\"")),
            "{html}"
        );
        let everyone = Scope::new(0, Role::CountyAdmin, "141123");
        let case = cases::get(&db, &everyone, &number)
            .await
            .unwrap()
            .expect("the flagged household has a case");
        assert!(format!("{:?}", case.case.clues).contains("县医疗保障局"));

        // rejected.csv lists the malformed row with its file and line.
        let (status, csv) = page(&app, &format!("{job}/files/0"), &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(csv.starts_with('\u{FEFF}'), "{csv}");
        assert!(csv.contains("2022年6月医保结算.csv,4,医疗总费用"), "{csv}");

        // Another user does not see the job.
        let other = login(&app, "county_admin").await;
        let (status, _) = page(&app, &job, &other).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = page(&app, &format!("{job}/files/0"), &other).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The same month again: nothing new.
        let clues = count(&db, "SELECT COUNT(*) FROM audit_log").await;
        let job = start_job(&app, post_multipart("/screening/upload", &cookie, &parts)).await;
        let (_, html) = finished(&app, &job, &cookie).await;
        assert_eq!(stat(&html, "stat-written"), 0, "{html}");
        assert_eq!(stat(&html, "stat-present"), written);
        assert!(html.contains("nothing-new"), "{html}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, clues);
    }
);

db_test!(
    fn department_upload_refuses_village_users_bad_input_and_bad_files(db: Db) {
        let (app, county) = app(&db).await;
        // A village team member may not upload: 403 for the page and the post.
        let team = login(&app, "village_team").await;
        let (status, _) = page(&app, "/screening/upload", &team).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, home) = page(&app, "/", &team).await;
        let home_csrf = csrf_of(&home);
        let parts: Vec<Part> = vec![
            ("csrf", None, home_csrf.as_bytes()),
            ("month", None, b"2022-06"),
            ("medical", Some("m.csv"), b"x"),
        ];
        let resp = app
            .clone()
            .oneshot(post_multipart("/screening/upload", &team, &parts))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        assert!(!page(&app, "/", &team).await.1.contains("/screening/upload"));

        let cookie = login(&app, "department").await;
        let csrf = csrf_of(&page(&app, "/screening/upload", &cookie).await.1);
        // No CSRF token: refused.
        let (_, id) = household_without_case(&db, &county).await;
        let file = medical(&id);
        let resp = app
            .clone()
            .oneshot(post_multipart(
                "/screening/upload",
                &cookie,
                &[
                    ("month", None, b"2022-06"),
                    ("medical", Some("m.csv"), file.as_bytes()),
                ],
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        // A bad month, no file, a PDF: the form again with the reason.
        for (parts, reason) in [
            (
                vec![
                    ("csrf", None, csrf.as_bytes()),
                    ("month", None, &b"2022-13"[..]),
                ],
                "筛查批次应为 年-月",
            ),
            (
                vec![
                    ("csrf", None, csrf.as_bytes()),
                    ("month", None, &b"2022-06"[..]),
                ],
                "请至少选择一个部门数据文件",
            ),
            (
                vec![
                    ("csrf", None, csrf.as_bytes()),
                    ("month", None, &b"2022-06"[..]),
                    ("housing", Some("住建.pdf"), &b"%PDF-1.4"[..]),
                ],
                "住建.pdf 不是 CSV 或 Excel 文件",
            ),
        ] {
            let parts: Vec<Part> = parts;
            let resp = app
                .clone()
                .oneshot(post_multipart("/screening/upload", &cookie, &parts))
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let html = body_text(resp).await;
            assert!(html.contains(reason), "{reason}: {html}");
        }

        // A malformed file (its header lacks the required columns): the job fails with a clear
        // message naming the file, and nothing is written.
        let audit = count(&db, "SELECT COUNT(*) FROM audit_log").await;
        let parts: Vec<Part> = vec![
            ("csrf", None, csrf.as_bytes()),
            ("month", None, b"2022-06"),
            ("medical", Some("医保.csv"), b"foo,bar\n1,2\n"),
        ];
        let job = start_job(&app, post_multipart("/screening/upload", &cookie, &parts)).await;
        let (status, html) = finished(&app, &job, &cookie).await;
        assert_eq!(status["ok"], false);
        let error = status["error_zh"].as_str().unwrap_or_default();
        assert!(
            error.contains("医保.csv")
                && error.contains("缺少列")
                && error.contains("未登记任何线索"),
            "{error}"
        );
        assert!(!error.contains("/tmp"), "no server paths: {error}");
        assert!(html.contains("job-error"), "{html}");
        assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, audit);
    }
);

// ------------------------------------------------------------------------------------------------
// Registry import.

async fn households(db: &Db) -> i64 {
    count(db, "SELECT COUNT(*) FROM households").await
}

/// Uploads `bytes` as `name` for a dry run; returns the finished job's path and page.
async fn dry_run(app: &Router, cookie: &str, name: &str, bytes: &[u8]) -> (String, String) {
    let csrf = csrf_of(&page(app, "/imports/registry", cookie).await.1);
    let job = start_job(
        app,
        post_multipart(
            "/imports/registry",
            cookie,
            &[("csrf", None, csrf.as_bytes()), ("file", Some(name), bytes)],
        ),
    )
    .await;
    let (_, html) = finished(app, &job, cookie).await;
    (job, html)
}

/// Imports the file of a dry-run job; returns the finished import page.
async fn commit(app: &Router, cookie: &str, dry_run_job: &str, all_or_nothing: bool) -> String {
    let (_, html) = page(app, dry_run_job, cookie).await;
    let csrf = csrf_of(&html);
    let id = dry_run_job.trim_start_matches("/jobs/");
    let mut form = format!("csrf={csrf}&job={id}");
    if all_or_nothing {
        form.push_str("&all_or_nothing=1");
    }
    let job = start_job(app, post_form("/imports/registry/commit", cookie, &form)).await;
    finished(app, &job, cookie).await.1
}

db_test!(
    fn registry_import_dry_run_then_import(db: Db) {
        let (app, _) = app(&db).await;
        let cookie = login(&app, "county_admin").await;
        let before = households(&db).await;
        let audit = count(&db, "SELECT COUNT(*) FROM audit_log").await;

        // A good file: the dry run writes nothing and offers the import.
        let (job, html) = dry_run(&app, &cookie, "台账.csv", registry_csv("T", 0).as_bytes()).await;
        assert!(
            html.contains("预检完成") && html.contains("commit-form"),
            "{html}"
        );
        assert_eq!(stat(&html, "stat-problems"), 0);
        assert!(html.contains("id=\"hh-created\">3<"), "{html}");
        assert_eq!(households(&db).await, before);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, audit);

        // Import: three households, audited.
        let html = commit(&app, &cookie, &job, false).await;
        assert!(html.contains("已导入"), "{html}");
        assert_eq!(households(&db).await, before + 3);
        assert!(count(&db, "SELECT COUNT(*) FROM audit_log").await > audit);

        // A bad row is reported with its location.
        let bad = registry_csv("U", 100).replace("之儿媳", "邻居");
        let (job, html) = dry_run(&app, &cookie, "坏台账.csv", bad.as_bytes()).await;
        assert_eq!(stat(&html, "stat-rejected"), 1, "{html}");
        assert!(
            html.contains("<td class=\"wrap\">坏台账.csv</td><td class=\"num\">7</td><td>与户主关系</td><td class=\"wrap\">邻居</td>"),
            "{html}"
        );
        let (status, csv) = page(&app, &format!("{job}/files/0"), &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(csv.contains("坏台账.csv,7,与户主关系,邻居"), "{csv}");

        // All or nothing: nothing is written.
        let audit = count(&db, "SELECT COUNT(*) FROM audit_log").await;
        let html = commit(&app, &cookie, &job, true).await;
        assert!(html.contains("未导入"), "{html}");
        assert_eq!(households(&db).await, before + 3);
        assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log").await, audit);
        // Without it, the two good households are imported.
        let html = commit(&app, &cookie, &job, false).await;
        assert!(html.contains("已导入"), "{html}");
        assert_eq!(households(&db).await, before + 5);

        // A 收支情况 file for T001: imported, then the income review of 2022 flags its fall (the page
        // says so; the dry run does not review).
        let incomes = "户编号,年度,工资性收入,生产经营性收入,财产性收入,转移性收入,生产经营性支出,家庭人口\r\n\
                       T001,2021,30000,0,0,0,0,2\r\n\
                       T001,2022,8000,0,0,0,0,2\r\n";
        let (job, html) = dry_run(&app, &cookie, "收支.csv", incomes.as_bytes()).await;
        assert!(
            html.contains("预检完成") && !html.contains("import-review"),
            "{html}"
        );
        let html = commit(&app, &cookie, &job, false).await;
        assert!(
            html.contains("已导入") && html.contains("id=\"import-review\""),
            "{html}"
        );
        assert!(html.contains("2022年收支测算比对：有收支记录"), "{html}");
        assert!(html.contains("明显下降"), "{html}");
        let case = cases::get(&db, &Scope::new(0, Role::CountyAdmin, "141123"), "T001")
            .await
            .unwrap()
            .expect("T001's case");
        assert_eq!(
            case.case.clues[0].sources[0].report.source,
            shouwang_core::monitoring::Source::IncomeReview { year: 2022 }
        );

        // Not a spreadsheet: refused at once with a clear message.
        let csrf = csrf_of(&page(&app, "/imports/registry", &cookie).await.1);
        let resp = app
            .clone()
            .oneshot(post_multipart(
                "/imports/registry",
                &cookie,
                &[
                    ("csrf", None, csrf.as_bytes()),
                    ("file", Some("照片.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
                ],
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = body_text(resp).await;
        assert!(html.contains("照片.png 不是电子表格文件"), "{html}");
        // A text file without a registry header: the job fails with the reader's reason.
        let (_, html) = dry_run(&app, &cookie, "notes.csv", "hello,world\n1,2\n".as_bytes()).await;
        assert!(
            html.contains("job-error") && html.contains("无法导入"),
            "{html}"
        );
        assert_eq!(households(&db).await, before + 5);

        // Other users' dry runs cannot be imported; village teams may not import.
        let township = login(&app, "township_admin").await;
        let (_, form) = page(&app, "/imports/registry", &township).await;
        let resp = app
            .clone()
            .oneshot(post_form(
                "/imports/registry/commit",
                &township,
                &format!(
                    "csrf={}&job={}",
                    csrf_of(&form),
                    job.trim_start_matches("/jobs/")
                ),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::GONE);
        let team = login(&app, "village_team").await;
        assert_eq!(
            page(&app, "/imports/registry", &team).await.0,
            StatusCode::FORBIDDEN
        );
    }
);

db_test!(
    fn code_lists_page_for_every_user(db: Db) {
        let (app, _) = app(&db).await;
        for user in ["village_team", "cadre", "auditor", "county_admin"] {
            let cookie = login(&app, user).await;
            let (status, html) = page(&app, "/admin/codes", &cookie).await;
            assert_eq!(status, StatusCode::OK, "{user}");
            assert!(html.contains("全国防止返贫监测信息系统"), "{html}");
            assert!(html.contains("风险类型") && html.contains("0201"), "{html}");
            assert!(
                html.contains("与户主关系") && html.contains("户主"),
                "{html}"
            );
            let (_, home) = page(&app, "/", &cookie).await;
            assert!(
                home.contains("href=\"/admin/codes\""),
                "nav link for {user}"
            );
        }
        let resp = app.clone().oneshot(get("/admin/codes", "")).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    }
);
