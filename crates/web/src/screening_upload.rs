//! 部门数据上传 (`/screening/upload`): the department-data channel of clue intake (A1 channel 3,
//! 部门筛查预警, §三(一)1 "部门筛查预警"). A department data clerk (部门数据员), a township or the
//! county admin uploads the month's department files (医疗 medical, 教育 education, 残疾 disability,
//! 住房 housing, 灾害 disaster; CSV or a spreadsheet, one field per department); the round runs as a
//! background job ([`crate::jobs`]) through [`shouwang_app::screening::department::run_round`] — the code path of
//! `shouwang screen --month` — and the job page shows the summary: rows read and rejected per file
//! (rejected rows downloadable as `rejected.csv`), unmatched ID numbers, households flagged by risk
//! type, clues recorded and already present, with links to the households. Running the same month
//! again records nothing new.

use std::sync::Arc;
use std::time::Instant;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;
use shouwang_app::Caller;
use shouwang_app::lifecycle::Filed;
use shouwang_app::screening::department::{self as screening, HitResult, RoundRun};
use shouwang_core::monitoring::{Channel, YearMonth};
use shouwang_screen::{Codes, FileKind, Outcome};

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::error::AppError;
use crate::i18n::{I18n, Lang};
use crate::jobs::{JobFailure, JobFile, JobKind, JobOutput};
use crate::page::{render, render_status, see_other};
use crate::uploads::{UploadError, UploadForm, mb, read_form};

/// Most bytes of one upload (all files together).
pub const MAX_UPLOAD: u64 = 200 * 1024 * 1024;
/// Rejected rows listed on the result page (all of them are in `rejected.csv`).
const SHOWN_REJECTED: usize = 100;
/// Households listed with links on the result page.
const SHOWN_HOUSEHOLDS: usize = 200;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/screening/upload",
        get(form)
            .post(upload)
            .layer(DefaultBodyLimit::max(MAX_UPLOAD as usize + 1024 * 1024)),
    )
}

/// May upload department data: the roles of channel 部门筛查 (部门数据员, 乡镇管理员, 县级管理员).
pub fn may_upload(user: &CurrentUser) -> bool {
    may_upload_role(user.scope.role)
}

/// Whether `role` may upload department data (see [`may_upload`]).
pub fn may_upload_role(role: shouwang_core::Role) -> bool {
    Channel::DepartmentScreening.roles().contains(&role)
}

/// The five department files, in the spec's order, with the form field of each.
const DEPARTMENTS: [FileKind; 5] = [
    FileKind::Medical,
    FileKind::Education,
    FileKind::Disability,
    FileKind::Housing,
    FileKind::Disaster,
];

fn kind_label(kind: FileKind, lang: Lang) -> &'static str {
    match kind {
        FileKind::Medical => lang.pick("医疗费用结算（医保局）", "Medical settlements"),
        FileKind::Education => lang.pick("学生在校状态（教育局）", "School status"),
        FileKind::Disability => lang.pick("残疾人证（残联）", "Disability certificates"),
        FileKind::Housing => lang.pick("住房安全鉴定（住建局）", "Housing appraisals"),
        FileKind::Disaster => lang.pick("灾害损失（应急局）", "Disaster losses"),
        FileKind::Households => lang.pick("户信息", "Households"),
        FileKind::Members => lang.pick("家庭成员", "Members"),
    }
}

fn code_label(code: u8, lang: Lang) -> &'static str {
    match code {
        Codes::ILLNESS => lang.pick("因病（医疗自付超阈值）", "Illness (out-of-pocket cost)"),
        Codes::SCHOOL => lang.pick("因学（义务教育阶段辍学）", "Schooling (drop-out)"),
        Codes::DISABILITY => lang.pick("因残（新办一、二级残疾证）", "Disability (grade 1-2)"),
        Codes::HOUSING => lang.pick("住房安全（C/D 级危房）", "Housing (grade C/D)"),
        Codes::DISASTER => lang.pick("因灾（损失超阈值）", "Disaster (loss)"),
        Codes::LOW_INCOME => lang.pick("收入低于监测线", "Income below the line"),
        Codes::NEAR_LINE => lang.pick("收入临近监测线", "Income near the line"),
        _ => "?",
    }
}

