//! `shouwang labour list|show|record|figures`: the 农村劳动力就业 register (B1, issue 21) from the command
//! line, through `shouwang_app::registers::labour` — the same path as the pages and `/api/v1/labour…`
//! (scoped to the user's area, audited; a second record in a month refused). `--json` prints the API's
//! shapes. The ledger: `export ledger labour`.

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_app::registers::labour::{self, Entry, ListFilter, RecordInput, WorkerInput};
use shouwang_core::CodeList;
use shouwang_core::register::labour::{Drive, Status, worker_label_zh};
use shouwang_core::register::relocation::WorkPlace;

use crate::config::{DbArgs, operator, printed_json, refused};

/// Arguments of `shouwang labour`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit codes: 0 done; 2 bad input; 3 not allowed for the role or another village; 4 not found in the \
user's area (or without labour); 5 the month already recorded.")]
pub struct LabourArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: LabourCommand,
}

#[derive(Subcommand, Debug)]
pub enum LabourCommand {
    /// The households with labour and the month's record (劳动力名单).
    List {
        /// A township or village inside the user's area.
        #[arg(long)]
        area: Option<String>,
        /// Only households with a member in this 就业状态 (`migrant`, `nearby`, `welfare_post`,
        /// `workshop`, `self_employed`, `unemployed`).
        #[arg(long)]
        status: Option<String>,
        /// Only this state of the month (`pending`, `overdue`, `done`, `done_late`) or `missing`.
        #[arg(long)]
        state: Option<String>,
        /// The month (YYYY-MM; default this month).
        #[arg(long)]
        month: Option<String>,
    },
    /// One household: labour force, this month, its records.
    Show {
        /// 户编号.
        household: String,
    },
    /// Records the month's employment (劳动力就业月报).
    Record(Box<RecordArgs>),
    /// 脱贫劳动力务工就业人数 of the user's area against the same month of last year, by village.
    Figures {
        /// The month (YYYY-MM; default this month).
        #[arg(long)]
        month: Option<String>,
    },
}

/// The record of `labour record`.
#[derive(Args, Debug)]
pub struct RecordArgs {
    /// 户编号.
    pub household: String,
    /// 登记日期 (YYYY-MM-DD; default today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    /// Every member of the labour force, repeatable: `POSITION:STATUS[:PLACE[:EMPLOYER[:WAGE[:DRIVE]]]]` —
    /// the member's place in the household (see `show`), 就业状态 (migrant, nearby, welfare_post, workshop,
    /// self_employed, unemployed), 务工地点 of migrant (in_county, in_province, out_of_province), 就业单位,
    /// 月收入（元）, 带动方式 (leader, workshop, welfare_post, enterprise).
    #[arg(long = "worker")]
    pub workers: Vec<String>,
}

fn bad(s: &str, zh: &str, en: &str) -> anyhow::Error {
    refused(shouwang_app::Error::invalid(
        format!("--worker {s}：{zh}"),
        format!("--worker {s}: {en}"),
    ))
}

fn opt_code<T: CodeList>(
    s: &str,
    part: Option<&&str>,
    zh: &str,
    en: &str,
) -> anyhow::Result<Option<T>> {
    match part.filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) => T::from_any(p).map(Some).ok_or_else(|| bad(s, zh, en)),
    }
}

/// `0:migrant:out_of_province:某厂:4000:enterprise`.
fn worker(s: &str) -> anyhow::Result<WorkerInput> {
    let parts: Vec<&str> = s.splitn(6, ':').map(str::trim).collect();
    let position = parts
        .first()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| bad(s, "缺少成员序号", "no position"))?;
    let status: Status = opt_code(s, parts.get(1), "未知的就业状态", "unknown status")?
        .ok_or_else(|| bad(s, "未知的就业状态", "unknown status"))?;
    let monthly_income = match parts.get(4).filter(|w| !w.is_empty()) {
        None => None,
        Some(w) => Some(
            w.parse()
                .map_err(|_| bad(s, "月收入应为整数", "bad wage"))?,
        ),
    };
    Ok(WorkerInput {
        position,
        status,
        place: opt_code::<WorkPlace>(s, parts.get(2), "未知的务工地点", "unknown place")?,
        employer: parts.get(3).copied().unwrap_or_default().to_owned(),
        monthly_income,
        drive: opt_code::<Drive>(s, parts.get(5), "未知的带动方式", "unknown drive")?,
        training_wanted: String::new(),
        training_taken: String::new(),
    })
}

