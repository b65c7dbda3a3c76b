//! `shouwang pv …` on a temporary SQLite demo county: the demo's stations of both kinds, a station
//! registered by the township and its income (a second month refused with exit code 5, a village team's
//! refused with exit code 3), a village's distribution (uses above the amount refused with exit code 2),
//! the board of the demo year.

mod common;
use common::{code, json, shouwang, text};

#[test]
fn pv_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--classic", "--households", "200"]);
    assert!(out.status.success(), "{}", text(&out));
    let p = |user: &str, args: &[&str]| {
        let mut all = vec!["pv", "--user", user];
        all.extend_from_slice(args);
        shouwang(dir, &all)
    };
    let all = json(&p("county_admin", &["stations", "--json"]));
    let kinds: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"village") && kinds.contains(&"central"),
        "{all}"
    );

    let out = p(
        "township_admin",
        &[
            "add-station",
            "--name",
            "命令行测试光伏电站",
            "--kind",
            "village",
            "--place",
            "141123208201",
            "--capacity-kw",
            "100",
            "--grid-on",
            "2021-06-30",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let id = json(&out)["id"].as_i64().unwrap().to_string();
    let income = |user: &str| {
        p(
            user,
            &["income", &id, "--month", "2022-11", "--amount", "8888.88"],
        )
    };
    assert!(income("township_admin").status.success());
    let out = income("township_admin");
    assert_eq!(code(&out), 5, "{}", text(&out));
    assert!(text(&out).contains("已录入"), "{}", text(&out));
    let out = income("village_team");
    assert_eq!(code(&out), 3, "{}", text(&out));
    let sheet = json(&p("auditor", &["station", &id, "--json"]));
    assert_eq!(sheet["total"], 888_888);

    let distribute = |other: &str| {
        p(
            "village_team",
            &[
                "distribute",
                "--village",
                "141123208201",
                "--month",
                "2022-12",
                "--distributed",
                "1000",
                "--public-works",
                "900",
                "--other",
                other,
                "--decision",
                "村民代表会议决议（命令行）",
                "--decided-on",
                "2022-12-20",
            ],
        )
    };
    let out = distribute("100.01");
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("超过"), "{}", text(&out));
    let out = distribute("100");
    assert!(out.status.success(), "{}", text(&out));

    let board = text(&p("county_admin", &["board", "--year", "2022"]));
    assert!(
        board.contains("分配到村率") && board.contains("2022-12"),
        "{board}"
    );
    let b = json(&p("county_admin", &["board", "--year", "2022", "--json"]));
    assert_eq!(b["months"].as_array().unwrap().len(), 12);
}
