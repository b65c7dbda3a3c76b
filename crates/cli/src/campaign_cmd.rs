//! `shouwang campaign coverage|show|check|plans|plan`: the 三保障和饮水安全 quarterly campaign and the
//! townships' 年度工作方案 (A6, issue 22; §三(四)) from the command line, through
//! `shouwang_app::registers::campaign` — the same path as `/campaign` and `/api/v1/campaign…` (scoped to
//! the user's area, audited; a problem found goes to the 问题台账 and files the household's clue).
//! `--json` prints the API's shapes. The ledger: `export ledger campaign`.

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_app::registers::campaign::{
    self, AnswerInput, CheckInput, PlanInput, PlanView, Sheet, VillageCoverage,
};
use shouwang_core::CodeList;
use shouwang_core::register::plan::YearPlan;

use crate::config::{DbArgs, bad_input, operator, print, refused};

/// Arguments of `shouwang campaign`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit codes: 0 done; 2 bad input (an item not answered, a problem without what was found, an unknown \
item, a plan with blank targets); 3 not allowed for the role or another township's plan; 4 no such \
household in the user's area; 5 checked already this quarter, or the plan saved meanwhile (a stale version).")]
pub struct CampaignArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: CampaignCommand,
}

#[derive(Subcommand, Debug)]
pub enum CampaignCommand {
    /// The quarter's coverage per village: households checked, problems found, the state of the task
    /// and the households not checked yet (未排查).
    Coverage {
        /// A township or village inside the user's area.
        #[arg(long)]
        area: Option<String>,
        /// The quarter (`2026-Q4`; default this quarter).
        #[arg(long)]
        quarter: Option<String>,
    },
    /// A household's sheet: the quarter's state, the checklist and its checks.
    Show {
        /// 户编号.
        number: String,
    },
    /// Records the quarter's check of a household (村级工作专班, 帮扶责任人, 乡镇): every item of the
    /// checklist is 无问题 unless named with `--problem CODE:what was found`.
    Check {
        /// 户编号.
        number: String,
        /// An item with a problem: its code, a colon and what was found (repeatable).
        #[arg(long = "problem", value_name = "CODE:TEXT")]
        problems: Vec<String>,
        /// 排查日期 (default today).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// 整改时限 of the problems found (default 30 days after the check).
        #[arg(long)]
        deadline: Option<NaiveDate>,
    },
    /// The 年度工作方案 of the user's townships.
    Plans {
        /// 年度 (default this year).
        #[arg(long)]
        year: Option<i32>,
    },
    /// Saves a township's 年度工作方案 (乡镇管理员 its own, 县级管理员 any of the county).
    Plan {
        /// 乡镇 code (9 digits).
        township: String,
        /// 年度.
        #[arg(long)]
        year: i32,
        /// 方案名称.
        #[arg(long)]
        title: String,
        /// 年度目标任务.
        #[arg(long)]
        targets: String,
        /// 工作落实举措.
        #[arg(long)]
        measures: String,
        /// 工作推进机制.
        #[arg(long, default_value = "")]
        mechanism: String,
        /// 实施起始日期.
        #[arg(long)]
        starts_on: NaiveDate,
        /// 实施截止日期.
        #[arg(long)]
        ends_on: NaiveDate,
        /// The version read (0 for the township's first plan of the year).
        #[arg(long, default_value_t = 0)]
        version: i64,
    },
}

fn print_coverage(v: &VillageCoverage) {
    println!(
        "{}  {}{}  已排查 {}/{} 户（{:.1}%）  发现问题 {}  {}（截止 {}）",
        v.village,
        v.township_name,
        v.village_name,
        v.coverage.checked,
        v.coverage.households,
        v.percent,
        v.problems,
        v.state.status.label_zh(),
        v.state.due_on
    );
    if !v.missing.is_empty() {
        let missing: Vec<String> = v
            .missing
            .iter()
            .take(20)
            .map(|u| format!("{} {}", u.number, u.head_name))
            .collect();
        let more = v.missing.len().saturating_sub(20);
        println!(
            "    未排查：{}{}",
            missing.join("，"),
            if more > 0 {
                format!(" 等（另 {more} 户）")
            } else {
                String::new()
            }
        );
    }
}

fn print_sheet(s: &Sheet) {
    println!(
        "{}  {}  {}{}  {} 人  本季度：{}（截止 {}）",
        s.number,
        s.head_name,
        s.township_name,
        s.village_name,
        s.size,
        s.quarter.status.label_zh(),
        s.quarter.due_on
    );
    println!("排查清单（户籍信息已显示的问题列在清单后）：");
    for i in &s.checklist {
        println!("  {}  [{}] {}", i.code, i.sector.label_zh(), i.label);
    }
    for k in &s.known {
        println!("  {}  {}", k.code, k.found);
    }
    for c in &s.checks {
        let found: Vec<String> = c
            .check
            .items
            .iter()
            .filter(|i| i.problem)
            .map(|i| format!("{}：{}", i.label, i.found))
            .collect();
        println!(
            "{}  {}  {}  {}",
            c.check.quarter,
            c.check.checked_on,
            c.recorded_by,
            if found.is_empty() {
                "无问题".to_owned()
            } else {
                found.join("；")
            }
        );
    }
}

