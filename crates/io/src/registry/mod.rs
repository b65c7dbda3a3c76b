//! Reading a registry file 农户信息台账 (XLSX, XLS, ODS or CSV in UTF-8 / GBK) into rows of text for
//! [`shouwang_core::registry::Assembler`] (or any other [`RowSink`]).
//!
//! - The format is taken from the content, not the file name: a ZIP is a workbook (XLSX, ODS), an OLE
//!   file an XLS, text a CSV (encoding detected, see [`crate::encoding`]); anything else (a PDF, a
//!   picture, a Word file) is refused as "not a spreadsheet".
//! - In each sheet the header row is the first of the top 8 rows that names at least three registry
//!   columns (title rows above it are skipped). Sheets that name none (说明, 统计) are ignored.
//! - XLSX sheets are streamed cell by cell, so a large registry is never held twice in memory and rows
//!   reach the sink while the file is still being read: by the fast reader ([`crate::xlsx_fast`]) in the
//!   common case, which tells the sink to start again ([`RowSink::restart`]) if it meets something it does
//!   not read exactly as calamine (merged cells among them), and otherwise by calamine's cell reader. XLS
//!   and ODS sheets are read whole.
//! - Cells become the text a CSV export would carry, except in columns of digits (身份证号, 户编号,
//!   村代码, 联系电话): a number there is written out in full if it is exact (below 10^15), and in
//!   scientific notation otherwise, so that an ID number Excel turned into `1.41123E+17` is reported as
//!   such instead of being read as wrong digits.
//! - Merged cells are filled with their top-left value and declared to the sink, which decides
//!   (household columns merged down one household are fine; see `Assembler::merged`).
//!
//! Whatever makes the file unusable as a whole (not a spreadsheet, no registry sheet, a required
//! column missing, layouts mixed) is returned as [`Unusable`]; the sink has then been told no row, or
//! been told to start again after the rows it was told.
//!
//! Here: the entry points ([`read`], [`read_reference`], [`read_assembled`]), what a file is
//! ([`sniff`]), what was read ([`FileInfo`], [`Unusable`]) and the header search. The rest by step:
//! `sink` (where the rows go: [`RowSink`], [`StreamingSink`]), `workbook` (reading a workbook, fast or
//! careful), `cells` (cell sources and cell text), `rows` (rows from cells), `merges` (merged cells),
//! `csv_file` (reading a CSV file).

mod cells;
mod csv_file;
#[cfg(any(test, feature = "fuzzing"))]
#[cfg_attr(not(feature = "fuzzing"), allow(dead_code))]
pub(crate) mod differential;
mod merges;
mod rows;
mod sink;
mod workbook;

use shouwang_core::registry::values::Reason;
use shouwang_core::registry::{Assembler, Problem, SheetKind, SheetLayout};

use crate::encoding;
pub(crate) use cells::{Hint, hints, number_text};
use csv_file::read_csv;
pub use sink::{Handout, RowSink, StreamingSink};
use workbook::{Book, guarded_read, open_calamine, read_book, read_workbook};

/// Rows above the header that may hold titles.
const HEADER_SEARCH_ROWS: usize = 8;

/// The file cannot be used at all (exit status 2 of `shouwang import`): each problem has row 0 or the
/// header row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unusable(pub Vec<Problem>);

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Unusable {}

fn unusable(file: &str, zh: impl Into<String>, en: impl Into<String>) -> Unusable {
    Unusable(vec![Problem::new(file, 0, "", "", Reason::new(zh, en))])
}

/// The format of a file, from its first bytes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Format {
    /// A ZIP container: XLSX (or ODS, XLSB).
    Zip,
    /// An OLE compound file: XLS.
    Ole,
    /// Text: CSV.
    Text,
    /// Something else.
    Binary,
}

