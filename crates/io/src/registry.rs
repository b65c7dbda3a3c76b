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

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Cursor;

use calamine::{Data, DataRef, Dimensions, Reader, Sheets};
use shouwang_core::registry::values::Reason;
use shouwang_core::registry::{
    Assembled, Assembler, Col, Kind, Problem, RegistryEntry, SheetId, SheetKind, SheetLayout,
    check_layouts,
};

use crate::encoding;
use crate::xlsx_fast;

/// Rows above the header that may hold titles.
const HEADER_SEARCH_ROWS: usize = 8;

/// Where the rows of a registry file go.
pub trait RowSink {
    /// A registry sheet starts; returns its handle.
    fn begin_sheet(&mut self, layout: SheetLayout) -> usize;
    /// A merged area of the sheet (1-based rows, 0-based columns, inclusive), already filled in the rows.
    fn merged(&mut self, sheet: usize, rows: (u32, u32), cols: (usize, usize));
    /// A data row (1-based row number), cells by column position.
    fn row(&mut self, sheet: usize, row: u32, cells: &[String]);
    /// Forget everything told so far: the file is read again from the start. The fast XLSX reader
    /// hands out rows while it still scans the file; if it then meets something it does not read
    /// exactly as calamine would (merged cells, an unusual cell), the file is read again the careful way.
    fn restart(&mut self);
}

impl RowSink for Assembler {
    fn begin_sheet(&mut self, layout: SheetLayout) -> usize {
        Assembler::begin_sheet(self, layout).index()
    }
    fn merged(&mut self, sheet: usize, rows: (u32, u32), cols: (usize, usize)) {
        Assembler::merged(self, SheetId::from_index(sheet), rows, cols);
    }
    fn row(&mut self, sheet: usize, row: u32, cells: &[String]) {
        self.add_row(SheetId::from_index(sheet), row, cells);
    }
    fn restart(&mut self) {
        *self = Assembler::new();
    }
}

/// What a [`StreamingSink`] hands out.
#[derive(Debug)]
pub enum Handout {
    /// Households completed (and valid so far).
    Ready(Vec<RegistryEntry>),
    /// Everything handed out so far is void: the file is read again from the start (see
    /// [`RowSink::restart`]).
    Restart,
}

/// A sink for a streaming import: assembles the rows and, every `every` rows, hands the households
/// completed so far ([`Assembler::take_ready`]) to `ready`, so that they can be written while the rest of
/// the file is read.
pub struct StreamingSink<F: FnMut(Handout)> {
    assembler: Assembler,
    rows: u64,
    every: u64,
    ready: F,
}

impl<F: FnMut(Handout)> StreamingSink<F> {
    /// A sink handing out ready households every `every` rows.
    pub fn new(every: u64, ready: F) -> StreamingSink<F> {
        StreamingSink {
            assembler: Assembler::new(),
            rows: 0,
            every: every.max(1),
            ready,
        }
    }

    /// Validates the whole file (households handed out early included; see [`Assembled::reopened`]).
    pub fn finish(self) -> Assembled {
        self.assembler.finish()
    }
}

impl<F: FnMut(Handout)> RowSink for StreamingSink<F> {
    fn begin_sheet(&mut self, layout: SheetLayout) -> usize {
        self.assembler.begin_sheet(layout).index()
    }
    fn merged(&mut self, sheet: usize, rows: (u32, u32), cols: (usize, usize)) {
        self.assembler
            .merged(SheetId::from_index(sheet), rows, cols);
    }
    fn row(&mut self, sheet: usize, row: u32, cells: &[String]) {
        self.assembler
            .add_row(SheetId::from_index(sheet), row, cells);
        self.rows += 1;
        if self.rows.is_multiple_of(self.every) {
            let ready = self.assembler.take_ready();
            if !ready.is_empty() {
                (self.ready)(Handout::Ready(ready));
            }
        }
    }
    fn restart(&mut self) {
        self.assembler = Assembler::new();
        self.rows = 0;
        (self.ready)(Handout::Restart);
    }
}

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
        Format::Zip | Format::Ole => {
            let book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
                .map_err(|e| workbook_error(name, &e))?;
            read_book(name, Book::Calamine(book), sink, progress)
                .map_err(|stop| stop.unusable(name))
        }
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

/// How a column's cells are turned into text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hint {
    Plain,
    Digits,
}

fn hints(layout: &SheetLayout, width: usize) -> Vec<Hint> {
    (0..width)
        .map(|i| match layout.column_at(i) {
            Some(c) if c.spec().kind == Kind::Digits => Hint::Digits,
            _ => Hint::Plain,
        })
        .collect()
}

