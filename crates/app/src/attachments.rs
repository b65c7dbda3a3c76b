//! 附件存储: the bytes of uploaded files (scans, photos), content-addressed by SHA-256 under a
//! directory (`DIR/<county>/<first two hex digits>/<sha256>`), with their metadata in the database
//! ([`repo::cases::register_attachment`]). The same content is stored once per county.
//!
//! [`upload`] checks the size ([`MAX_ATTACHMENT_BYTES`]), the media type (an allow-list, checked
//! against the file's first bytes), computes the hash, writes the file (to a temporary name, then
//! renamed, so a half-written file is never served) and registers it with its audit row.
//!
//! **Sealed at rest (issue 19).** Each file is stored sealed with the data key (SM4-GCM, the store's
//! [`Keys::seal_file`]) and bound to its place (`county/sha256`); [`FileStore::read`] opens it and checks
//! the hash of what it opened. Files written before sealing stay readable as they are until
//! [`FileStore::seal_all`] rewrites them — at the start of the server when the store's marker says the
//! last complete pass was not under the current key version, and by `shouwang keys rotate`, so that a
//! retired key version no longer opens any file.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use shouwang_core::monitoring::{Attachment, Refusal};

use crate::caller::Caller;
use shouwang_store::Db;
use shouwang_store::crypto::Keys;
use shouwang_store::repo::cases::{self, AttachmentRow};
use shouwang_store::{Result, StoreError};

/// Largest attachment accepted: 10 MiB (a phone photo or a scanned page).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

/// Media types accepted, with the leading bytes each file must have.
const ALLOWED: &[(&str, &[&[u8]])] = &[
    ("image/jpeg", &[b"\xFF\xD8\xFF"]),
    ("image/png", &[b"\x89PNG\r\n\x1a\n"]),
    ("image/webp", &[b"RIFF"]),
    ("application/pdf", &[b"%PDF-"]),
];

/// Where attachment bytes live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStore {
    dir: PathBuf,
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_county(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

fn io_error(e: std::io::Error) -> StoreError {
    StoreError::Db(sea_orm::DbErr::Custom(format!("attachment storage: {e}")))
}

/// What a file is bound to when sealed: its place in the store.
fn context(county: &str, sha256: &str) -> String {
    format!("attachment {county}/{sha256}")
}

/// The file in the store's folder naming the key version of the last complete [`FileStore::seal_all`].
const SEALED_MARKER: &str = ".sealed";

/// What [`FileStore::seal_all`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sealing {
    /// Files in the store.
    pub files: u64,
    /// Files rewritten under the current key version (plain ones, or sealed under another version).
    pub rewritten: u64,
}

