//! `shouwang assets list|queue|overdue|show|add|upkeep|dispose`: the 扶贫项目资产 registry and its 管护 (B2, A7,
//! §四(二)3, issue 23) from the command line, through `shouwang_app::assets` — the same path as the pages
//! `/assets…` and `/api/v1/assets…` (scoped to the user's area, audited, versioned, each disposal step by
//! its role, the keeper's phone masked unless the role sees personal data). `--json` prints the API's
//! shapes. The ledgers: `export ledger assets`, `export ledger asset_upkeep`. `assets import FILE [--commit]`
//! is the 清产核资 import (`shouwang_app::assets::import`).

use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_app::assets::import::AssetImport;
use shouwang_app::assets::{self, DisposalInput, Entry, ListFilter, Versioned};
use shouwang_core::CodeList;
use shouwang_core::asset::disposal::{DisposalDecision, DisposalMethod, DisposalStep};
use shouwang_core::asset::{AssetKind, AssetState, Draft, OwnerKind, Upkeep, UpkeepKind};

use crate::config::{DbArgs, Failure, code_arg, operator, print, refused, yuan_arg};

/// Arguments of `shouwang assets`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit codes: 0 done; 2 bad input (a dry run or import with rejected rows too); 3 not allowed for the \
role or area; 4 not found in the user's area; 5 a step out of order, a disposed asset, a stale version.")]
pub struct AssetsArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: AssetsCommand,
}

/// The filter of `list`.
#[derive(Args, Debug, Default)]
pub struct FilterArgs {
    /// A township or village inside the user's area.
    #[arg(long)]
    pub area: Option<String>,
    /// Only this type (operating, public_welfare, household, or 经营性资产 …).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only this owner (village_collective, township, household).
    #[arg(long)]
    pub owner: Option<String>,
    /// Only this state (in_use, idle, damaged, disposed).
    #[arg(long)]
    pub state: Option<String>,
    /// Only assets whose upkeep is overdue.
    #[arg(long)]
    pub overdue: bool,
}

#[derive(Subcommand, Debug)]
pub enum AssetsCommand {
    /// The assets of the user's area (扶贫项目资产).
    List(FilterArgs),
    /// The assets whose disposal awaits the user's step (待办).
    Queue,
    /// The assets whose upkeep is overdue (管护逾期).
    Overdue,
    /// One asset: the registration, the upkeep records, the disposal flow.
    Show {
        /// 资产编号.
        id: i64,
    },
    /// 确权登记 of an asset (village team, township, county).
    Add(Box<AddArgs>),
    /// 管护维修记录 of an asset.
    Upkeep {
        /// 资产编号.
        id: i64,
        /// upkeep (日常管护) or repair (维修).
        #[arg(long, default_value = "upkeep")]
        kind: String,
        /// 管护日期 (YYYY-MM-DD; default today).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// 费用 in yuan (default 0).
        #[arg(long, default_value = "0")]
        cost: String,
        /// 管护内容.
        #[arg(long)]
        content: String,
        /// 实施人.
        #[arg(long, default_value = "")]
        done_by: String,
        /// The version read (refused when the asset changed since).
        #[arg(long)]
        version: Option<i64>,
    },
    /// 清产核资: checks (default) or imports (`--commit`) a workbook of assets, one row per asset under the
    /// 扶贫项目资产台账's column names; every rejected row is listed with file, row, column and reason, and
    /// an import writes every row or none.
    Import {
        /// The workbook (.xlsx, .xls or .ods).
        file: PathBuf,
        /// Import (without it: a dry run that writes nothing).
        #[arg(long)]
        commit: bool,
    },
    /// A step of the disposal flow: 村申请 (propose), 乡审核 (township_review), 县审批 (county_approval).
    Dispose {
        /// 资产编号.
        id: i64,
        /// The step (propose, township_review, county_approval).
        #[arg(long)]
        step: String,
        /// approve, return or refuse.
        #[arg(long, default_value = "approve")]
        decision: String,
        /// 处置方式 of a proposal (scrap, sale, transfer, other).
        #[arg(long)]
        method: Option<String>,
        /// 办理日期 (YYYY-MM-DD; default today).
        #[arg(long)]
        on: Option<NaiveDate>,
        /// 意见 (a proposal's reason; required to return or refuse).
        #[arg(long, default_value = "")]
        opinion: String,
        /// The version read.
        #[arg(long)]
        version: Option<i64>,
    },
}

