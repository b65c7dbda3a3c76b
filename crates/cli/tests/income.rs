//! `shouwang income …` on a temporary SQLite demo county: a year corrected by hand, and `income show`
//! listing the import's figures it replaced under the year, not counted (不计入); `case follow-up` with its
//! 收支测算 writing the year's record, source 月度走访.

use std::path::Path;

use shouwang_core::{Role, Scope};
use shouwang_store::repo::households::{self, HouseholdQuery};
use shouwang_store::{Db, sqlite_url};

mod common;
use common::{json, shouwang, text};

const VILLAGE: &str = "141123208201";

/// A household of the demo village.
fn demo_household(dir: &Path) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = Db::connect(&sqlite_url(dir)).await.unwrap();
        let county = Scope::new(0, Role::CountyAdmin, "141123");
        let page = households::search(&db, &county, &HouseholdQuery::default(), 1, 500)
            .await
            .unwrap();
        page.items
            .iter()
            .find(|h| h.village_code == VILLAGE)
            .unwrap()
            .number
            .clone()
    })
}

#[test]
fn a_correction_by_hand_shows_the_imported_figures_not_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--classic", "--households", "120"]);
    assert!(out.status.success(), "{}", text(&out));
    let h = demo_household(dir);
    let income = |args: &[&str]| {
        let mut all = vec!["income", "--user", "village_team"];
        all.extend_from_slice(args);
        shouwang(dir, &all)
    };
    let sheet = json(&income(&["show", &h, "--json"]));
    let y22 = &sheet["years"][1];
    assert_eq!(
        (&y22["record"]["year"], &y22["source"]),
        (&2022.into(), &"import".into())
    );
    let imported = y22["assessment"]["per_capita"].as_i64().unwrap();
    assert_eq!(y22["not_counted"], serde_json::json!([]));

    let out = income(&[
        "set",
        &h,
        "--year",
        "2022",
        "--members",
        "2",
        "--wage",
        "24000",
        "--version",
        "1",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = text(&income(&["show", &h]));
    let line = shown
        .lines()
        .find(|l| l.contains("不计入"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(
        line.contains("台账导入")
            && line.contains("以最近一次核实记录为准")
            && line.contains(&format!("{}", shouwang_core::Fen(imported))),
        "{shown}"
    );
    assert!(shown.contains("来源 手工录入"), "{shown}");
    let sheet = json(&income(&["show", &h, "--json"]));
    assert_eq!(sheet["years"][1]["not_counted"][0]["source"], "import");
}

/// A household of the demo village with a case 监测帮扶中.
fn monitored_household(dir: &Path) -> String {
    use shouwang_core::monitoring::Lifecycle;
    use shouwang_store::repo::cases::{self, CaseQuery};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = Db::connect(&sqlite_url(dir)).await.unwrap();
        let county = Scope::new(0, Role::CountyAdmin, "141123");
        let q = CaseQuery {
            lifecycle: Some(Lifecycle::Monitored),
            region: Some(VILLAGE.to_owned()),
            ..Default::default()
        };
        cases::list(&db, &county, &q, 1, 10)
            .await
            .unwrap()
            .items
            .first()
            .expect("a monitored household in the demo village")
            .household_number
            .clone()
    })
}

#[test]
fn a_follow_up_with_its_income_writes_the_years_record() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(
        dir,
        &["demo", "--classic", "--households", "400", "--seed", "7"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let h = monitored_household(dir);
    let shown = json(&shouwang(
        dir,
        &["case", "--user", "village_team", "--json", "show", &h],
    ));
    let version = shown["version"].as_i64().unwrap().to_string();
    let today = shouwang_app::today();
    let month = today.format("%Y-%m").to_string();
    let first = format!("{month}-01");
    let follow_up = |extra: &[&str]| {
        let mut all = vec![
            "case",
            "--user",
            "village_team",
            "follow-up",
            &h,
            "--month",
            &month,
            "--visited-on",
            &first,
            "--version",
            &version,
        ];
        all.extend_from_slice(extra);
        shouwang(dir, &all)
    };
    // neither an estimate nor the income: refused by the command line (2)
    let out = follow_up(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = follow_up(&["--members", "3", "--wage", "36000", "--transfer", "1,200"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let sheet = json(&shouwang(
        dir,
        &["income", "--user", "village_team", "show", &h, "--json"],
    ));
    let year = today.format("%Y").to_string().parse::<i64>().unwrap();
    let y = sheet["years"]
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["record"]["year"] == year)
        .unwrap_or_else(|| panic!("{sheet}"));
    assert_eq!(y["source"], "follow_up");
    assert_eq!(y["as_of"], first.as_str());
    assert_eq!(y["assessment"]["per_capita"], 1_240_000);
    let shown = json(&shouwang(
        dir,
        &["case", "--user", "village_team", "--json", "show", &h],
    ));
    let entries = shown["case"]["follow_ups"]["entries"].as_array().unwrap();
    let last = entries
        .iter()
        .find(|e| e["visit"]["month"] == month.as_str())
        .unwrap();
    assert_eq!(last["visit"]["per_capita_income_estimate"], 1_240_000);
}
