//! Backup and restore of the whole database (数据备份与恢复), while the server runs.
//!
//! - SQLite: `VACUUM INTO` a new file — one read transaction, so the copy is the database as of one moment
//!   even while others write (WAL), compacted, a SQLite database itself.
//! - PostgreSQL: `pg_dump --format=custom` (one repeatable-read snapshot) and `pg_restore`, the newest
//!   found on the machine (`/usr/lib/postgresql/*/bin`, `/usr/pgsql-*/bin`, then `PATH`).
//!
//! A backup is first written beside its target as `NAME.partial` and renamed when complete, readable by the
//! owner only: a failed backup leaves no file that looks like one. A restore goes only into an empty target
//! (a data folder without a database, a database without tables) and refuses anything else with a reason.

use std::path::{Path, PathBuf};
use std::process::Command;

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::db::{Db, SQLITE_FILE};
use crate::error::{Result, StoreError};

/// The first bytes of a SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
/// The first bytes of a `pg_dump --format=custom` archive.
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";

/// Which database a backup file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackupFormat {
    /// A SQLite database file.
    Sqlite,
    /// A `pg_dump` custom-format archive.
    Postgres,
}

impl BackupFormat {
    /// `sqlite` or `postgres`.
    pub fn name(self) -> &'static str {
        match self {
            BackupFormat::Sqlite => "sqlite",
            BackupFormat::Postgres => "postgres",
        }
    }
}

/// A finished backup: its format and size in bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backup {
    pub format: BackupFormat,
    pub bytes: u64,
}

/// Writes a backup of `db` to `out`, which must not exist yet.
pub async fn backup(db: &Db, out: &Path) -> Result<Backup> {
    if out.exists() {
        return Err(StoreError::invalid(
            format!("备份文件“{}”已存在，不覆盖；请换一个文件名", out.display()),
            format!(
                "The backup file {} exists already and is not overwritten; choose another name",
                out.display()
            ),
        ));
    }
    let partial = partial_path(out);
    let _ = std::fs::remove_file(&partial);
    let written = match db.backend() {
        DbBackend::Postgres => {
            let (url, password) = split_password(db.url());
            let out_arg = partial.clone();
            run_tool(
                "pg_dump",
                vec![
                    "--format=custom".into(),
                    "--no-owner".into(),
                    "--no-privileges".into(),
                    format!("--file={}", out_arg.display()),
                    format!("--dbname={url}"),
                ],
                password,
            )
            .await
            .map(|()| BackupFormat::Postgres)
        }
        _ => {
            let path = partial.to_string_lossy().into_owned();
            db.conn()
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "VACUUM INTO ?",
                    [path.into()],
                ))
                .await
                .map(|_| BackupFormat::Sqlite)
                .map_err(StoreError::from)
        }
    };
    let finish = |format| -> std::io::Result<Backup> {
        owner_only(&partial)?;
        std::fs::File::open(&partial)?.sync_all()?;
        std::fs::rename(&partial, out)?;
        Ok(Backup {
            format,
            bytes: std::fs::metadata(out)?.len(),
        })
    };
    match written
        .and_then(|f| finish(f).map_err(|e| io_error("写备份文件", "write the backup", out, e)))
    {
        Ok(b) => Ok(b),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// What a backup file holds, from its first bytes; `Invalid` for anything else.
pub fn format_of(file: &Path) -> Result<BackupFormat> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let n = std::fs::File::open(file)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| io_error("读取备份文件", "read the backup", file, e))?;
    if head[..n].starts_with(SQLITE_MAGIC) {
        Ok(BackupFormat::Sqlite)
    } else if head[..n].starts_with(PG_DUMP_MAGIC) {
        Ok(BackupFormat::Postgres)
    } else {
        Err(StoreError::invalid(
            format!(
                "“{}”不是守望的备份文件（既不是 SQLite 数据库，也不是 pg_dump 归档）",
                file.display()
            ),
            format!(
                "{} is not a Shouwang backup (neither a SQLite database nor a pg_dump archive)",
                file.display()
            ),
        ))
    }
}

/// Restores the SQLite backup `file` into `data_dir`, which must hold no database yet. The caller opens
/// and migrates the restored database afterwards (a backup of an older version is then brought up to date).
pub fn restore_sqlite(file: &Path, data_dir: &Path) -> Result<()> {
    require(file, BackupFormat::Sqlite, "SQLite")?;
    let target = data_dir.join(SQLITE_FILE);
    let in_use = [target.clone(), data_dir.join(format!("{SQLITE_FILE}-wal"))]
        .iter()
        .any(|p| std::fs::metadata(p).is_ok_and(|m| m.len() > 0));
    if in_use {
        return Err(not_empty(&data_dir.display().to_string()));
    }
    let partial = partial_path(&target);
    let copy = || -> std::io::Result<()> {
        std::fs::create_dir_all(data_dir)?;
        std::fs::copy(file, &partial)?;
        owner_only(&partial)?;
        std::fs::File::open(&partial)?.sync_all()?;
        quick_check(&partial)?;
        for stale in ["-wal", "-shm", "-journal"] {
            let _ = std::fs::remove_file(data_dir.join(format!("{SQLITE_FILE}{stale}")));
        }
        std::fs::rename(&partial, &target)
    };
    copy().map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        io_error("恢复数据库文件", "restore the database file", &target, e)
    })
}

/// Removes a restored SQLite database from `data_dir` again (its file, WAL and shared memory), leaving
/// the folder as it was before [`restore_sqlite`]: a copy the data key does not open is of no use there.
pub fn remove_sqlite(data_dir: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(data_dir.join(format!("{SQLITE_FILE}{suffix}")));
    }
}

