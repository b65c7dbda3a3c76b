//! 户籍台账导入: the registry import (农户信息台账: households, members and their yearly incomes 收支情况)
//! from XLSX, XLS, ODS or CSV (UTF-8 or GBK), one code path for `shouwang import registry`, the upload page
//! `/imports/registry`, `POST /api/v1/imports/registry` and the demo county's load.
//!
//! [`run`] reads the file on a blocking thread and hands households over as they complete
//! (`shouwang_io::registry::read` with a streaming sink); the store's importer writes them meanwhile
//! and finishes with the database checks, the audit rows (naming the user and the file) and the
//! commit (`shouwang_store::repo::registry_file::Importer`). Every problem is reported with sheet,
//! row, column, value and reason; a household with a problem is rejected whole, a 收支情况 row by itself. [`start`] runs the
//! same as a background job ([`crate::jobs`]); a dry run keeps the file for the import that follows.
//!
//! An import that committed income records is followed by the income review (收支测算比对,
//! [`crate::income::review`]) of every year it wrote, over the importing user's area
//! ([`review_after_import`]): a clear drop or an income below the line files or joins a clue, as when a
//! record is saved on its own. The result says what it found ([`ImportReview`]), or why it did not run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::Serialize;
use shouwang_core::monitoring::Source;
use shouwang_core::registry::{Problem, SheetKind};
use shouwang_core::{CodeList, Role};
use shouwang_io::registry::{FileInfo, Handout, RowSink, StreamingSink, Unusable};
use shouwang_store::repo::registry_file::{ImportOptions, ImportReport, Importer};
use shouwang_store::{Actor, Db, StoreError};

use super::problems_csv;
use crate::caller::Caller;
use crate::error::{Error, Kind};
use crate::income::{self, ReviewSummary};
use crate::jobs::{JobFailure, JobFile, JobKind, JobOutput, JobResult, Jobs, Progress};
use crate::uploads::{SpooledFile, UploadedFile};

/// Most bytes of an uploaded registry file.
pub const MAX_FILE: u64 = 100 * 1024 * 1024;

/// What an import did: the file as read and the report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RegistryImportResult {
    /// The file's name.
    pub file: String,
    /// The format read (`xlsx`, `xls`, `ods`, `csv (UTF-8)`, `csv (GBK)` …).
    pub format: String,
    /// Sheets read, joined by 、.
    pub sheets: String,
    /// What happened, in Chinese (已导入, 预检完成（未写入任何数据）, 无变化, 未导入 …).
    pub verdict_zh: String,
    /// What happened, in English.
    pub verdict_en: String,
    /// Counts and every problem (sheet, row, column, value, reason).
    pub report: ImportReport,
    /// The income review (收支测算比对) of the years the import wrote.
    pub review: ImportReview,
    /// The sheets read with what each held.
    #[serde(skip)]
    pub sheet_kinds: Vec<(String, SheetKind)>,
    /// Where the time went (`SHOUWANG_IMPORT_TIMING=1` prints it on the command line).
    #[serde(skip)]
    pub timing: Timing,
}

/// Where an import's time went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timing {
    /// Reading the file (households written meanwhile: `early`).
    pub read: Duration,
    /// Households written while the file was read.
    pub early: usize,
    /// The rest: database checks, the remaining writes, the commit.
    pub finish: Duration,
}

/// The income review (收支测算比对) that follows an import ([`review_after_import`]): one summary per
/// year of the income records the import created or replaced, or why it did not run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReview {
    /// The years reviewed, oldest first.
    pub years: Vec<ReviewSummary>,
    /// Why the review did not run (or not for every year written), in Chinese; `None` when it ran or had
    /// nothing to do.
    pub skipped_zh: Option<String>,
    /// The same in English.
    pub skipped_en: Option<String>,
}

impl ImportReview {
    /// Findings of every year (a household flagged in two years counts twice).
    pub fn findings(&self) -> u64 {
        self.years.iter().map(|y| y.findings).sum()
    }

