//! Personal data (PIPL; issue 19) through the real router on both databases: a village user cannot
//! learn a full ID number by guessing it in the search box; ages are birth years for roles that see
//! masked numbers; full reads, exports and downloads are in the audit log; an attachment is read only in
//! the area of its case.

mod common;

use axum::Router;
use axum::http::StatusCode;
use chrono::{Datelike, Days};
use shouwang_app::demo;
use shouwang_core::idnum;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

use common::{api_json, api_login, body_text, count, get, login};

const VILLAGE: &str = "141123208201";

async fn setup(db: &Db) -> (Router, demo::DemoCounty) {
    let county = demo::generate(120, 7);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    (router(AppState::new(db.clone())), county)
}

/// A member of the demo village.
fn villager(county: &demo::DemoCounty) -> shouwang_core::Member {
    county
        .households
        .iter()
        .find(|h| h.household.village.as_str() == VILLAGE)
        .expect("a household of the village")
        .household
        .members[0]
        .clone()
}

async fn audit_rows(db: &Db, action: &str) -> i64 {
    count(
        db,
        &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"),
    )
    .await
}

db_test!(
    fn guessing_an_id_number_in_the_search_box_is_stopped_and_audited(db: Db) {
        let (app, county) = setup(&db).await;
        let target = villager(&county).id_number;
        let cookie = login(&app, "village_team").await;
        let search = |q: String| {
            let app = app.clone();
            let cookie = cookie.clone();
            async move {
                app.oneshot(get(&format!("/households?q={q}"), &cookie))
                    .await
                    .unwrap()
            }
        };
        // The attacker sees 141123********123X and tries birth dates: every guess is answered …
        let region: u32 = target.to_string()[..6].parse().unwrap();
        let seq: u16 = target.to_string()[14..17].parse().unwrap();
        for k in 1..=shouwang_app::privacy::ID_SEARCHES_PER_HOUR {
            let wrong = idnum::make(
                region,
                target.birth_date().checked_sub_days(Days::new(k)).unwrap(),
                seq,
            );
            let resp = search(wrong.to_string()).await;
            assert_eq!(resp.status(), StatusCode::OK);
        }
        // … up to the hourly allowance: then even the right number is refused.
        let resp = search(target.to_string()).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        let page = body_text(resp).await;
        assert!(page.contains("按身份证号查询过于频繁"), "{page}");
        assert!(!page.contains(&target.to_string()[6..14]));
        // The API counts against the same allowance.
        let token = api_login(&app, "village_team").await;
        let (status, _) = api_json(
            &app,
            "GET",
            &format!("/api/v1/households?q={target}"),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        // Every search and both refusals are in the audit log, with masked numbers only.
        assert_eq!(
            audit_rows(&db, "search_id").await,
            shouwang_app::privacy::ID_SEARCHES_PER_HOUR as i64
        );
        assert_eq!(audit_rows(&db, "search_id_refused").await, 2);
        let plain = count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'search_id%' AND after LIKE '%{}%'",
                &target.to_string()[6..14]
            ),
        )
        .await;
        assert_eq!(plain, 0);
        // The auditor's page lists them by action.
        let auditor = login(&app, "auditor").await;
        let html = body_text(
            app.clone()
                .oneshot(get("/admin/audit?action=search_id_refused", &auditor))
                .await
                .unwrap(),
        )
        .await;
        assert!(html.contains("search_id_refused"), "{html}");
        // A county admin, who sees full numbers anyway, is not limited; its searches are logged too.
        let admin = login(&app, "county_admin").await;
        for _ in 0..=shouwang_app::privacy::ID_SEARCHES_PER_HOUR {
            let resp = app
                .clone()
                .oneshot(get(&format!("/households?q={target}"), &admin))
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
        }
        assert_eq!(
            audit_rows(&db, "search_id").await,
            2 * shouwang_app::privacy::ID_SEARCHES_PER_HOUR as i64 + 1
        );
    }
);

