//! `shouwang document …`: the official documents 文书 as DOCX or print-ready HTML (issue 6 part 5):
//! 风险消除告知书 (one household, or every notice of a quarter in one file), 民主评议结果公示 of a
//! village, 入户核查表 and 帮扶手册 of a household. Acts as a named user (their area and role).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use shouwang_app::documents;
use shouwang_core::document::Document;
use shouwang_io::document_html;

use crate::config::DbArgs;

#[derive(Subcommand, Debug)]
pub enum DocumentKind {
    /// 风险消除告知书 of a household.
    Notice {
        /// 户编号.
        #[arg(long)]
        household: String,
    },
    /// Every 风险消除告知书 of a quarter, one a page.
    Notices {
        /// The quarter: 2022Q3.
        #[arg(long)]
        quarter: String,
        /// Only this area inside the user's (county, township or village code).
        #[arg(long)]
        area: Option<String>,
    },
    /// 民主评议结果公示 of a village.
    Publicity {
        /// The village code (12 digits).
        #[arg(long)]
        village: String,
        /// Date of the 公示 (default: today, Beijing time).
        #[arg(long)]
        on: Option<String>,
    },
    /// 入户核查表 (the latest verification of the household).
    Verification {
        /// 户编号.
        #[arg(long)]
        household: String,
    },
    /// 帮扶手册 of a household.
    Handbook {
        /// 户编号.
        #[arg(long)]
        household: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Word (.docx).
    Docx,
    /// Print-ready HTML (A4).
    Html,
}

#[derive(Args, Debug)]
pub struct DocumentArgs {
    #[command(subcommand)]
    pub kind: DocumentKind,
    /// Output file.
    #[arg(long, global = true)]
    pub out: Option<PathBuf>,
    /// docx or html (default: from the file name, else docx).
    #[arg(long, value_enum, global = true)]
    pub format: Option<Format>,
    /// Act as this user (their area and role).
    #[arg(long, global = true)]
    pub user: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

fn format_of(args: &DocumentArgs, out: &Path) -> Format {
    args.format.unwrap_or_else(|| {
        match out
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("html" | "htm") => Format::Html,
            _ => Format::Docx,
        }
    })
}

pub async fn run(args: DocumentArgs) -> anyhow::Result<()> {
    let out = args
        .out
        .clone()
        .context("请用 --out 指定输出文件 / --out FILE is required")?;
    let user_name = args
        .user
        .clone()
        .context("请用 --user 指定用户 / --user NAME is required")?;
    let format = format_of(&args, &out);
    // Inputs first: a bad quarter or date fails before the database is opened.
    let quarter = match &args.kind {
        DocumentKind::Notices { quarter, .. } => {
            Some(documents::quarter(quarter).map_err(|e| anyhow::anyhow!("{} / {}", e.zh, e.en))?)
        }
        _ => None,
    };
    let on = match &args.kind {
        DocumentKind::Publicity { on: Some(d), .. } => d
            .trim()
            .parse::<chrono::NaiveDate>()
            .map_err(|_| anyhow::anyhow!("日期格式应为 YYYY-MM-DD / bad date {d:?}"))?,
        _ => shouwang_app::today(),
    };
    let db = args.db.open().await?;
    let user = crate::config::operator(&db, &user_name).await?;
    let failed = |e: shouwang_app::Error| match e.kind {
        shouwang_app::Kind::NotFound => anyhow::anyhow!(
            "未找到：该户不在您的辖区内，或没有这份文书 / not found in your area, or no such document"
        ),
        _ => anyhow::anyhow!("{} / {}", e.zh, e.en),
    };
    let doc: Document = match &args.kind {
        DocumentKind::Notice { household } => documents::household(&db, &user, household, "notice")
            .await
            .map_err(failed)?,
        DocumentKind::Notices { area, .. } => {
            let q = quarter.context("quarter")?;
            let (doc, n) = documents::quarter_notices(&db, &user, q, area.as_deref())
                .await
                .map_err(failed)?;
            println!("{} 份告知书 / {n} notices", n);
            doc
        }
        DocumentKind::Publicity { village, .. } => {
            documents::publicity(&db, &user, Some(village), on)
                .await
                .map_err(failed)?
                .0
        }
        DocumentKind::Verification { household } => {
            documents::household(&db, &user, household, "verification")
                .await
                .map_err(failed)?
        }
        DocumentKind::Handbook { household } => {
            documents::household(&db, &user, household, "handbook")
                .await
                .map_err(failed)?
        }
    };
    let bytes = match format {
        Format::Docx => {
            documents::docx(&doc).map_err(|e| anyhow::anyhow!("{} / {}", e.zh, e.en))?
        }
        Format::Html => {
            document_html::render(&doc, &document_html::HtmlOptions::default()).into_bytes()
        }
    };
    std::fs::write(&out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
    println!("已生成 / written: {} → {}", doc.title, out.display());
    Ok(())
}
