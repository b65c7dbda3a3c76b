//! `shouwang assets …` on a temporary SQLite demo county: the demo village's assets with a filter, 确权登记
//! by the village team (a bad one refused with exit code 2, a department user with 3), an upkeep record,
//! the disposal flow 村申请 → 乡审核 → 县审批 by its roles (a skipped step refused with exit code 5), an asset
//! the user's area does not hold (4), the keeper's phone masked for the team and in full for the township.
//! 清产核资: the demo's own ledger imported back is rejected row by row (exit 2, nothing written); a
//! workbook of new assets (the project's XLSX writer) passes the dry run and is imported.

mod common;
use common::{code, json, shouwang, text};
use shouwang_core::asset::ledger::ASSET_COLUMNS;
use shouwang_core::ledger::{LedgerKind, Value};

#[test]
fn assets_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--classic", "--households", "200"]);
    assert!(out.status.success(), "{}", text(&out));
    let a = |user: &str, args: &[&str]| {
        let mut all = vec!["assets", "--user", user];
        all.extend_from_slice(args);
        shouwang(dir, &all)
    };
    let all = json(&a("village_team", &["list", "--json"]));
    assert!(all.as_array().unwrap().len() >= 8, "{all}");
    let listed = text(&a("village_team", &["list", "--kind", "household"]));
    assert!(
        listed.contains("到户养殖基础母羊") && !listed.contains("村级光伏电站"),
        "{listed}"
    );
    let out = a("village_team", &["list", "--state", "nonsense"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let overdue = text(&a("village_team", &["overdue"]));
    assert!(overdue.contains("通村道路"), "{overdue}");

    let add = |user: &str, year: &str| {
        a(
            user,
            &[
                "add",
                "--name",
                "命令行测试水窖",
                "--kind",
                "public_welfare",
                "--owner",
                "village_collective",
                "--keeper",
                "李二虎",
                "--phone",
                "13700002222",
                "--value",
                "12000.50",
                "--year",
                year,
                "--upkeep-months",
                "12",
                "--json",
            ],
        )
    };
    assert_eq!(code(&add("village_team", "2010")), 2);
    assert_eq!(code(&add("department", "2020")), 3);
    let out = add("village_team", "2020");
    assert!(out.status.success(), "{}", text(&out));
    let id = json(&out)["id"].as_i64().unwrap().to_string();
    let sheet = json(&a("village_team", &["show", &id, "--json"]));
    assert_eq!(sheet["entry"]["value"], 1_200_050);
    assert_eq!(sheet["draft"]["keeper_phone"], "137****2222");
    let full = json(&a("township_admin", &["show", &id, "--json"]));
    assert_eq!(full["draft"]["keeper_phone"], "13700002222");

    let out = a(
        "village_team",
        &[
            "upkeep",
            &id,
            "--kind",
            "repair",
            "--cost",
            "80",
            "--content",
            "清淤",
            "--version",
            "1",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = a(
        "village_team",
        &["upkeep", &id, "--content", "巡查", "--version", "1"],
    );
    assert_eq!(code(&out), 5, "a stale version: {}", text(&out));

    let out = a(
        "village_team",
        &[
            "dispose",
            &id,
            "--step",
            "propose",
            "--method",
            "scrap",
            "--opinion",
            "渗漏报废",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = a(
        "county_admin",
        &["dispose", &id, "--step", "county_approval"],
    );
    assert_eq!(code(&out), 5, "{}", text(&out));
    for (user, step) in [
        ("township_admin", "township_review"),
        ("county_admin", "county_approval"),
    ] {
        let out = a(user, &["dispose", &id, "--step", step, "--opinion", "同意"]);
        assert!(out.status.success(), "{step}: {}", text(&out));
    }
    let shown = text(&a("village_team", &["show", &id]));
    assert!(
        shown.contains("已处置") && shown.contains("清淤") && shown.contains("县审批"),
        "{shown}"
    );
    assert_eq!(code(&a("village_team", &["show", "999999999"])), 4);
}

#[test]
fn the_inventory_import_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--classic", "--households", "200"]);
    assert!(out.status.success(), "{}", text(&out));
    let a = |args: &[&str]| {
        let mut all = vec!["assets", "--user", "village_team"];
        all.extend_from_slice(args);
        shouwang(dir, &all)
    };
    let before = json(&a(&["list", "--json"])).as_array().unwrap().len();
    let ledger = dir.join("台账.xlsx");
    let out = shouwang(
        dir,
        &[
            "export",
            "ledger",
            "assets",
            "--out",
            ledger.to_str().unwrap(),
            "--user",
            "township_admin",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = a(&["import", ledger.to_str().unwrap(), "--commit"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("台账.xlsx  第2行")
            && t.contains("已处置的资产不再登记")
            && t.contains("未导入"),
        "{t}"
    );
    assert_eq!(
        json(&a(&["list", "--json"])).as_array().unwrap().len(),
        before
    );

    let rows: Vec<Vec<Value>> = ["命令行导入水窖", "命令行导入晒场"]
        .iter()
        .map(|name| {
            ASSET_COLUMNS
                .iter()
                .map(|c| match c.header {
                    "资产名称" => Value::Text((*name).to_owned()),
                    "资产类型" => Value::Text("公益性资产".to_owned()),
                    "行政村" => Value::Text("141123208201".to_owned()),
                    "产权归属" => Value::Text("村集体".to_owned()),
                    "形成年度" => Value::Number(2016.0),
                    "资产原值（元）" => Value::Text("36000.00".to_owned()),
                    "管护责任人" => Value::Text("李二虎".to_owned()),
                    _ => Value::Empty,
                })
                .collect()
        })
        .collect();
    let file = dir.join("新增资产.xlsx");
    std::fs::write(
        &file,
        shouwang_io::ledger_xlsx::write(LedgerKind::Assets, ASSET_COLUMNS, &rows).unwrap(),
    )
    .unwrap();
    let out = a(&["import", file.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(json(&out)["accepted"], 2);
    assert_eq!(
        json(&a(&["list", "--json"])).as_array().unwrap().len(),
        before
    );
    let out = a(&["import", file.to_str().unwrap(), "--commit"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("已导入2项资产"), "{}", text(&out));
    assert_eq!(
        json(&a(&["list", "--json"])).as_array().unwrap().len(),
        before + 2
    );
}
