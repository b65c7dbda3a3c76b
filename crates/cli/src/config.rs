//! Where the data lives: the data directory and the database URL.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use shouwang_app::Caller;
use shouwang_store::Db;

/// Database selection shared by every subcommand that needs the registry.
#[derive(Args, Debug, Clone)]
pub struct DbArgs {
    /// Folder for the embedded SQLite database (created if missing).
    #[arg(long, env = "SHOUWANG_DATA_DIR", default_value = "shouwang-data")]
    pub data_dir: PathBuf,
    /// Database URL, e.g. `postgres://user:pass@host/db`; overrides --data-dir.
    #[arg(long, env = "SHOUWANG_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DbArgs {
    /// The URL to connect to: the explicit one, else SQLite in the data dir.
    pub fn url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("cannot create data dir {}", self.data_dir.display()))?;
        Ok(shouwang_store::sqlite_url(&self.data_dir))
    }

    /// Connects and brings the schema up to date.
    pub async fn open(&self) -> anyhow::Result<Db> {
        self.open_pool(false).await
    }

    /// Like [`DbArgs::open`], with one connection (`Db::connect_alone`), for a command that does one thing
    /// at a time: a first registry import into a new SQLite database then writes with a rollback journal
    /// when no other process has the database open.
    pub async fn open_alone(&self) -> anyhow::Result<Db> {
        self.open_pool(true).await
    }

    /// Connects without touching the schema: `backup` copies a running server's database as it is (a
    /// newer binary must not upgrade it underneath the server).
    pub async fn connect(&self) -> anyhow::Result<Db> {
        let url = self.url()?;
        Db::connect(&url)
            .await
            .with_context(|| format!("cannot open database {}", redact(&url)))
    }

    async fn open_pool(&self, alone: bool) -> anyhow::Result<Db> {
        let url = self.url()?;
        let db = if alone {
            Db::connect_alone(&url).await
        } else {
            Db::connect(&url).await
        }
        .with_context(|| format!("cannot open database {}", redact(&url)))?;
        // A SQLite database has its key file beside it; another database takes the data folder's (or
        // SHOUWANG_DATA_KEY, which `Db::connect` read already).
        let db = if db.keys().is_configured() {
            db
        } else {
            std::fs::create_dir_all(&self.data_dir)
                .with_context(|| format!("cannot create data dir {}", self.data_dir.display()))?;
            let (keys, source) = shouwang_store::crypto::keyfile::load(&self.data_dir)
                .context("cannot read the data key")?;
            db.with_key_source(keys, source)
        };
        db.migrate().await.context("migration failed")?;
        Ok(db)
    }
}

/// HTTPS for `serve`: a certificate and key of one's own, or a self-signed certificate kept in the data
/// directory. Neither: plain HTTP.
#[derive(Args, Debug, Clone)]
pub struct TlsArgs {
    /// Serve HTTPS with this certificate chain (PEM: the server's certificate, then intermediates).
    #[arg(
        long,
        env = "SHOUWANG_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(
        long,
        env = "SHOUWANG_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a self-signed certificate for a township LAN, created in the data dir on the
    /// first start (files readable by the owner only) and reused after; its SHA-256 fingerprint is
    /// printed at start-up.
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
    pub tls_self_signed: bool,
}

impl TlsArgs {
    /// The certificate to serve with, or `None` for plain HTTP. A missing, unreadable or invalid file is
    /// an error of one line.
    pub fn load(
        &self,
        data_dir: &std::path::Path,
        listen: &str,
    ) -> anyhow::Result<Option<shouwang_web::tls::Tls>> {
        use shouwang_web::tls::Tls;
        if self.tls_self_signed {
            // The address served on, if it is a particular one, is a name of the certificate too.
            let names: Vec<String> = listen
                .parse::<std::net::SocketAddr>()
                .ok()
                .map(|a| a.ip())
                .filter(|ip| !ip.is_unspecified())
                .map(|ip| ip.to_string())
                .into_iter()
                .collect();
            return Ok(Some(Tls::self_signed(data_dir, &names)?));
        }
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Ok(Some(Tls::from_pem_files(cert, key)?)),
            _ => Ok(None),
        }
    }
}

/// Prints which certificate `serve` uses and its SHA-256 fingerprint (to compare with the one a
/// browser shows before trusting a self-signed certificate).
pub fn print_tls(tls: &shouwang_web::tls::Tls) {
    let how = if tls.created() {
        "已生成 / created"
    } else {
        "使用 / using"
    };
    println!("TLS 证书 {how} certificate: {}", tls.cert_path().display());
    println!(
        "证书 SHA-256 指纹 / certificate SHA-256 fingerprint: {}",
        tls.fingerprint()
    );
}

