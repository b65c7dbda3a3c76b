//! 数据备份与恢复: a backup of the whole database while the server runs, and its restore into an empty
//! data folder or database (`shouwang backup --out F`, `shouwang restore F`). The mechanics per database
//! are the store's ([`shouwang_store::backup`]); here each is written to the audit log.

use std::path::{Path, PathBuf};

use shouwang_store::Db;
use shouwang_store::backup::{self as store, BackupFormat};
use shouwang_store::crypto::keyfile;
use shouwang_store::repo::{Actor, audit};

pub use shouwang_store::backup::Backup;

use crate::error::{Error, Result};

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
///
/// The backup holds ID numbers and phones sealed with the data key of the folder it came from, which a
/// backup does not contain: a SQLite target must hold that `shouwang.key` already (or
/// `SHOUWANG_DATA_KEY` be set), and a key that does not open the copy is refused with the copy removed,
/// so the folder is as it was.
pub async fn restore(file: &Path, target: &Target) -> Result<(Db, BackupFormat)> {
    let format = store::format_of(file)?;
    let db = match target {
        Target::SqliteDir(dir) => {
            let key = dir.join(keyfile::KEY_FILE);
            if std::env::var_os(keyfile::KEY_ENV).is_none() && !key.exists() {
                return Err(Error::invalid(
                    format!(
                        "恢复前请把备份所属数据目录中的数据密钥 {} 复制到 {}（备份中的身份证号、电话以该密钥加密，备份本身不含密钥），或设置 {}",
                        keyfile::KEY_FILE,
                        dir.display(),
                        keyfile::KEY_ENV
                    ),
                    format!(
                        "Copy the data key {} of the backed-up data folder into {} before restoring (the backup's ID \
                         numbers and phones are sealed with it; a backup holds no key), or set {}",
                        keyfile::KEY_FILE,
                        dir.display(),
                        keyfile::KEY_ENV
                    ),
                ));
            }
            store::restore_sqlite(file, dir)?;
            let opened = async {
                let db = Db::connect(&shouwang_store::sqlite_url(dir)).await?;
                db.migrate().await?;
                Ok::<Db, shouwang_store::StoreError>(db)
            }
            .await;
            match opened {
                Ok(db) => db,
                Err(e) => {
                    store::remove_sqlite(dir);
                    return Err(e.into());
                }
            }
        }
        Target::Postgres(url) => {
            let db = Db::connect(url).await?;
            store::restore_postgres(&db, file).await?;
            db.migrate().await?;
            db
        }
    };
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
