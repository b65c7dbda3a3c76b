//! `shouwang relocation list|show|screen|figures`: the 易地搬迁后续扶持 register (A5, issue 21) from the
//! command line, through `shouwang_app::registers::relocation` — the same path as the pages and
//! `/api/v1/relocation…` (scoped to the user's area, audited; a second screening in a quarter refused, a
//! new risk filing a 干部排查 clue). `--json` prints the API's shapes. The ledger: `export ledger
//! relocation`.

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_app::registers::relocation::{self, Entry, ListFilter, ScreeningInput, WorkerInput};
use shouwang_core::CodeList;
use shouwang_core::codes::RiskType;
use shouwang_core::register::relocation::{Job, WorkPlace, worker_label_zh};

use crate::config::{DbArgs, codes, operator, printed_json, refused};

/// Arguments of `shouwang relocation`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit codes: 0 done; 2 bad input; 3 not allowed for the role or another village; 4 not found in the \
user's area (or not relocated); 5 the quarter already screened.")]
pub struct RelocationArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: RelocationCommand,
}

#[derive(Subcommand, Debug)]
pub enum RelocationCommand {
    /// The relocated households with labour force, the quarter's screening and the target (搬迁户名单).
    List {
        /// A township, village or settlement point inside the user's area.
        #[arg(long)]
        area: Option<String>,
        /// Only this target state (`met`, `unmet`, `unscreened`, `no_labour`) or `misses`.
        #[arg(long)]
        target: Option<String>,
        /// Only this state of the quarter (`pending`, `overdue`, `done`, `done_late`).
        #[arg(long)]
        status: Option<String>,
        /// Only households with employment or training needs (the list for the county HR bureau).
        #[arg(long)]
        needs: bool,
        /// The quarter (YYYY-Qn; default this quarter).
        #[arg(long)]
        quarter: Option<String>,
    },
    /// One relocated household: labour force, target, this quarter, its screenings.
    Show {
        /// 户编号.
        household: String,
    },
    /// Records the quarter's screening (搬迁户季度排查).
    Screen(Box<ScreenArgs>),
    /// The register's figures of the user's area this quarter (the stable-employment target).
    Figures,
}

/// The screening of `relocation screen`.
#[derive(Args, Debug)]
pub struct ScreenArgs {
    /// 户编号.
    pub household: String,
    /// 排查日期 (YYYY-MM-DD; default today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    /// A member's employment, repeatable: `POSITION:JOB[:PLACE[:EMPLOYER[:WAGE]]]` — the member's place in
    /// the household (see `show`), 就业方式 (stable_job, welfare_post, workshop, self_employed, flexible,
    /// unemployed), 务工地点 (in_county, in_province, out_of_province), 就业单位, 月收入（元）.
    #[arg(long = "worker")]
    pub workers: Vec<String>,
    /// 本季度家庭收入（元）.
    #[arg(long)]
    pub income: Option<u64>,
    /// 就业需求.
    #[arg(long, default_value = "")]
    pub employment_needs: String,
    /// 技能培训需求.
    #[arg(long, default_value = "")]
    pub training_needs: String,
    /// 后续扶持需求.
    #[arg(long, default_value = "")]
    pub support_needs: String,
    /// 发现的新风险 (风险类型 codes or names, repeatable; files a 干部排查 clue).
    #[arg(long = "risk")]
    pub risks: Vec<String>,
}

fn bad(zh: String, en: String) -> anyhow::Error {
    refused(shouwang_app::Error::invalid(zh, en))
}

/// `0:stable_job:out_of_province:某厂:4000`.
fn worker(s: &str) -> anyhow::Result<WorkerInput> {
    let parts: Vec<&str> = s.splitn(5, ':').map(str::trim).collect();
    let position = parts.first().and_then(|p| p.parse().ok()).ok_or_else(|| {
        bad(
            format!("--worker {s}：缺少成员序号"),
            format!("--worker {s}: no position"),
        )
    })?;
    let job = parts.get(1).and_then(|j| Job::from_any(j)).ok_or_else(|| {
        bad(
            format!("--worker {s}：未知的就业方式"),
            format!("--worker {s}: unknown job"),
        )
    })?;
    let place = match parts.get(2).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => Some(WorkPlace::from_any(p).ok_or_else(|| {
            bad(
                format!("--worker {s}：未知的务工地点"),
                format!("--worker {s}: unknown place"),
            )
        })?),
    };
    let monthly_income = match parts.get(4).filter(|w| !w.is_empty()) {
        None => None,
        Some(w) => Some(w.parse().map_err(|_| {
            bad(
                format!("--worker {s}：月收入应为整数"),
                format!("--worker {s}: bad wage"),
            )
        })?),
    };
    Ok(WorkerInput {
        position,
        job,
        place,
        employer: parts.get(3).copied().unwrap_or_default().to_owned(),
        since: None,
        monthly_income,
    })
}