pub struct DepartmentField {
    pub field: &'static str,
    pub label: &'static str,
    pub columns: String,
}

#[derive(Template)]
#[template(path = "screening_upload.html")]
struct UploadPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: &'static str,
    month: String,
    fields: Vec<DepartmentField>,
    max_mb: u64,
    error: Option<String>,
}

fn page<'a>(user: &'a CurrentUser, month: String, error: Option<String>) -> UploadPage<'a> {
    let lang = user.lang;
    UploadPage {
        i18n: user.i18n(),
        user,
        path: "/screening/upload",
        month,
        fields: DEPARTMENTS
            .iter()
            .map(|k| DepartmentField {
                field: k.base(),
                label: kind_label(*k, lang),
                columns: k
                    .columns()
                    .iter()
                    .filter(|c| c.required)
                    .map(|c| c.name)
                    .collect::<Vec<_>>()
                    .join("、"),
            })
            .collect(),
        max_mb: mb(MAX_UPLOAD),
        error,
    }
}

/// Last month (the usual round).
fn last_month() -> YearMonth {
    let today = shouwang_app::today();
    let this = YearMonth::of(today);
    YearMonth::new(
        if this.month() == 1 {
            this.year() - 1
        } else {
            this.year()
        },
        if this.month() == 1 {
            12
        } else {
            this.month() - 1
        },
    )
    .unwrap_or(this)
}

/// GET /screening/upload
pub async fn form(user: CurrentUser) -> Response {
    if !may_upload(&user) {
        return AppError::Forbidden.into_page(user.lang);
    }
    render(&page(&user, last_month().to_string(), None), user.lang)
}

fn refuse(user: &CurrentUser, month: &str, status: StatusCode, zh: &str, en: &str) -> Response {
    let msg = user.lang.pick(zh, en).to_owned();
    render_status(&page(user, month.to_owned(), Some(msg)), user.lang, status)
}

/// POST /screening/upload: checks the form, puts the files in place and starts the job; 303 to the
/// job page.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Response {
    let lang = user.lang;
    if !may_upload(&user) {
        return AppError::Forbidden.into_page(lang);
    }
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return AppError::Internal(format!("temp dir: {e}")).into_page(lang),
    };
    let form: UploadForm = match read_form(multipart, dir.path(), MAX_UPLOAD).await {
        Ok(f) => f,
        Err(e) => return refuse(&user, "", e.status, &e.zh, &e.en),
    };
    if let Err(e) = check_csrf(&user, form.text("csrf")) {
        return e.into_page(lang);
    }
    let month_text = form.text("month").to_owned();
    let caller = Caller {
        user_id: user.user_id,
        name: user.display_name.clone(),
        scope: user.scope.clone(),
    };
    match start_round(&state, caller, &form, dir, lang) {
        Ok(id) => see_other(&format!("/jobs/{id}")),
        Err(e) => refuse(&user, &month_text, e.status, &e.zh, &e.en),
    }
}

fn internal(what: &str, e: impl std::fmt::Display) -> UploadError {
    tracing::error!("screening upload: {what}: {e}");
    UploadError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        zh: "服务器无法保存上传的文件，请稍后重试".into(),
        en: "The server could not store the upload; try again later".into(),
    }
}

fn invalid(zh: String, en: String) -> UploadError {
    UploadError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        zh,
        en,
    }
}

