//! `shouwang low-income …` on a temporary SQLite demo county: the list of the demo village with the demo
//! visits' states, a visit recorded (with a new risk filing a clue), a second one in the month refused
//! with exit code 5, another village's household refused with exit code 3, the figures.

use serde_json::Value;

mod common;
use common::{json, shouwang, text};

fn numbers(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["number"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_village_team_keeps_the_register_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--classic", "--households", "400"]);
    assert!(out.status.success(), "{}", text(&out));
    let li = |user: &str, args: &[&str]| {
        let mut all = vec!["low-income", "--user", user];
        all.extend_from_slice(args);
        shouwang(dir, &all)
    };
    // November 2022 of the classic demo: visited but one, overdue.
    let nov = json(&li(
        "village_team",
        &["list", "--month", "2022-11", "--json"],
    ));
    let states: Vec<&str> = nov
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["month"]["status"].as_str().unwrap())
        .collect();
    assert!(
        states.contains(&"overdue") && states.contains(&"done"),
        "{states:?}"
    );

    let mine = numbers(&json(&li("village_team", &["list", "--json"])));
    let h = &mine[0];
    // 分类帮扶: a malformed application is refused before anything is written (2).
    let bad = li(
        "village_team",
        &["visit", h, "--needs", "取暖", "--apply", "dibao"],
    );
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    let out = li(
        "village_team",
        &[
            "visit",
            h,
            "--needs",
            "取暖",
            "--policy",
            "dibao",
            "--assist",
            "临时救助",
            "--risk",
            "01",
            "--apply",
            "dibao:applying",
            "--json",
        ],
    );
    let done = json(&out);
    assert!(done["filed"].is_string(), "{done}");
    let sheet = json(&li("village_team", &["show", h, "--json"]));
    assert_eq!(
        sheet["applications"][0],
        serde_json::json!({"kind": "dibao", "status": "applying"}),
        "{sheet}"
    );
    let again = li(
        "village_team",
        &["visit", h, "--needs", "取暖", "--assist", "临时救助"],
    );
    assert_eq!(again.status.code(), Some(5), "{}", text(&again));

    let all = numbers(&json(&li("county_admin", &["list", "--json"])));
    let other = all
        .iter()
        .find(|n| !mine.contains(n))
        .expect("another village");
    let refused = li("village_team", &["visit", other, "--needs", "取暖"]);
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));

    let f = json(&li("village_team", &["figures", "--json"]));
    assert!(f["visited"].as_u64().unwrap() >= 1, "{f}");
}