fn number_text(f: f64, hint: Hint, out: &mut String) {
    match hint {
        Hint::Digits if f.fract() == 0.0 && f.abs() < 1e15 => {
            let _ = write!(out, "{}", f as i64);
        }
        Hint::Digits => {
            let _ = write!(out, "{f:E}");
        }
        Hint::Plain => {
            let _ = write!(out, "{f}");
        }
    }
}

fn data_text(cell: &Data, hint: Hint, out: &mut String) {
    match cell {
        Data::Float(f) => number_text(*f, hint, out),
        Data::Int(i) => number_text(*i as f64, hint, out),
        other => crate::xlsx::cell_text(other, crate::xlsx::CellHint::Plain, out),
    }
}

fn dataref_text(cell: &DataRef<'_>, hint: Hint, out: &mut String) {
    match cell {
        DataRef::Empty => {}
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => out.push_str(s),
        DataRef::SharedString(s) => out.push_str(s),
        DataRef::Float(f) => number_text(*f, hint, out),
        DataRef::Int(i) => number_text(*i as f64, hint, out),
        DataRef::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        DataRef::DateTime(dt) => {
            crate::xlsx::cell_text(&Data::DateTime(*dt), crate::xlsx::CellHint::Plain, out)
        }
        DataRef::Error(e) => {
            let _ = write!(out, "#{e:?}");
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Merged cells.

/// Merged areas of a sheet, to fill covered cells with the top-left value.
struct Merges {
    areas: Vec<Dimensions>,
    /// 0-based row → areas covering it.
    by_row: HashMap<u32, Vec<usize>>,
    top_left: Vec<Option<String>>,
}

impl Merges {
    fn new(areas: Vec<Dimensions>) -> Merges {
        let mut by_row: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, a) in areas.iter().enumerate() {
            // Bound the expansion: a merge of a million rows is nonsense anyway.
            let last = a.end.0.min(a.start.0.saturating_add(100_000));
            for r in a.start.0..=last {
                by_row.entry(r).or_default().push(i);
            }
        }
        let n = areas.len();
        Merges {
            areas,
            by_row,
            top_left: vec![None; n],
        }
    }

    /// Fills the covered cells of 0-based row `r`.
    fn fill(&mut self, r: u32, cells: &mut Vec<String>) {
        if self.areas.is_empty() {
            return;
        }
        let Some(list) = self.by_row.get(&r) else {
            return;
        };
        for &i in list {
            let a = self.areas[i];
            let c0 = a.start.1 as usize;
            let c1 = a.end.1 as usize;
            if cells.len() <= c1 {
                cells.resize(c1 + 1, String::new());
            }
            if r == a.start.0 {
                self.top_left[i] = Some(cells[c0].clone());
            }
            let v = self.top_left[i].clone().unwrap_or_default();
            for (c, cell) in cells.iter_mut().enumerate().take(c1 + 1).skip(c0) {
                if r == a.start.0 && c == c0 {
                    continue;
                }
                cell.clone_from(&v);
            }
        }
    }

    fn declare(&self, sheet: usize, header_row: u32, sink: &mut dyn RowSink) {
        for a in &self.areas {
            if a.end.0 + 1 > header_row {
                sink.merged(
                    sheet,
                    (a.start.0 + 1, a.end.0 + 1),
                    (a.start.1 as usize, a.end.1 as usize),
                );
            }
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Workbooks.

fn workbook_error(name: &str, e: &calamine::Error) -> Unusable {
    unusable(
        name,
        format!("无法打开表格文件（不是有效的 Excel / WPS 表格，或已加密、已损坏）：{e}"),
        format!("cannot open the workbook (not a valid Excel file, encrypted or damaged): {e}"),
    )
}

/// Why a read stopped.
#[derive(Debug)]
enum Stop {
    /// The file cannot be used.
    Unusable(Unusable),
    /// The streaming fast reader met something it does not read exactly as calamine would: the
    /// file is read again the careful way (see [`read_workbook`]).
    Retry,
}

impl From<Unusable> for Stop {
    fn from(u: Unusable) -> Stop {
        Stop::Unusable(u)
    }
}

/// A cell source of one XLSX sheet: calamine's cell reader or the fast reader's cells. All go
/// through the same row assembly ([`first_rows`], [`stream_rows`]), so they can only differ in the
/// cells themselves.
trait CellSource {
    /// The next cell's 0-based (row, column), or `None` at the end of the sheet.
    fn advance(&mut self) -> Result<Option<(u32, u32)>, Stop>;
    /// Appends the text of the cell [`CellSource::advance`] stepped on.
    fn text(&self, hint: Hint, out: &mut String);
}

/// calamine's cell reader (its type is not exported: `next` is its `next_cell`).
struct CalamineCells<'a, F> {
    name: &'a str,
    next: F,
    cell: Option<calamine::Cell<DataRef<'a>>>,
}

impl<'a, F> CellSource for CalamineCells<'a, F>
where
    F: FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, calamine::XlsxError>,
{
    fn advance(&mut self) -> Result<Option<(u32, u32)>, Stop> {
        self.cell =
            (self.next)().map_err(|e| workbook_error(self.name, &calamine::Error::Xlsx(e)))?;
        Ok(self.cell.as_ref().map(calamine::Cell::get_position))
    }
    fn text(&self, hint: Hint, out: &mut String) {
        if let Some(c) = &self.cell {
            dataref_text(c.get_value(), hint, out);
        }
    }
}

struct FastCells<'a> {
    book: &'a xlsx_fast::Book,
    sheet: &'a xlsx_fast::Sheet,
    next: usize,
}

impl<'a> FastCells<'a> {
    fn new(book: &'a xlsx_fast::Book, sheet: &'a xlsx_fast::Sheet) -> FastCells<'a> {
        FastCells {
            book,
            sheet,
            next: 0,
        }
    }
}

impl CellSource for FastCells<'_> {
    fn advance(&mut self) -> Result<Option<(u32, u32)>, Stop> {
        let cell = self.sheet.cells.get(self.next);
        self.next += 1;
        Ok(cell.map(|c| (c.row, c.col)))
    }
    fn text(&self, hint: Hint, out: &mut String) {
        fast_text(self.book, self.sheet, self.next, hint, out);
    }
}

/// Appends the text of cell `next - 1` of a fast reader's sheet.
fn fast_text(
    book: &xlsx_fast::Book,
    sheet: &xlsx_fast::Sheet,
    next: usize,
    hint: Hint,
    out: &mut String,
) {
    let Some(cell) = next.checked_sub(1).and_then(|i| sheet.cells.get(i)) else {
        return;
    };
    match &cell.value {
        xlsx_fast::Value::Empty => {}
        xlsx_fast::Value::Shared(i) => out.push_str(book.shared(*i)),
        xlsx_fast::Value::Text(a, b) => out.push_str(sheet.text(*a, *b)),
        xlsx_fast::Value::Number(f) => number_text(*f, hint, out),
        xlsx_fast::Value::Date(f, duration) => crate::xlsx::cell_text(
            &Data::DateTime(book.date(*f, *duration)),
            crate::xlsx::CellHint::Plain,
            out,
        ),
        xlsx_fast::Value::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        xlsx_fast::Value::Error(e) => {
            let _ = write!(out, "#{e:?}");
        }
    }
}

/// The fast reader's cells of one sheet while it scans the part, a chunk at a time (see
/// [`xlsx_fast::SheetScan`]). Anything the scan does not understand stops the read with
/// [`Stop::Retry`].
struct StreamCells<'b, 'f, T: std::io::Read> {
    book: &'b xlsx_fast::Book,
    scan: xlsx_fast::SheetScan<'f, T>,
    /// The cells of the chunk scanned last (and, once the scan is done, the sheet's merged areas).
    sheet: xlsx_fast::Sheet,
    next: usize,
}

impl<T: std::io::Read> StreamCells<'_, '_, T> {
    /// Scans the rest of the sheet without handing out its cells.
    fn drain(&mut self) -> Result<(), Stop> {
        while self.advance()?.is_some() {}
        Ok(())
    }
}

impl<T: std::io::Read> CellSource for StreamCells<'_, '_, T> {
    fn advance(&mut self) -> Result<Option<(u32, u32)>, Stop> {
        loop {
            if let Some(c) = self.sheet.cells.get(self.next) {
                self.next += 1;
                return Ok(Some((c.row, c.col)));
            }
            self.sheet.clear();
            self.next = 0;
            if !self.scan.next(&mut self.sheet).map_err(|_| Stop::Retry)? {
                return Ok(None);
            }
        }
    }
    fn text(&self, hint: Hint, out: &mut String) {
        fast_text(self.book, &self.sheet, self.next, hint, out);
    }
}

/// The cells of the first [`HEADER_SEARCH_ROWS`] rows, as plain text.
fn first_rows(cells: &mut dyn CellSource) -> Result<Vec<(u32, Vec<String>)>, Stop> {
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    let mut out = String::new();
    while let Some((r, c)) = cells.advance()? {
        if r as usize >= HEADER_SEARCH_ROWS {
            break;
        }
        out.clear();
        cells.text(Hint::Plain, &mut out);
        push_cell(&mut rows, r, c as usize, &out);
    }
    Ok(rows)
}

/// The rows of a sheet, one at a time: merged areas filled, blank rows between cells included.
struct RowCursor<'c> {
    cells: &'c mut dyn CellSource,
    hints: &'c [Hint],
    merges: &'c mut Merges,
    /// The cells of the row handed out last, by column position.
    row: Vec<String>,
    /// A cell already stepped on that starts the next row (its text not taken yet).
    next_cell: Option<(u32, u32)>,
    /// Blank rows still to hand out before `next_cell`'s row.
    blank: std::ops::Range<u32>,
    ended: bool,
}

