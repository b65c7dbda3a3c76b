//! 部门数据上传: a department-screening round from uploaded files (A1 channel 3, 部门筛查预警), one code
//! path for the page `/screening/upload` and `POST /api/v1/screening/rounds`: [`start_round`] checks the
//! month and the files, puts them in place and runs [`super::department::run_round`] as a background job
//! ([`crate::jobs`]); the job's result is the round's [`ScreeningSummary`] and `rejected.csv`. Running the
//! same month again records nothing new.

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use shouwang_core::Role;
use shouwang_core::monitoring::{Channel, YearMonth};
use shouwang_screen::{Codes, FileKind, Outcome};
use shouwang_store::Db;

use super::department::{self, HitResult, RecordSummary, RoundPhase, RoundRun};
use crate::caller::{Caller, today};
use crate::error::Error;
use crate::jobs::{JobFailure, JobFile, JobKind, JobOutput, JobResult, Jobs};
use crate::lifecycle::Filed;
use crate::uploads::StoredUpload;

/// Most bytes of one upload (all files together).
pub const MAX_UPLOAD: u64 = 200 * 1024 * 1024;

/// The five department files, in the contract's order; each is uploaded in the form field
/// [`FileKind::base`] (`medical`, `education`, `disability`, `housing`, `disaster`).
pub const DEPARTMENTS: [FileKind; 5] = [
    FileKind::Medical,
    FileKind::Education,
    FileKind::Disability,
    FileKind::Housing,
    FileKind::Disaster,
];

/// Whether `role` may upload department data: the roles of channel 部门筛查 (部门数据员, 乡镇管理员,
/// 县级管理员).
pub fn may_upload(role: Role) -> bool {
    Channel::DepartmentScreening.roles().contains(&role)
}

/// [`may_upload`], or the refusal ([`Kind::Forbidden`](crate::error::Kind)) to answer before an upload is
/// read.
pub fn check_role(role: Role) -> Result<(), Error> {
    if may_upload(role) {
        Ok(())
    } else {
        Err(Error::role_not_allowed(
            "只有部门数据员、乡镇管理员和县级管理员可以上传部门数据",
            "Only department data clerks, township and county admins may upload department data",
        ))
    }
}

/// A department file's name (中文, English).
pub fn department_label(kind: FileKind) -> (&'static str, &'static str) {
    match kind {
        FileKind::Medical => ("医疗费用结算（医保局）", "Medical settlements"),
        FileKind::Education => ("学生在校状态（教育局）", "School status"),
        FileKind::Disability => ("残疾人证（残联）", "Disability certificates"),
        FileKind::Housing => ("住房安全鉴定（住建局）", "Housing appraisals"),
        FileKind::Disaster => ("灾害损失（应急局）", "Disaster losses"),
        FileKind::Households => ("户信息", "Households"),
        FileKind::Members => ("家庭成员", "Members"),
    }
}

/// A screening code's meaning (中文, English).
pub fn code_label(code: u8) -> (&'static str, &'static str) {
    match code {
        Codes::ILLNESS => ("因病（医疗自付超阈值）", "Illness (out-of-pocket cost)"),
        Codes::SCHOOL => ("因学（义务教育阶段辍学）", "Schooling (drop-out)"),
        Codes::DISABILITY => ("因残（新办一、二级残疾证）", "Disability (grade 1-2)"),
        Codes::HOUSING => ("住房安全（C/D 级危房）", "Housing (grade C/D)"),
        Codes::DISASTER => ("因灾（损失超阈值）", "Disaster (loss)"),
        Codes::LOW_INCOME => ("收入低于监测线", "Income below the line"),
        Codes::NEAR_LINE => ("收入临近监测线", "Income near the line"),
        _ => ("?", "?"),
    }
}

/// What became of a finding (中文, English).
pub fn result_label(r: HitResult) -> (&'static str, &'static str) {
    match r {
        HitResult::Filed(Filed::NewCase) => ("新建档案", "new case"),
        HitResult::Filed(Filed::NewClue) => ("新线索", "new clue"),
        HitResult::Filed(Filed::Merged) => ("已归并", "merged"),
        HitResult::AlreadyPresent => ("本批次已登记", "already recorded"),
        HitResult::NotInRegistry => ("未在登记信息中", "not in the registry"),
        HitResult::OutOfArea => ("超出本人范围", "outside your area"),
    }
}

