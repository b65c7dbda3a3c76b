//! Crash safety (issue 20 part 3), the real binary on SQLite and on PostgreSQL: `shouwang` is killed with
//! SIGKILL at random moments during a registry import, a screening round and a burst of writes through
//! the server, and started again. After every kill: the import and the round are all there or not at all
//! (each is one transaction), every write the server acknowledged is there with exactly one audit row
//! each and none without, the SQLite file passes `PRAGMA integrity_check`, the server starts again.
//! Re-running the import and the round after they completed changes nothing.
//!
//! Kill moments: uniform in `[0, D)`, `D` doubling from 50 ms until a run finishes before its kill, so
//! the kills fall early and late in the work whatever the machine's speed. The random seed is printed;
//! `SHOUWANG_CRASH_SEED=N` repeats a run. Needs Python 3 for `bench/gen_demo_departments.py`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement};
use shouwang_store::Db;
use shouwang_store::testing::{PG_URL_VAR, SKIP_PG_VAR, ScratchPg};

/// Households of the county imported.
const HOUSEHOLDS: u32 = 800;
/// Servers killed during the burst of writes.
const SERVER_KILLS: usize = 3;
const PASSWORD: &str = "Crash-Test-2026!";

fn shouwang() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shouwang"));
    c.env_remove("SHOUWANG_DATABASE_URL")
        .env_remove("SHOUWANG_DATA_DIR")
        .env("SHOUWANG_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// xorshift64*: the kill moments, repeatable from the printed seed.
struct Dice(u64);

impl Dice {
    fn new() -> Dice {
        let seed = std::env::var("SHOUWANG_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .subsec_nanos() as u64
                    | 1
            });
        eprintln!("crash test seed: SHOUWANG_CRASH_SEED={seed}");
        Dice(seed)
    }

    /// Uniform in `[0, max)`.
    fn below(&mut self, max: Duration) -> Duration {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let r = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        max.mul_f64(r as f64 / (1u64 << 53) as f64)
    }
}

/// The database under test: its `--data-dir`/`--database-url` arguments and its URL.
struct Target {
    args: Vec<String>,
    url: String,
    sqlite: Option<PathBuf>,
}

impl Target {
    fn run(&self, args: &[&str]) -> std::process::ExitStatus {
        shouwang()
            .args(args)
            .args(&self.args)
            .status()
            .expect("run shouwang")
    }

    fn spawn(&self, args: &[&str]) -> Child {
        shouwang()
            .args(args)
            .args(&self.args)
            .spawn()
            .expect("spawn shouwang")
    }

    /// The first column of every row of `sql`, as text.
    fn column(&self, rt: &tokio::runtime::Runtime, sql: &str) -> Vec<String> {
        rt.block_on(async {
            let db = Db::connect(&self.url).await.expect("connect");
            let rows = db
                .conn()
                .query_all_raw(Statement::from_string(db.backend(), sql.to_owned()))
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            let out = rows
                .iter()
                .map(|r| {
                    r.try_get_by_index::<String>(0)
                        .or_else(|_| r.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                        .unwrap_or_default()
                })
                .collect();
            db.close().await.ok();
            out
        })
    }

    fn count(&self, rt: &tokio::runtime::Runtime, sql: &str) -> i64 {
        self.column(rt, sql)[0].parse().expect("a count")
    }

    /// SQLite's own check of the file after a kill.
    fn integrity(&self) {
        if let Some(file) = &self.sqlite {
            let c = rusqlite::Connection::open(file).unwrap();
            let ok: String = c
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(ok, "ok", "SQLite integrity after a kill");
        }
    }
}

/// Kills `args` at random moments until a run finishes before its kill; after each kill `check()`.
/// Returns how many runs were killed.
fn kill_until_done(
    target: &Target,
    dice: &mut Dice,
    args: &[&str],
    mut check: impl FnMut(),
) -> u32 {
    let mut window = Duration::from_millis(50);
    let mut killed = 0;
    loop {
        let mut child = target.spawn(args);
        let at = dice.below(window);
        std::thread::sleep(at);
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.code().is_some_and(|c| c <= 1), "{args:?}: {status}");
            return killed;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        killed += 1;
        target.integrity();
        check();
        window *= 2;
    }
}

/// The registry as content (no ids, no timestamps): households, members, income records.
fn registry(target: &Target, rt: &tokio::runtime::Runtime) -> Vec<String> {
    let mut out = target.column(
        rt,
        "SELECT h.number || '|' || h.village_code || '|' || COALESCE(h.address, '') || '|' || \
         m.id_number || '|' || m.name || '|' || m.relation FROM members m JOIN households h \
         ON h.id = m.household_id AND h.county_code = m.county_code",
    );
    out.extend(target.column(
        rt,
        "SELECT h.number || '|' || CAST(i.year AS TEXT) FROM income_records i JOIN households h \
         ON h.id = i.household_id AND h.county_code = i.county_code",
    ));
    out.sort();
    out
}

/// A county's registry workbook and department files (of the classic demo county), made once.
struct Inputs {
    _dir: tempfile::TempDir,
    workbook: PathBuf,
    departments: PathBuf,
}