impl<'c> RowCursor<'c> {
    fn new(cells: &'c mut dyn CellSource, hints: &'c [Hint], merges: &'c mut Merges) -> Self {
        RowCursor {
            cells,
            hints,
            merges,
            row: Vec::new(),
            next_cell: None,
            blank: 0..0,
            ended: false,
        }
    }

    /// Takes the text of the cell last stepped on into `row`.
    fn take(&mut self, c: u32) {
        let c = c as usize;
        if self.row.len() <= c {
            self.row.resize(c + 1, String::new());
        }
        let hint = self.hints.get(c).copied().unwrap_or(Hint::Plain);
        self.cells.text(hint, &mut self.row[c]);
    }

    /// The next row's 0-based number, its cells in [`RowCursor::row`]; `None` at the end of the sheet.
    fn next_row(&mut self) -> Result<Option<u32>, Stop> {
        for c in self.row.iter_mut() {
            c.clear();
        }
        if let Some(r) = self.blank.next() {
            self.merges.fill(r, &mut self.row);
            return Ok(Some(r));
        }
        if self.ended {
            return Ok(None);
        }
        let first = match self.next_cell.take() {
            Some(cell) => Some(cell),
            None => self.cells.advance()?,
        };
        let Some((current, c)) = first else {
            self.ended = true;
            return Ok(None);
        };
        self.take(c);
        loop {
            match self.cells.advance()? {
                Some((r, c)) if r == current => self.take(c),
                Some((r, c)) => {
                    // rows without any cell in between: blank rows
                    self.next_cell = Some((r, c));
                    self.blank = current + 1..r;
                    break;
                }
                None => {
                    self.ended = true;
                    break;
                }
            }
        }
        self.merges.fill(current, &mut self.row);
        Ok(Some(current))
    }
}

