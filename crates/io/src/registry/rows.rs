//! Rows from cells (逐行读取): the first rows of a sheet for the header search, the rows one at a time
//! (merged areas filled, blank rows included) handed to the sink, and a household sheet and a member
//! sheet handed out together so that the first households are complete early.

use super::cells::{CellSource, Hint};
use super::merges::Merges;
use super::workbook::Stop;
use super::{HEADER_SEARCH_ROWS, RowSink};

/// The cells of the first [`HEADER_SEARCH_ROWS`](super::HEADER_SEARCH_ROWS) rows, as plain text.
pub(super) fn first_rows(cells: &mut dyn CellSource) -> Result<Vec<(u32, Vec<String>)>, Stop> {
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
pub(super) struct RowCursor<'c> {
    cells: &'c mut dyn CellSource,
    hints: &'c [Hint],
    merges: &'c mut Merges,
    /// The cells of the row handed out last, by column position.
    pub(super) row: Vec<String>,
    /// A cell already stepped on that starts the next row (its text not taken yet).
    next_cell: Option<(u32, u32)>,
    /// Blank rows still to hand out before `next_cell`'s row.
    blank: std::ops::Range<u32>,
    ended: bool,
}

impl<'c> RowCursor<'c> {
    pub(super) fn new(
        cells: &'c mut dyn CellSource,
        hints: &'c [Hint],
        merges: &'c mut Merges,
    ) -> Self {
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
pub(super) struct Feed {
    pub(super) id: usize,
    pub(super) header_row: u32,
}

/// Rows read so far, of an estimated total, reported now and then.
pub(super) struct Count<'p> {
    pub(super) done: &'p mut u64,
    pub(super) total: u64,
    pub(super) progress: &'p dyn Fn(u64, u64),
}

impl Feed {
    /// Hands a row (0-based number) to the sink.
    pub(super) fn row(
        self,
        r: u32,
        cells: &[String],
        sink: &mut dyn RowSink,
        count: &mut Count<'_>,
    ) {
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
pub(super) fn stream_rows(
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
pub(super) fn stream_two(
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
