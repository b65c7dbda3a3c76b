//! The reference of `bench/import.sh`: calamine alone reading a workbook (every worksheet into a
//! `Range`, the usual calamine API), with nothing else done to the cells.
//!
//!     cargo run --release -p shouwang-io --example calamine_read -- FILE.xlsx

use calamine::Reader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: calamine_read FILE")?;
    let started = std::time::Instant::now();
    let mut book = calamine::open_workbook_auto(&path)?;
    let mut cells = 0usize;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name)?;
        cells += range.used_cells().count();
    }
    eprintln!(
        "calamine: {cells} non-empty cells in {:.3} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