/// Where the rows of a sheet go: the sink's sheet, and its header row (rows up to it are left out).
#[derive(Clone, Copy)]
struct Feed {
    id: usize,
    header_row: u32,
}

/// Rows read so far, of an estimated total, reported now and then.
struct Count<'p> {
    done: &'p mut u64,
    total: u64,
    progress: &'p dyn Fn(u64, u64),
}

impl Feed {
    /// Hands a row (0-based number) to the sink.
    fn row(self, r: u32, cells: &[String], sink: &mut dyn RowSink, count: &mut Count<'_>) {
        if r + 1 > self.header_row {
            sink.row(self.id, r + 1, cells);
        }
        *count.done += 1;
        if count.done.is_multiple_of(4096) {
            (count.progress)(*count.done, count.total);
        }
    }
}

/// Hands the rows of a sheet to the sink.
fn stream_rows(
    cells: &mut dyn CellSource,
    hints: &[Hint],
    merges: &mut Merges,
    feed: Feed,
    sink: &mut dyn RowSink,
    count: &mut Count<'_>,
) -> Result<(), Stop> {
    let mut rows = RowCursor::new(cells, hints, merges);
    while let Some(r) = rows.next_row()? {
        feed.row(r, &rows.row, sink, count);
    }
    Ok(())
}

