//! `shouwang backup --out F` and `shouwang restore F` (数据备份与恢复).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use shouwang_app::attachments::FileStore;
use shouwang_app::backup::{self, Target};

use crate::config::{DbArgs, redact, refused};

/// `backup`: a copy of the whole database, taken while the server runs.
#[derive(Args, Debug)]
pub struct BackupArgs {
    /// The backup file to write (must not exist; readable by the owner only). SQLite: a database file
    /// (`VACUUM INTO`); PostgreSQL: a `pg_dump --format=custom` archive. The attachments of the data
    /// folder go to the folder FILE.files beside it (sealed as stored); keep the two together.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

/// `restore`: a backup into an empty data folder or an empty PostgreSQL database.
#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file written by `shouwang backup` (its attachments, FILE.files beside it, go into the
    /// data folder's attachments).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    if args.db.database_url.is_none() {
        let file = args.db.data_dir.join(shouwang_store::SQLITE_FILE);
        anyhow::ensure!(
            file.exists(),
            "没有可备份的数据库 / no database to back up: {}",
            file.display()
        );
    }
    let files = FileStore::new(args.db.data_dir.join("attachments"));
    let db = args.db.connect().await?;
    let done = backup::backup(&db, &files, &args.out)
        .await
        .map_err(refused)?;
    println!(
        "备份完成 / backup written: {} ({}, {} bytes)",
        args.out.display(),
        done.format.name(),
        done.bytes
    );
    if done.attachments > 0 {
        println!(
            "附件 {} 个（加密保存）/ {} attachments (sealed): {}",
            done.attachments,
            done.attachments,
            backup::files_beside(&args.out).display()
        );
    }
    Ok(())
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let target = match &args.db.database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Target::Postgres(url.clone())
        }
        Some(url) => anyhow::bail!(
            "恢复到 SQLite 请用 --data-dir 指定空的数据目录 / to restore into SQLite, name an empty \
             folder with --data-dir instead of {}",
            redact(url)
        ),
        None => Target::SqliteDir(args.db.data_dir.clone()),
    };
    let files = FileStore::new(args.db.data_dir.join("attachments"));
    let (_db, format, attachments) = backup::restore(&args.file, &target, &files)
        .await
        .map_err(refused)
        .with_context(|| format!("恢复失败 / restore of {} failed", args.file.display()))?;
    let into = match &target {
        Target::SqliteDir(dir) => dir.display().to_string(),
        Target::Postgres(url) => redact(url),
    };
    println!(
        "恢复完成 / restored: {} ({}, {attachments} attachments) → {into}",
        args.file.display(),
        format.name()
    );
    Ok(())
}
