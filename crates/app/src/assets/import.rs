//! 清产核资 (§四(二)3, issue 23): the one-off import of a county's assets from a workbook (XLSX, also XLS or
//! ODS) with one row per asset under the 扶贫项目资产台账's column names — one use case for the upload page
//! `/imports/assets`, `POST /api/v1/imports/assets` and `shouwang assets import`.
//!
//! [`run`] reads the file (`shouwang_io::xlsx::text_table`, on a blocking thread), turns the rows into
//! registrations (`shouwang_core::asset::import::read`: every problem of every row with its row, column,
//! value and reason), adds the checks of the caller's area (a village outside it, an owning household or a
//! source project not of it) and reports. A dry run (预检) writes nothing; an import writes nothing either
//! unless every row passed — then every asset at once, in one transaction, each with its audit row and one
//! audit row of the import naming the file (`repo::assets::create_many`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use shouwang_core::asset::import::{self, Places, Row, RowProblem};
use shouwang_core::asset::{Draft, OwnerKind};
use shouwang_store::repo::assets::AssetFilter;
use shouwang_store::{Db, repo};

use super::may_keep;
use crate::caller::Caller;
use crate::error::Error;

/// Most bytes of an uploaded 清产核资 workbook.
pub const MAX_FILE: u64 = 10 * 1024 * 1024;

/// Most data rows of one workbook (a county's assets since 2013 are a few thousand).
pub const MAX_ROWS: usize = 50_000;

/// What an import did (导入结果).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetImport {
    /// 文件 (the name the user gave it).
    pub file: String,
    /// 预检 (nothing written).
    pub dry_run: bool,
    /// Data rows read (blank rows not counted).
    pub rows: usize,
    /// Rows that passed every check.
    pub accepted: usize,
    /// Rows rejected (with at least one problem).
    pub rejected: usize,
    /// Assets written (0 on a dry run or when a row was rejected).
    pub imported: usize,
    /// The new assets' ids, in the file's order.
    pub ids: Vec<i64>,
    /// Every problem: row, column, value, reason (the file is [`AssetImport::file`]).
    pub problems: Vec<RowProblem>,
    /// What happened, in Chinese.
    pub verdict_zh: String,
    /// What happened, in English.
    pub verdict_en: String,
}