/// What a file is, by its content.
pub fn sniff(bytes: &[u8]) -> Format {
    if bytes.starts_with(b"PK\x03\x04") {
        return Format::Zip;
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Format::Ole;
    }
    const MAGIC: &[&[u8]] = &[
        b"%PDF",
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"GIF8",
        b"Rar!",
        b"7z\xBC\xAF",
        b"\x1F\x8B",
        b"BM",
        b"{\\rtf",
        b"\x7FELF",
    ];
    if MAGIC.iter().any(|m| bytes.starts_with(m)) {
        return Format::Binary;
    }
    let enc = encoding::detect(&bytes[..bytes.len().min(65_536)]);
    if matches!(
        enc,
        encoding::TextEncoding::Utf16Le | encoding::TextEncoding::Utf16Be
    ) {
        return Format::Text;
    }
    let sample = &bytes[..bytes.len().min(8192)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
        .count();
    if controls > 0 {
        return Format::Binary;
    }
    Format::Text
}

/// What was read, besides the rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileInfo {
    /// `XLSX`, `XLS`, `ODS`, `CSV (UTF-8)`, `CSV (GB18030/GBK)` …
    pub format: String,
    /// The registry sheets read, with their kind.
    pub sheets: Vec<(String, SheetKind)>,
    /// Sheets ignored (no registry header).
    pub ignored_sheets: Vec<String>,
}

/// Reads a registry file from its bytes into `sink`. `name` is the file name (the sheet name of a
/// CSV, and the "sheet" of file-level problems). `progress(rows_done, rows_total)` is called now and
/// then (the total is an estimate from the sheet dimensions).
pub fn read(
    name: &str,
    bytes: &[u8],
    sink: &mut dyn RowSink,
    progress: &dyn Fn(u64, u64),
) -> Result<FileInfo, Unusable> {
    if bytes.is_empty() {
        return Err(unusable(name, "文件是空的", "the file is empty"));
    }
    match sniff(bytes) {
        Format::Zip | Format::Ole => read_workbook(name, bytes, sink, progress),
        Format::Text => read_csv(name, bytes, sink, progress),
        Format::Binary => Err(unusable(
            name,
            "这不是电子表格文件：请上传 Excel（.xlsx / .xls）或 CSV 格式的农户台账",
            "this is not a spreadsheet: upload the registry as Excel (.xlsx / .xls) or CSV",
        )),
    }
}

/// [`read`] with calamine alone (no fast XLSX reader): the reference the fast reader is tested
/// against, and a way to time the difference.
pub fn read_reference(
    name: &str,
    bytes: &[u8],
    sink: &mut dyn RowSink,
    progress: &dyn Fn(u64, u64),
) -> Result<FileInfo, Unusable> {
    if bytes.is_empty() {
        return Err(unusable(name, "文件是空的", "the file is empty"));
    }
    match sniff(bytes) {
        Format::Zip | Format::Ole => guarded_read(name, sink, |sink| {
            let book = open_calamine(name, bytes)?;
            read_book(name, Book::Calamine(book), sink, progress)
                .map_err(|stop| stop.unusable(name))
        }),
        _ => read(name, bytes, sink, progress),
    }
}

/// Reads a registry file into a fresh [`Assembler`] and validates it.
pub fn read_assembled(
    name: &str,
    bytes: &[u8],
    progress: &dyn Fn(u64, u64),
) -> Result<(FileInfo, shouwang_core::registry::Assembled), Unusable> {
    let mut a = Assembler::new();
    let info = read(name, bytes, &mut a, progress)?;
    Ok((info, a.finish()))
}

// ------------------------------------------------------------------------------------------------
// Header detection.

/// Finds the header row among the first rows and recognises the sheet.
fn detect(
    sheet: &str,
    first_rows: &[(u32, Vec<String>)],
) -> Result<Option<SheetLayout>, Vec<Problem>> {
    let header = first_rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .find(|(_, cells)| SheetLayout::recognised(cells) >= 3);
    match header {
        Some((row, cells)) => SheetLayout::detect(sheet, *row, cells),
        None => Ok(None),
    }
}

#[cfg(test)]
mod fast_props;
#[cfg(test)]
mod fast_tests;
#[cfg(test)]
mod income_tests;
#[cfg(test)]
pub(crate) use income_tests::exported_households as income_tests_export;
