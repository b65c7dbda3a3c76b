//! `shouwang keys …`: the data key (数据密钥, SM4 at rest; issue 19): `keys status`, `keys rotate`.

use anyhow::Context;
use clap::Subcommand;
use shouwang_store::crypto::{KEY_ENV, keyfile};
use shouwang_store::{Actor, repo};

use crate::config::DbArgs;

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// The key versions in use and where the last rotation stands (密钥状态).
    Status {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Rotate the data key (密钥轮换): add a new key version to the key file and rewrite every member with
    /// it, in batches; run again after a stop, it continues the rotation under way instead of starting
    /// another. With SHOUWANG_DATA_KEY, add the new version to the variable first (`VERSION:HEX`).
    Rotate {
        /// Members rewritten per transaction.
        #[arg(long, default_value_t = repo::keys::DEFAULT_BATCH)]
        batch: u32,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::Status { db } => {
            let db = db.open().await?;
            let versions: Vec<String> = db.keys().versions().map(|v| v.to_string()).collect();
            println!(
                "密钥版本 / key versions: {} ({})",
                versions.join(", "),
                match db.key_file() {
                    Some(p) => p.display().to_string(),
                    None => KEY_ENV.to_owned(),
                }
            );
            match repo::keys::status(&db).await? {
                Some(s) => println!(
                    "轮换至第 {} 版 / rotation to version {}: 已重写 {} 行 / {} rows rewritten, 剩余 {} / {} left{}",
                    s.target_version,
                    s.target_version,
                    s.rows_done,
                    s.rows_done,
                    s.remaining,
                    s.remaining,
                    if s.finished_at.is_some() {
                        "（已完成 / finished）"
                    } else {
                        "（未完成 / under way）"
                    }
                ),
                None => println!("尚无轮换记录 / no rotation yet"),
            }
            Ok(())
        }
        KeysCommand::Rotate { batch, db } => {
            let data_dir = db.data_dir.clone();
            let db = db.open().await?;
            let current = db.keys().current()?;
            let status = repo::keys::status(&db).await?;
            let done = status
                .as_ref()
                .is_none_or(|s| s.target_version == current && s.finished_at.is_some());
            let db = if done {
                // Nothing under way: a new version.
                let Some(path) = db.key_file().map(|p| p.to_path_buf()) else {
                    anyhow::bail!(
                        "密钥来自环境变量 {KEY_ENV}：请先在其中加入新版本（版本号:64 位十六进制）再运行 / \
                         the key comes from {KEY_ENV}: add a new version (VERSION:HEX) to it first"
                    );
                };
                let keys = keyfile::add_version(&path).context("cannot add a key version")?;
                println!(
                    "已在 {} 中加入第 {} 版密钥 / added key version {}",
                    path.display(),
                    keys.current()?,
                    keys.current()?
                );
                db.with_keys(keys)
            } else {
                db
            };
            let target = db.keys().current()?;
            let end = repo::keys::rotate(&db, &Actor::system(), batch, &mut |p| {
                eprintln!(
                    "已重写 {} 行，剩余 {} / {} rows rewritten, {} left",
                    p.rows_done, p.remaining, p.rows_done, p.remaining
                );
            })
            .await?;
            let files = shouwang_app::attachments::FileStore::new(data_dir.join("attachments"))
                .seal_all(db.keys())
                .await?;
            println!(
                "密钥轮换完成：第 {target} 版，共重写 {} 人、附件 {} 个 / key rotation to version {target} done: {} members and {} attachments rewritten",
                end.rows_done, files.rewritten, end.rows_done, files.rewritten
            );
            Ok(())
        }
    }
}
