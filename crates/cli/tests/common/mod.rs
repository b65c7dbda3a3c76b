//! What the command-line tests share: running the real binary on a data folder and reading its answer.
#![allow(dead_code)] // each test binary uses its own part

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Runs `shouwang ARGS` on the data folder `dir` (no database URL, no default user, quiet log).
pub fn shouwang(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shouwang"))
        .env_remove("SHOUWANG_DATABASE_URL")
        .env_remove("SHOUWANG_USER")
        .env("SHOUWANG_DATA_DIR", dir)
        .env("SHOUWANG_LOG", "warn")
        .args(args)
        .output()
        .expect("run shouwang")
}

/// Standard output and error, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The exit code (-1: killed by a signal).
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// The JSON a successful command printed.
pub fn json(o: &Output) -> Value {
    assert_eq!(code(o), 0, "{}", text(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}