/// Last month (the usual round).
pub fn last_month() -> YearMonth {
    let this = YearMonth::of(today());
    let prev = this.first_day().pred_opt().unwrap_or(this.first_day());
    YearMonth::of(prev)
}

fn internal(what: &str, e: impl std::fmt::Display) -> Error {
    tracing::error!("screening upload: {what}: {e}");
    Error::new(
        crate::error::Kind::Internal,
        "internal",
        "服务器无法保存上传的文件，请稍后重试",
        "The server could not store the upload; try again later",
    )
}

/// The uploaded files as named by the user, per department (`None`: not uploaded).
type Names = Vec<(FileKind, Option<String>)>;

/// Checks the round `month` (YYYY-MM, not after this month) and the uploaded `files` (one per
/// department at most, CSV or a spreadsheet, at least one), puts them in place in `dir` and starts the
/// round as a job of `caller`; the job id. `dir` (holding the uploads) lives until the job ends.
/// Refusals: [`Kind::Forbidden`](crate::error::Kind) for a role that may not upload,
/// [`Kind::Invalid`](crate::error::Kind) for a bad month or file, [`Kind::Conflict`](crate::error::Kind)
/// when the user already runs too many jobs.
pub fn start_round(
    jobs: &Jobs,
    db: &Db,
    caller: &Caller,
    month: &str,
    files: &[StoredUpload],
    dir: tempfile::TempDir,
) -> Result<u64, Error> {
    check_role(caller.scope.role)?;
    let Some(round) = YearMonth::parse(month.trim()) else {
        return Err(Error::invalid(
            "筛查批次应为 年-月，如 2022-06",
            "The round must be a month like 2022-06",
        ));
    };
    if round > YearMonth::of(today()) {
        return Err(Error::invalid(
            "筛查批次不能晚于本月",
            "The round may not be after the current month",
        ));
    }
    // Department folder: one file per department, missing ones as a header-only CSV.
    let departments = dir.path().join("departments");
    std::fs::create_dir(&departments).map_err(|e| internal("temp dir", e))?;
    let mut names: Names = Vec::new();
    for kind in DEPARTMENTS {
        let (zh, en) = department_label(kind);
        let mut of_kind = files.iter().filter(|f| f.field == kind.base());
        let (Some(file), second) = (of_kind.next(), of_kind.next()) else {
            names.push((kind, None));
            continue;
        };
        if second.is_some() {
            return Err(Error::invalid(
                format!("{zh}：只能上传一个文件"),
                format!("{en}: upload one file only"),
            ));
        }
        if !matches!(file.ext.as_str(), "csv" | "xlsx" | "xls" | "ods") {
            return Err(Error::invalid(
                format!(
                    "{zh}：{} 不是 CSV 或 Excel 文件（.csv、.xlsx、.xls、.ods）",
                    file.name
                ),
                format!(
                    "{en}: {} is not a CSV or Excel file (.csv, .xlsx, .xls, .ods)",
                    file.name
                ),
            ));
        }
        let target = departments.join(format!("{}.{}", kind.base(), file.ext));
        std::fs::rename(&file.path, &target).map_err(|e| internal("move upload", e))?;
        names.push((kind, Some(file.name.clone())));
    }
    if names.iter().all(|(_, n)| n.is_none()) {
        return Err(Error::invalid(
            "请至少选择一个部门数据文件（medical、education、disability、housing、disaster）",
            "Choose at least one department file (medical, education, disability, housing, disaster)",
        ));
    }
    for (kind, name) in &names {
        if name.is_none() {
            let header: Vec<&str> = kind.columns().iter().map(|c| c.name).collect();
            let path = departments.join(kind.csv_name());
            std::fs::write(&path, format!("{}\n", header.join(",")))
                .map_err(|e| internal("write header", e))?;
        }
    }

    let db = db.clone();
    let caller = caller.clone();
    let subject = (round.label_zh(), round.to_string());
    jobs.spawn(
        caller.user_id,
        JobKind::Screening,
        subject,
        move |job| async move {
            let progress = Arc::new(shouwang_screen::Progress::default());
            let ticker = {
                let progress = progress.clone();
                let job = job.clone();
                tokio::spawn(async move {
                    use std::sync::atomic::Ordering::Relaxed;
                    loop {
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                        let total = progress.bytes_total.load(Relaxed);
                        if total > 0 {
                            job.progress(progress.bytes_done.load(Relaxed), total);
                        }
                    }
                })
            };
            let phase_job = job.clone();
            let run = department::run_round(
                &db,
                &caller,
                &departments,
                round,
                today(),
                0,
                Box::new(
                    move |registry: &std::path::Path,
                          files: &std::path::Path,
                          params: &shouwang_screen::Params| {
                        let t = Instant::now();
                        shouwang_screen::run_dirs(registry, files, params, &progress)
                            .map(|o| (o, t.elapsed()))
                    },
                ),
                &move |p: RoundPhase| phase_job.phase(p.label_zh(), p.label_en()),
            )
            .await;
            ticker.abort();
            let keep = dir;
            // Messages name the user's files, not the temporary folder.
            let hide = |s: String| {
                names.iter().fold(
                    s.replace(&format!("{}/", departments.display()), "")
                        .replace(&departments.display().to_string(), ""),
                    |s, (kind, name)| match name {
                        Some(n) => s.replace(
                            &format!(
                                "{}.{}",
                                kind.base(),
                                n.rsplit_once('.').map_or("", |(_, e)| e).to_lowercase()
                            ),
                            n,
                        ),
                        None => s,
                    },
                )
            };
            let out = match run {
                Ok(run) => Ok(JobOutput {
                    files: vec![JobFile {
                        name: "rejected.csv".into(),
                        content_type: "text/csv; charset=utf-8",
                        bytes: Arc::new(rejected_csv(&run.outcome, &names)),
                    }],
                    kept: None,
                    clean: run.outcome.rejected.is_empty(),
                    result: JobResult::Screening(Arc::new(summary(&run, round, &names))),
                }),
                Err(e) => Err(JobFailure::new(
                    format!("{}；未登记任何线索", hide(e.message_zh())),
                    format!("{}; no clue was recorded", hide(e.to_string())),
                )),
            };
            drop(keep);
            out
        },
    )
}

