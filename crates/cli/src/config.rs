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

    async fn open_pool(&self, alone: bool) -> anyhow::Result<Db> {
        let url = self.url()?;
        let db = if alone {
            Db::connect_alone(&url).await
        } else {
            Db::connect(&url).await
        }
        .with_context(|| format!("cannot open database {}", redact(&url)))?;
        db.migrate().await.context("migration failed")?;
        Ok(db)
    }
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

/// Exit status of a refused or failed command (`case`, `household`; 0 = done): `main` exits with it.
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

/// A refused use case as the command's error: the exit code of its kind ([`exit_code`]), the reason in
/// Chinese and English.
pub fn refused(e: shouwang_app::Error) -> anyhow::Error {
    anyhow::anyhow!(Failure {
        code: exit_code(e.kind)
    })
    .context(format!("{} ({})", e.zh, e.en))
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
