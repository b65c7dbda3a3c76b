//! Uploads that run as background jobs (`pages::jobs`), the same code path as their pages:
//!
//! - `POST /api/v1/screening/rounds` — 部门数据上传: multipart with `month` (YYYY-MM) and one file per
//!   department (`medical`, `education`, `disability`, `housing`, `disaster`; CSV or a spreadsheet), through
//!   `pages::screening::upload::start_round` (→ `store::screening::run_round`); department data clerks,
//!   township and county admins.
//! - `POST /api/v1/imports/registry` — 户籍台账导入: multipart with `file`, `dry_run` (default `true`:
//!   预检, nothing written) and `all_or_nothing` (全部或不导入), through
//!   `pages::imports::start_job` (→ `store::repo::registry_file::import`); township and county admins.
//! - `GET /api/v1/jobs/{id}` — progress and, once finished, the result as JSON (a
//!   [`ScreeningSummary`] or a registry import's result) and the result files; `GET /api/v1/jobs/{id}/files/{n}`
//!   downloads one (`rejected.csv`, the import's problem list). Only the user who started a job sees it:
//!   anyone else gets 404.
//!
//! The upload answers 202 with the job; poll its `href` until `finished`.

use axum::extract::{FromRequest, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;
use shouwang_app::imports::registry;
use shouwang_app::jobs::{Job, JobKind};
use shouwang_app::screening::upload::{self, ScreeningSummary};
use utoipa::ToSchema;

use super::{ApiJson, ApiPath, ApiUser};
use crate::AppState;
use crate::http::download::attachment;
use crate::http::error::{AppError, AppResult, ErrorBody};
use crate::http::multipart::{read_form, temp_dir};

/// Multipart extractor whose rejection is an [`AppError`] (400 when the body is not multipart).
pub struct ApiMultipart(pub Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        Ok(ApiMultipart(Multipart::from_request(req, state).await?))
    }
}

/// A file a finished job offers.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobFileDto {
    /// Index for `GET /api/v1/jobs/{id}/files/{n}`.
    pub index: usize,
    /// File name.
    pub name: String,
    /// Media type.
    pub content_type: &'static str,
    /// Download path.
    pub href: String,
}

/// The result of a finished job: a screening round's summary or an import's report.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(untagged)]
pub enum JobResultDoc {
    /// `kind` = `screening`.
    Screening(ScreeningSummary),
    /// `kind` = `registry_import`.
    Import(RegistryImportResultDoc),
}

/// A background job (后台任务) and, once finished, its result.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobDto {
    /// Job id.
    pub id: u64,
    /// `screening` (部门数据筛查) or `registry_import` (户籍台账导入).
    #[schema(value_type = String)]
    pub kind: JobKind,
    /// What it works on (the round, or the file and 预检/导入).
    pub subject: String,
    /// Start (UTC).
    pub started_at: DateTime<Utc>,
    /// Progress: units done of `total` (0: not known yet).
    pub done: u64,
    pub total: u64,
    /// Percent done (0 while unknown).
    pub percent: u64,
    /// The phase, in Chinese and English.
    pub phase_zh: String,
    pub phase_en: String,
    /// Finished (successfully or not).
    pub finished: bool,
    /// Once finished: whether everything was accepted (no rejected row or household).
    pub ok: Option<bool>,
    /// Why the job failed (nothing written).
    pub error: Option<ErrorBody>,
    /// The result of a job that finished without failing.
    #[schema(value_type = Option<JobResultDoc>)]
    pub result: Option<serde_json::Value>,
    /// Result files (e.g. `rejected.csv`, the problem list).
    pub files: Vec<JobFileDto>,
    /// This job's path (poll it).
    pub href: String,
}