fn print_plan(p: &PlanView) {
    println!(
        "{}  {}（{} 至 {}）  版本 {}  {} {}",
        p.township,
        p.plan.title,
        p.plan.starts_on,
        p.plan.ends_on,
        p.version,
        p.updated_by,
        p.updated_at
    );
    println!("  年度目标任务：{}", p.plan.targets);
    println!("  工作落实举措：{}", p.plan.measures);
    if !p.plan.mechanism.is_empty() {
        println!("  工作推进机制：{}", p.plan.mechanism);
    }
}

/// The answers of a check: every item of the checklist 无问题, those named `CODE:text` 有问题.
fn answers(sheet: &Sheet, problems: &[String]) -> anyhow::Result<Vec<AnswerInput>> {
    let mut named = Vec::new();
    for p in problems {
        let Some((code, found)) = p.split_once([':', '：']) else {
            return Err(bad_input(
                format!("--problem 应为“项目代码:发现的问题”，而不是“{p}”"),
                format!("--problem takes CODE:what was found, not {p:?}"),
            ));
        };
        named.push((code.trim().to_owned(), found.trim().to_owned()));
    }
    // An unknown code is sent on: the rules refuse it with the checklist's wording.
    let mut out: Vec<AnswerInput> = sheet
        .checklist
        .iter()
        .map(|i| AnswerInput {
            code: i.code.clone(),
            problem: false,
            found: String::new(),
        })
        .collect();
    for (code, found) in named {
        match out.iter_mut().find(|a| a.code == code) {
            Some(a) => {
                a.problem = true;
                a.found = found;
            }
            None => out.push(AnswerInput {
                code,
                problem: true,
                found,
            }),
        }
    }
    Ok(out)
}

/// Runs `shouwang campaign`.
pub async fn run(args: CampaignArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    let today = shouwang_app::today();
    match args.command {
        CampaignCommand::Coverage { area, quarter } => {
            let c = campaign::coverage(&db, &caller, area.as_deref(), quarter.as_deref(), today)
                .await
                .map_err(refused)?;
            print(args.json, &c, |c: &Vec<VillageCoverage>| {
                c.iter().for_each(print_coverage);
                let (checked, all): (u64, u64) = c.iter().fold((0, 0), |(a, b), v| {
                    (a + v.coverage.checked, b + v.coverage.households)
                });
                println!("合计：{} 个村，已排查 {checked}/{all} 户", c.len());
            })
        }
        CampaignCommand::Show { number } => {
            let s = campaign::show(&db, &caller, &number, today)
                .await
                .map_err(refused)?;
            print(args.json, &s, print_sheet)
        }
        CampaignCommand::Check {
            number,
            problems,
            on,
            deadline,
        } => {
            let sheet = campaign::show(&db, &caller, &number, today)
                .await
                .map_err(refused)?;
            let input = CheckInput {
                checked_on: on,
                answers: answers(&sheet, &problems)?,
                deadline,
            };
            let r = campaign::record_check(&db, &caller, &number, &input, today)
                .await
                .map_err(refused)?;
            print(args.json, &r, |r| {
                if r.problems.is_empty() {
                    println!("已登记 {number} 本季度排查：无问题");
                } else {
                    let ids: Vec<String> = r.problems.iter().map(i64::to_string).collect();
                    println!(
                        "已登记 {number} 本季度排查：发现问题 {} 个，已记入问题台账（{}）{}",
                        r.problems.len(),
                        ids.join("、"),
                        if r.filed.is_some() {
                            "，并登记干部排查线索"
                        } else {
                            ""
                        }
                    );
                }
            })
        }
        CampaignCommand::Plans { year } => {
            let p = campaign::plans(&db, &caller, year, today)
                .await
                .map_err(refused)?;
            print(args.json, &p, |p: &Vec<PlanView>| {
                if p.is_empty() {
                    println!("尚无年度工作方案");
                }
                p.iter().for_each(print_plan);
            })
        }
        CampaignCommand::Plan {
            township,
            year,
            title,
            targets,
            measures,
            mechanism,
            starts_on,
            ends_on,
            version,
        } => {
            let input = PlanInput {
                version,
                plan: YearPlan {
                    year,
                    title,
                    targets,
                    measures,
                    mechanism,
                    starts_on,
                    ends_on,
                },
            };
            let p = campaign::save_plan(&db, &caller, &township, &input)
                .await
                .map_err(refused)?;
            print(args.json, &p, print_plan)
        }
    }
}
