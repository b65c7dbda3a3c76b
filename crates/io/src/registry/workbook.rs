//! Reading a workbook (读取工作簿: XLSX, XLS, ODS): the streaming fast read first, the careful read
//! (the fast reader whole, or calamine) when it stops; in both, the headers of every sheet first
//! (pass 1), then the rows of the registry sheets, household sheets first (pass 2).

use std::io::Cursor;

use calamine::{Reader, Sheets};
use shouwang_core::registry::{Col, SheetKind, SheetLayout, check_layouts};

use super::cells::{CalamineCells, FastCells, StreamCells, hints, range_row_text};
use super::merges::Merges;
use super::rows::{Count, Feed, RowCursor, first_rows, stream_rows, stream_two};
use super::{FileInfo, Format, HEADER_SEARCH_ROWS, RowSink, Unusable, detect, sniff, unusable};
use crate::archive::{LIMITS, Refusal, check_inflated};
use crate::calamine_guard::{DAMAGED_EN, DAMAGED_ZH, guarded};
use crate::xlsx_fast;

pub(super) fn workbook_error(name: &str, e: &calamine::Error) -> Unusable {
    unusable(
        name,
        format!("无法打开表格文件（不是有效的 Excel / WPS 表格，或已加密、已损坏）：{e}"),
        format!("cannot open the workbook (not a valid Excel file, encrypted or damaged): {e}"),
    )
}

/// The problem of an archive past a decompression limit.
fn refused(name: &str, r: &Refusal) -> Unusable {
    unusable(name, r.zh(), r.en())
}

/// Opens a workbook with calamine, once the archive is shown to keep to the decompression limits.
pub(super) fn open_calamine<'a>(
    name: &str,
    bytes: &'a [u8],
) -> Result<Sheets<Cursor<&'a [u8]>>, Unusable> {
    check_inflated(Cursor::new(bytes), &LIMITS).map_err(|r| refused(name, &r))?;
    calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| workbook_error(name, &e))
}

/// Why a read stopped.
#[derive(Debug)]
pub(super) enum Stop {
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

/// An opened workbook: the fast XLSX reader's (scanning its sheets as it goes, or read whole), or
/// calamine's.
pub(super) enum Book<'a> {
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
pub(super) fn read_workbook(
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
    guarded_read(name, sink, |sink| read_careful(name, bytes, sink, progress))
}

/// A read that may reach calamine, guarded (see [`crate::calamine_guard`]): if calamine panics, the sink
/// is told to start again and the file is refused as damaged.
pub(super) fn guarded_read(
    name: &str,
    sink: &mut dyn RowSink,
    read: impl FnOnce(&mut dyn RowSink) -> Result<FileInfo, Unusable>,
) -> Result<FileInfo, Unusable> {
    match guarded(|| read(&mut *sink)) {
        Some(result) => result,
        None => {
            sink.restart();
            Err(unusable(name, DAMAGED_ZH, DAMAGED_EN))
        }
    }
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
        Err(xlsx_fast::Fail::Refused(r)) => return Err(refused(name, &r)),
        Err(xlsx_fast::Fail::GiveUp) => Book::Calamine(open_calamine(name, bytes)?),
    };
    read_book(name, book, sink, progress).map_err(|stop| stop.unusable(name))
}

impl Stop {
    /// The problem of a read that cannot be retried.
    pub(super) fn unusable(self, name: &str) -> Unusable {
        match self {
            Stop::Unusable(u) => u,
            Stop::Retry => unusable(name, "无法读取表格文件", "cannot read the workbook"),
        }
    }
}

pub(super) fn read_book(
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
    // Households sheets first, then member and one-sheet ones, 收支情况 last (its rows name households
    // of the file), each group in workbook order.
    found.sort_by_key(|(l, _)| match l.kind {
        SheetKind::Households => 0,
        SheetKind::Members | SheetKind::Combined => 1,
        SheetKind::Income => 2,
    });
    let total: u64 = found.iter().map(|(_, h)| *h).sum();
    let mut done = 0u64;
    progress(0, total);
    // Pass 2: the rows.
    let mut count = Count {
        done: &mut done,
        total,
        progress,
    };
    // A household sheet and a member sheet (and any 收支情况 sheets after them): the two read together.
    let registry_sheets = found
        .iter()
        .filter(|(l, _)| l.kind != SheetKind::Income)
        .count();
    if let Book::Streaming(o) = &mut book
        && registry_sheets == 2
        && let [(h, _), (m, _), ..] = found.as_slice()
        && (h.kind, m.kind) == (SheetKind::Households, SheetKind::Members)
    {
        let pair = (h.clone(), m.clone());
        for l in [&pair.0, &pair.1] {
            info.sheets.push((l.name.to_string(), l.kind));
        }
        stream_pair(o, &sheet_names, pair, sink, &mut scanned, &mut count)?;
        found.drain(..2);
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
