//! `shouwang grids list|show|create|edit|assign|remove|coverage`: 网格化管理 (B6, issue 22; §四(六)) from the
//! command line, through `shouwang_app::grids` — the same path as the pages and `/api/v1/grids` (scoped
//! to the user's area, audited, versioned). `--json` prints the API's shapes. The ledger: `export ledger
//! grids`.

use clap::{Args, Subcommand};
use shouwang_app::assets::Versioned;
use shouwang_app::grids::{self, AssignInput, Coverage, GridSheet, GridView};
use shouwang_core::grid::{GridDraft, GridPerson};

use crate::config::{DbArgs, operator, print, refused};

/// Arguments of `shouwang grids`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit codes: 0 done; 2 bad input (a missing name, 党支部 or 网格长, a bad phone, a household not of the \
village); 3 not allowed for the role or another area; 4 no such grid; 5 a stale version or a name taken \
in the village.")]
pub struct GridsArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: GridsCommand,
}

/// A grid's fields on the command line.
#[derive(Args, Debug)]
pub struct GridFields {
    /// 网格名称.
    #[arg(long)]
    pub name: String,
    /// 党支部.
    #[arg(long)]
    pub branch: String,
    /// 网格长姓名.
    #[arg(long)]
    pub leader: String,
    /// 网格长联系电话.
    #[arg(long, default_value = "")]
    pub leader_phone: String,
    /// 网格员 `姓名` or `姓名:电话` (repeat for each).
    #[arg(long = "member")]
    pub members: Vec<String>,
}

