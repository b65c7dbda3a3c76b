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
//! to start again (see `registry::read_workbook`). The values are the ones calamine's
//! cell reader gives for the same XML (see the differential tests in `registry.rs`): shared strings
//! with rich-text runs joined and phonetic runs (`<rPh>`) left out, numbers through the cell
//! style's number format (dates as [`ExcelDateTime`]), booleans, error values, formula results.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::{CellErrorType, Dimensions, ExcelDateTime, ExcelDateTimeType};
use memchr::{memchr, memmem};

/// Why the fast reader stopped.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Fail {
    /// Not the common case: read the file with calamine.
    GiveUp,
    /// The file is damaged in a way calamine would not survive either (a shared-string index out
    /// of range makes calamine panic).
    Damaged(&'static str),
}

type R<T> = Result<T, Fail>;

const GIVE_UP: Fail = Fail::GiveUp;

/// Largest part inflated into memory; larger parts are left to calamine's streaming reader.
const MAX_PART: u64 = 1 << 30;

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
        let rels = part(&mut zip, "xl/_rels/workbook.xml.rels")?.ok_or(GIVE_UP)?;
        well_formed(&rels, &mut 0)?;
        let rels = relationships(&rels)?;
        let workbook = part(&mut zip, "xl/workbook.xml")?.ok_or(GIVE_UP)?;
        well_formed(&workbook, &mut 0)?;
        let (sheets, is_1904) = workbook_sheets(&workbook, &rels)?;
        if sheets.is_empty() {
            return Err(GIVE_UP);
        }
        let formats = match part(&mut zip, "xl/styles.xml")? {
            Some(x) => {
                well_formed(&x, &mut 0)?;
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
        SheetScan::start(name.clone(), f, &self.formats, strings)
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
    let mut chunks = Chunks::new(f);
    while !chunks.eof {
        chunks.more()?;
    }
    Ok(Some(chunks.buf))
}

/// Bytes inflated so far of a part, read in chunks.
struct Chunks<T: Read> {
    reader: T,
    buf: Vec<u8>,
    total: u64,
    eof: bool,
}

/// Bytes inflated at a time: sheets are scanned chunk by chunk, never held whole (tiny in tests, so
/// that rows and cells straddle chunks there).
const CHUNK: u64 = if cfg!(test) { 333 } else { 1 << 20 };

impl<T: Read> Chunks<T> {
    fn new(reader: T) -> Chunks<T> {
        Chunks {
            reader,
            buf: Vec::new(),
            total: 0,
            eof: false,
        }
    }

    /// Appends up to [`CHUNK`] more bytes (none at the end of the part).
    fn more(&mut self) -> R<()> {
        let n = (&mut self.reader)
            .take(CHUNK)
            .read_to_end(&mut self.buf)
            .map_err(|_| GIVE_UP)?;
        self.total += n as u64;
        if n == 0 {
            self.eof = true;
        }
        if self.total > MAX_PART {
            return Err(GIVE_UP);
        }
        Ok(())
    }
}

// ------------------------------------------------------------------------------------------------
// Small XML helpers (the strict subset this module understands).

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn skip_space(x: &[u8], mut i: usize) -> usize {
    while i < x.len() && is_space(x[i]) {
        i += 1;
    }
    i
}

/// Whether `x[i..]` starts the element `<name` (followed by a space, `>` or `/`).
fn starts_tag(x: &[u8], i: usize, name: &[u8]) -> bool {
    let Some(rest) = x.get(i..) else {
        return false;
    };
    rest.len() > name.len() + 1
        && rest[0] == b'<'
        && &rest[1..=name.len()] == name
        && matches!(
            rest[name.len() + 1],
            b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/'
        )
}

/// Attributes of the tag starting at `x[i]` (just after `<name`): returns the attribute list, the
/// index just after the tag and whether it was self-closing (`/>`).
/// Attributes of a tag: (name, raw value).
type Attrs<'a> = Vec<(&'a [u8], &'a [u8])>;

fn attributes(x: &[u8], i: usize) -> R<(Attrs<'_>, usize, bool)> {
    let mut out: Attrs<'_> = Vec::new();
    let (end, empty) = scan_attributes(x, i, |key, value| {
        if out.iter().any(|(k, _)| *k == key) {
            return Err(GIVE_UP);
        }
        out.push((key, value));
        Ok(())
    })?;
    Ok((out, end, empty))
}

/// Walks the attributes of a tag from `x[i]` (just after its name), handing each (name, raw
/// value) to `f`; returns the index just after the tag and whether it was self-closing (`/>`).
fn scan_attributes<'a>(
    x: &'a [u8],
    mut i: usize,
    mut f: impl FnMut(&'a [u8], &'a [u8]) -> R<()>,
) -> R<(usize, bool)> {
    loop {
        i = skip_space(x, i);
        match x.get(i) {
            Some(b'>') => return Ok((i + 1, false)),
            Some(b'/') => {
                return if x.get(i + 1) == Some(&b'>') {
                    Ok((i + 2, true))
                } else {
                    Err(GIVE_UP)
                };
            }
            Some(_) => {}
            None => return Err(GIVE_UP),
        }
        let start = i;
        while i < x.len() && !is_space(x[i]) && x[i] != b'=' && x[i] != b'>' && x[i] != b'/' {
            i += 1;
        }
        let key = &x[start..i];
        i = skip_space(x, i);
        if !xml_name(key) || x.get(i) != Some(&b'=') {
            return Err(GIVE_UP);
        }
        i = skip_space(x, i + 1);
        let q = *x.get(i).ok_or(GIVE_UP)?;
        if q != b'"' && q != b'\'' {
            return Err(GIVE_UP);
        }
        let len = memchr(q, &x[i + 1..]).ok_or(GIVE_UP)?;
        let value = &x[i + 1..i + 1 + len];
        if memchr(b'<', value).is_some() {
            return Err(GIVE_UP);
        }
        f(key, value)?;
        i += len + 2;
        if !matches!(x.get(i), Some(b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/')) {
            return Err(GIVE_UP);
        }
    }
}

/// Gives up unless `x` is a plain run of tags and text that an XML parser reads without error:
/// the XML declaration first, start, end and empty tags with well-formed attributes, text without
/// references, and never an end tag with no element open (`depth` counts the open ones, across
/// calls). calamine parses the parts of a sheet outside `<sheetData>` too (and the small parts
/// whole), and fails on syntax errors there.
fn well_formed(x: &[u8], depth: &mut usize) -> R<()> {
    let bom = x.starts_with(b"\xEF\xBB\xBF");
    let mut i = if bom { 3 } else { 0 };
    loop {
        let Some(lt) = memchr(b'<', &x[i..]) else {
            return if memchr(b'&', &x[i..]).is_some() {
                Err(GIVE_UP)
            } else {
                Ok(())
            };
        };
        if memchr(b'&', &x[i..i + lt]).is_some() {
            return Err(GIVE_UP);
        }
        i += lt;
        match x.get(i + 1) {
            Some(b'?') => {
                if i != if bom { 3 } else { 0 } {
                    return Err(GIVE_UP);
                }
                i += memmem::find(&x[i..], b"?>").ok_or(GIVE_UP)? + 2;
            }
            Some(b'/') => {
                let end = memchr(b'>', &x[i..]).ok_or(GIVE_UP)?;
                if !xml_name(x[i + 2..i + end].trim_ascii_end()) || *depth == 0 {
                    return Err(GIVE_UP);
                }
                *depth -= 1;
                i += end + 1;
            }
            _ => {
                let mut j = i + 1;
                while j < x.len() && !is_space(x[j]) && x[j] != b'>' && x[j] != b'/' {
                    j += 1;
                }
                if !xml_name(&x[i + 1..j]) {
                    return Err(GIVE_UP);
                }
                let (_, next, empty) = attributes(x, j)?;
                if !empty {
                    *depth += 1;
                }
                i = next;
            }
        }
    }
}

/// An attribute name as XML parsers take it (ASCII only here).
fn xml_name(key: &[u8]) -> bool {
    match key.split_first() {
        Some((first, rest)) => {
            (first.is_ascii_alphabetic() || *first == b'_' || *first == b':')
                && rest
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-' | b'.'))
        }
        None => false,
    }
}

fn attr<'a>(attrs: &[(&'a [u8], &'a [u8])], key: &[u8]) -> Option<&'a [u8]> {
    attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Every element `<name …>` in `x`, as its attributes.
fn elements<'a>(x: &'a [u8], name: &[u8]) -> R<Vec<Attrs<'a>>> {
    let mut pat = Vec::with_capacity(name.len() + 1);
    pat.push(b'<');
    pat.extend_from_slice(name);
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = memmem::find(&x[from..], &pat) {
        let i = from + p;
        if starts_tag(x, i, name) {
            let (attrs, end, _) = attributes(x, i + pat.len())?;
            out.push(attrs);
            from = end;
        } else {
            from = i + pat.len();
        }
    }
    Ok(out)
}

