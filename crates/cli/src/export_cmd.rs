//! `shouwang export …`: the registry as XLSX (农户信息导出), the lifecycle ledgers (台账) and the import
//! template (导入模板).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use shouwang_core::CodeList;
use shouwang_io::registry_xlsx;

use shouwang_app::ledgers::{self, LedgerRequest};

use crate::config::DbArgs;

#[derive(Subcommand, Debug)]
pub enum ExportCommand {
    /// The registry (户信息, 家庭成员 and 收支情况) as an XLSX workbook (农户信息导出).
    Registry(RegistryExport),
    /// A lifecycle ledger (台账) as an XLSX workbook: KIND is monitored (监测对象台账), measures
    /// (帮扶措施台账), followups (月度监测（帮扶手册）台账), eliminated (风险消除台账) or clues (线索台账).
    Ledger(LedgerExport),
    /// The data-quality findings 数据质量问题清单 as an XLSX workbook.
    Quality(crate::quality_cmd::QualityExport),
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

#[derive(Args, Debug)]
pub struct LedgerExport {
    /// monitored | measures | followups | eliminated | clues, or the Chinese name (监测对象台账, …).
    pub kind: String,
    /// Output file (.xlsx).
    #[arg(long)]
    pub out: PathBuf,
    /// Export as this user: their area, and full ID numbers only if their role may see them.
    #[arg(long)]
    pub user: String,
    /// Only this area inside the user's: a county (6 digits), township (9) or village (12) code.
    #[arg(long)]
    pub area: Option<String>,
    /// First day of the ledger's own date (YYYY-MM-DD): 纳入监测日期, 措施制定/完成日期, 监测月份,
    /// 风险消除日期, 发现日期.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD), inclusive.
    #[arg(long)]
    pub to: Option<String>,
    /// 监测对象台账: one row per member instead of per household.
    #[arg(long)]
    pub per_member: bool,
    #[command(flatten)]
    pub db: DbArgs,
}

async fn ledger(args: LedgerExport) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let user = crate::config::operator(&db, &args.user).await?;
    let req = LedgerRequest {
        kind: Some(args.kind.clone()),
        area: args.area.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        per_member: args.per_member.then(|| "1".to_owned()),
    };
    let f = ledgers::export(&db, &user, &req)
        .await
        .map_err(|e| anyhow::anyhow!("{} / {}", e.zh, e.en))?;
    write(&args.out, &f.bytes)?;
    println!(
        "已导出{} {} 行 / exported {} rows{} → {}",
        f.kind.label_zh(),
        f.rows,
        f.rows,
        if f.full_ids {
            ""
        } else {
            "（身份证号已脱敏 / ID numbers masked）"
        },
        args.out.display()
    );
    Ok(())
}

pub async fn run(command: ExportCommand) -> anyhow::Result<()> {
    match command {
        ExportCommand::Registry(args) => registry(args).await,
        ExportCommand::Ledger(args) => ledger(args).await,
        ExportCommand::Quality(args) => crate::quality_cmd::export(args).await,
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
    let caller = crate::config::operator_or_system(&db, args.user.as_deref()).await?;
    let actor = caller
        .as_ref()
        .map_or_else(shouwang_store::repo::Actor::system, |c| c.actor());
    let out = shouwang_app::households::export(
        &db,
        &actor,
        caller.as_ref().map(|c| &c.scope),
        args.area.as_deref(),
    )
    .await
    .map_err(crate::config::refused)?;
    let (households, members, incomes, bytes) =
        (out.households, out.members, out.incomes, out.bytes);
    write(&args.out, &bytes)?;
    println!(
        "已导出 / exported {households} 户 {members} 人 {incomes} 条收支 → {}",
        args.out.display()
    );
    Ok(())
}
