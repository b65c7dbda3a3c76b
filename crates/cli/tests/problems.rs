//! `shouwang problems …` on a temporary SQLite demo county: the demo's problems in every state with their
//! photo in the data folder's attachment store; a village's water problem recorded by the
//! village team, a step without evidence refused (exit 2), a step with a photo (kept in the data folder's
//! attachment store, the server's), 销号 refused to the village team (3) and done by the township, the
//! list with its board; another village's user does not find it (4).

mod common;
use common::{code, json, shouwang, text};

#[test]
fn a_problem_from_the_command_line_to_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--classic", "--households", "60"]);
    assert!(out.status.success(), "{}", text(&out));
    let pr = |user: &str, args: &[&str]| {
        let mut all = vec!["problems", "--user", user];
        all.extend_from_slice(args);
        shouwang(dir, &all)
    };
    // The demo village's problems, in every state, the photo in the data folder's attachment store.
    let demo = json(&pr("township_admin", &["list", "--json"]));
    let demo = demo.as_array().unwrap();
    let states: Vec<&str> = demo.iter().map(|p| p["status"].as_str().unwrap()).collect();
    for s in ["open", "rectifying", "closed"] {
        assert!(states.contains(&s), "{s} in {states:?}");
    }
    assert!(demo.iter().any(|p| p["overdue"] == true));
    let closed = demo.iter().find(|p| p["status"] == "closed").unwrap();
    let demo_sha = closed["problem"]["steps"][0]["evidence"][0]["sha256"]
        .as_str()
        .unwrap();
    assert!(
        dir.join("attachments/141123")
            .join(&demo_sha[..2])
            .join(demo_sha)
            .is_file()
    );

    let added = json(&pr(
        "village_team",
        &[
            "add",
            "--village",
            "141123208201",
            "--sector",
            "饮水安全保障",
            "--found",
            "村集中供水点本季度未做水质检测",
            "--deadline",
            "2099-12-31",
            "--json",
        ],
    ));
    let id = added["problem"]["id"].as_i64().unwrap().to_string();
    assert_eq!(added["problem"]["problem"]["unit"], "water", "{added}");
    let out = pr(
        "village_team",
        &["step", &id, "--version", "1", "--done", "已送检"],
    );
    assert_eq!(code(&out), 2, "no evidence: {}", text(&out));
    let photo = dir.join("检测报告.png");
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\nwater-test-report").unwrap();
    let step = json(&pr(
        "village_team",
        &[
            "step",
            &id,
            "--version",
            "1",
            "--done",
            "已送县疾控中心检测，水质合格",
            "--evidence",
            photo.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(step["status"], "rectifying");
    let sha = step["problem"]["steps"][0]["evidence"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        dir.join("attachments/141123")
            .join(&sha[..2])
            .join(&sha)
            .is_file(),
        "the photo is in the server's attachment store"
    );
    let out = pr(
        "village_team",
        &["close", &id, "--version", "2", "--opinion", "合格"],
    );
    assert_eq!(
        code(&out),
        3,
        "the village team may not close: {}",
        text(&out)
    );
    let out = pr(
        "township_admin",
        &[
            "close",
            &id,
            "--version",
            "2",
            "--opinion",
            "经查验，水质检测已完成",
        ],
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("已销号"), "{}", text(&out));
    let out = pr(
        "township_admin",
        &["list", "--sector", "drinking_water", "--status", "closed"],
    );
    let listed = text(&out);
    assert!(
        listed.contains("本季度未做水质检测") && listed.contains("饮水安全保障：待整改"),
        "{listed}"
    );
    let out = pr("township_admin", &["list", "--status", "nonsense"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let out = pr("department", &["show", &id]);
    assert_eq!(
        code(&out),
        3,
        "a department reads no registry data: {}",
        text(&out)
    );
}
