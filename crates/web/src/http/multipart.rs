//! Reading an upload form (`multipart/form-data`) into a temporary folder: the text fields, and each
//! file streamed to disk under a name of our own (the user's file name is kept for messages only), with
//! a size limit that answers a clear message instead of a broken connection.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use shouwang_app::Kind;
use std::sync::Arc;

use shouwang_app::uploads::{Spool, SpooledFile, StoredUpload};

use crate::http::error::AppError;

/// A read form.
#[derive(Debug, Default)]
pub struct UploadForm {
    pub fields: HashMap<String, String>,
    pub files: Vec<StoredUpload>,
}

impl UploadForm {
    /// A text field, trimmed ("" if absent).
    pub fn text(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |s| s.trim())
    }

    /// The file uploaded in `field`, moved into the spool for its job; 422 when there is none.
    pub fn spool_file(&self, field: &str, spool: &Spool) -> Result<Arc<SpooledFile>, AppError> {
        let Some(file) = self.files.iter().find(|f| f.field == field) else {
            return Err(AppError::invalid(
                format!("请选择要上传的文件（字段 {field}）"),
                format!("Choose the file to upload (field `{field}`)"),
            ));
        };
        spool
            .keep(file)
            .map_err(|e| AppError::internal(format!("cannot spool the upload: {e}")))
    }
}

/// Megabytes, for messages.
pub fn mb(bytes: u64) -> u64 {
    bytes / (1024 * 1024)
}

fn too_large(max_total: u64) -> AppError {
    AppError::new(
        Kind::TooLarge,
        "too_large",
        format!(
            "文件过大：一次上传的文件合计不能超过 {} MB，请分批上传或删去多余的列",
            mb(max_total)
        ),
        format!(
            "The upload is too large: the files together may not exceed {} MB; upload them in parts",
            mb(max_total)
        ),
    )
}

fn broken(e: &MultipartError, max_total: u64) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(max_total);
    }
    AppError::bad_request(
        "bad_multipart",
        format!(
            "上传的表单无法读取（{}），请重新选择文件后提交",
            e.body_text()
        ),
        format!(
            "The uploaded form could not be read ({}); choose the files again and resubmit",
            e.body_text()
        ),
    )
}

fn write_err(e: std::io::Error) -> AppError {
    AppError::internal(format!("the server could not store the uploaded file: {e}"))
}

/// The last path component of a browser-sent file name, without control characters.
fn base_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    last.chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Reads every part of `multipart`: text fields (at most 4 KiB each) into `fields`, files into `dir`
/// (`upload-N.bin`); file parts without a name and without content (an empty file input) are
/// skipped. More than `max_total` bytes of files in all → 413 with a clear message.
pub async fn read_form(
    mut multipart: Multipart,
    dir: &Path,
    max_total: u64,
) -> Result<UploadForm, AppError> {
    let mut form = UploadForm::default();
    let mut total: u64 = 0;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(broken(&e, max_total)),
        };
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(base_name) {
            None => {
                let mut field = field;
                let mut text = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(c)) => {
                            if text.len() + c.len() > 4096 {
                                return Err(AppError::bad_request(
                                    "bad_multipart",
                                    format!("表单字段 {name} 过长"),
                                    format!("form field {name} is too long"),
                                ));
                            }
                            text.extend_from_slice(&c);
                        }
                        Ok(None) => break,
                        Err(e) => return Err(broken(&e, max_total)),
                    }
                }
                form.fields
                    .insert(name, String::from_utf8_lossy(&text).into_owned());
            }
            Some(file_name) => {
                let mut field = field;
                let path = dir.join(format!("upload-{}.bin", form.files.len()));
                let mut out = std::fs::File::create(&path).map_err(write_err)?;
                let mut size: u64 = 0;
                loop {
                    match field.chunk().await {
                        Ok(Some(c)) => {
                            size += c.len() as u64;
                            total += c.len() as u64;
                            if total > max_total {
                                return Err(too_large(max_total));
                            }
                            out.write_all(&c).map_err(write_err)?;
                        }
                        Ok(None) => break,
                        Err(e) => return Err(broken(&e, max_total)),
                    }
                }
                out.flush().map_err(write_err)?;
                if file_name.is_empty() && size == 0 {
                    let _ = std::fs::remove_file(&path);
                    continue;
                }
                let ext = file_name
                    .rsplit_once('.')
                    .map(|(_, e)| e.to_lowercase())
                    .unwrap_or_default();
                form.files.push(StoredUpload {
                    field: name,
                    name: file_name,
                    ext,
                    path,
                });
            }
        }
    }
    Ok(form)
}

/// A temporary folder in the spool to read an upload form into (500 if it cannot be made).
pub fn temp_dir(spool: &Spool) -> Result<tempfile::TempDir, AppError> {
    spool
        .temp_dir()
        .map_err(|e| AppError::internal(format!("temp dir: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_names_lose_their_folders() {
        assert_eq!(base_name("C:\\Users\\me\\医保.csv"), "医保.csv");
        assert_eq!(base_name("a/b/c.xlsx"), "c.xlsx");
        assert_eq!(base_name("x\u{0}y.csv"), "xy.csv");
    }
}