impl FileStore {
    /// A store under `dir` (created on the first upload).
    pub fn new(dir: impl Into<PathBuf>) -> FileStore {
        FileStore { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of a file; `None` for a malformed county or hash (never a path outside the store).
    pub fn path_of(&self, county: &str, sha256: &str) -> Option<PathBuf> {
        (is_county(county) && is_sha256(sha256))
            .then(|| self.dir.join(county).join(&sha256[..2]).join(sha256))
    }

    /// Writes `bytes` sealed as the file `sha256` of `county` (kept if already there). The key is the
    /// caller's county and a hash computed here: a bad one is a failure of the server.
    async fn put(&self, keys: &Keys, county: &str, sha256: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path_of(county, sha256).ok_or_else(|| {
            StoreError::Db(sea_orm::DbErr::Custom(format!(
                "bad attachment key {county}/{sha256}"
            )))
        })?;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(io_error)?;
        }
        write_whole(&path, &keys.seal_file(bytes, &context(county, sha256))?).await
    }

    /// The plain bytes of a file (`NotFound` if missing); a file that does not open, or whose content
    /// is not the hash it is stored under, is an error.
    pub async fn read(&self, keys: &Keys, county: &str, sha256: &str) -> Result<Vec<u8>> {
        let path = self.path_of(county, sha256).ok_or(StoreError::NotFound)?;
        let stored = match tokio::fs::read(&path).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::NotFound),
            Err(e) => return Err(io_error(e)),
        };
        let plain = keys.open_file(&stored, &context(county, sha256))?;
        if sha256_hex(&plain) != sha256 {
            return Err(StoreError::Db(sea_orm::DbErr::Custom(format!(
                "attachment {county}/{sha256}: the content does not match its hash"
            ))));
        }
        Ok(plain)
    }

    /// Rewrites every file not sealed under the ring's current key version (plain files from before
    /// sealing, files of a former version), one at a time through a temporary name, then writes the
    /// marker. A stop half-way loses nothing: the next pass takes up the files left.
    pub async fn seal_all(&self, keys: &Keys) -> Result<Sealing> {
        let current = keys.current()?;
        let mut done = Sealing::default();
        for (county, sha, path) in self.files().await? {
            done.files += 1;
            let stored = tokio::fs::read(&path).await.map_err(io_error)?;
            if Keys::file_version(&stored) == Some(current) {
                continue;
            }
            let place = context(&county, &sha);
            let plain = keys.open_file(&stored, &place)?;
            write_whole(&path, &keys.seal_file(&plain, &place)?).await?;
            done.rewritten += 1;
        }
        if done.files > 0 {
            write_whole(
                &self.dir.join(SEALED_MARKER),
                current.to_string().as_bytes(),
            )
            .await?;
        }
        Ok(done)
    }

    /// [`FileStore::seal_all`] unless the marker says the last complete pass was under the current
    /// key version (`None`: nothing to do).
    pub async fn seal_pending(&self, keys: &Keys) -> Result<Option<Sealing>> {
        let current = keys.current()?.to_string();
        match tokio::fs::read_to_string(self.dir.join(SEALED_MARKER)).await {
            Ok(v) if v.trim() == current => Ok(None),
            _ => Ok(Some(self.seal_all(keys).await?)),
        }
    }

    /// Copies every stored file, as stored (sealed), into the store at `dest` with the same layout,
    /// skipping those already there (content-addressed: the same name is the same content); returns how
    /// many files the store holds. A backup's attachments, and their restore.
    pub async fn copy_to(&self, dest: &Path) -> Result<u64> {
        let mut n = 0;
        for (county, sha, path) in self.files().await? {
            n += 1;
            let to = dest.join(&county).join(&sha[..2]).join(&sha);
            if tokio::fs::try_exists(&to).await.unwrap_or(false) {
                continue;
            }
            if let Some(parent) = to.parent() {
                tokio::fs::create_dir_all(parent).await.map_err(io_error)?;
            }
            write_whole(&to, &tokio::fs::read(&path).await.map_err(io_error)?).await?;
        }
        Ok(n)
    }

    /// Every stored file as (county, hash, path); none when the folder does not exist yet.
    async fn files(&self) -> Result<Vec<(String, String, PathBuf)>> {
        let mut out = Vec::new();
        for county in list_dir(&self.dir).await? {
            let Some(c) = file_name(&county).filter(|c| is_county(c)) else {
                continue;
            };
            for prefix in list_dir(&county).await? {
                for file in list_dir(&prefix).await? {
                    if let Some(sha) = file_name(&file).filter(|s| is_sha256(s)) {
                        out.push((c.clone(), sha, file));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The entries of a folder (none when it does not exist or is not a folder).
async fn list_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(e) => e,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(Vec::new());
        }
        Err(e) => return Err(io_error(e)),
    };
    let mut out = Vec::new();
    while let Some(entry) = entries.next_entry().await.map_err(io_error)? {
        out.push(entry.path());
    }
    out.sort();
    Ok(out)
}

fn file_name(path: &Path) -> Option<String> {
    path.file_name().and_then(|n| n.to_str()).map(str::to_owned)
}

/// Writes `bytes` to a temporary name beside `path` and renames it: `path` is never half-written.
async fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp{}", shouwang_store::ids::new_id()));
    tokio::fs::write(&tmp, bytes).await.map_err(io_error)?;
    tokio::fs::rename(&tmp, path).await.map_err(io_error)
}

/// SHA-256 of `bytes` as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A file name safe to keep and to send back: the last path component, without control characters,
/// at most 120 characters.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .take(120)
        .collect();
    cleaned.trim().to_owned()
}

