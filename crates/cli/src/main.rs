//! `shouwang` 守望 — the one binary: serve the web application, build a demo
//! county, migrate the database, manage users, screen department data.
//!
//! Configuration: defaults → `SHOUWANG_*` environment variables → flags.

mod assets_cmd;
mod backup_cmd;
mod campaign_cmd;
mod case_cmd;
mod config;
mod demo_cmd;
mod document_cmd;
mod export_cmd;
mod grids_cmd;
mod household_cmd;
mod import_cmd;
mod income_cmd;
mod indicators_cmd;
mod keys_cmd;
mod labour_cmd;
mod low_income_cmd;
mod post_cmd;
mod problems_cmd;
mod project_cmd;
mod pv_cmd;
mod quality_cmd;
mod relocation_cmd;
mod screen_cmd;
mod user_cmd;
mod workshop_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use config::{DbArgs, TlsArgs};

/// mimalloc for every allocation of the process: Rust's, and (the crate's `override` feature replaces
/// `malloc`/`free`) SQLite's page cache and sorter. A registry import makes millions of small allocations
/// and SQLite holds the whole transaction's pages in memory; mimalloc asks the kernel for transparent
/// huge pages, so a 100,000-person import takes ≈ 50,000 page faults fewer and ≈ 20 % less CPU than
/// with glibc's allocator (`bench/import.sh`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// 守望 — 防止返贫动态监测和帮扶系统 (dynamic monitoring and assistance to prevent return to poverty).
#[derive(Parser, Debug)]
#[command(name = "shouwang", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web application (启动网页服务).
    Serve {
        /// On an empty database: migrate, load the demo county and create one demo account per role.
        #[arg(long)]
        demo: bool,
        /// Address to listen on.
        #[arg(long, env = "SHOUWANG_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Households in the demo county (only with --demo on an empty database).
        #[arg(long, default_value_t = 1000)]
        demo_households: u32,
        /// Sign-in attempts allowed per client address within 10 minutes (a township office behind one
        /// address, or a load test from one machine, may need more).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..),
            default_value_t = shouwang_web::auth::rate::LoginLimits::default().per_address)]
        login_limit_address: u32,
        /// Sign-in attempts allowed in all within 10 minutes.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..),
            default_value_t = shouwang_web::auth::rate::LoginLimits::default().global)]
        login_limit_all: u32,
        #[command(flatten)]
        tls: TlsArgs,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Generate a deterministic demo county and load it into the database (生成演示数据).
    Demo {
        /// Number of households.
        #[arg(long, default_value_t = 1000)]
        households: u32,
        /// Random seed; the same seed gives the same county.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The day the demo is opened (default today): its registry and latest income records are of
        /// the year before, its cases run over the twelve months up to this week.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<chrono::NaiveDate>,
        /// The classic demo of the plan year 2022 instead (registry and incomes of 2021–2022, cases up
        /// to 2022-12-31), as the tests use it.
        #[arg(long, conflicts_with = "as_of")]
        classic: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Create or upgrade the database schema (数据库迁移).
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// The data key (数据密钥, SM4 at rest): `keys status`, `keys rotate`.
    Keys {
        #[command(subcommand)]
        command: keys_cmd::KeysCommand,
    },
    /// Manage user accounts (用户管理).
    User {
        #[command(subcommand)]
        command: user_cmd::UserCommand,
    },
    /// Screen department data for households at risk (部门数据筛查); with --month against the database.
    Screen(screen_cmd::ScreenCmd),
    /// The monitoring lifecycle of a household, acting as a user (监测帮扶档案).
    Case(Box<case_cmd::CaseArgs>),
    /// A household's changes between imports, acting as a user (户情变更): `household show N`,
    /// `household member add|update|leave …`, `household head …`, `household update …`.
    Household(Box<household_cmd::HouseholdArgs>),
    /// Import files into the database (导入): `import registry FILE`.
    Import {
        #[command(subcommand)]
        command: import_cmd::ImportCommand,
    },
    /// Official documents 文书 as DOCX or HTML: `document notice --household N --out F.docx --user NAME`,
    /// `document notices --quarter 2022Q3`, `document publicity --village CODE`, `document verification
    /// --household N`, `document handbook --household N`.
    Document(Box<document_cmd::DocumentArgs>),
    /// A household's yearly income records 收支测算: `income show N --user U`, `income set N --year Y
    /// --members M --wage 12000 … --user U [--version V]`.
    Income(Box<income_cmd::IncomeArgs>),
    /// 农村低收入人口常态化帮扶: `low-income list [--area A --category C --status S --month M] --user U`,
    /// `low-income show N`, `low-income visit N --needs … --policy dibao --assist … [--risk 01]`,
    /// `low-income figures`.
    LowIncome(Box<low_income_cmd::LowIncomeArgs>),
    /// 易地搬迁后续扶持: `relocation list [--area A --target misses --status S --needs --quarter 2026-Q2]
    /// --user U`, `relocation show N`, `relocation screen N --worker 0:stable_job:out_of_province:某厂:4000
    /// [--risk 07]`, `relocation figures`.
    Relocation(Box<relocation_cmd::RelocationArgs>),
    /// 农村劳动力就业: `labour list [--area A --status S --state missing --month 2026-06] --user U`,
    /// `labour show N`, `labour record N --worker 0:migrant:out_of_province:某厂:4000:enterprise --worker
    /// 1:unemployed`, `labour figures [--month M]`.
    Labour(Box<labour_cmd::LabourArgs>),
    /// 帮扶车间: `workshop list [--area A --state operating] --user U`, `workshop show ID`, `workshop add
    /// --name … --village V --operator-kind enterprise --operator … --started-on D --jobs 40`, `workshop hire
    /// ID --household N --member 2 --wage 2400 [--since D]`, `workshop release ID --worker W [--until D]`.
    Workshop(Box<workshop_cmd::WorkshopArgs>),
    /// 公益岗位: `post list [--area A --state held] --user U`, `post show ID`, `post add --name 护林员 --kind
    /// forest_ranger --village V --funding pv_income --pay 800 --holder N:2 --from D`, `post set ID --version
    /// V … --state dismissed`.
    Post(Box<post_cmd::PostArgs>),
    /// 光伏扶贫电站 and 光伏收益分配: `pv stations [--area A] --user U`, `pv station ID`, `pv add-station --name …
    /// --kind village --place V --capacity-kw 300 --grid-on D`, `pv income ID --month 2026-11 --amount
    /// 35000`, `pv distribute --village V --month 2026-11 --distributed 32000 --post-wages 12000 --decision …
    /// --decided-on D`, `pv board [--year Y]`.
    Pv(Box<pv_cmd::PvArgs>),
    /// 问题排查整改台账: `problems list [--area A --sector S --status S --overdue] --user U`, `problems show
    /// ID`, `problems add --village V|--household N --sector drinking_water --found … --deadline D`,
    /// `problems step ID --version V --done … --evidence photo.jpg`, `problems close ID --version V
    /// --opinion …`.
    Problems(Box<problems_cmd::ProblemsArgs>),
    /// 村容村貌指标: `indicators board [--area A] [--year Y] --user U`, `indicators enter VILLAGE --households
    /// 200 --toilets 150 --natural-villages 6 --garbage-covered 6 --civilized 140`, `indicators check
    /// VILLAGE`, `indicators return VILLAGE --reason …`.
    Indicators(Box<indicators_cmd::IndicatorsArgs>),
    /// 三保障和饮水安全季度排查与年度工作方案: `campaign coverage [--area A --quarter 2026-Q4] --user U`,
    /// `campaign show 户编号`, `campaign check 户编号 [--problem water_quality:井水浑浊 …] [--deadline D]`,
    /// `campaign plans [--year Y]`, `campaign plan 乡镇代码 --year 2026 --title … --targets … --measures …
    /// --starts-on 2026-01-01 --ends-on 2026-12-31 [--version V]`.
    Campaign(Box<campaign_cmd::CampaignArgs>),
    /// 网格化管理: `grids list [--area A] --user U`, `grids show ID`, `grids create --village V --name 第一网格
    /// --branch 党支部 --leader 姓名 --leader-phone P --member 姓名:电话`, `grids edit ID …`, `grids assign ID
    /// --household 户编号 | --all-without-grid`, `grids remove ID --household 户编号`, `grids coverage`.
    Grids(Box<grids_cmd::GridsArgs>),
    /// 项目库与衔接资金: `project list|queue|show ID|board --user U`, `project apply --name … --kind industry
    /// --year-from 2026 --plan central=800000`, `project step ID --step township_review --decision approve`,
    /// `project pay ID --source central --amount 300000 --voucher …`.
    Project(Box<project_cmd::ProjectArgs>),
    /// 扶贫项目资产与管护: `assets list [--kind K --owner O --state S --overdue]|queue|overdue|show ID --user U`,
    /// `assets add --name … --kind operating --owner village_collective --keeper … --value 160000 --year
    /// 2018`, `assets upkeep ID --kind repair --cost 120 --content …`, `assets dispose ID --step propose
    /// --method scrap --opinion …`.
    Assets(Box<assets_cmd::AssetsArgs>),
    /// Data-quality checks over the registry (数据质量检查): a summary per check code.
    Quality(quality_cmd::QualityArgs),
    /// Duplicate review (重复数据核查): list candidates; `duplicates merge …` / `remove-member …` as an admin.
    Duplicates(quality_cmd::DuplicatesArgs),
    /// Back up the whole database while the server runs (数据备份): `backup --out F` writes a SQLite
    /// database file (`VACUUM INTO`) or, on PostgreSQL, a `pg_dump` archive, readable by the owner only.
    Backup(backup_cmd::BackupArgs),
    /// Restore a backup into an empty data folder or an empty PostgreSQL database (数据恢复):
    /// `restore F [--data-dir DIR | --database-url URL]`; a folder or database that holds data is refused.
    Restore(backup_cmd::RestoreArgs),
    /// Export workbooks (导出): `export registry --out F.xlsx`, `export ledger KIND --out F.xlsx --user NAME`,
    /// `export template registry --out F.xlsx`.
    Export {
        #[command(subcommand)]
        command: export_cmd::ExportCommand,
    },
}

