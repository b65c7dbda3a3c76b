//! 上传的文件: files a user sends through the web or the API, as the use cases take them — held in
//! memory ([`UploadedFile`]) or stored on disk in a temporary folder ([`StoredUpload`]).

use std::path::PathBuf;
use std::sync::Arc;

/// An uploaded file held in memory (the upload page keeps a dry run's file for the import that
/// follows it, so the user does not upload it twice).
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
