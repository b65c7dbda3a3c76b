//! `shouwang low-income list|show|visit|figures`: the 农村低收入人口常态化帮扶 register (issue 21) from the
//! command line, through `shouwang_app::registers::low_income` — the same path as the pages and
//! `/api/v1/low-income…` (scoped to the user's area, audited; a second visit in a month refused, a new
//! risk filing a 干部排查 clue). `--json` prints the API's shapes. The ledger: `export ledger low_income`.

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_app::registers::low_income::{self, Entry, ListFilter, VisitInput};
use shouwang_core::CodeList;
use shouwang_core::codes::RiskType;
use shouwang_core::register::classified_help::{Application, ApplicationStatus, AssistanceKind};
use shouwang_core::register::low_income::Policy;

use crate::config::{DbArgs, bad_input, code_arg, codes, operator, refused};

/// Arguments of `shouwang low-income`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit codes: 0 done; 2 bad input; 3 not allowed for the role or another village; 4 not found in the \
user's area; 5 the month already visited.")]
pub struct LowIncomeArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: LowIncomeCommand,
}

#[derive(Subcommand, Debug)]
pub enum LowIncomeCommand {
    /// The households in scope with why and the month's visit (低收入人口名单).
    List {
        /// A township or village inside the user's area.
        #[arg(long)]
        area: Option<String>,
        /// Only this category (`former_monitored`, `dibao`, `tekun`, `disabled`, `two_without`,
        /// `unsupported_child`, `left_behind_child`).
        #[arg(long)]
        category: Option<String>,
        /// Only this state of the month (`pending`, `overdue`, `done`, `done_late`).
        #[arg(long)]
        status: Option<String>,
        /// The month (YYYY-MM; default this month).
        #[arg(long)]
        month: Option<String>,
    },
    /// One household: why, this month, its visits.
    Show {
        /// 户编号.
        household: String,
    },
    /// Records the month's visit (月度走访).
    Visit(Box<VisitArgs>),
    /// The register's figures of the user's area this month.
    Figures,
}

/// The visit of `low-income visit`.
#[derive(Args, Debug)]
pub struct VisitArgs {
    /// 户编号.
    pub household: String,
    /// 走访日期 (YYYY-MM-DD; default today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    /// 家庭需求.
    #[arg(long, default_value = "")]
    pub needs: String,
    /// 已享受政策 (codes, repeatable: dibao, tekun, temporary_relief, medical_aid, education_aid,
    /// disability_subsidies, pension_paid, welfare_post).
    #[arg(long = "policy")]
    pub policies: Vec<String>,
    /// 存在困难.
    #[arg(long, default_value = "")]
    pub difficulties: String,
    /// 帮扶措施 (the help arranged; `--help` is clap's).
    #[arg(long, default_value = "")]
    pub assist: String,
    /// 下一步打算.
    #[arg(long, default_value = "")]
    pub next_step: String,
    /// 发现的新风险 (风险类型 codes or names, repeatable; files a 干部排查 clue).
    #[arg(long = "risk")]
    pub risks: Vec<String>,
    /// 分类帮扶: an application's state, `dibao:applying` / `tekun:granted` / `dibao:refused` (repeatable).
    #[arg(long = "apply", value_name = "KIND:STATUS")]
    pub applications: Vec<String>,
}

/// The applications of `--apply KIND:STATUS`.
fn applications(values: &[String]) -> anyhow::Result<Vec<Application>> {
    values
        .iter()
        .map(|v| {
            let (kind, status) = v.split_once([':', '：']).ok_or_else(|| {
                bad_input(
                    format!("--apply 应为“类别:状态”（如 dibao:applying），而不是“{v}”"),
                    format!("--apply takes KIND:STATUS (e.g. dibao:applying), not {v:?}"),
                )
            })?;
            Ok(Application {
                kind: code_arg::<AssistanceKind>("--apply", kind.trim())?,
                status: code_arg::<ApplicationStatus>("--apply", status.trim())?,
            })
        })
        .collect()
}

