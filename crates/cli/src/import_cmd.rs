//! `shouwang import registry FILE`: the registry import (农户信息导入) from XLSX, XLS or CSV.
//!
//! Exit status: 0 everything imported; 1 some households rejected (the report lists every problem with
//! sheet, row, column, value and reason); 2 the file is unusable (not a spreadsheet, no registry sheet,
//! a required column missing) or the import failed as a whole.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use shouwang_core::registry::Problem;
use shouwang_io::registry::{Handout, StreamingSink};
use shouwang_store::repo::registry_file::{ImportOptions, ImportReport, Importer};
use shouwang_store::{Actor, repo};

use crate::config::DbArgs;

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import households and members from a registry workbook or CSV (农户信息导入).
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

fn bar(what: &'static str) -> ProgressBar {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{spinner}} {what} {{wide_bar}} {{pos}}/{{len}} ({{per_sec}}, 剩余 {{eta}})"
    )) {
        bar.set_style(style);
    }
    bar
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
    let (actor, scope) = match &args.user {
        Some(u) => {
            let user = repo::users::find_by_username(&db, u)
                .await?
                .with_context(|| format!("用户不存在 / no such user: {u}"))?;
            anyhow::ensure!(user.is_active, "用户已停用 / user is deactivated: {u}");
            (user.actor(), Some(user.scope))
        }
        None => (Actor::system(), None),
    };

    let timing = std::env::var("SHOUWANG_IMPORT_TIMING").as_deref() == Ok("1");
    let started = std::time::Instant::now();
    let reading = bar("读取");
    let options = ImportOptions {
        dry_run: args.dry_run,
        all_or_nothing: args.all_or_nothing,
        source: name.clone(),
    };
    // The reader runs on a blocking thread and hands over households as they complete; the database
    // writes them meanwhile (see `registry_file::Importer`).
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Handout>(4);
    let reader = {
        let reading = reading.clone();
        let name = name.clone();
        tokio::task::spawn_blocking(move || {
            let mut sink = StreamingSink::new(2048, move |batch| {
                // The receiver only goes away when the import failed; the reader then just finishes.
                let _ = tx.blocking_send(batch);
            });
            let info = shouwang_io::registry::read(&name, &bytes, &mut sink, &|done, total| {
                reading.set_length(total);
                reading.set_position(done);
            });
            (info, sink.finish())
        })
    };
    let mut importer = Importer::begin(&db, &actor, scope.as_ref(), &options)
        .await
        .map_err(import_error)?;
    while let Some(handout) = rx.recv().await {
        importer = match handout {
            Handout::Ready(batch) => {
                importer.early(batch).await.map_err(import_error)?;
                importer
            }
            // The reader reads the file again from the start (see `RowSink::restart`).
            Handout::Restart => importer.restart().await.map_err(import_error)?,
        };
    }
    let (read, assembled) = reader.await.context("reading the file failed")?;
    reading.finish_and_clear();
    let read_done = std::time::Instant::now();
    let info = match read {
        Ok(x) => x,
        Err(unusable) => {
            importer.abort().await?;
            println!("文件无法导入 / the file cannot be imported: {name}");
            for p in &unusable.0 {
                println!("  {p}");
            }
            if let Some(path) = &args.report {
                write_report(path, &unusable.0)?;
            }
            return Ok(2);
        }
    };
    let sheets: Vec<String> = info
        .sheets
        .iter()
        .map(|(s, k)| format!("{s}（{}）", kind_zh(*k)))
        .collect();
    println!(
        "文件 file: {name}，格式 {}，读取的表：{}",
        info.format,
        sheets.join("、")
    );
    let early = importer.early_count();
    let writing = bar("写入");
    let report = importer
        .finish(assembled, &|d, t| {
            writing.set_length(t);
            writing.set_position(d);
        })
        .await
        .map_err(import_error)?;
    writing.finish_and_clear();
    if timing {
        eprintln!(
            "timing: open database {:.3} s, read (with {early} households written meanwhile) {:.3} s, finish {:.3} s",
            (started - opened).as_secs_f64(),
            (read_done - started).as_secs_f64(),
            read_done.elapsed().as_secs_f64()
        );
    }
    print_report(&report);
    if let Some(path) = &args.report {
        write_report(path, &report.problems)?;
        println!("问题清单已写入 / problems written to {}", path.display());
    }
    Ok(if report.is_clean() { 0 } else { 1 })
}

/// A store error of the import, in Chinese and English.
fn import_error(e: shouwang_store::StoreError) -> anyhow::Error {
    anyhow::anyhow!("{} ({e})", e.message_zh())
}

fn kind_zh(k: shouwang_core::registry::SheetKind) -> &'static str {
    use shouwang_core::registry::SheetKind::*;
    match k {
        Households => "户信息",
        Members => "家庭成员",
        Combined => "每人一行",
    }
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
}

/// Writes problems as CSV (UTF-8 with BOM).
fn write_report(path: &Path, problems: &[Problem]) -> anyhow::Result<()> {
    let mut buf: Vec<u8> = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut buf);
        w.write_record(["表", "行", "列", "值", "原因", "reason"])?;
        for p in problems {
            w.write_record([
                p.sheet.as_str(),
                &p.row.to_string(),
                &p.column,
                &p.value,
                &p.reason_zh,
                &p.reason_en,
            ])?;
        }
        w.flush()?;
    }
    std::fs::write(path, buf).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