fn print_entry(e: &Entry) {
    let labour: Vec<String> = e
        .labour
        .iter()
        .map(|l| format!("{}:{}（{}）", l.position, l.name, l.age))
        .collect();
    let jobs: Vec<String> = e
        .record
        .iter()
        .flat_map(|r| r.workers.iter().map(worker_label_zh))
        .collect();
    println!(
        "{}  {}  {}{}  劳动力 {}  {} {}  {}",
        e.number,
        e.village_name,
        e.head_name,
        if e.alleviated { "（脱贫户）" } else { "" },
        labour.join("、"),
        e.month.status.label_zh(),
        e.month
            .recorded_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        jobs.join("；"),
    );
}

/// Runs `shouwang labour`.
pub async fn run(args: LabourArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    let today = shouwang_app::today();
    match args.command {
        LabourCommand::List {
            area,
            status,
            state,
            month,
        } => {
            let f = ListFilter {
                area,
                status,
                state,
                month,
            };
            let rows = labour::list(&db, &caller, &f, today)
                .await
                .map_err(refused)?;
            if !printed_json(args.json, &rows)? {
                for e in &rows {
                    print_entry(e);
                }
                println!("共 {} 户 ({} households)", rows.len(), rows.len());
            }
        }
        LabourCommand::Show { household } => {
            let sheet = labour::show(&db, &caller, &household, today)
                .await
                .map_err(refused)?;
            if !printed_json(args.json, &sheet)? {
                print_entry(&sheet.entry);
                for r in &sheet.records {
                    let workers: Vec<String> =
                        r.record.workers.iter().map(worker_label_zh).collect();
                    println!(
                        "  {} {}  {}  （{}）",
                        r.record.month,
                        r.record.recorded_on,
                        workers.join("；"),
                        r.recorded_by
                    );
                }
            }
        }
        LabourCommand::Record(a) => {
            let input = RecordInput {
                recorded_on: a.on,
                workers: a
                    .workers
                    .iter()
                    .map(|w| worker(w))
                    .collect::<anyhow::Result<_>>()?,
            };
            let done = labour::record(&db, &caller, &a.household, &input, today)
                .await
                .map_err(refused)
                .with_context(|| format!("户 {} 就业登记未保存", a.household))?;
            if !printed_json(args.json, &done)? {
                println!(
                    "已保存就业登记 record saved (id {})；务工就业 {} 人",
                    done.id, done.employed
                );
            }
        }
        LabourCommand::Figures { month } => {
            let f = labour::figures(&db, &caller, None, month.as_deref(), today)
                .await
                .map_err(refused)?;
            if !printed_json(args.json, &f)? {
                println!(
                    "{} 有劳动力的农户 {} 户，已登记 {} 户，逾期 {} 户；劳动力 {} 人，务工就业 {} 人",
                    f.month, f.households, f.recorded, f.overdue, f.labour, f.employed
                );
                println!(
                    "脱贫劳动力务工就业人数 {}，去年同月 {}（{}）",
                    f.trend.this_year,
                    f.trend.last_year,
                    if f.trend.stable_or_growing() {
                        "稳中有增"
                    } else {
                        "下降"
                    }
                );
                for v in &f.by_village {
                    println!(
                        "  {} {}：{}（去年同月 {}）",
                        v.village, v.village_name, v.trend.this_year, v.trend.last_year
                    );
                }
            }
        }
    }
    Ok(())
}
