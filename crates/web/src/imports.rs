//! 户籍台账导入 (`/imports/registry`): the registry import of `shouwang import registry` as an upload
//! page, for the county and township admins (a township admin imports only its own townships'
//! households: the store checks the scope).
//!
//! 1. The user uploads an XLSX, XLS, ODS or CSV file (UTF-8 or GBK); a file that is not a spreadsheet
//!    is refused at once. A dry run (预检) runs as a background job ([`crate::jobs`]): the file is read
//!    on a blocking thread (`shouwang_io::registry::read_assembled`) and checked against the database
//!    (`repo::registry_file::import` with `dry_run`), and the job page lists every rejected row with its
//!    sheet, row, column, value and reason, and the counts. The report is downloadable as CSV.
//! 2. From the dry run's page the user imports (导入) the same file — kept in memory by the dry-run job,
//!    not uploaded again — optionally with 全部或不导入 (all-or-nothing: nothing is written if any
//!    household is rejected). The import runs as a job through the same store entry point as the CLI,
//!    which writes the audit rows (naming the user and the file) in the same transaction.

use std::sync::Arc;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use shouwang_core::access::Role;
use shouwang_core::registry::Problem;
use shouwang_store::repo::registry_file::{self, ImportOptions, ImportReport};

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::error::AppError;
use crate::i18n::{I18n, Lang};
use crate::jobs::{JobFailure, JobFile, JobHandle, JobKind, JobOutput};
use crate::page::{render, render_status, see_other};
use crate::uploads::{UploadError, UploadForm, mb, read_form};

/// Most bytes of an uploaded registry file.
pub const MAX_FILE: u64 = 100 * 1024 * 1024;
/// Problems listed on the page (all of them are in the CSV report).
const SHOWN_PROBLEMS: usize = 2000;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/imports/registry",
            get(form)
                .post(dry_run)
                .layer(DefaultBodyLimit::max(MAX_FILE as usize + 1024 * 1024)),
        )
        .route("/imports/registry/commit", post(commit))
}

/// May import the registry: county and township admins.
pub fn may_import(user: &CurrentUser) -> bool {
    may_import_role(user.scope.role)
}

/// Whether `role` may import the registry (see [`may_import`]).
pub fn may_import_role(role: Role) -> bool {
    matches!(role, Role::CountyAdmin | Role::TownshipAdmin)
}

#[derive(Template)]
#[template(path = "import_registry.html")]
struct ImportPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: &'static str,
    max_mb: u64,
    error: Option<String>,
}

/// GET /imports/registry
pub async fn form(user: CurrentUser) -> Response {
    if !may_import(&user) {
        return AppError::Forbidden.into_page(user.lang);
    }
    render(
        &ImportPage {
            i18n: user.i18n(),
            user: &user,
            path: "/imports/registry",
            max_mb: mb(MAX_FILE),
            error: None,
        },
        user.lang,
    )
}

fn refuse(user: &CurrentUser, status: StatusCode, zh: &str, en: &str) -> Response {
    render_status(
        &ImportPage {
            i18n: user.i18n(),
            user,
            path: "/imports/registry",
            max_mb: mb(MAX_FILE),
            error: Some(user.lang.pick(zh, en).to_owned()),
        },
        user.lang,
        status,
    )
}

/// The uploaded file a dry-run job keeps for the import.
pub struct KeptFile {
    name: String,
    bytes: Arc<Vec<u8>>,
}

fn unusable(zh: String, en: String) -> UploadError {
    UploadError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        zh,
        en,
    }
}