db_test!(
    fn a_masked_role_sees_birth_years_not_ages(db: Db) {
        let (app, county) = setup(&db).await;
        let h = county
            .households
            .iter()
            .find(|h| h.household.village.as_str() == VILLAGE)
            .unwrap();
        let born = h.household.members[0].id_number.birth_date().year();
        let age = h.household.members[0]
            .id_number
            .age_on(shouwang_app::today());
        let page = |user: &'static str| {
            let app = app.clone();
            let number = h.household.number.clone();
            async move {
                let cookie = login(&app, user).await;
                body_text(
                    app.oneshot(get(&format!("/households/{number}"), &cookie))
                        .await
                        .unwrap(),
                )
                .await
            }
        };
        let team = page("village_team").await;
        assert!(team.contains(&format!("{born}年生")), "{team}");
        let admin = page("county_admin").await;
        assert!(!admin.contains(&format!("{born}年生")));
        assert!(
            admin.contains(&format!("<td class=\"num\">{age}</td>")),
            "{admin}"
        );
        // The API likewise: no exact age for the village team.
        let token = api_login(&app, "village_team").await;
        let (status, v) = api_json(
            &app,
            "GET",
            &format!("/api/v1/households/{}", h.household.number),
            Some(&token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(v["members"][0]["age"].is_null(), "{v}");
        assert_eq!(v["members"][0]["birth_year"], born);
    }
);

db_test!(
    fn full_reads_of_quality_results_are_audited(db: Db) {
        let (app, _) = setup(&db).await;
        // (The duplicates page audits likewise when a candidate names members; this small demo has none.)
        for (user, path) in [("county_admin", "/quality")] {
            let before = audit_rows(&db, "read_full_id").await;
            let cookie = login(&app, user).await;
            let resp = app.clone().oneshot(get(path, &cookie)).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{path}");
            assert!(audit_rows(&db, "read_full_id").await > before, "{path}");
        }
        // The export: one row with the count, whatever the role.
        let before = audit_rows(&db, "export_quality").await;
        let cookie = login(&app, "village_team").await;
        let resp = app
            .clone()
            .oneshot(get("/quality/export.xlsx", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(audit_rows(&db, "export_quality").await, before + 1);
        // A village team sees masked numbers: its quality page is no full read.
        let before = audit_rows(&db, "read_full_id").await;
        let resp = app.clone().oneshot(get("/quality", &cookie)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(audit_rows(&db, "read_full_id").await, before);
    }
);

db_test!(
    fn full_phones_of_grids_and_assets_are_audited(db: Db) {
        let (app, _) = setup(&db).await;
        // The county admin sees the grids' and the keepers' phones in full: each page is one audit row.
        let cookie = login(&app, "county_admin").await;
        for path in ["/grids", "/assets"] {
            let before = audit_rows(&db, "read_full_phone").await;
            let resp = app.clone().oneshot(get(path, &cookie)).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{path}");
            assert_eq!(
                audit_rows(&db, "read_full_phone").await,
                before + 1,
                "{path}"
            );
        }
        // The village team sees them masked: no full read.
        let cookie = login(&app, "village_team").await;
        let before = audit_rows(&db, "read_full_phone").await;
        for path in ["/grids", "/assets"] {
            let resp = app.clone().oneshot(get(path, &cookie)).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{path}");
        }
        assert_eq!(audit_rows(&db, "read_full_phone").await, before);
    }
);

db_test!(
    fn an_attachment_is_read_only_in_its_area_and_every_download_is_audited(db: Db) {
        use shouwang_app::attachments::{FileStore, upload};
        let files = tempfile::tempdir().unwrap();
        let county = demo::generate(120, 7);
        demo::load(&db, &county, &|_, _| {})
            .await
            .expect("demo load");
        let app = router(AppState::new(db.clone()).with_files(files.path().to_path_buf()));
        let store = FileStore::new(files.path().to_path_buf());
        // A village team of another village.
        let other = county
            .regions
            .iter()
            .filter(|r| r.level == shouwang_core::codes::RegionLevel::Village)
            .map(|r| r.code.as_str().to_owned())
            .find(|c| c != VILLAGE)
            .expect("another village");
        shouwang_store::repo::users::add(
            &db,
            &shouwang_store::Actor::system(),
            "team_two",
            "二村工作专班",
            common::demo_password("village_team"),
            shouwang_core::Role::VillageTeam,
            &other,
        )
        .await
        .unwrap();
        let team = shouwang_app::caller_by_username(&db, "village_team")
            .await
            .unwrap()
            .unwrap();
        let pdf = b"%PDF-1.4\n% a scanned application\n%%EOF\n";
        let row = upload(&db, &store, &team, "申请书.pdf", "application/pdf", pdf)
            .await
            .unwrap();
        let uri = format!("/api/v1/attachments/{}", row.sha256);
        let get_as = |user: &'static str| {
            let app = app.clone();
            let uri = uri.clone();
            async move {
                let (status, _) = match user {
                    "team_two" => {
                        let (s, v) = api_json(
                            &app,
                            "POST",
                            "/api/v1/login",
                            None,
                            Some(serde_json::json!({"username": "team_two", "password": common::demo_password("village_team")})),
                        )
                        .await;
                        assert_eq!(s, StatusCode::OK);
                        let token = v["token"].as_str().unwrap().to_owned();
                        download(&app, &uri, &token).await
                    }
                    u => {
                        let token = api_login(&app, u).await;
                        download(&app, &uri, &token).await
                    }
                };
                status
            }
        };
        let before = audit_rows(&db, "download").await;
        assert_eq!(get_as("village_team").await, StatusCode::OK);
        assert_eq!(get_as("county_admin").await, StatusCode::OK);
        assert_eq!(get_as("team_two").await, StatusCode::NOT_FOUND);
        assert_eq!(audit_rows(&db, "download").await, before + 2);
    }
);

async fn download(app: &Router, uri: &str, token: &str) -> (StatusCode, Vec<u8>) {
    let req = axum::http::Request::get(uri)
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    (status, common::body_bytes(resp).await)
}

async fn user_id(db: &Db, username: &str) -> i64 {
    count(
        db,
        &format!("SELECT id FROM users WHERE username = '{username}'"),
    )
    .await
}

db_test!(
    fn an_admin_resets_no_auditor_no_peer_and_not_itself_and_a_reset_forces_a_change(db: Db) {
        let (app, _) = setup(&db).await;
        let admin = login(&app, "county_admin").await;
        let page = body_text(
            app.clone()
                .oneshot(get("/admin/users", &admin))
                .await
                .unwrap(),
        )
        .await;
        let csrf = common::csrf_of(&page);
        let reset = |id: i64| {
            let app = app.clone();
            let admin = admin.clone();
            let csrf = csrf.clone();
            async move {
                app.oneshot(common::post_form(
                    &format!("/admin/users/{id}/password"),
                    &admin,
                    &format!("csrf={csrf}&password=Temp-pass-2026"),
                ))
                .await
                .unwrap()
                .status()
            }
        };
        for who in ["auditor", "county_admin"] {
            let id = user_id(&db, who).await;
            assert_eq!(reset(id).await, StatusCode::FORBIDDEN, "{who}");
        }
        let before = audit_rows(&db, "set_password").await;
        assert_eq!(
            reset(user_id(&db, "village_team").await).await,
            StatusCode::SEE_OTHER
        );
        assert_eq!(audit_rows(&db, "set_password").await, before + 1);
        // The village team signs in with the temporary password and may only change it.
        let team = common::try_login(&app, "village_team", "Temp-pass-2026")
            .await
            .unwrap();
        let resp = app
            .clone()
            .oneshot(get("/households", &team))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            resp.headers()["location"].to_str().unwrap(),
            "/account/password?msg=must"
        );
        let form = body_text(
            app.clone()
                .oneshot(get("/account/password", &team))
                .await
                .unwrap(),
        )
        .await;
        assert!(form.contains("id=\"must-change\""), "{form}");
        let (status, v) = api_json(
            &app,
            "POST",
            "/api/v1/login",
            None,
            Some(serde_json::json!({"username": "village_team", "password": "Temp-pass-2026"})),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let token = v["token"].as_str().unwrap().to_owned();
        let (status, v) = api_json(&app, "GET", "/api/v1/households", Some(&token), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(v["code"], "password_change_required", "{v}");
        let (status, _) = api_json(
            &app,
            "POST",
            "/api/v1/me/password",
            Some(&token),
            Some(serde_json::json!({"old": "Temp-pass-2026", "new": "Own-choice-2026"})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let team = common::try_login(&app, "village_team", "Own-choice-2026")
            .await
            .unwrap();
        let resp = app
            .clone()
            .oneshot(get("/households", &team))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
);
