//! `shouwang income show|set`: a household's yearly income records 收支测算 from the command line,
//! through `shouwang_app::income` — the same path as the household page and
//! `PUT /api/v1/households/{n}/income/{year}` (scoped to the user's area, version-checked, audited, the
//! income rule run). `--json` prints the API's shapes.

use anyhow::Context;
use clap::{Args, Subcommand};
use shouwang_app::income::{self, IncomeSheet};
use shouwang_core::income::{IncomeSource, YearAssessment};
use shouwang_core::{CodeList, Fen, IncomeRecord};

use crate::config::{DbArgs, operator, refused};

/// Arguments of `shouwang income`.
#[derive(Args, Debug)]
#[command(after_help = "\
Amounts are yuan with up to 2 decimals (12345.60). A correction takes --version (the version `income \
show` prints); without it a year not recorded yet is added. Exit codes: 0 done; 2 bad input; 3 not \
allowed for the role; 4 not found in the user's area; 5 stale version or conflict.")]
pub struct IncomeArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: IncomeCommand,
}

#[derive(Subcommand, Debug)]
pub enum IncomeCommand {
    /// Every year of a household with its figures and the line of the year (查看收支测算).
    Show {
        /// 户编号.
        household: String,
    },
    /// Add or correct a year's record, source 手工录入 (录入收支测算).
    Set(Box<SetArgs>),
    /// 收支测算比对 of the user's area: every household with a record of the year whose per-capita
    /// income fell clearly against the year before, or is below the line after rigid expenditure,
    /// files or joins a clue (once per household and year). Run it after importing a year's incomes.
    Review {
        /// 年度.
        #[arg(long)]
        year: i32,
        /// A township or village inside the user's area (default: the whole area).
        #[arg(long)]
        region: Option<String>,
    },
}

/// The record of `income set`.
#[derive(Args, Debug)]
pub struct SetArgs {
    /// 户编号.
    pub household: String,
    /// 年度.
    #[arg(long)]
    pub year: i32,
    /// 家庭人口.
    #[arg(long)]
    pub members: u32,
    #[command(flatten)]
    pub amounts: AmountArgs,
    /// The version read with `income show` (a correction); absent: add a new year.
    #[arg(long)]
    pub version: Option<i64>,
}

/// The ten amounts of an income record in yuan (`income set`, and the 收支测算 of `case follow-up`).
#[derive(Args, Debug)]
pub struct AmountArgs {
    /// 工资性收入 (yuan).
    #[arg(long, default_value = "0")]
    pub wage: String,
    /// 生产经营性收入.
    #[arg(long, default_value = "0")]
    pub business: String,
    /// 财产性收入.
    #[arg(long, default_value = "0")]
    pub property: String,
    /// 转移性收入.
    #[arg(long, default_value = "0")]
    pub transfer: String,
    /// 生产经营性支出.
    #[arg(long, default_value = "0")]
    pub cost: String,
    /// 刚性支出: 合规自付医疗.
    #[arg(long, default_value = "0")]
    pub medical: String,
    /// 刚性支出: 教育.
    #[arg(long, default_value = "0")]
    pub education: String,
    /// 刚性支出: 残疾康复.
    #[arg(long, default_value = "0")]
    pub disability: String,
    /// 刚性支出: 因灾因事故.
    #[arg(long, default_value = "0")]
    pub disaster: String,
    /// 理赔收入.
    #[arg(long, default_value = "0")]
    pub payout: String,
}

/// A `--flag` amount in yuan, read as the registry's 收支情况 cells are (`12,345.60`, full-width digits).
fn yuan(flag: &str, s: &str) -> anyhow::Result<Fen> {
    shouwang_core::registry::amounts::amount(s).map_err(|r| {
        refused(shouwang_app::Error::invalid(
            format!("--{flag}：{}", r.zh),
            format!("--{flag}: {}", r.en),
        ))
    })
}

impl SetArgs {
    fn record(&self) -> anyhow::Result<IncomeRecord> {
        self.amounts.record(self.year, self.members)
    }
}

