//! Cells and their text (单元格与文本): the cell sources of an XLSX sheet (calamine's cell reader, the
//! fast reader's cells read whole or as it scans) behind one [`CellSource`], and how a cell becomes the
//! text a CSV export would carry ([`Hint`]: numbers in columns of digits written out in full, numbers in
//! amount columns to the fen when only a binary rest makes them longer).

use std::fmt::Write as _;

use calamine::{Data, DataRef};
use shouwang_core::registry::{Kind, SheetLayout};

use super::workbook::{Stop, workbook_error};
use crate::xlsx_fast;

/// How a column's cells are turned into text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Hint {
    Plain,
    Digits,
    /// An amount in yuan (收支情况): a number that is a number of fen but for its binary rest is written
    /// to the fen.
    Amount,
}

pub(crate) fn hints(layout: &SheetLayout, width: usize) -> Vec<Hint> {
    (0..width)
        .map(|i| match layout.kind_at(i) {
            Some(Kind::Digits) => Hint::Digits,
            Some(Kind::Amount) => Hint::Amount,
            _ => Hint::Plain,
        })
        .collect()
}

/// Relative distance within which a number of an amount cell is taken for the nearest number of fen:
/// about 450 units in the last place, the binary rest of a formula (`=A2*0.3` giving
/// `3703.6799999999998`), far below a third decimal the clerk typed.
const FEN_TOLERANCE: f64 = 1e-13;

/// Appends the text of a number cell in a column of `hint`.
pub(crate) fn number_text(f: f64, hint: Hint, out: &mut String) {
    match hint {
        Hint::Digits if f.fract() == 0.0 && f.abs() < 1e15 => {
            let _ = write!(out, "{}", f as i64);
        }
        Hint::Digits => {
            let _ = write!(out, "{f:E}");
        }
        Hint::Amount => amount_text(f, out),
        Hint::Plain => {
            let _ = write!(out, "{f}");
        }
    }
}

/// The text of a number in an amount column: as written (`{f}`), unless it has more than 2 decimals and
/// lies within [`FEN_TOLERANCE`] of a number of fen, which is then written (`3703.68`). A real third
/// decimal stays and is refused by the cell rule (`shouwang_core::registry::amounts::amount`).
fn amount_text(f: f64, out: &mut String) {
    let start = out.len();
    let _ = write!(out, "{f}");
    let decimals = out[start..]
        .find('.')
        .map_or(0, |d| out.len() - start - d - 1);
    if decimals <= 2 || !f.is_finite() || f.abs() >= 1e13 {
        return;
    }
    let fen = (f * 100.0).round();
    if (fen / 100.0 - f).abs() > f.abs() * FEN_TOLERANCE {
        return;
    }
    out.truncate(start);
    let fen = fen as i64;
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let _ = write!(out, "{sign}{}.{:02}", abs / 100, abs % 100);
}

pub(super) fn data_text(cell: &Data, hint: Hint, out: &mut String) {
    match cell {
        Data::Float(f) => number_text(*f, hint, out),
        Data::Int(i) => number_text(*i as f64, hint, out),
        other => crate::xlsx::cell_text(other, crate::xlsx::CellHint::Plain, out),
    }
}

pub(super) fn dataref_text(cell: &DataRef<'_>, hint: Hint, out: &mut String) {
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

/// A row of a whole-sheet range as texts by absolute column position.
pub(super) fn range_row_text(row: &[Data], first_col: u32, hints: Option<&[Hint]>) -> Vec<String> {
    let mut out = vec![String::new(); first_col as usize + row.len()];
    for (i, cell) in row.iter().enumerate() {
        let c = first_col as usize + i;
        let hint = hints.and_then(|h| h.get(c).copied()).unwrap_or(Hint::Plain);
        data_text(cell, hint, &mut out[c]);
    }
    out
}

/// A cell source of one XLSX sheet: calamine's cell reader or the fast reader's cells. All go
/// through the same row assembly ([`first_rows`](super::rows::first_rows),
/// [`stream_rows`](super::rows::stream_rows)), so they can only differ in the
/// cells themselves.
pub(super) trait CellSource {
    /// The next cell's 0-based (row, column), or `None` at the end of the sheet.
    fn advance(&mut self) -> Result<Option<(u32, u32)>, Stop>;
    /// Appends the text of the cell [`CellSource::advance`] stepped on.
    fn text(&self, hint: Hint, out: &mut String);
}

/// calamine's cell reader (its type is not exported: `next` is its `next_cell`).
pub(super) struct CalamineCells<'a, F> {
    pub(super) name: &'a str,
    pub(super) next: F,
    pub(super) cell: Option<calamine::Cell<DataRef<'a>>>,
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

pub(super) struct FastCells<'a> {
    book: &'a xlsx_fast::Book,
    sheet: &'a xlsx_fast::Sheet,
    next: usize,
}

impl<'a> FastCells<'a> {
    pub(super) fn new(book: &'a xlsx_fast::Book, sheet: &'a xlsx_fast::Sheet) -> FastCells<'a> {
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
pub(super) struct StreamCells<'b, 'f, T: std::io::Read> {
    pub(super) book: &'b xlsx_fast::Book,
    pub(super) scan: xlsx_fast::SheetScan<'f, T>,
    /// The cells of the chunk scanned last (and, once the scan is done, the sheet's merged areas).
    pub(super) sheet: xlsx_fast::Sheet,
    pub(super) next: usize,
}

impl<T: std::io::Read> StreamCells<'_, '_, T> {
    /// Scans the rest of the sheet without handing out its cells.
    pub(super) fn drain(&mut self) -> Result<(), Stop> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: f64, hint: Hint) -> String {
        let mut s = String::from("x");
        number_text(f, hint, &mut s);
        s.split_off(1)
    }

    #[test]
    fn amounts_to_the_fen() {
        for (f, want) in [
            (12345.6, "12345.6"),
            (12345.0, "12345"),
            (0.0, "0"),
            (0.01, "0.01"),
            (0.1 + 0.2, "0.30"),
            (12345.6 * 0.3, "3703.68"),
            (1.1 * 1.1, "1.21"),
            (99_999_999.99, "99999999.99"),
            (-(0.1 + 0.2), "-0.30"),
            // a real third decimal stays (and is refused by the cell rule)
            (12.345, "12.345"),
            (0.001, "0.001"),
            (1234.5678, "1234.5678"),
            (12.3449, "12.3449"),
        ] {
            assert_eq!(text(f, Hint::Amount), want, "{f}");
        }
        assert_eq!(text(0.1 + 0.2, Hint::Plain), "0.30000000000000004");
        assert_eq!(text(141123100201.0, Hint::Digits), "141123100201");
        assert_eq!(text(2021.0, Hint::Plain), "2021");
        assert_eq!(text(f64::NAN, Hint::Amount), "NaN");
        assert_eq!(text(1e20, Hint::Amount), "100000000000000000000");
    }
}