/// Checks an uploaded registry file (field `file` of the form): present, not empty, a spreadsheet
/// or CSV (not a binary of another kind). Shared by the page and `POST /api/v1/imports/registry`.
pub fn check_file(form: &UploadForm) -> Result<KeptFile, UploadError> {
    let Some(file) = form.files.iter().find(|f| f.field == "file") else {
        return Err(unusable(
            "请选择要导入的台账文件（字段 file）".into(),
            "Choose the file to import (field `file`)".into(),
        ));
    };
    let bytes = std::fs::read(&file.path).map_err(|e| {
        tracing::error!("read upload: {e}");
        UploadError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            zh: "服务器无法读取上传的文件，请稍后重试".into(),
            en: "The server could not read the upload; try again later".into(),
        }
    })?;
    if bytes.is_empty() {
        return Err(unusable("文件是空的".into(), "The file is empty".into()));
    }
    if shouwang_io::registry::sniff(&bytes) == shouwang_io::registry::Format::Binary {
        return Err(unusable(
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
    Ok(KeptFile {
        name: file.name.clone(),
        bytes: Arc::new(bytes),
    })
}

/// POST /imports/registry: reads the upload and starts the dry run; 303 to the job page.
pub async fn dry_run(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Response {
    let lang = user.lang;
    if !may_import(&user) {
        return AppError::Forbidden.into_page(lang);
    }
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return AppError::Internal(format!("temp dir: {e}")).into_page(lang),
    };
    let form = match read_form(multipart, dir.path(), MAX_FILE).await {
        Ok(f) => f,
        Err(e) => return refuse(&user, e.status, &e.zh, &e.en),
    };
    if let Err(e) = check_csrf(&user, form.text("csrf")) {
        return e.into_page(lang);
    }
    let kept = match check_file(&form) {
        Ok(k) => k,
        Err(e) => return refuse(&user, e.status, &e.zh, &e.en),
    };
    drop(dir);
    start(&state, &user, kept, true, false)
}

#[derive(Deserialize)]
pub struct CommitForm {
    pub csrf: String,
    /// The dry-run job whose file is imported.
    pub job: String,
    /// 全部或不导入.
    pub all_or_nothing: Option<String>,
}

/// POST /imports/registry/commit: imports the file of a finished dry run of the same user.
pub async fn commit(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<CommitForm>,
) -> Response {
    let lang = user.lang;
    if !may_import(&user) {
        return AppError::Forbidden.into_page(lang);
    }
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return e.into_page(lang);
    }
    let kept = f
        .job
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|id| state.jobs.get(id, user.user_id))
        .and_then(|job| job.outcome())
        .and_then(|o| o.ok())
        .and_then(|o| o.payload)
        .and_then(|p| p.downcast::<KeptFile>().ok());
    let Some(kept) = kept else {
        return refuse(
            &user,
            StatusCode::GONE,
            "预检结果已过期或不存在，请重新上传文件",
            "The dry run is gone (expired or never there); upload the file again",
        );
    };
    let kept = KeptFile {
        name: kept.name.clone(),
        bytes: kept.bytes.clone(),
    };
    start(&state, &user, kept, false, f.all_or_nothing.is_some())
}

/// Starts a dry-run or import job of `kept`; 303 to the job page.
fn start(
    state: &AppState,
    user: &CurrentUser,
    kept: KeptFile,
    dry_run: bool,
    all_or_nothing: bool,
) -> Response {
    let who = Importer {
        user_id: user.user_id,
        actor: user.actor(),
        scope: user.scope.clone(),
        csrf: user.csrf.clone(),
        lang: user.lang,
    };
    match start_job(state, who, kept, dry_run, all_or_nothing) {
        Ok(id) => see_other(&format!("/jobs/{id}")),
        Err(e) => refuse(user, e.status, &e.zh, &e.en),
    }
}

/// Who starts an import job.
pub struct Importer {
    pub user_id: i64,
    pub actor: shouwang_store::Actor,
    pub scope: shouwang_core::Scope,
    /// The session's CSRF token (for the import form on the dry run's result page).
    pub csrf: String,
    pub lang: Lang,
}

/// Starts a dry-run or import job of `kept` (the same store entry point as `shouwang import
/// registry`); the job id, or 409 when the user already runs too many jobs. Shared by the page and
/// `POST /api/v1/imports/registry`.
pub fn start_job(
    state: &AppState,
    who: Importer,
    kept: KeptFile,
    dry_run: bool,
    all_or_nothing: bool,
) -> Result<u64, UploadError> {
    let Importer {
        user_id,
        actor,
        scope,
        csrf,
        lang,
    } = who;
    let db = state.db.clone();
    let subject = format!(
        "{} · {}",
        kept.name,
        if dry_run {
            lang.pick("预检", "dry run")
        } else {
            lang.pick("导入", "import")
        }
    );
    let started = state.jobs.spawn(
        user_id,
        JobKind::RegistryImport,
        &subject,
        move |job| async move {
            job.phase("读取文件", "reading the file");
            let read = {
                let job = job.clone();
                let name = kept.name.clone();
                let bytes = kept.bytes.clone();
                tokio::task::spawn_blocking(move || {
                    shouwang_io::registry::read_assembled(&name, &bytes, &|d, t| job.progress(d, t))
                })
                .await
                .map_err(|e| {
                    tracing::error!("registry read task: {e}");
                    JobFailure::new(
                        "读取文件时出错，未导入任何数据",
                        "reading the file failed; nothing was imported",
                    )
                })?
            };
            let (info, assembled) = match read {
                Ok(x) => x,
                Err(unusable) => {
                    let zh: Vec<String> = unusable.0.iter().map(|p| p.reason_zh.clone()).collect();
                    let en: Vec<String> = unusable.0.iter().map(|p| p.reason_en.clone()).collect();
                    return Err(JobFailure::new(
                        format!(
                            "文件 {} 无法导入：{}；未导入任何数据",
                            kept.name,
                            zh.join("；")
                        ),
                        format!(
                            "{} cannot be imported: {}; nothing was imported",
                            kept.name,
                            en.join("; ")
                        ),
                    ));
                }
            };
            if dry_run {
                job.phase("预检（不写入）", "dry run (nothing written)");
            } else {
                job.phase("写入数据库", "writing to the database");
            }
            let options = ImportOptions {
                dry_run,
                all_or_nothing,
                source: kept.name.clone(),
            };
            // The store's import takes a progress `&dyn Fn` (not `Sync`), so its future is not `Send`:
            // it runs to completion on a blocking thread of this runtime (the database pool stays on
            // the runtime that owns it).
            let progress_job: JobHandle = job.clone();
            let runtime = tokio::runtime::Handle::current();
            let report = tokio::task::spawn_blocking(move || {
                runtime.block_on(async move {
                    registry_file::import(
                        &db,
                        &actor,
                        Some(&scope),
                        assembled,
                        &options,
                        &|d, t| progress_job.progress(d, t),
                    )
                    .await
                })
            })
            .await
            .map_err(|e| {
                tracing::error!("registry import task: {e}");
                JobFailure::new(
                    "导入任务意外中止，未导入任何数据",
                    "the import task stopped unexpectedly; nothing was imported",
                )
            })?
            .map_err(|e| {
                JobFailure::new(
                    format!("{}；未导入任何数据", e.message_zh()),
                    format!("{e}; nothing was imported"),
                )
            })?;
            let sheets = info
                .sheets
                .iter()
                .map(|(s, _)| s.clone())
                .collect::<Vec<_>>()
                .join("、");
            Ok(output(
                &report,
                &kept,
                &info.format,
                &sheets,
                job.id(),
                &csrf,
                lang,
            ))
        },
    );
    started.map_err(|e| UploadError {
        status: StatusCode::CONFLICT,
        zh: e.message_for(Lang::Zh),
        en: e.message_for(Lang::En),
    })
}

