//! XLSX (and XLS / ODS) sheets read as rows of text (电子表格读取).
//!
//! A department may send any file as a spreadsheet instead of CSV. The first
//! worksheet is read; each cell is turned into the text a CSV export of the
//! same data would carry, so that one validator serves both: ID numbers stored
//! as text stay text, money stored as a number becomes its shortest decimal
//! form (`1234.5`), and a date stored as an Excel date (or as a plain serial
//! number in a date column) becomes `YYYY-MM-DD`.

use std::fmt::Write as _;
use std::path::Path;

use calamine::{Data, Range, Reader};

use crate::IoError;
use crate::archive::{LIMITS, check_inflated};
use crate::calamine_guard::{DAMAGED_ZH, guarded};

/// What a column holds, to render numbers and dates the way the validator
/// expects (列的类型提示).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellHint {
    /// Free text, codes, money and counts: numbers in shortest decimal form.
    Plain,
    /// A date column: Excel dates and serial numbers become `YYYY-MM-DD`.
    Date,
    /// An ID-number column: a number here is an ID that Excel converted;
    /// it is rendered in scientific notation (`1.41123E17`) so that the
    /// validator reports it as such.
    IdNumber,
}

/// The first worksheet of a workbook.
pub struct Sheet {
    range: Range<Data>,
}

