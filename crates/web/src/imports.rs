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
use crate::uploads::{mb, read_form};

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
    matches!(user.scope.role, Role::CountyAdmin | Role::TownshipAdmin)
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
struct KeptFile {
    name: String,
    bytes: Arc<Vec<u8>>,
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
    let Some(file) = form.files.iter().find(|f| f.field == "file") else {
        return refuse(
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            "请选择要导入的台账文件",
            "Choose the file to import",
        );
    };
    let bytes = match std::fs::read(&file.path) {
        Ok(b) => b,
        Err(e) => return AppError::Internal(format!("read upload: {e}")).into_page(lang),
    };
    drop(dir);
    if bytes.is_empty() {
        return refuse(
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            "文件是空的",
            "The file is empty",
        );
    }
    if shouwang_io::registry::sniff(&bytes) == shouwang_io::registry::Format::Binary {
        let zh = format!(
            "{} 不是电子表格文件：请上传 Excel（.xlsx / .xls）、ODS 或 CSV 格式的农户台账",
            file.name
        );
        let en = format!(
            "{} is not a spreadsheet: upload the registry as Excel (.xlsx / .xls), ODS or CSV",
            file.name
        );
        return refuse(&user, StatusCode::UNPROCESSABLE_ENTITY, &zh, &en);
    }
    let kept = KeptFile {
        name: file.name.clone(),
        bytes: Arc::new(bytes),
    };
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
    let lang = user.lang;
    let db = state.db.clone();
    let actor = user.actor();
    let scope = user.scope.clone();
    let csrf = user.csrf.clone();
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
        user.user_id,
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
    match started {
        Ok(id) => see_other(&format!("/jobs/{id}")),
        Err(e) => {
            let zh = e.message_for(Lang::Zh);
            let en = e.message_for(Lang::En);
            refuse(user, StatusCode::CONFLICT, &zh, &en)
        }
    }
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
    let verdict = if r.committed {
        lang.pick("已导入", "Imported")
    } else if r.dry_run {
        lang.pick(
            "预检完成（未写入任何数据）",
            "Dry run done (nothing written)",
        )
    } else if r.changes() == 0 && r.rejected_households == 0 {
        lang.pick(
            "无变化（数据已是最新）",
            "Nothing to change (already up to date)",
        )
    } else {
        lang.pick(
            "未导入：选择了“全部或不导入”且有被拒绝的户，未写入任何数据",
            "Not imported: all-or-nothing was chosen and households were rejected; nothing written",
        )
    };
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
    JobOutput {
        html,
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
