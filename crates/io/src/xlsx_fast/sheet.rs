//! Worksheets of the fast XLSX reader (工作表): `<sheetData>` scanned with `memchr` a chunk of the
//! inflated part at a time into cells (position and value, as calamine's cell reader gives them),
//! then what follows it (its merged areas).

use std::io::Read;

use calamine::Dimensions;
use memchr::{memchr, memmem};

use super::strings::string_item;
use super::workbook::Format;
use super::xml::{
    attr, attributes, cell_ref, dimension, elements, push_text, scan_attributes, skip_space,
    small_number, starts_tag, well_formed, xml_name,
};
use super::{Cell, Chunks, Fail, GIVE_UP, R, Sheet, Value};
use crate::archive::Meter;
/// A worksheet being scanned, chunk by chunk of the inflated part ([`CHUNK`](super::CHUNK)): each
/// [`SheetScan::next`] adds the cells of the whole rows inflated so far to a [`Sheet`]; the last one
/// also reads what follows `<sheetData>` (its merged areas). Whatever the scan does not understand
/// gives up, also after cells were handed out.
pub(crate) struct SheetScan<'f, T: Read> {
    x: Chunks<T>,
    formats: &'f [Format],
    strings: usize,
    /// Where the scan goes on in `x.buf`.
    pos: usize,
    /// Elements the head leaves open (closed by the tail).
    open: Vec<Vec<u8>>,
    value_text: String,
    in_row: bool,
    /// `<sheetData>` and the tail are read.
    done: bool,
}

impl<'f, T: Read> SheetScan<'f, T> {
    /// Reads the head, up to and with the `<sheetData>` start tag.
    pub(super) fn start(
        name: String,
        part: T,
        meter: Meter,
        formats: &'f [Format],
        strings: usize,
    ) -> R<(Self, Sheet)> {
        let mut x = Chunks::new(part, meter);
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
        let mut open = Vec::new();
        well_formed(head, &mut open)?;
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
            open,
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
        well_formed(&tail[..merge_cells.unwrap_or(tail.len())], &mut self.open)?;
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
