//! The binary end to end on a temporary SQLite data dir: `serve --demo`
//! answers over HTTP, `demo`, `migrate` and `user add` work, bad input gives a
//! clear error and a non-zero exit, never a panic.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

fn shouwang() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shouwang"));
    c.env_remove("SHOUWANG_DATABASE_URL")
        .env_remove("SHOUWANG_DATA_DIR")
        .env("SHOUWANG_LOG", "warn");
    c
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read response");
    out
}

#[test]
fn serve_demo_prints_url_and_accounts_and_serves_login() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = shouwang()
        .args([
            "serve",
            "--demo",
            "--demo-households",
            "150",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
        ])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = None;
    let mut printed = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push(line.clone());
        if let Some(at) = line.find("http://") {
            url = Some(line[at + 7..].trim_end_matches('/').to_string());
        }
        if line.contains("auditor") {
            break;
        }
    }
    let addr = url.unwrap_or_else(|| panic!("no URL printed: {printed:?}"));
    let text = printed.join("\n");
    assert!(
        text.contains("county_admin") && text.contains("village_team"),
        "{text}"
    );

    let health = http_get(&addr, "/healthz");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let login = http_get(&addr, "/login");
    assert!(
        login.starts_with("HTTP/1.1 200") && login.contains("登录"),
        "{login}"
    );
    let list = http_get(&addr, "/households");
    assert!(
        list.starts_with("HTTP/1.1 303"),
        "not logged in → login: {list}"
    );
    child.kill().ok();
    child.wait().ok();
    assert!(
        dir.path().join("shouwang.db").exists(),
        "SQLite file in the data dir"
    );
}

#[test]
fn demo_migrate_and_user_add() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let out = shouwang()
        .args(["migrate", "--data-dir", d])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = shouwang()
        .args([
            "demo",
            "--households",
            "100",
            "--seed",
            "3",
            "--data-dir",
            d,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("100"));

    let out = shouwang()
        .args([
            "user",
            "add",
            "--role",
            "village_team",
            "--area",
            "141123100200",
            "--username",
            "wang",
            "--password",
            "s3cret-pass",
            "--data-dir",
            d,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Bad input: an unknown role and a malformed area are refused with a reason, exit 1, no panic.
    for args in [
        ["--role", "king", "--area", "141123"],
        ["--role", "village_team", "--area", "14x"],
    ] {
        let out = shouwang()
            .args(["user", "add"])
            .args(args)
            .args([
                "--username",
                "li",
                "--password",
                "s3cret-pass",
                "--data-dir",
                d,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("错误") && !err.contains("panicked"), "{err}");
    }
}

#[test]
fn bad_database_url_is_a_clear_error() {
    let out = shouwang()
        .args(["migrate", "--database-url", "mysql://nobody@127.0.0.1:1/x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot open database") && !err.contains("panicked"),
        "{err}"
    );
}

/// Personal data: the data folder, the database and its attachments are the owner's only (issue 19).
#[cfg(unix)]
#[test]
fn data_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = shouwang()
        .args(["demo", "--households", "60", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut checked = 0;
    let mut stack = vec![data];
    while let Some(p) = stack.pop() {
        let meta = std::fs::metadata(&p).unwrap();
        assert_eq!(
            meta.permissions().mode() & 0o077,
            0,
            "{} is open to others: {:o}",
            p.display(),
            meta.permissions().mode()
        );
        checked += 1;
        if meta.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
        }
    }
    assert!(checked >= 3, "{checked}");
}
