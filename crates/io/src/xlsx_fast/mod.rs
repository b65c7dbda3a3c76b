//! A fast reader for the usual XLSX workbook (快速读取常见 XLSX 台账).
//!
//! calamine reads cells through a general XML event parser; for a registry of 100,000 people
//! that costs more than the rest of an import. This module reads the parts of the common case
//! directly: `xl/sharedStrings.xml` is read once into one text buffer ([`Opened::open`]), and each
//! worksheet's `<sheetData>` is scanned with `memchr` a chunk of the inflated part at a time
//! ([`SheetScan`]) into a compact list of cells (position and value), then its `<mergeCell>` areas.
//!
//! It is strict on purpose: whatever it does not fully understand (namespace prefixes, a cell
//! without `r`, an unknown `t`, a numeric character reference, `_xHHHH_` escapes, CDATA, comments,
//! a part it cannot find, …) gives up ([`Fail::GiveUp`]), and the caller reads the file with
//! calamine instead. [`Book::open`] reads every sheet whole, so it gives up before any row is handed
//! out; a streaming reader ([`Opened`], [`SheetScan`]) hands cells out as it scans and must be ready
//! to start again (see `registry::workbook::read_workbook`). The values are the ones calamine's
//! cell reader gives for the same XML (see the differential tests in `registry/fast_tests.rs`):
//! shared strings with rich-text runs joined and phonetic runs (`<rPh>`) left out, numbers through
//! the cell style's number format (dates as [`ExcelDateTime`]), booleans, error values, formula
//! results.
//!
//! Here: the workbook as a whole ([`Book`], [`Opened`], [`Parts`]) and the inflating of its parts. The
//! rest by part: `xml` (the strict XML subset and cell references), `workbook` (relationships, worksheet
//! list, number formats of the cell styles), `strings` (shared and inline strings), `sheet` (the
//! worksheet scan, [`SheetScan`]).

mod sheet;
mod strings;
mod workbook;
mod xml;

use std::io::{Cursor, Read};

use calamine::{CellErrorType, Dimensions, ExcelDateTime, ExcelDateTimeType};

use crate::archive::{LIMITS, Meter, Refusal, check_declared};

pub(crate) use sheet::SheetScan;
use strings::shared_strings;
use workbook::{Format, relationships, styles, workbook_sheets};
use xml::whole_part;

/// Why the fast reader stopped.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Fail {
    /// Not the common case: read the file with calamine.
    GiveUp,
    /// The file is damaged in a way calamine would not survive either (a shared-string index out
    /// of range makes calamine panic).
    Damaged(&'static str),
    /// The archive is past a decompression limit (a zip bomb?): refused, calamine does not try it.
    Refused(Refusal),
}

type R<T> = Result<T, Fail>;

const GIVE_UP: Fail = Fail::GiveUp;

/// A cell value, as calamine's `DataRef` would give it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Empty,
    /// Index into the shared strings.
    Shared(u32),
    /// Byte range of the sheet's own text buffer (inline strings, formula strings, ISO dates).
    Text(u32, u32),
    Number(f64),
    /// A number in a date (`false`) or duration (`true`) format.
    Date(f64, bool),
    Bool(bool),
    Error(CellErrorType),
}

/// A cell: 0-based row and column, value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Cell {
    pub row: u32,
    pub col: u32,
    pub value: Value,
}

/// A worksheet, read whole.
pub(crate) struct Sheet {
    pub name: String,
    /// Last row of the `<dimension>` + 1 (1 without one), as calamine's cell reader reports it.
    pub height: u64,
    pub cells: Vec<Cell>,
    pub merges: Vec<Dimensions>,
    text: String,
}

impl Sheet {
    /// Forgets the cells read so far and their text (a streaming reader's next chunk starts afresh);
    /// the merged areas stay.
    pub fn clear(&mut self) {
        self.cells.clear();
        self.text.clear();
    }

    /// The text of a [`Value::Text`].
    pub fn text(&self, start: u32, end: u32) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }
}

/// A workbook read by the fast path: every worksheet in workbook order.
pub(crate) struct Book {
    pub sheets: Vec<Sheet>,
    strings: String,
    spans: Vec<(u32, u32)>,
    pub is_1904: bool,
}

impl Book {
    /// How many shared strings the workbook has.
    pub fn strings(&self) -> usize {
        self.spans.len()
    }

    /// The shared string `i`.
    pub fn shared(&self, i: u32) -> &str {
        self.spans
            .get(i as usize)
            .and_then(|&(a, b)| self.strings.get(a as usize..b as usize))
            .unwrap_or("")
    }

    /// A date value as calamine's `ExcelDateTime`.
    pub fn date(&self, value: f64, duration: bool) -> ExcelDateTime {
        let typ = if duration {
            ExcelDateTimeType::TimeDelta
        } else {
            ExcelDateTimeType::DateTime
        };
        ExcelDateTime::new(value, typ, self.is_1904)
    }

    /// Reads an XLSX workbook whole, or gives up.
    pub fn open(bytes: &[u8]) -> R<Book> {
        let Opened {
            mut book,
            mut parts,
        } = Opened::open(bytes)?;
        for index in 0..parts.sheets.len() {
            let (mut scan, mut sheet) = parts.sheet(index, book.strings())?;
            while scan.next(&mut sheet)? {}
            book.sheets.push(sheet);
        }
        Ok(book)
    }
}