/// The registration of `assets add`.
#[derive(Args, Debug)]
pub struct AddArgs {
    /// 资产名称.
    #[arg(long)]
    pub name: String,
    /// 资产类型 (operating, public_welfare, household).
    #[arg(long)]
    pub kind: String,
    /// 产权归属 (village_collective, township, household).
    #[arg(long)]
    pub owner: String,
    /// 所有权人.
    #[arg(long, default_value = "")]
    pub owner_name: String,
    /// 户编号 of the owning household (产权归属 household only).
    #[arg(long)]
    pub household: Option<String>,
    /// 管护责任人.
    #[arg(long)]
    pub keeper: String,
    /// 管护责任人联系电话.
    #[arg(long)]
    pub phone: Option<String>,
    /// 资产原值 in yuan (85000.50).
    #[arg(long)]
    pub value: String,
    /// 行政村 code (default the user's village).
    #[arg(long)]
    pub village: Option<String>,
    /// 坐落位置（详细）.
    #[arg(long, default_value = "")]
    pub place: String,
    /// 来源项目 (项目编号 of the 项目库).
    #[arg(long)]
    pub project: Option<i64>,
    /// 形成年度.
    #[arg(long)]
    pub year: i32,
    /// 资产状态 (in_use, idle, damaged; default in_use).
    #[arg(long, default_value = "in_use")]
    pub state: String,
    /// 管护周期 in months (none: no plan).
    #[arg(long)]
    pub upkeep_months: Option<u32>,
}

fn print_entry(e: &Entry) {
    println!(
        "{}  {}  {}  {}  {}{}  原值 {} 元  {}{}  管护责任人 {}{}{}",
        e.id,
        e.name,
        e.kind.label_zh(),
        e.owner_kind.label_zh(),
        e.township_name,
        e.village_name,
        e.value,
        e.state.label_zh(),
        e.disposal
            .map(|d| format!("（{}）", d.label_zh()))
            .unwrap_or_default(),
        e.keeper_name,
        e.keeper_phone
            .as_deref()
            .map(|p| format!(" {p}"))
            .unwrap_or_default(),
        match (e.upkeep_due, e.overdue) {
            (Some(d), true) => format!("  管护逾期（应于 {d}）"),
            (Some(d), false) => format!("  下次管护 {d}"),
            (None, _) => String::new(),
        }
    );
}