fn print_entry(e: &Entry) {
    let labour: Vec<String> = e
        .labour
        .iter()
        .map(|l| format!("{}:{}（{}）", l.position, l.name, l.age))
        .collect();
    println!(
        "{}  {}  {} {}人  劳动力 {}  {}  {} {}",
        e.number,
        e.village_name,
        e.head_name,
        e.size,
        if labour.is_empty() {
            "无".to_owned()
        } else {
            labour.join("、")
        },
        e.target.label_zh(),
        e.quarter.status.label_zh(),
        e.quarter
            .recorded_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
}

/// Runs `shouwang relocation`.
pub async fn run(args: RelocationArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    let today = shouwang_app::today();
    match args.command {
        RelocationCommand::List {
            area,
            target,
            status,
            needs,
            quarter,
        } => {
            let f = ListFilter {
                area,
                target,
                status,
                needs: needs.then_some(true),
                quarter,
            };
            let rows = relocation::list(&db, &caller, &f, today)
                .await
                .map_err(refused)?;
            if !printed_json(args.json, &rows)? {
                for e in &rows {
                    print_entry(e);
                }
                println!("共 {} 户 ({} households)", rows.len(), rows.len());
            }
        }
        RelocationCommand::Show { household } => {
            let sheet = relocation::show(&db, &caller, &household, today)
                .await
                .map_err(refused)?;
            if !printed_json(args.json, &sheet)? {
                print_entry(&sheet.entry);
                for r in &sheet.screenings {
                    let s = &r.screening;
                    let workers: Vec<String> = s.workers.iter().map(worker_label_zh).collect();
                    println!(
                        "  {} {}  {}  就业需求：{}  培训需求：{}  （{}）",
                        s.quarter,
                        s.screened_on,
                        workers.join("；"),
                        s.employment_needs,
                        s.training_needs,
                        r.recorded_by
                    );
                }
            }
        }
        RelocationCommand::Screen(a) => {
            let input = ScreeningInput {
                screened_on: a.on,
                workers: a
                    .workers
                    .iter()
                    .map(|w| worker(w))
                    .collect::<anyhow::Result<_>>()?,
                income: a.income,
                employment_needs: a.employment_needs.clone(),
                training_needs: a.training_needs.clone(),
                support_needs: a.support_needs.clone(),
                new_risks: codes::<RiskType>("risk", &a.risks)?,
            };
            let done = relocation::record_screening(&db, &caller, &a.household, &input, today)
                .await
                .map_err(refused)
                .with_context(|| format!("户 {} 排查记录未保存", a.household))?;
            if !printed_json(args.json, &done)? {
                println!(
                    "已保存排查记录 screening recorded (id {})；稳定就业目标：{}",
                    done.id,
                    done.target.label_zh()
                );
                if done.filed.is_some() {
                    println!("已登记风险线索（干部排查） a risk clue was filed (cadre screening)");
                }
            }
        }
        RelocationCommand::Figures => {
            let f = relocation::figures(&db, &caller, today)
                .await
                .map_err(refused)?;
            if !printed_json(args.json, &f)? {
                println!(
                    "搬迁户 {} 户，有劳动力 {} 户，其中有1人以上稳定就业 {} 户（{} %，目标 100 %），未达标 {} 户；{} 已排查 {} 户，逾期 {} 户",
                    f.households,
                    f.with_labour,
                    f.met,
                    f.rate_percent,
                    f.missing,
                    f.quarter,
                    f.screened,
                    f.overdue
                );
            }
        }
    }
    Ok(())
}
