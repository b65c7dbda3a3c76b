//! The summary of a run (汇总): rows, malformed rows by column and unmatched rows per file, and the
//! malformed rows themselves with their line numbers, fixed up from the line counts of the blocks (so
//! blocks can be processed in any order).

use std::collections::HashMap;

use super::open::SourceInfo;
use super::worker::{FileStats, WorkerOut};
use super::{ABSOLUTE, COLUMNS};
use crate::schema::{FileKind, MAX_COLS};
use crate::{FileSummary, Rejected};

pub(super) fn summarise(
    infos: &[SourceInfo],
    outs: Vec<WorkerOut>,
) -> (Vec<FileSummary>, Vec<Rejected>) {
    let mut stats = [FileStats::default(); 7];
    let mut lines: Vec<Vec<(u32, u64)>> = vec![Vec::new(); infos.len()];
    let mut raw = Vec::new();
    for o in outs {
        for (k, s) in o.stats.iter().enumerate() {
            stats[k].rows += s.rows;
            stats[k].unmatched += s.unmatched;
            for c in 0..=MAX_COLS {
                stats[k].bad[c] += s.bad[c];
            }
        }
        for (src, seq, n) in o.block_lines {
            lines[src].push((seq, n));
        }
        raw.extend(o.rejects);
    }
    // first line of every block
    let mut block_start: Vec<HashMap<u32, u64>> = Vec::with_capacity(infos.len());
    for (src, l) in lines.iter_mut().enumerate() {
        l.sort_unstable();
        let mut at = infos[src].first_line;
        let mut m = HashMap::with_capacity(l.len());
        for &(seq, n) in l.iter() {
            m.insert(seq, at);
            at += n;
        }
        block_start.push(m);
    }
    let mut rejected: Vec<Rejected> = raw
        .into_iter()
        .map(|r| {
            let info = &infos[r.src];
            let line = if r.seq == ABSOLUTE {
                r.line
            } else {
                block_start[r.src].get(&r.seq).copied().unwrap_or(0) + r.line
            };
            Rejected {
                kind: info.kind,
                file: info.name.clone(),
                line,
                column: column_name(info.kind, r.column),
                value: r.value,
                reason: r.reason,
            }
        })
        .collect();
    rejected.sort_by_key(|r| (r.kind, r.line));

    let files = infos
        .iter()
        .map(|info| {
            let s = &stats[info.kind.index()];
            let mut by: Vec<(&'static str, u64)> = (0..=MAX_COLS)
                .filter(|&c| s.bad[c] > 0)
                .map(|c| (column_name(info.kind, c), s.bad[c]))
                .collect();
            by.sort();
            FileSummary {
                kind: info.kind,
                path: info.path.clone(),
                rows: s.rows,
                skipped_by_column: by,
                unmatched: info.kind.is_department().then_some(s.unmatched),
            }
        })
        .collect();
    (files, rejected)
}

fn column_name(kind: FileKind, c: usize) -> &'static str {
    if c == COLUMNS {
        "columns"
    } else {
        kind.columns().get(c).map_or("columns", |col| col.name)
    }
}
