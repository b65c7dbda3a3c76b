//! `shouwang pv stations|station|add-station|income|distribute|board`: 光伏扶贫电站 and 光伏收益分配 (B2
//! §四(二)4, issue 23) from the command line, through `shouwang_app::pv` — the same path as the pages and
//! `/api/v1/pv…` (scoped to the user's area, audited, versioned). Amounts in 元 with up to two decimals;
//! `--json` prints the API's shapes (amounts in 分).

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_app::assets::Versioned;
use shouwang_app::pv::board::BoardQuery;
use shouwang_app::pv::{self, StationEntry, StationFilter};
use shouwang_core::monitoring::YearMonth;
use shouwang_core::pv::{Distribution, Income, Station, StationKind, StationState, Uses};
use shouwang_core::{CodeList, Fen};

use crate::config::{DbArgs, operator, printed_json, refused};

/// Arguments of `shouwang pv`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit codes: 0 done; 2 bad input; 3 not allowed for the role or the area; 4 not found in the user's area; \
5 the month is recorded already, or a stale version.")]
pub struct PvArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: PvCommand,
}

#[derive(Subcommand, Debug)]
pub enum PvCommand {
    /// The stations of the user's area.
    Stations {
        /// A township or village inside the user's area.
        #[arg(long)]
        area: Option<String>,
    },
    /// One station with its income by month.
    Station {
        /// 电站编号.
        id: i64,
    },
    /// Registers a station (township, county).
    AddStation(Box<StationFields>),
    /// Changes the station ID (every field given again, with `--version`).
    SetStation {
        /// 电站编号.
        id: i64,
        /// The version read (see `station`).
        #[arg(long)]
        version: Option<i64>,
        #[command(flatten)]
        fields: Box<StationFields>,
    },
    /// Enters a station's 发电收益 of a month (township, county); `--version` corrects it.
    Income {
        /// 电站编号.
        id: i64,
        /// 月份 (`2026-11`).
        #[arg(long)]
        month: String,
        /// 发电收益（元）.
        #[arg(long)]
        amount: String,
        /// 备注.
        #[arg(long, default_value = "")]
        note: String,
        /// The version of the month's income to correct.
        #[arg(long)]
        version: Option<i64>,
    },
    /// Records a village's 收益分配 of a month (village team, township, county); `--version` corrects it.
    Distribute(Box<DistributionFields>),
    /// The board of a year: the 分配到村率 against the target, by month and by village.
    Board {
        /// The year (default this year).
        #[arg(long)]
        year: Option<i32>,
        /// A township or village inside the user's area.
        #[arg(long)]
        area: Option<String>,
    },
}

/// The fields of a station.
#[derive(Args, Debug)]
pub struct StationFields {
    /// 电站名称.
    #[arg(long)]
    pub name: String,
    /// 电站类型 (`village` 村级电站, `central` 集中式电站).
    #[arg(long)]
    pub kind: String,
    /// 所在地 (12 digits: the village; a 集中式电站's township `…000` or county `…000000`).
    #[arg(long)]
    pub place: String,
    /// 受益村 of a 集中式电站 (12-digit village code), repeatable.
    #[arg(long = "village")]
    pub villages: Vec<String>,
    /// 装机容量（千瓦）.
    #[arg(long)]
    pub capacity_kw: u32,
    /// 并网日期.
    #[arg(long)]
    pub grid_on: Option<NaiveDate>,
    /// 资产编号 (扶贫资产台账).
    #[arg(long)]
    pub asset: Option<i64>,
    /// 电站状态 (`running` 运行, `stopped` 停运; default running).
    #[arg(long)]
    pub state: Option<String>,
}

/// The fields of a distribution.
#[derive(Args, Debug)]
pub struct DistributionFields {
    /// 行政村 (12 digits).
    #[arg(long)]
    pub village: String,
    /// 月份 (`2026-11`).
    #[arg(long)]
    pub month: String,
    /// 分配到村金额（元）.
    #[arg(long)]
    pub distributed: String,
    /// 公益岗位工资（元）.
    #[arg(long, default_value = "0")]
    pub post_wages: String,
    /// 小型公益事业（元）.
    #[arg(long, default_value = "0")]
    pub public_works: String,
    /// 奖励补助（元）.
    #[arg(long, default_value = "0")]
    pub rewards: String,
    /// 其他（元）.
    #[arg(long, default_value = "0")]
    pub other: String,
    /// 公益岗位编号 paid from the share (光伏收益 posts of the village), repeatable.
    #[arg(long = "post")]
    pub posts: Vec<i64>,
    /// 决议 (村民代表会议决议).
    #[arg(long)]
    pub decision: String,
    /// 决议日期.
    #[arg(long)]
    pub decided_on: NaiveDate,
    /// 备注.
    #[arg(long, default_value = "")]
    pub note: String,
    /// The version of the month's distribution to correct.
    #[arg(long)]
    pub version: Option<i64>,
}

fn bad(zh: String, en: String) -> anyhow::Error {
    refused(shouwang_app::Error::invalid(zh, en))
}

fn code<T: CodeList>(s: &str, zh: &str, en: &str) -> anyhow::Result<T> {
    T::from_any(s.trim())
        .ok_or_else(|| bad(format!("未知的{zh}：{s}"), format!("unknown {en}: {s}")))
}

fn yuan(s: &str) -> anyhow::Result<Fen> {
    Fen::parse_yuan(s).map_err(|e| bad(e.message_zh(), e.to_string()))
}

