//! Background jobs (后台任务): long uploads (部门数据上传, 户籍台账导入) run as a Tokio task while the
//! browser shows their progress.
//!
//! - [`Jobs`] is an in-memory table in [`AppState`]: id, owner (user id), kind, progress done/total,
//!   the phase text, and at the end the result (an HTML fragment rendered by the job's own askama
//!   template, downloadable files, an optional payload a later step reuses) or the error.
//! - [`Jobs::spawn`] runs the job's future on its own task; heavy CPU work inside it belongs on
//!   `spawn_blocking` (the screening engine and the spreadsheet reader do so). A panicking job is
//!   recorded as failed, never lost.
//! - `GET /jobs/{id}` shows a `<progress>` bar and refreshes itself every second (`<meta
//!   http-equiv="refresh">`, no script: the CSP allows none inline) until the job is finished, then
//!   shows the result; `GET /jobs/{id}/status` answers the same as JSON; `GET /jobs/{id}/files/{n}`
//!   downloads a result file. Only the owner sees a job: anyone else gets 404, as for a record
//!   outside their area.
//! - Finished jobs are kept for [`KEEP_FINISHED`] (at most [`MAX_JOBS`] in the table); a user runs at
//!   most [`MAX_RUNNING_PER_USER`] at once. Jobs do not survive a restart of the server.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::i18n::{I18n, Lang};
use crate::page::{encode, render};

/// How long a finished job stays readable.
pub const KEEP_FINISHED: Duration = Duration::from_secs(2 * 3600);
/// Most jobs kept in the table (the oldest finished ones go first).
pub const MAX_JOBS: usize = 500;
/// Jobs one user may have running at once.
pub const MAX_RUNNING_PER_USER: usize = 2;

/// What a job does (任务类型).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// 部门数据上传筛查.
    Screening,
    /// 户籍台账导入 (预检 or 导入).
    RegistryImport,
}

impl JobKind {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            JobKind::Screening => lang.pick("部门数据筛查", "Department data screening"),
            JobKind::RegistryImport => lang.pick("户籍台账导入", "Registry import"),
        }
    }
}

/// A file a finished job offers for download (e.g. `rejected.csv`).
#[derive(Clone, Debug)]
pub struct JobFile {
    pub name: String,
    pub content_type: &'static str,
    pub bytes: Arc<Vec<u8>>,
}

/// What a finished job produced.
#[derive(Clone, Default)]
pub struct JobOutput {
    /// The result as an HTML fragment, rendered by an askama template (escaped) in the owner's language.
    pub html: String,
    /// Downloads, linked below the result.
    pub files: Vec<JobFile>,
    /// Data a later step takes over (a dry run keeps the uploaded file for the import).
    pub payload: Option<Arc<dyn Any + Send + Sync>>,
    /// Whether the job did everything it set out to (a dry run with rejected rows is `false`).
    pub clean: bool,
    /// The result as JSON, for `GET /api/v1/jobs/{id}` (the same figures as `html`).
    pub json: Option<serde_json::Value>,
}

/// Why a job failed, in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobFailure {
    pub zh: String,
    pub en: String,
}