fn dto(job: &Job) -> JobDto {
    let (done, total) = job.progress();
    let outcome = job.outcome();
    let href = format!("/api/v1/jobs/{}", job.id);
    let (phase_zh, phase_en) = job.phase();
    let (ok, error, result, files) = match &outcome {
        None => (None, None, None, Vec::new()),
        Some(Err(f)) => (
            Some(false),
            Some(ErrorBody {
                code: "job_failed".into(),
                message_zh: f.zh.clone(),
                message_en: f.en.clone(),
            }),
            None,
            Vec::new(),
        ),
        Some(Ok(o)) => (
            Some(o.clean),
            None,
            serde_json::to_value(&o.result).ok(),
            o.files
                .iter()
                .enumerate()
                .map(|(i, f)| JobFileDto {
                    index: i,
                    name: f.name.clone(),
                    content_type: f.content_type,
                    href: format!("{href}/files/{i}"),
                })
                .collect(),
        ),
    };
    JobDto {
        id: job.id,
        kind: job.kind,
        subject: job.subject.0.clone(),
        started_at: job.started_at,
        done,
        total,
        percent: (done.min(total) * 100).checked_div(total).unwrap_or(0),
        phase_zh,
        phase_en,
        finished: outcome.is_some(),
        ok,
        error,
        result,
        files,
        href,
    }
}

fn started(state: &AppState, user: &ApiUser, id: u64) -> AppResult<(StatusCode, ApiJson<JobDto>)> {
    let job = state
        .jobs
        .get(id, user.session.user_id)
        .ok_or_else(|| AppError::internal("a new job cannot be found"))?;
    Ok((StatusCode::ACCEPTED, ApiJson(dto(&job))))
}

