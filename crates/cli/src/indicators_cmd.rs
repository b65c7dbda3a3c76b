//! `shouwang indicators board|enter|check|return`: the 村容村貌指标 (B5, issue 22) from the command line,
//! through `shouwang_app::indicators` — the same path as the pages and `/api/v1/indicators` (scoped to the
//! user's area, audited, versioned). `--json` prints the API's shapes. The ledger: `export ledger
//! village_indicators`.

use chrono::Datelike;
use clap::{Args, Subcommand};
use shouwang_app::indicators::{self, Board, VillageIndicators};
use shouwang_core::CodeList;
use shouwang_core::indicators::{IndicatorAction, Rate, VillageFigures};

use crate::config::{DbArgs, operator, print, refused};

/// Arguments of `shouwang indicators`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit codes: 0 done; 2 bad input (a part over its total, a return without a reason); 3 not allowed for \
the role or another area; 4 no such village; 5 a stale version or the wrong state (a checked record is \
returned before a change).")]
pub struct IndicatorsArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// 年度 (default this year).
    #[arg(long, global = true)]
    pub year: Option<i32>,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: IndicatorsCommand,
}

#[derive(Subcommand, Debug)]
pub enum IndicatorsCommand {
    /// Every village of the user's area with its three indicators, the targets, the gap and the state.
    Board {
        /// A township or village inside the user's area.
        #[arg(long)]
        area: Option<String>,
    },
    /// Enters a village's figures of the year (填报: village team, township).
    Enter {
        /// 行政村 code.
        village: String,
        /// 农户总数.
        #[arg(long)]
        households: u32,
        /// 有卫生厕所的户数.
        #[arg(long)]
        toilets: u32,
        /// 自然村数.
        #[arg(long)]
        natural_villages: u32,
        /// 生活垃圾收运覆盖的自然村数.
        #[arg(long)]
        garbage_covered: u32,
        /// 文明户数.
        #[arg(long)]
        civilized: u32,
        /// 备注 (文明户 levels …).
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Checks a village's figures (核实: township, county).
    Check {
        /// 行政村 code.
        village: String,
    },
    /// Returns a village's figures with a reason (退回: township, county).
    Return {
        /// 行政村 code.
        village: String,
        /// 退回原因.
        #[arg(long)]
        reason: String,
    },
}

fn rates(rates: &[Rate]) -> String {
    rates
        .iter()
        .map(|r| match r.pct {
            Some(p) if r.met() => format!("{} {p:.1}%", r.indicator.label_zh()),
            Some(p) => format!(
                "{} {p:.1}%（差{:.1}）",
                r.indicator.label_zh(),
                r.gap_pct.unwrap_or(0.0)
            ),
            None => format!("{} —", r.indicator.label_zh()),
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn print_village(v: &VillageIndicators) {
    println!(
        "{}  {}  {}  {}",
        v.code,
        v.name,
        v.record.as_ref().map_or("未填报", |r| r.status.label_zh()),
        rates(&v.rates)
    );
}

/// Runs `shouwang indicators`.
pub async fn run(args: IndicatorsArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    let today = shouwang_app::today();
    let year = args.year.unwrap_or_else(|| today.year());
    let (village, action) = match args.command {
        IndicatorsCommand::Board { area } => {
            let b = indicators::board(&db, &caller, year, area.as_deref())
                .await
                .map_err(refused)?;
            return print(args.json, &b, |b: &Board| {
                b.villages.iter().for_each(print_village);
                println!(
                    "{} 年：未填报 {}、待核实 {}、已核实 {} 个村；合计 {}",
                    b.year,
                    b.missing,
                    b.to_check,
                    b.checked,
                    rates(&b.total)
                );
            });
        }
        IndicatorsCommand::Enter {
            village,
            households,
            toilets,
            natural_villages,
            garbage_covered,
            civilized,
            note,
        } => (
            village,
            IndicatorAction::Enter {
                figures: VillageFigures {
                    households,
                    toilets,
                    natural_villages,
                    garbage_covered,
                    civilized,
                },
                note,
            },
        ),
        IndicatorsCommand::Check { village } => (village, IndicatorAction::Check),
        IndicatorsCommand::Return { village, reason } => {
            (village, IndicatorAction::Return { reason })
        }
    };
    // The version as read now: the command line acts on the record as it stands.
    let version = indicators::board(&db, &caller, year, Some(&village))
        .await
        .map_err(refused)?
        .villages
        .iter()
        .find(|v| v.code == village.trim())
        .map_or(0, |v| v.version);
    let done = indicators::act(&db, &caller, &village, year, version, action, today)
        .await
        .map_err(refused)?;
    print(args.json, &done, print_village)
}
