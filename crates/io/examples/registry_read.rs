//! Reader-only timing: `shouwang_io::registry::read` of a registry file into a sink that drops the
//! rows (`null`) or into the assembler (`assemble`), without any database.
//!
//!     cargo run --release -p shouwang-io --example registry_read -- FILE.xlsx [null|assemble]

use shouwang_core::registry::SheetLayout;
use shouwang_io::registry::RowSink;

struct Null(u64);

impl RowSink for Null {
    fn begin_sheet(&mut self, _layout: SheetLayout) -> usize {
        0
    }
    fn merged(&mut self, _sheet: usize, _rows: (u32, u32), _cols: (usize, usize)) {}
    fn row(&mut self, _sheet: usize, _row: u32, cells: &[String]) {
        self.0 += cells.len() as u64;
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: registry_read FILE [null|assemble]")?;
    let mode = std::env::args().nth(2).unwrap_or_else(|| "assemble".into());
    let bytes = std::fs::read(&path)?;
    let started = std::time::Instant::now();
    if mode == "null" {
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
