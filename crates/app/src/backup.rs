//! 数据备份与恢复: a backup of the whole database while the server runs, and its restore into an empty
//! data folder or database (`shouwang backup --out F`, `shouwang restore F`). The mechanics per database
//! are the store's ([`shouwang_store::backup`]); here each is written to the audit log.
//!
//! The attachments (附件: scans and photos of the cases and registers) go along: a backup `F` of a store
//! that holds any has them, sealed as stored, in the folder `F.files` beside it ([`files_beside`]), taken
//! after the database (every file the copy's rows name is there: a file is written before its row), and a
//! restore copies them back into the target's store.

use std::path::{Path, PathBuf};

use shouwang_store::Db;
use shouwang_store::backup::{self as store, BackupFormat};
use shouwang_store::crypto::keyfile;
use shouwang_store::repo::{Actor, audit};

pub use shouwang_store::backup::Backup;

use crate::attachments::FileStore;
use crate::error::{Error, Result};

/// A finished backup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Done {
    /// The database's format.
    pub format: BackupFormat,
    /// Size of the database's backup file in bytes.
    pub bytes: u64,
    /// Attachments copied to [`files_beside`] the file.
    pub attachments: u64,
}

/// Where the attachments of the backup `file` are kept: the folder `FILE.files` beside it.
pub fn files_beside(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".files");
    PathBuf::from(name)
}

/// Where a restore goes.
#[derive(Clone, Debug)]
pub enum Target {
    /// The data folder of the SQLite database (`shouwang.db` inside it must not exist yet).
    SqliteDir(PathBuf),
    /// A PostgreSQL database without tables.
    Postgres(String),
}

/// Writes a backup of `db` to `out` (which must not exist), readable by the owner only, and the
/// attachments of `files` to [`files_beside`] it. The audit row `backup` (the file's name) is written
/// first, so the copy holds the log up to and with its own taking.
pub async fn backup(db: &Db, files: &FileStore, out: &Path) -> Result<Done> {
    let beside = files_beside(out);
    if beside.exists() {
        return Err(Error::invalid(
            format!(
                "附件备份目录“{}”已存在，不覆盖；请换一个文件名",
                beside.display()
            ),
            format!(
                "The attachments' backup folder {} exists already and is not overwritten; choose another name",
                beside.display()
            ),
        ));
    }
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
    let database = store::backup(db, out).await?;
    let partial = {
        let mut p = beside.as_os_str().to_owned();
        p.push(".partial");
        PathBuf::from(p)
    };
    let _ = std::fs::remove_dir_all(&partial);
    let copied = async {
        let n = files.copy_to(&partial).await?;
        if n > 0 {
            owner_only_dir(&partial)?;
            std::fs::rename(&partial, &beside).map_err(io_error)?;
        }
        Ok::<u64, shouwang_store::StoreError>(n)
    }
    .await;
    match copied {
        Ok(attachments) => Ok(Done {
            format: database.format,
            bytes: database.bytes,
            attachments,
        }),
        Err(e) => {
            let _ = std::fs::remove_dir_all(&partial);
            let _ = std::fs::remove_file(out);
            Err(e.into())
        }
    }
}

fn io_error(e: std::io::Error) -> shouwang_store::StoreError {
    shouwang_store::StoreError::Db(sea_orm::DbErr::Custom(format!("attachments' backup: {e}")))
}

/// The folder readable by its owner only (like the backup file).
fn owner_only_dir(dir: &Path) -> shouwang_store::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io_error)?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Restores the backup `file` into `target` (refused unless empty, and unless the backup is of the
/// target's kind of database), brings its schema up to date, copies the backup's attachments into
/// `files`, writes the audit row `restore`, and returns the restored database with the number of
/// attachments the backup holds.
///
/// The backup holds ID numbers and phones sealed with the data key of the folder it came from, which a
/// backup does not contain: a SQLite target must hold that `shouwang.key` already (or
/// `SHOUWANG_DATA_KEY` be set), and a key that does not open the copy is refused with the copy removed,
/// so the folder is as it was.
pub async fn restore(
    file: &Path,
    target: &Target,
    files: &FileStore,
) -> Result<(Db, BackupFormat, u64)> {
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
    let attachments = FileStore::new(files_beside(file))
        .copy_to(files.dir())
        .await?;
    audit::record_read(
        &db,
        &Actor::system(),
        "restore",
        "database",
        &file_name(file),
        None,
        Some(serde_json::json!({ "format": format.name(), "attachments": attachments })),
    )
    .await?;
    Ok((db, format, attachments))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