fn main() -> ExitCode {
    // Personal data: every file and folder created from here on is the owner's only (PIPL; issue 19).
    #[cfg(unix)]
    nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o077));
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SHOUWANG_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,sea_orm_migration=warn,sqlx=warn")
            }),
        )
        .with_writer(std::io::stderr)
        .init();

    if let Command::Screen(cmd) = &cli.command
        && cmd.month.is_none()
    {
        // File mode: the screening engine manages its own threads; no async runtime needed.
        return match screen_cmd::run_file(&cmd.args) {
            Ok(code) => ExitCode::from(code),
            Err(e) => {
                eprintln!("错误 error: {e:#}");
                ExitCode::from(2)
            }
        };
    }

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误 error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    if let Command::Import { command } = cli.command {
        // 0 all imported, 1 some households rejected, 2 the file is unusable or the import failed.
        return match runtime.block_on(import_cmd::run(command)) {
            Ok(code) => ExitCode::from(code),
            Err(e) => {
                eprintln!("错误 error: {e:#}");
                ExitCode::from(2)
            }
        };
    }
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误 error: {e:#}");
            // A refused use case says what kind of refusal it was (see `shouwang case --help`).
            ExitCode::from(e.downcast_ref::<config::Failure>().map_or(1, |f| f.code))
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve {
            demo,
            listen,
            demo_households,
            login_limit_address,
            login_limit_all,
            tls,
            db,
        } => {
            let files = db.data_dir.join("attachments");
            // Uploads waiting for jobs: what a stopped server left there is of no use.
            let spool = shouwang_app::uploads::Spool::new(db.data_dir.join("uploads"));
            spool.clear()?;
            // The certificate first: a bad one stops the start before the database is touched.
            let tls = tls.load(&db.data_dir, &listen)?;
            let db = db.open().await?;
            seal_files_in_background(&db, &files);
            if demo {
                demo_cmd::ensure_demo(
                    &db,
                    &shouwang_app::attachments::FileStore::new(&files),
                    demo_households,
                    1,
                    shouwang_app::demo::DemoFrame::around(shouwang_app::today()),
                )
                .await?;
            }
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
            let addr = listener.local_addr()?;
            let state = shouwang_web::AppState::new(db)
                .with_files(files)
                .with_spool(spool)
                .with_login_limits(shouwang_web::auth::rate::LoginLimits {
                    per_address: login_limit_address,
                    global: login_limit_all,
                    ..Default::default()
                });
            match tls {
                Some(tls) => {
                    config::print_tls(&tls);
                    println!("守望 Shouwang 已启动 / is running: https://{addr}/");
                    if demo {
                        demo_cmd::print_accounts();
                    }
                    shouwang_web::tls::serve_tls(listener, state, &tls).await?;
                }
                None => {
                    println!("守望 Shouwang 已启动 / is running: http://{addr}/");
                    if demo {
                        demo_cmd::print_accounts();
                    }
                    shouwang_web::serve(listener, state).await?;
                }
            }
            Ok(())
        }
        Command::Demo {
            households,
            seed,
            as_of,
            classic,
            db,
        } => {
            let files = shouwang_app::attachments::FileStore::new(db.data_dir.join("attachments"));
            let db = db.open().await?;
            let frame = match (classic, as_of) {
                (true, _) => shouwang_app::demo::DemoFrame::CLASSIC,
                (false, day) => {
                    shouwang_app::demo::DemoFrame::around(day.unwrap_or_else(shouwang_app::today))
                }
            };
            demo_cmd::load(&db, &files, households, seed, frame).await
        }
        Command::Migrate { db } => {
            db.open().await?;
            println!("数据库已是最新 / database schema is up to date");
            Ok(())
        }
        Command::User { command } => user_cmd::run(command).await,
        Command::Keys { command } => keys_cmd::run(command).await,
        Command::Case(args) => case_cmd::run(*args).await,
        Command::Income(args) => income_cmd::run(*args).await,
        Command::LowIncome(args) => low_income_cmd::run(*args).await,
        Command::Relocation(args) => relocation_cmd::run(*args).await,
        Command::Labour(args) => labour_cmd::run(*args).await,
        Command::Workshop(args) => workshop_cmd::run(*args).await,
        Command::Post(args) => post_cmd::run(*args).await,
        Command::Pv(args) => pv_cmd::run(*args).await,
        Command::Problems(args) => problems_cmd::run(*args).await,
        Command::Indicators(args) => indicators_cmd::run(*args).await,
        Command::Campaign(args) => campaign_cmd::run(*args).await,
        Command::Grids(args) => grids_cmd::run(*args).await,
        Command::Project(args) => project_cmd::run(*args).await,
        Command::Assets(args) => assets_cmd::run(*args).await,
        Command::Household(args) => household_cmd::run(*args).await,
        Command::Export { command } => export_cmd::run(command).await,
        Command::Backup(args) => backup_cmd::backup(args).await,
        Command::Restore(args) => backup_cmd::restore(args).await,
        Command::Document(args) => document_cmd::run(*args).await,
        Command::Quality(args) => quality_cmd::quality(args).await,
        Command::Duplicates(args) => quality_cmd::duplicates(args).await,
        Command::Screen(cmd) => screen_cmd::run_db(&cmd).await.map(|_| ()),
        Command::Import { .. } => unreachable_import(),
    }
}

/// `import` is dispatched before `run`.
fn unreachable_import() -> anyhow::Result<()> {
    anyhow::bail!("internal: import is dispatched before run")
}

/// Seals, in the background, the attachments not yet sealed under the current key version (files from
/// before sealing, or after a rotation stopped half-way): the server answers meanwhile, and reads either.
fn seal_files_in_background(db: &shouwang_store::Db, dir: &std::path::Path) {
    let files = shouwang_app::attachments::FileStore::new(dir);
    let keys = db.keys().clone();
    tokio::spawn(async move {
        match files.seal_pending(&keys).await {
            Ok(Some(done)) if done.rewritten > 0 => eprintln!(
                "附件已加密 / attachments sealed: {} of {} files rewritten",
                done.rewritten, done.files
            ),
            Ok(_) => {}
            Err(e) => eprintln!("附件加密未完成 / sealing attachments stopped: {e}"),
        }
    });
}