    /// Clues filed: new cases and new clues of open cases.
    pub fn filed(&self) -> u64 {
        self.years.iter().map(|y| y.new_cases + y.new_clues).sum()
    }

    /// Findings joined to an open clue of the same cause.
    pub fn joined(&self) -> u64 {
        self.years.iter().map(|y| y.merged).sum()
    }

    /// What the review did, a line per year and the reason it was skipped, in Chinese and English: the
    /// text of the import's result page and of `shouwang import registry`. Empty when there was nothing
    /// to review.
    pub fn lines(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .years
            .iter()
            .map(|s| {
                (
                    format!(
                        "{}年收支测算比对：有收支记录 {} 户，发现风险 {} 户（明显下降 {} 户，低于监测线 {} 户）；\
                         登记线索 {} 条（其中新建档案 {} 户），并入已有线索 {} 条，此前已登记 {} 户",
                        s.year,
                        s.households,
                        s.findings,
                        s.clear_drop,
                        s.below_line,
                        s.new_cases + s.new_clues,
                        s.new_cases,
                        s.merged,
                        s.already_present
                    ),
                    format!(
                        "Income review {}: {} households with a record, {} flagged ({} clear drop, {} below the line); \
                         {} clues filed ({} new cases), {} joined an open clue, {} filed before",
                        s.year,
                        s.households,
                        s.findings,
                        s.clear_drop,
                        s.below_line,
                        s.new_cases + s.new_clues,
                        s.new_cases,
                        s.merged,
                        s.already_present
                    ),
                )
            })
            .collect();
        if let (Some(zh), Some(en)) = (&self.skipped_zh, &self.skipped_en) {
            out.push((zh.clone(), en.clone()));
        }
        out
    }
}

/// 收支测算比对 after an import: [`income::review`] of each year in `report.income_years` (the records the
/// import created or replaced) over the area of `who`, dated `on`, when the import committed. Skipped,
/// with the reason, for an import as the system (no user) and for a role that may not record a clue of
/// source 收支测算比对; a review that fails stops there with its reason (the import stays committed).
pub async fn review_after_import(
    db: &Db,
    who: Option<&Caller>,
    report: &ImportReport,
    on: NaiveDate,
) -> ImportReview {
    let mut out = ImportReview::default();
    if !report.committed || report.income_years.is_empty() {
        return out;
    }
    let years: Vec<String> = report
        .income_years
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut skip = |zh: String, en: String| {
        out.skipped_zh = Some(zh);
        out.skipped_en = Some(en);
    };
    let Some(caller) = who else {
        skip(
            format!(
                "导入未指定用户，未运行收支测算比对（{}年）：请乡镇或县级管理员运行收支测算比对（shouwang income review）",
                years.join("、")
            ),
            format!(
                "The import ran without a user, so the income review ({}) did not run: a township or county admin runs it (shouwang income review)",
                years.join(", ")
            ),
        );
        return out;
    };
    let role = caller.scope.role;
    let allowed = report
        .income_years
        .iter()
        .all(|&year| Source::IncomeReview { year }.roles().contains(&role));
    if !allowed {
        skip(
            format!(
                "{}不能登记收支测算比对线索，未运行收支测算比对（{}年）",
                role.label_zh(),
                years.join("、")
            ),
            format!(
                "A {} may not record income-review clues, so the income review ({}) did not run",
                role.label_en().to_lowercase(),
                years.join(", ")
            ),
        );
        return out;
    }
    for &year in &report.income_years {
        match income::review(db, caller, None, year, on).await {
            Ok(s) => out.years.push(s),
            Err(e) => {
                tracing::warn!("income review of {year} after an import: {}", e.en);
                skip(
                    format!("{year}年收支测算比对未完成：{}（导入已完成）", e.zh),
                    format!(
                        "The income review of {year} did not finish: {} (the import is done)",
                        e.en
                    ),
                );
                break;
            }
        }
    }
    out
}