impl GridFields {
    fn draft(self, village: String) -> GridDraft {
        GridDraft {
            village,
            name: self.name,
            branch: self.branch,
            leader: GridPerson {
                name: self.leader,
                phone: self.leader_phone,
            },
            members: self
                .members
                .iter()
                .map(|m| {
                    let (name, phone) = m.split_once([':', '：']).unwrap_or((m.as_str(), ""));
                    GridPerson {
                        name: name.to_owned(),
                        phone: phone.to_owned(),
                    }
                })
                .collect(),
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum GridsCommand {
    /// The grids of the user's area (phones masked unless the role sees personal data).
    List {
        /// A township or village inside the user's area.
        #[arg(long)]
        area: Option<String>,
    },
    /// A grid with every household of its village and the grid it lies in.
    Show {
        /// The grid's id.
        id: i64,
    },
    /// Creates a grid of a village (village team, township, county).
    Create {
        /// 行政村 code.
        #[arg(long)]
        village: String,
        #[command(flatten)]
        fields: GridFields,
    },
    /// Changes a grid (its village stays).
    Edit {
        /// The grid's id.
        id: i64,
        #[command(flatten)]
        fields: GridFields,
    },
    /// Puts households (户编号) of the grid's village into the grid; each leaves its former grid.
    Assign {
        /// The grid's id.
        id: i64,
        /// 户编号 (repeat), or none with `--all-without-grid`.
        #[arg(long = "household")]
        households: Vec<String>,
        /// Every household of the village in no grid yet.
        #[arg(long)]
        all_without_grid: bool,
    },
    /// Takes households (户编号) out of the grid.
    Remove {
        /// The grid's id.
        id: i64,
        /// 户编号 (repeat).
        #[arg(long = "household", required = true)]
        households: Vec<String>,
    },
    /// Households in a grid per village of the user's area.
    Coverage,
}

fn print_grid(g: &GridView) {
    let members: Vec<String> = g
        .members
        .iter()
        .map(|m| format!("{} {}", m.name, m.phone).trim().to_owned())
        .collect();
    println!(
        "{}  {} {}  党支部：{}  网格长：{} {}  网格员：{}  {}户",
        g.id,
        g.village_name,
        g.name,
        g.branch,
        g.leader.name,
        g.leader.phone,
        members.join("、"),
        g.households
    );
}

fn print_coverage(c: &Coverage) {
    let pct = |p: Option<f64>| p.map_or_else(|| "—".to_owned(), |p| format!("{p:.1}%"));
    for v in &c.villages {
        println!(
            "{}  {}  {}/{}  {}",
            v.code,
            v.name,
            v.with_grid,
            v.households,
            pct(v.pct)
        );
    }
    println!(
        "合计：已划入网格 {}/{} 户 {}",
        c.with_grid,
        c.households,
        pct(c.pct)
    );
}

/// The ids of the households `numbers` (户编号) of the grid's village; an unknown one is bad input.
fn ids_of(sheet: &GridSheet, numbers: &[String]) -> anyhow::Result<Vec<i64>> {
    numbers
        .iter()
        .map(|n| {
            sheet
                .households
                .iter()
                .find(|h| h.number == n.trim())
                .map(|h| h.id)
                .ok_or_else(|| {
                    refused(shouwang_app::Error::invalid(
                        format!("户编号{n}不是本网格所在村的农户"),
                        format!("Household {n} is not of the grid's village"),
                    ))
                })
        })
        .collect()
}

/// Runs `shouwang grids`.
pub async fn run(args: GridsArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    match args.command {
        GridsCommand::List { area } => {
            let list = grids::list(&db, &caller, area.as_deref())
                .await
                .map_err(refused)?;
            print(args.json, &list, |l: &Vec<GridView>| {
                l.iter().for_each(print_grid);
            })
        }
        GridsCommand::Show { id } => {
            let sheet = grids::show(&db, &caller, id).await.map_err(refused)?;
            print(args.json, &sheet, |s: &GridSheet| {
                print_grid(&s.grid);
                for h in &s.households {
                    let grid = match h.grid_id {
                        Some(g) if g == s.grid.id => "本网格",
                        Some(_) => h.grid_name.as_str(),
                        None => "未划入网格",
                    };
                    println!("  {}  {}  {grid}", h.number, h.head_name);
                }
            })
        }
        GridsCommand::Create { village, fields } => {
            let id = grids::create(&db, &caller, fields.draft(village))
                .await
                .map_err(refused)?;
            print(args.json, &serde_json::json!({ "id": id }), |_| {
                println!("已新建网格 {id}");
            })
        }
        GridsCommand::Edit { id, fields } => {
            let sheet = grids::show(&db, &caller, id).await.map_err(refused)?;
            let change = Versioned {
                version: Some(sheet.grid.version),
                body: fields.draft(sheet.grid.village.clone()),
            };
            grids::update(&db, &caller, id, change)
                .await
                .map_err(refused)?;
            print(args.json, &serde_json::json!({ "id": id }), |_| {
                println!("已修改网格 {id}");
            })
        }
        GridsCommand::Assign {
            id,
            households,
            all_without_grid,
        } => {
            let sheet = grids::show(&db, &caller, id).await.map_err(refused)?;
            let mut ids = ids_of(&sheet, &households)?;
            if all_without_grid {
                ids.extend(
                    sheet
                        .households
                        .iter()
                        .filter(|h| h.grid_id.is_none())
                        .map(|h| h.id),
                );
            }
            assign(&db, &caller, &sheet, ids, false, args.json).await
        }
        GridsCommand::Remove { id, households } => {
            let sheet = grids::show(&db, &caller, id).await.map_err(refused)?;
            let ids = ids_of(&sheet, &households)?;
            assign(&db, &caller, &sheet, ids, true, args.json).await
        }
        GridsCommand::Coverage => {
            let c = grids::coverage(&db, &caller).await.map_err(refused)?;
            print(args.json, &c, print_coverage)
        }
    }
}

async fn assign(
    db: &shouwang_store::Db,
    caller: &shouwang_app::Caller,
    sheet: &GridSheet,
    households: Vec<i64>,
    remove: bool,
    json: bool,
) -> anyhow::Result<()> {
    let input = AssignInput {
        version: Some(sheet.grid.version),
        households,
        remove,
    };
    let changed = grids::assign(db, caller, sheet.grid.id, input)
        .await
        .map_err(refused)?;
    print(json, &serde_json::json!({ "changed": changed }), |_| {
        println!(
            "{}{changed}户",
            if remove {
                "已移出网格 "
            } else {
                "已划入网格 "
            }
        );
    })
}
