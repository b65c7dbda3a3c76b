//! 数据质量检查 and 重复数据核查 pages through the real router on both databases: counts per code, the
//! filtered list, the XLSX download, roles, and a confirmed merge with CSRF.

use axum::Router;
use axum::http::{StatusCode, header};
use chrono::NaiveDate;
use shouwang_app::demo;
use shouwang_core::codes::{
    Dibao, Education, HealthStatus, HouseholdType, LabourSkill, PoliticalStatus, Relation, Tekun,
};
use shouwang_core::{Household, Member, RegionCode};
use shouwang_store::repo::households;
use shouwang_store::{Actor, Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{body_bytes, body_text, csrf_of, get, login, post_form};

const VILLAGE: &str = "141123208201";

fn member(seq: u16, year: i32, name: &str, relation: Relation) -> Member {
    let id = shouwang_core::idnum::make(110105, NaiveDate::from_ymd_opt(year, 2, 3).unwrap(), seq);
    Member {
        id_number: id,
        name: name.to_owned(),
        sex: id.sex(),
        relation,
        labour: LabourSkill::Ordinary,
        health: vec![HealthStatus::Healthy],
        education: Some(Education::JuniorSecondary),
        school: None,
        political: PoliticalStatus::Masses,
        has_medical_insurance: true,
        dibao: Dibao::None,
        tekun: Tekun::None,
        disability_grade: None,
    }
}

fn household(number: &str, members: Vec<Member>) -> Household {
    Household {
        number: number.to_owned(),
        village: RegionCode::parse(VILLAGE).unwrap(),
        natural_village: None,
        household_type: HouseholdType::Ordinary,
        address: "测试地址".to_owned(),
        phone: None,
        is_relocated: false,
        monitored_type: None,
        risks: vec![],
        members,
    }
}

/// A 120-household demo county, plus: 9901 without medical insurance (Q07); 9902 and 9903 the same
/// family twice (D2).
async fn app(db: &Db) -> Router {
    let county = demo::generate(120, 7);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    let mut bad = member(901, 1961, "测甲", Relation::Head);
    bad.has_medical_insurance = false;
    for h in [
        household("1411232082019901", vec![bad]),
        household(
            "1411232082019902",
            vec![member(902, 1955, "重乙", Relation::Head)],
        ),
        household(
            "1411232082019903",
            vec![member(903, 1955, "重 乙", Relation::Head)],
        ),
    ] {
        households::create(db, &Actor::system(), &h).await.unwrap();
    }
    router(AppState::new(db.clone()))
}

db_test!(
    fn quality_page_counts_filters_and_downloads(db: Db) {
        let app = app(&db).await;
        let admin = login(&app, "county_admin").await;
        let resp = app.clone().oneshot(get("/quality", &admin)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = body_text(resp).await;
        assert!(html.contains("数据质量检查"));
        assert!(html.contains("id=\"quality-codes\""));
        assert!(html.contains("href=\"/quality\""), "nav link");
        assert!(html.contains("/quality/export.xlsx"));

        let html = body_text(
            app.clone()
                .oneshot(get("/quality?code=Q07", &admin))
                .await
                .unwrap(),
        )
        .await;
        assert!(html.contains("1411232082019901"), "seeded finding listed");
        assert!(
            !html.contains("1411232082019902"),
            "a clean household is not"
        );
        // The member's ID number: full for the county admin.
        assert!(html.contains("110105196102039"), "{html}");

        // The village team of the village sees it, masked.
        let team = login(&app, "village_team").await;
        let html = body_text(
            app.clone()
                .oneshot(get("/quality?code=Q07", &team))
                .await
                .unwrap(),
        )
        .await;
        assert!(html.contains("1411232082019901"));
        assert!(html.contains("110105********"));
        assert!(!html.contains("110105196102039"));

        // Departments and auditors: no page, no link.
        let dept = login(&app, "department").await;
        let resp = app.clone().oneshot(get("/quality", &dept)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let home = body_text(
            app.clone()
                .oneshot(get("/households", &dept))
                .await
                .unwrap(),
        )
        .await;
        assert!(!home.contains("href=\"/quality\""));

        // The workbook.
        let resp = app
            .clone()
            .oneshot(get("/quality/export.xlsx?code=Q07", &admin))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(
            resp.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let bytes = body_bytes(resp).await;
        assert!(bytes.starts_with(b"PK"), "an XLSX (zip) file");
    }
);

db_test!(
    fn duplicates_page_merges_only_when_confirmed(db: Db) {
        let app = app(&db).await;
        let admin = login(&app, "township_admin").await;
        let html = body_text(
            app.clone()
                .oneshot(get("/quality/duplicates", &admin))
                .await
                .unwrap(),
        )
        .await;
        assert!(
            html.contains("1411232082019902") && html.contains("1411232082019903"),
            "{html}"
        );
        assert!(html.contains("action=\"/quality/duplicates/merge\""));
        let csrf = csrf_of(&html);
        let form = "keep=1411232082019902&keep_version=1&drop=1411232082019903&drop_version=1";

        // Without the CSRF token, without the confirmation, or as a village user: refused, nothing merged.
        let resp = app
            .clone()
            .oneshot(post_form(
                "/quality/duplicates/merge",
                &admin,
                &format!("{form}&confirm=1"),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let resp = app
            .clone()
            .oneshot(post_form(
                "/quality/duplicates/merge",
                &admin,
                &format!("{form}&csrf={csrf}"),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let team = login(&app, "village_team").await;
        let team_html = body_text(
            app.clone()
                .oneshot(get("/quality/duplicates", &team))
                .await
                .unwrap(),
        )
        .await;
        assert!(
            !team_html.contains("action=\"/quality/duplicates/merge\""),
            "no form for the team"
        );
        let team_csrf = csrf_of(&team_html);
        let resp = app
            .clone()
            .oneshot(post_form(
                "/quality/duplicates/merge",
                &team,
                &format!("{form}&csrf={team_csrf}&confirm=1"),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        // A stale version: 409.
        let resp = app
            .clone()
            .oneshot(post_form(
                "/quality/duplicates/merge",
                &admin,
                &format!("keep=1411232082019902&keep_version=5&drop=1411232082019903&drop_version=1&csrf={csrf}&confirm=1"),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CONFLICT);
        let scope = shouwang_core::Scope::new(0, shouwang_core::Role::CountyAdmin, "141123");
        assert!(
            households::get(&db, &scope, "1411232082019903")
                .await
                .unwrap()
                .is_some()
        );

        // Confirmed.
        let resp = app
            .clone()
            .oneshot(post_form(
                "/quality/duplicates/merge",
                &admin,
                &format!("{form}&csrf={csrf}&confirm=1"),
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert!(
            households::get(&db, &scope, "1411232082019903")
                .await
                .unwrap()
                .is_none()
        );
        let html = body_text(
            app.clone()
                .oneshot(get("/quality/duplicates?done=merged", &admin))
                .await
                .unwrap(),
        )
        .await;
        assert!(html.contains("id=\"done\""));
        assert!(!html.contains("1411232082019903"));
    }
);
