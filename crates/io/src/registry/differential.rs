//! The fast XLSX reader ([`crate::xlsx_fast`]) against calamine (差分比对), for the differential tests
//! (`fast_tests`, `fast_props`) and the fuzz targets (`shouwang-fuzzing`, feature `fuzzing`): what each
//! reader gives for a workbook, and whether they agree. Never panics; a disagreement is an `Err` naming it.

use std::io::{Cursor, Write as _};

use calamine::{Dimensions, Reader, Sheets};
use shouwang_core::registry::{SheetKind, SheetLayout};

use super::cells::{CellSource, FastCells, Hint, dataref_text};
use super::{FileInfo, RowSink, Unusable, read, read_reference};
use crate::calamine_guard::guarded;
use crate::xlsx_fast;

/// What a sheet gives: name, cells (row, column, plain text, digits-column text), merged areas.
pub(crate) type Dump = (String, Vec<(u32, u32, String, String)>, Vec<Dimensions>);

fn dump_cells(cells: &mut dyn CellSource) -> Option<Vec<(u32, u32, String, String)>> {
    let mut out = Vec::new();
    while let Some((r, c)) = cells.advance().ok()? {
        let (mut plain, mut digits) = (String::new(), String::new());
        cells.text(Hint::Plain, &mut plain);
        cells.text(Hint::Digits, &mut digits);
        out.push((r, c, plain, digits));
    }
    Some(out)
}

/// Every worksheet as the fast reader reads it whole, or why it stopped.
pub(crate) fn fast_dump(bytes: &[u8]) -> Result<Vec<Dump>, xlsx_fast::Fail> {
    let book = xlsx_fast::Book::open(bytes)?;
    book.sheets
        .iter()
        .map(|s| {
            let cells = dump_cells(&mut FastCells::new(&book, s)).ok_or(xlsx_fast::Fail::GiveUp)?;
            Ok((s.name.clone(), cells, s.merges.clone()))
        })
        .collect()
}

/// Every worksheet as calamine's cell reader reads it, or its error (or panic) as text.
pub(crate) fn calamine_dump(bytes: &[u8]) -> Result<Vec<Dump>, String> {
    guarded(|| calamine_cells(bytes)).unwrap_or_else(|| Err("calamine panicked".into()))
}

fn calamine_cells(bytes: &[u8]) -> Result<Vec<Dump>, String> {
    let book =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let Sheets::Xlsx(mut x) = book else {
        return Err("not XLSX".into());
    };
    let names: Vec<String> = x
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == calamine::SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    let mut out = Vec::new();
    for name in names {
        let merges = match x.worksheet_merge_cells(&name) {
            Some(Ok(m)) => m,
            Some(Err(e)) => return Err(e.to_string()),
            None => Vec::new(),
        };
        let mut reader = x.worksheet_cells_reader(&name).map_err(|e| e.to_string())?;
        let mut cells = Vec::new();
        while let Some(c) = reader.next_cell().map_err(|e| e.to_string())? {
            let (r, col) = c.get_position();
            let (mut plain, mut digits) = (String::new(), String::new());
            dataref_text(c.get_value(), Hint::Plain, &mut plain);
            dataref_text(c.get_value(), Hint::Digits, &mut digits);
            cells.push((r, col, plain, digits));
        }
        out.push((name, cells, merges));
    }
    Ok(out)
}

/// Whether the fast reader read the workbook (`Ok(true)`), left it to calamine (`Ok(false)`), or read
/// it differently from calamine (`Err`).
pub fn fast_matches_calamine(bytes: &[u8]) -> Result<bool, String> {
    let Ok(fast) = fast_dump(bytes) else {
        return Ok(false);
    };
    match calamine_dump(bytes) {
        Ok(slow) if slow == fast => Ok(true),
        Ok(slow) => Err(format!("fast reader {fast:?}\ncalamine {slow:?}")),
        Err(e) => Err(format!("fast reader {fast:?}\ncalamine failed: {e}")),
    }
}

