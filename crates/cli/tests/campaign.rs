//! `shouwang campaign …` on a temporary SQLite demo county: the quarter's coverage of the demo village
//! with the households not checked yet, a household's sheet with the county's checklist, its check with a
//! water problem (written to the 问题台账), a second check of the quarter refused with exit code 5, a
//! household of another village with exit code 4 (not in its area), a malformed `--problem` with exit code 2; the demo
//! township's 年度工作方案 read and saved at its version, a stale save with exit code 5.

mod common;
use common::{code, json, shouwang, text};

const VILLAGE: &str = "141123208201";
const TOWNSHIP: &str = "141123208";

#[test]
fn a_village_checks_its_households_and_the_township_keeps_its_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--households", "400"]);
    assert!(out.status.success(), "{}", text(&out));
    let run = |user: &str, args: &[&str]| {
        let mut all = vec!["campaign", "--user", user];
        all.extend_from_slice(args);
        shouwang(dir, &all)
    };

    // The coverage: the demo village half checked this quarter, the rest listed.
    let c = json(&run("township_admin", &["coverage", "--json"]));
    let village = c
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["village"] == VILLAGE)
        .expect("the demo village");
    let checked = village["coverage"]["checked"].as_u64().unwrap();
    let all = village["coverage"]["households"].as_u64().unwrap();
    assert!(checked > 0 && checked < all, "{village}");
    let missing: Vec<&str> = village["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["number"].as_str().unwrap())
        .collect();
    assert_eq!(missing.len() as u64, all - checked);
    let number = missing[0];
    let out = run("township_admin", &["coverage"]);
    assert!(text(&out).contains("未排查"), "{}", text(&out));

    // The household's sheet: the checklist, this quarter not checked yet.
    let sheet = json(&run("village_team", &["show", number, "--json"]));
    let water = sheet["checklist"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["sector"] == "drinking_water")
        .expect("a water item")["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(sheet["quarter"]["recorded_on"].is_null(), "{sheet}");

    // Refused: a malformed --problem (2), a household of another village (4: not in its area).
    let out = run("village_team", &["check", number, "--problem", "井水浑浊"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let county = json(&run("county_admin", &["coverage", "--json"]));
    let other = county
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["village"] != VILLAGE && !v["missing"].as_array().unwrap().is_empty())
        .expect("another village with households")["missing"][0]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = run("village_team", &["check", &other]);
    assert_eq!(code(&out), 4, "{}", text(&out));

    // The check with a water problem: it goes to the 问题台账.
    let problem = format!("{water}:井水浑浊，需检测水质");
    let out = run("village_team", &["check", number, "--problem", &problem]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("问题台账"), "{}", text(&out));
    let out = shouwang(
        dir,
        &["problems", "--user", "village_team", "list", "--json"],
    );
    assert!(
        text(&out).contains("井水浑浊，需检测水质"),
        "{}",
        text(&out)
    );
    // A second check of the quarter: 5.
    let out = run("village_team", &["check", number]);
    assert_eq!(code(&out), 5, "{}", text(&out));
    let sheet = json(&run("village_team", &["show", number, "--json"]));
    assert!(sheet["quarter"]["recorded_on"].is_string(), "{sheet}");

    // The township's 年度工作方案: read, saved at its version, a stale save refused (5).
    let plans = json(&run("township_admin", &["plans", "--json"]));
    let plan = plans
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["township"] == TOWNSHIP)
        .expect("the demo township's plan");
    let version = plan["version"].as_i64().unwrap().to_string();
    let year = plan["plan"]["year"].as_i64().unwrap().to_string();
    let (starts, ends) = (format!("{year}-01-01"), format!("{year}-12-31"));
    let save = |version: &str| {
        run(
            "township_admin",
            &[
                "plan",
                TOWNSHIP,
                "--year",
                &year,
                "--title",
                "巩固“三保障”和饮水安全成果工作方案",
                "--targets",
                "义务教育、基本医疗、住房安全和饮水安全问题动态清零",
                "--measures",
                "每季度开展一次问题排查，建立台账，限时整改销号",
                "--starts-on",
                &starts,
                "--ends-on",
                &ends,
                "--version",
                version,
            ],
        )
    };
    let out = save(&version);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("动态清零"), "{}", text(&out));
    let out = save(&version);
    assert_eq!(code(&out), 5, "{}", text(&out));
    let out = run("village_team", &["plans"]);
    assert!(text(&out).contains("巩固“三保障”"), "{}", text(&out));
}