fn refuse(zh: String, en: String) -> StoreError {
    StoreError::Refused(Refusal::invalid(zh, en))
}

/// Stores an uploaded file for the caller's county and registers it (audited). Refuses (bad input)
/// an empty or oversized file, a missing name, a media type outside the allow-list or one the
/// content does not match. Returns the metadata row (the same row when the content is already
/// there).
pub async fn upload(
    db: &Db,
    files: &FileStore,
    caller: &Caller,
    name: &str,
    media_type: &str,
    bytes: &[u8],
) -> Result<AttachmentRow> {
    let county = caller.county()?;
    if !caller.scope.may_write() {
        return Err(StoreError::Forbidden);
    }
    if bytes.is_empty() {
        return Err(refuse("文件为空".into(), "The file is empty".into()));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(refuse(
            format!(
                "文件过大（{} 字节），单个附件不超过 {} MB",
                bytes.len(),
                MAX_ATTACHMENT_BYTES / 1024 / 1024
            ),
            format!(
                "The file is too large ({} bytes); at most {} MiB",
                bytes.len(),
                MAX_ATTACHMENT_BYTES / 1024 / 1024
            ),
        ));
    }
    let media_type = media_type.trim().to_ascii_lowercase();
    let Some((_, magic)) = ALLOWED.iter().find(|(t, _)| *t == media_type) else {
        let allowed: Vec<&str> = ALLOWED.iter().map(|(t, _)| *t).collect();
        return Err(refuse(
            format!(
                "不支持的文件类型 {media_type}（可上传 {}）",
                allowed.join("、")
            ),
            format!(
                "Unsupported media type {media_type:?} (allowed: {})",
                allowed.join(", ")
            ),
        ));
    };
    if !magic.iter().any(|m| bytes.starts_with(m)) {
        return Err(refuse(
            format!("文件内容与类型 {media_type} 不符"),
            format!("The content does not match the media type {media_type}"),
        ));
    }
    let name = clean_name(name);
    let sha = sha256_hex(bytes);
    let attachment = Attachment::new(name, &sha, media_type)?;
    files.put(db.keys(), &county, &sha, bytes).await?;
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    cases::register_attachment(db, &caller.actor(), &caller.scope, &attachment, size).await
}

/// The metadata and bytes of an attachment the caller may read (`NotFound` otherwise: see
/// `repo::cases::attachment` — a township or village user reads only its area's cases' files); the
/// download is written to the audit log.
pub async fn download(
    db: &Db,
    files: &FileStore,
    caller: &Caller,
    sha256: &str,
) -> crate::error::Result<(AttachmentRow, Vec<u8>)> {
    let sha = sha256.trim().to_ascii_lowercase();
    if !is_sha256(&sha) {
        return Err(StoreError::NotFound.into());
    }
    let row = cases::readable_attachment(db, &caller.scope, &sha)
        .await?
        .ok_or(StoreError::NotFound)?;
    let bytes = files.read(db.keys(), &row.county_code, &sha).await?;
    crate::privacy::download(db, &caller.actor(), &sha, &row.name, None).await?;
    Ok((row, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\scan\\申请书.jpg"), "申请书.jpg");
        assert_eq!(clean_name("a\u{0}b\"c.pdf"), "abc.pdf");
        let fs = FileStore::new("/x");
        let sha = "ab".repeat(32);
        assert_eq!(
            fs.path_of("141123", &sha),
            Some(PathBuf::from(format!("/x/141123/ab/{sha}")))
        );
        assert_eq!(fs.path_of("14112", &sha), None);
        assert_eq!(fs.path_of("141123", "../x"), None);
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
