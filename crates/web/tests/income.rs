//! 收支测算 through the household page's form and `/api/v1/households/{n}/income`, on both databases:
//! preview computes without saving, save writes through the one app path (source 手工录入), the page
//! shows it; stale versions, bad records, other villages and read-only roles are refused and write
//! nothing.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{body_text, count, csrf_of, demo_password, get, login, post_form};

async fn app(db: &Db) -> (Router, demo::DemoCounty) {
    let county = demo::generate(60, 3);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    (router(AppState::new(db.clone())), county)
}

async fn incomes_of(db: &Db, number: &str, year: i32) -> i64 {
    count(
        db,
        &format!(
            "SELECT COUNT(*) FROM income_records r JOIN households h ON h.county_code = r.county_code \
             AND h.id = r.household_id WHERE h.number = '{number}' AND r.year = {year}"
        ),
    )
    .await
}

async fn token(app: &Router, username: &str) -> String {
    let body = json!({"username": username, "password": demo_password(username)}).to_string();
    let resp = app
        .clone()
        .oneshot(
            Request::post("/api/v1/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let v: Value = serde_json::from_str(&body_text(resp).await).unwrap();
    v["token"].as_str().unwrap().to_owned()
}

async fn api(
    app: &Router,
    method: &str,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let text = body_text(resp).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

db_test!(
    fn the_form_previews_saves_and_refuses(db: Db) {
        let (app, county) = app(&db).await;
        let number = county.households[0].household.number.clone();
        let cookie = login(&app, "county_admin").await;
        let path = format!("/households/{number}/income");

        let resp = app
            .clone()
            .oneshot(get(&format!("{path}?year=2023"), &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = body_text(resp).await;
        assert!(html.contains("id=\"income-form\""), "{html}");
        let csrf = csrf_of(&html);
        let form = |action: &str, members: &str, version: &str| {
            format!(
                "csrf={csrf}&version={version}&action={action}&inc_year=2023&inc_wage=3000&inc_transfer=600.50&inc_members={members}"
            )
        };

        // 测算: the server's figures, nothing saved
        let resp = app
            .clone()
            .oneshot(post_form(&path, &cookie, &form("preview", "3", "0")))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = body_text(resp).await;
        assert!(html.contains("id=\"income-preview\""), "{html}");
        assert!(
            html.contains("3600.50") && html.contains("1200.17"),
            "net and per capita: {html}"
        );
        assert_eq!(incomes_of(&db, &number, 2023).await, 0);

        // bad record: the form again with the reason, nothing saved
        let resp = app
            .clone()
            .oneshot(post_form(&path, &cookie, &form("save", "0", "0")))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body_text(resp).await.contains("家庭人口应至少为 1 人"));
        assert_eq!(incomes_of(&db, &number, 2023).await, 0);

        // 保存
        let resp = app
            .clone()
            .oneshot(post_form(&path, &cookie, &form("save", "3", "0")))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(incomes_of(&db, &number, 2023).await, 1);
        let resp = app
            .clone()
            .oneshot(get(&format!("/households/{number}?done=income"), &cookie))
            .await
            .unwrap();
        let html = body_text(resp).await;
        assert!(
            html.contains("收支测算已保存") && html.contains("手工录入"),
            "{html}"
        );

        // saving a new year over the one just saved: stale, said on the form
        let resp = app
            .clone()
            .oneshot(post_form(&path, &cookie, &form("save", "3", "0")))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        assert!(body_text(resp).await.contains("role=\"alert\""));

        // without the CSRF field: refused
        let resp = app
            .clone()
            .oneshot(post_form(
                &path,
                &cookie,
                "action=save&inc_year=2023&inc_members=3",
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    }
);

db_test!(
    fn the_api_reads_writes_and_refuses(db: Db) {
        let (app, county) = app(&db).await;
        let number = county.households[0].household.number.clone();
        let admin = token(&app, "county_admin").await;
        let path = format!("/api/v1/households/{number}/income");

        let (status, sheet) = api(&app, "GET", &path, &admin, None).await;
        assert_eq!(status, StatusCode::OK, "{sheet}");
        let recorded = sheet["years"].as_array().unwrap().len();
        assert!(recorded >= 1, "the demo's years: {sheet}");

        let body = json!({"wage": 900_000, "production_cost": 100_000, "members": 2});
        let (status, v) = api(
            &app,
            "PUT",
            &format!("{path}/2024"),
            &admin,
            Some(json!({"preview": true, "wage": 900_000, "members": 2})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["per_capita"], 450_000);
        assert_eq!(incomes_of(&db, &number, 2024).await, 0);

        let (status, v) = api(
            &app,
            "PUT",
            &format!("{path}/2024"),
            &admin,
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["version"], 1);
        assert_eq!(v["assessment"]["net_income"], 800_000);
        let (status, v) = api(&app, "GET", &format!("{path}/2024"), &admin, None).await;
        assert_eq!(
            (status, v["source"].as_str()),
            (StatusCode::OK, Some("manual")),
            "{v}"
        );

        // stale, bad, unknown field, other area, read-only role: refused, nothing more written
        let (status, _) = api(
            &app,
            "PUT",
            &format!("{path}/2024"),
            &admin,
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        let (status, v) = api(
            &app,
            "PUT",
            &format!("{path}/2024"),
            &admin,
            Some(json!({"version": 1, "wage": -5, "members": 2})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v["message_zh"].as_str().unwrap().contains("不能为负数"));
        let (status, _) = api(
            &app,
            "PUT",
            &format!("{path}/2024"),
            &admin,
            Some(json!({"version": 1, "wages": 5, "members": 2})),
        )
        .await;
        assert!(status.is_client_error());
        let (status, _) = api(
            &app,
            "PUT",
            &format!("{path}/1999"),
            &admin,
            Some(json!({"members": 2})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let auditor = token(&app, "auditor").await;
        let (status, _) = api(
            &app,
            "PUT",
            &format!("{path}/2024"),
            &auditor,
            Some(json!({"version": 1, "members": 2})),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let other = county
            .households
            .iter()
            .find(|h| h.household.village.as_str() != "141123208201")
            .unwrap();
        let team = token(&app, "village_team").await;
        let (status, _) = api(
            &app,
            "GET",
            &format!("/api/v1/households/{}/income", other.household.number),
            &team,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, v) = api(&app, "GET", &format!("{path}/2024"), &admin, None).await;
        assert_eq!((status, v["version"].as_i64()), (StatusCode::OK, Some(1)));
    }
);

db_test!(
    fn both_sources_are_shown_when_they_disagree(db: Db) {
        let (app, county) = app(&db).await;
        let dh = &county.households[0];
        let number = dh.household.number.clone();
        let imported = *dh.incomes.iter().find(|r| r.year == 2022).unwrap();
        let cookie = login(&app, "county_admin").await;
        let path = format!("/households/{number}/income");
        let html = body_text(
            app.clone()
                .oneshot(get(&format!("{path}?year=2022"), &cookie))
                .await
                .unwrap(),
        )
        .await;
        assert!(!html.contains("不计入"), "one source so far: {html}");
        let csrf = csrf_of(&html);
        // the 2022 record (version 1, from the demo's import) corrected by hand
        let form =
            format!("csrf={csrf}&version=1&action=save&inc_year=2022&inc_wage=3000&inc_members=3");
        let resp = app
            .clone()
            .oneshot(post_form(&path, &cookie, &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);

        // the household page: the record that counts, and the import's figures under it, not counted
        let html = body_text(
            app.clone()
                .oneshot(get(&format!("/households/{number}"), &cookie))
                .await
                .unwrap(),
        )
        .await;
        let table = &html[html.find("id=\"household-incomes\"").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        assert_eq!(table.matches("class=\"not-counted\"").count(), 1, "{table}");
        let row = &table[table.find("class=\"not-counted\"").unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(
            row.contains("不计入")
                && row.contains("以最近一次核实记录为准")
                && row.contains("台账导入")
                && row.contains(&imported.per_capita().to_string()),
            "{row}"
        );
        let counted = &table[..table.find("class=\"not-counted\"").unwrap()];
        assert!(
            counted.contains("手工录入")
                && counted.contains(">计入<")
                && counted.contains("1000.00"),
            "{counted}"
        );
        // the income page lists both as well
        let html = body_text(app.clone().oneshot(get(&path, &cookie)).await.unwrap()).await;
        assert_eq!(html.matches("class=\"not-counted\"").count(), 1, "{html}");
        assert!(html.contains("以最近一次核实记录为准"));
        // in English
        let html = body_text(
            app.clone()
                .oneshot(get(
                    &format!("/households/{number}"),
                    &format!("{cookie}; sw_lang=en"),
                ))
                .await
                .unwrap(),
        )
        .await;
        assert!(
            html.contains("Not counted") && html.contains("The latest verified record counts"),
            "{html}"
        );

        // the API: `not_counted` under the year
        let t = token(&app, "county_admin").await;
        let (status, sheet) = api(
            &app,
            "GET",
            &format!("/api/v1/households/{number}/income"),
            &t,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let y = sheet["years"]
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["record"]["year"] == 2022)
            .unwrap();
        assert_eq!(y["source"], "manual");
        assert_eq!(y["not_counted"][0]["source"], "import");
        assert_eq!(y["not_counted"][0]["reason_zh"], "以最近一次核实记录为准");
        assert_eq!(
            y["not_counted"][0]["per_capita"],
            json!(imported.per_capita().0)
        );
        let y21 = sheet["years"]
            .as_array()
            .unwrap()
            .iter()
            .find(|y| y["record"]["year"] == 2021)
            .unwrap();
        assert_eq!(y21["not_counted"], json!([]));
    }
);

/// The case version in a form (`name="version" value="N"`).
fn version_in(html: &str) -> String {
    let at = html
        .find("name=\"version\" value=\"")
        .expect("a version field")
        + 22;
    html[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

db_test!(
    fn a_follow_up_with_its_income_writes_the_years_record(db: Db) {
        use shouwang_core::income::IncomeSource;
        use shouwang_core::monitoring::{Lifecycle, YearMonth};
        use shouwang_core::{Role, Scope};
        use shouwang_store::repo;
        // a county large enough for every lifecycle state in the demo accounts' village
        let county = demo::generate(400, 7);
        demo::load(&db, &county, &|_, _| {})
            .await
            .expect("demo load");
        let app = router(AppState::new(db.clone()));
        let village = demo::DEMO_USERS
            .iter()
            .find(|u| u.username == "village_team")
            .map(|u| u.area)
            .unwrap();
        let county = Scope::new(0, Role::CountyAdmin, "141123");
        let q = repo::cases::CaseQuery {
            lifecycle: Some(Lifecycle::Monitored),
            region: Some(village.to_owned()),
            ..Default::default()
        };
        let number = repo::cases::list(&db, &county, &q, 1, 10)
            .await
            .unwrap()
            .items
            .first()
            .expect("a monitored household in the demo village")
            .household_number
            .clone();
        let today = shouwang_app::today();
        let this = YearMonth::of(today);
        let before_this = YearMonth::of(this.first_day() - chrono::Duration::days(1));
        let year = today.format("%Y").to_string();
        let cookie = login(&app, "village_team").await;
        let path = format!("/households/{number}/case/follow-up");
        let html = body_text(app.clone().oneshot(get(&path, &cookie)).await.unwrap()).await;
        // the visit forms' income fields, the year and members filled in; the estimate no longer required
        assert!(
            html.contains("name=\"inc_wage\"") && html.contains("name=\"inc_payout\""),
            "{html}"
        );
        assert!(html.contains(&format!(
            "name=\"inc_year\" inputmode=\"numeric\" value=\"{year}\""
        )));
        assert!(!html.contains("name=\"income\" inputmode=\"decimal\" required"));
        let csrf = csrf_of(&html);
        let records = |db: Db, number: String| async move {
            let county = Scope::new(0, Role::CountyAdmin, "141123");
            repo::households::get(&db, &county, &number)
                .await
                .unwrap()
                .unwrap()
                .incomes
        };
        let before = records(db.clone(), number.clone()).await;
        assert!(before.iter().all(|e| e.record.year.to_string() != year));

        // neither an estimate nor the income: refused, nothing written
        let base = |month: YearMonth, version: &str| {
            format!(
                "csrf={csrf}&version={version}&month={month}&visited_on={}&measures=1&policies=1&standards=1&approves=1&notes=",
                month.first_day()
            )
        };
        let version = version_in(&html);
        let resp = app
            .clone()
            .oneshot(post_form(&path, &cookie, &base(this, &version)))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(body_text(resp).await.contains("预计人均纯收入"));

        // the income filled in: the household's record of the year, source 月度走访; the estimate is its
        // 人均纯收入 (36000 ÷ 3), whatever was typed
        let form = format!(
            "{}&income=1&inc_year={year}&inc_wage=36,000&inc_members=3",
            base(this, &version)
        );
        let resp = app
            .clone()
            .oneshot(post_form(&path, &cookie, &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let after = records(db.clone(), number.clone()).await;
        let rec = after
            .iter()
            .find(|e| e.record.year.to_string() == year)
            .expect("the year's record");
        assert_eq!(
            (rec.source, rec.record.wage.0, rec.record.members, rec.as_of),
            (IncomeSource::FollowUp, 3_600_000, 3, this.first_day())
        );
        let case = repo::cases::get(&db, &county, &number)
            .await
            .unwrap()
            .unwrap();
        let visit = &case.case.follow_ups.month(this).unwrap().visit;
        assert_eq!(visit.per_capita_income_estimate.0, 1_200_000);
        assert_eq!(visit.income.map(|r| r.wage.0), Some(3_600_000));

        // the same month again (refused: one record a month): its income is not written either
        let html = body_text(app.clone().oneshot(get(&path, &cookie)).await.unwrap()).await;
        let form = format!(
            "{}&inc_year={year}&inc_wage=99000&inc_members=3",
            base(this, &version_in(&html))
        );
        let resp = app
            .clone()
            .oneshot(post_form(&path, &cookie, &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        assert_eq!(records(db.clone(), number.clone()).await, after);

        // the month before with an estimate alone: as before, no record written
        let html = body_text(
            app.clone()
                .oneshot(get(&format!("{path}?month={}", before_this), &cookie))
                .await
                .unwrap(),
        )
        .await;
        let form = format!("{}&income=7000", base(before_this, &version_in(&html)));
        let resp = app
            .clone()
            .oneshot(post_form(&path, &cookie, &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(records(db.clone(), number.clone()).await, after);

        // the household page lists the record with its source
        let html = body_text(
            app.clone()
                .oneshot(get(&format!("/households/{number}"), &cookie))
                .await
                .unwrap(),
        )
        .await;
        assert!(html.contains("月度走访"), "{html}");
    }
);