/// Why an import wrote nothing at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportFailure {
    /// The file cannot be imported (not a spreadsheet, no registry sheet, a required column missing):
    /// every reason found.
    Unusable {
        /// The file's name.
        file: String,
        /// The reasons.
        problems: Vec<Problem>,
    },
    /// The import failed as a whole (the database refused or failed).
    Failed(Error),
}

impl ImportFailure {
    /// The reason in Chinese, ending in "nothing was imported".
    pub fn zh(&self) -> String {
        match self {
            ImportFailure::Unusable { file, problems } => {
                let reasons: Vec<&str> = problems.iter().map(|p| p.reason_zh.as_str()).collect();
                format!(
                    "文件 {file} 无法导入：{}；未导入任何数据",
                    reasons.join("；")
                )
            }
            ImportFailure::Failed(e) => format!("{}；未导入任何数据", e.zh),
        }
    }

    /// The reason in English.
    pub fn en(&self) -> String {
        match self {
            ImportFailure::Unusable { file, problems } => {
                let reasons: Vec<&str> = problems.iter().map(|p| p.reason_en.as_str()).collect();
                format!(
                    "{file} cannot be imported: {}; nothing was imported",
                    reasons.join("; ")
                )
            }
            ImportFailure::Failed(e) => format!("{}; nothing was imported", e.en),
        }
    }
}

impl From<StoreError> for ImportFailure {
    fn from(e: StoreError) -> ImportFailure {
        ImportFailure::Failed(e.into())
    }
}

/// The verdict of an import in Chinese and English.
pub fn verdict(r: &ImportReport) -> (&'static str, &'static str) {
    if r.committed {
        ("已导入", "Imported")
    } else if r.dry_run {
        (
            "预检完成（未写入任何数据）",
            "Dry run done (nothing written)",
        )
    } else if r.changes() == 0 && r.rejected_households == 0 {
        (
            "无变化（数据已是最新）",
            "Nothing to change (already up to date)",
        )
    } else {
        (
            "未导入：选择了“全部或不导入”且有被拒绝的户，未写入任何数据",
            "Not imported: all-or-nothing was chosen and households were rejected; nothing written",
        )
    }
}

/// The Chinese name of what a sheet held.
pub fn sheet_kind_zh(k: SheetKind) -> &'static str {
    match k {
        SheetKind::Households => "户信息",
        SheetKind::Members => "家庭成员",
        SheetKind::Combined => "每人一行",
        SheetKind::Income => "收支情况",
    }
}

/// Whether `role` may import ([`Role::may_import_registry`]), or the refusal ([`Kind::Forbidden`]) to
/// answer before an upload is read.
pub fn check_role(role: Role) -> Result<(), Error> {
    if role.may_import_registry() {
        Ok(())
    } else {
        Err(Error::role_not_allowed(
            "只有乡镇管理员和县级管理员可以导入户籍台账",
            "Only township and county admins may import the registry",
        ))
    }
}

/// Checks a file before a job starts: not empty, and a spreadsheet or CSV (not a binary of another
/// kind); [`Kind::Invalid`] with the reason otherwise.
pub fn check_file(file: &UploadedFile) -> Result<(), Error> {
    if file.bytes.is_empty() {
        return Err(Error::invalid("文件是空的", "The file is empty"));
    }
    if shouwang_io::registry::sniff(&file.bytes) == shouwang_io::registry::Format::Binary {
        return Err(Error::invalid(
            format!(
                "{} 不是电子表格文件：请上传 Excel（.xlsx / .xls）、ODS 或 CSV 格式的农户台账",
                file.name
            ),
            format!(
                "{} is not a spreadsheet: upload the registry as Excel (.xlsx / .xls), ODS or CSV",
                file.name
            ),
        ));
    }
    Ok(())
}

/// What hands a registry's rows to the import's sink (with the reader's progress callback): the reader of
/// a file, or a registry made in memory.
pub type Rows =
    Box<dyn FnOnce(&mut dyn RowSink, &dyn Fn(u64, u64)) -> Result<FileInfo, Unusable> + Send>;