#[derive(Template)]
#[template(path = "import_result.html")]
struct ResultFragment<'a> {
    i18n: I18n,
    r: &'a ImportReport,
    file: &'a str,
    format: &'a str,
    sheets: &'a str,
    verdict: &'static str,
    problems: &'a [Problem],
    problems_total: usize,
    /// The dry-run job (for the import form); `None` after an import.
    commit_job: Option<u64>,
    csrf: &'a str,
}

/// The report as CSV (UTF-8 with BOM): sheet, row, column, value, reason (zh, en) — the CLI's
/// `--report` columns.
fn report_csv(problems: &[Problem]) -> Vec<u8> {
    let mut buf: Vec<u8> = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut buf);
        let _ = w.write_record(["表", "行", "列", "值", "原因", "reason"]);
        for p in problems {
            let _ = w.write_record([
                p.sheet.as_str(),
                &p.row.to_string(),
                &p.column,
                &p.value,
                &p.reason_zh,
                &p.reason_en,
            ]);
        }
        let _ = w.flush();
    }
    buf
}

fn output(
    r: &ImportReport,
    kept: &KeptFile,
    format: &str,
    sheets: &str,
    job: u64,
    csrf: &str,
    lang: Lang,
) -> JobOutput {
    let (verdict_zh, verdict_en) = verdict(r);
    let verdict = lang.pick(verdict_zh, verdict_en);
    let fragment = ResultFragment {
        i18n: I18n { lang },
        r,
        file: &kept.name,
        format,
        sheets,
        verdict,
        problems: &r.problems[..r.problems.len().min(SHOWN_PROBLEMS)],
        problems_total: r.problems.len(),
        commit_job: r.dry_run.then_some(job),
        csrf,
    };
    let html = fragment.render().unwrap_or_else(|e| {
        tracing::error!("import result: {e}");
        String::new()
    });
    let stem = kept
        .name
        .rsplit_once('.')
        .map_or(kept.name.as_str(), |(s, _)| s);
    let json = serde_json::to_value(ImportResult {
        file: kept.name.clone(),
        format: format.to_owned(),
        sheets: sheets.to_owned(),
        verdict_zh: verdict_zh.to_owned(),
        verdict_en: verdict_en.to_owned(),
        report: r.clone(),
    })
    .ok();
    JobOutput {
        html,
        json,
        files: vec![JobFile {
            name: format!("{stem}-问题清单.csv"),
            content_type: "text/csv; charset=utf-8",
            bytes: Arc::new(report_csv(&r.problems)),
        }],
        payload: r.dry_run.then(|| {
            Arc::new(KeptFile {
                name: kept.name.clone(),
                bytes: kept.bytes.clone(),
            }) as Arc<dyn std::any::Any + Send + Sync>
        }),
        clean: r.is_clean(),
    }
}

/// The verdict of an import in Chinese and English.
fn verdict(r: &ImportReport) -> (&'static str, &'static str) {
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

/// The result of a registry import job (户籍台账导入结果), the `result` of `GET /api/v1/jobs/{id}`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    /// The uploaded file's name.
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
    #[schema(value_type = ImportReportDoc)]
    pub report: ImportReport,
}

/// The import report (the store's `ImportReport`) as the API sends it: a description only (the store
/// crate has no OpenAPI derive); `tests/api_ops.rs` checks that its fields are the report's.
#[derive(Debug, utoipa::ToSchema)]
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
    written_early: u64,
    undone_early: u64,
    /// Every problem, by sheet and row.
    problems: Vec<Problem>,
    /// Whether the changes were committed.
    committed: bool,
    /// A dry run.
    dry_run: bool,
}
