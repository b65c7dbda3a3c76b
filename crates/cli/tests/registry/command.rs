//! The command: exit status and output.

use super::*;

// ------------------------------------------------------------------------------------------------
// The command: exit status and output.

#[test]
fn command_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let good = dir.path().join("good.xlsx");
    std::fs::write(
        &good,
        one_sheet(true, &three_households())
            .save_to_buffer()
            .unwrap(),
    )
    .unwrap();
    let mut rows = three_households();
    rows[0][9] = "邻居".into();
    let some_bad = dir.path().join("some-bad.xlsx");
    std::fs::write(&some_bad, one_sheet(false, &rows).save_to_buffer().unwrap()).unwrap();
    let pdf = dir.path().join("scan.xlsx");
    std::fs::write(&pdf, b"%PDF-1.4 not a sheet").unwrap();
    let run = |args: &[&str]| {
        let out = shouwang()
            .args(args)
            .arg("--data-dir")
            .arg(&data)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!text.contains("panicked"), "{text}");
        (out.status.code(), text)
    };
    let p = |x: &std::path::Path| x.to_str().unwrap().to_owned();

    let (code, text) = run(&["import", "registry", &p(&pdf)]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("不是电子表格"), "{text}");

    let (code, text) = run(&["import", "registry", &p(&some_bad), "--dry-run"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("some-bad.xlsx") || text.contains("农户台账 第2行"),
        "{text}"
    );
    assert!(
        text.contains("农户台账 第2行 [与户主关系] “邻居”"),
        "{text}"
    );

    let report = dir.path().join("problems.csv");
    let (code, text) = run(&[
        "import",
        "registry",
        &p(&some_bad),
        "--all-or-nothing",
        "--report",
        &p(&report),
    ]);
    assert_eq!(code, Some(1), "{text}");
    let csv = std::fs::read_to_string(&report).unwrap();
    assert!(csv.starts_with('\u{FEFF}') && csv.contains("邻居"), "{csv}");

    let (code, text) = run(&["import", "registry", &p(&good)]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("新增 3 户"), "{text}");
    let (code, text) = run(&["import", "registry", &p(&good)]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("未变 3 户"), "{text}");

    // export and template
    let out = dir.path().join("out.xlsx");
    let (code, text) = run(&[
        "export",
        "registry",
        "--out",
        &p(&out),
        "--area",
        "141123208",
    ]);
    assert_eq!(code, Some(0), "{text}");
    let sheets = cells(&std::fs::read(&out).unwrap());
    assert_eq!(sheets[0].1.len(), 4);
    assert_eq!(sheets[1].1.len(), 7);
    let template = dir.path().join("template.xlsx");
    let out = shouwang()
        .args(["export", "template", "registry", "--out", &p(&template)])
        .output()
        .unwrap();
    assert!(out.status.success());
    let t = cells(&std::fs::read(&template).unwrap());
    assert_eq!(
        t.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["户信息", "家庭成员", "收支情况", "填表说明"]
    );
    // The empty template itself is a valid (empty) registry file.
    let e = shouwang_io::registry::read_assembled(
        "t.xlsx",
        &std::fs::read(&template).unwrap(),
        &|_, _| {},
    );
    let (_, a) = e.unwrap();
    assert!(a.entries.is_empty() && a.incomes.is_empty() && a.problems.is_empty());
}

// ------------------------------------------------------------------------------------------------
// Streaming: households written early are undone when later rows change them or the whole-file checks
// reject them; regions created only for them go too.
