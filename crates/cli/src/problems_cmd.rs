//! `shouwang problems list|show|add|step|close`: the 三保障和饮水安全问题排查整改台账 (A6, issue 22;
//! §三(四)2) from the command line, through `shouwang_app::problems` — the same path as the pages and
//! `/api/v1/problems…` (scoped to the user's area, audited; a step needs evidence, 销号 only after a step
//! and by the township or county). Evidence files go to the attachment store the server uses
//! (DATA_DIR/attachments unless `--files-dir`). `--json` prints the API's shapes. The ledger: `export
//! ledger problems`.

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_app::attachments::FileStore;
use shouwang_app::problems::{self, ProblemQuery, ProblemView};
use shouwang_core::codes::Guarantee;
use shouwang_core::monitoring::{NewProblem, ProblemAction, ResponsibleUnit};
use shouwang_core::{CodeList, RegionCode};

use crate::case_cmd::upload_path;
use crate::config::{DbArgs, codes, operator, printed_json, refused};

/// Arguments of `shouwang problems`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit codes: 0 done; 2 bad input (no evidence, blank text, a deadline before today); 3 not allowed for \
the role or another area; 4 not found in the user's area; 5 out of order, closed or a stale version.")]
pub struct ProblemsArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Where uploaded evidence is kept (default DATA_DIR/attachments, the server's).
    #[arg(long, global = true)]
    pub files_dir: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: ProblemsCommand,
}

#[derive(Subcommand, Debug)]
pub enum ProblemsCommand {
    /// The problems of the user's area (问题台账), with the board by sector.
    List {
        /// A township or village inside the user's area.
        #[arg(long)]
        area: Option<String>,
        /// 户编号.
        #[arg(long)]
        household: Option<String>,
        /// 保障类别 (`compulsory_education`, `basic_medical`, `housing`, `drinking_water`).
        #[arg(long)]
        sector: Option<String>,
        /// 整改状态 (`open`, `rectifying`, `closed`).
        #[arg(long)]
        status: Option<String>,
        /// Only those overdue today (逾期).
        #[arg(long)]
        overdue: bool,
    },
    /// One problem with its steps.
    Show {
        /// 问题编号.
        id: i64,
    },
    /// Records a problem found today at a household (`--household`) or a village (`--village`).
    Add {
        /// 行政村 (a village's problem).
        #[arg(long, required_unless_present = "household")]
        village: Option<String>,
        /// 户编号 (a household's problem; files a 干部排查 clue).
        #[arg(long)]
        household: Option<String>,
        /// 保障类别 (code or name).
        #[arg(long)]
        sector: String,
        /// 问题描述.
        #[arg(long)]
        found: String,
        /// 责任单位 (code or name; default the sector's).
        #[arg(long)]
        unit: Option<String>,
        /// 整改时限 (YYYY-MM-DD).
        #[arg(long)]
        deadline: NaiveDate,
    },
    /// Records a rectification step (整改措施) with evidence files (JPEG, PNG, WebP, PDF).
    Step {
        /// 问题编号.
        id: i64,
        /// The problem's version (see `show`).
        #[arg(long)]
        version: i64,
        /// What was done.
        #[arg(long)]
        done: String,
        /// An evidence file, repeatable.
        #[arg(long = "evidence")]
        evidence: Vec<PathBuf>,
    },
    /// Accepts the rectification and closes the problem (验收销号; township or county).
    Close {
        /// 问题编号.
        id: i64,
        /// The problem's version (see `show`).
        #[arg(long)]
        version: i64,
        /// 验收意见.
        #[arg(long)]
        opinion: String,
    },
}

/// The one code of list `T` given to `--flag` (code or Chinese name).
fn code<T: CodeList>(flag: &str, v: &str) -> anyhow::Result<T> {
    codes::<T>(flag, &[v.to_owned()])?
        .into_iter()
        .next()
        .context("no code")
}

fn print_problem(p: &ProblemView) {
    let what = &p.problem.what;
    println!(
        "{}  v{}  {}  {}  {}  {}  责任单位 {}  时限 {}  {}{}",
        p.id,
        p.version,
        what.village.as_str(),
        what.household.as_deref().unwrap_or("村级"),
        what.sector.label_zh(),
        what.found,
        what.unit.label_zh(),
        what.deadline,
        p.status.label_zh(),
        if p.overdue { "（逾期）" } else { "" },
    );
}

