//! 户籍台账导入 (`/imports/registry`): the registry import of `shouwang import registry` as an upload
//! page, for the county and township admins (a township admin imports only its own townships'
//! households: the store checks the scope).
//!
//! 1. The user uploads an XLSX, XLS, ODS or CSV file (UTF-8 or GBK); a file that is not a spreadsheet
//!    is refused at once. A dry run (预检) runs as a background job through
//!    [`shouwang_app::imports::registry::start`] — the code path of the CLI and the API — and the job
//!    page ([`result_html`]) lists every rejected row with its sheet, row, column, value and reason,
//!    and the counts. The report is downloadable as CSV.
//! 2. From the dry run's page the user imports (导入) the same file — kept on disk for the dry-run job
//!    (the data folder's spool, at most an hour), not uploaded again — optionally with 全部或不导入 (all-or-nothing: nothing is written if any
//!    household is rejected).
//! 3. After an import that wrote income records, the job page also says what the income review
//!    (收支测算比对) of those years found and filed, or why it did not run.

use std::sync::Arc;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
pub use shouwang_app::imports::registry::MAX_FILE;
use shouwang_app::imports::registry::{self, RegistryImportResult};
use shouwang_app::uploads::SpooledFile;
use shouwang_core::registry::Problem;
use shouwang_store::repo::registry_file::ImportReport;

use crate::AppState;
use crate::auth::{CurrentUser, check_csrf};
use crate::http::error::AppError;
use crate::http::i18n::{I18n, Lang};
use crate::http::multipart::{mb, read_form, temp_dir};
use crate::http::render::{render, render_status, see_other};

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

#[derive(Template)]
#[template(path = "imports/registry.html")]
struct ImportPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: &'static str,
    max_mb: u64,
    error: Option<String>,
}

/// GET /imports/registry
pub async fn form(user: CurrentUser) -> Response {
    if !user.may_import() {
        return AppError::forbidden().into_response();
    }
    render(&ImportPage {
        i18n: user.i18n(),
        user: &user,
        path: "/imports/registry",
        max_mb: mb(MAX_FILE),
        error: None,
    })
}

/// The form shown again with the refusal `e` and its status.
fn refuse(user: &CurrentUser, e: AppError) -> Response {
    render_status(
        &ImportPage {
            i18n: user.i18n(),
            user,
            path: "/imports/registry",
            max_mb: mb(MAX_FILE),
            error: Some(e.message_for(user.lang)),
        },
        e.status(),
    )
}

/// POST /imports/registry: reads the upload and starts the dry run; 303 to the job page.
pub async fn dry_run(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Multipart,
) -> Response {
    if !user.may_import() {
        return AppError::forbidden().into_response();
    }
    let dir = match temp_dir(&state.spool) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let form = match read_form(multipart, dir.path(), MAX_FILE).await {
        Ok(f) => f,
        Err(e) => return refuse(&user, e),
    };
    if let Err(e) = check_csrf(&user, form.text("csrf")) {
        return e.into_response();
    }
    let file = match form.spool_file("file", &state.spool) {
        Ok(f) => f,
        Err(e) => return refuse(&user, e),
    };
    drop(dir);
    start(&state, &user, file, true, false)
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
    if !user.may_import() {
        return AppError::forbidden().into_response();
    }
    if let Err(e) = check_csrf(&user, &f.csrf) {
        return e.into_response();
    }
    match registry::kept_file(&state.jobs, user.user_id, &f.job) {
        Ok(file) => start(&state, &user, file, false, f.all_or_nothing.is_some()),
        Err(e) => refuse(&user, e.into()),
    }
}

/// Starts a dry-run or import job of `file`; 303 to the job page.
fn start(
    state: &AppState,
    user: &CurrentUser,
    file: Arc<SpooledFile>,
    dry_run: bool,
    all_or_nothing: bool,
) -> Response {
    match registry::start(
        &state.jobs,
        &state.db,
        &user.caller(),
        file,
        dry_run,
        all_or_nothing,
    ) {
        Ok(id) => see_other(&format!("/jobs/{id}")),
        Err(e) => refuse(user, e.into()),
    }
}

#[derive(Template)]
#[template(path = "imports/result.html")]
struct ResultFragment<'a> {
    i18n: I18n,
    r: &'a ImportReport,
    file: &'a str,
    format: &'a str,
    sheets: &'a str,
    verdict: &'a str,
    problems: &'a [Problem],
    problems_total: usize,
    /// The income review after the import (收支测算比对), a line per year, in the page's language.
    review: Vec<String>,
    /// The dry-run job (for the import form); `None` after an import.
    commit_job: Option<u64>,
    csrf: &'a str,
}

/// An import's result as the job page shows it, in `lang`; `job` is the job (a dry run's page offers
/// to import its file), `csrf` the viewer's session token for that form.
pub fn result_html(r: &RegistryImportResult, job: u64, csrf: &str, lang: Lang) -> String {
    let report = &r.report;
    let fragment = ResultFragment {
        i18n: I18n { lang },
        r: report,
        file: &r.file,
        format: &r.format,
        sheets: &r.sheets,
        verdict: lang.pick(&r.verdict_zh, &r.verdict_en),
        problems: &report.problems[..report.problems.len().min(SHOWN_PROBLEMS)],
        problems_total: report.problems.len(),
        review: r
            .review
            .lines()
            .into_iter()
            .map(|(zh, en)| lang.pick(&zh, &en).to_owned())
            .collect(),
        commit_job: report.dry_run.then_some(job),
        csrf,
    };
    fragment.render().unwrap_or_else(|e| {
        tracing::error!("import result: {e}");
        String::new()
    })
}
