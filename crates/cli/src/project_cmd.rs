//! `shouwang project list|queue|show|apply|step|pay|board`: the 项目库与衔接资金 (issue 23) from the command
//! line, through `shouwang_app::projects` — the same path as the pages and `/api/v1/projects…` (scoped to
//! the user's area, audited, each step by its role, payments within the plan). `--json` prints the API's
//! shapes. The ledgers: `export ledger projects`, `export ledger project_funds`.

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_app::projects::{self, ApplyBody, Entry, ListFilter, StepBody, StepInput};
use shouwang_core::CodeList;
use shouwang_core::project::{Decision, Draft, FundSource, Payment, Plan, ProjectKind, Step};

use crate::config::{DbArgs, bad_input, code_arg, operator, print, refused, yuan_arg};

/// Arguments of `shouwang project`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit codes: 0 done; 2 bad input; 3 not allowed for the role or area; 4 not found in the user's area; \
5 a step out of order, a payment over the plan, a stale version.")]
pub struct ProjectArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: ProjectCommand,
}

/// The filter of `list` and `board`.
#[derive(Args, Debug, Default)]
pub struct FilterArgs {
    /// A township or village inside the user's area.
    #[arg(long)]
    pub area: Option<String>,
    /// Only this state (submitted, township_approved, department_approved, filed, returned, refused).
    #[arg(long)]
    pub state: Option<String>,
    /// Only this type (industry, employment, infrastructure, public_service, other).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only projects carried out in this year.
    #[arg(long)]
    pub year: Option<String>,
}

