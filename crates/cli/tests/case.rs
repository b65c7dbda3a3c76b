//! `shouwang case …` on a temporary SQLite demo county: a clue opens a case, identification
//! starts, and refusals give clear messages and their exit codes (2 bad input, 3 role, 4 not found,
//! 5 out of order or stale), never a panic.

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use shouwang_core::{Role, Scope};
use shouwang_store::repo::cases;
use shouwang_store::repo::households::{self, HouseholdQuery};
use shouwang_store::{Db, sqlite_url};

mod common;
use common::{code, shouwang, text};

const VILLAGE: &str = "141123208201";

fn case(dir: &Path, user: &str, args: &[&str]) -> Output {
    let mut all = vec!["case", "--user", user];
    all.extend_from_slice(args);
    shouwang(dir, &all)
}

/// A household of the demo village the demo village team covers, without a case yet (the demo
/// county has cases in every lifecycle state).
fn demo_household(dir: &Path) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db = Db::connect(&sqlite_url(dir)).await.unwrap();
        let scope = Scope::new(0, Role::VillageTeam, VILLAGE);
        let page = households::search(&db, &scope, &HouseholdQuery::default(), 1, 500)
            .await
            .unwrap();
        for h in page.items {
            if cases::get(&db, &scope, &h.number).await.unwrap().is_none() {
                return h.number;
            }
        }
        panic!("every household of the demo village has a case")
    })
}

#[test]
fn case_commands_act_as_the_user_with_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--households", "600"]);
    assert!(out.status.success(), "{}", text(&out));
    let h = demo_household(dir);

    // A household application opens the case.
    let out = case(
        dir,
        "village_team",
        &[
            "report",
            &h,
            "--channel",
            "application",
            "--risk",
            "01",
            "--reporter",
            "张三",
            "--applicant",
            "张三",
            "--cause",
            "妻子患病住院",
            "--on",
            "2022-01-03",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["filed"], "new_case");
    assert_eq!(v["case"]["version"], 1);
    assert_eq!(v["case"]["lifecycle"], "clue");

    // The responsible cadre may not start identification: 3, with the reason in both languages.
    let out = case(
        dir,
        "cadre",
        &["start", &h, "--version", "1", "--on", "2022-01-04"],
    );
    assert_eq!(code(&out), 3, "{}", text(&out));
    assert!(
        text(&out).contains("启动识别") && text(&out).contains("may not"),
        "{}",
        text(&out)
    );

    let out = case(
        dir,
        "village_team",
        &["start", &h, "--version", "1", "--on", "2022-01-04"],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("识别中"), "{}", text(&out));

    // Stale version, out of order, bad JSON, unknown household, unknown user.
    let out = case(dir, "village_team", &["start", &h, "--version", "1"]);
    assert_eq!(code(&out), 5, "{}", text(&out));
    let out = case(
        dir,
        "village_team",
        &[
            "identify",
            &h,
            "--version",
            "2",
            "--on",
            "2022-01-05",
            "--step",
            r#"{"action":"post_notice","place":"村委会公示栏"}"#,
        ],
    );
    assert_eq!(code(&out), 5, "{}", text(&out));
    assert!(text(&out).contains("须先完成“入户核查”"), "{}", text(&out));
    let out = case(
        dir,
        "village_team",
        &["identify", &h, "--version", "2", "--step", "{bad"],
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    let out = case(dir, "village_team", &["show", "NO-SUCH-HOUSEHOLD"]);
    assert_eq!(code(&out), 4, "{}", text(&out));
    let out = case(dir, "nobody", &["list"]);
    assert_eq!(code(&out), 3, "{}", text(&out));

    // Reads: the case with its handbook, the list, the queues, as JSON and as text.
    let out = case(dir, "village_team", &["show", &h]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("版本 version 2") && t.contains("入户核查") && t.contains("农户申请"),
        "{t}"
    );
    let out = case(
        dir,
        "township_admin",
        &[
            "list",
            "--lifecycle",
            "identifying",
            "--region",
            VILLAGE,
            "--per-page",
            "500",
            "--json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v["items"].as_array().unwrap();
    assert!(items.iter().all(|r| r["lifecycle"] == "identifying"), "{v}");
    assert!(
        items
            .iter()
            .any(|r| r["household_number"] == h.as_str() && r["version"] == 2),
        "{v}"
    );
    let out = case(dir, "village_team", &["queues", "--json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["approvals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["case"]["household_number"] == h.as_str()
                && w["ident_step"] == "verification"),
        "{v}"
    );
    let out = case(dir, "village_team", &["list", "--lifecycle", "flying"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
}