/// The content between `<name …>` and `</name>` (the first such element), or `None`.
fn section<'a>(x: &'a [u8], name: &[u8]) -> R<Option<&'a [u8]>> {
    let mut pat = Vec::with_capacity(name.len() + 1);
    pat.push(b'<');
    pat.extend_from_slice(name);
    let mut from = 0;
    while let Some(p) = memmem::find(&x[from..], &pat) {
        let i = from + p;
        if starts_tag(x, i, name) {
            let (_, start, empty) = attributes(x, i + pat.len())?;
            if empty {
                return Ok(Some(&[]));
            }
            let mut close = Vec::with_capacity(name.len() + 3);
            close.extend_from_slice(b"</");
            close.extend_from_slice(name);
            close.push(b'>');
            let len = memmem::find(&x[start..], &close).ok_or(GIVE_UP)?;
            return Ok(Some(&x[start..start + len]));
        }
        from = i + pat.len();
    }
    Ok(None)
}

/// Appends XML character data: UTF-8, the five named entities; `\r` (which XML parsers
/// normalise), numeric references and, with `excel_escapes`, `_x00HH_` escapes give up.
fn push_text(raw: &[u8], excel_escapes: bool, out: &mut String) -> R<()> {
    if memchr(b'\r', raw).is_some() || (excel_escapes && memmem::find(raw, b"_x00").is_some()) {
        return Err(GIVE_UP);
    }
    let text = std::str::from_utf8(raw).map_err(|_| GIVE_UP)?;
    let mut rest = text;
    while let Some(amp) = memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';').ok_or(GIVE_UP)?;
        out.push_str(match &after[..semi] {
            "lt" => "<",
            "gt" => ">",
            "amp" => "&",
            "quot" => "\"",
            "apos" => "'",
            _ => return Err(GIVE_UP),
        });
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// A cell reference `AB12` as a 0-based (row, column).
fn cell_ref(r: &[u8]) -> R<(u32, u32)> {
    let letters = r.iter().take_while(|b| b.is_ascii_uppercase()).count();
    let digits = &r[letters..];
    if !(1..=3).contains(&letters)
        || digits.is_empty()
        || digits.len() > 7
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return Err(GIVE_UP);
    }
    let col = r[..letters]
        .iter()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A') + 1);
    let row = digits
        .iter()
        .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    if row == 0 {
        return Err(GIVE_UP);
    }
    Ok((row - 1, col - 1))
}

