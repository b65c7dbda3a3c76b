//! 扶贫项目资产 and 管护 (B2/A7, issue 23) through the pages on both databases, on the demo county: the
//! list with its filters and the village's overdue upkeep on its 工作台, the keeper's phone masked for the
//! village team and in full for the township, 确权登记 by form, an upkeep record by form (a bad one shown
//! on the asset's page), the disposal flow by form from 村申请 to 县审批, a skipped step refused, and a
//! role without the registry kept out.

use axum::Router;
use axum::http::StatusCode;
use shouwang_app::demo;
use shouwang_store::{Db, db_test};
use shouwang_web::http::form::encode as enc;
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{body_bytes, body_text, csrf_of, get, login, post_form};

async fn app(db: &Db) -> Router {
    let county = demo::generate(200, 3);
    demo::load(db, &county, &|_, _| {})
        .await
        .expect("demo load");
    router(AppState::new(db.clone()))
}

async fn page(app: &Router, uri: &str, cookie: &str) -> (StatusCode, String) {
    let resp = app.clone().oneshot(get(uri, cookie)).await.unwrap();
    let s = resp.status();
    (s, body_text(resp).await)
}

async fn submit(app: &Router, uri: &str, cookie: &str, form: &str) -> (StatusCode, String, String) {
    let resp = app
        .clone()
        .oneshot(post_form(uri, cookie, form))
        .await
        .unwrap();
    let s = resp.status();
    let to = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (s, to, body_text(resp).await)
}

db_test!(
    fn assets_through_the_pages(db: Db) {
        let app = app(&db).await;
        let team = login(&app, "village_team").await;
        let town = login(&app, "township_admin").await;
        let (s, html) = page(&app, "/assets", &team).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("id=\"asset-list\"") && html.contains("村级光伏电站"),
            "{html}"
        );
        assert!(
            html.contains("id=\"asset-queue\""),
            "the returned disposal awaits the team"
        );
        // Masked for the village team, in full for the township.
        assert!(html.contains("139****5600") && !html.contains("13912345600"));
        let (_, html) = page(&app, "/assets", &town).await;
        assert!(html.contains("13912345600"));
        // Filters: the household asset, the disposed one, overdue upkeep.
        let (_, html) = page(&app, "/assets?kind=household", &team).await;
        assert!(html.contains("到户养殖基础母羊") && !html.contains("村级光伏电站"));
        let (_, html) = page(&app, "/assets?state=disposed", &team).await;
        assert!(html.contains("旧粉碎加工设备") && !html.contains("村级光伏电站"));
        let (_, html) = page(&app, "/assets?overdue=1", &team).await;
        assert!(
            html.contains("通村道路") && !html.contains("村级光伏电站"),
            "{html}"
        );
        // The 工作台 of the village lists the overdue upkeep.
        let (_, html) = page(&app, "/", &team).await;
        assert!(html.contains("id=\"home-assets\"") && html.contains("通村道路"));
        // A department user does not read the registry.
        let dept = login(&app, "department").await;
        let (s, _) = page(&app, "/assets", &dept).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // 确权登记 by form, then an upkeep (a bad one first).
        let (s, html) = page(&app, "/assets/new", &team).await;
        assert_eq!(s, StatusCode::OK);
        let csrf = csrf_of(&html);
        let form = format!(
            "csrf={csrf}&name={}&kind=public_welfare&owner_kind=village_collective&owner_name=&household=&keeper_name={}&keeper_phone=13800001111&value=85000.50&village=&place=&project=&year=2021&state=in_use&upkeep_months=6",
            enc("页面测试便民桥"),
            enc("赵大勇")
        );
        let (s, to, body) = submit(&app, "/assets/new", &team, &form).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        let asset = to.split('?').next().unwrap().to_owned();
        let (_, html) = page(&app, &asset, &team).await;
        assert!(
            html.contains("页面测试便民桥")
                && html.contains("85000.50")
                && html.contains("138****1111")
        );
        let csrf = csrf_of(&html);
        let bad =
            format!("csrf={csrf}&version=1&kind=repair&on=2026-01-01&cost=10&content=&done_by=");
        let (s, _, html) = submit(&app, &format!("{asset}/upkeep"), &team, &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"asset-error\""), "{html}");
        let today = shouwang_app::today();
        let ok = format!(
            "csrf={csrf}&version=1&kind=repair&on={today}&cost=120&content={}&done_by=",
            enc("更换护栏")
        );
        let (s, _, _) = submit(&app, &format!("{asset}/upkeep"), &team, &ok).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = page(&app, &asset, &team).await;
        assert!(html.contains("id=\"asset-upkeeps\"") && html.contains("更换护栏"));

        // The disposal flow by form: the county cannot skip the township.
        let county = login(&app, "county_admin").await;
        let propose = format!(
            "csrf={csrf}&step=propose&decision=approve&method=scrap&opinion={}",
            enc("洪水冲毁")
        );
        let (s, _, body) = submit(&app, &format!("{asset}/dispose"), &team, &propose).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        let (_, html) = page(&app, &asset, &county).await;
        assert!(!html.contains("id=\"asset-dispose-form\""));
        let csrf_c = csrf_of(&html);
        let skip = format!("csrf={csrf_c}&step=county_approval&decision=approve&opinion=");
        let (s, _, _) = submit(&app, &format!("{asset}/dispose"), &county, &skip).await;
        assert_eq!(s, StatusCode::CONFLICT);
        for (cookie, st) in [(&town, "township_review"), (&county, "county_approval")] {
            let (_, html) = page(&app, &asset, cookie).await;
            assert!(html.contains("id=\"asset-dispose-form\""), "{st}");
            let csrf = csrf_of(&html);
            let form = format!(
                "csrf={csrf}&step={st}&decision=approve&opinion={}",
                enc("同意")
            );
            let (s, _, body) = submit(&app, &format!("{asset}/dispose"), cookie, &form).await;
            assert_eq!(s, StatusCode::SEE_OTHER, "{st}: {body}");
        }
        let (_, html) = page(&app, &asset, &team).await;
        assert!(
            html.contains("已处置") && !html.contains("id=\"asset-upkeep-form\""),
            "{html}"
        );
        // The two ledgers download as workbooks.
        for kind in ["assets", "asset_upkeep"] {
            let resp = app
                .clone()
                .oneshot(get(&format!("/api/v1/ledgers/{kind}"), &town))
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{kind}");
            let bytes = body_bytes(resp).await;
            assert!(bytes.starts_with(b"PK"), "{kind}: an XLSX");
        }
    }
);
