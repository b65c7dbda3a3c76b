//! `shouwang workshop list|show|add|hire|release`: the 帮扶车间 register (B1 §四(一)3, issue 21) from the
//! command line, through `shouwang_app::workshops` — the same path as the pages and `/api/v1/workshops…`
//! (scoped to the user's area, audited, versioned). `--json` prints the API's shapes. The ledger: `export
//! ledger workshops`.

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_app::assets::Versioned;
use shouwang_app::workshops::{self, Entry, ListFilter, Release};
use shouwang_core::CodeList;
use shouwang_core::workshop::{Draft, Hire, OperatorKind, WorkshopState};

use crate::config::{DbArgs, operator, printed_json, refused};

/// Arguments of `shouwang workshop`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit codes: 0 done; 2 bad input; 3 not allowed for the role or the area; 4 not found in the user's area; \
5 a closed workshop, a member at work in a workshop already, or a stale version.")]
pub struct WorkshopArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: WorkshopCommand,
}

#[derive(Subcommand, Debug)]
pub enum WorkshopCommand {
    /// The workshops of the user's area with their workers' figures.
    List {
        /// A township or village inside the user's area.
        #[arg(long)]
        area: Option<String>,
        /// Only this state (`operating` 在营, `suspended` 停产, `closed` 关闭).
        #[arg(long)]
        state: Option<String>,
    },
    /// One workshop with its workers.
    Show {
        /// 车间编号.
        id: i64,
    },
    /// Registers a workshop (township, county).
    Add(Box<AddArgs>),
    /// Takes on a member of the labour force (户编号, member 1 = first).
    Hire {
        /// 车间编号.
        id: i64,
        /// 户编号.
        #[arg(long)]
        household: String,
        /// The member's number in the household (1 = first).
        #[arg(long)]
        member: usize,
        /// 月工资（元）.
        #[arg(long)]
        wage: u32,
        /// 务工起始日期 (default today).
        #[arg(long)]
        since: Option<NaiveDate>,
    },
    /// Records that a worker left (the worker's id, see `show`).
    Release {
        /// 车间编号.
        id: i64,
        /// The worker's id.
        #[arg(long)]
        worker: i64,
        /// 离岗日期 (default today).
        #[arg(long)]
        until: Option<NaiveDate>,
    },
}

/// The registration of `workshop add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// 车间名称.
    #[arg(long)]
    pub name: String,
    /// 所在村 (12-digit village code).
    #[arg(long)]
    pub village: String,
    /// 经营主体类型 (`enterprise` 企业, `cooperative` 合作社).
    #[arg(long)]
    pub operator_kind: String,
    /// 经营主体.
    #[arg(long)]
    pub operator: String,
    /// 主要产品.
    #[arg(long, default_value = "")]
    pub products: String,
    /// 投产日期.
    #[arg(long)]
    pub started_on: NaiveDate,
    /// 车间状态 (default operating 在营).
    #[arg(long)]
    pub state: Option<String>,
    /// 提供就业岗位数.
    #[arg(long)]
    pub jobs: u32,
}

fn code<T: CodeList>(s: &str, zh: &str, en: &str) -> anyhow::Result<T> {
    T::from_any(s.trim()).ok_or_else(|| {
        refused(shouwang_app::Error::invalid(
            format!("未知的{zh}：{s}"),
            format!("unknown {en}: {s}"),
        ))
    })
}

fn print_entry(e: &Entry) {
    println!(
        "{}  {}  {}{}  {}（{}）  {}  {}  岗位 {}  吸纳就业 {} 人（脱贫户 {}、监测户 {}）  月工资合计 {} 元",
        e.id,
        e.name,
        e.township_name,
        e.village_name,
        e.operator,
        e.operator_kind.label_zh(),
        e.started_on,
        e.state.label_zh(),
        e.jobs,
        e.tally.workers,
        e.tally.alleviated,
        e.tally.monitored,
        e.tally.wages,
    );
}

/// Runs `shouwang workshop`.
pub async fn run(args: WorkshopArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    let today = shouwang_app::today();
    match args.command {
        WorkshopCommand::List { area, state } => {
            let rows = workshops::list(&db, &caller, &ListFilter { area, state })
                .await
                .map_err(refused)?;
            if !printed_json(args.json, &rows)? {
                for e in &rows {
                    print_entry(e);
                }
                println!("共 {} 个帮扶车间 ({} workshops)", rows.len(), rows.len());
            }
        }
        WorkshopCommand::Show { id } => {
            let sheet = workshops::show(&db, &caller, id).await.map_err(refused)?;
            if !printed_json(args.json, &sheet)? {
                print_entry(&sheet.entry);
                for w in &sheet.workers {
                    println!(
                        "  {}  {} {}  {}{}{}  {} 元/月  {}..{}",
                        w.id,
                        w.household,
                        w.name,
                        w.id_number,
                        if w.alleviated { " 脱贫户" } else { "" },
                        if w.monitored { " 监测户" } else { "" },
                        w.wage,
                        w.since,
                        w.until.map(|d| d.to_string()).unwrap_or_default(),
                    );
                }
            }
        }
        WorkshopCommand::Add(a) => {
            let draft = Draft {
                name: a.name,
                village: a.village,
                operator_kind: code::<OperatorKind>(
                    &a.operator_kind,
                    "经营主体类型",
                    "operator kind",
                )?,
                operator: a.operator,
                products: a.products,
                started_on: a.started_on,
                state: match a.state.as_deref() {
                    Some(s) => code::<WorkshopState>(s, "车间状态", "state")?,
                    None => WorkshopState::Operating,
                },
                jobs: a.jobs,
            };
            let id = workshops::register(&db, &caller, draft, today)
                .await
                .map_err(refused)
                .context("帮扶车间未登记")?;
            if !printed_json(args.json, &serde_json::json!({ "id": id }))? {
                println!("已登记帮扶车间 workshop registered (id {id})");
            }
        }
        WorkshopCommand::Hire {
            id,
            household,
            member,
            wage,
            since,
        } => {
            let position = member.checked_sub(1).ok_or_else(|| {
                refused(shouwang_app::Error::invalid(
                    "成员序号从1开始",
                    "The member's number starts at 1",
                ))
            })?;
            let hire = Hire {
                household,
                position,
                wage,
                since: since.unwrap_or(today),
            };
            let worker = workshops::hire(
                &db,
                &caller,
                id,
                Versioned {
                    version: None,
                    body: hire,
                },
                today,
            )
            .await
            .map_err(refused)
            .context("务工人员未登记")?;
            if !printed_json(args.json, &serde_json::json!({ "id": worker }))? {
                println!("已登记车间务工人员 worker taken on (id {worker})");
            }
        }
        WorkshopCommand::Release { id, worker, until } => {
            workshops::release(
                &db,
                &caller,
                id,
                Versioned {
                    version: None,
                    body: Release { worker, until },
                },
                today,
            )
            .await
            .map_err(refused)
            .context("离岗未登记")?;
            if !printed_json(args.json, &serde_json::json!({ "released": worker }))? {
                println!("已登记离岗 worker left");
            }
        }
    }
    Ok(())
}