/// Runs `shouwang assets`.
pub async fn run(args: AssetsArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    let today = shouwang_app::today();
    match args.command {
        AssetsCommand::List(f) => {
            let filter = ListFilter {
                area: f.area,
                kind: f.kind,
                owner: f.owner,
                state: f.state,
                overdue: f.overdue.then(|| "1".to_owned()),
            };
            let rows = assets::list(&db, &caller, &filter, today)
                .await
                .map_err(refused)?;
            print(args.json, &rows, |rows| {
                rows.iter().for_each(print_entry);
                println!("共 {} 项资产 ({} assets)", rows.len(), rows.len());
            })?;
        }
        AssetsCommand::Queue => {
            let rows = assets::queue(&db, &caller, today).await.map_err(refused)?;
            print(args.json, &rows, |rows| rows.iter().for_each(print_entry))?;
        }
        AssetsCommand::Overdue => {
            let rows = assets::overdue(&db, &caller, today)
                .await
                .map_err(refused)?;
            print(args.json, &rows, |rows| {
                for o in rows {
                    println!("{}  {}  {}  应管护 {}", o.id, o.name, o.village_name, o.due);
                }
                println!("管护逾期 {} 项 ({} overdue)", rows.len(), rows.len());
            })?;
        }
        AssetsCommand::Show { id } => {
            let sheet = assets::show(&db, &caller, id, today)
                .await
                .map_err(refused)?;
            print(args.json, &sheet, |s| {
                print_entry(&s.entry);
                println!("  版本 version {}", s.entry.version);
                for u in &s.upkeeps {
                    println!(
                        "  {} {} {} 费用 {} 元 {}（{}）",
                        u.record.on,
                        u.record.kind.label_zh(),
                        u.record.content,
                        u.record.cost,
                        u.record.done_by,
                        u.by
                    );
                }
                println!("  管护费用合计 {} 元", s.upkeep_cost);
                for st in &s.disposal_steps {
                    println!(
                        "  {} {} {}{} {}（{}）",
                        st.record.on,
                        st.record.step.label_zh(),
                        st.record.decision.label_zh(),
                        st.record
                            .method
                            .map(|m| format!(" {}", m.label_zh()))
                            .unwrap_or_default(),
                        st.record.opinion,
                        st.by
                    );
                }
                if let Some(a) = s.awaited {
                    println!("  待办 next: {}（{}）", a.label_zh(), a.role().label_zh());
                }
            })?;
        }
        AssetsCommand::Add(a) => {
            let draft = Draft {
                name: a.name.clone(),
                kind: code_arg::<AssetKind>("kind", &a.kind)?,
                owner_kind: code_arg::<OwnerKind>("owner", &a.owner)?,
                owner_name: a.owner_name.clone(),
                household: a.household.clone(),
                keeper_name: a.keeper.clone(),
                keeper_phone: a.phone.clone(),
                value: yuan_arg("value", &a.value)?,
                village: a
                    .village
                    .clone()
                    .unwrap_or_else(|| caller.scope.area_prefix().to_owned()),
                place: a.place.clone(),
                project: a.project,
                year: a.year,
                state: code_arg::<AssetState>("state", &a.state)?,
                upkeep_months: a.upkeep_months,
            };
            let id = assets::register(&db, &caller, draft, today)
                .await
                .map_err(refused)
                .context("资产未登记 (nothing written)")?;
            print(args.json, &serde_json::json!({ "id": id }), |_| {
                println!("已登记 registered: 资产编号 {id}")
            })?;
        }
        AssetsCommand::Upkeep {
            id,
            kind,
            on,
            cost,
            content,
            done_by,
            version,
        } => {
            let record = Versioned {
                version,
                body: Upkeep {
                    kind: code_arg::<UpkeepKind>("kind", &kind)?,
                    on: on.unwrap_or(today),
                    cost: yuan_arg("cost", &cost)?,
                    content,
                    done_by,
                },
            };
            let rid = assets::record_upkeep(&db, &caller, id, record, today)
                .await
                .map_err(refused)
                .with_context(|| format!("资产 {id} 管护记录未保存 (nothing written)"))?;
            print(args.json, &serde_json::json!({ "id": rid }), |_| {
                println!("已保存管护记录 upkeep recorded (id {rid})")
            })?;
        }
        AssetsCommand::Dispose {
            id,
            step,
            decision,
            method,
            on,
            opinion,
            version,
        } => {
            let input = Versioned {
                version,
                body: DisposalInput {
                    step: code_arg::<DisposalStep>("step", &step)?,
                    decision: code_arg::<DisposalDecision>("decision", &decision)?,
                    method: method
                        .as_deref()
                        .map(|m| code_arg::<DisposalMethod>("method", m))
                        .transpose()?,
                    on,
                    opinion,
                },
            };
            let state = assets::dispose(&db, &caller, id, input, today)
                .await
                .map_err(refused)
                .with_context(|| format!("资产 {id} 处置未办理 (nothing written)"))?;
            print(args.json, &serde_json::json!({ "disposal": state }), |_| {
                println!("已办理 done: {}", state.label_zh())
            })?;
        }
        AssetsCommand::Import { file, commit } => {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.display().to_string());
            let r = assets::import::run(&db, &caller, &file, &name, !commit, today)
                .await
                .map_err(refused)?;
            print(args.json, &r, print_import)?;
            if !r.ok() {
                return Err(anyhow::anyhow!(Failure { code: 2 })
                    .context(format!("{} ({})", r.verdict_zh, r.verdict_en)));
            }
        }
    }
    Ok(())
}

fn print_import(r: &AssetImport) {
    for p in &r.problems {
        println!(
            "{}  第{}行  {}  “{}”  {}",
            r.file, p.row, p.column, p.value, p.reason_zh
        );
    }
    println!(
        "资产行 {}，无误 {}，有问题 {}，已导入 {}",
        r.rows, r.accepted, r.rejected, r.imported
    );
    println!("{}", r.verdict_zh);
}