/// `A1:C3` or `A1`.
fn dimension(r: &[u8]) -> R<Dimensions> {
    let mut parts = r.split(|&b| b == b':');
    let start = cell_ref(parts.next().ok_or(GIVE_UP)?)?;
    let end = match parts.next() {
        Some(p) => cell_ref(p)?,
        None => start,
    };
    if parts.next().is_some() || end.0 < start.0 || end.1 < start.1 {
        return Err(GIVE_UP);
    }
    Ok(Dimensions { start, end })
}

fn small_number(v: &[u8]) -> R<usize> {
    if v.is_empty()
        || v.len() > 9
        || !v.iter().all(u8::is_ascii_digit)
        || (v.len() > 1 && v[0] == b'0')
    {
        return Err(GIVE_UP);
    }
    Ok(v.iter()
        .fold(0usize, |acc, b| acc * 10 + usize::from(b - b'0')))
}

// ------------------------------------------------------------------------------------------------
// Workbook structure.

fn relationships(x: &[u8]) -> R<HashMap<Vec<u8>, String>> {
    let mut out = HashMap::new();
    for attrs in elements(x, b"Relationship")? {
        let id = attr(&attrs, b"Id").ok_or(GIVE_UP)?;
        let target = attr(&attrs, b"Target").ok_or(GIVE_UP)?;
        let target = std::str::from_utf8(target).map_err(|_| GIVE_UP)?;
        if target.contains('&') || target.contains('\\') {
            return Err(GIVE_UP);
        }
        out.insert(id.to_vec(), target.to_owned());
    }
    Ok(out)
}

/// The worksheets (name, part path) in workbook order, and the 1904 date system flag.
fn workbook_sheets(x: &[u8], rels: &HashMap<Vec<u8>, String>) -> R<(Vec<(String, String)>, bool)> {
    let mut sheets = Vec::new();
    for attrs in elements(x, b"sheet")? {
        let mut name = String::new();
        push_text(attr(&attrs, b"name").ok_or(GIVE_UP)?, false, &mut name)?;
        if let Some(state) = attr(&attrs, b"state")
            && !matches!(state, b"visible" | b"hidden" | b"veryHidden")
        {
            return Err(GIVE_UP);
        }
        let id = match (attr(&attrs, b"r:id"), attr(&attrs, b"relationships:id")) {
            (Some(id), None) | (None, Some(id)) => id,
            _ => return Err(GIVE_UP),
        };
        let target = rels.get(id).ok_or(GIVE_UP)?;
        let path = if let Some(t) = target.strip_prefix("/xl/") {
            format!("xl/{t}")
        } else if target.starts_with("xl/") {
            target.clone()
        } else {
            format!("xl/{target}")
        };
        match path.split('/').nth(1) {
            Some("worksheets") => sheets.push((name, path)),
            Some("chartsheets" | "dialogsheets") => {}
            _ => return Err(GIVE_UP),
        }
    }
    let pr = elements(x, b"workbookPr")?;
    let is_1904 = match pr.as_slice() {
        [] => false,
        [attrs] => match attr(attrs, b"date1904") {
            Some(v) if v.contains(&b'&') => return Err(GIVE_UP),
            v => matches!(v, Some(b"1" | b"true")),
        },
        _ => return Err(GIVE_UP),
    };
    Ok((sheets, is_1904))
}