/// Checks a read upload form (field `month` and one file per department, named by
/// [`FileKind::base`]: `medical`, `education`, `disability`, `housing`, `disaster`), puts the files in
/// place in `dir` and starts the screening round as a job of `caller`; the job id. Shared by the page
/// and `POST /api/v1/screening/rounds`. `dir` (holding the uploaded files) lives until the job ends.
/// Refusals: 422 for a bad month or file, 409 when the user already runs too many jobs.
pub fn start_round(
    state: &AppState,
    caller: Caller,
    form: &UploadForm,
    dir: tempfile::TempDir,
    lang: Lang,
) -> Result<u64, UploadError> {
    let month_text = form.text("month").to_owned();
    let Some(round) = YearMonth::parse(&month_text) else {
        return Err(invalid(
            "筛查批次应为 年-月，如 2022-06".into(),
            "The round must be a month like 2022-06".into(),
        ));
    };
    if round > YearMonth::of(shouwang_app::today()) {
        return Err(invalid(
            "筛查批次不能晚于本月".into(),
            "The round may not be after the current month".into(),
        ));
    }
    // Department folder: one file per department, missing ones as a header-only CSV.
    let departments = dir.path().join("departments");
    std::fs::create_dir(&departments).map_err(|e| internal("temp dir", e))?;
    let mut names: Vec<(FileKind, Option<String>)> = Vec::new();
    for kind in DEPARTMENTS {
        let mut files = form.files.iter().filter(|f| f.field == kind.base());
        let (Some(file), second) = (files.next(), files.next()) else {
            names.push((kind, None));
            continue;
        };
        if second.is_some() {
            return Err(invalid(
                format!("{}：只能上传一个文件", kind_label(kind, Lang::Zh)),
                format!("{}: upload one file only", kind_label(kind, Lang::En)),
            ));
        }
        if !matches!(file.ext.as_str(), "csv" | "xlsx" | "xls" | "ods") {
            return Err(invalid(
                format!(
                    "{}：{} 不是 CSV 或 Excel 文件（.csv、.xlsx、.xls、.ods）",
                    kind_label(kind, Lang::Zh),
                    file.name
                ),
                format!(
                    "{}: {} is not a CSV or Excel file (.csv, .xlsx, .xls, .ods)",
                    kind_label(kind, Lang::En),
                    file.name
                ),
            ));
        }
        let target = departments.join(format!("{}.{}", kind.base(), file.ext));
        std::fs::rename(&file.path, &target).map_err(|e| internal("move upload", e))?;
        names.push((kind, Some(file.name.clone())));
    }
    if names.iter().all(|(_, n)| n.is_none()) {
        return Err(invalid(
            "请至少选择一个部门数据文件（medical、education、disability、housing、disaster）".into(),
            "Choose at least one department file (medical, education, disability, housing, disaster)"
                .into(),
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

    let db = state.db.clone();
    let subject = round.label_zh();
    let user_id = caller.user_id;
    let started = state.jobs.spawn(
        user_id,
        JobKind::Screening,
        &subject,
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
            let run = screening::run_round(
                &db,
                &caller,
                &departments,
                round,
                shouwang_app::today(),
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
                &move |p: screening::RoundPhase| phase_job.phase(p.label_zh(), p.label_en()),
            )
            .await;
            ticker.abort();
            let keep = dir;
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
                Ok(run) => Ok(output(&run, round, &names, lang)),
                Err(e) => Err(JobFailure::new(
                    format!("{}；未登记任何线索", hide(e.message_zh())),
                    format!("{}; no clue was recorded", hide(e.to_string())),
                )),
            };
            drop(keep);
            out
        },
    );
    started.map_err(|e| UploadError {
        status: StatusCode::CONFLICT,
        zh: e.message_for(Lang::Zh),
        en: e.message_for(Lang::En),
    })
}

pub struct FileRow {
    pub label: &'static str,
    pub name: String,
    pub rows: u64,
    pub malformed: u64,
    pub unmatched: u64,
}

pub struct RejectedRow {
    pub file: String,
    pub line: u64,
    pub column: &'static str,
    pub value: String,
    pub reason: String,
}

pub struct HouseholdLink {
    pub number: String,
    pub department: String,
    pub risks: String,
    pub result: &'static str,
}

#[derive(Template)]
#[template(path = "screening_result.html")]
struct ResultFragment {
    i18n: I18n,
    round: String,
    registry_households: u64,
    registry_members: u64,
    without_income: u64,
    seconds: String,
    flagged: u64,
    files: Vec<FileRow>,
    by_code: Vec<(&'static str, u64)>,
    recorded: screening::RecordSummary,
    written: u64,
    rejected_total: usize,
    rejected: Vec<RejectedRow>,
    households: Vec<HouseholdLink>,
    households_total: usize,
}

fn result_label(r: HitResult, lang: Lang) -> &'static str {
    match r {
        HitResult::Filed(Filed::NewCase) => lang.pick("新建档案", "new case"),
        HitResult::Filed(Filed::NewClue) => lang.pick("新线索", "new clue"),
        HitResult::Filed(Filed::Merged) => lang.pick("已归并", "merged"),
        HitResult::AlreadyPresent => lang.pick("本批次已登记", "already recorded"),
        HitResult::NotInRegistry => lang.pick("未在登记信息中", "not in the registry"),
        HitResult::OutOfArea => lang.pick("超出本人范围", "outside your area"),
    }
}

fn uploaded_name(names: &[(FileKind, Option<String>)], kind: FileKind) -> Option<&str> {
    names
        .iter()
        .find(|(k, _)| *k == kind)
        .and_then(|(_, n)| n.as_deref())
}

/// The rejected rows as CSV (UTF-8 with BOM, opens in Excel): file, line, column, value, reason.
fn rejected_csv(outcome: &Outcome, names: &[(FileKind, Option<String>)]) -> Vec<u8> {
    let mut buf: Vec<u8> = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut buf);
        let _ = w.write_record(["文件", "行", "列", "值", "原因"]);
        for r in &outcome.rejected {
            let file = uploaded_name(names, r.kind).unwrap_or(&r.file);
            let _ = w.write_record([file, &r.line.to_string(), r.column, &r.value, &r.reason]);
        }
        let _ = w.flush();
    }
    buf
}

