//! `shouwang-io` — reading and writing the files that counties and departments
//! exchange (文件读写): text encoding detection (UTF-8, UTF-8 with BOM, UTF-16,
//! GBK / GB18030) and XLSX sheets read as rows of text. Header names are matched
//! with the one alias table of `shouwang_core::headers` (表头别名).
//!
//! The screening engine (`shouwang-screen`) has its own byte-level CSV scanner
//! for speed; it uses this crate for everything around it: decoding a non-UTF-8
//! file and turning spreadsheet cells into the same text a CSV export would carry.

pub mod archive;
mod calamine_guard;
pub mod document_docx;
pub mod document_html;
pub mod encoding;
pub mod ledger_xlsx;
pub mod quality_xlsx;
pub mod registry;
pub mod registry_rows;
pub mod registry_xlsx;
pub mod xlsx;
mod xlsx_fast;

/// The fast XLSX reader against calamine, for the fuzz targets of `shouwang-fuzzing` (feature `fuzzing`).
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    pub use crate::registry::differential::{
        fast_matches_calamine, read_matches_reference, write_zip,
    };
}

use std::path::PathBuf;

/// Errors of file reading (文件读取错误).
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The spreadsheet could not be parsed.
    #[error("cannot read spreadsheet {path}: {message}")]
    Spreadsheet { path: PathBuf, message: String },
    /// The spreadsheet is an archive past a decompression limit (a zip bomb?).
    #[error("cannot read spreadsheet {path}: {}", .refusal.en())]
    Archive {
        path: PathBuf,
        refusal: archive::Refusal,
    },
    /// The spreadsheet has no worksheet.
    #[error("spreadsheet {path} has no worksheet")]
    NoSheet { path: PathBuf },
    /// A workbook could not be written.
    #[error("cannot write the workbook: {message}")]
    Write { message: String },
}

impl IoError {
    /// The Chinese message shown to a county clerk (中文提示).
    pub fn message_zh(&self) -> String {
        match self {
            IoError::Read { path, source } => {
                format!("无法读取文件 {}：{source}", path.display())
            }
            IoError::Spreadsheet { path, message } => {
                format!("无法读取表格 {}：{message}", path.display())
            }
            IoError::Archive { path, refusal } => {
                format!("无法读取表格 {}：{}", path.display(), refusal.zh())
            }
            IoError::NoSheet { path } => format!("表格 {} 没有工作表", path.display()),
            IoError::Write { message } => format!("无法生成表格：{message}"),
        }
    }
}