impl FilterArgs {
    fn filter(self) -> ListFilter {
        ListFilter {
            area: self.area,
            state: self.state,
            kind: self.kind,
            year: self.year,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum ProjectCommand {
    /// The projects of the user's area (项目库).
    List(FilterArgs),
    /// The projects awaiting the user's step (待办).
    Queue,
    /// One project: the flow and the payments.
    Show {
        /// 项目编号.
        id: i64,
    },
    /// 村申报 of a new project (the village team).
    Apply(Box<ApplyArgs>),
    /// A step of the flow: 乡审核, 行业部门论证, 县备案 (or 村申报 again after a return).
    Step {
        /// 项目编号.
        id: i64,
        /// The step (apply, township_review, department_review, county_filing).
        #[arg(long)]
        step: String,
        /// approve, return or refuse.
        #[arg(long, default_value = "approve")]
        decision: String,
        /// 办理日期 (YYYY-MM-DD; default today).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// 意见 (a reason is required to return or refuse).
        #[arg(long, default_value = "")]
        opinion: String,
        /// The version read (refused when the project changed since).
        #[arg(long)]
        version: Option<i64>,
    },
    /// 资金拨付 of a filed project (the county).
    Pay {
        /// 项目编号.
        id: i64,
        /// 资金来源 (central, province, city, county, integrated, other).
        #[arg(long)]
        source: String,
        /// 金额 in yuan (12000.50).
        #[arg(long)]
        amount: String,
        /// 拨付日期 (YYYY-MM-DD; default today).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// 凭证号.
        #[arg(long)]
        voucher: String,
        /// The version read.
        #[arg(long)]
        version: Option<i64>,
    },
    /// 资金拨付进度 by township and fund source.
    Board(FilterArgs),
}

/// The application of `project apply`.
#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// 项目名称.
    #[arg(long)]
    pub name: String,
    /// 项目类型 (industry, employment, infrastructure, public_service, other).
    #[arg(long)]
    pub kind: String,
    /// 行政村 code (default the user's village).
    #[arg(long)]
    pub village: Option<String>,
    /// 建设地点.
    #[arg(long, default_value = "")]
    pub place: String,
    /// 建设内容及规模.
    #[arg(long, default_value = "")]
    pub content: String,
    /// 实施年度 (first).
    #[arg(long)]
    pub year_from: i32,
    /// 实施年度 (last; default the first).
    #[arg(long)]
    pub year_to: Option<i32>,
    /// 计划投资 by source, repeatable: `central=800000`, `county=200000.50`.
    #[arg(long = "plan", required = true)]
    pub plan: Vec<String>,
    /// 受益户 (户编号, repeatable).
    #[arg(long = "household")]
    pub households: Vec<String>,
    /// 申报日期 (default today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    /// 申报意见.
    #[arg(long, default_value = "")]
    pub opinion: String,
}

fn plan_of(items: &[String]) -> anyhow::Result<Plan> {
    let mut plan = Plan::new();
    for item in items {
        let (s, a) = item.split_once('=').ok_or_else(|| {
            bad_input(
                format!("--plan 应为 来源=金额（如 central=800000）：{item}"),
                format!("--plan must be SOURCE=YUAN: {item}"),
            )
        })?;
        plan.insert(code_arg::<FundSource>("plan", s)?, yuan_arg("plan", a)?);
    }
    Ok(plan)
}

fn print_entry(e: &Entry) {
    println!(
        "{}  {}  {}  {}{}  {}  计划 {} 元 已拨付 {} 元 ({}){}",
        e.id,
        e.name,
        e.kind.label_zh(),
        e.township_name,
        e.village_name,
        e.state.label_zh(),
        e.progress.planned,
        e.progress.paid,
        e.progress.percent_text(),
        e.awaited
            .map(|s| format!("  待办：{}", s.label_zh()))
            .unwrap_or_default()
    );
}

/// Runs `shouwang project`.
pub async fn run(args: ProjectArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    let today = shouwang_app::today();
    match args.command {
        ProjectCommand::List(f) => {
            let rows = projects::list(&db, &caller, &f.filter())
                .await
                .map_err(refused)?;
            print(args.json, &rows, |rows| {
                rows.iter().for_each(print_entry);
                println!("共 {} 个项目 ({} projects)", rows.len(), rows.len());
            })?;
        }
        ProjectCommand::Queue => {
            let rows = projects::queue(&db, &caller).await.map_err(refused)?;
            print(args.json, &rows, |rows| rows.iter().for_each(print_entry))?;
        }
        ProjectCommand::Show { id } => {
            let sheet = projects::show(&db, &caller, id).await.map_err(refused)?;
            print(args.json, &sheet, |s| {
                print_entry(&s.entry);
                println!("  版本 version {}", s.entry.version);
                for st in &s.steps {
                    println!(
                        "  {} {} {} {}（{}）",
                        st.record.on,
                        st.record.step.label_zh(),
                        st.record.decision.label_zh(),
                        st.record.opinion,
                        st.by
                    );
                }
                for p in &s.payments {
                    println!(
                        "  拨付 {} {} {} 元 凭证 {}（{}）",
                        p.payment.paid_on,
                        p.payment.source.label_zh(),
                        p.payment.amount,
                        p.payment.voucher,
                        p.by
                    );
                }
            })?;
        }
        ProjectCommand::Apply(a) => {
            let draft = Draft {
                name: a.name.clone(),
                kind: code_arg::<ProjectKind>("kind", &a.kind)?,
                village: a
                    .village
                    .clone()
                    .unwrap_or_else(|| caller.scope.area_prefix().to_owned()),
                place: a.place.clone(),
                content: a.content.clone(),
                year_from: a.year_from,
                year_to: a.year_to.unwrap_or(a.year_from),
                plan: plan_of(&a.plan)?,
                households: a.households.clone(),
            };
            let body = ApplyBody {
                project: draft,
                on: a.on,
                opinion: a.opinion.clone(),
                attachments: Vec::new(),
            };
            let id = projects::apply_new(&db, &caller, body, today)
                .await
                .map_err(refused)
                .context("项目未申报 (nothing written)")?;
            print(args.json, &serde_json::json!({ "id": id }), |_| {
                println!("已申报 applied: 项目编号 {id}")
            })?;
        }
        ProjectCommand::Step {
            id,
            step,
            decision,
            on,
            opinion,
            version,
        } => {
            let body = StepBody {
                version,
                step: StepInput {
                    step: code_arg::<Step>("step", &step)?,
                    decision: code_arg::<Decision>("decision", &decision)?,
                    on,
                    opinion,
                    attachments: Vec::new(),
                },
                project: None,
            };
            let state = projects::take_step(&db, &caller, id, body, today)
                .await
                .map_err(refused)
                .with_context(|| format!("项目 {id} 未办理 (nothing written)"))?;
            print(args.json, &serde_json::json!({ "state": state }), |_| {
                println!("已办理 done: {}", state.label_zh())
            })?;
        }
        ProjectCommand::Pay {
            id,
            source,
            amount,
            on,
            voucher,
            version,
        } => {
            let payment = Payment {
                source: code_arg::<FundSource>("source", &source)?,
                paid_on: on.unwrap_or(today),
                amount: yuan_arg("amount", &amount)?,
                voucher,
            };
            let pid = projects::pay(&db, &caller, id, version, &payment, today)
                .await
                .map_err(refused)
                .with_context(|| format!("项目 {id} 拨付未保存 (nothing written)"))?;
            print(args.json, &serde_json::json!({ "id": pid }), |_| {
                println!("已保存拨付记录 payment recorded (id {pid})")
            })?;
        }
        ProjectCommand::Board(f) => {
            let b = projects::board(&db, &caller, &f.filter())
                .await
                .map_err(refused)?;
            print(args.json, &b, |b| {
                for t in &b.by_township {
                    println!(
                        "{} {} 个项目  计划 {} 元 已拨付 {} 元 ({})",
                        t.township_name,
                        t.projects,
                        t.progress.planned,
                        t.progress.paid,
                        t.progress.percent_text()
                    );
                }
                for s in &b.by_source {
                    println!(
                        "  {}  计划 {} 元 已拨付 {} 元 ({})",
                        s.source.label_zh(),
                        s.progress.planned,
                        s.progress.paid,
                        s.progress.percent_text()
                    );
                }
                println!(
                    "合计 total: 计划 {} 元 已拨付 {} 元 ({})",
                    b.total.planned,
                    b.total.paid,
                    b.total.percent_text()
                );
            })?;
        }
    }
    Ok(())
}