/// The job's result: the summary fragment and `rejected.csv`.
fn output(
    run: &RoundRun,
    round: YearMonth,
    names: &[(FileKind, Option<String>)],
    lang: Lang,
) -> JobOutput {
    let o = &run.outcome;
    let files = DEPARTMENTS
        .iter()
        .map(|k| {
            let f = o.files.iter().find(|f| f.kind == *k);
            FileRow {
                label: kind_label(*k, lang),
                name: uploaded_name(names, *k).map_or_else(
                    || lang.pick("（未上传）", "(not uploaded)").into(),
                    str::to_owned,
                ),
                rows: f.map_or(0, |f| f.rows),
                malformed: f.map_or(0, |f| f.skipped()),
                unmatched: f.and_then(|f| f.unmatched).unwrap_or(0),
            }
        })
        .collect();
    let by_code = Codes::NAMES
        .iter()
        .map(|(c, _)| {
            (
                code_label(*c, lang),
                o.flagged.iter().filter(|f| f.codes.has(*c)).count() as u64,
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let rejected = o
        .rejected
        .iter()
        .take(SHOWN_REJECTED)
        .map(|r| RejectedRow {
            file: uploaded_name(names, r.kind).unwrap_or(&r.file).to_owned(),
            line: r.line,
            column: r.column,
            value: r.value.clone(),
            reason: r.reason.clone(),
        })
        .collect();
    let filed: Vec<HouseholdLink> = run
        .hits
        .iter()
        .zip(&run.results)
        .filter(|(_, r)| matches!(r, HitResult::Filed(_)))
        .map(|(h, r)| HouseholdLink {
            number: h.household.clone(),
            department: h.department.clone(),
            risks: h
                .risks
                .iter()
                .map(|r| crate::i18n::I18n { lang }.label(r))
                .collect::<Vec<_>>()
                .join("、"),
            result: result_label(*r, lang),
        })
        .collect();
    let r = run.recorded;
    let fragment = ResultFragment {
        i18n: I18n { lang },
        round: lang.pick(&round.label_zh(), &round.to_string()).to_owned(),
        registry_households: run.export.households,
        registry_members: run.export.members,
        without_income: run.export.without_income,
        seconds: format!("{:.2}", run.elapsed.as_secs_f64()),
        flagged: o.flagged.len() as u64,
        files,
        by_code,
        recorded: r,
        written: r.new_cases + r.new_clues + r.merged,
        rejected_total: o.rejected.len(),
        rejected,
        households_total: filed.len(),
        households: filed.into_iter().take(SHOWN_HOUSEHOLDS).collect(),
    };
    let html = fragment.render().unwrap_or_else(|e| {
        tracing::error!("screening result: {e}");
        String::new()
    });
    let json = serde_json::to_value(summary(run, round, names)).ok();
    JobOutput {
        html,
        json,
        files: vec![JobFile {
            name: "rejected.csv".into(),
            content_type: "text/csv; charset=utf-8",
            bytes: Arc::new(rejected_csv(o, names)),
        }],
        payload: None,
        clean: o.rejected.is_empty(),
    }
}

/// One department file of a [`ScreeningSummary`].
#[derive(Debug, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScreeningCodeCount {
    /// `ILLNESS`, `SCHOOL`, `DISABILITY`, `HOUSING`, `DISASTER`, `LOW_INCOME`, `NEAR_LINE`.
    pub code: &'static str,
    pub label_zh: &'static str,
    pub label_en: &'static str,
    /// Households.
    pub households: u64,
}

/// A department finding and what became of it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScreeningHit {
    /// 户编号.
    pub household: String,
    /// 部门.
    pub department: String,
    /// 风险类型 codes.
    #[schema(value_type = Vec<String>)]
    pub risks: Vec<shouwang_core::codes::RiskType>,
    /// `new_case`, `new_clue`, `merged` (filed), `already_present`, `not_in_registry`, `out_of_area`.
    pub result: &'static str,
    /// The result in Chinese (新建档案, 新线索, 已归并, 本批次已登记, 未在登记信息中, 超出本人范围).
    pub result_zh: &'static str,
}

/// The summary of a department screening round (部门数据筛查结果), the `result` of its job.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScreeningSummary {
    /// 筛查批次 (YYYY-MM).
    pub round: String,
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
    #[schema(value_type = Object)]
    pub recorded: screening::RecordSummary,
    /// Every rejected row.
    pub rejected: Vec<ScreeningRejected>,
    /// Every finding with its result.
    pub hits: Vec<ScreeningHit>,
}

fn summary(
    run: &RoundRun,
    round: YearMonth,
    names: &[(FileKind, Option<String>)],
) -> ScreeningSummary {
    let o = &run.outcome;
    ScreeningSummary {
        round: round.to_string(),
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
                    label_zh: kind_label(*k, Lang::Zh),
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
                label_zh: code_label(*c, Lang::Zh),
                label_en: code_label(*c, Lang::En),
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
                result_zh: result_label(*r, Lang::Zh),
            })
            .collect(),
    }
}

fn hit_code(r: HitResult) -> &'static str {
    match r {
        HitResult::Filed(Filed::NewCase) => "new_case",
        HitResult::Filed(Filed::NewClue) => "new_clue",
        HitResult::Filed(Filed::Merged) => "merged",
        HitResult::AlreadyPresent => "already_present",
        HitResult::NotInRegistry => "not_in_registry",
        HitResult::OutOfArea => "out_of_area",
    }
}
