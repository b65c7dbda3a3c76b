//! 上传的文件: files a user sends through the web or the API, as the use cases take them — held in
//! memory ([`UploadedFile`]) while a job reads it, stored on disk in a temporary folder
//! ([`StoredUpload`]), or waiting for its job in the data folder's spool ([`Spool`], [`SpooledFile`]).

use std::path::PathBuf;
use std::sync::Arc;

/// An uploaded file held in memory, while a job reads it (between jobs it waits on disk:
/// [`SpooledFile`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UploadedFile {
    /// The user's file name (for messages, reports and the audit log).
    pub name: String,
    /// The content.
    pub bytes: Arc<Vec<u8>>,
}

/// An uploaded file stored on disk (by the web's form reader, under a name of its own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredUpload {
    /// The form field it came in (`medical`, `file`, …).
    pub field: String,
    /// The user's file name (only the last path component; for messages and reports).
    pub name: String,
    /// Lower-case extension of `name` (`csv`, `xlsx`, …), empty if none.
    pub ext: String,
    /// Where it is stored.
    pub path: PathBuf,
}

/// How long an uploaded file stays in the spool at most (a dry run's file waits there for the import
/// that follows it).
pub const KEEP_UPLOAD: std::time::Duration = std::time::Duration::from_secs(3600);

/// The folder where uploads wait for their jobs (上传暂存), in the data folder (`<data>/uploads`), so
/// that a job's file is on disk and not in memory: the upload forms are read into a temporary folder
/// of it ([`Spool::temp_dir`]), and a file a job works on is moved into it ([`Spool::keep`]). Files are
/// readable by the server's user only (0600) and removed when their job lets go of them, at the latest
/// after [`KEEP_UPLOAD`]; what a stopped server left behind is removed when it starts again
/// ([`Spool::clear`]).
#[derive(Clone, Debug)]
pub struct Spool {
    dir: PathBuf,
    keep: std::time::Duration,
}

impl Spool {
    /// The spool in `dir` (created when first needed).
    pub fn new(dir: impl Into<PathBuf>) -> Spool {
        Spool {
            dir: dir.into(),
            keep: KEEP_UPLOAD,
        }
    }

    /// The same spool keeping files at most `keep` (a test).
    pub fn with_keep(mut self, keep: std::time::Duration) -> Spool {
        self.keep = keep;
        self
    }

    /// The folder.
    pub fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    fn create(&self) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        restrict(&self.dir, 0o700)
    }

    /// Removes everything in the spool (at server start: jobs do not survive a restart).
    pub fn clear(&self) -> std::io::Result<()> {
        match std::fs::remove_dir_all(&self.dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// A new temporary folder in the spool (0700), removed when dropped: where an upload form is read.
    pub fn temp_dir(&self) -> std::io::Result<tempfile::TempDir> {
        self.create()?;
        tempfile::Builder::new()
            .prefix("form-")
            .tempdir_in(&self.dir)
    }

    /// Moves the stored upload into the spool for a job: removed when the last holder drops it, at the
    /// latest after the spool's keeping time.
    pub fn keep(&self, upload: &StoredUpload) -> std::io::Result<Arc<SpooledFile>> {
        self.create()?;
        let file = tempfile::Builder::new()
            .prefix("upload-")
            .tempfile_in(&self.dir)?;
        let (_, path) = file.keep().map_err(|e| e.error)?;
        let spooled = SpooledFile {
            name: upload.name.clone(),
            path,
        };
        if std::fs::rename(&upload.path, &spooled.path).is_err() {
            std::fs::copy(&upload.path, &spooled.path)?;
        }
        restrict(&spooled.path, 0o600)?;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let (path, keep) = (spooled.path.clone(), self.keep);
            runtime.spawn(async move {
                tokio::time::sleep(keep).await;
                remove(&path);
            });
        }
        Ok(Arc::new(spooled))
    }
}

/// An uploaded file waiting in the [`Spool`] for its job; removed when dropped.
#[derive(Debug, PartialEq, Eq)]
pub struct SpooledFile {
    /// The user's file name (for messages, reports and the audit log).
    pub name: String,
    path: PathBuf,
}

impl SpooledFile {
    /// Where it waits.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Reads it into memory for the job that works on it (`None` once removed: kept too long).
    pub fn read(&self) -> Option<UploadedFile> {
        let bytes = std::fs::read(&self.path).ok()?;
        Some(UploadedFile {
            name: self.name.clone(),
            bytes: Arc::new(bytes),
        })
    }
}

impl Drop for SpooledFile {
    fn drop(&mut self) {
        remove(&self.path);
    }
}

fn remove(path: &std::path::Path) {
    if let Err(e) = std::fs::remove_file(path)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("cannot remove the spooled upload {}: {e}", path.display());
    }
}

/// Sets the permissions of `path` (Unix; elsewhere the folder's).
fn restrict(path: &std::path::Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}
