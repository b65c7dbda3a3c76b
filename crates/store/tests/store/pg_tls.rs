//! PostgreSQL over TLS: a throwaway PostgreSQL cluster of this test's own with `ssl=on`, a certificate
//! signed by a CA made here (rcgen), and a `pg_hba.conf` of `hostssl` lines only (no plain `host`).
//!
//! - `sslmode=require` connects over TLS, migrates, writes a user and reads it back;
//! - `sslmode=verify-full&sslrootcert=CA` connects when the CA signed the server's certificate for the
//!   URL's host, and fails with another CA;
//! - `sslmode=disable` is refused by the server.
//!
//! It needs the PostgreSQL server binaries (`initdb`, `pg_ctl`: `PG_BIN`, else the newest
//! `/usr/lib/postgresql/*/bin`; `scripts/test.sh` installs them when missing). Without them it is skipped
//! with a message on stderr; so it is with `SHOUWANG_SKIP_PG=1`. As root the cluster runs as the user
//! `postgres` (`runuser`), as PostgreSQL refuses to run as root.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use sea_orm::{ConnectionTrait, Statement};
use shouwang_core::Role;
use shouwang_store::repo::users;
use shouwang_store::testing::SKIP_PG_VAR;
use shouwang_store::{Actor, Db};

/// The server binaries' folder, if there is one.
fn pg_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PG_BIN") {
        let p = PathBuf::from(p);
        return p.join("initdb").is_file().then_some(p);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A PostgreSQL binary, as `postgres` when we are root.
fn pg(bin: &Path, tool: &str) -> Command {
    let exe = bin.join(tool);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(exe);
        c
    } else {
        Command::new(exe)
    }
}

fn ok(out: std::io::Result<Output>, what: &str) {
    let out = out.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A CA, and a server certificate it signed for 127.0.0.1 and localhost: (CA PEM, cert PEM, key PEM).
fn certificates() -> (String, String, String) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name
        .push(DnType::CommonName, "shouwang test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);

    let mut server =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    server
        .distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    let key = KeyPair::generate().unwrap();
    let cert = server.signed_by(&key, &issuer).unwrap();
    (ca_cert.pem(), cert.pem(), key.serialize_pem())
}

/// The throwaway cluster; stopped and removed when dropped (also when the test panics).
struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

impl Cluster {
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn start(bin: PathBuf) -> Cluster {
        let dir = tempfile::tempdir().expect("temporary directory");
        let root = is_root();
        if root {
            ok(
                Command::new("chown")
                    .arg("postgres")
                    .arg(dir.path())
                    .output(),
                "chown the cluster's folder to postgres",
            );
        }
        let cluster = Cluster {
            bin,
            port: free_port(),
            dir,
        };
        let data = cluster.data();
        ok(
            pg(&cluster.bin, "initdb")
                .arg("-D")
                .arg(&data)
                .args([
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ])
                .output(),
            "initdb",
        );
        let (ca, cert, key) = certificates();
        std::fs::write(cluster.ca_file(), ca).expect("write the CA");
        let files = [("server.crt", cert), ("server.key", key)];
        for (name, pem) in &files {
            std::fs::write(data.join(name), pem).expect("write the server's certificate");
            // PostgreSQL refuses a key that others may read.
            std::fs::set_permissions(
                data.join(name),
                std::os::unix::fs::PermissionsExt::from_mode(0o600),
            )
            .expect("chmod 0600");
        }
        // TLS only: no plain `host` line, so a connection without TLS finds no entry.
        std::fs::write(
            data.join("pg_hba.conf"),
            "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n",
        )
        .expect("write pg_hba.conf");
        if root {
            ok(
                Command::new("chown")
                    .args(["postgres", "server.crt", "server.key", "pg_hba.conf"])
                    .current_dir(&data)
                    .output(),
                "chown the certificate to postgres",
            );
        }
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=server.crt \
             -c ssl_key_file=server.key -c fsync=off",
            cluster.port,
            cluster.dir.path().display()
        );
        ok(
            pg(&cluster.bin, "pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(cluster.dir.path().join("server.log"))
                .args(["-w", "-o", &options, "start"])
                .output(),
            "pg_ctl start (ssl=on)",
        );
        cluster
    }

    /// The CA that signed the server's certificate (PEM).
    fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn url(&self, query: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?{query}",
            self.port
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = pg(&self.bin, "pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// Whether this connection is encrypted, as the server sees it.
async fn encrypted(db: &Db) -> bool {
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        ))
        .await
        .expect("pg_stat_ssl")
        .expect("a row");
    row.try_get::<bool>("", "ssl").expect("ssl column")
}

#[test]
fn postgres_over_tls_require_verify_full_and_no_plain_connection() {
    if std::env::var(SKIP_PG_VAR).as_deref() == Ok("1") {
        eprintln!("{SKIP_PG_VAR}=1: PostgreSQL over TLS skipped");
        return;
    }
    let Some(bin) = pg_bin() else {
        eprintln!(
            "\n!!!!!!!! PostgreSQL over TLS SKIPPED: no PostgreSQL server binaries (initdb, pg_ctl) under \
             /usr/lib/postgresql/*/bin or PG_BIN; install them (Debian: apt-get install postgresql; \
             scripts/test.sh does as root) !!!!!!!!\n"
        );
        return;
    };
    let cluster = Cluster::start(bin);
    // Another CA, which did not sign the server's certificate.
    let other_ca = cluster.dir.path().join("other-ca.pem");
    std::fs::write(&other_ca, certificates().0).expect("write the other CA");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        // sslmode=require: TLS without checking the certificate; migrate, write, read.
        let db = Db::connect(&cluster.url("sslmode=require"))
            .await
            .expect("connect with sslmode=require");
        db.migrate().await.expect("migrate over TLS");
        assert!(encrypted(&db).await, "the connection is encrypted");
        let id = users::add(
            &db,
            &Actor::system(),
            "tls.admin",
            "加密连接",
            "correct-horse-9",
            Role::CountyAdmin,
            "141123",
        )
        .await
        .expect("write a user over TLS");
        let read = users::authenticate(&db, "tls.admin", "correct-horse-9")
            .await
            .expect("read it back")
            .expect("the user");
        assert_eq!((read.id, read.display_name.as_str()), (id, "加密连接"));
        db.close().await.ok();

        // sslmode=verify-full: the server's certificate must chain to the CA given and name the host.
        let verified = cluster.url(&format!(
            "sslmode=verify-full&sslrootcert={}",
            cluster.ca_file().display()
        ));
        let db = Db::connect(&verified)
            .await
            .expect("connect with sslmode=verify-full and the CA");
        assert!(encrypted(&db).await);
        let again = users::authenticate(&db, "tls.admin", "correct-horse-9")
            .await
            .expect("read over verify-full");
        assert_eq!(again.map(|u| u.id), Some(id));
        db.close().await.ok();
        let wrong = cluster.url(&format!(
            "sslmode=verify-full&sslrootcert={}",
            other_ca.display()
        ));
        assert!(
            Db::connect(&wrong).await.is_err(),
            "verify-full refuses a certificate of another CA"
        );

        // sslmode=disable: pg_hba.conf has hostssl lines only.
        let err = match Db::connect(&cluster.url("sslmode=disable")).await {
            Ok(_) => panic!("a plain connection is refused"),
            Err(e) => e.to_string(),
        };
        assert!(
            err.contains("pg_hba.conf") || err.contains("no encryption"),
            "{err}"
        );
    });
}
