//! The pages through the real router on both databases: log-in, the household
//! search, the household page, area scoping, CSRF and security headers.

use axum::Router;
use axum::http::StatusCode;
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{body_text, csrf_of, get, post_form, try_login};

/// Loads a small demo county and returns the router.
async fn app(db: &Db) -> Router {
    let county = demo::generate(120, 7);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    router(AppState::new(db.clone()))
}

fn demo_user(role: &str) -> &'static demo::DemoUser {
    demo::DEMO_USERS
        .iter()
        .find(|u| {
            u.role.to_string() == role || shouwang_core::codes::CodeList::code(&u.role) == role
        })
        .expect("demo user for role")
}

/// Household numbers linked from a list page.
fn numbers(html: &str) -> Vec<String> {
    html.match_indices("href=\"/households/")
        .map(|(i, _)| html[i + 18..].split('"').next().unwrap_or("").to_string())
        .collect()
}

db_test!(
    fn login_search_and_household_page(db: Db) {
        let app = app(&db).await;
        // Not logged in: the list redirects to the login page.
        let resp = app.clone().oneshot(get("/households", "")).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);

        let admin = demo_user("county_admin");
        assert_eq!(
            try_login(&app, admin.username, "wrong-password").await,
            Err(StatusCode::UNAUTHORIZED)
        );
        let cookie = try_login(&app, admin.username, admin.password)
            .await
            .expect("login");

        let resp = app
            .clone()
            .oneshot(get("/households", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        for (h, v) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
        ] {
            assert_eq!(resp.headers().get(h).and_then(|v| v.to_str().ok()), Some(v));
        }
        let html = body_text(resp).await;
        assert!(html.contains("农户信息查询"), "Chinese by default");
        assert!(html.contains("共 120 户"), "total shown: {html}");
        let nums = numbers(&html);
        assert_eq!(nums.len(), 20, "one page of 20");
        // ID numbers on the list are masked.
        assert!(html.contains("********"));

        // Page 2 and a nonsense page number both answer.
        let p2 = body_text(
            app.clone()
                .oneshot(get("/households?page=2", &cookie))
                .await
                .unwrap(),
        )
        .await;
        assert!(numbers(&p2).iter().all(|n| !nums.contains(n)));
        let bad = app
            .clone()
            .oneshot(get("/households?page=abc", &cookie))
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::OK);

        // Search by household number finds exactly that household.
        let first = &nums[0];
        let found = body_text(
            app.clone()
                .oneshot(get(&format!("/households?q={first}"), &cookie))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(numbers(&found), vec![first.clone()]);

        // The household page: members with masked IDs, income by year with the line status.
        let resp = app
            .clone()
            .oneshot(get(&format!("/households/{first}"), &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let page = body_text(resp).await;
        assert!(page.contains("家庭成员"));
        assert!(page.contains("人均纯收入"));
        assert!(page.contains("2022") && page.contains("2021"));
        assert!(page.contains("监测线"));
        assert!(page.contains("********"));

        // English switch.
        let en = app
            .clone()
            .oneshot(get("/households", &format!("{cookie}; sw_lang=en")))
            .await
            .unwrap();
        assert!(body_text(en).await.contains("Household registry"));

        // An unknown household is a 404 page, not a 500.
        let resp = app
            .clone()
            .oneshot(get("/households/nope%00x", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        let resp = app
            .clone()
            .oneshot(get("/households/no-such-household", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        // A search with a NUL byte is an empty-handed search, not a 500.
        let resp = app
            .clone()
            .oneshot(get("/households?q=%00%E5%BC%A0", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    }
);

db_test!(
    fn village_user_sees_only_own_village(db: Db) {
        let app = app(&db).await;
        let admin = demo_user("county_admin");
        let village = demo_user("village_team");
        let admin_cookie = try_login(&app, admin.username, admin.password)
            .await
            .expect("admin login");
        let village_cookie = try_login(&app, village.username, village.password)
            .await
            .expect("village login");

        // The village user's list holds only its own village's households.
        let html = body_text(
            app.clone()
                .oneshot(get("/households", &village_cookie))
                .await
                .unwrap(),
        )
        .await;
        let own = numbers(&html);
        assert!(!own.is_empty(), "the demo village has households");
        assert!(
            own.iter().all(|n| n.starts_with(village.area)),
            "{own:?} outside {}",
            village.area
        );

        // Find a household of another village through the county admin, then try it as the village user.
        let mut other = None;
        for page in 1..=7 {
            let html = body_text(
                app.clone()
                    .oneshot(get(&format!("/households?page={page}"), &admin_cookie))
                    .await
                    .unwrap(),
            )
            .await;
            if let Some(n) = numbers(&html)
                .into_iter()
                .find(|n| !n.starts_with(village.area))
            {
                other = Some(n);
                break;
            }
        }
        let other = other.expect("a household outside the demo village");
        let resp = app
            .clone()
            .oneshot(get(&format!("/households/{other}"), &admin_cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let resp = app
            .clone()
            .oneshot(get(&format!("/households/{other}"), &village_cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        // Nor does a search reveal it.
        let html = body_text(
            app.clone()
                .oneshot(get(&format!("/households?q={other}"), &village_cookie))
                .await
                .unwrap(),
        )
        .await;
        assert!(numbers(&html).is_empty());
    }
);

db_test!(
    fn logout_needs_csrf_and_ends_the_session(db: Db) {
        let app = app(&db).await;
        let admin = demo_user("county_admin");
        let cookie = try_login(&app, admin.username, admin.password)
            .await
            .expect("login");
        let html = body_text(
            app.clone()
                .oneshot(get("/households", &cookie))
                .await
                .unwrap(),
        )
        .await;
        let csrf = csrf_of(&html);

        let resp = app
            .clone()
            .oneshot(post_form("/logout", &cookie, "csrf=forged"))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let resp = app
            .clone()
            .oneshot(get("/households", &cookie))
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::OK,
            "a refused logout leaves the session"
        );

        let resp = app
            .clone()
            .oneshot(post_form("/logout", &cookie, &format!("csrf={csrf}")))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let resp = app
            .clone()
            .oneshot(get("/households", &cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "session gone");
    }
);

db_test!(
    fn login_without_csrf_and_throttling(db: Db) {
        let app = app(&db).await;
        let admin = demo_user("county_admin");
        // A login post without the double-submit token is refused.
        let form = format!(
            "username={}&password={}&csrf=x",
            admin.username, admin.password
        );
        let resp = app
            .clone()
            .oneshot(post_form("/login", "", &form))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        // Five wrong passwords lock the name, even for the right password.
        for _ in 0..5 {
            assert_eq!(
                try_login(&app, admin.username, "bad").await,
                Err(StatusCode::UNAUTHORIZED)
            );
        }
        assert_eq!(
            try_login(&app, admin.username, admin.password).await,
            Err(StatusCode::TOO_MANY_REQUESTS)
        );
    }
);

db_test!(
    fn the_new_years_line_is_asked_for_on_the_county_home_page(db: Db) {
        use chrono::Datelike;
        let app = app(&db).await;
        let year = shouwang_app::today().year();
        let home = |user: &'static str| {
            let app = app.clone();
            async move {
                let u = demo_user(user);
                let cookie = try_login(&app, u.username, u.password).await.unwrap();
                body_text(app.oneshot(get("/", &cookie)).await.unwrap()).await
            }
        };
        // The demo has lines up to 2022 only: the county admin is asked for this year's.
        let html = home("county_admin").await;
        let said = format!("未设置{year}年监测线，请在县级规则中设置（目前按2022年监测线）");
        assert!(html.contains(&said), "{html}");
        assert!(!home("village_team").await.contains("id=\"missing-line\""));
        // Once set, the alert is gone.
        shouwang_store::repo::lines::set(
            &db,
            &shouwang_store::Actor::system(),
            &shouwang_core::line::MonitoringLine {
                province: "14".into(),
                year,
                line: shouwang_core::Fen::from_yuan(7_500),
            },
        )
        .await
        .unwrap();
        assert!(!home("county_admin").await.contains("id=\"missing-line\""));
    }
);

db_test!(
    fn a_demo_opened_today_needs_no_new_line_and_shows_last_years_income(db: Db) {
        use chrono::Datelike;
        let today = shouwang_app::today();
        let county = demo::generate_in(120, 7, demo::DemoFrame::around(today));
        demo::load(&db, &county, &|_, _| {})
            .await
            .expect("demo load");
        let app = router(AppState::new(db.clone()));
        let u = demo_user("county_admin");
        let cookie = try_login(&app, u.username, u.password).await.unwrap();
        let html = body_text(app.clone().oneshot(get("/", &cookie)).await.unwrap()).await;
        assert!(!html.contains("id=\"missing-line\""), "{html}");
        // A household's latest income record is of last year, the one before of the year before.
        let number = county.households[0].household.number.to_string();
        let page = body_text(
            app.oneshot(get(&format!("/households/{number}"), &cookie))
                .await
                .unwrap(),
        )
        .await;
        for year in [today.year() - 1, today.year() - 2] {
            assert!(page.contains(&format!("<td>{year}</td>")), "{year}: {page}");
        }
    }
);
