//! 后台任务页 (`/jobs/{id}`): a background job's progress and result ([`shouwang_app::jobs`]: the
//! department-screening rounds and the registry imports run there).
//!
//! - `GET /jobs/{id}` shows a `<progress>` bar and refreshes itself every second (`<meta
//!   http-equiv="refresh">`, no script: the CSP allows none inline) until the job is finished, then
//!   shows the result, rendered in the viewer's language by the page of the job's kind
//!   ([`crate::pages::screening::upload::result_html`], [`crate::pages::imports::result_html`]);
//! - `GET /jobs/{id}/status` answers the same as JSON; `GET /jobs/{id}/files/{n}` downloads a result
//!   file. Only the owner sees a job: anyone else gets 404, as for a record outside their area.

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use shouwang_app::jobs::{Job, JobFailure, JobKind, JobOutput, JobResult};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::http::download::attachment;
use crate::http::error::AppError;
use crate::http::i18n::I18n;
use crate::http::render::render;

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs/{id}", get(show))
        .route("/jobs/{id}/status", get(status))
        .route("/jobs/{id}/files/{n}", get(file))
}

/// The job `id` of `owner`; 404 for anyone else's.
pub fn find(state: &AppState, owner: i64, id: &str) -> Result<Arc<Job>, AppError> {
    id.trim()
        .parse::<u64>()
        .ok()
        .and_then(|id| state.jobs.get(id, owner))
        .ok_or_else(AppError::not_found)
}

/// Percent done (0 when the total is not known).
fn percent(done: u64, total: u64) -> u64 {
    (done.min(total) * 100).checked_div(total).unwrap_or(0)
}

#[derive(Template)]
#[template(path = "job.html")]
struct JobPage<'a> {
    i18n: I18n,
    user: &'a CurrentUser,
    path: String,
    id: u64,
    kind: &'static str,
    subject: &'a str,
    started: String,
    elapsed: String,
    phase: String,
    done: u64,
    total: u64,
    percent: u64,
    /// `None` while running.
    outcome: Option<Result<JobOutput, JobFailure>>,
    /// The result, rendered by the page of the job's kind.
    result_html: String,
    files: Vec<(usize, String)>,
}

impl JobPage<'_> {
    fn failure(&self) -> Option<String> {
        match &self.outcome {
            Some(Err(f)) => Some(self.i18n.lang.pick(&f.zh, &f.en).to_owned()),
            _ => None,
        }
    }
}

fn beijing(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::TimeDelta::hours(8))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// GET /jobs/{id}
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Response {
    let lang = user.lang;
    let job = match find(&state, user.user_id, &id) {
        Ok(j) => j,
        Err(e) => return e.into_response(),
    };
    let outcome = job.outcome();
    let result_html = match &outcome {
        Some(Ok(o)) => match &o.result {
            JobResult::Screening(s) => crate::pages::screening::upload::result_html(s, lang),
            JobResult::RegistryImport(r) => {
                crate::pages::imports::result_html(r, job.id, &user.csrf, lang)
            }
        },
        _ => String::new(),
    };
    let (done, total) = job.progress();
    let files = match &outcome {
        Some(Ok(o)) => o
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (i, f.name.clone()))
            .collect(),
        _ => Vec::new(),
    };
    let page = JobPage {
        i18n: user.i18n(),
        user: &user,
        path: format!("/jobs/{}", job.id),
        id: job.id,
        kind: lang.pick(job.kind.label_zh(), job.kind.label_en()),
        subject: lang.pick(&job.subject.0, &job.subject.1),
        started: beijing(job.started_at),
        elapsed: format!("{:.1}", job.started.elapsed().as_secs_f64()),
        phase: {
            let (zh, en) = job.phase();
            lang.pick(&zh, &en).to_owned()
        },
        done,
        total,
        percent: percent(done, total),
        outcome,
        result_html,
        files,
    };
    render(&page)
}

/// The state of a job as JSON (`GET /jobs/{id}/status`).
#[derive(Serialize)]
pub struct JobStatus {
    pub id: u64,
    pub kind: JobKind,
    pub done: u64,
    pub total: u64,
    pub phase_zh: String,
    pub phase_en: String,
    pub finished: bool,
    pub ok: Option<bool>,
    pub error_zh: Option<String>,
}

/// GET /jobs/{id}/status
pub async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Response {
    let job = match find(&state, user.user_id, &id) {
        Ok(j) => j,
        Err(e) => return e.json(),
    };
    let (done, total) = job.progress();
    let (phase_zh, phase_en) = job.phase();
    let outcome = job.outcome();
    axum::Json(JobStatus {
        id: job.id,
        kind: job.kind,
        done,
        total,
        phase_zh,
        phase_en,
        finished: outcome.is_some(),
        ok: outcome.as_ref().map(|o| o.as_ref().is_ok_and(|o| o.clean)),
        error_zh: outcome.and_then(|o| o.err()).map(|f| f.zh),
    })
    .into_response()
}

/// GET /jobs/{id}/files/{n}
pub async fn file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, n)): Path<(String, String)>,
) -> Response {
    match state.jobs.file(&id, user.user_id, &n) {
        Some(f) => attachment(&f.name, None, f.content_type, f.bytes.as_ref().clone()),
        None => AppError::not_found().into_response(),
    }
}
