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

/// Every `Set-Cookie` of a response.
fn set_cookies(resp: &axum::http::Response<axum::body::Body>) -> Vec<String> {
    resp.headers()
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect()
}

/// The `Set-Cookie` of cookie `name`.
fn set_cookie_line(cookies: &[String], name: &str) -> String {
    cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {cookies:?}"))
        .clone()
}

fn hsts(resp: &axum::http::Response<axum::body::Body>) -> Option<&str> {
    resp.headers()
        .get("strict-transport-security")
        .and_then(|v| v.to_str().ok())
}

/// Logs the county admin in through the form with a router of the given scheme; the login page's and
/// the log-in's `Set-Cookie` lines, the HSTS header of each, and the session token.
async fn login_lines(app: &Router) -> (Vec<String>, Vec<String>, [Option<String>; 2], String) {
    let u = demo_user("county_admin");
    let page = app.clone().oneshot(get("/login", "")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page_cookies = set_cookies(&page);
    let csrf = common::set_cookie(&page, "sw_login_csrf").expect("login csrf cookie");
    let form = format!(
        "username={}&password={}&csrf={csrf}",
        u.username, u.password
    );
    let resp = app
        .clone()
        .oneshot(post_form("/login", &format!("sw_login_csrf={csrf}"), &form))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "logged in");
    let login_cookies = set_cookies(&resp);
    let token = ["__Host-sw_session", "sw_session"]
        .iter()
        .find_map(|name| common::set_cookie(&resp, name))
        .expect("a session cookie");
    let headers = [
        hsts(&page).map(str::to_string),
        hsts(&resp).map(str::to_string),
    ];
    (page_cookies, login_cookies, headers, token)
}

db_test!(
    fn over_https_cookies_are_secure_and_host_prefixed_with_hsts(db: Db) {
        let county = demo::generate(60, 7);
        demo::load(&db, &county, &|_, _| {})
            .await
            .expect("demo load");
        let app = router(AppState::new(db.clone()).with_tls(true));
        let (page, login, hsts_of, token) = login_lines(&app).await;

        let csrf = set_cookie_line(&page, "sw_login_csrf");
        assert!(csrf.contains("; Secure"), "{csrf}");
        let session = set_cookie_line(&login, "__Host-sw_session");
        for attr in ["; Path=/;", "; HttpOnly", "; SameSite=Lax", "; Secure"] {
            assert!(session.contains(attr), "{attr} in {session}");
        }
        assert!(!session.to_lowercase().contains("domain="), "{session}");
        assert!(
            !login.iter().any(|c| c.starts_with("sw_session=")),
            "no plain-named session cookie: {login:?}"
        );
        assert!(set_cookie_line(&login, "sw_login_csrf").contains("; Secure"));
        assert_eq!(
            hsts_of,
            [
                Some("max-age=31536000".to_string()),
                Some("max-age=31536000".to_string())
            ]
        );

        // The session works under its HTTPS name, on the pages and the API, and only under it.
        let host_cookie = format!("__Host-sw_session={token}");
        let resp = app
            .clone()
            .oneshot(get("/households", &host_cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(hsts(&resp), Some("max-age=31536000"));
        let html = body_text(resp).await;
        let resp = app
            .clone()
            .oneshot(get("/api/v1/me", &host_cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(hsts(&resp), Some("max-age=31536000"), "the API too");
        let plain_cookie = format!("sw_session={token}");
        let resp = app
            .clone()
            .oneshot(get("/households", &plain_cookie))
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::SEE_OTHER,
            "the plain name is not read over HTTPS"
        );
        let resp = app
            .clone()
            .oneshot(get("/api/v1/me", &plain_cookie))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        // The API document names the cookie as this server sets it.
        let doc = body_text(
            app.clone()
                .oneshot(get("/api/v1/openapi.json", ""))
                .await
                .unwrap(),
        )
        .await;
        assert!(doc.contains("\"name\":\"__Host-sw_session\""), "{doc}");

        // Logging out drops the cookie with the attributes a browser needs to accept the deletion.
        let resp = app
            .clone()
            .oneshot(post_form(
                "/logout",
                &host_cookie,
                &format!("csrf={}", csrf_of(&html)),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let cleared = set_cookie_line(&set_cookies(&resp), "__Host-sw_session");
        assert!(
            cleared.contains("Max-Age=0")
                && cleared.contains("Path=/")
                && cleared.contains("; Secure"),
            "{cleared}"
        );
        let lang = app
            .clone()
            .oneshot(get("/lang?to=en&back=/login", ""))
            .await
            .unwrap();
        assert!(set_cookie_line(&set_cookies(&lang), "sw_lang").contains("; Secure"));
    }
);

db_test!(
    fn over_plain_http_cookies_have_no_secure_and_no_hsts(db: Db) {
        let county = demo::generate(60, 7);
        demo::load(&db, &county, &|_, _| {})
            .await
            .expect("demo load");
        let app = router(AppState::new(db.clone()));
        let (page, login, hsts_of, token) = login_lines(&app).await;
        let csrf = set_cookie_line(&page, "sw_login_csrf");
        assert!(
            csrf.ends_with("; Path=/login; HttpOnly; SameSite=Strict"),
            "{csrf}"
        );
        assert_eq!(
            set_cookie_line(&login, "sw_session"),
            format!("sw_session={token}; Path=/; HttpOnly; SameSite=Lax")
        );
        assert!(
            !page
                .iter()
                .chain(&login)
                .any(|c| c.contains("Secure") || c.contains("__Host-")),
            "{page:?} {login:?}"
        );
        assert_eq!(hsts_of, [None, None]);
        let resp = app
            .clone()
            .oneshot(get("/households", &format!("sw_session={token}")))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(hsts(&resp), None);
        let resp = app
            .clone()
            .oneshot(get("/households", &format!("__Host-sw_session={token}")))
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::SEE_OTHER,
            "only the plain name over HTTP"
        );
    }
);