fn month(s: &str) -> anyhow::Result<YearMonth> {
    YearMonth::parse(s).ok_or_else(|| {
        bad(
            format!("月份应为YYYY-MM：{s}"),
            format!("month YYYY-MM: {s}"),
        )
    })
}

fn station(f: StationFields) -> anyhow::Result<Station> {
    Ok(Station {
        name: f.name,
        kind: code::<StationKind>(&f.kind, "电站类型", "kind")?,
        place: f.place,
        villages: f.villages,
        capacity_kw: f.capacity_kw,
        grid_on: f.grid_on,
        asset: f.asset,
        state: match f.state.as_deref() {
            Some(s) => code::<StationState>(s, "电站状态", "state")?,
            None => StationState::Running,
        },
    })
}

fn print_station(e: &StationEntry) {
    println!(
        "{}  {}  {}  {}  {}千瓦  {}  {}  受益村：{}  v{}",
        e.id,
        e.name,
        e.kind.label_zh(),
        e.place_name,
        e.capacity_kw,
        e.grid_on.map(|d| d.to_string()).unwrap_or_default(),
        e.state.label_zh(),
        e.villages
            .iter()
            .map(|v| v.name.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        e.version,
    );
}

fn done(json: bool, id: i64, zh: &str, en: &str) -> anyhow::Result<()> {
    if !printed_json(json, &serde_json::json!({ "id": id }))? {
        println!("{zh} {en} (id {id})");
    }
    Ok(())
}

/// Runs `shouwang pv`.
pub async fn run(args: PvArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    let today = shouwang_app::today();
    match args.command {
        PvCommand::Stations { area } => {
            let rows = pv::stations(&db, &caller, &StationFilter { area })
                .await
                .map_err(refused)?;
            if !printed_json(args.json, &rows)? {
                for e in &rows {
                    print_station(e);
                }
                println!("共 {} 座光伏扶贫电站 ({} stations)", rows.len(), rows.len());
            }
        }
        PvCommand::Station { id } => {
            let s = pv::station(&db, &caller, id).await.map_err(refused)?;
            if !printed_json(args.json, &s)? {
                print_station(&s.station);
                for i in &s.income {
                    println!(
                        "  {}  {}元  {}  {}  v{}",
                        i.month, i.amount, i.note, i.recorded_by, i.version
                    );
                }
                println!("  合计 {}元", s.total);
            }
        }
        PvCommand::AddStation(f) => {
            let id = pv::create_station(&db, &caller, station(*f)?, today)
                .await
                .map_err(refused)
                .context("光伏电站未登记")?;
            done(args.json, id, "已登记光伏电站", "station registered")?;
        }
        PvCommand::SetStation {
            id,
            version,
            fields,
        } => {
            let body = Versioned {
                version,
                body: station(*fields)?,
            };
            pv::update_station(&db, &caller, id, body, today)
                .await
                .map_err(refused)
                .context("光伏电站未修改")?;
            done(args.json, id, "已修改光伏电站", "station changed")?;
        }
        PvCommand::Income {
            id,
            month: m,
            amount,
            note,
            version,
        } => {
            let body = Versioned {
                version,
                body: Income {
                    month: month(&m)?,
                    amount: yuan(&amount)?,
                    note,
                },
            };
            let row = pv::record_income(&db, &caller, id, body, today)
                .await
                .map_err(refused)
                .context("发电收益未录入")?;
            done(args.json, row, "已录入发电收益", "income recorded")?;
        }
        PvCommand::Distribute(f) => {
            let f = *f;
            let body = Versioned {
                version: f.version,
                body: Distribution {
                    village: f.village,
                    month: month(&f.month)?,
                    distributed: yuan(&f.distributed)?,
                    uses: Uses {
                        post_wages: yuan(&f.post_wages)?,
                        public_works: yuan(&f.public_works)?,
                        rewards: yuan(&f.rewards)?,
                        other: yuan(&f.other)?,
                    },
                    posts: f.posts,
                    decision: f.decision,
                    decided_on: f.decided_on,
                    note: f.note,
                },
            };
            let id = pv::distribute(&db, &caller, body, today)
                .await
                .map_err(refused)
                .context("收益分配未录入")?;
            done(args.json, id, "已录入收益分配", "distribution recorded")?;
        }
        PvCommand::Board { year, area } => {
            let b = pv::board(&db, &caller, &BoardQuery { year, area }, today)
                .await
                .map_err(refused)?;
            if !printed_json(args.json, &b)? {
                println!(
                    "{}年 发电收益 {}元（目标 {}元，差 {}元） 分配到村 {}元 分配到村率 {}（目标 ≥ {}%，差 {}元）",
                    b.year,
                    b.rate.income,
                    b.income_target,
                    b.income_gap,
                    b.rate.distributed,
                    b.rate.percent_text(),
                    b.targets.village_rate_pct,
                    b.rate.gap
                );
                for m in &b.months {
                    println!(
                        "  {}  收益 {}元  分配 {}元  累计分配到村率 {}  差 {}元",
                        m.month,
                        m.income,
                        m.distributed,
                        m.cumulative.percent_text(),
                        m.cumulative.gap
                    );
                }
                for v in &b.villages {
                    println!(
                        "  {}  村级电站收益 {}元  分配到村 {}元  已使用 {}元  {}个月",
                        v.name, v.income, v.distributed, v.used, v.months
                    );
                }
            }
        }
    }
    Ok(())
}