/// Hides a password in a URL before it is printed.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Exit status of a refused or failed command (0 = done), from [`exit_code`]; `main` exits with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// The process exit code.
    pub code: u8,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit code {}", self.code)
    }
}

impl std::error::Error for Failure {}

/// A refused use case as the command's error: its reason in Chinese and English, and the exit status of
/// its kind ([`exit_code`]).
pub fn refused(e: impl Into<shouwang_app::Error>) -> anyhow::Error {
    let e: shouwang_app::Error = e.into();
    anyhow::anyhow!(Failure {
        code: exit_code(e.kind)
    })
    .context(format!("{} ({})", e.zh, e.en))
}

/// The exit status of a failed command by the kind of its error: the one mapping of the command line
/// (the web maps the same kinds to HTTP statuses). 2 bad input, 3 role or area, 4 not found, 5 out of
/// order, stale or conflicting, 1 anything else.
pub fn exit_code(kind: shouwang_app::Kind) -> u8 {
    use shouwang_app::Kind;
    match kind {
        Kind::BadRequest | Kind::Invalid | Kind::TooLarge => 2,
        Kind::Unauthenticated | Kind::Forbidden => 3,
        Kind::NotFound | Kind::Gone => 4,
        Kind::Conflict | Kind::TooMany => 5,
        Kind::Internal => 1,
    }
}

/// The message when the command's `--user` is no active user with a role.
pub fn no_such_user(username: &str) -> String {
    format!("用户不存在、已停用或没有角色 / no active user with a role: {username}")
}

/// The active user `username` the command acts as (the operator's own machine: no password); its
/// role and area limit what the command reads and writes, and the audit log names it.
pub async fn operator(db: &Db, username: &str) -> anyhow::Result<Caller> {
    shouwang_app::caller_by_username(db, username)
        .await?
        .with_context(|| no_such_user(username))
}

/// [`operator`] when `--user` was given; `None` (the system, the whole database) otherwise.
pub async fn operator_or_system(db: &Db, username: Option<&str>) -> anyhow::Result<Option<Caller>> {
    match username {
        Some(u) => Ok(Some(operator(db, u).await?)),
        None => Ok(None),
    }
}

/// Bad input (exit 2) with a reason in Chinese and English.
pub fn bad_input(zh: String, en: String) -> anyhow::Error {
    refused(shouwang_app::Error::invalid(zh, en))
}

/// The value of list `T` given to `--flag` (a code or its Chinese name); an unknown one is bad input.
pub fn code_arg<T: shouwang_core::CodeList>(flag: &str, v: &str) -> anyhow::Result<T> {
    T::from_any(v).ok_or_else(|| {
        bad_input(
            format!("--{flag}：未知的代码 {v}"),
            format!("--{flag}: unknown code {v}"),
        )
    })
}

/// An amount in yuan given to `--flag` (`12000.50`), in 分; a malformed one is bad input.
pub fn yuan_arg(flag: &str, v: &str) -> anyhow::Result<shouwang_core::money::Fen> {
    shouwang_core::money::Fen::parse_yuan(v).map_err(|e| {
        bad_input(
            format!("--{flag}：{}", e.message_zh()),
            format!("--{flag}: {e}"),
        )
    })
}

/// Prints `v` as pretty JSON when `json` (the API's shapes); whether it did.
pub fn printed_json<T: serde::Serialize>(json: bool, v: &T) -> anyhow::Result<bool> {
    if json {
        println!("{}", serde_json::to_string_pretty(v)?);
    }
    Ok(json)
}

/// The codes of list `T` given to a repeatable flag `--flag` (codes or Chinese names); an unknown one is
/// bad input (exit 2).
pub fn codes<T: shouwang_core::CodeList>(flag: &str, values: &[String]) -> anyhow::Result<Vec<T>> {
    values
        .iter()
        .map(|v| {
            T::from_any(v).ok_or_else(|| {
                refused(shouwang_app::Error::invalid(
                    format!("--{flag}：未知的代码 {v}"),
                    format!("--{flag}: unknown code {v}"),
                ))
            })
        })
        .collect()
}

/// Prints `v` as the API's JSON with `--json`, else as text through `text`.
pub fn print<T: serde::Serialize>(json: bool, v: &T, text: impl FnOnce(&T)) -> anyhow::Result<()> {
    if !printed_json(json, v)? {
        text(v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_password() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite://x.db?mode=rwc"), "sqlite://x.db?mode=rwc");
    }
}