/// A merged area declared to a sink: sheet, rows, columns.
pub(crate) type Merged = (usize, (u32, u32), (usize, usize));

/// Everything a sink is told.
#[derive(Default, Debug, PartialEq)]
pub(crate) struct Record {
    pub sheets: Vec<(String, SheetKind, u32)>,
    pub merges: Vec<Merged>,
    pub rows: Vec<(usize, u32, Vec<String>)>,
    /// Times the sink was told to start again, and the rows it had been told before the last time
    /// (not compared: see [`same_read`]).
    pub restarts: usize,
    pub rows_before_restart: usize,
}

impl Record {
    /// The rows told, sheet by sheet.
    pub fn by_sheet(&self) -> Vec<Vec<&(usize, u32, Vec<String>)>> {
        (0..self.sheets.len())
            .map(|i| self.rows.iter().filter(|r| r.0 == i).collect())
            .collect()
    }
}

impl RowSink for Record {
    fn begin_sheet(&mut self, layout: SheetLayout) -> usize {
        self.sheets
            .push((layout.name.to_string(), layout.kind, layout.header_row));
        self.sheets.len() - 1
    }
    fn merged(&mut self, sheet: usize, rows: (u32, u32), cols: (usize, usize)) {
        self.merges.push((sheet, rows, cols));
    }
    fn row(&mut self, sheet: usize, row: u32, cells: &[String]) {
        self.rows.push((sheet, row, cells.to_vec()));
    }
    fn restart(&mut self) {
        *self = Record {
            restarts: self.restarts + 1,
            rows_before_restart: self.rows.len(),
            ..Record::default()
        };
    }
}

/// The whole read (header detection, merges, rows) through [`read`], whichever way it takes, and
/// through calamine alone ([`read_reference`]): what [`read`] told its sink, or how the two differ.
pub(crate) fn same_read(bytes: &[u8]) -> Result<Record, String> {
    let mut fast = Record::default();
    let a = read("t.xlsx", bytes, &mut fast, &|_, _| {});
    let mut slow = Record::default();
    let b = read_reference("t.xlsx", bytes, &mut slow, &|_, _| {});
    // A damaged file is refused by both, by the fast reader with what it found.
    let damaged = |r: &Result<FileInfo, Unusable>| {
        r.as_ref()
            .is_err_and(|u| format!("{u:?}").contains("(damaged"))
    };
    if a != b && !(damaged(&a) && damaged(&b)) {
        return Err(format!("read {a:?}\nreference {b:?}"));
    }
    if a.is_err() {
        return Ok(fast);
    }
    if (&fast.sheets, &fast.merges) != (&slow.sheets, &slow.merges) {
        return Err(format!(
            "sheets or merges: read {:?} {:?}\nreference {:?} {:?}",
            fast.sheets, fast.merges, slow.sheets, slow.merges
        ));
    }
    // The streaming reader hands out a household sheet's and a member sheet's rows together: the same
    // rows, sheet by sheet in the same order.
    if fast.by_sheet() != slow.by_sheet() {
        return Err(format!(
            "rows: read {:?}\nreference {:?}",
            fast.rows, slow.rows
        ));
    }
    Ok(fast)
}

/// [`same_read`] without the record: the registry read of a file, fast path or not, tells its sink what
/// the calamine-only read tells it.
pub fn read_matches_reference(bytes: &[u8]) -> Result<(), String> {
    same_read(bytes).map(|_| ())
}

/// An archive of the given parts (deflated), as a workbook is.
pub fn write_zip(parts: &[(&str, &[u8])]) -> Result<Vec<u8>, String> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        out.start_file(*name, options).map_err(|e| e.to_string())?;
        out.write_all(data).map_err(|e| e.to_string())?;
    }
    Ok(out.finish().map_err(|e| e.to_string())?.into_inner())
}