/// Hands the rows of a household sheet and a member sheet to the sink together, each member row after
/// the household rows up to its 户编号 (the export writes both sheets in 户编号 order): the first households
/// are complete, and can be written, long before the household sheet is read to its end. Rows in any
/// other order are handed out all the same, only later.
fn stream_two(
    (households, h_key, h_feed): (&mut RowCursor<'_>, Option<usize>, Feed),
    (members, m_key, m_feed): (&mut RowCursor<'_>, Option<usize>, Feed),
    sink: &mut dyn RowSink,
    count: &mut Count<'_>,
) -> Result<(), Stop> {
    fn key(cells: &[String], at: Option<usize>) -> &str {
        at.and_then(|p| cells.get(p)).map_or("", |s| s.trim())
    }
    let mut last: Option<String> = None;
    let mut households_done = false;
    let mut member = members.next_row()?;
    loop {
        while let Some(r) = member {
            let wait = !households_done
                && r + 1 > m_feed.header_row
                && last.as_deref().is_none_or(|k| key(&members.row, m_key) > k);
            if wait {
                break;
            }
            m_feed.row(r, &members.row, sink, count);
            member = members.next_row()?;
        }
        if households_done {
            return Ok(());
        }
        match households.next_row()? {
            Some(r) => {
                h_feed.row(r, &households.row, sink, count);
                let k = key(&households.row, h_key);
                if r + 1 > h_feed.header_row && !k.is_empty() {
                    last = Some(k.to_owned());
                }
            }
            None => households_done = true,
        }
    }
}

/// An opened workbook: the fast XLSX reader's (scanning its sheets as it goes, or read whole), or
/// calamine's.
enum Book<'a> {
    Streaming(xlsx_fast::Opened<'a>),
    Fast(xlsx_fast::Book),
    Calamine(Sheets<Cursor<&'a [u8]>>),
}

/// A sink that notes whether it was told anything.
struct Told<'s> {
    sink: &'s mut dyn RowSink,
    told: bool,
}

impl RowSink for Told<'_> {
    fn begin_sheet(&mut self, layout: SheetLayout) -> usize {
        self.told = true;
        self.sink.begin_sheet(layout)
    }
    fn merged(&mut self, sheet: usize, rows: (u32, u32), cols: (usize, usize)) {
        self.told = true;
        self.sink.merged(sheet, rows, cols);
    }
    fn row(&mut self, sheet: usize, row: u32, cells: &[String]) {
        self.told = true;
        self.sink.row(sheet, row, cells);
    }
    fn restart(&mut self) {
        self.told = false;
        self.sink.restart();
    }
}

/// Reads a workbook. An XLSX is first read by the fast reader as it scans the file, rows handed out
/// as they come. If that read stops for any reason (something the fast reader does not read exactly as
/// calamine would, merged cells, any problem with the file), the sink is told to start again and the
/// file is read the careful way: the fast reader reads it whole first (and gives up before any row is
/// handed out), or calamine reads it. So the answer is always the careful way's; the streaming read
/// only gets it sooner in the common case.
fn read_workbook(
    name: &str,
    bytes: &[u8],
    sink: &mut dyn RowSink,
    progress: &dyn Fn(u64, u64),
) -> Result<FileInfo, Unusable> {
    if sniff(bytes) == Format::Zip
        && let Ok(opened) = xlsx_fast::Opened::open(bytes)
    {
        let mut told = Told { sink, told: false };
        match read_book(name, Book::Streaming(opened), &mut told, progress) {
            Ok(info) => return Ok(info),
            Err(_) if told.told => sink.restart(),
            Err(_) => {}
        }
    }
    read_careful(name, bytes, sink, progress)
}

/// [`read_workbook`] the careful way.
fn read_careful(
    name: &str,
    bytes: &[u8],
    sink: &mut dyn RowSink,
    progress: &dyn Fn(u64, u64),
) -> Result<FileInfo, Unusable> {
    let fast = if sniff(bytes) == Format::Zip {
        xlsx_fast::Book::open(bytes)
    } else {
        Err(xlsx_fast::Fail::GiveUp)
    };
    let book = match fast {
        Ok(book) => Book::Fast(book),
        Err(xlsx_fast::Fail::Damaged(why)) => {
            return Err(unusable(
                name,
                format!("无法打开表格文件（文件已损坏）：{why}"),
                format!("cannot open the workbook (damaged): {why}"),
            ));
        }
        Err(xlsx_fast::Fail::GiveUp) => Book::Calamine(
            calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
                .map_err(|e| workbook_error(name, &e))?,
        ),
    };
    read_book(name, book, sink, progress).map_err(|stop| stop.unusable(name))
}

impl Stop {
    /// The problem of a read that cannot be retried.
    fn unusable(self, name: &str) -> Unusable {
        match self {
            Stop::Unusable(u) => u,
            Stop::Retry => unusable(name, "无法读取表格文件", "cannot read the workbook"),
        }
    }
}

fn read_book(
    name: &str,
    mut book: Book<'_>,
    sink: &mut dyn RowSink,
    progress: &dyn Fn(u64, u64),
) -> Result<FileInfo, Stop> {
    let format = match &book {
        Book::Streaming(_) | Book::Fast(_) | Book::Calamine(Sheets::Xlsx(_)) => "XLSX",
        Book::Calamine(Sheets::Xls(_)) => "XLS",
        Book::Calamine(Sheets::Ods(_)) => "ODS",
        Book::Calamine(Sheets::Xlsb(_)) => "XLSB",
    };
    let sheet_names: Vec<String> = match &book {
        Book::Streaming(o) => o.parts.names().map(str::to_owned).collect(),
        Book::Fast(b) => b.sheets.iter().map(|s| s.name.clone()).collect(),
        Book::Calamine(b) => b
            .sheets_metadata()
            .iter()
            .filter(|s| s.typ == calamine::SheetType::WorkSheet)
            .map(|s| s.name.clone())
            .collect(),
    };
    if sheet_names.is_empty() {
        return Err(unusable(name, "表格中没有工作表", "the workbook has no worksheet").into());
    }
    let mut info = FileInfo {
        format: format.to_owned(),
        ..FileInfo::default()
    };
    // Pass 1: headers of every sheet.
    let mut found: Vec<(SheetLayout, u64)> = Vec::new();
    let mut problems = Vec::new();
    for (index, sheet) in sheet_names.iter().enumerate() {
        let (first, height) = match &mut book {
            Book::Streaming(o) => {
                let (scan, sheet) = o
                    .parts
                    .sheet(index, o.book.strings())
                    .map_err(|_| Stop::Retry)?;
                let height = sheet.height;
                let mut cells = StreamCells {
                    book: &o.book,
                    scan,
                    sheet,
                    next: 0,
                };
                (first_rows(&mut cells)?, height)
            }
            Book::Fast(b) => {
                let s = &b.sheets[index];
                (first_rows(&mut FastCells::new(b, s))?, s.height)
            }
            Book::Calamine(Sheets::Xlsx(x)) => {
                let reader = x
                    .worksheet_cells_reader(sheet)
                    .map_err(|e| workbook_error(name, &calamine::Error::Xlsx(e)))?;
                let height = u64::from(reader.dimensions().end.0) + 1;
                let mut reader = reader;
                let mut cells = CalamineCells {
                    name,
                    next: || reader.next_cell(),
                    cell: None,
                };
                (first_rows(&mut cells)?, height)
            }
            Book::Calamine(other) => {
                let range = other
                    .worksheet_range(sheet)
                    .map_err(|e| workbook_error(name, &e))?;
                let start = range.start().map_or(0, |(r, _)| r);
                let rows: Vec<(u32, Vec<String>)> = range
                    .rows()
                    .take(HEADER_SEARCH_ROWS)
                    .enumerate()
                    .map(|(i, row)| {
                        let cells = range_row_text(row, range.start().map_or(0, |(_, c)| c), None);
                        (start + i as u32 + 1, cells)
                    })
                    .collect();
                (rows, range.height() as u64)
            }
        };
        match detect(sheet, &first) {
            Ok(Some(layout)) => found.push((layout, height)),
            Ok(None) => info.ignored_sheets.push(sheet.to_string()),
            Err(ps) => problems.extend(ps),
        }
    }
    if !problems.is_empty() {
        return Err(Unusable(problems).into());
    }
    let kinds: Vec<SheetKind> = found.iter().map(|(l, _)| l.kind).collect();
    check_layouts(name, &kinds).map_err(Unusable)?;
    // Sheets the streaming reader has scanned whole.
    let mut scanned = vec![false; sheet_names.len()];
    // Households sheets first, then the rest, each group in workbook order.
    found.sort_by_key(|(l, _)| l.kind != SheetKind::Households);
    let total: u64 = found.iter().map(|(_, h)| *h).sum();
    let mut done = 0u64;
    progress(0, total);
    // Pass 2: the rows.
    let mut count = Count {
        done: &mut done,
        total,
        progress,
    };
    if let Book::Streaming(o) = &mut book
        && let [(h, _), (m, _)] = found.as_slice()
        && (h.kind, m.kind) == (SheetKind::Households, SheetKind::Members)
    {
        let pair = (h.clone(), m.clone());
        for l in [&pair.0, &pair.1] {
            info.sheets.push((l.name.to_string(), l.kind));
        }
        stream_pair(o, &sheet_names, pair, sink, &mut scanned, &mut count)?;
        found.clear();
    }
    for (layout, height) in found {
        let sheet = layout.name.to_string();
        info.sheets.push((sheet.clone(), layout.kind));
        let header_row = layout.header_row;
        match &mut book {
            Book::Streaming(o) => {
                let Some(index) = sheet_names.iter().position(|s| *s == sheet) else {
                    continue;
                };
                let (scan, s) = o
                    .parts
                    .sheet(index, o.book.strings())
                    .map_err(|_| Stop::Retry)?;
                let hints = hints(&layout, layout.width());
                let id = sink.begin_sheet(layout);
                // Merged areas come after the cells: a sheet that has any is read again.
                let mut merges = Merges::new(Vec::new());
                let mut cells = StreamCells {
                    book: &o.book,
                    scan,
                    sheet: s,
                    next: 0,
                };
                let feed = Feed { id, header_row };
                stream_rows(&mut cells, &hints, &mut merges, feed, sink, &mut count)?;
                if !cells.sheet.merges.is_empty() {
                    return Err(Stop::Retry);
                }
                scanned[index] = true;
            }
            Book::Fast(b) => {
                let Some(s) = b.sheets.iter().find(|s| s.name == sheet) else {
                    continue;
                };
                let hints = hints(&layout, layout.width());
                let id = sink.begin_sheet(layout);
                let mut merges = Merges::new(s.merges.clone());
                merges.declare(id, header_row, sink);
                let mut cells = FastCells::new(b, s);
                let feed = Feed { id, header_row };
                stream_rows(&mut cells, &hints, &mut merges, feed, sink, &mut count)?;
            }
            Book::Calamine(Sheets::Xlsx(x)) => {
                let merges = match x.worksheet_merge_cells(&sheet) {
                    Some(Ok(m)) => m,
                    Some(Err(e)) => {
                        return Err(workbook_error(name, &calamine::Error::Xlsx(e)).into());
                    }
                    None => Vec::new(),
                };
                let mut reader = x
                    .worksheet_cells_reader(&sheet)
                    .map_err(|e| workbook_error(name, &calamine::Error::Xlsx(e)))?;
                let hints = hints(&layout, layout.width());
                let id = sink.begin_sheet(layout);
                let mut merges = Merges::new(merges);
                merges.declare(id, header_row, sink);
                let mut cells = CalamineCells {
                    name,
                    next: || reader.next_cell(),
                    cell: None,
                };
                let feed = Feed { id, header_row };
                stream_rows(&mut cells, &hints, &mut merges, feed, sink, &mut count)?;
            }
            Book::Calamine(other) => {
                let merges = match other {
                    Sheets::Xls(x) => x.worksheet_merge_cells(&sheet).unwrap_or_default(),
                    _ => Vec::new(),
                };
                let range = other
                    .worksheet_range(&sheet)
                    .map_err(|e| workbook_error(name, &e))?;
                let (r0, c0) = range.start().unwrap_or((0, 0));
                let hints = hints(&layout, (c0 as usize) + range.width());
                let id = sink.begin_sheet(layout);
                let mut merges = Merges::new(merges);
                merges.declare(id, header_row, sink);
                for (i, row) in range.rows().enumerate() {
                    let r = r0 + i as u32;
                    let mut cells = range_row_text(row, c0, Some(&hints));
                    merges.fill(r, &mut cells);
                    Feed { id, header_row }.row(r, &cells, sink, &mut count);
                }
            }
        }
        *count.done = (*count.done).max(height);
    }
    // The careful way reads every sheet whole before any row; so does the streaming reader, after.
    if let Book::Streaming(o) = &mut book {
        for (index, _) in scanned.iter().enumerate().filter(|(_, s)| !**s) {
            let (scan, sheet) = o
                .parts
                .sheet(index, o.book.strings())
                .map_err(|_| Stop::Retry)?;
            StreamCells {
                book: &o.book,
                scan,
                sheet,
                next: 0,
            }
            .drain()?;
        }
    }
    progress(total, total);
    Ok(info)
}

/// Pass 2 of the streaming reader for a household sheet and a member sheet: both scanned at once, rows
/// handed out as [`stream_two`] orders them.
fn stream_pair(
    o: &mut xlsx_fast::Opened<'_>,
    sheet_names: &[String],
    (h_layout, m_layout): (SheetLayout, SheetLayout),
    sink: &mut dyn RowSink,
    scanned: &mut [bool],
    count: &mut Count<'_>,
) -> Result<(), Stop> {
    let index = |l: &SheetLayout| {
        sheet_names
            .iter()
            .position(|s| **s == *l.name)
            .ok_or(Stop::Retry)
    };
    let (hi, mi) = (index(&h_layout)?, index(&m_layout)?);
    let strings = o.book.strings();
    let mut m_parts = o.parts.clone();
    let (h_scan, h_sheet) = o.parts.sheet(hi, strings).map_err(|_| Stop::Retry)?;
    let (m_scan, m_sheet) = m_parts.sheet(mi, strings).map_err(|_| Stop::Retry)?;
    let (h_hints, m_hints) = (
        hints(&h_layout, h_layout.width()),
        hints(&m_layout, m_layout.width()),
    );
    let (h_key, m_key) = (
        h_layout.position(Col::Number),
        m_layout.position(Col::Number),
    );
    let h_feed = Feed {
        header_row: h_layout.header_row,
        id: sink.begin_sheet(h_layout),
    };
    let m_feed = Feed {
        header_row: m_layout.header_row,
        id: sink.begin_sheet(m_layout),
    };
    let mut h_cells = StreamCells {
        book: &o.book,
        scan: h_scan,
        sheet: h_sheet,
        next: 0,
    };
    let mut m_cells = StreamCells {
        book: &o.book,
        scan: m_scan,
        sheet: m_sheet,
        next: 0,
    };
    // Merged areas come after the cells: a sheet that has any is read again.
    let (mut h_merges, mut m_merges) = (Merges::new(Vec::new()), Merges::new(Vec::new()));
    stream_two(
        (
            &mut RowCursor::new(&mut h_cells, &h_hints, &mut h_merges),
            h_key,
            h_feed,
        ),
        (
            &mut RowCursor::new(&mut m_cells, &m_hints, &mut m_merges),
            m_key,
            m_feed,
        ),
        sink,
        count,
    )?;
    if !h_cells.sheet.merges.is_empty() || !m_cells.sheet.merges.is_empty() {
        return Err(Stop::Retry);
    }
    scanned[hi] = true;
    scanned[mi] = true;
    Ok(())
}

/// Records a cell of one of the first rows.
fn push_cell(rows: &mut Vec<(u32, Vec<String>)>, r: u32, c: usize, text: &str) {
    if rows.last().map(|(x, _)| *x) != Some(r + 1) {
        rows.push((r + 1, Vec::new()));
    }
    if let Some((_, cells)) = rows.last_mut() {
        if cells.len() <= c {
            cells.resize(c + 1, String::new());
        }
        cells[c] = text.to_owned();
    }
}

/// A row of a whole-sheet range as texts by absolute column position.
fn range_row_text(row: &[Data], first_col: u32, hints: Option<&[Hint]>) -> Vec<String> {
    let mut out = vec![String::new(); first_col as usize + row.len()];
    for (i, cell) in row.iter().enumerate() {
        let c = first_col as usize + i;
        let hint = hints.and_then(|h| h.get(c).copied()).unwrap_or(Hint::Plain);
        data_text(cell, hint, &mut out[c]);
    }
    out
}

#[cfg(test)]
#[path = "registry_fast_tests.rs"]
mod fast_tests;

// ------------------------------------------------------------------------------------------------
// CSV.

fn read_csv(
    name: &str,
    bytes: &[u8],
    sink: &mut dyn RowSink,
    progress: &dyn Fn(u64, u64),
) -> Result<FileInfo, Unusable> {
    let enc = encoding::detect(&bytes[..bytes.len().min(65_536)]);
    let text = encoding::decode_to_utf8(bytes, enc);
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_ref());
    let total = bytes.len() as u64;
    let mut records = reader.records();
    let mut first: Vec<(u32, Vec<String>)> = Vec::new();
    let csv_error = |e: csv::Error| {
        unusable(
            name,
            format!("CSV 文件格式错误：{e}"),
            format!("malformed CSV file: {e}"),
        )
    };
    let mut n = 0u32;
    for rec in records.by_ref() {
        let rec = rec.map_err(csv_error)?;
        n += 1;
        first.push((n, rec.iter().map(str::to_owned).collect()));
        if first.len() >= HEADER_SEARCH_ROWS {
            break;
        }
    }
    let layout = match detect(name, &first) {
        Ok(Some(l)) => l,
        Ok(None) => {
            return Err(unusable(
                name,
                "文件中没有可识别的农户台账表头（应含户编号、身份证号、姓名、村代码等列，见导入模板）；如果这是 Excel 文件，请不要改成 .csv 扩展名",
                "no registry header found (columns such as 户编号, 身份证号, 姓名, 村代码; see the template)",
            ));
        }
        Err(ps) => return Err(Unusable(ps)),
    };
    check_layouts(name, &[layout.kind]).map_err(Unusable)?;
    let header_row = layout.header_row;
    let info = FileInfo {
        format: format!("CSV ({})", enc.name()),
        sheets: vec![(name.to_owned(), layout.kind)],
        ignored_sheets: Vec::new(),
    };
    let id = sink.begin_sheet(layout);
    for (r, cells) in first {
        if r > header_row {
            sink.row(id, r, &cells);
        }
    }
    let mut cells: Vec<String> = Vec::new();
    for rec in records {
        let rec = rec.map_err(csv_error)?;
        n += 1;
        cells.clear();
        cells.extend(rec.iter().map(str::to_owned));
        sink.row(id, n, &cells);
        if n.is_multiple_of(4096) {
            let done = rec.position().map_or(0, |p| p.byte());
            progress(done.min(total), total);
        }
    }
    progress(total, total);
    Ok(info)
}

/// `,` unless the first line has more tabs or semicolons.
fn sniff_delimiter(text: &[u8]) -> u8 {
    let line = text.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let count = |d: u8| line.iter().filter(|&&b| b == d).count();
    let (c, t, s) = (count(b','), count(b'\t'), count(b';'));
    if t > c && t >= s {
        b'\t'
    } else if s > c {
        b';'
    } else {
        b','
    }
}
