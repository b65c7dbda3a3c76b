//! `/ledgers` (台账下载) and the document routes (文书: DOCX downloads and print views) through the real
//! router on both databases: the form and nav link, an XLSX download with a Chinese RFC 5987 file name,
//! a village team limited to its village and masked IDs, refused roles and bad input, the household's
//! handbook as DOCX and HTML, the quarter's notices, the print CSS.

use std::io::{Cursor, Read};

use axum::http::{StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use sea_orm::{ConnectionTrait, Statement};
use shouwang_app::demo;
use shouwang_core::monitoring::Quarter;
use shouwang_store::{Db, db_test};
use shouwang_web::{AppState, router};
use tower::ServiceExt;

mod common;
use common::{body_bytes, get, login};

fn sheet_rows(bytes: Vec<u8>, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let r = wb.worksheet_range(name).unwrap();
    r.rows().map(<[Data]>::to_vec).collect()
}

db_test!(
    fn ledgers_and_documents_pages(db: Db) {
        demo::load(&db, &demo::generate(300, 3), &|_, _| {})
            .await
            .unwrap();
        let app = router(AppState::new(db.clone()));
        let county = login(&app, "county_admin").await;
        let village = login(&app, "village_team").await;
        let cadre = login(&app, "cadre").await;

        // The form, linked from the nav.
        let resp = app.clone().oneshot(get("/ledgers", &county)).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = String::from_utf8(body_bytes(resp).await).unwrap();
        assert!(html.contains("href=\"/ledgers\"") && html.contains("id=\"ledger-form\""));
        assert!(html.contains("月度监测（帮扶手册）台账"));

        // A download: XLSX, Chinese file name, the county's rows with full IDs.
        let resp = app
            .clone()
            .oneshot(get(
                "/ledgers/download?kind=clues&from=2021-01-01&to=2022-12-31",
                &county,
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let cd = resp.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            cd.starts_with("attachment; filename=\"clues-141123.xlsx\""),
            "{cd}"
        );
        assert!(
            cd.contains("filename*=UTF-8''%E7%BA%BF%E7%B4%A2%E5%8F%B0%E8%B4%A6"),
            "{cd}"
        ); // 线索台账
        let rows = sheet_rows(body_bytes(resp).await, "线索台账");
        assert_eq!(rows[0][0], Data::String("序号".into()));
        let all = rows.len();
        assert!(all > 1);
        assert!(matches!(&rows[1][5], Data::String(s) if s.len() == 18 && !s.contains('*')));

        // A village team: only its village, masked IDs (and an area outside gives nothing).
        let resp = app
            .clone()
            .oneshot(get("/ledgers/download?kind=线索台账", &village))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let rows = sheet_rows(body_bytes(resp).await, "线索台账");
        assert!(rows.len() > 1 && rows.len() < all);
        let villages: std::collections::BTreeSet<String> =
            rows[1..].iter().map(|r| r[2].to_string()).collect();
        assert_eq!(villages.len(), 1);
        assert!(
            rows[1..]
                .iter()
                .all(|r| matches!(&r[5], Data::String(s) if s.contains("********")))
        );
        let resp = app
            .clone()
            .oneshot(get("/ledgers/download?kind=clues&area=141123100", &village))
            .await
            .unwrap();
        assert_eq!(
            sheet_rows(body_bytes(resp).await, "线索台账").len(),
            1,
            "headers only"
        );

        // Refused: a cadre; a malformed value: 400; a range or area the ledger cannot take: 422.
        for (uri, cookie, status) in [
            ("/ledgers", &cadre, StatusCode::FORBIDDEN),
            (
                "/ledgers/download?kind=clues",
                &cadre,
                StatusCode::FORBIDDEN,
            ),
            (
                "/ledgers/download?kind=nope",
                &county,
                StatusCode::BAD_REQUEST,
            ),
            (
                "/ledgers/download?kind=clues&from=2022-13-01",
                &county,
                StatusCode::BAD_REQUEST,
            ),
            (
                "/ledgers/download?kind=clues&from=2022-12-01&to=2022-01-01",
                &county,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            (
                "/ledgers/download?kind=clues&area=abc",
                &county,
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ] {
            let resp = app.clone().oneshot(get(uri, cookie)).await.unwrap();
            assert_eq!(resp.status(), status, "{uri}");
        }

        // Documents: a household with a cadre and measures → 帮扶手册 as DOCX and as a print view.
        let stmt = Statement::from_string(
            db.backend(),
            "SELECT household_number FROM cases WHERE cadre_name IS NOT NULL AND is_current = TRUE ORDER BY household_number LIMIT 1",
        );
        let n: String = db
            .conn()
            .query_one_raw(stmt)
            .await
            .unwrap()
            .unwrap()
            .try_get("", "household_number")
            .unwrap();
        let resp = app
            .clone()
            .oneshot(get(&format!("/households/{n}"), &county))
            .await
            .unwrap();
        let page = String::from_utf8(body_bytes(resp).await).unwrap();
        assert!(page.contains(&format!("/households/{n}/documents/handbook?format=docx")));
        let resp = app
            .clone()
            .oneshot(get(
                &format!("/households/{n}/documents/handbook?format=docx"),
                &county,
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let cd = resp.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(cd.contains("filename*=UTF-8''"), "{cd}");
        let mut z = zip::ZipArchive::new(Cursor::new(body_bytes(resp).await)).unwrap();
        let mut xml = String::new();
        z.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(xml.contains("防止返贫监测帮扶手册") && xml.contains(&n));
        let resp = app
            .clone()
            .oneshot(get(&format!("/households/{n}/documents/handbook"), &county))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let html = String::from_utf8(body_bytes(resp).await).unwrap();
        assert!(
            html.contains("/assets/document.css") && html.contains("class=\"toolbar no-print\"")
        );
        assert!(
            !html.contains("<nav>"),
            "no site navigation on a print view"
        );
        let resp = app
            .clone()
            .oneshot(get("/assets/document.css", &county))
            .await
            .unwrap();
        let css = String::from_utf8(body_bytes(resp).await).unwrap();
        assert!(css.contains("size: A4") && css.contains(".no-print"));
        // Unknown kind, bad format → 404 / 400.
        let resp = app
            .clone()
            .oneshot(get(&format!("/households/{n}/documents/nope"), &county))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        let resp = app
            .clone()
            .oneshot(get(
                &format!("/households/{n}/documents/handbook?format=pdf"),
                &county,
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

        // The quarter's notices as one DOCX, every number in it.
        let stmt = Statement::from_string(
            db.backend(),
            "SELECT number, issued_on FROM exit_notices ORDER BY issued_on",
        );
        let notices: Vec<(String, String)> = db
            .conn()
            .query_all_raw(stmt)
            .await
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r.try_get("", "number").unwrap(),
                    r.try_get("", "issued_on").unwrap(),
                )
            })
            .collect();
        let q = Quarter::of(notices[0].1.parse().unwrap());
        let resp = app
            .clone()
            .oneshot(get(
                &format!("/exits/notices?quarter={}Q{}&format=docx", q.year, q.q),
                &county,
            ))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let mut z = zip::ZipArchive::new(Cursor::new(body_bytes(resp).await)).unwrap();
        let mut xml = String::new();
        z.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        for (num, on) in &notices {
            if Quarter::of(on.parse().unwrap()) == q {
                assert!(xml.contains(num.as_str()), "{num}");
            }
        }
    }
);