/// 部门数据上传: runs the month's department screening round as a job (the page's code path). Fields:
/// `month` (YYYY-MM, not after this month) and at least one of the files `medical` (医疗费用结算),
/// `education` (学生在校状态), `disability` (残疾人证), `housing` (住房安全鉴定), `disaster` (灾害损失),
/// each CSV, XLSX, XLS or ODS; at most 200 MiB in all. Running a month again records nothing new.
#[utoipa::path(post, path = "/api/v1/screening/rounds", tag = "jobs",
    request_body(content_type = "multipart/form-data",
        description = "`month` and the department files `medical`, `education`, `disability`, `housing`, `disaster`"),
    responses((status = 202, body = JobDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn screening_round(
    State(state): State<AppState>,
    user: ApiUser,
    ApiMultipart(multipart): ApiMultipart,
) -> AppResult<(StatusCode, ApiJson<JobDto>)> {
    upload::check_role(user.caller.scope.role)?;
    let dir = temp_dir(&state.spool)?;
    let form = read_form(multipart, dir.path(), upload::MAX_UPLOAD).await?;
    let id = upload::start_round(
        &state.jobs,
        &state.db,
        &user.caller,
        form.text("month"),
        &form.files,
        dir,
    )?;
    started(&state, &user, id)
}

pub(super) fn flag(
    form: &crate::http::multipart::UploadForm,
    name: &str,
    default: bool,
) -> AppResult<bool> {
    match form.text(name).to_ascii_lowercase().as_str() {
        "" => Ok(default),
        "1" | "true" | "on" | "yes" => Ok(true),
        "0" | "false" | "off" | "no" => Ok(false),
        other => Err(AppError::invalid(
            format!(
                "{name} 应为 true 或 false，收到 {}",
                crate::http::form::clean(other, 20)
            ),
            format!("{name} must be true or false"),
        )),
    }
}

/// 户籍台账导入: checks (`dry_run`, the default) or imports a registry file as a job — the CLI's
/// `shouwang import registry`. Fields: `file` (XLSX, XLS, ODS or CSV in UTF-8 or GBK; at most 100 MiB),
/// `dry_run` (`true`/`false`, default `true`: nothing written), `all_or_nothing` (`true`: nothing
/// written if any household is rejected). A township admin imports its own townships' households
/// only. The job's result lists every problem with its sheet, row, column, value and reason.
#[utoipa::path(post, path = "/api/v1/imports/registry", tag = "jobs",
    request_body(content_type = "multipart/form-data",
        description = "`file`, `dry_run` (default true), `all_or_nothing` (default false)"),
    responses((status = 202, body = JobDto), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn registry_import(
    State(state): State<AppState>,
    user: ApiUser,
    ApiMultipart(multipart): ApiMultipart,
) -> AppResult<(StatusCode, ApiJson<JobDto>)> {
    registry::check_role(user.caller.scope.role)?;
    let dir = temp_dir(&state.spool)?;
    let form = read_form(multipart, dir.path(), registry::MAX_FILE).await?;
    let dry_run = flag(&form, "dry_run", true)?;
    let all_or_nothing = flag(&form, "all_or_nothing", false)?;
    let file = form.spool_file("file", &state.spool)?;
    drop(dir);
    let id = registry::start(
        &state.jobs,
        &state.db,
        &user.caller,
        file,
        dry_run,
        all_or_nothing,
    )?;
    started(&state, &user, id)
}

fn find(state: &AppState, user: &ApiUser, id: &str) -> AppResult<std::sync::Arc<Job>> {
    id.trim()
        .parse::<u64>()
        .ok()
        .and_then(|id| state.jobs.get(id, user.session.user_id))
        .ok_or_else(AppError::not_found)
}

/// A job of the caller: progress, and once finished the result (404 for anyone else's job).
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "jobs",
    params(("id" = u64, Path, description = "job id")),
    responses((status = 200, body = JobDto), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn job(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<ApiJson<JobDto>> {
    let job = find(&state, &user, &id)?;
    Ok(ApiJson(dto(&job)))
}

/// A result file of a finished job of the caller.
#[utoipa::path(get, path = "/api/v1/jobs/{id}/files/{n}", tag = "jobs",
    params(("id" = u64, Path, description = "job id"), ("n" = usize, Path, description = "file index")),
    responses((status = 200, description = "the file (CSV, UTF-8 with BOM)", content_type = "text/csv"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("cookie" = [])))]
pub async fn job_file(
    State(state): State<AppState>,
    user: ApiUser,
    ApiPath((id, n)): ApiPath<(String, String)>,
) -> AppResult<Response> {
    let f = state
        .jobs
        .file(&id, user.session.user_id, &n)
        .ok_or_else(AppError::not_found)?;
    Ok(attachment(
        &f.name,
        None,
        f.content_type,
        f.bytes.as_ref().clone(),
    ))
}

/// The result of a registry import job (户籍台账导入结果) as the API sends it: a description only (the
/// result type has no OpenAPI derive of its own); `tests/api_ops.rs` checks its fields.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RegistryImportResultDoc {
    /// The uploaded file's name.
    file: String,
    /// The format read (`xlsx`, `xls`, `ods`, `csv (UTF-8)`, `csv (GBK)` …).
    format: String,
    /// Sheets read, joined by 、.
    sheets: String,
    /// What happened, in Chinese (已导入, 预检完成（未写入任何数据）, 无变化, 未导入 …).
    verdict_zh: String,
    /// What happened, in English.
    verdict_en: String,
    /// Counts and every problem (sheet, row, column, value, reason).
    report: ImportReportDoc,
    /// The income review (收支测算比对) of the years the import wrote, or why it did not run.
    review: Box<registry::ImportReview>,
}

/// The import report as the API sends it (description only).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ImportReportDoc {
    /// Counts of the file.
    read: shouwang_core::registry::ReadStats,
    /// Households accepted by the file checks.
    households_in_file: u64,
    households_created: u64,
    households_updated: u64,
    households_unchanged: u64,
    members_added: u64,
    members_updated: u64,
    members_removed: u64,
    regions_created: u64,
    /// Households rejected (by the file checks or by the database checks).
    rejected_households: u64,
    /// 收支情况 rows accepted by the file checks.
    incomes_in_file: u64,
    /// Income records created, replaced (a changed year) and left unchanged.
    incomes_created: u64,
    incomes_updated: u64,
    incomes_unchanged: u64,
    /// 收支情况 rows rejected (by the file checks or by the database checks).
    rejected_income_rows: u64,
    /// The 年度 of the income records created or replaced (the years the income review looks at again).
    income_years: Vec<i32>,
    written_early: u64,
    undone_early: u64,
    /// Every problem, by sheet and row.
    problems: Vec<shouwang_core::registry::Problem>,
    /// Whether the changes were committed.
    committed: bool,
    /// A dry run.
    dry_run: bool,
}