/// A workbook opened by the fast path, its worksheets not read yet: the shared strings and styles are
/// read, and each worksheet can be scanned chunk by chunk ([`Parts::sheet`]), so that its cells are
/// handed on while the rest of the part is still being inflated.
pub(crate) struct Opened<'a> {
    /// The workbook's shared strings and date system (`sheets` empty).
    pub book: Book,
    pub parts: Parts<'a>,
}

/// The worksheets of an [`Opened`] workbook (a clone scans its sheets on its own).
#[derive(Clone)]
pub(crate) struct Parts<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// Worksheets in workbook order: name, part path.
    sheets: Vec<(String, String)>,
    formats: Vec<Format>,
}

impl Opened<'_> {
    /// Reads everything but the worksheets, or gives up.
    pub fn open(bytes: &[u8]) -> R<Opened<'_>> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| GIVE_UP)?;
        check_declared(&mut zip, &LIMITS).map_err(Fail::Refused)?;
        let rels = part(&mut zip, "xl/_rels/workbook.xml.rels")?.ok_or(GIVE_UP)?;
        whole_part(&rels)?;
        let rels = relationships(&rels)?;
        let workbook = part(&mut zip, "xl/workbook.xml")?.ok_or(GIVE_UP)?;
        whole_part(&workbook)?;
        let (sheets, is_1904) = workbook_sheets(&workbook, &rels)?;
        if sheets.is_empty() {
            return Err(GIVE_UP);
        }
        let formats = match part(&mut zip, "xl/styles.xml")? {
            Some(x) => {
                whole_part(&x)?;
                styles(&x)?
            }
            None => Vec::new(),
        };
        let mut book = Book {
            sheets: Vec::new(),
            strings: String::new(),
            spans: Vec::new(),
            is_1904,
        };
        if let Some(x) = part(&mut zip, "xl/sharedStrings.xml")? {
            shared_strings(&x, &mut book.strings, &mut book.spans)?;
        }
        Ok(Opened {
            book,
            parts: Parts {
                zip,
                sheets,
                formats,
            },
        })
    }
}

impl Parts<'_> {
    /// The worksheet names, in workbook order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sheets.iter().map(|(name, _)| name.as_str())
    }

    /// Starts scanning the worksheet `index` (workbook order) of a workbook with `strings` shared
    /// strings: the sheet (name, height, no cells yet) and its scanner.
    pub fn sheet(
        &mut self,
        index: usize,
        strings: usize,
    ) -> R<(SheetScan<'_, impl Read + '_>, Sheet)> {
        let (name, path) = self.sheets.get(index).ok_or(GIVE_UP)?;
        if !has_part(&self.zip, path)? {
            return Err(GIVE_UP);
        }
        let f = self.zip.by_name(path).map_err(|_| GIVE_UP)?;
        let meter = Meter::new(path, f.size());
        SheetScan::start(name.clone(), f, meter, &self.formats, strings)
    }
}

/// Whether the archive has the part `name`.
///
/// calamine looks parts up ignoring case and `\\` separators: anything but one exact match (or
/// none at all) gives up, so that both readers always read the same part.
fn has_part(zip: &zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> R<bool> {
    let mut exact = 0;
    let mut similar = 0;
    for n in zip.file_names() {
        let n = n.map_err(|_| GIVE_UP)?;
        if n == name {
            exact += 1;
        }
        if n.replace('\\', "/").eq_ignore_ascii_case(name) {
            similar += 1;
        }
    }
    match (exact, similar) {
        (0, 0) => Ok(false),
        (1, 1) => Ok(true),
        _ => Err(GIVE_UP),
    }
}

/// Inflates a part; `None` if the archive has no such entry.
fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> R<Option<Vec<u8>>> {
    if !has_part(zip, name)? {
        return Ok(None);
    }
    let f = zip.by_name(name).map_err(|_| GIVE_UP)?;
    let meter = Meter::new(name, f.size());
    let mut chunks = Chunks::new(f, meter);
    while !chunks.eof {
        chunks.more()?;
    }
    Ok(Some(chunks.buf))
}

/// Bytes inflated so far of a part, read in chunks, counted against the decompression limits (the
/// archive's declared sizes were checked against them when it was opened).
struct Chunks<T: Read> {
    reader: T,
    buf: Vec<u8>,
    meter: Meter,
    eof: bool,
}

/// Bytes inflated at a time: sheets are scanned chunk by chunk, never held whole (tiny in tests, so
/// that rows and cells straddle chunks there).
const CHUNK: u64 = if cfg!(test) { 333 } else { 1 << 20 };

impl<T: Read> Chunks<T> {
    fn new(reader: T, meter: Meter) -> Chunks<T> {
        Chunks {
            reader,
            buf: Vec::new(),
            meter,
            eof: false,
        }
    }

    /// Appends up to [`CHUNK`] more bytes (none at the end of the part).
    fn more(&mut self) -> R<()> {
        let n = (&mut self.reader)
            .take(CHUNK)
            .read_to_end(&mut self.buf)
            .map_err(|_| GIVE_UP)?;
        if n == 0 {
            self.eof = true;
        }
        self.meter.add(n as u64).map_err(Fail::Refused)
    }
}
