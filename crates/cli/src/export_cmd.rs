//! `shouwang export …`: the registry as XLSX (农户信息导出) and the import template (导入模板).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use shouwang_io::registry_xlsx::{self, RegistryWriter};
use shouwang_store::repo;

use crate::config::DbArgs;

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The registry (户信息 and 家庭成员) as an XLSX workbook (农户信息导出).
    Registry(RegistryExport),
    /// An empty import template with column notes (导入模板).
    Template {
        #[command(subcommand)]
        which: TemplateCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum TemplateCommand {
    /// The registry import template (农户信息导入模板).
    Registry {
        /// Output file (.xlsx).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct RegistryExport {
    /// Output file (.xlsx).
    #[arg(long)]
    pub out: PathBuf,
    /// Only this area: a county (6 digits), township (9) or village (12) code.
    #[arg(long)]
    pub area: Option<String>,
    /// Export as this user (only their area).
    #[arg(long)]
    pub user: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

pub async fn run(command: ExportCommand) -> anyhow::Result<()> {
    match command {
        ExportCommand::Registry(args) => registry(args).await,
        ExportCommand::Template {
            which: TemplateCommand::Registry { out },
        } => {
            let bytes = registry_xlsx::template().map_err(|e| anyhow::anyhow!(e.message_zh()))?;
            write(&out, &bytes)?;
            println!("导入模板已生成 / template written: {}", out.display());
            Ok(())
        }
    }
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

async fn registry(args: RegistryExport) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let scope = match &args.user {
        Some(u) => {
            let user = repo::users::find_by_username(&db, u)
                .await?
                .with_context(|| format!("用户不存在 / no such user: {u}"))?;
            Some(user.scope)
        }
        None => None,
    };
    let mut writer = RegistryWriter::new().map_err(|e| anyhow::anyhow!(e.message_zh()))?;
    let mut failed: Option<String> = None;
    repo::registry_file::export(
        &db,
        scope.as_ref(),
        args.area.as_deref(),
        &mut |h, names| {
            if failed.is_none()
                && let Err(e) = writer.add(h, names)
            {
                failed = Some(e.message_zh());
            }
            Ok(())
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{} ({e})", e.message_zh()))?;
    if let Some(e) = failed {
        anyhow::bail!(e);
    }
    let (households, members) = (writer.households(), writer.members());
    let bytes = writer
        .finish()
        .map_err(|e| anyhow::anyhow!(e.message_zh()))?;
    write(&args.out, &bytes)?;
    println!(
        "已导出 / exported {households} 户 {members} 人 → {}",
        args.out.display()
    );
    Ok(())
}
