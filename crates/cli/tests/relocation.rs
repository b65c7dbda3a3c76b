//! `shouwang relocation …` on a temporary SQLite demo county: the settlement point's households with the
//! target in every state, the figures, the list that misses the target, a household's screenings, a
//! screening of another village refused with exit code 3 and a bad `--worker` with exit code 2.

mod common;
use common::{code, json, shouwang, text};

#[test]
fn the_county_reads_the_register_and_a_village_team_is_refused_elsewhere() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--classic", "--households", "400"]);
    assert!(out.status.success(), "{}", text(&out));
    let rl = |user: &str, args: &[&str]| {
        let mut all = vec!["relocation", "--user", user];
        all.extend_from_slice(args);
        shouwang(dir, &all)
    };
    let all = json(&rl(
        "county_admin",
        &["list", "--quarter", "2022-Q4", "--json"],
    ));
    let rows = all.as_array().unwrap();
    let targets: Vec<&str> = rows.iter().map(|e| e["target"].as_str().unwrap()).collect();
    assert!(targets.contains(&"met"), "{targets:?}");
    let f = json(&rl("county_admin", &["figures", "--json"]));
    let misses = json(&rl(
        "county_admin",
        &["list", "--target", "misses", "--json"],
    ));
    assert_eq!(
        f["missing"].as_u64().unwrap() as usize,
        misses.as_array().unwrap().len()
    );
    let out = rl("county_admin", &["figures"]);
    assert!(text(&out).contains("稳定就业"), "{}", text(&out));

    // A screened household of the point shows its screenings.
    let screened = rows
        .iter()
        .find(|e| e["quarter"]["status"] == "done")
        .expect("a screened household");
    let n = screened["number"].as_str().unwrap();
    let sheet = json(&rl("county_admin", &["show", n, "--json"]));
    assert!(!sheet["screenings"].as_array().unwrap().is_empty());

    // The demo village's team: another village's household (3), a bad worker (2).
    let out = rl(
        "village_team",
        &["screen", n, "--worker", "0:stable_job:in_county"],
    );
    assert_eq!(code(&out), 3, "{}", text(&out));
    let out = rl("village_team", &["screen", n, "--worker", "0:boss"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
}