/// What a cell style's number format makes of a number (calamine's `CellFormat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Other,
    DateTime,
    TimeDelta,
}

/// The number format of each cell style (`cellXfs`), as calamine classifies it.
fn styles(x: &[u8]) -> R<Vec<Format>> {
    let mut custom: HashMap<&[u8], &[u8]> = HashMap::new();
    if let Some(fmts) = section(x, b"numFmts")? {
        for attrs in elements(fmts, b"numFmt")? {
            let id = attr(&attrs, b"numFmtId").unwrap_or(b"");
            let code = attr(&attrs, b"formatCode").unwrap_or(b"");
            if !code.is_empty() {
                custom.insert(id, code);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(xfs) = section(x, b"cellXfs")? {
        for attrs in elements(xfs, b"xf")? {
            out.push(match attr(&attrs, b"numFmtId") {
                None => Format::Other,
                Some(id) => match custom.get(id) {
                    Some(code) => custom_format(std::str::from_utf8(code).map_err(|_| GIVE_UP)?),
                    None => builtin_format(id),
                },
            });
        }
    }
    Ok(out)
}

/// calamine's `builtin_format_by_id`.
fn builtin_format(id: &[u8]) -> Format {
    match id {
        b"14" | b"15" | b"16" | b"17" | b"18" | b"19" | b"20" | b"21" | b"22" | b"45" | b"47" => {
            Format::DateTime
        }
        b"46" => Format::TimeDelta,
        _ => Format::Other,
    }
}

/// calamine's `detect_custom_number_format` (calamine 0.31, MIT), kept identical so that the two
/// readers agree on which numbers are dates.
fn custom_format(format: &str) -> Format {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return Format::Other,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return Format::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return Format::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return Format::DateTime;
            }
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    Format::Other
}

// ------------------------------------------------------------------------------------------------
// Strings.

/// Reads a string item (`<si>` or `<is>`) whose content is `x[i..]` up to `close`; appends its
/// text to `out` and returns the index after `close`. Only `<t>`, `<r>` runs (with `<rPr>`),
/// phonetic runs `<rPh>` and `<phoneticPr>` are understood.
fn string_item(x: &[u8], mut i: usize, close: &[u8], out: &mut String) -> R<usize> {
    let mut rich = false;
    let mut found = false;
    // calamine takes the first plain `<t>` and skips the rest of the item: after it, only phonetic
    // parts are accepted here.
    let mut done = false;
    loop {
        i = skip_space(x, i);
        if x.get(i) != Some(&b'<') {
            return Err(GIVE_UP);
        }
        if x[i..].starts_with(close) {
            if !found {
                return Err(GIVE_UP);
            }
            return Ok(i + close.len());
        }
        if starts_tag(x, i, b"t") && !done {
            found = true;
            i = text_element(x, i, out)?;
            done = !rich;
        } else if starts_tag(x, i, b"r") && !done {
            let (_, start, empty) = attributes(x, i + 2)?;
            rich = true;
            i = start;
            if !empty {
                i = skip_space(x, i);
                if starts_tag(x, i, b"rPr") {
                    let (_, start, empty) = attributes(x, i + 4)?;
                    i = start;
                    if !empty {
                        let len = memmem::find(&x[i..], b"</rPr>").ok_or(GIVE_UP)?;
                        let props = &x[i..i + len];
                        let mut depth = 0;
                        well_formed(props, &mut depth)?;
                        if depth != 0 || memmem::find(props, b"<t").is_some() {
                            return Err(GIVE_UP);
                        }
                        i += len + 6;
                    }
                }
                i = skip_space(x, i);
                if !starts_tag(x, i, b"t") {
                    return Err(GIVE_UP);
                }
                found = true;
                i = text_element(x, i, out)?;
                i = skip_space(x, i);
                if !x[i..].starts_with(b"</r>") {
                    return Err(GIVE_UP);
                }
                i += 4;
            }
        } else if starts_tag(x, i, b"rPh") {
            let (_, start, empty) = attributes(x, i + 4)?;
            i = start;
            if !empty {
                i = skip_space(x, i);
                if !starts_tag(x, i, b"t") {
                    return Err(GIVE_UP);
                }
                i = text_element(x, i, &mut String::new())?;
                i = skip_space(x, i);
                if !x[i..].starts_with(b"</rPh>") {
                    return Err(GIVE_UP);
                }
                i += 6;
            }
        } else if starts_tag(x, i, b"phoneticPr") {
            let (_, start, empty) = attributes(x, i + 11)?;
            if !empty {
                return Err(GIVE_UP);
            }
            i = start;
        } else {
            return Err(GIVE_UP);
        }
    }
}

/// A `<t>` element at `x[i]`: appends its text, returns the index after it.
fn text_element(x: &[u8], i: usize, out: &mut String) -> R<usize> {
    let (_, start, empty) = attributes(x, i + 2)?;
    if empty {
        return Ok(start);
    }
    let len = memchr(b'<', &x[start..]).ok_or(GIVE_UP)?;
    push_text(&x[start..start + len], true, out)?;
    if !x[start + len..].starts_with(b"</t>") {
        return Err(GIVE_UP);
    }
    Ok(start + len + 4)
}

fn shared_strings(x: &[u8], text: &mut String, spans: &mut Vec<(u32, u32)>) -> R<()> {
    let Some(body) = section(x, b"sst")? else {
        return Err(GIVE_UP);
    };
    // calamine parses up to `</sst>`.
    well_formed(&x[..memmem::find(x, b"<sst").unwrap_or(0)], &mut 0)?;
    text.reserve(body.len() / 2);
    let mut i = 0;
    loop {
        i = skip_space(body, i);
        if i >= body.len() {
            return Ok(());
        }
        if !starts_tag(body, i, b"si") {
            // `<extLst>` and the like: not the common case.
            return Err(GIVE_UP);
        }
        let (_, start, empty) = attributes(body, i + 3)?;
        if empty {
            // calamine skips an empty item, shifting the indices: leave that to it.
            return Err(GIVE_UP);
        }
        let a = text.len();
        i = string_item(body, start, b"</si>", text)?;
        if text.len() > u32::MAX as usize {
            return Err(GIVE_UP);
        }
        spans.push((a as u32, text.len() as u32));
    }
}

// ------------------------------------------------------------------------------------------------
// Worksheets.

/// A worksheet being scanned, chunk by chunk of the inflated part ([`CHUNK`]): each
/// [`SheetScan::next`] adds the cells of the whole rows inflated so far to a [`Sheet`]; the last one
/// also reads what follows `<sheetData>` (its merged areas). Whatever the scan does not understand
/// gives up, also after cells were handed out.
pub(crate) struct SheetScan<'f, T: Read> {
    x: Chunks<T>,
    formats: &'f [Format],
    strings: usize,
    /// Where the scan goes on in `x.buf`.
    pos: usize,
    /// Element depth of the head (checked again with the tail).
    depth: usize,
    value_text: String,
    in_row: bool,
    /// `<sheetData>` and the tail are read.
    done: bool,
}

impl<'f, T: Read> SheetScan<'f, T> {
    /// Reads the head, up to and with the `<sheetData>` start tag.
    fn start(name: String, part: T, formats: &'f [Format], strings: usize) -> R<(Self, Sheet)> {
        let mut x = Chunks::new(part);
        let data = loop {
            if let Some(p) = memmem::find(&x.buf, b"<sheetData")
                && memchr(b'>', &x.buf[p..]).is_some()
            {
                break p;
            }
            if x.eof {
                return Err(GIVE_UP);
            }
            x.more()?;
        };
        if !starts_tag(&x.buf, data, b"sheetData") {
            return Err(GIVE_UP);
        }
        let head = &x.buf[..data];
        let mut depth = 0;
        well_formed(head, &mut depth)?;
        // calamine finds `mergeCells` under any namespace prefix, and anywhere in the part (inside
        // `<sheetData>` anything unknown gives up anyway).
        if memmem::find(head, b"<mergeCells").is_some()
            || memmem::find(head, b":mergeCell").is_some()
        {
            return Err(GIVE_UP);
        }
        let dims = elements(head, b"dimension")?;
        let height = match dims.as_slice() {
            [] => 1,
            [attrs] => u64::from(dimension(attr(attrs, b"ref").ok_or(GIVE_UP)?)?.end.0) + 1,
            _ => return Err(GIVE_UP),
        };
        let (_, start, empty) = attributes(&x.buf, data + 10)?;
        let sheet = Sheet {
            name,
            height,
            cells: Vec::new(),
            merges: Vec::new(),
            text: String::new(),
        };
        let mut scan = SheetScan {
            x,
            formats,
            strings,
            pos: start,
            depth,
            value_text: String::new(),
            in_row: false,
            done: false,
        };
        let mut sheet = sheet;
        if empty {
            scan.tail(start, &mut sheet.merges)?;
        }
        Ok((scan, sheet))
    }

    /// Adds the cells of the next chunk's whole rows to `sheet` (and, at the end, its merged areas);
    /// `false` once the sheet is done. The cells' text goes to the end of `sheet`'s text buffer, so a
    /// caller may clear both between calls.
    pub fn next(&mut self, sheet: &mut Sheet) -> R<bool> {
        if self.done {
            return Ok(false);
        }
        let x = &mut self.x;
        let pos = self.pos;
        let rest = &x.buf[pos..];
        let limit = match memmem::find(rest, b"</sheetData>") {
            Some(p) => pos + p + 12,
            None => memmem::rfind(rest, b"</row>").map_or(pos, |p| pos + p + 6),
        };
        let scanned = sheet_data(
            &x.buf[..limit],
            pos,
            self.formats,
            self.strings,
            sheet,
            &mut self.value_text,
            &mut self.in_row,
        )?;
        if let Some(end) = scanned {
            self.tail(end, &mut sheet.merges)?;
            return Ok(true);
        }
        if x.eof {
            return Err(GIVE_UP);
        }
        x.buf.drain(..limit);
        self.pos = 0;
        x.more()?;
        Ok(true)
    }

    /// Reads the rest of the part, from `end` (after `<sheetData>`): well-formed as calamine reads it,
    /// and its merged areas.
    fn tail(&mut self, end: usize, merges: &mut Vec<Dimensions>) -> R<()> {
        self.done = true;
        while !self.x.eof {
            self.x.more()?;
        }
        let tail = &self.x.buf[end..];
        if memmem::find(tail, b":mergeCell").is_some() {
            return Err(GIVE_UP);
        }
        // calamine reads on to the merged cells, or to the end of the part.
        let merge_cells = memmem::find(tail, b"<mergeCells");
        well_formed(&tail[..merge_cells.unwrap_or(tail.len())], &mut self.depth)?;
        if let Some(p) = merge_cells {
            if !starts_tag(tail, p, b"mergeCells") {
                return Err(GIVE_UP);
            }
            let (_, mut i, empty) = attributes(tail, p + 11)?;
            if !empty {
                loop {
                    i = skip_space(tail, i);
                    if tail[i..].starts_with(b"</mergeCells>") {
                        break;
                    }
                    if !starts_tag(tail, i, b"mergeCell") {
                        return Err(GIVE_UP);
                    }
                    let (attrs, next, empty) = attributes(tail, i + 10)?;
                    if !empty {
                        return Err(GIVE_UP);
                    }
                    merges.push(dimension(attr(&attrs, b"ref").ok_or(GIVE_UP)?)?);
                    i = next;
                }
            }
        }
        Ok(())
    }
}

/// Scans `<sheetData>` content from `i`: returns the index after `</sheetData>`, or `None` when
/// `x` ends (between two elements) before it.
fn sheet_data(
    x: &[u8],
    mut i: usize,
    formats: &[Format],
    strings: usize,
    sheet: &mut Sheet,
    value_text: &mut String,
    in_row: &mut bool,
) -> R<Option<usize>> {
    loop {
        i = skip_space(x, i);
        if i == x.len() {
            return Ok(None);
        }
        if x.get(i) != Some(&b'<') {
            return Err(GIVE_UP);
        }
        match x.get(i + 1) {
            Some(b'c')
                if matches!(
                    x.get(i + 2),
                    Some(b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/')
                ) =>
            {
                i = cell(x, i + 2, formats, strings, sheet, value_text)?;
            }
            Some(b'r') if starts_tag(x, i, b"row") => {
                // Attribute names seen (without allocating: once per row).
                let mut seen: [&[u8]; 16] = [b""; 16];
                let mut n = 0;
                let (next, empty) = scan_attributes(x, i + 4, |key, value| {
                    if n == seen.len() || seen[..n].contains(&key) {
                        return Err(GIVE_UP);
                    }
                    seen[n] = key;
                    n += 1;
                    // calamine parses the row number (and fails on a bad one) though every
                    // cell carries its own reference.
                    if key == b"r" && small_number(value)? == 0 {
                        return Err(GIVE_UP);
                    }
                    Ok(())
                })?;
                // Rows do not nest (an XML parser would match end tags differently).
                if *in_row {
                    return Err(GIVE_UP);
                }
                *in_row = !empty;
                i = next;
            }
            Some(b'/') => {
                let rest = &x[i..];
                if rest.starts_with(b"</row>") && *in_row {
                    *in_row = false;
                    i += 6;
                } else if rest.starts_with(b"</sheetData>") && !*in_row {
                    return Ok(Some(i + 12));
                } else {
                    return Err(GIVE_UP);
                }
            }
            _ => return Err(GIVE_UP),
        }
    }
}

/// One `<c>` element from just after `<c`; returns the index after it.
fn cell(
    x: &[u8],
    i: usize,
    formats: &[Format],
    strings: usize,
    sheet: &mut Sheet,
    v: &mut String,
) -> R<usize> {
    // The attributes, without building a list: r, s, t matter; others are ignored.
    let mut r: Option<&[u8]> = None;
    let mut s: Option<&[u8]> = None;
    let mut t: Option<&[u8]> = None;
    // Attribute names seen (a repeated one is an XML error for calamine).
    let mut seen: [&[u8]; 8] = [b""; 8];
    let mut seen_count = 0;
    let mut j = i;
    let empty;
    loop {
        j = skip_space(x, j);
        match x.get(j) {
            Some(b'>') => {
                j += 1;
                empty = false;
                break;
            }
            Some(b'/') if x.get(j + 1) == Some(&b'>') => {
                j += 2;
                empty = true;
                break;
            }
            Some(_) => {}
            None => return Err(GIVE_UP),
        }
        let eq = memchr(b'=', &x[j..]).ok_or(GIVE_UP)?;
        let key = &x[j..j + eq];
        if !xml_name(key) || seen.contains(&key) || seen_count == seen.len() {
            return Err(GIVE_UP);
        }
        seen[seen_count] = key;
        seen_count += 1;
        let q = *x.get(j + eq + 1).ok_or(GIVE_UP)?;
        if q != b'"' && q != b'\'' {
            return Err(GIVE_UP);
        }
        let vstart = j + eq + 2;
        let len = memchr(q, &x[vstart..]).ok_or(GIVE_UP)?;
        let value = &x[vstart..vstart + len];
        if value.iter().any(|&b| b == b'<' || b == b'&') {
            return Err(GIVE_UP);
        }
        match key {
            b"r" => r = Some(value),
            b"s" => s = Some(value),
            b"t" => t = Some(value),
            _ => {}
        }
        j = vstart + len + 1;
        if !matches!(x.get(j), Some(b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/')) {
            return Err(GIVE_UP);
        }
    }
    let (row, col) = cell_ref(r.ok_or(GIVE_UP)?)?;
    let format = match s {
        Some(s) => formats.get(small_number(s)?).copied(),
        None => Some(Format::Other),
    };
    let mut value = Value::Empty;
    if !empty {
        loop {
            j = skip_space(x, j);
            if x.get(j) != Some(&b'<') {
                return Err(GIVE_UP);
            }
            let rest = &x[j..];
            if rest.starts_with(b"</c>") {
                j += 4;
                break;
            } else if rest.starts_with(b"<v>") {
                let start = j + 3;
                let len = memchr(b'<', &x[start..]).ok_or(GIVE_UP)?;
                if !x[start + len..].starts_with(b"</v>") {
                    return Err(GIVE_UP);
                }
                let raw = &x[start..start + len];
                value = if t == Some(b"s") {
                    // The common case: digits only, no text to decode.
                    shared_index(raw, strings)?
                } else {
                    v.clear();
                    push_text(raw, false, v)?;
                    read_v(v, t, format, strings, sheet)?
                };
                j = start + len + 4;
            } else if starts_tag(x, j, b"f") {
                let (_, start, empty) = attributes(x, j + 2)?;
                j = start;
                if !empty {
                    let len = memchr(b'<', &x[j..]).ok_or(GIVE_UP)?;
                    if !x[j + len..].starts_with(b"</f>") {
                        return Err(GIVE_UP);
                    }
                    push_text(&x[j..j + len], false, v)?;
                    j += len + 4;
                }
                value = Value::Empty;
            } else if rest.starts_with(b"<is>") {
                let a = sheet.text.len();
                j = string_item(x, j + 4, b"</is>", &mut sheet.text)?;
                value = text_value(a, sheet)?;
            } else {
                return Err(GIVE_UP);
            }
        }
    }
    sheet.cells.push(Cell { row, col, value });
    Ok(j)
}

fn text_value(start: usize, sheet: &Sheet) -> R<Value> {
    let end = sheet.text.len();
    if end > u32::MAX as usize {
        return Err(GIVE_UP);
    }
    Ok(Value::Text(start as u32, end as u32))
}

fn number(n: f64, format: Option<Format>) -> Value {
    match format {
        Some(Format::DateTime) => Value::Date(n, false),
        Some(Format::TimeDelta) => Value::Date(n, true),
        _ => Value::Number(n),
    }
}

/// A shared-string cell's `<v>`.
fn shared_index(v: &[u8], strings: usize) -> R<Value> {
    let i = small_number(v)?;
    if i >= strings {
        return Err(Fail::Damaged("shared string index out of range"));
    }
    Ok(Value::Shared(i as u32))
}

/// calamine's `read_v`: the value of a `<v>` by the cell type.
fn read_v(
    v: &str,
    t: Option<&[u8]>,
    format: Option<Format>,
    strings: usize,
    sheet: &mut Sheet,
) -> R<Value> {
    Ok(match t {
        Some(b"s") => shared_index(v.as_bytes(), strings)?,
        Some(b"b") => Value::Bool(v != "0"),
        Some(b"e") => Value::Error(v.parse().map_err(|_| GIVE_UP)?),
        Some(b"d" | b"str") => {
            let a = sheet.text.len();
            sheet.text.push_str(v);
            text_value(a, sheet)?
        }
        Some(b"n") => {
            if v.is_empty() {
                Value::Empty
            } else {
                number(v.parse().map_err(|_| GIVE_UP)?, format)
            }
        }
        None => match v.parse::<f64>() {
            Ok(n) => number(n, format),
            Err(_) => {
                let a = sheet.text.len();
                sheet.text.push_str(v);
                text_value(a, sheet)?
            }
        },
        Some(_) => return Err(GIVE_UP),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(cell_ref(b"A1"), Ok((0, 0)));
        assert_eq!(cell_ref(b"AB12"), Ok((11, 27)));
        assert_eq!(cell_ref(b"XFD1048576"), Ok((1_048_575, 16_383)));
        assert_eq!(cell_ref(b"A0"), Err(GIVE_UP));
        assert_eq!(cell_ref(b"a1"), Err(GIVE_UP));
        assert_eq!(cell_ref(b"1"), Err(GIVE_UP));
        assert_eq!(cell_ref(b"A"), Err(GIVE_UP));
        assert_eq!(cell_ref(b"A1B"), Err(GIVE_UP));
        assert_eq!(dimension(b"B2:A1"), Err(GIVE_UP));
        assert_eq!(
            dimension(b"A1:C3"),
            Ok(Dimensions {
                start: (0, 0),
                end: (2, 2)
            })
        );
    }

    #[test]
    fn text_escapes() {
        let mut s = String::new();
        assert_eq!(
            push_text(b"a&amp;b&lt;&gt;&quot;&apos;", true, &mut s),
            Ok(())
        );
        assert_eq!(s, "a&b<>\"'");
        for bad in [&b"&#10;"[..], b"a\r\nb", b"_x000D_", b"&nbsp;", b"a & b"] {
            assert_eq!(push_text(bad, true, &mut String::new()), Err(GIVE_UP));
        }
        assert_eq!(push_text(b"_x000D_", false, &mut String::new()), Ok(()));
    }

    #[test]
    fn string_items() {
        let cases: &[(&[u8], &str)] = &[
            (b"<t>abc</t></si>", "abc"),
            (b"<t xml:space=\"preserve\"> a </t></si>", " a "),
            (b"<t/></si>", ""),
            (
                b"<r><rPr><b/><sz val=\"11\"/></rPr><t>ab</t></r><r><t>cd</t></r></si>",
                "abcd",
            ),
            (b"<t>\xe5\xbc\xa0</t><rPh sb=\"0\" eb=\"1\"><t>zhang</t></rPh><phoneticPr fontId=\"1\"/></si>", "张"),
        ];
        for (xml, want) in cases {
            let mut s = String::new();
            let end = string_item(xml, 0, b"</si>", &mut s);
            assert_eq!(end, Ok(xml.len()), "{}", String::from_utf8_lossy(xml));
            assert_eq!(s, *want);
        }
        for bad in [
            &b"</si>"[..],
            b"<t><![CDATA[x]]></t></si>",
            b"<x:t>a</x:t></si>",
            b"<t>a</t><t>b</t></si>",
            b"<t>a</t>",
        ] {
            assert!(string_item(bad, 0, b"</si>", &mut String::new()).is_err());
        }
    }

    #[test]
    fn date_formats_as_calamine() {
        assert_eq!(custom_format("yyyy-mm-dd"), Format::DateTime);
        assert_eq!(custom_format("[h]:mm:ss"), Format::TimeDelta);
        assert_eq!(custom_format("@"), Format::Other);
        assert_eq!(custom_format("0.00"), Format::Other);
        assert_eq!(builtin_format(b"14"), Format::DateTime);
        assert_eq!(builtin_format(b"0"), Format::Other);
    }
}