fn uploaded_name(names: &[(FileKind, Option<String>)], kind: FileKind) -> Option<&str> {
    names
        .iter()
        .find(|(k, _)| *k == kind)
        .and_then(|(_, n)| n.as_deref())
}

/// The rejected rows as CSV (UTF-8 with BOM, opens in Excel): file, line, column, value, reason.
fn rejected_csv(outcome: &Outcome, names: &[(FileKind, Option<String>)]) -> Vec<u8> {
    use std::borrow::Cow;
    crate::csv_out::excel_csv(
        &["文件", "行", "列", "值", "原因"],
        outcome.rejected.iter().map(|r| {
            vec![
                Cow::from(uploaded_name(names, r.kind).unwrap_or(&r.file)),
                Cow::from(r.line.to_string()),
                Cow::from(r.column),
                Cow::from(r.value.as_str()),
                Cow::from(r.reason.as_str()),
            ]
        }),
    )
}

/// One department file of a [`ScreeningSummary`].
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningFile {
    /// Form field and department: `medical`, `education`, `disability`, `housing`, `disaster`.
    pub department: &'static str,
    /// 部门 in Chinese.
    pub label_zh: &'static str,
    /// The uploaded file's name (absent: not uploaded).
    pub file: Option<String>,
    /// Data rows read.
    pub rows: u64,
    /// Rows rejected as malformed.
    pub malformed: u64,
    /// Rows whose ID number matches no member in the area.
    pub unmatched: u64,
}

/// A rejected department row (all of them, as in `rejected.csv`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningRejected {
    /// The uploaded file's name.
    pub file: String,
    /// 1-based line (CSV) or row (spreadsheet).
    pub line: u64,
    /// Column.
    pub column: &'static str,
    /// The value as read.
    pub value: String,
    /// Why (Chinese).
    pub reason: String,
}

/// Households flagged for one screening code.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningCodeCount {
    /// `ILLNESS`, `SCHOOL`, `DISABILITY`, `HOUSING`, `DISASTER`, `LOW_INCOME`, `NEAR_LINE`.
    pub code: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    /// Households.
    pub households: u64,
}

