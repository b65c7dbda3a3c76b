//! `shouwang quality …` (数据质量检查), `shouwang export quality …` (数据质量问题清单) and
//! `shouwang duplicates …` (重复数据核查).

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_core::duplicates::DuplicateKind;
use shouwang_core::{CodeList, IdNumber, Scope};
use shouwang_store::{Actor, Db, repo};

use crate::config::DbArgs;

fn store_err(e: shouwang_store::StoreError) -> anyhow::Error {
    anyhow::anyhow!("{} ({e})", e.message_zh())
}

/// The user's actor and scope (`None`: the system, everything).
async fn who(db: &Db, user: Option<&str>) -> anyhow::Result<(Actor, Option<Scope>)> {
    Ok(match crate::config::operator_or_system(db, user).await? {
        Some(u) => (u.actor(), Some(u.scope)),
        None => (Actor::system(), None),
    })
}

/// `shouwang quality`.
#[derive(Args, Debug)]
pub struct QualityArgs {
    /// Only this area: a county (6 digits), township (9) or village (12) code.
    #[arg(long)]
    pub area: Option<String>,
    /// Check as this user (only their area).
    #[arg(long)]
    pub user: Option<String>,
    /// The date the checks are run for (ages, the 6-month rules); default today.
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// Print the summary and every finding as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Runs the data-quality checks and prints a summary per check code.
pub async fn quality(args: QualityArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let (actor, scope) = who(&db, args.user.as_deref()).await?;
    let as_of = args.as_of.unwrap_or_else(shouwang_app::today);
    let (summary, households) = shouwang_app::quality::findings(
        &db,
        &actor,
        scope.as_ref(),
        args.area.as_deref(),
        as_of,
        None,
    )
    .await
    .map_err(crate::config::refused)?;
    if args.json {
        let show = |id: Option<IdNumber>| {
            id.map(|id| scope.as_ref().map_or(id.to_string(), |s| s.show_id(id)))
        };
        let rows: Vec<serde_json::Value> = households
            .iter()
            .map(|h| {
                serde_json::json!({
                    "number": h.number,
                    "village_code": h.village_code,
                    "village_name": h.village_name,
                    "head_name": h.head_name,
                    "findings": h.findings.iter().map(|f| serde_json::json!({
                        "code": f.finding.code,
                        "severity": f.finding.severity.code(),
                        "member": show(f.finding.member),
                        "member_name": f.member_name,
                        "message_zh": f.finding.message_zh,
                        "message_en": f.finding.message_en,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "summary": summary,
                "households": rows,
            }))?
        );
        return Ok(());
    }
    println!(
        "数据质量检查 / data-quality run as of {as_of}: {} 户检查，{} 户有问题（错误 {}，疑点 {}）",
        summary.households_checked,
        summary.households_with_findings,
        summary.errors,
        summary.warnings
    );
    println!("代码  程度     户数   问题数  检查规则 / rule");
    for (info, c) in summary.all_codes() {
        if c.findings == 0 {
            continue;
        }
        println!(
            "{:<5} {:<6} {:>6} {:>6}  {}",
            info.code,
            info.severity.label_zh(),
            c.households,
            c.findings,
            info.title_zh
        );
    }
    Ok(())
}

/// `shouwang export quality`.
#[derive(Args, Debug)]
pub struct QualityExport {
    /// Output file (.xlsx).
    #[arg(long)]
    pub out: PathBuf,
    /// Only this area: a county (6 digits), township (9) or village (12) code.
    #[arg(long)]
    pub area: Option<String>,
    /// Export as this user (only their area; ID numbers masked unless the role may see them).
    #[arg(long)]
    pub user: Option<String>,
    /// The date the checks are run for; default today.
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// Writes 数据质量问题清单.
pub async fn export(args: QualityExport) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let (actor, scope) = who(&db, args.user.as_deref()).await?;
    let as_of = args.as_of.unwrap_or_else(shouwang_app::today);
    let out = shouwang_app::quality::export(
        &db,
        &actor,
        scope.as_ref(),
        args.area.as_deref(),
        None,
        as_of,
    )
    .await
    .map_err(crate::config::refused)?;
    let (rows, summary, bytes) = (out.rows, out.summary, out.bytes);
    std::fs::write(&args.out, bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "已导出数据质量问题清单 / exported {rows} findings of {} households ({} checked) → {}",
        summary.households_with_findings,
        summary.households_checked,
        args.out.display()
    );
    Ok(())
}

/// `shouwang duplicates`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DuplicatesArgs {
    #[command(subcommand)]
    pub command: Option<MergeCommand>,
    /// Only this area: a county (6 digits), township (9) or village (12) code.
    #[arg(long)]
    pub area: Option<String>,
    /// List as this user (only their area).
    #[arg(long)]
    pub user: Option<String>,
    /// Print the candidates as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
}

/// A merge confirmed by a township or county admin.
#[derive(Subcommand, Debug)]
pub enum MergeCommand {
    /// Merge household --drop into household --keep (一户多档): members and income years the kept
    /// household lacks move to it, the rest of the dropped household is deleted.
    Merge {
        /// 户编号 of the household kept.
        #[arg(long)]
        keep: String,
        /// Its version as reviewed (see `duplicates --json`).
        #[arg(long)]
        keep_version: i64,
        /// 户编号 of the household merged and deleted.
        #[arg(long)]
        drop: String,
        /// Its version as reviewed.
        #[arg(long)]
        drop_version: i64,
        /// The admin confirming the merge (township or county admin).
        #[arg(long)]
        user: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Delete a duplicated member record from a household (一人多户, 疑似同一人).
    RemoveMember {
        /// 户编号.
        #[arg(long)]
        household: String,
        /// The member's ID number.
        #[arg(long)]
        id: String,
        /// The household's version as reviewed.
        #[arg(long)]
        version: i64,
        /// The admin confirming it (township or county admin).
        #[arg(long)]
        user: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Lists the duplicate candidates, or merges.
pub async fn duplicates(args: DuplicatesArgs) -> anyhow::Result<()> {
    match args.command {
        Some(MergeCommand::Merge {
            keep,
            keep_version,
            drop,
            drop_version,
            user,
            db,
        }) => {
            let db = db.open().await?;
            let (actor, scope) = who(&db, Some(&user)).await?;
            let scope = scope.context("internal: a user has a scope")?;
            let out = repo::duplicates::merge_households(
                &db,
                &actor,
                &scope,
                &keep,
                keep_version,
                &drop,
                drop_version,
            )
            .await
            .map_err(store_err)?;
            println!(
                "已将户 {drop} 合并到户 {keep} / merged: {} 名成员迁入，{} 名重复成员删除，{} 年收入迁入；户 {keep} 版本 {}",
                out.members_moved, out.members_dropped, out.incomes_moved, out.version
            );
            Ok(())
        }
        Some(MergeCommand::RemoveMember {
            household,
            id,
            version,
            user,
            db,
        }) => {
            let id =
                IdNumber::parse(&id).map_err(|e| anyhow::anyhow!("{} ({e})", e.message_zh()))?;
            let db = db.open().await?;
            let (actor, scope) = who(&db, Some(&user)).await?;
            let scope = scope.context("internal: a user has a scope")?;
            let v = repo::duplicates::remove_member(&db, &actor, &scope, &household, id, version)
                .await
                .map_err(store_err)?;
            println!("已从户 {household} 删除重复的成员记录 / removed; 版本 {v}");
            Ok(())
        }
        None => {
            let db = args.db.open().await?;
            let (actor, scope) = who(&db, args.user.as_deref()).await?;
            let rows = shouwang_app::quality::duplicate_candidates(
                &db,
                &actor,
                scope.as_ref(),
                args.area.as_deref(),
            )
            .await
            .map_err(crate::config::refused)?;
            let show = |id: IdNumber| scope.as_ref().map_or(id.to_string(), |s| s.show_id(id));
            if args.json {
                let v: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|r| {
                        let c = &r.candidate;
                        serde_json::json!({
                            "kind": c.kind.code(),
                            "a": c.a, "version_a": r.version_a,
                            "b": c.b, "version_b": r.version_b,
                            "members": c.members.iter().map(|m| serde_json::json!({
                                "household": m.household.number,
                                "id_number": show(m.id_number),
                                "name": m.name,
                            })).collect::<Vec<_>>(),
                            "reason_zh": c.reason_zh,
                            "reason_en": c.reason_en,
                        })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
                return Ok(());
            }
            println!("重复数据核查 / duplicate review: {} 组疑似重复", rows.len());
            for k in DuplicateKind::ALL {
                let n = rows.iter().filter(|r| r.candidate.kind == k).count();
                println!("  {} {}: {n}", k.code(), k.label_zh());
            }
            for r in &rows {
                let c = &r.candidate;
                println!(
                    "{} 户 {}（版本 {}）↔ 户 {}（版本 {}）：{}",
                    c.kind.code(),
                    c.a.number,
                    r.version_a,
                    c.b.number,
                    r.version_b,
                    c.reason_zh
                );
            }
            Ok(())
        }
    }
}
