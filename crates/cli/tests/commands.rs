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

/// A missing, unreadable or invalid certificate or key stops `serve` with one line naming the file,
/// before it listens or opens the database.
#[test]
fn bad_tls_files_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("junk.pem"), "not PEM at all").unwrap();
    std::fs::write(
        d.join("empty-cert.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    // (certificate, key, what the message says, the file it names)
    let cases = [
        (
            "missing.pem",
            "missing.pem",
            "cannot read the TLS certificate file",
            "missing.pem",
        ),
        (
            "junk.pem",
            "junk.pem",
            "the TLS certificate file",
            "junk.pem",
        ),
        (
            "empty-cert.pem",
            "junk.pem",
            "the TLS private key file",
            "junk.pem",
        ),
    ];
    for (cert, key, says, names) in cases {
        let out = shouwang()
            .args(["serve", "--listen", "127.0.0.1:0", "--tls-cert"])
            .arg(d.join(cert))
            .arg("--tls-key")
            .arg(d.join(key))
            .arg("--data-dir")
            .arg(d.join("data"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{cert} {key}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(says) && err.contains(names) && !err.contains("panicked"),
            "{cert} {key}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(
            !d.join("data").join("shouwang.db").exists(),
            "no database opened"
        );
    }
}

/// `serve --tls-self-signed` end to end: the certificate is created in the data dir (mode 0600) and its
/// fingerprint printed; a client that trusts exactly that fingerprint logs in over HTTPS and gets a
/// `__Host-` session cookie, `Secure` cookies and HSTS; a restart reuses the certificate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_tls_self_signed_logs_in_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, url, fingerprint, printed) = start_tls(dir.path(), true);
    assert!(printed.contains("已生成 / created"), "{printed}");
    assert!(url.starts_with("https://127.0.0.1:"), "{printed}");

    // The certificate and key are the owner's only, and the fingerprint is the certificate's.
    use std::os::unix::fs::PermissionsExt;
    for f in ["tls-self-signed-cert.pem", "tls-self-signed-key.pem"] {
        let mode = std::fs::metadata(dir.path().join(f))
            .unwrap_or_else(|e| panic!("{f}: {e}"))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{f} is {mode:o}");
    }
    use rustls::pki_types::pem::PemObject;
    let der = rustls::pki_types::CertificateDer::from_pem_file(
        dir.path().join("tls-self-signed-cert.pem"),
    )
    .unwrap();
    assert_eq!(pinned::hex(&der), fingerprint);

    let addr = url.trim_start_matches("https://").to_string();
    let login = pinned::request(&addr, &fingerprint, "GET /login", &[], "")
        .await
        .unwrap();
    assert_eq!(login.status, 200);
    assert_eq!(
        login.header("strict-transport-security"),
        Some("max-age=31536000")
    );
    let csrf_line = login.cookie_line("sw_login_csrf");
    assert!(csrf_line.contains("; Secure"), "{csrf_line}");
    let csrf = cookie_value(&csrf_line);

    let admin = shouwang_app::demo::DEMO_USERS
        .iter()
        .find(|u| u.username == "county_admin" || u.role.to_string() == "county_admin")
        .expect("a county admin demo account");
    let form = format!(
        "username={}&password={}&csrf={csrf}",
        admin.username, admin.password
    );
    let resp = pinned::request(
        &addr,
        &fingerprint,
        "POST /login",
        &[
            ("cookie", &format!("sw_login_csrf={csrf}")),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        &form,
    )
    .await
    .unwrap();
    assert_eq!(resp.status, 303, "logged in: {}", resp.body);
    let session_line = resp.cookie_line("__Host-sw_session");
    for attr in ["; Path=/;", "; HttpOnly", "; Secure"] {
        assert!(session_line.contains(attr), "{attr} in {session_line}");
    }
    let session = cookie_value(&session_line);
    let page = pinned::request(
        &addr,
        &fingerprint,
        "GET /households",
        &[("cookie", &format!("__Host-sw_session={session}"))],
        "",
    )
    .await
    .unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("strict-transport-security"),
        Some("max-age=31536000")
    );
    assert!(page.body.contains("农户信息查询"));

    // A client that expects another certificate gets no answer; neither does plain HTTP.
    let other = "00:".repeat(31) + "00";
    assert!(
        pinned::request(&addr, &other, "GET /login", &[], "")
            .await
            .is_err()
    );
    let plain = plain_http_get(&addr);
    assert!(!plain.starts_with("HTTP/1.1"), "{plain}");
    child.kill().ok();
    child.wait().ok();

    // The next start reuses the certificate: the same fingerprint.
    let (mut child, _, again, printed) = start_tls(dir.path(), false);
    assert!(printed.contains("使用 / using"), "{printed}");
    assert_eq!(again, fingerprint);
    child.kill().ok();
    child.wait().ok();
}

/// What a plain-HTTP request to `addr` gets back (whatever it is; errors are an empty answer).
fn plain_http_get(addr: &str) -> String {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return String::new();
    };
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let _ = write!(
        s,
        "GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Starts `serve --tls-self-signed` on a free port (with `--demo` when `demo`); the child, its URL, the
/// printed fingerprint and everything printed up to the URL (and the accounts).
fn start_tls(dir: &std::path::Path, demo: bool) -> (std::process::Child, String, String, String) {
    let mut cmd = shouwang();
    cmd.args(["serve", "--tls-self-signed", "--listen", "127.0.0.1:0"]);
    if demo {
        cmd.args(["--demo", "--demo-households", "60"]);
    }
    let mut child = cmd
        .arg("--data-dir")
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn serve");
    let mut printed = Vec::new();
    let (mut url, mut fingerprint) = (None, None);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push(line.clone());
        if let Some(at) = line.find("https://") {
            url = Some(line[at..].trim_end_matches('/').to_string());
        }
        if let Some(at) = line.find("fingerprint: ") {
            fingerprint = Some(line[at + 13..].trim().to_string());
        }
        if url.is_some() && (!demo || line.contains("auditor")) {
            break;
        }
    }
    // Keep reading what the server prints after (more demo accounts): a closed pipe would make its
    // next `println!` fail and the server stop.
    std::thread::spawn(move || lines.for_each(drop));
    let printed = printed.join("\n");
    match (url, fingerprint) {
        (Some(u), Some(f)) => (child, u, f, printed),
        _ => {
            child.kill().ok();
            panic!("no URL or fingerprint printed: {printed}")
        }
    }
}

fn cookie_value(line: &str) -> String {
    let pair = line.split(';').next().unwrap_or("");
    pair.split_once('=')
        .map(|(_, v)| v)
        .unwrap_or("")
        .to_string()
}

/// An HTTPS client that trusts one certificate, by its SHA-256 fingerprint, as a person does who
/// compares the fingerprint the server printed with the one the browser shows.
mod pinned {
    use std::sync::Arc;

    use rustls::DigitallySignedStruct;
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use sha2::{Digest, Sha256};

    pub fn hex(der: &[u8]) -> String {
        Sha256::digest(der)
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    #[derive(Debug)]
    struct Pinned {
        fingerprint: String,
        provider: Arc<CryptoProvider>,
    }

    impl ServerCertVerifier for Pinned {
        fn verify_server_cert(
            &self,
            end_entity: &CertificateDer<'_>,
            _: &[CertificateDer<'_>],
            _: &ServerName<'_>,
            _: &[u8],
            _: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            if hex(end_entity) == self.fingerprint {
                Ok(ServerCertVerified::assertion())
            } else {
                Err(rustls::Error::General("not the pinned certificate".into()))
            }
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls12_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            verify_tls13_signature(
                message,
                cert,
                dss,
                &self.provider.signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.provider
                .signature_verification_algorithms
                .supported_schemes()
        }
    }

    #[allow(deprecated)] // the server's provider (crates/web/src/tls.rs)
    fn provider() -> Arc<CryptoProvider> {
        Arc::new(rustls::crypto::ring::default_provider())
    }

    /// The answer to one HTTPS request.
    pub struct Response {
        pub status: u16,
        headers: Vec<(String, String)>,
        pub body: String,
    }

    impl Response {
        /// The first header `name` (lower case).
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        }

        /// The `Set-Cookie` line of cookie `name`.
        pub fn cookie_line(&self, name: &str) -> String {
            self.headers
                .iter()
                .filter(|(n, _)| n == "set-cookie")
                .map(|(_, v)| v)
                .find(|v| v.starts_with(&format!("{name}=")))
                .unwrap_or_else(|| panic!("no {name} cookie: {:?}", self.headers))
                .clone()
        }
    }

    /// One HTTP/1.1 request (`"GET /path"`) over TLS to `addr`, accepting only the certificate with
    /// `fingerprint`; the connection closes after the answer.
    pub async fn request(
        addr: &str,
        fingerprint: &str,
        request_line: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<Response, String> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let provider = provider();
        let config = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Pinned {
                fingerprint: fingerprint.to_string(),
                provider,
            }))
            .with_no_client_auth();
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h).to_string();
        let name = ServerName::try_from(host).map_err(|e| e.to_string())?;
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS: {e}"))?;
        let mut head = format!(
            "{request_line} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        head.push_str("\r\n");
        head.push_str(body);
        tls.write_all(head.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        // The server closes after the answer; an end without TLS close_notify still ends the answer.
        if let Err(e) = tls.read_to_end(&mut raw).await
            && raw.is_empty()
        {
            return Err(e.to_string());
        }
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").ok_or("no HTTP answer")?;
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|c| c.parse().ok())
            .ok_or("no status line")?;
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Ok(Response {
            status,
            headers,
            body: body.to_string(),
        })
    }
}

#[test]
fn backup_and_restore_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (src, copy) = (dir.path().join("src"), dir.path().join("copy"));
    let bak = dir.path().join("county.bak");
    let run = |args: &[&str]| shouwang().args(args).output().expect("run");
    let demo = run(&[
        "demo",
        "--households",
        "30",
        "--data-dir",
        src.to_str().unwrap(),
    ]);
    assert!(demo.status.success());
    // An attachment of the folder goes along, beside the backup.
    let scan = b"%PDF-1.4\n% scan\n";
    let rel = std::path::Path::new("141123/ab").join("ab".repeat(32));
    let att = std::path::Path::new("attachments").join(&rel);
    std::fs::create_dir_all(src.join(&att).parent().unwrap()).unwrap();
    std::fs::write(src.join(&att), scan).unwrap();
    let b = run(&[
        "backup",
        "--out",
        bak.to_str().unwrap(),
        "--data-dir",
        src.to_str().unwrap(),
    ]);
    assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
    assert!(String::from_utf8_lossy(&b.stdout).contains("backup written"));
    // (the demo's own problem photos go along too)
    assert!(String::from_utf8_lossy(&b.stdout).contains("attachments (sealed)"));
    assert!(dir.path().join("county.bak.files").join(&rel).is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&bak).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Not over an existing file; not from a folder without a database.
    let again = run(&[
        "backup",
        "--out",
        bak.to_str().unwrap(),
        "--data-dir",
        src.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2));
    let none = run(&[
        "backup",
        "--out",
        "x.bak",
        "--data-dir",
        copy.to_str().unwrap(),
    ]);
    assert!(
        !none.status.success() && String::from_utf8_lossy(&none.stderr).contains("no database")
    );
    // Without the data key of the backed-up folder (the backup holds none): refused, the folder left
    // without a database; with a key of another folder: refused the same.
    let restore_into = |d: &std::path::Path| {
        run(&[
            "restore",
            bak.to_str().unwrap(),
            "--data-dir",
            d.to_str().unwrap(),
        ])
    };
    let r = restore_into(&copy);
    assert_eq!(r.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("shouwang.key"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(!copy.join("shouwang.db").exists());
    let other = dir.path().join("other");
    assert!(
        run(&["migrate", "--data-dir", other.to_str().unwrap()])
            .status
            .success()
    );
    std::fs::create_dir_all(&copy).unwrap();
    std::fs::copy(other.join("shouwang.key"), copy.join("shouwang.key")).unwrap();
    let r = restore_into(&copy);
    assert_eq!(r.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("does not open"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(!copy.join("shouwang.db").exists());
    // With the folder's own key: restored, and its people read back.
    std::fs::copy(src.join("shouwang.key"), copy.join("shouwang.key")).unwrap();
    let r = restore_into(&copy);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let count = |d: &std::path::Path| -> i64 {
        rusqlite::Connection::open(d.join("shouwang.db"))
            .unwrap()
            .query_row("SELECT COUNT(*) FROM households", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count(&copy), 30);
    assert_eq!(std::fs::read(copy.join(&att)).unwrap(), scan);
    // A folder that holds a database is refused, with the reason.
    let r = run(&[
        "restore",
        bak.to_str().unwrap(),
        "--data-dir",
        src.to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("empty data folder"));
}