impl JobFailure {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> JobFailure {
        JobFailure {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

#[derive(Default)]
struct JobState {
    phase_zh: String,
    phase_en: String,
    outcome: Option<Result<JobOutput, JobFailure>>,
    finished: Option<Instant>,
}

/// One job of the table.
pub struct Job {
    pub id: u64,
    /// The user who started it; nobody else sees it.
    pub owner: i64,
    pub kind: JobKind,
    /// What the job works on (a file name, a month), for the page title.
    pub subject: String,
    pub started: Instant,
    pub started_at: chrono::DateTime<chrono::Utc>,
    done: AtomicU64,
    total: AtomicU64,
    state: Mutex<JobState>,
}

impl Job {
    fn state(&self) -> MutexGuard<'_, JobState> {
        // A poisoned lock only means a job panicked while holding it; the state is still readable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// (done, total) of the progress.
    pub fn progress(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// The phase text in `lang`.
    pub fn phase(&self, lang: Lang) -> String {
        let s = self.state();
        lang.pick(&s.phase_zh, &s.phase_en).to_owned()
    }

    /// The outcome, once finished.
    pub fn outcome(&self) -> Option<Result<JobOutput, JobFailure>> {
        self.state().outcome.clone()
    }

    pub fn is_finished(&self) -> bool {
        self.state().outcome.is_some()
    }

    fn finish(&self, outcome: Result<JobOutput, JobFailure>) {
        let mut s = self.state();
        if s.outcome.is_none() {
            s.outcome = Some(outcome);
            s.finished = Some(Instant::now());
        }
    }
}

/// What a running job uses to report its progress.
#[derive(Clone)]
pub struct JobHandle {
    job: Arc<Job>,
}

impl JobHandle {
    pub fn id(&self) -> u64 {
        self.job.id
    }

    /// Sets the progress (`total` 0: not known yet).
    pub fn progress(&self, done: u64, total: u64) {
        self.job.total.store(total, Ordering::Relaxed);
        self.job.done.store(done, Ordering::Relaxed);
    }

    /// Sets the phase text (and resets the progress to "not known").
    pub fn phase(&self, zh: &str, en: &str) {
        let mut s = self.job.state();
        s.phase_zh = zh.to_owned();
        s.phase_en = en.to_owned();
        drop(s);
        self.progress(0, 0);
    }
}

/// The job table of the application.
#[derive(Default)]
pub struct Jobs {
    table: Mutex<HashMap<u64, Arc<Job>>>,
    next: AtomicU64,
}

impl Jobs {
    fn table(&self) -> MutexGuard<'_, HashMap<u64, Arc<Job>>> {
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The job `id` if `owner` started it.
    pub fn get(&self, id: u64, owner: i64) -> Option<Arc<Job>> {
        self.table().get(&id).filter(|j| j.owner == owner).cloned()
    }

    /// Starts `work` as a job of `owner` and returns its id; refused (409) when the user already has
    /// [`MAX_RUNNING_PER_USER`] jobs running.
    pub fn spawn<F, Fut>(
        &self,
        owner: i64,
        kind: JobKind,
        subject: &str,
        work: F,
    ) -> Result<u64, AppError>
    where
        F: FnOnce(JobHandle) -> Fut + Send + 'static,
        Fut: Future<Output = Result<JobOutput, JobFailure>> + Send + 'static,
    {
        let job = {
            let mut table = self.table();
            let now = Instant::now();
            table.retain(|_, j| {
                j.state()
                    .finished
                    .is_none_or(|f| now.duration_since(f) < KEEP_FINISHED)
            });
            if table.len() >= MAX_JOBS {
                let mut finished: Vec<(Instant, u64)> = table
                    .values()
                    .filter_map(|j| j.state().finished.map(|f| (f, j.id)))
                    .collect();
                finished.sort();
                for (_, id) in finished.iter().take(table.len() + 1 - MAX_JOBS) {
                    table.remove(id);
                }
            }
            let running = table
                .values()
                .filter(|j| j.owner == owner && !j.is_finished())
                .count();
            if running >= MAX_RUNNING_PER_USER {
                return Err(AppError::Conflict {
                    zh: format!("您已有 {running} 个任务在运行，请等其完成后再提交"),
                    en: format!("you already have {running} jobs running; wait for them to finish"),
                });
            }
            let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
            let job = Arc::new(Job {
                id,
                owner,
                kind,
                subject: subject.to_owned(),
                started: now,
                started_at: chrono::Utc::now(),
                done: AtomicU64::new(0),
                total: AtomicU64::new(0),
                state: Mutex::new(JobState {
                    phase_zh: "排队".into(),
                    phase_en: "queued".into(),
                    ..JobState::default()
                }),
            });
            table.insert(id, job.clone());
            job
        };
        let id = job.id;
        let handle = JobHandle { job: job.clone() };
        let inner = tokio::spawn(work(handle));
        tokio::spawn(async move {
            let outcome = match inner.await {
                Ok(outcome) => outcome,
                Err(e) => {
                    tracing::error!("job {id} failed: {e}");
                    Err(JobFailure::new(
                        "任务意外中止（内部错误），请重试或联系管理员",
                        "the job stopped unexpectedly (internal error); try again or ask the administrator",
                    ))
                }
            };
            job.finish(outcome);
        });
        Ok(id)
    }
}

/// The routes of this module.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs/{id}", get(show))
        .route("/jobs/{id}/status", get(status))
        .route("/jobs/{id}/files/{n}", get(file))
}

fn find(state: &AppState, user: &CurrentUser, id: &str) -> Result<Arc<Job>, AppError> {
    id.trim()
        .parse::<u64>()
        .ok()
        .and_then(|id| state.jobs.get(id, user.user_id))
        .ok_or(AppError::NotFound)
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
    files: Vec<(usize, String)>,
}

impl JobPage<'_> {
    fn failure(&self) -> Option<String> {
        match &self.outcome {
            Some(Err(f)) => Some(self.i18n.lang.pick(&f.zh, &f.en).to_owned()),
            _ => None,
        }
    }
    fn result_html(&self) -> &str {
        match &self.outcome {
            Some(Ok(o)) => &o.html,
            _ => "",
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
    let job = match find(&state, &user, &id) {
        Ok(j) => j,
        Err(e) => return e.into_page(lang),
    };
    let outcome = job.outcome();
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
        kind: job.kind.label(lang),
        subject: &job.subject,
        started: beijing(job.started_at),
        elapsed: format!("{:.1}", job.started.elapsed().as_secs_f64()),
        phase: job.phase(lang),
        done,
        total,
        percent: percent(done, total),
        outcome,
        files,
    };
    render(&page, lang)
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
    let job = match find(&state, &user, &id) {
        Ok(j) => j,
        Err(e) => return e.into_json(),
    };
    let (done, total) = job.progress();
    let outcome = job.outcome();
    axum::Json(JobStatus {
        id: job.id,
        kind: job.kind,
        done,
        total,
        phase_zh: job.phase(Lang::Zh),
        phase_en: job.phase(Lang::En),
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
    let lang = user.lang;
    let job = match find(&state, &user, &id) {
        Ok(j) => j,
        Err(e) => return e.into_page(lang),
    };
    let Some(Ok(output)) = job.outcome() else {
        return AppError::NotFound.into_page(lang);
    };
    let Some(f) = n
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| output.files.get(n))
    else {
        return AppError::NotFound.into_page(lang);
    };
    let ascii: String = f
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encode(&f.name)
    );
    let mut resp = (
        [(header::CONTENT_TYPE, f.content_type)],
        f.bytes.as_ref().clone(),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_job_runs_reports_progress_and_is_seen_by_its_owner_only() {
        let jobs = Jobs::default();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let id = jobs
            .spawn(7, JobKind::Screening, "2022-06", |h| async move {
                h.phase("筛查", "screening");
                h.progress(3, 10);
                let _ = rx.await;
                Ok(JobOutput {
                    html: "<p>ok</p>".into(),
                    clean: true,
                    ..JobOutput::default()
                })
            })
            .unwrap();
        assert!(jobs.get(id, 8).is_none(), "another user does not see it");
        let job = jobs.get(id, 7).unwrap();
        // The phase is set as soon as the task runs.
        for _ in 0..100 {
            if job.progress() == (3, 10) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(job.progress(), (3, 10));
        assert_eq!(job.phase(Lang::Zh), "筛查");
        assert!(!job.is_finished());
        tx.send(()).unwrap();
        for _ in 0..100 {
            if job.is_finished() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(job.outcome().unwrap().unwrap().html, "<p>ok</p>");
    }

    #[tokio::test]
    async fn a_panicking_job_is_recorded_as_failed_and_running_jobs_are_limited() {
        let jobs = Jobs::default();
        let id = jobs
            .spawn(1, JobKind::RegistryImport, "x", |_| async move {
                if std::hint::black_box(true) {
                    panic!("boom");
                }
                Ok(JobOutput::default())
            })
            .unwrap();
        let job = jobs.get(id, 1).unwrap();
        for _ in 0..200 {
            if job.is_finished() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let failure = job.outcome().unwrap().err().unwrap();
        assert!(failure.zh.contains("任务意外中止"), "{failure:?}");

        let (_tx, rx) = tokio::sync::watch::channel(());
        for _ in 0..MAX_RUNNING_PER_USER {
            let mut rx = rx.clone();
            jobs.spawn(2, JobKind::Screening, "m", |_| async move {
                let _ = rx.changed().await;
                Ok(JobOutput::default())
            })
            .unwrap();
        }
        let refused = jobs.spawn(2, JobKind::Screening, "m", |_| async move {
            Ok(JobOutput::default())
        });
        assert!(matches!(refused, Err(AppError::Conflict { .. })));
        // Another user is not held up.
        assert!(
            jobs.spawn(3, JobKind::Screening, "m", |_| async move {
                Ok(JobOutput::default())
            })
            .is_ok()
        );
    }
}
