//! `shouwang labour …` on a temporary SQLite demo county: the demo village's households with labour and
//! their records, the figure against last year, a household's records, another village's household refused
//! with exit code 3, a bad `--worker` with exit code 2, a record saved and a second one in the month
//! refused with exit code 5.

mod common;
use common::{code, json, shouwang, text};

#[test]
fn the_village_team_keeps_the_register_and_is_refused_elsewhere() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--classic", "--households", "400"]);
    assert!(out.status.success(), "{}", text(&out));
    let lb = |user: &str, args: &[&str]| {
        let mut all = vec!["labour", "--user", user];
        all.extend_from_slice(args);
        shouwang(dir, &all)
    };
    let rows = json(&lb(
        "village_team",
        &["list", "--month", "2022-11", "--json"],
    ));
    let rows = rows.as_array().unwrap();
    let done = rows
        .iter()
        .find(|e| e["month"]["status"] == "done")
        .expect("a recorded household");
    let n = done["number"].as_str().unwrap();
    let sheet = json(&lb("village_team", &["show", n, "--json"]));
    assert!(!sheet["records"].as_array().unwrap().is_empty());
    let out = lb("county_admin", &["figures", "--month", "2022-11"]);
    assert!(
        text(&out).contains("脱贫劳动力务工就业人数"),
        "{}",
        text(&out)
    );

    // Today's month: recorded once (0), then 5; a bad worker 2; another village 3.
    let workers: Vec<String> = done["labour"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| format!("{}:nearby::本村合作社:1500", l["position"]))
        .collect();
    let mut args = vec!["record", n];
    for w in &workers {
        args.extend(["--worker", w.as_str()]);
    }
    let out = lb("village_team", &args);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(code(&lb("village_team", &args)), 5);
    let out = lb("village_team", &["record", n, "--worker", "0:boss"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let all = json(&lb("county_admin", &["list", "--json"]));
    let other = all
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["village"] != done["village"])
        .unwrap()["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = lb("village_team", &["record", &other, "--worker", "0:nearby"]);
    assert_eq!(code(&out), 3, "{}", text(&out));
}
