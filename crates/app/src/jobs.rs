//! 后台任务: long work (部门数据上传筛查, 户籍台账导入) runs as a Tokio task while the client polls its
//! progress (the web's job page, `GET /api/v1/jobs/{id}`).
//!
//! - [`Jobs`] is an in-memory table: id, owner (user id), kind, progress done/total, the phase text, and
//!   at the end the typed result ([`JobResult`]), downloadable files and an optional kept upload (on
//!   disk, [`crate::uploads::Spool`]), or the failure.
//! - [`Jobs::spawn`] runs the job's future on its own task; heavy CPU work inside it belongs on
//!   `spawn_blocking` (the screening engine and the spreadsheet reader do so). A panicking job is
//!   recorded as failed, never lost.
//! - Only the owner sees a job ([`Jobs::get`]): anyone else is answered as for a record outside their
//!   area.
//! - Finished jobs are kept for [`KEEP_FINISHED`] (at most [`MAX_JOBS`] in the table); a user runs at
//!   most [`MAX_RUNNING_PER_USER`] at once. Jobs do not survive a restart of the server.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::{Error, Kind, Result};
use crate::imports::RegistryImportResult;
use crate::screening::upload::ScreeningSummary;
use crate::uploads::SpooledFile;

/// Progress of long work, told as it goes: a phase (in both languages) and units done of a total
/// (0: not known yet). The web's job handle and the command line's progress bar implement it.
pub trait Progress: Send + Sync {
    /// A new phase starts (and its progress is not known yet).
    fn phase(&self, zh: &str, en: &str);
    /// `done` of `total` units.
    fn progress(&self, done: u64, total: u64);
}

/// Progress nobody watches.
pub struct Quiet;

impl Progress for Quiet {
    fn phase(&self, _: &str, _: &str) {}
    fn progress(&self, _: u64, _: u64) {}
}

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
    /// 中文.
    pub fn label_zh(self) -> &'static str {
        match self {
            JobKind::Screening => "部门数据筛查",
            JobKind::RegistryImport => "户籍台账导入",
        }
    }

    /// English.
    pub fn label_en(self) -> &'static str {
        match self {
            JobKind::Screening => "Department data screening",
            JobKind::RegistryImport => "Registry import",
        }
    }
}

/// A file a finished job offers for download (e.g. `rejected.csv`).
#[derive(Clone, Debug)]
pub struct JobFile {
    /// File name.
    pub name: String,
    /// Media type.
    pub content_type: &'static str,
    /// Content.
    pub bytes: Arc<Vec<u8>>,
}

/// The result of a finished job, by kind: what the job page shows and `GET /api/v1/jobs/{id}` sends.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum JobResult {
    /// A department screening round's summary.
    Screening(Arc<ScreeningSummary>),
    /// A registry import's (or dry run's) report.
    RegistryImport(Arc<RegistryImportResult>),
}

/// What a finished job produced.
#[derive(Clone, Debug)]
pub struct JobOutput {
    /// The result.
    pub result: JobResult,
    /// Downloads, linked below the result.
    pub files: Vec<JobFile>,
    /// The uploaded file a later step takes over (a dry run keeps it for the import), on disk.
    pub kept: Option<Arc<SpooledFile>>,
    /// Whether the job did everything it set out to (a dry run with rejected rows is `false`).
    pub clean: bool,
}

/// Why a job failed (nothing was written), in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobFailure {
    /// 中文.
    pub zh: String,
    /// English.
    pub en: String,
}

impl JobFailure {
    /// A failure with its reasons.
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
    /// What the job works on (a file name, a month), for the page title: in Chinese and English.
    pub subject: (String, String),
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

    /// The phase text in Chinese and in English.
    pub fn phase(&self) -> (String, String) {
        let s = self.state();
        (s.phase_zh.clone(), s.phase_en.clone())
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

impl Progress for JobHandle {
    fn phase(&self, zh: &str, en: &str) {
        JobHandle::phase(self, zh, en);
    }

    fn progress(&self, done: u64, total: u64) {
        JobHandle::progress(self, done, total);
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

    /// Result file `n` of the finished job `id` of `owner` (ids as the client sent them).
    pub fn file(&self, id: &str, owner: i64, n: &str) -> Option<JobFile> {
        let job = self.get(id.trim().parse().ok()?, owner)?;
        let output = job.outcome()?.ok()?;
        output.files.get(n.trim().parse::<usize>().ok()?).cloned()
    }

    /// Starts `work` as a job of `owner` and returns its id; refused ([`Kind::Conflict`]) when the user
    /// already has [`MAX_RUNNING_PER_USER`] jobs running.
    pub fn spawn<F, Fut>(
        &self,
        owner: i64,
        kind: JobKind,
        subject: (String, String),
        work: F,
    ) -> Result<u64>
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
                return Err(Error::new(
                    Kind::Conflict,
                    "too_many_jobs",
                    format!("您已有 {running} 个任务在运行，请等其完成后再提交"),
                    format!("you already have {running} jobs running; wait for them to finish"),
                ));
            }
            let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
            let job = Arc::new(Job {
                id,
                owner,
                kind,
                subject,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn subject() -> (String, String) {
        ("2022年6月".to_owned(), "2022-06".to_owned())
    }

    fn output(name: &str) -> JobOutput {
        JobOutput {
            result: JobResult::RegistryImport(Arc::default()),
            files: vec![JobFile {
                name: name.to_owned(),
                content_type: "text/plain",
                bytes: Arc::default(),
            }],
            kept: None,
            clean: true,
        }
    }

    #[tokio::test]
    async fn a_job_runs_reports_progress_and_is_seen_by_its_owner_only() {
        let jobs = Jobs::default();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let id = jobs
            .spawn(7, JobKind::Screening, subject(), |h| async move {
                h.phase("筛查", "screening");
                h.progress(3, 10);
                let _ = rx.await;
                Ok(output("ok"))
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
        assert_eq!(job.phase().0, "筛查");
        assert!(!job.is_finished());
        tx.send(()).unwrap();
        for _ in 0..100 {
            if job.is_finished() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(job.outcome().unwrap().unwrap().files[0].name, "ok");
    }

    #[tokio::test]
    async fn a_panicking_job_is_recorded_as_failed_and_running_jobs_are_limited() {
        let jobs = Jobs::default();
        let id = jobs
            .spawn(1, JobKind::RegistryImport, subject(), |_| async move {
                if std::hint::black_box(true) {
                    panic!("boom");
                }
                Ok(output("x"))
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
            jobs.spawn(2, JobKind::Screening, subject(), |_| async move {
                let _ = rx.changed().await;
                Ok(output("x"))
            })
            .unwrap();
        }
        let refused = jobs.spawn(2, JobKind::Screening, subject(), |_| async move {
            Ok(output("x"))
        });
        assert!(matches!(refused, Err(e) if e.kind == Kind::Conflict));
        // Another user is not held up.
        assert!(
            jobs.spawn(3, JobKind::Screening, subject(), |_| async move {
                Ok(output("x"))
            })
            .is_ok()
        );
    }
}