impl Sheet {
    /// Opens a workbook (`.xlsx`, `.xlsm`, `.xls`, `.ods`) and reads its first worksheet; an archive
    /// past a decompression limit ([`crate::archive`]) is refused before calamine opens it.
    pub fn open(path: &Path) -> Result<Sheet, IoError> {
        let err = |e: calamine::Error| IoError::Spreadsheet {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let file = std::fs::File::open(path).map_err(|source| IoError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        check_inflated(std::io::BufReader::new(file), &LIMITS).map_err(|refusal| {
            IoError::Archive {
                path: path.to_path_buf(),
                refusal,
            }
        })?;
        let read = || {
            let mut book = calamine::open_workbook_auto(path).map_err(err)?;
            let range = book
                .worksheet_range_at(0)
                .ok_or_else(|| IoError::NoSheet {
                    path: path.to_path_buf(),
                })?
                .map_err(err)?;
            Ok(Sheet { range })
        };
        guarded(read).unwrap_or_else(|| {
            Err(IoError::Spreadsheet {
                path: path.to_path_buf(),
                message: DAMAGED_ZH.to_owned(),
            })
        })
    }

    /// The 1-based spreadsheet row number of the first row of [`Sheet::rows`].
    pub fn first_row_number(&self) -> u64 {
        self.range.start().map_or(1, |(r, _)| u64::from(r) + 1)
    }

    /// Number of columns in the used range.
    pub fn width(&self) -> usize {
        self.range.width()
    }

    /// The rows of the used range, top to bottom.
    pub fn rows(&self) -> impl Iterator<Item = &[Data]> {
        self.range.rows()
    }
}

/// A worksheet as text (表格文本): its header row and its data rows, each with its 1-based row number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextTable {
    /// The header row (the first row with a non-empty cell), trimmed.
    pub headers: Vec<String>,
    /// The rows below it: row number as the spreadsheet shows it, and each cell's text.
    pub rows: Vec<(u32, Vec<String>)>,
}

/// The first worksheet of a workbook (`.xlsx`, `.xls`, `.ods`) as text, every cell as [`cell_text`]
/// renders it with [`CellHint::Plain`] (a small table, read whole: a 清产核资 asset list, say).
pub fn text_table(path: &Path) -> Result<TextTable, IoError> {
    let sheet = Sheet::open(path)?;
    let first = sheet.first_row_number();
    let mut out = TextTable::default();
    let mut header_seen = false;
    for (i, cells) in sheet.rows().enumerate() {
        let number = u32::try_from(first + i as u64).unwrap_or(u32::MAX);
        let texts: Vec<String> = cells
            .iter()
            .map(|c| {
                let mut s = String::new();
                cell_text(c, CellHint::Plain, &mut s);
                s.trim().to_owned()
            })
            .collect();
        if !header_seen {
            if texts.iter().any(|t| !t.is_empty()) {
                out.headers = texts;
                header_seen = true;
            }
            continue;
        }
        out.rows.push((number, texts));
    }
    Ok(out)
}

/// Appends the text of one cell to `out`.
pub fn cell_text(cell: &Data, hint: CellHint, out: &mut String) {
    match cell {
        Data::Empty => {}
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Data::Error(e) => {
            let _ = write!(out, "#{e:?}");
        }
        Data::Int(i) => match hint {
            CellHint::Date => serial_date(*i as f64, false, out),
            CellHint::IdNumber => {
                let _ = write!(out, "{:E}", *i as f64);
            }
            CellHint::Plain => {
                let _ = write!(out, "{i}");
            }
        },
        Data::Float(f) => match hint {
            CellHint::Date => serial_date(*f, false, out),
            CellHint::IdNumber => {
                let _ = write!(out, "{f:E}");
            }
            CellHint::Plain => plain_number(*f, out),
        },
        Data::DateTime(dt) => {
            if dt.is_datetime() {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                let _ = write!(out, "{y:04}-{m:02}-{d:02}");
            } else {
                plain_number(dt.as_f64(), out);
            }
        }
    }
}

/// Shortest decimal form of a number (Rust's `Display` for `f64` never uses
/// an exponent): `1234.5`, `6500`, `0.3`.
fn plain_number(f: f64, out: &mut String) {
    let _ = write!(out, "{f}");
}

/// An Excel serial day number (1900 system) as `YYYY-MM-DD`; a number that is
/// not a plausible serial (negative, beyond 9999-12-31, or with a fraction in
/// a plain number) is written as a number, which the validator then rejects.
fn serial_date(f: f64, _is_1904: bool, out: &mut String) {
    if !(1.0..2_958_466.0).contains(&f) || f.fract() != 0.0 {
        plain_number(f, out);
        return;
    }
    let serial = f as i64;
    if serial == 60 {
        // Excel's fictitious 1900-02-29
        out.push_str("1900-02-29");
        return;
    }
    // serial 1 = 1900-01-01; Excel counts a 1900-02-29 that never was.
    let days_from_1899_12_31 = if serial < 60 { serial } else { serial - 1 };
    let (y, m, d) = civil_from_days(days_from_1899_12_31 + days_from_civil(1899, 12, 31));
    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(cell: Data, hint: CellHint) -> String {
        let mut s = String::new();
        cell_text(&cell, hint, &mut s);
        s
    }

    #[test]
    fn cells_as_csv_text() {
        assert_eq!(text(Data::Float(1234.5), CellHint::Plain), "1234.5");
        assert_eq!(text(Data::Float(6500.0), CellHint::Plain), "6500");
        assert_eq!(
            text(Data::Float(1e16), CellHint::Plain),
            "10000000000000000"
        );
        assert_eq!(text(Data::Int(3), CellHint::Plain), "3");
        assert_eq!(text(Data::Float(44625.0), CellHint::Date), "2022-03-05");
        assert_eq!(text(Data::Float(1.0), CellHint::Date), "1900-01-01");
        assert_eq!(text(Data::Float(61.0), CellHint::Date), "1900-03-01");
        assert_eq!(text(Data::Float(20220305.0), CellHint::Date), "20220305");
        assert_eq!(text(Data::Float(44625.5), CellHint::Date), "44625.5");
        assert!(text(Data::Float(1.41123199001011e17), CellHint::IdNumber).contains('E'));
        assert_eq!(
            text(
                Data::String("14112319900101123X".into()),
                CellHint::IdNumber
            ),
            "14112319900101123X"
        );
    }

    #[test]
    fn civil_days_roundtrip() {
        for z in -800_000..800_000 {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }
}