/// A department finding and what became of it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningHit {
    /// 户编号.
    pub household: String,
    /// 部门.
    pub department: String,
    /// 风险类型 codes.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub risks: Vec<shouwang_core::codes::RiskType>,
    /// `new_case`, `new_clue`, `merged` (filed), `already_present`, `not_in_registry`, `out_of_area`.
    pub result: &'static str,
    /// The result in Chinese (新建档案, 新线索, 已归并, 本批次已登记, 未在登记信息中, 超出本人范围).
    pub result_zh: &'static str,
    /// The result in English.
    pub result_en: &'static str,
}

/// The summary of a department screening round (部门数据筛查结果), the `result` of its job.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningSummary {
    /// 筛查批次 (YYYY-MM).
    pub round: String,
    /// The year of the monitoring line used (the round's year, or the latest before it while unset).
    pub line_year: i32,
    /// Households and members of the area screened against.
    pub registry_households: u64,
    pub registry_members: u64,
    /// Households without an income record.
    pub without_income: u64,
    /// Seconds the engine took.
    pub seconds: f64,
    /// Households flagged.
    pub flagged: u64,
    /// The five department files.
    pub files: Vec<ScreeningFile>,
    /// Flagged households by code.
    pub by_code: Vec<ScreeningCodeCount>,
    /// Clues recorded: `households`, `reports`, `new_cases`, `new_clues`, `merged`, `already_present`,
    /// `not_in_registry`, `out_of_area`.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub recorded: RecordSummary,
    /// Every rejected row.
    pub rejected: Vec<ScreeningRejected>,
    /// Every finding with its result.
    pub hits: Vec<ScreeningHit>,
}

/// The summary of a round whose files were uploaded as `names`.
pub fn summary(
    run: &RoundRun,
    round: YearMonth,
    names: &[(FileKind, Option<String>)],
) -> ScreeningSummary {
    let o = &run.outcome;
    ScreeningSummary {
        round: round.to_string(),
        line_year: run.line_year,
        registry_households: run.export.households,
        registry_members: run.export.members,
        without_income: run.export.without_income,
        seconds: run.elapsed.as_secs_f64(),
        flagged: o.flagged.len() as u64,
        files: DEPARTMENTS
            .iter()
            .map(|k| {
                let f = o.files.iter().find(|f| f.kind == *k);
                ScreeningFile {
                    department: k.base(),
                    label_zh: department_label(*k).0,
                    file: uploaded_name(names, *k).map(str::to_owned),
                    rows: f.map_or(0, |f| f.rows),
                    malformed: f.map_or(0, |f| f.skipped()),
                    unmatched: f.and_then(|f| f.unmatched).unwrap_or(0),
                }
            })
            .collect(),
        by_code: Codes::NAMES
            .iter()
            .map(|(c, name)| ScreeningCodeCount {
                code: name,
                label_zh: code_label(*c).0,
                label_en: code_label(*c).1,
                households: o.flagged.iter().filter(|f| f.codes.has(*c)).count() as u64,
            })
            .collect(),
        recorded: run.recorded,
        rejected: o
            .rejected
            .iter()
            .map(|r| ScreeningRejected {
                file: uploaded_name(names, r.kind).unwrap_or(&r.file).to_owned(),
                line: r.line,
                column: r.column,
                value: r.value.clone(),
                reason: r.reason.clone(),
            })
            .collect(),
        hits: run
            .hits
            .iter()
            .zip(&run.results)
            .map(|(h, r)| ScreeningHit {
                household: h.household.clone(),
                department: h.department.clone(),
                risks: h.risks.clone(),
                result: hit_code(*r),
                result_zh: result_label(*r).0,
                result_en: result_label(*r).1,
            })
            .collect(),
    }
}

/// The stable code of a finding's result.
pub fn hit_code(r: HitResult) -> &'static str {
    match r {
        HitResult::Filed(Filed::NewCase) => "new_case",
        HitResult::Filed(Filed::NewClue) => "new_clue",
        HitResult::Filed(Filed::Merged) => "merged",
        HitResult::AlreadyPresent => "already_present",
        HitResult::NotInRegistry => "not_in_registry",
        HitResult::OutOfArea => "out_of_area",
    }
}