fn print_steps(p: &ProblemView) {
    for s in &p.problem.steps {
        let files: Vec<&str> = s.evidence.iter().map(|a| a.name.as_str()).collect();
        println!(
            "  {} {}（{}） 佐证：{}",
            s.on,
            s.done,
            s.by.name,
            files.join("、")
        );
    }
    if let Some(a) = &p.problem.accepted {
        println!("  {} 验收销号（{}）：{}", a.on, a.by.name, a.opinion);
    }
}

/// Runs `shouwang problems`.
pub async fn run(args: ProblemsArgs) -> anyhow::Result<()> {
    let files = FileStore::new(
        args.files_dir
            .clone()
            .unwrap_or_else(|| args.db.data_dir.join("attachments")),
    );
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    let today = shouwang_app::today();
    let shown = match args.command {
        ProblemsCommand::List {
            area,
            household,
            sector,
            status,
            overdue,
        } => {
            let q = ProblemQuery {
                area,
                household,
                sector: sector.map(|s| Guarantee::from_any(&s).map_or(s, |g| g.code().to_owned())),
                status,
                overdue: Some(overdue),
            };
            let filter = q.filter(today).map_err(refused)?;
            let rows = problems::list(&db, &caller, &filter, today)
                .await
                .map_err(refused)?;
            if !printed_json(args.json, &rows)? {
                for p in &rows {
                    print_problem(p);
                }
                let board = problems::board(&db, &caller, q.area, today)
                    .await
                    .map_err(refused)?;
                for b in &board {
                    let label = Guarantee::from_code(&b.sector).map_or("", |g| g.label_zh());
                    println!(
                        "{label}：待整改 {} 整改中 {} 已销号 {} 逾期 {}",
                        b.open, b.rectifying, b.closed, b.overdue
                    );
                }
                println!("共 {} 个问题 ({} problems)", rows.len(), rows.len());
            }
            return Ok(());
        }
        ProblemsCommand::Show { id } => problems::show(&db, &caller, id, today)
            .await
            .map_err(refused)?,
        ProblemsCommand::Add {
            village,
            household,
            sector,
            found,
            unit,
            deadline,
        } => {
            let sector: Guarantee = code("sector", &sector)?;
            let unit = match unit {
                Some(u) => code("unit", &u)?,
                None => ResponsibleUnit::default_for(sector),
            };
            // A household's problem takes the household's village; the user's area stands in.
            let village = village.unwrap_or_else(|| caller.scope.area_prefix().to_owned());
            let village = RegionCode::parse(&village).map_err(|e| {
                refused(shouwang_app::Error::invalid(
                    format!("--village {village}：{e}"),
                    format!("--village {village}: {e}"),
                ))
            })?;
            let what = NewProblem {
                village,
                household,
                sector,
                found,
                unit,
                deadline,
            };
            let done = problems::record(&db, &caller, what, today)
                .await
                .map_err(refused)
                .context("问题未登记 / the problem was not recorded")?;
            if printed_json(args.json, &done)? {
                return Ok(());
            }
            if done.filed.is_some() {
                println!("已登记风险线索（干部排查） a risk clue was filed (cadre screening)");
            }
            done.problem
        }
        ProblemsCommand::Step {
            id,
            version,
            done,
            evidence,
        } => {
            let mut files_up = Vec::new();
            for path in &evidence {
                files_up.push(upload_path(&db, &files, &caller, path, args.json).await?);
            }
            let action = ProblemAction::Rectify {
                done,
                evidence: files_up,
            };
            problems::act(&db, &caller, id, version, action, today)
                .await
                .map_err(refused)
                .with_context(|| format!("问题 {id} 整改记录未保存"))?
        }
        ProblemsCommand::Close {
            id,
            version,
            opinion,
        } => problems::act(
            &db,
            &caller,
            id,
            version,
            ProblemAction::Accept { opinion },
            today,
        )
        .await
        .map_err(refused)
        .with_context(|| format!("问题 {id} 未销号"))?,
    };
    if !printed_json(args.json, &shown)? {
        print_problem(&shown);
        print_steps(&shown);
    }
    Ok(())
}