fn inputs() -> Inputs {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    let d = src.to_str().unwrap();
    let n = HOUSEHOLDS.to_string();
    let ok = |s: std::process::ExitStatus| assert!(s.success(), "{s}");
    ok(shouwang()
        .args([
            "demo",
            "--classic",
            "--households",
            &n,
            "--seed",
            "5",
            "--data-dir",
            d,
        ])
        .status()
        .unwrap());
    let workbook = dir.path().join("registry.xlsx");
    ok(shouwang()
        .args([
            "export",
            "registry",
            "--out",
            workbook.to_str().unwrap(),
            "--data-dir",
            d,
        ])
        .status()
        .unwrap());
    let departments = dir.path().join("departments");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/gen_demo_departments.py");
    ok(Command::new("python3")
        .arg(script)
        .arg("--registry")
        .arg(&workbook)
        .arg("--out")
        .arg(&departments)
        .stdout(Stdio::null())
        .status()
        .expect("python3 runs"));
    Inputs {
        _dir: dir,
        workbook,
        departments,
    }
}

/// A minimal HTTP/1.1 client (one request per connection): the status and the body, or `None` when the
/// server is gone.
fn http(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.get(9..12)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    // Chunked bodies: the JSON is between the first chunk size line and the terminating chunk.
    let body = match body.split_once("\r\n") {
        Some((size, rest))
            if u64::from_str_radix(size.trim(), 16).is_ok() && !body.starts_with('{') =>
        {
            rest.rsplit_once("\r\n0\r\n")
                .map_or(rest.to_owned(), |(b, _)| b.to_owned())
        }
        _ => body,
    };
    Some((status, body))
}

