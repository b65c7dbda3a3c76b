//! `shouwang screen` in file mode, the real binary end to end: the output files (`flagged.csv`,
//! `rejected.csv` beside it) agree with `bench/reference/reference.py` on a generated input with
//! malformed rows. The engine itself is tested in `crates/screen/tests/screening.rs`.
//!
//! Needs Python 3 (standard library only) for `bench/reference/gen_screening.py` and `reference.py`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's `bench/reference/`: the input generator and the independent reference engine.
fn reference_dir() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/reference");
    assert!(
        p.join("reference.py").exists(),
        "bench/reference/reference.py not found at {}",
        p.display()
    );
    p
}

fn generate(dir: &Path, households: u32, seed: u32, dirty: &str) {
    let st = Command::new("python3")
        .arg(reference_dir().join("gen_screening.py"))
        .args(["--out"])
        .arg(dir)
        .args([
            "--households",
            &households.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .args(["--dirty", dirty])
        .output()
        .expect("python3 runs");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
}

/// Runs reference.py; returns (flagged.csv bytes, summary lines, skipped lines).
fn reference(dir: &Path, extra: &[&str]) -> (Vec<u8>, Vec<String>, Vec<String>) {
    let out = dir.join("reference_flagged.csv.out");
    let st = Command::new("python3")
        .arg(reference_dir().join("reference.py"))
        .arg(dir)
        .arg(&out)
        .args(extra)
        .output()
        .expect("python3 runs");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let err = String::from_utf8_lossy(&st.stderr);
    let pick = |p: &str| {
        err.lines()
            .filter(|l| l.starts_with(p))
            .map(String::from)
            .collect()
    };
    let bytes = std::fs::read(&out).expect("reference output");
    std::fs::remove_file(&out).ok();
    (bytes, pick("summary"), pick("skipped"))
}

#[test]
fn cli_writes_flagged_and_rejected() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("in");
    generate(&data, 300, 9, "0.05");
    let out = tmp.path().join("flagged.csv");
    let run = Command::new(env!("CARGO_BIN_EXE_shouwang"))
        .env_remove("SHOUWANG_DATABASE_URL")
        .env_remove("SHOUWANG_DATA_DIR")
        .env("SHOUWANG_LOG", "warn")
        .arg("screen")
        .arg("--input")
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .args(["--year", "2022", "--as-of", "2022-06-30", "--line", "6500"])
        .args(["--threads", "2", "--quiet"])
        .output()
        .expect("shouwang runs");
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (ref_csv, ref_summary, ref_skipped) = reference(&data, &[]);
    assert!(std::fs::read(&out).expect("out") == ref_csv);
    let rejected = std::fs::read_to_string(tmp.path().join("rejected.csv")).expect("rejected");
    let mut lines = rejected.lines();
    assert_eq!(lines.next(), Some("\u{FEFF}file,line,column,reason"));
    let first = lines.next().expect("a rejected row");
    // same file and line as reference.py's first skipped row
    let want = ref_skipped[0].trim_start_matches("skipped ");
    let (file_line, _) = want.split_once(':').expect("colon");
    let (file, line) = file_line.split_once(" line ").expect("line");
    assert!(
        first.starts_with(&format!("{file},{line},")),
        "{first} vs {want}"
    );
    // one row per skipped row of the summary
    let skipped: u64 = ref_summary
        .iter()
        .filter_map(|l| l.split(" skipped=").nth(1))
        .filter_map(|r| r.split(' ').next()?.parse::<u64>().ok())
        .sum();
    assert!(skipped > 0);
    assert_eq!(rejected.lines().count() as u64 - 1, skipped);
}