/// Imports (or with `options.dry_run` checks) `file` as `who` (`None`: the system; a user's area limits
/// what may be imported), telling `progress` the phases 读取文件, 写入数据库 / 预检 and 收支测算比对; the
/// income review's clues are dated `on` (the day of the import: `crate::today()`). See the module doc.
pub async fn run(
    db: &Db,
    who: Option<&Caller>,
    file: &UploadedFile,
    options: &ImportOptions,
    on: NaiveDate,
    progress: Arc<dyn Progress>,
) -> Result<RegistryImportResult, ImportFailure> {
    let (name, bytes) = (file.name.clone(), file.bytes.clone());
    let read: Rows =
        Box::new(move |sink, progress| shouwang_io::registry::read(&name, &bytes, sink, progress));
    run_rows(db, who, &file.name, read, options, on, progress).await
}

/// [`run`] of a registry that `rows` hands to the sink as the reader hands a file's rows (the demo county's,
/// made in memory with `shouwang_io::registry_rows::RegistryRows`): the same assembly, checks, writes,
/// audit rows, report and income review. `name` is the file name the audit log records.
pub async fn run_rows(
    db: &Db,
    who: Option<&Caller>,
    name: &str,
    rows: Rows,
    options: &ImportOptions,
    on: NaiveDate,
    progress: Arc<dyn Progress>,
) -> Result<RegistryImportResult, ImportFailure> {
    let actor = who.map_or_else(Actor::system, Caller::actor);
    let scope = who.map(|c| &c.scope);
    let started = Instant::now();
    progress.phase("读取文件", "reading the file");
    // The reader runs on a blocking thread and hands over households as they complete; the database
    // writes them meanwhile.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Handout>(4);
    let reader = {
        let progress = progress.clone();
        tokio::task::spawn_blocking(move || {
            let mut sink = StreamingSink::new(2048, move |batch| {
                // The receiver only goes away when the import failed; the reader then just finishes.
                let _ = tx.blocking_send(batch);
            });
            let info = rows(&mut sink, &|done, total| progress.progress(done, total));
            (info, sink.finish())
        })
    };
    let mut importer = Importer::begin(db, &actor, scope, options).await?;
    while let Some(handout) = rx.recv().await {
        importer = match handout {
            Handout::Ready(batch) => {
                importer.early(batch).await?;
                importer
            }
            Handout::Incomes(rows) => {
                importer.early_incomes(rows).await?;
                importer
            }
            // The reader reads the file again from the start (see `RowSink::restart`).
            Handout::Restart => importer.restart().await?,
        };
    }
    let (read, assembled) = reader
        .await
        .map_err(|e| ImportFailure::Failed(Error::internal(format!("registry read task: {e}"))))?;
    let read_done = Instant::now();
    let info = match read {
        Ok(info) => info,
        Err(unusable) => {
            importer.abort().await?;
            return Err(ImportFailure::Unusable {
                file: name.to_owned(),
                problems: unusable.0,
            });
        }
    };
    if options.dry_run {
        progress.phase("预检（不写入）", "dry run (nothing written)");
    } else {
        progress.phase("写入数据库", "writing to the database");
    }
    let early = importer.early_count();
    let report = importer
        .finish(assembled, &|d, t| progress.progress(d, t))
        .await?;
    let finished = Instant::now();
    if report.committed && !report.income_years.is_empty() {
        progress.phase("收支测算比对", "income review");
    }
    let review = review_after_import(db, who, &report, on).await;
    let (verdict_zh, verdict_en) = verdict(&report);
    Ok(RegistryImportResult {
        file: name.to_owned(),
        format: info.format.clone(),
        sheets: info
            .sheets
            .iter()
            .map(|(s, _)| s.clone())
            .collect::<Vec<_>>()
            .join("、"),
        verdict_zh: verdict_zh.to_owned(),
        verdict_en: verdict_en.to_owned(),
        report,
        review,
        sheet_kinds: info.sheets.clone(),
        timing: Timing {
            read: read_done - started,
            early,
            finish: finished - read_done,
        },
    })
}