fn print_entry(e: &Entry) {
    let reasons: Vec<String> = e.reasons.iter().map(|r| r.label_zh()).collect();
    println!(
        "{}  {}  {} {}人  {}  {} {}{}",
        e.number,
        e.village_name,
        e.head_name,
        e.size,
        reasons.join("、"),
        e.month.status.label_zh(),
        e.month
            .recorded_on
            .map(|d| d.to_string())
            .unwrap_or_default(),
        if e.dropout_watch.is_empty() {
            String::new()
        } else {
            format!("  控辍保学：{}", e.dropout_watch.join("、"))
        }
    );
}

/// Runs `shouwang low-income`.
pub async fn run(args: LowIncomeArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    let today = shouwang_app::today();
    match args.command {
        LowIncomeCommand::List {
            area,
            category,
            status,
            month,
        } => {
            let f = ListFilter {
                area,
                category,
                status,
                month,
            };
            let rows = low_income::list(&db, &caller, &f, today)
                .await
                .map_err(refused)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for e in &rows {
                    print_entry(e);
                }
                println!("共 {} 户 ({} households)", rows.len(), rows.len());
            }
        }
        LowIncomeCommand::Show { household } => {
            let sheet = low_income::show(&db, &caller, &household, today)
                .await
                .map_err(refused)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&sheet)?);
            } else {
                print_entry(&sheet.entry);
                if !sheet.applications.is_empty() {
                    let a: Vec<String> = sheet.applications.iter().map(|a| a.label_zh()).collect();
                    println!("  低保、特困申请：{}", a.join("，"));
                }
                if !sheet.suggested.is_empty() {
                    let k: Vec<&str> = sheet.suggested.iter().map(|k| k.label_zh()).collect();
                    println!("  可能符合条件，请核实后协助申请：{}", k.join("、"));
                }
                for v in &sheet.visits {
                    println!(
                        "  {} {}  需求：{}  帮扶：{}  下一步：{}  （{}）",
                        v.visit.month,
                        v.visit.visited_on,
                        v.visit.needs,
                        v.visit.help,
                        v.visit.next_step,
                        v.recorded_by
                    );
                }
            }
        }
        LowIncomeCommand::Visit(v) => {
            let input = VisitInput {
                visited_on: v.on,
                needs: v.needs.clone(),
                policies: codes::<Policy>("policy", &v.policies)?,
                difficulties: v.difficulties.clone(),
                help: v.assist.clone(),
                next_step: v.next_step.clone(),
                new_risks: codes::<RiskType>("risk", &v.risks)?,
                applications: applications(&v.applications)?,
            };
            let done =
                low_income::record_visit(&db, &caller, &v.household, &input.visit(today), today)
                    .await
                    .map_err(refused)
                    .with_context(|| format!("户 {} 走访记录未保存", v.household))?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&done)?);
            } else {
                println!("已保存走访记录 visit recorded (id {})", done.id);
                if done.filed.is_some() {
                    println!("已登记风险线索（干部排查） a risk clue was filed (cadre screening)");
                }
                if let Some(id) = done.dropout_problem {
                    println!(
                        "控辍保学：已登记问题台账 #{id} dropout watch: problem #{id} filed in the ledger"
                    );
                }
            }
        }
        LowIncomeCommand::Figures => {
            let f = low_income::figures(&db, &caller, today)
                .await
                .map_err(refused)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&f)?);
            } else {
                println!(
                    "低收入人口 {} 户；{} 已走访 {} 户，逾期 {} 户",
                    f.households, f.month, f.visited, f.overdue
                );
                for c in f.by_category.iter().filter(|c| c.households > 0) {
                    println!("  {} {}", c.category.label_zh(), c.households);
                }
            }
        }
    }
    Ok(())
}