/// Starts `serve` on a free port; the child and its address.
fn serve(target: &Target) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shouwang"))
        .env_remove("SHOUWANG_DATABASE_URL")
        .env_remove("SHOUWANG_DATA_DIR")
        .env("SHOUWANG_LOG", "error")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(&target.args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let out = child.stdout.take().unwrap();
    for line in BufReader::new(out).lines() {
        let line = line.unwrap();
        if let Some(at) = line.find("http://") {
            return (child, line[at + 7..].trim_end_matches('/').to_owned());
        }
    }
    child.kill().ok();
    child.wait().ok();
    panic!("serve printed no address (it did not start again after a kill?)");
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// Writers change one household each (no contention), counting the changes the server acknowledged,
/// until the server is killed under them.
fn burst(target: &Target, rt: &tokio::runtime::Runtime, dice: &mut Dice, numbers: &[String]) {
    let writes = |n: &str| {
        target.count(
            rt,
            &format!(
                "SELECT COUNT(*) FROM audit_log WHERE entity = 'household' AND entity_id = '{n}' \
                 AND action = 'update'"
            ),
        )
    };
    let version = |n: &str| {
        target.count(
            rt,
            &format!("SELECT version FROM households WHERE number = '{n}'"),
        )
    };
    for round in 0..SERVER_KILLS {
        let before: Vec<(i64, i64)> = numbers.iter().map(|n| (version(n), writes(n))).collect();
        let (mut server, addr) = serve(target);
        let (s, login) = http(
            &addr,
            "POST",
            "/api/v1/login",
            None,
            &format!(r#"{{"username":"crash_admin","password":"{PASSWORD}"}}"#),
        )
        .expect("login");
        assert_eq!(s, 200, "{login}");
        let token = json(&login)["token"].as_str().unwrap().to_owned();
        let acked: Vec<_> = numbers
            .iter()
            .map(|n| {
                let (addr, token, n) = (addr.clone(), token.clone(), n.clone());
                std::thread::spawn(move || {
                    let path = format!("/api/v1/households/{n}");
                    let mut acked = 0i64;
                    for i in 0.. {
                        let Some((200, h)) = http(&addr, "GET", &path, Some(&token), "") else {
                            return acked;
                        };
                        // A body cut off by the kill ends the writer like no answer at all.
                        let Some(v) = serde_json::from_str::<serde_json::Value>(&h)
                            .ok()
                            .and_then(|h| h["version"].as_i64())
                        else {
                            return acked;
                        };
                        let body = format!(
                            r#"{{"version":{v},"fields":{{"address":"崩溃测试{round}-{i}"}}}}"#
                        );
                        match http(&addr, "PATCH", &path, Some(&token), &body) {
                            Some((200, _)) => acked += 1,
                            Some((s, e)) => panic!("{s} {e}"),
                            None => return acked,
                        }
                    }
                    acked
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(100) + dice.below(Duration::from_millis(900)));
        server.kill().unwrap();
        server.wait().unwrap();
        let acked: Vec<i64> = acked.into_iter().map(|t| t.join().unwrap()).collect();
        target.integrity();
        eprintln!("server killed in round {round}: acknowledged writes {acked:?}");
        for ((n, (v0, w0)), acked) in numbers.iter().zip(before).zip(acked) {
            let (v, w) = (version(n), writes(n));
            // Each committed change has its audit row; every acknowledged one is committed; at most
            // the one in flight when the server died is committed unacknowledged.
            assert_eq!(v - v0, w - w0, "household {n}: versions against audit rows");
            assert!(
                (acked..=acked + 1).contains(&(v - v0)),
                "household {n}: {acked} acknowledged, {} committed",
                v - v0
            );
        }
    }
    // And it starts once more, and serves.
    let (mut server, addr) = serve(target);
    let (s, _) = http(&addr, "GET", "/healthz", None, "").expect("healthz");
    assert_eq!(s, 200);
    server.kill().ok();
    server.wait().ok();
}

fn crash_everything(target: Target) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let inputs = inputs();
    let mut dice = Dice::new();
    assert!(target.run(&["migrate"]).success());
    let households = "SELECT COUNT(*) FROM households";
    let members = "SELECT COUNT(*) FROM members";
    let created = "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND entity = 'household'";

    // 1. The registry import: after each kill, nothing of it or all of it.
    let workbook = inputs.workbook.to_str().unwrap();
    let mut seen = Vec::new();
    let killed = kill_until_done(
        &target,
        &mut dice,
        &["import", "registry", workbook],
        || {
            seen.push((
                target.count(&rt, households),
                target.count(&rt, members),
                target.count(&rt, created),
            ));
        },
    );
    let (h, m) = (target.count(&rt, households), target.count(&rt, members));
    assert_eq!(h, i64::from(HOUSEHOLDS));
    for s in &seen {
        assert!(
            *s == (0, 0, 0) || *s == (h, m, h),
            "a killed import left {s:?} (of {h} households, {m} members)"
        );
    }
    let after_import = registry(&target, &rt);
    assert!(
        target
            .run(&["import", "registry", workbook])
            .code()
            .is_some_and(|c| c <= 1)
    );
    assert_eq!(
        registry(&target, &rt),
        after_import,
        "a re-import changes nothing"
    );
    eprintln!("import: {killed} runs killed, {seen:?}");

    // 2. A screening round (one write transaction): all its clues and cases, or none.
    assert!(
        target
            .run(&[
                "user",
                "add",
                "--role",
                "department",
                "--area",
                "141123",
                "--username",
                "crash_dept",
                "--password",
                PASSWORD
            ])
            .success()
    );
    let clues = "SELECT COUNT(*) FROM cases";
    let logged = "SELECT COUNT(*) FROM audit_log WHERE entity = 'case'";
    let state = |t: &Target| (t.count(&rt, clues), t.count(&rt, logged));
    let base = state(&target);
    let deps = inputs.departments.to_str().unwrap();
    let round = [
        "screen",
        "--input",
        deps,
        "--month",
        "2022-06",
        "--user",
        "crash_dept",
        "--on",
        "2022-07-05",
        "--quiet",
    ];
    let mut seen = Vec::new();
    let killed = kill_until_done(&target, &mut dice, &round, || seen.push(state(&target)));
    let done = state(&target);
    assert!(
        done.0 > base.0,
        "the round recorded clues: {base:?} → {done:?}"
    );
    for s in &seen {
        assert!(
            *s == base || *s == done,
            "a killed round left {s:?} (before {base:?}, after {done:?})"
        );
    }
    let cases = |t: &Target| {
        let mut c = t.column(&rt, "SELECT household_number || '|' || lifecycle || '|' || CAST(version AS TEXT) FROM cases");
        c.sort();
        c
    };
    let after_round = cases(&target);
    assert!(target.run(&round).success());
    assert_eq!(
        cases(&target),
        after_round,
        "a re-run round changes nothing"
    );
    assert_eq!(state(&target), done);
    eprintln!("screening: {killed} runs killed, {seen:?}");

    // 3. A burst of writes through the server, killed under it.
    assert!(
        target
            .run(&[
                "user",
                "add",
                "--role",
                "county_admin",
                "--area",
                "141123",
                "--username",
                "crash_admin",
                "--password",
                PASSWORD
            ])
            .success()
    );
    let numbers = target.column(&rt, "SELECT number FROM households ORDER BY number");
    burst(&target, &rt, &mut dice, &numbers[..4]);
}

#[test]
fn killed_at_random_moments_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    crash_everything(Target {
        args: vec!["--data-dir".into(), dir.path().to_str().unwrap().into()],
        url: shouwang_store::sqlite_url(dir.path()),
        sqlite: Some(dir.path().join(shouwang_store::SQLITE_FILE)),
    });
}

#[test]
fn killed_at_random_moments_postgres() {
    if std::env::var(PG_URL_VAR).is_err() && std::env::var(SKIP_PG_VAR).as_deref() == Ok("1") {
        eprintln!("{SKIP_PG_VAR}=1: PostgreSQL half of this test skipped");
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let pg = rt.block_on(ScratchPg::create());
    let url = pg.url.clone();
    let outcome = std::panic::catch_unwind(|| {
        crash_everything(Target {
            args: vec!["--database-url".into(), url.clone()],
            url: url.clone(),
            sqlite: None,
        })
    });
    rt.block_on(pg.drop());
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