impl AssetImport {
    /// Every row passed (an import wrote them all; a dry run may be imported).
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The report of a file refused as a whole (unreadable, too long): one problem of the file (row 0).
fn refuse_file(file: &str, dry_run: bool, zh: String, en: String) -> AssetImport {
    AssetImport {
        file: file.to_owned(),
        dry_run,
        rows: 0,
        accepted: 0,
        rejected: 0,
        imported: 0,
        ids: Vec::new(),
        problems: vec![RowProblem::new(0, "", "", zh.clone(), en.clone())],
        verdict_zh: format!("未导入：{zh}"),
        verdict_en: format!("Not imported: {en}"),
    }
}

/// The area checks of the accepted rows: a village inside the caller's area, an owning household of
/// the area, a source project of the area's 项目库. A row that fails one moves to the problems.
async fn check_area(
    db: &Db,
    caller: &Caller,
    county: &str,
    parsed: &mut import::Parsed,
) -> Result<(), Error> {
    let mut kept = Vec::with_capacity(parsed.drafts.len());
    for (row, d) in std::mem::take(&mut parsed.drafts) {
        let mut problem = |column: &str, value: &str, zh: String, en: &str| {
            parsed
                .problems
                .push(RowProblem::new(row, column, value, zh, en.to_owned()));
        };
        if !caller.scope.covers(&d.village) {
            problem(
                "行政村",
                &d.village,
                format!("行政村{}不在本辖区", d.village),
                "The village is outside the user's area",
            );
            continue;
        }
        if d.owner_kind == OwnerKind::Household
            && let Some(n) = &d.household
        {
            let found = repo::register_records::locate(db.conn(), county, n).await?;
            if !found.is_some_and(|(_, v)| caller.scope.covers(&v)) {
                problem(
                    "户编号",
                    n.as_str(),
                    format!("户编号{n}不是本辖区农户"),
                    "The owning household is not one of the area's",
                );
                continue;
            }
        }
        if let Some(p) = d.project
            && repo::projects::get(db, &caller.scope, p).await?.is_none()
        {
            problem(
                "来源项目编号",
                &p.to_string(),
                format!("来源项目{p}不在本辖区项目库中"),
                "The source project is not in the area's project library",
            );
            continue;
        }
        kept.push((row, d));
    }
    parsed.drafts = kept;
    parsed.problems.sort_by_key(|p| p.row);
    Ok(())
}

/// 清产核资: checks (`dry_run`) or imports the workbook at `path`, named `file` by the user, into the
/// caller's area. Refused (an error, nothing written): a role that keeps no assets (403). A file that
/// cannot be read is a report with one problem of the file. Otherwise the report lists every rejected row
/// with its row, column, value and reason; an import writes every row or, when any row is rejected,
/// nothing.
pub async fn run(
    db: &Db,
    caller: &Caller,
    path: &Path,
    file: &str,
    dry_run: bool,
    today: NaiveDate,
) -> Result<AssetImport, Error> {
    may_keep(caller)?;
    let county = caller.county()?;
    let owned: PathBuf = path.to_owned();
    let read = tokio::task::spawn_blocking(move || shouwang_io::xlsx::text_table(&owned))
        .await
        .map_err(|e| Error::internal(format!("reading the workbook: {e}")))?;
    let t = match read {
        Ok(t) => t,
        Err(e) => {
            let zh = e.message_zh().replace(&path.display().to_string(), file);
            return Ok(refuse_file(
                file,
                dry_run,
                zh,
                format!("The workbook cannot be read: {file}"),
            ));
        }
    };
    if t.rows.len() > MAX_ROWS {
        return Ok(refuse_file(
            file,
            dry_run,
            format!("一次最多导入{MAX_ROWS}行，请分批导入"),
            format!("At most {MAX_ROWS} rows at a time"),
        ));
    }
    let rows: Vec<Row> = t
        .rows
        .into_iter()
        .map(|(number, cells)| Row { number, cells })
        .collect();
    let names = repo::projects::region_names(db.conn(), &county).await?;
    let existing: HashSet<(String, String)> =
        repo::assets::list(db, &caller.scope, &AssetFilter::default())
            .await?
            .into_iter()
            .map(|r| (r.village_code, r.draft.name))
            .collect();
    let mut parsed = import::read(
        &t.headers,
        &rows,
        &Places::new(&names),
        &existing,
        today.year(),
    );
    check_area(db, caller, &county, &mut parsed).await?;
    let rejected = parsed.rejected_rows();
    let accepted = parsed.drafts.len();
    let mut out = AssetImport {
        file: file.to_owned(),
        dry_run,
        rows: parsed.rows,
        accepted,
        rejected,
        imported: 0,
        ids: Vec::new(),
        problems: parsed.problems,
        verdict_zh: String::new(),
        verdict_en: String::new(),
    };
    let (zh, en) = if !out.problems.is_empty() {
        (
            format!(
                "{}：共{}行，{}行有问题，未写入任何数据（全部无误后才导入）",
                if dry_run { "预检完成" } else { "未导入" },
                out.rows,
                rejected
            ),
            format!(
                "{}: {} rows, {} rejected; nothing written (the file is imported only when every row passes)",
                if dry_run { "Checked" } else { "Not imported" },
                out.rows,
                rejected
            ),
        )
    } else if out.rows == 0 {
        (
            "文件中没有资产行，未写入任何数据".to_owned(),
            "The file holds no asset rows; nothing written".to_owned(),
        )
    } else if dry_run {
        (
            format!("预检完成：{accepted}行全部无误（未写入任何数据），可以导入"),
            format!("Checked: all {accepted} rows pass (nothing written); ready to import"),
        )
    } else {
        let drafts: Vec<Draft> = parsed.drafts.into_iter().map(|(_, d)| d).collect();
        out.ids = repo::assets::create_many(db, &caller.actor(), &county, &drafts, file).await?;
        out.imported = out.ids.len();
        (
            format!("已导入{}项资产", out.imported),
            format!("{} assets imported", out.imported),
        )
    };
    out.verdict_zh = zh;
    out.verdict_en = en;
    Ok(out)
}
