//! How many statements a page sends to the database (issue 26), counted through the store's connection
//! (`Db::statements`, SeaORM's metric hook, feature `testing`) on the demo county, on both databases.
//!
//! Every statement is a round trip (≈ 25–30 µs to sqlx-sqlite's worker thread, more to PostgreSQL), so the
//! household page, the searches, the registry filters and the 工作台 of every role each have a fixed bound
//! that does not grow with the county: a change that adds a loop of queries (N+1) fails here, and a
//! failure prints the statements the page sent.

use axum::Router;
use axum::http::StatusCode;
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{body_text, get, login};

/// The statements one GET sends, after a first request of the same page (which may fill a cache). A page
/// that answers with an error fails.
async fn statements_of(app: &Router, db: &Db, cookie: &str, uri: &str) -> u64 {
    let first = app.clone().oneshot(get(uri, cookie)).await.unwrap();
    assert!(answered(first.status()), "{uri}: {}", first.status());
    let _ = body_text(first).await;
    let before = db.statements();
    let resp = app.clone().oneshot(get(uri, cookie)).await.unwrap();
    assert!(answered(resp.status()), "{uri}: {}", resp.status());
    let _ = body_text(resp).await;
    db.statements() - before
}

/// A page or a redirect (the province admin's 工作台 is the dashboard), not an error.
fn answered(status: StatusCode) -> bool {
    status == StatusCode::OK || status == StatusCode::SEE_OTHER
}

/// Counts a page's statements; when it sent more than `bound`, adds them to `over`.
async fn check(app: &Router, db: &Db, cookie: &str, uri: &str, bound: u64, over: &mut Vec<String>) {
    let n = statements_of(app, db, cookie, uri).await;
    // SHOUWANG_SHOW_STATEMENTS=1: every page fails and shows its statements (to find where they go).
    let bound = if std::env::var_os("SHOUWANG_SHOW_STATEMENTS").is_some() {
        0
    } else {
        bound
    };
    eprintln!("{n:>4} statements  {uri}");
    if n > bound {
        over.push(format!(
            "{uri} sent {n} statements (bound {bound}):\n  {}",
            db.recent_statements(n as usize).join("\n  ")
        ));
    }
}

/// The first household linked from a list page and the first name in its table (the cell before the
/// masked ID number, as `bench/web.sh` finds it).
fn first_row(html: &str) -> (String, String) {
    let at = html.find("href=\"/households/").expect("a household link") + 18;
    let number = html[at..].split('"').next().unwrap_or("").to_string();
    let end = html.find("</td><td class=\"mono\">").expect("a name cell");
    let name = html[..end].rsplit("<td>").next().unwrap_or("").to_string();
    (number, name)
}

fn q(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

db_test!(
    fn pages_send_a_fixed_number_of_statements(db: Db) {
        let county = demo::generate(200, 7);
        demo::load(&db, &county, &|_, _| {})
            .await
            .expect("demo load");
        let app = router(AppState::new(db.clone()));
        let admin = login(&app, "county_admin").await;

        let monitored = body_text(
            app.clone()
                .oneshot(get("/households?status=monitored", &admin))
                .await
                .unwrap(),
        )
        .await;
        let (case_household, _) = first_row(&monitored);
        let plain = body_text(
            app.clone()
                .oneshot(get("/households?page=3", &admin))
                .await
                .unwrap(),
        )
        .await;
        let (household, name) = first_row(&plain);
        assert!(!name.is_empty() && !case_household.is_empty());
        let mut over = Vec::new();

        // The household page, the searches and the registry filters, as the county admin.
        for (uri, bound) in [
            (format!("/households/{household}"), 8),
            (format!("/households/{case_household}"), 8),
            (format!("/households?q={}", q("张")), 5),
            (format!("/households?q={}", q(&name)), 5),
            ("/households?status=monitored".to_string(), 5),
            ("/households?risk=01".to_string(), 5),
        ] {
            check(&app, &db, &admin, &uri, bound, &mut over).await;
        }

        // The 工作台 of every role (the 低收入人口 scope is read once for all the months of the calendar;
        // the dashboard's relocation target added 4 to its 70: read models, issue 26; the 劳动力就业 task
        // adds one statement a month shown — its scope shares the village's households with 低收入人口 — and
        // the dashboard's 脱贫劳动力务工就业人数 one statement, its 帮扶车间 figures one more, its 网格覆盖 per
        // village one grouped statement; the 工作台's 三保障 quarterly campaign task and the 劳动力就业 records'
        // workers' names, read back from the sealed registry, add three: 33 → 36; the read models of issue
        // 26 are to bring it down; the 光伏收益分配 task reads the area's stations and the months' distributions
        // once for every village: 36 → 38; the dashboard's 村容村貌 indicators, problems by sector and
        // 光伏收益分配到村率 add one statement each: 25 → 28).
        for user in demo::DEMO_USERS {
            let cookie = login(&app, user.username).await;
            check(&app, &db, &cookie, "/", 38, &mut over).await;
            if matches!(user.username, "county_admin" | "township_admin") {
                check(&app, &db, &cookie, "/dashboard", 28, &mut over).await;
            }
        }
        assert!(over.is_empty(), "{}", over.join("\n\n"));
    }
);
