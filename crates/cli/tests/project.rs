//! `shouwang project …` on a temporary SQLite demo county: the demo village's projects in every state, a
//! project applied by the village team and taken through 乡审核, 行业部门论证 and 县备案 by their roles, a step
//! by the wrong role refused with exit code 3, a payment and one over the plan refused with exit code 5,
//! the board.

mod common;
use common::{code, json, shouwang, text};

#[test]
fn a_project_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let out = shouwang(dir, &["demo", "--classic", "--households", "200"]);
    assert!(out.status.success(), "{}", text(&out));
    let p = |user: &str, args: &[&str]| {
        let mut all = vec!["project", "--user", user];
        all.extend_from_slice(args);
        shouwang(dir, &all)
    };
    let all = json(&p("county_admin", &["list", "--json"]));
    assert_eq!(all.as_array().unwrap().len(), 7);

    let out = p(
        "village_team",
        &[
            "apply",
            "--name",
            "命令行测试项目",
            "--kind",
            "employment",
            "--year-from",
            "2022",
            "--plan",
            "county=1000",
            "--plan",
            "other=500.50",
            "--on",
            "2022-11-01",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let id = json(&out)["id"].as_i64().unwrap().to_string();
    let out = p(
        "county_admin",
        &[
            "step",
            &id,
            "--step",
            "township_review",
            "--on",
            "2022-11-02",
        ],
    );
    assert_eq!(code(&out), 3, "{}", text(&out));
    for (user, step, on) in [
        ("township_admin", "township_review", "2022-11-02"),
        ("department", "department_review", "2022-11-03"),
        ("county_admin", "county_filing", "2022-11-04"),
    ] {
        let out = p(
            user,
            &["step", &id, "--step", step, "--on", on, "--opinion", "同意"],
        );
        assert!(out.status.success(), "{step}: {}", text(&out));
    }
    let pay = |amount: &str| {
        p(
            "county_admin",
            &[
                "pay",
                &id,
                "--source",
                "other",
                "--amount",
                amount,
                "--on",
                "2022-11-05",
                "--voucher",
                "V-1",
            ],
        )
    };
    assert!(pay("500").status.success());
    let out = pay("0.51");
    assert_eq!(code(&out), 5, "{}", text(&out));
    assert!(text(&out).contains("最多还可拨付0.50元"), "{}", text(&out));
    let sheet = json(&p("auditor", &["show", &id, "--json"]));
    assert_eq!(sheet["entry"]["state"], "filed");
    assert_eq!(sheet["entry"]["progress"]["paid"], 50_000);
    let board = text(&p("county_admin", &["board", "--year", "2022"]));
    assert!(
        board.contains("圪塔上乡") && board.contains("合计"),
        "{board}"
    );
}
