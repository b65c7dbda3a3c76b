//! Merged cells (合并单元格): each covered cell gets the top-left value, and the areas below the header
//! are declared to the sink (which decides whether a merge is fine).

use std::collections::HashMap;

use calamine::Dimensions;

use super::RowSink;

/// Merged areas of a sheet, to fill covered cells with the top-left value.
pub(super) struct Merges {
    areas: Vec<Dimensions>,
    /// 0-based row → areas covering it.
    by_row: HashMap<u32, Vec<usize>>,
    top_left: Vec<Option<String>>,
}

impl Merges {
    pub(super) fn new(areas: Vec<Dimensions>) -> Merges {
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
    pub(super) fn fill(&mut self, r: u32, cells: &mut Vec<String>) {
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

    pub(super) fn declare(&self, sheet: usize, header_row: u32, sink: &mut dyn RowSink) {
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