/// Restores the PostgreSQL backup `file` into the database of `db`, which must have no tables yet, in one
/// transaction.
pub async fn restore_postgres(db: &Db, file: &Path) -> Result<()> {
    require(file, BackupFormat::Postgres, "PostgreSQL")?;
    let row = db
        .conn()
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'",
        ))
        .await?;
    let tables: i64 = match row {
        Some(r) => r.try_get_by_index(0)?,
        None => 0,
    };
    let (url, password) = split_password(db.url());
    if tables > 0 {
        return Err(not_empty(&url));
    }
    run_tool(
        "pg_restore",
        vec![
            "--no-owner".into(),
            "--no-privileges".into(),
            "--single-transaction".into(),
            "--exit-on-error".into(),
            format!("--dbname={url}"),
            file.display().to_string(),
        ],
        password,
    )
    .await
}

/// SQLite's `PRAGMA quick_check` of the file: a damaged or truncated copy is refused before it is used.
fn quick_check(file: &Path) -> std::io::Result<()> {
    use rusqlite::{Connection, OpenFlags};
    let bad =
        |e: rusqlite::Error| std::io::Error::other(format!("not a usable SQLite database: {e}"));
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(bad)?;
    let answer: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(bad)?;
    if answer == "ok" {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "the SQLite database is damaged: {answer}"
        )))
    }
}

fn require(file: &Path, want: BackupFormat, name: &str) -> Result<()> {
    let found = format_of(file)?;
    if found == want {
        return Ok(());
    }
    Err(StoreError::invalid(
        format!("备份文件是 {} 的，不能恢复到 {name} 数据库", found.name()),
        format!(
            "The backup is of a {} database and cannot be restored into {name}",
            found.name()
        ),
    ))
}

fn not_empty(target: &str) -> StoreError {
    StoreError::invalid(
        format!("恢复目标“{target}”已有数据，拒绝覆盖：请恢复到空的数据目录或空的数据库"),
        format!(
            "The restore target {target} holds data already and is not overwritten: restore into an \
             empty data folder or an empty database"
        ),
    )
}

/// `FILE.partial` beside `file`.
fn partial_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    file.with_file_name(name)
}

/// Readable and writable by the owner only (personal data, PIPL).
fn owner_only(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn io_error(zh: &str, en: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::invalid(
        format!("无法{zh}“{}”：{e}", path.display()),
        format!("Cannot {en} {}: {e}", path.display()),
    )
}

/// The URL without its password, and the password (percent-decoded), so that the password goes to the
/// tool in `PGPASSWORD` and not on its command line (which every local user can see).
fn split_password(url: &str) -> (String, Option<String>) {
    let (Some(s), Some(at)) = (url.find("://"), url.rfind('@')) else {
        return (url.to_owned(), None);
    };
    if at < s {
        return (url.to_owned(), None);
    }
    let creds = &url[s + 3..at];
    match creds.split_once(':') {
        Some((user, password)) => (
            format!("{}{user}{}", &url[..s + 3], &url[at..]),
            Some(percent_decode(password)),
        ),
        None => (url.to_owned(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The newest `tool` of the PostgreSQL client programs on the machine.
pub fn find_pg_tool(tool: &str) -> Option<PathBuf> {
    let mut dirs: Vec<(u32, PathBuf)> = Vec::new();
    for (root, prefix) in [("/usr/lib/postgresql", ""), ("/usr", "pgsql-")] {
        let Ok(entries) = std::fs::read_dir(root) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(version) = name
                .strip_prefix(prefix)
                .and_then(|v| v.parse::<u32>().ok())
            else {
                continue;
            };
            let bin = e.path().join("bin").join(tool);
            if bin.is_file() {
                dirs.push((version, bin));
            }
        }
    }
    dirs.sort();
    if let Some((_, newest)) = dirs.pop() {
        return Some(newest);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(tool))
            .find(|p| p.is_file())
    })
}

/// Runs a PostgreSQL client program to completion; its error output is the error's reason.
async fn run_tool(tool: &str, args: Vec<String>, password: Option<String>) -> Result<()> {
    let Some(program) = find_pg_tool(tool) else {
        return Err(StoreError::invalid(
            format!(
                "找不到 {tool}：请安装 PostgreSQL 客户端（如 apt install postgresql-client），版本不低于服务器"
            ),
            format!(
                "{tool} not found: install the PostgreSQL client programs (e.g. apt install \
                 postgresql-client), of the server's version or newer"
            ),
        ));
    };
    let tool = tool.to_owned();
    let output = tokio::task::spawn_blocking(move || {
        let mut cmd = Command::new(&program);
        cmd.args(&args);
        if let Some(p) = password {
            cmd.env("PGPASSWORD", p);
        }
        cmd.output()
    })
    .await
    .map_err(|e| StoreError::internal(format!("{tool} did not finish: {e}")))?
    .map_err(|e| StoreError::internal(format!("cannot run {tool}: {e}")))?;
    if output.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    Err(StoreError::invalid(
        format!("{tool} 失败（{}）：{err}", output.status),
        format!("{tool} failed ({}): {err}", output.status),
    ))
}

#[cfg(test)]
mod tests {
    use super::{partial_path, percent_decode, split_password};
    use std::path::Path;

    #[test]
    fn password_leaves_the_url() {
        assert_eq!(
            split_password("postgres://u:p%40ss@h:5432/db?sslmode=require"),
            (
                "postgres://u@h:5432/db?sslmode=require".to_owned(),
                Some("p@ss".to_owned())
            )
        );
        assert_eq!(
            split_password("postgres://u@h/db"),
            ("postgres://u@h/db".to_owned(), None)
        );
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn partial_is_beside_the_file() {
        assert_eq!(
            partial_path(Path::new("/b/x.bak")),
            Path::new("/b/x.bak.partial")
        );
    }
}
