//! Reader-only timing: `shouwang_io::registry::read` of a registry file into a sink that drops the
//! rows (`null`) or into the assembler (`assemble`), without any database.
//!
//!     cargo run --release -p shouwang-io --example registry_read -- FILE.xlsx [null|assemble|stream|reference|compare]
//!
//! `stream` is the import's sink (`StreamingSink`, households handed out every 2048 rows and
//! dropped); `reference` is the null sink through calamine alone (`registry::read_reference`, no fast XLSX
//! reader); `compare` reads the file both ways and checks that the sinks are told the same
//! (sheets, merged areas, rows), by a digest.

use shouwang_core::registry::SheetLayout;
use std::hash::{Hash, Hasher};

use shouwang_io::registry::{Handout, RowSink};

struct Null(u64);

/// A digest of everything a sink is told: the sheets and merged areas in order, the rows in any order
/// (the streaming reader hands out a household sheet's and a member sheet's rows together).
struct Digest(std::collections::hash_map::DefaultHasher, u64, u64);

impl RowSink for Digest {
    fn begin_sheet(&mut self, layout: SheetLayout) -> usize {
        (&*layout.name, layout.header_row, layout.width()).hash(&mut self.0);
        0
    }
    fn merged(&mut self, sheet: usize, rows: (u32, u32), cols: (usize, usize)) {
        (sheet, rows, cols).hash(&mut self.0);
    }
    fn row(&mut self, sheet: usize, row: u32, cells: &[String]) {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (sheet, row, cells).hash(&mut h);
        self.2 = self.2.wrapping_add(h.finish());
        self.1 += 1;
    }
    fn restart(&mut self) {
        *self = Digest(Default::default(), 0, 0);
    }
}

impl RowSink for Null {
    fn begin_sheet(&mut self, _layout: SheetLayout) -> usize {
        0
    }
    fn merged(&mut self, _sheet: usize, _rows: (u32, u32), _cols: (usize, usize)) {}
    fn row(&mut self, _sheet: usize, _row: u32, cells: &[String]) {
        self.0 += cells.len() as u64;
    }
    fn restart(&mut self) {
        self.0 = 0;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: registry_read FILE [null|assemble]")?;
    let mode = std::env::args().nth(2).unwrap_or_else(|| "assemble".into());
    let bytes = std::fs::read(&path)?;
    let started = std::time::Instant::now();
    if mode == "compare" {
        let mut fast = Digest(Default::default(), 0, 0);
        let a = shouwang_io::registry::read(&path, &bytes, &mut fast, &|_, _| {})?;
        let t = started.elapsed().as_secs_f64();
        let mut slow = Digest(Default::default(), 0, 0);
        let b = shouwang_io::registry::read_reference(&path, &bytes, &mut slow, &|_, _| {})?;
        let (x, y) = (fast.0.finish() ^ fast.2, slow.0.finish() ^ slow.2);
        eprintln!(
            "read: {} rows {x:016x} in {t:.3} s; reference: {} rows {y:016x} in {:.3} s",
            fast.1,
            slow.1,
            started.elapsed().as_secs_f64() - t
        );
        if a != b || x != y || fast.1 != slow.1 {
            return Err("the fast reader and calamine differ".into());
        }
        eprintln!("same");
    } else if mode == "stream" {
        let (mut handed, mut restarts) = (0usize, 0);
        let mut sink = shouwang_io::registry::StreamingSink::new(2048, |b| match b {
            Handout::Ready(b) => handed += b.len(),
            Handout::Incomes(_) => {}
            Handout::Restart => {
                handed = 0;
                restarts += 1;
            }
        });
        shouwang_io::registry::read(&path, &bytes, &mut sink, &|_, _| {})?;
        let a = sink.finish();
        eprintln!(
            "streamed: {handed} households handed out early ({restarts} restarts), {} at the end, in {:.3} s",
            a.entries.len(),
            started.elapsed().as_secs_f64()
        );
    } else if mode == "reference" {
        let mut sink = Null(0);
        shouwang_io::registry::read_reference(&path, &bytes, &mut sink, &|_, _| {})?;
        eprintln!(
            "reference null sink: {} cells in {:.3} s",
            sink.0,
            started.elapsed().as_secs_f64()
        );
    } else if mode == "null" {
        let mut sink = Null(0);
        shouwang_io::registry::read(&path, &bytes, &mut sink, &|_, _| {})?;
        eprintln!(
            "null sink: {} cells in {:.3} s",
            sink.0,
            started.elapsed().as_secs_f64()
        );
    } else {
        let (_, a) = shouwang_io::registry::read_assembled(&path, &bytes, &|_, _| {})?;
        eprintln!(
            "assembled: {} households in {:.3} s",
            a.entries.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
