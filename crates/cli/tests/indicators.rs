//! `shouwang indicators …` on a temporary SQLite demo county: the county's board with villages in every
//! state, the demo village's figures entered by its team and checked by the township, a part over its
//! total refused with exit code 2, another township's village with exit code 3, a change after the check
//! with exit code 5.

mod common;
use common::{code, json, shouwang, text};

const VILLAGE: &str = "141123208201";

#[test]
fn a_village_enters_its_figures_and_the_township_checks_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--households", "400"]);
    assert!(out.status.success(), "{}", text(&out));
    let ind = |user: &str, args: &[&str]| {
        let mut all = vec!["indicators", "--user", user];
        all.extend_from_slice(args);
        shouwang(dir, &all)
    };
    let b = json(&ind("county_admin", &["board", "--json"]));
    let states: Vec<&str> = b["villages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["record"]["status"].as_str())
        .collect();
    for s in ["entered", "checked", "returned"] {
        assert!(states.contains(&s), "{s} in {states:?}");
    }
    assert!(b["missing"].as_u64().unwrap() > 0);
    let other = b["villages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .find(|c| !c.starts_with("141123208"))
        .unwrap()
        .to_owned();

    let enter = |village: &str, toilets: &str| {
        ind(
            "village_team",
            &[
                "enter",
                village,
                "--households",
                "200",
                "--toilets",
                toilets,
                "--natural-villages",
                "6",
                "--garbage-covered",
                "6",
                "--civilized",
                "150",
            ],
        )
    };
    let out = enter(VILLAGE, "201");
    assert_eq!(code(&out), 2, "{}", text(&out));
    let out = enter(&other, "150");
    assert_eq!(code(&out), 3, "{}", text(&out));
    let out = enter(VILLAGE, "150");
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("卫生厕所普及率 75.0%"),
        "{}",
        text(&out)
    );
    let out = ind("township_admin", &["check", VILLAGE]);
    assert!(text(&out).contains("乡镇已核实"), "{}", text(&out));
    let out = enter(VILLAGE, "160");
    assert_eq!(code(&out), 5, "{}", text(&out));
    let out = ind("township_admin", &["board"]);
    assert!(text(&out).contains("待核实"), "{}", text(&out));
}
