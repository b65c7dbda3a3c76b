//! Official documents 文书 (issue 6 part 5) on both databases with the demo county: each DOCX opens as a
//! zip whose word/document.xml has the expected Chinese text; the HTML has the number, dates and names;
//! a quarter's file has every notice of the quarter (one a page); area scoping; and
//! `shouwang document …` end to end.

use std::io::{Cursor, Read};
use std::process::Command;

use sea_orm::{ConnectionTrait, Statement};
use shouwang_app::demo;
use shouwang_core::document::Document;
use shouwang_core::monitoring::identification::IdentStatus;
use shouwang_core::monitoring::{IdentStep, Quarter, date_zh};
use shouwang_core::{Role, Scope};
use shouwang_io::document_docx::render as docx;
use shouwang_io::document_html::{HtmlOptions, render as html};
use shouwang_store::repo::{cases, documents};
use shouwang_store::{Actor, Db, StoreError, db_test};

const VILLAGE: &str = "141123208201";

fn document_xml(doc: &Document) -> String {
    let bytes = docx(doc).unwrap();
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

async fn all_cases(db: &Db, scope: &Scope) -> Vec<cases::CaseRecord> {
    let stmt = Statement::from_string(
        db.backend(),
        "SELECT DISTINCT household_number FROM cases ORDER BY household_number",
    );
    let mut out = Vec::new();
    for r in db.conn().query_all_raw(stmt).await.unwrap() {
        let n: String = r.try_get("", "household_number").unwrap();
        out.extend(cases::history(db, scope, &n).await.unwrap());
    }
    out
}

db_test!(
    fn documents_of_the_demo_county(db: Db) {
        demo::load(&db, &demo::generate(400, 3), &|_, _| {})
            .await
            .unwrap();
        let county = Scope::new(1, Role::CountyAdmin, "141123");
        let village = Scope::new(3, Role::VillageTeam, VILLAGE);
        let actor = Actor::new(1, "测试员");
        let everything = all_cases(&db, &county).await;

        // 风险消除告知书 of one household.
        let notices: Vec<_> = everything
            .iter()
            .flat_map(|c| c.case.exits.iter().filter_map(|x| x.notice().cloned()))
            .collect();
        assert!(!notices.is_empty(), "the demo county has notices");
        let n = &notices[0];
        let doc = documents::notice(&db, &actor, &county, &n.household)
            .await
            .unwrap();
        let xml = document_xml(&doc);
        for t in [
            "退出防返贫监测帮扶范围告知书",
            "特此告知",
            &n.number,
            &n.addressee,
        ] {
            assert!(xml.contains(t), "{t} in the notice DOCX");
        }
        let page = html(&doc, &HtmlOptions::default());
        for t in [n.number.as_str(), &date_zh(n.issued_on), &n.addressee] {
            assert!(page.contains(t), "{t} in the notice HTML");
        }

        // Every notice of a quarter, one a page; a village team gets its village's only.
        let q = Quarter::of(n.issued_on);
        let of_quarter: Vec<_> = notices
            .iter()
            .filter(|x| Quarter::of(x.issued_on) == q)
            .collect();
        let (doc, count) = documents::quarter_notices(&db, &actor, &county, None, q)
            .await
            .unwrap();
        assert_eq!(count, of_quarter.len());
        assert_eq!(doc.pages.len(), of_quarter.len());
        let xml = document_xml(&doc);
        for x in &of_quarter {
            assert!(xml.contains(&x.number), "{} in the quarter file", x.number);
        }
        assert_eq!(
            xml.matches("w:type=\"page\"").count(),
            of_quarter.len() - 1,
            "page breaks between notices"
        );
        let page = html(&doc, &HtmlOptions::default());
        assert_eq!(
            page.matches("<section class=\"page\">").count(),
            of_quarter.len()
        );
        let in_village = everything
            .iter()
            .filter(|c| c.village_code == VILLAGE)
            .flat_map(|c| c.case.exits.iter().filter_map(|x| x.notice()))
            .filter(|x| Quarter::of(x.issued_on) == q)
            .count();
        let (_, v_count) = documents::quarter_notices(&db, &actor, &village, None, q)
            .await
            .unwrap();
        assert_eq!(v_count, in_village);
        let (_, other) = documents::quarter_notices(&db, &actor, &village, Some("141123100"), q)
            .await
            .unwrap();
        assert_eq!(other, 0, "an area outside the scope gives nothing");

        // Out of area: NotFound, like the household page.
        let outside = everything
            .iter()
            .find(|c| c.village_code != VILLAGE)
            .unwrap();
        assert!(matches!(
            documents::handbook(&db, &actor, &village, &outside.household_number).await,
            Err(StoreError::NotFound)
        ));

        // 入户核查表 with signature lines.
        let with_check = everything
            .iter()
            .rev()
            .find(|c| c.case.latest_verification().is_some())
            .expect("a verified household");
        let v = with_check.case.latest_verification().unwrap().clone();
        let doc = documents::verification(&db, &actor, &county, &with_check.household_number)
            .await
            .unwrap();
        let xml = document_xml(&doc);
        for t in [
            "防止返贫监测入户核查表",
            "核查人（签字）",
            "户主（签字）",
            "两不愁三保障及饮水安全",
        ] {
            assert!(xml.contains(t), "{t} in the verification DOCX");
        }
        assert!(xml.contains(&v.visitors[0]));
        let page = html(&doc, &HtmlOptions::default());
        assert!(page.contains(&v.visited_on.to_string()));
        assert!(page.contains(&with_check.household_number));

        // 帮扶手册: household, cadre, measures, monthly records.
        let helped = everything
            .iter()
            .find(|c| {
                c.case.cadres.current().is_some()
                    && !c.case.measures.is_empty()
                    && !c.case.follow_ups.entries.is_empty()
            })
            .expect("a household with cadre, measures and follow-ups");
        let latest = everything
            .iter()
            .filter(|c| c.household_number == helped.household_number)
            .max_by_key(|c| c.seq)
            .unwrap();
        let doc = documents::handbook(&db, &actor, &county, &helped.household_number)
            .await
            .unwrap();
        let xml = document_xml(&doc);
        assert!(xml.contains("防止返贫监测帮扶手册"));
        if let Some(a) = latest.case.cadres.current() {
            assert!(xml.contains(&a.cadre.name));
        }
        for m in &latest.case.measures {
            assert!(xml.contains(&m.plan.item), "{}", m.plan.item);
        }
        let page = html(&doc, &HtmlOptions::default());
        for e in &latest.case.follow_ups.entries {
            assert!(page.contains(&e.visit.month.label_zh()));
        }
        // A village team sees masked ID numbers in the handbook of its own village.
        let own = everything
            .iter()
            .find(|c| c.village_code == VILLAGE)
            .expect("a case in the demo village");
        let doc = documents::handbook(&db, &actor, &village, &own.household_number)
            .await
            .unwrap();
        assert!(doc.text().contains("********"));

        // 民主评议结果公示 with its 公示期.
        let appraised = everything
            .iter()
            .find(|c| {
                c.case.identification.as_ref().is_some_and(|i| {
                    i.status == IdentStatus::InProgress
                        && i.record(IdentStep::Appraisal).is_some()
                        && i.record(IdentStep::NoticeClosed).is_none()
                })
            })
            .expect("a household appraised and in 公示");
        let on = "2022-12-31".parse().unwrap();
        let doc = documents::publicity(&db, &actor, &county, &appraised.village_code, on)
            .await
            .unwrap();
        let xml = document_xml(&doc);
        for t in [
            "民主评议结果公示",
            "公示期",
            "村民委员会",
            &appraised.household_number,
        ] {
            assert!(xml.contains(t), "{t} in the publicity DOCX");
        }
        let page = html(&doc, &HtmlOptions::default());
        assert!(page.contains(&date_zh(on)));
        assert!(
            documents::publicity(&db, &actor, &village, "141123100201", on)
                .await
                .is_err(),
            "another village is out of scope"
        );

        // Every document read is in the audit log.
        let stmt = Statement::from_string(
            db.backend(),
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'export_document'",
        );
        let n: i64 = db
            .conn()
            .query_one_raw(stmt)
            .await
            .unwrap()
            .unwrap()
            .try_get("", "n")
            .unwrap();
        assert!(n >= 7, "{n}");
    }
);

#[test]
fn document_command() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_shouwang"))
            .env_remove("SHOUWANG_DATABASE_URL")
            .env("SHOUWANG_DATA_DIR", dir.path())
            .env("SHOUWANG_LOG", "warn")
            .args(args)
            .output()
            .unwrap()
    };
    let o = run(&["demo", "--households", "300", "--seed", "5"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The quarters with notices, from the database.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (household, quarter) = rt.block_on(async {
        let db = Db::connect(&shouwang_store::sqlite_url(dir.path()))
            .await
            .unwrap();
        let stmt = Statement::from_string(
            db.backend(),
            "SELECT household_number, issued_on FROM exit_notices ORDER BY issued_on LIMIT 1",
        );
        let r = db.conn().query_one_raw(stmt).await.unwrap().unwrap();
        let h: String = r.try_get("", "household_number").unwrap();
        let d: String = r.try_get("", "issued_on").unwrap();
        let q = Quarter::of(d.parse().unwrap());
        (h, format!("{}Q{}", q.year, q.q))
    });
    let html_out = dir.path().join("告知书.html");
    let o = run(&[
        "document",
        "notices",
        "--quarter",
        &quarter,
        "--out",
        html_out.to_str().unwrap(),
        "--user",
        "county_admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(&html_out).unwrap();
    assert!(page.contains("退出防返贫监测帮扶范围告知书") && page.contains("size: A4"));
    let docx_out = dir.path().join("n.docx");
    let o = run(&[
        "document",
        "notice",
        "--household",
        &household,
        "--out",
        docx_out.to_str().unwrap(),
        "--user",
        "county_admin",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut z = zip::ZipArchive::new(Cursor::new(std::fs::read(&docx_out).unwrap())).unwrap();
    assert!(z.by_name("word/document.xml").is_ok());
    // Bad input: clear messages, no panic.
    for (args, msg) in [
        (
            vec![
                "document",
                "notices",
                "--quarter",
                "2022Q9",
                "--out",
                "x.docx",
                "--user",
                "county_admin",
            ],
            "季度格式",
        ),
        (
            vec![
                "document",
                "handbook",
                "--household",
                "NOPE",
                "--out",
                "x.docx",
                "--user",
                "county_admin",
            ],
            "未找到",
        ),
        (
            vec![
                "document",
                "handbook",
                "--household",
                &household,
                "--out",
                "x.docx",
                "--user",
                "nobody",
            ],
            "用户不存在",
        ),
    ] {
        let o = run(&args);
        let text = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(!o.status.success(), "{args:?}");
        assert!(text.contains(msg), "{text}");
        assert!(!text.contains("panicked"), "{text}");
    }
}
