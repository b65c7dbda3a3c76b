//! 数据备份与恢复: a backup of the whole database while the server runs, and its restore into an empty
//! data folder or database (`shouwang backup --out F`, `shouwang restore F`). The mechanics per database
//! are the store's ([`shouwang_store::backup`]); here each is written to the audit log.

use std::path::{Path, PathBuf};

use shouwang_store::Db;
use shouwang_store::backup::{self as store, BackupFormat};
use shouwang_store::repo::{Actor, audit};

pub use shouwang_store::backup::Backup;

use crate::error::Result;

/// Where a restore goes.
#[derive(Clone, Debug)]
pub enum Target {
    /// The data folder of the SQLite database (`shouwang.db` inside it must not exist yet).
    SqliteDir(PathBuf),
    /// A PostgreSQL database without tables.
    Postgres(String),
}

/// Writes a backup of `db` to `out` (which must not exist), readable by the owner only. The audit row
/// `backup` (the file's name) is written first, so the copy holds the log up to and with its own taking.
pub async fn backup(db: &Db, out: &Path) -> Result<Backup> {
    let format = match db.backend() {
        sea_orm::DbBackend::Postgres => BackupFormat::Postgres,
        _ => BackupFormat::Sqlite,
    };
    audit::record_read(
        db,
        &Actor::system(),
        "backup",
        "database",
        &file_name(out),
        None,
        Some(serde_json::json!({ "format": format.name() })),
    )
    .await?;
    Ok(store::backup(db, out).await?)
}

/// Restores the backup `file` into `target` (refused unless empty, and unless the backup is of the
/// target's kind of database), brings its schema up to date, writes the audit row `restore`, and returns
/// the restored database.
pub async fn restore(file: &Path, target: &Target) -> Result<(Db, BackupFormat)> {
    let format = store::format_of(file)?;
    let db = match target {
        Target::SqliteDir(dir) => {
            store::restore_sqlite(file, dir)?;
            Db::connect(&shouwang_store::sqlite_url(dir)).await?
        }
        Target::Postgres(url) => {
            let db = Db::connect(url).await?;
            store::restore_postgres(&db, file).await?;
            db
        }
    };
    db.migrate().await?;
    audit::record_read(
        &db,
        &Actor::system(),
        "restore",
        "database",
        &file_name(file),
        None,
        Some(serde_json::json!({ "format": format.name() })),
    )
    .await?;
    Ok((db, format))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
