//! `shouwang post list|show|add|set`: the 公益岗位 register (B1 §四(一)3, A4 §三(二), issue 21) from the
//! command line, through `shouwang_app::welfare_posts` — the same path as the pages and
//! `/api/v1/welfare-posts…` (scoped to the user's area, audited, versioned). `--json` prints the API's shapes.

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use shouwang_app::assets::Versioned;
use shouwang_app::welfare_posts::{self, Entry, ListFilter};
use shouwang_core::CodeList;
use shouwang_core::welfare_post::{Draft, Funding, MemberRef, PostKind, PostState};

use crate::config::{DbArgs, operator, printed_json, refused};

/// Arguments of `shouwang post`.
#[derive(Args, Debug)]
#[command(after_help = "\
Exit codes: 0 done; 2 bad input; 3 not allowed for the role or the area; 4 not found in the user's area; \
5 the holder holds another post, or a stale version.")]
pub struct PostArgs {
    /// The user to act as (user name).
    #[arg(long, env = "SHOUWANG_USER")]
    pub user: String,
    /// Print JSON (the API's shapes) instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(subcommand)]
    pub command: PostCommand,
}

#[derive(Subcommand, Debug)]
pub enum PostCommand {
    /// The posts of the user's area.
    List {
        /// A township or village inside the user's area.
        #[arg(long)]
        area: Option<String>,
        /// Only this state (`held` 在岗, `vacant` 空缺, `dismissed` 解聘).
        #[arg(long)]
        state: Option<String>,
    },
    /// One post.
    Show {
        /// 岗位编号.
        id: i64,
    },
    /// Sets up a post (township, county).
    Add(Box<PostFields>),
    /// Changes the post ID (every field given again, with `--version`).
    Set {
        /// 岗位编号.
        id: i64,
        /// The version read (see `show`).
        #[arg(long)]
        version: Option<i64>,
        #[command(flatten)]
        fields: Box<PostFields>,
    },
}

/// The fields of a post.
#[derive(Args, Debug)]
pub struct PostFields {
    /// 岗位名称.
    #[arg(long)]
    pub name: String,
    /// 岗位类别 (`forest_ranger` 护林员, `cleaner` 保洁员, `elder_care` 两无老人看护, `water_keeper` 水管员,
    /// `other`).
    #[arg(long)]
    pub kind: String,
    /// 所在村 (12-digit village code).
    #[arg(long)]
    pub village: String,
    /// 资金来源 (`pv_income` 光伏收益, `linkage_fund` 衔接资金, `other`).
    #[arg(long)]
    pub funding: String,
    /// 月补贴（元）.
    #[arg(long)]
    pub pay: Option<u32>,
    /// 聘用人员 `户编号:成员序号` (1 = first).
    #[arg(long)]
    pub holder: Option<String>,
    /// 聘用起始日期.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// 聘用截止日期.
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// 岗位状态 (`held` 在岗, `vacant` 空缺, `dismissed` 解聘; default: held with a holder, else vacant).
    #[arg(long)]
    pub state: Option<String>,
    /// 岗位职责.
    #[arg(long, default_value = "")]
    pub duties: String,
    /// 看护对象 `户编号:成员序号`, repeatable (两无老人看护 only).
    #[arg(long = "cared")]
    pub cared: Vec<String>,
}

fn bad(zh: String, en: String) -> anyhow::Error {
    refused(shouwang_app::Error::invalid(zh, en))
}

fn code<T: CodeList>(s: &str, zh: &str, en: &str) -> anyhow::Result<T> {
    T::from_any(s.trim())
        .ok_or_else(|| bad(format!("未知的{zh}：{s}"), format!("unknown {en}: {s}")))
}

fn member(s: &str) -> anyhow::Result<MemberRef> {
    let (h, p) = s.rsplit_once(':').ok_or_else(|| {
        bad(
            format!("应为“户编号:成员序号”：{s}"),
            format!("HOUSEHOLD:MEMBER: {s}"),
        )
    })?;
    let position = p
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .ok_or_else(|| {
            bad(
                format!("成员序号从1开始：{s}"),
                format!("member from 1: {s}"),
            )
        })?;
    Ok(MemberRef {
        household: h.trim().to_owned(),
        position,
    })
}

fn draft(f: PostFields) -> anyhow::Result<Draft> {
    let holder = f.holder.as_deref().map(member).transpose()?;
    let state = match f.state.as_deref() {
        Some(s) => code::<PostState>(s, "岗位状态", "state")?,
        None if holder.is_some() => PostState::Held,
        None => PostState::Vacant,
    };
    Ok(Draft {
        name: f.name,
        kind: code::<PostKind>(&f.kind, "岗位类别", "kind")?,
        village: f.village,
        funding: code::<Funding>(&f.funding, "资金来源", "funding")?,
        monthly_pay: f.pay,
        holder,
        from: f.from,
        to: f.to,
        state,
        duties: f.duties,
        cared: f
            .cared
            .iter()
            .map(|c| member(c))
            .collect::<anyhow::Result<_>>()?,
    })
}

fn print_entry(e: &Entry) {
    let person =
        |p: &welfare_posts::PersonView| format!("{}（{} {}）", p.name, p.household, p.id_number);
    println!(
        "{}  {}  {}  {}  {}  {}  {}  {}..{}  {}  v{}",
        e.id,
        e.name,
        e.kind.label_zh(),
        e.village_name,
        e.funding.label_zh(),
        e.monthly_pay
            .map(|p| format!("{p}元/月"))
            .unwrap_or_default(),
        e.holder
            .as_ref()
            .map(person)
            .unwrap_or_else(|| "（空缺）".to_owned()),
        e.from.map(|d| d.to_string()).unwrap_or_default(),
        e.to.map(|d| d.to_string()).unwrap_or_default(),
        e.state.label_zh(),
        e.version,
    );
    for c in &e.cared {
        println!("  看护 {}", person(c));
    }
}

/// Runs `shouwang post`.
pub async fn run(args: PostArgs) -> anyhow::Result<()> {
    let db = args.db.open().await?;
    let caller = operator(&db, &args.user).await?;
    let today = shouwang_app::today();
    match args.command {
        PostCommand::List { area, state } => {
            let rows = welfare_posts::list(&db, &caller, &ListFilter { area, state })
                .await
                .map_err(refused)?;
            if !printed_json(args.json, &rows)? {
                for e in &rows {
                    print_entry(e);
                }
                println!("共 {} 个公益岗位 ({} posts)", rows.len(), rows.len());
            }
        }
        PostCommand::Show { id } => {
            let e = welfare_posts::show(&db, &caller, id)
                .await
                .map_err(refused)?;
            if !printed_json(args.json, &e)? {
                print_entry(&e);
            }
        }
        PostCommand::Add(f) => {
            let id = welfare_posts::create(&db, &caller, draft(*f)?, today)
                .await
                .map_err(refused)
                .context("公益岗位未设置")?;
            if !printed_json(args.json, &serde_json::json!({ "id": id }))? {
                println!("已设置公益岗位 post set up (id {id})");
            }
        }
        PostCommand::Set {
            id,
            version,
            fields,
        } => {
            let body = Versioned {
                version,
                body: draft(*fields)?,
            };
            welfare_posts::update(&db, &caller, id, body, today)
                .await
                .map_err(refused)
                .context("公益岗位未修改")?;
            if !printed_json(args.json, &serde_json::json!({ "id": id }))? {
                println!("已修改公益岗位 post changed (id {id})");
            }
        }
    }
    Ok(())
}
