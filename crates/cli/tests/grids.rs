//! `shouwang grids …` on a temporary SQLite demo county: the demo village's three grids, a new grid made
//! by the village team, every household still in no grid put into it, the coverage then 100 % for the
//! village; a cadre refused with exit code 3, a bad phone with 2, an unknown household with 2, a grid that
//! is none of the user's with 4.

mod common;
use common::{code, json, shouwang, text};

const VILLAGE: &str = "141123208201";

#[test]
fn the_village_team_sets_up_a_grid_and_assigns_its_households() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--households", "300"]);
    assert!(out.status.success(), "{}", text(&out));
    let grids = |user: &str, args: &[&str]| {
        let mut all = vec!["grids", "--user", user];
        all.extend_from_slice(args);
        shouwang(dir, &all)
    };
    let list = json(&grids("village_team", &["list", "--json"]));
    assert_eq!(list.as_array().unwrap().len(), 3, "{list}");
    assert_eq!(list[0]["leader"]["phone"], "138****1201");

    let create = |user: &str, phone: &str| {
        grids(
            user,
            &[
                "create",
                "--village",
                VILLAGE,
                "--name",
                "第四网格",
                "--branch",
                "党支部",
                "--leader",
                "赵大",
                "--leader-phone",
                phone,
                "--member",
                "钱二:13900002222",
                "--json",
            ],
        )
    };
    let out = create("cadre", "13800001111");
    assert_eq!(code(&out), 3, "{}", text(&out));
    let out = create("village_team", "abc");
    assert_eq!(code(&out), 2, "{}", text(&out));
    let out = create("village_team", "13800001111");
    assert!(out.status.success(), "{}", text(&out));
    let id = json(&out)["id"].as_i64().unwrap().to_string();

    let out = grids("village_team", &["assign", &id, "--household", "999999999"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let out = grids("village_team", &["assign", &id, "--all-without-grid"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("已划入网格"), "{}", text(&out));
    // The county's coverage lists every village of the county (the demo township holds only the demo
    // village), those without grids at 0.
    let c = json(&grids("county_admin", &["coverage", "--json"]));
    let village = c["villages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == VILLAGE)
        .unwrap()
        .clone();
    assert_eq!(village["with_grid"], village["households"], "{village}");
    let other = c["villages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] != VILLAGE)
        .unwrap()
        .clone();
    assert!(
        other["code"].as_str().unwrap().starts_with("141123"),
        "{other}"
    );
    assert_eq!(other["with_grid"], 0, "{other}");
    let out = grids("township_admin", &["show", &id]);
    assert!(text(&out).contains("本网格"), "{}", text(&out));
    let sheet = json(&grids("village_team", &["show", &id, "--json"]));
    assert_eq!(sheet["grid"]["name"], "第四网格");
    assert_eq!(sheet["grid"]["members"][0]["phone"], "139****2222");
    // A grid that is none of the user's: not found (4).
    let out = grids("village_team", &["show", "1"]);
    assert_eq!(code(&out), 4, "{}", text(&out));
}