impl AmountArgs {
    /// The record of `year` with `members`.
    pub fn record(&self, year: i32, members: u32) -> anyhow::Result<IncomeRecord> {
        Ok(IncomeRecord {
            year,
            wage: yuan("wage", &self.wage)?,
            business: yuan("business", &self.business)?,
            property: yuan("property", &self.property)?,
            transfer: yuan("transfer", &self.transfer)?,
            production_cost: yuan("cost", &self.cost)?,
            rigid_medical: yuan("medical", &self.medical)?,
            rigid_education: yuan("education", &self.education)?,
            rigid_disability: yuan("disability", &self.disability)?,
            rigid_disaster: yuan("disaster", &self.disaster)?,
            insurance_payout: yuan("payout", &self.payout)?,
            members,
        })
    }
}

/// One line of an assessment: `2022  家庭纯收入 12000.00  人均 6000.00  监测线 6500.00  低于监测线  明显下降`.
fn line_of(a: &YearAssessment) -> String {
    let mut s = format!(
        "{}  家庭纯收入 {}  人均纯收入 {}",
        a.year, a.net_income, a.per_capita
    );
    match (a.line, a.status) {
        (Some(l), Some(st)) => s.push_str(&format!("  监测线 {l}  {}", st.label_zh())),
        _ => s.push_str(&format!("  未设置{}年监测线", a.year)),
    }
    if a.clear_drop {
        s.push_str("  收入明显下降");
    }
    if a.below_after_rigid {
        s.push_str("  刚性支出后低于监测线");
    }
    s
}

fn print_sheet(sheet: &IncomeSheet) {
    println!("户 {} 收支测算（元）", sheet.household);
    if sheet.years.is_empty() {
        println!("暂无收入记录 (no income record)");
    }
    for y in &sheet.years {
        println!(
            "{}  来源 {} {}  version {}",
            line_of(&y.assessment),
            y.source.label_zh(),
            y.as_of,
            y.version
        );
        for o in &y.not_counted {
            println!(
                "      不计入 (not counted)  来源 {} {}  家庭纯收入 {}  人均纯收入 {}  {}",
                o.source.label_zh(),
                o.as_of,
                o.net_income,
                o.per_capita,
                o.reason_zh
            );
        }
    }
}

/// Runs `shouwang income`.
pub async fn run(args: IncomeArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    match args.command {
        IncomeCommand::Show { household } => {
            let sheet = income::show(&db, &caller, &household)
                .await
                .map_err(refused)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&sheet)?);
            } else {
                print_sheet(&sheet);
            }
        }
        IncomeCommand::Set(set) => {
            let record = set.record()?;
            let saved = income::set(
                &db,
                &caller,
                &set.household,
                &record,
                IncomeSource::Manual,
                set.version,
            )
            .await
            .map_err(refused)
            .with_context(|| format!("户 {} {} 年收支测算未保存", set.household, set.year))?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&saved)?);
            } else {
                println!("已保存 saved: version {}", saved.version);
                println!("{}", line_of(&saved.assessment));
                if saved.filed.is_some() {
                    println!(
                        "已登记风险线索（收支测算比对） a risk clue was filed (income review)"
                    );
                }
            }
        }
        IncomeCommand::Review { year, region } => {
            let s = income::review(&db, &caller, region.as_deref(), year, shouwang_app::today())
                .await
                .map_err(refused)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!(
                    "{year}年收支测算比对 income review: {} 户有记录 (households), {} 户预警 (findings: \
                     明显下降 {} clear drop, 低于监测线 {} below the line); \
                     新建档案 {} (new cases), 新线索 {} (new clues), 已归并 {} (merged), 已登记 {} (already filed)",
                    s.households,
                    s.findings,
                    s.clear_drop,
                    s.below_line,
                    s.new_cases,
                    s.new_clues,
                    s.merged,
                    s.already_present
                );
            }
        }
    }
    Ok(())
}