/// Starts [`run`] of `file` as a background job of `caller`: a dry run (预检) or the import, optionally
/// all-or-nothing (全部或不导入). The job's result is the [`RegistryImportResult`] and the problem list
/// as CSV; a dry run keeps the file on disk (for [`kept_file`]; the import's own file is removed when it
/// ends). Refusals: a role that may not import
/// ([`Kind::Forbidden`]), a file that is no spreadsheet ([`Kind::Invalid`]), too many jobs running
/// ([`Kind::Conflict`]).
pub fn start(
    jobs: &Jobs,
    db: &Db,
    caller: &Caller,
    spooled: Arc<SpooledFile>,
    dry_run: bool,
    all_or_nothing: bool,
) -> Result<u64, Error> {
    check_role(caller.scope.role)?;
    let file = spooled.read().ok_or_else(gone)?;
    check_file(&file)?;
    drop(file);
    let db = db.clone();
    let caller = caller.clone();
    let subject = if dry_run {
        (
            format!("{} · 预检", spooled.name),
            format!("{} · dry run", spooled.name),
        )
    } else {
        (
            format!("{} · 导入", spooled.name),
            format!("{} · import", spooled.name),
        )
    };
    jobs.spawn(
        caller.user_id,
        JobKind::RegistryImport,
        subject,
        move |job| async move {
            let options = ImportOptions {
                dry_run,
                all_or_nothing,
                source: spooled.name.clone(),
            };
            let progress: Arc<dyn Progress> = Arc::new(job);
            // The importer's future is not `Send` (its progress callback is a plain `&dyn Fn`): it runs to
            // completion on a blocking thread of this runtime (the database pool stays on the runtime
            // that owns it).
            let runtime = tokio::runtime::Handle::current();
            // The file is in memory while the job reads it, on disk before and after.
            let file = spooled.read().ok_or_else(|| {
                JobFailure::new(
                    "上传的文件已过期，请重新上传",
                    "the uploaded file expired; upload it again",
                )
            })?;
            let name = file.name.clone();
            let result = tokio::task::spawn_blocking(move || {
                runtime.block_on(run(
                    &db,
                    Some(&caller),
                    &file,
                    &options,
                    crate::caller::today(),
                    progress,
                ))
            })
            .await
            .map_err(|e| {
                tracing::error!("registry import task: {e}");
                JobFailure::new(
                    "导入任务意外中止，未导入任何数据",
                    "the import task stopped unexpectedly; nothing was imported",
                )
            })?
            .map_err(|f| JobFailure::new(f.zh(), f.en()))?;
            let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s);
            Ok(JobOutput {
                files: vec![JobFile {
                    name: format!("{stem}-问题清单.csv"),
                    content_type: "text/csv; charset=utf-8",
                    bytes: Arc::new(problems_csv(&result.report.problems)),
                }],
                kept: result.report.dry_run.then_some(spooled),
                clean: result.report.is_clean(),
                result: JobResult::RegistryImport(Arc::new(result)),
            })
        },
    )
}

/// The file a finished dry run of `owner` kept, for the import that follows it; [`Kind::Gone`] when the
/// dry run expired (or never was).
pub fn kept_file(jobs: &Jobs, owner: i64, job: &str) -> Result<Arc<SpooledFile>, Error> {
    job.trim()
        .parse::<u64>()
        .ok()
        .and_then(|id| jobs.get(id, owner))
        .and_then(|job| job.outcome())
        .and_then(|o| o.ok())
        .and_then(|o| o.kept)
        .filter(|k| k.path().exists())
        .ok_or_else(gone)
}

/// The dry run's file is gone ([`Kind::Gone`]).
fn gone() -> Error {
    Error::new(
        Kind::Gone,
        "gone",
        "预检结果已过期或不存在，请重新上传文件",
        "The dry run is gone (expired or never there); upload the file again",
    )
}
