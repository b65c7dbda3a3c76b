//! `shouwang household …` (户情变更) on a temporary SQLite demo county: a birth is added and a member
//! leaves, acting as the demo village team (`--as`), and refusals give their messages and exit codes (2 bad
//! input, 3 role, 4 not found, 5 stale).

use std::path::Path;
use std::process::Output;

use chrono::NaiveDate;
use shouwang_core::idnum::make;
use shouwang_core::{Role, Scope};
use shouwang_store::repo::households::{self, HouseholdQuery};
use shouwang_store::{Db, sqlite_url};

mod common;
use common::{code, json, shouwang, text};

const VILLAGE: &str = "141123208201";

fn household(dir: &Path, user: &str, args: &[&str]) -> Output {
    let mut all = vec!["household", "--as", user];
    all.extend_from_slice(args);
    shouwang(dir, &all)
}

/// A household of the demo village, and one of another village.
fn demo_households(dir: &Path) -> (String, String) {
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
        let mine = page
            .items
            .iter()
            .find(|h| h.village_code == VILLAGE)
            .unwrap()
            .number
            .clone();
        let other = page
            .items
            .iter()
            .find(|h| h.village_code != VILLAGE)
            .unwrap()
            .number
            .clone();
        (mine, other)
    })
}

#[test]
fn household_member_add_and_leave_as_the_user() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--households", "120"]);
    assert!(out.status.success(), "{}", text(&out));
    let (h, other) = demo_households(dir);
    let shown = json(&household(dir, "village_team", &["show", &h, "--json"]));
    let version = shown["version"].as_i64().unwrap().to_string();
    let size = shown["members"].as_array().unwrap().len();
    let id = make(141123, NaiveDate::from_ymd_opt(2024, 5, 6).unwrap(), 61).to_string();
    let add = |user: &str, number: &str, version: &str, id: &str| {
        household(
            dir,
            user,
            &[
                "member",
                "add",
                number,
                "--version",
                version,
                "--reason",
                "出生",
                "--id-number",
                id,
                "--name",
                "命令行小宝",
                "--relation",
                "之孙女",
                "--labour",
                "none",
                "--health",
                "healthy",
                "--json",
            ],
        )
    };

    // Refusals: bad ID number (2), a role that may not (3), another village (4), a stale version (5).
    let mut bad = id.clone();
    let last = if bad.ends_with('1') { "2" } else { "1" };
    bad.replace_range(17.., last);
    let out = add("village_team", &h, &version, &bad);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("身份证号"), "{}", text(&out));
    let out = add("cadre", &h, &version, &id);
    assert_eq!(code(&out), 3, "{}", text(&out));
    let out = add("village_team", &other, "1", &id);
    assert_eq!(code(&out), 4, "{}", text(&out));
    let out = add("village_team", &h, "99", &id);
    assert_eq!(code(&out), 5, "{}", text(&out));
    assert!(text(&out).contains("stale") || text(&out).contains("已被他人修改"));
    let out = add("nobody", &h, &version, &id);
    assert_eq!(code(&out), 3, "{}", text(&out));

    // 新增成员 (出生), by the Chinese labels.
    let done = json(&add("village_team", &h, &version, &id));
    assert_eq!(done["written"], true);
    let member = done["member_id"].as_str().unwrap().to_owned();
    let version = done["version"].as_i64().unwrap().to_string();
    let shown = json(&household(dir, "village_team", &["show", &h, "--json"]));
    assert_eq!(shown["members"].as_array().unwrap().len(), size + 1);

    // 低保 for her, by her ID number and the member version.
    let out = household(
        dir,
        "village_team",
        &[
            "member",
            "update",
            &h,
            &id,
            "--dibao",
            "农村低保",
            "--version",
            "1",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("member version 2"), "{}", text(&out));

    // 减员 (迁出) by member id; a future date is refused first.
    let out = household(
        dir,
        "village_team",
        &[
            "member",
            "leave",
            &h,
            &member,
            "--reason",
            "moved_out",
            "--on",
            "2099-01-01",
            "--version",
            &version,
        ],
    );
    assert_eq!(code(&out), 2, "{}", text(&out));
    let out = household(
        dir,
        "village_team",
        &[
            "member",
            "leave",
            &h,
            &member,
            "--reason",
            "迁出",
            "--on",
            "2025-03-01",
            "--version",
            &version,
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("已登记减员"), "{}", text(&out));
    let out = household(dir, "village_team", &["show", &h]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("原家庭成员") && t.contains("命令行小宝") && t.contains("迁出 2025-03-01"),
        "{t}"
    );
    let shown = json(&household(dir, "village_team", &["show", &h, "--json"]));
    assert_eq!(shown["members"].as_array().unwrap().len(), size);
    assert_eq!(shown["former_members"][0]["reason"], "moved_out");
}
