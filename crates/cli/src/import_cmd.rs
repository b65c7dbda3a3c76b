//! `shouwang import registry FILE`: the registry import (农户信息导入) from XLSX, XLS or CSV.
//!
//! Exit status: 0 everything imported; 1 some households rejected (the report lists every problem with
//! sheet, row, column, value and reason); 2 the file is unusable (not a spreadsheet, no registry sheet,
//! a required column missing) or the import failed as a whole.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use shouwang_app::imports::problems_csv;
use shouwang_app::imports::registry::{self, ImportFailure};
use shouwang_app::jobs::Progress;
use shouwang_app::uploads::UploadedFile;
use shouwang_core::registry::Problem;
use shouwang_store::repo::registry_file::{ImportOptions, ImportReport};

use crate::config::DbArgs;

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import households, members and their yearly incomes (收支情况) from a registry workbook or CSV
    /// (农户信息导入).
    Registry(RegistryArgs),
}

#[derive(Args, Debug)]
pub struct RegistryArgs {
    /// The file: .xlsx, .xls, .ods or .csv (UTF-8 or GBK).
    pub file: PathBuf,
    /// Check and report, write nothing (预检).
    #[arg(long)]
    pub dry_run: bool,
    /// Import nothing if any household is rejected (有错误则全部不导入).
    #[arg(long)]
    pub all_or_nothing: bool,
    /// Act as this user (their area limits what may be imported; the audit log names them).
    /// Without it the import runs as the system.
    #[arg(long)]
    pub user: Option<String>,
    /// Also write the problems as CSV (UTF-8 with BOM, opens in Excel).
    #[arg(long)]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Runs an import command; returns the exit status.
pub async fn run(command: ImportCommand) -> anyhow::Result<u8> {
    match command {
        ImportCommand::Registry(args) => registry_import(args).await,
    }
}

fn bar() -> ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {msg} {wide_bar} {pos}/{len} ({per_sec}, 剩余 {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

/// A progress bar on a terminal (hidden otherwise), one phase after the other.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn phase(&self, zh: &str, _en: &str) {
        self.0.set_message(zh.to_owned());
        self.0.set_length(0);
        self.0.set_position(0);
    }

    fn progress(&self, done: u64, total: u64) {
        self.0.set_length(total);
        self.0.set_position(done);
    }
}

async fn registry_import(args: RegistryArgs) -> anyhow::Result<u8> {
    let name = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let unreadable = |e: std::io::Error| {
        eprintln!("错误 error: 无法读取文件 {}：{e}", args.file.display());
        Ok(2)
    };
    if let Err(e) = std::fs::metadata(&args.file) {
        return unreadable(e);
    }
    // The file is read while the database opens.
    let file = args.file.clone();
    let reading_file = tokio::task::spawn_blocking(move || std::fs::read(file));
    let opened = std::time::Instant::now();
    // One connection: the import is this command's only use of the database (see `DbArgs::open_alone`).
    let db = args.db.open_alone().await;
    let bytes = match reading_file.await.context("reading the file failed")? {
        Ok(b) => b,
        Err(e) => return unreadable(e),
    };
    let db = db?;
    let caller = crate::config::operator_or_system(&db, args.user.as_deref()).await?;
    let started = std::time::Instant::now();
    let options = ImportOptions {
        dry_run: args.dry_run,
        all_or_nothing: args.all_or_nothing,
        source: name.clone(),
    };
    let file = UploadedFile {
        name: name.clone(),
        bytes: Arc::new(bytes),
    };
    let bar = Arc::new(Bar(bar()));
    let result = registry::run(
        &db,
        caller.as_ref(),
        &file,
        &options,
        shouwang_app::today(),
        bar.clone(),
    )
    .await;
    bar.0.finish_and_clear();
    let result = match result {
        Ok(r) => r,
        Err(ImportFailure::Unusable { file, problems }) => {
            println!("文件无法导入 / the file cannot be imported: {file}");
            for p in &problems {
                println!("  {p}");
            }
            if let Some(path) = &args.report {
                write_report(path, &problems)?;
            }
            return Ok(2);
        }
        Err(ImportFailure::Failed(e)) => anyhow::bail!("{} ({})", e.zh, e.en),
    };
    let sheets: Vec<String> = result
        .sheet_kinds
        .iter()
        .map(|(s, k)| format!("{s}（{}）", registry::sheet_kind_zh(*k)))
        .collect();
    println!(
        "文件 file: {name}，格式 {}，读取的表：{}",
        result.format,
        sheets.join("、")
    );
    if std::env::var("SHOUWANG_IMPORT_TIMING").as_deref() == Ok("1") {
        let t = result.timing;
        eprintln!(
            "timing: open database {:.3} s, read (with {} households written meanwhile) {:.3} s, finish {:.3} s",
            (started - opened).as_secs_f64(),
            t.early,
            t.read.as_secs_f64(),
            t.finish.as_secs_f64()
        );
    }
    let report = &result.report;
    print_report(report);
    // 收支测算比对 of the years written (or why it did not run).
    for (zh, en) in result.review.lines() {
        println!("{zh}");
        println!("({en})");
    }
    if let Some(path) = &args.report {
        write_report(path, &report.problems)?;
        println!("问题清单已写入 / problems written to {}", path.display());
    }
    Ok(if report.is_clean() { 0 } else { 1 })
}

fn print_report(r: &ImportReport) {
    let mut out = std::io::stdout().lock();
    if !r.problems.is_empty() {
        let _ = writeln!(out, "问题 problems ({}):", r.problems.len());
        for p in &r.problems {
            let _ = writeln!(out, "  {p}");
        }
    }
    let _ = writeln!(
        out,
        "读取 read: {} 行数据，{} 个空行跳过，{} 户 {} 人",
        r.read.rows, r.read.blank_rows, r.read.households, r.read.members
    );
    let verb = if r.committed {
        "已导入 imported"
    } else if r.dry_run {
        "预检（未写入）dry run, nothing written"
    } else if r.changes() == 0 {
        "无变化 nothing to change"
    } else {
        "未导入（--all-or-nothing 且有被拒绝的户）nothing written"
    };
    let _ = writeln!(
        out,
        "{verb}: 新增 {} 户，更新 {} 户，未变 {} 户；成员新增 {}、更新 {}、移除 {}；新建区划 {}；拒绝 {} 户",
        r.households_created,
        r.households_updated,
        r.households_unchanged,
        r.members_added,
        r.members_updated,
        r.members_removed,
        r.regions_created,
        r.rejected_households
    );
    let _ = writeln!(
        out,
        "({} created, {} updated, {} unchanged households; members {} added, {} updated, {} removed; {} regions created; {} households rejected)",
        r.households_created,
        r.households_updated,
        r.households_unchanged,
        r.members_added,
        r.members_updated,
        r.members_removed,
        r.regions_created,
        r.rejected_households
    );
    if r.read.income_rows > 0 {
        let _ = writeln!(
            out,
            "收支情况 incomes: 新增 {} 条，更新 {} 条，未变 {} 条，拒绝 {} 行 ({} created, {} updated, {} unchanged, {} rows rejected)",
            r.incomes_created,
            r.incomes_updated,
            r.incomes_unchanged,
            r.rejected_income_rows,
            r.incomes_created,
            r.incomes_updated,
            r.incomes_unchanged,
            r.rejected_income_rows
        );
    }
}

/// Writes problems as CSV (UTF-8 with BOM), the upload page's download.
fn write_report(path: &Path, problems: &[Problem]) -> anyhow::Result<()> {
    std::fs::write(path, problems_csv(problems))
        .with_context(|| format!("cannot write {}", path.display()))
}
