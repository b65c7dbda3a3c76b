//! The 干部排查 page (`/screening/cadre`) through the real router on both databases: the village's
//! households on one form, a recorded round with its clue and ledger row, refusals shown on the form,
//! CSRF, and the roles and villages that may not.

use axum::Router;
use axum::http::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use shouwang_app::demo;
use shouwang_core::access::{Role, Scope};
use shouwang_core::monitoring::Source;
use shouwang_store::repo::cases;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{body_text, csrf_of, get, login, post_form};

const VILLAGE: &str = "141123208201";

async fn app(db: &Db) -> Router {
    let county = demo::generate(120, 7);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    router(AppState::new(db.clone()))
}

async fn page(app: &Router, uri: &str, cookie: &str) -> (StatusCode, String) {
    let resp = app.clone().oneshot(get(uri, cookie)).await.unwrap();
    let status = resp.status();
    (status, body_text(resp).await)
}

/// The household numbers the form lists (`<input type="hidden" name="hh" value="…">`).
fn listed(html: &str) -> Vec<String> {
    html.split("name=\"hh\" value=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap_or("").to_string())
        .collect()
}

fn form(csrf: &str, label: &str, numbers: &[String], flagged: &str) -> String {
    let mut f = format!(
        "csrf={csrf}&village={VILLAGE}&label={}&held_on=2022-06-10&screeners=%E5%BC%A0%E4%B8%89",
        urlencode(label)
    );
    for n in numbers {
        f.push_str(&format!("&hh={n}"));
        if n == flagged {
            f.push_str(&format!("&risk_{n}=01&note_{n}=%E4%BD%8F%E9%99%A2"));
        } else {
            f.push_str(&format!("&risk_{n}=&note_{n}="));
        }
    }
    f
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn rounds(db: &Db) -> i64 {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT COUNT(*) AS n FROM screening_rounds",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

db_test!(
    fn a_village_team_records_a_round_with_a_household_at_risk(db: Db) {
        let app = app(&db).await;
        let cookie = login(&app, "village_team").await;
        let (status, html) = page(&app, "/screening/cadre", &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("干部排查"), "{html}");
        let numbers = listed(&html);
        assert!(numbers.len() > 3, "the village's households are listed");
        let csrf = csrf_of(&html);
        let scope = Scope::new(0, Role::CountyAdmin, "141123");
        let flagged = numbers[0].clone();
        // Whether the household's current case has this round's report.
        let reported = |rec: Option<cases::CaseRecord>| {
            rec.is_some_and(|r| {
                r.case.clues.iter().flat_map(|c| &c.sources).any(|s| {
                    matches!(&s.report.source, Source::CadreScreening { round } if round == "二季度")
                })
            })
        };
        assert!(!reported(cases::get(&db, &scope, &flagged).await.unwrap()));

        // Without the CSRF token: refused, nothing recorded.
        let resp = app
            .clone()
            .oneshot(post_form(
                "/screening/cadre",
                &cookie,
                &form("x", "二季度", &numbers, &flagged),
            ))
            .await
            .unwrap();
        assert!(resp.status().is_client_error(), "{}", resp.status());
        assert_eq!(rounds(&db).await, 0);

        // One household missing (排查农户全覆盖): the form again with the reason and the typed note.
        let resp = app
            .clone()
            .oneshot(post_form(
                "/screening/cadre",
                &cookie,
                &form(&csrf, "二季度", &numbers[1..], &flagged),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = body_text(resp).await;
        assert!(html.contains("id=\"round-error\""), "{html}");
        assert!(html.contains(&numbers[0]), "names the missing household");
        assert_eq!(rounds(&db).await, 0);

        // The whole village: recorded, the household at risk has a 干部排查 clue.
        let resp = app
            .clone()
            .oneshot(post_form(
                "/screening/cadre",
                &cookie,
                &form(&csrf, "二季度", &numbers, &flagged),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let to = resp.headers()["location"].to_str().unwrap().to_string();
        let (_, html) = page(&app, &to, &cookie).await;
        assert!(html.contains("id=\"round-done\""), "{html}");
        assert!(html.contains("发现风险 1 户"), "{html}");
        assert!(html.contains("id=\"round-ledger\""), "{html}");
        assert_eq!(rounds(&db).await, 1);
        assert!(
            reported(cases::get(&db, &scope, &flagged).await.unwrap()),
            "a 干部排查 report on the household"
        );

        // The same round again: refused on the form.
        let resp = app
            .clone()
            .oneshot(post_form(
                "/screening/cadre",
                &cookie,
                &form(&csrf, "二季度", &numbers, &flagged),
            ))
            .await
            .unwrap();
        let html = body_text(resp).await;
        assert!(html.contains("已登记，不能重复登记"), "{html}");
        assert_eq!(rounds(&db).await, 1);
    }
);

db_test!(
    fn other_roles_and_villages_may_not(db: Db) {
        let app = app(&db).await;
        let county = login(&app, "county_admin").await;
        let (status, _) = page(&app, "/screening/cadre", &county).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let team = login(&app, "village_team").await;
        let (status, _) = page(&app, "/screening/cadre?village=141123208202", &team).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // The township admin picks a village first.
        let town = login(&app, "township_admin").await;
        let (status, html) = page(&app, "/screening/cadre", &town).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("id=\"village-pick\""), "{html}");
        let (_, html) = page(&app, &format!("/screening/cadre?village={VILLAGE}"), &town).await;
        assert!(!listed(&html).is_empty());
    }
);
