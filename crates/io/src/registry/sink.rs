//! Where the rows of a registry file go (行的去向): the [`RowSink`] a reader tells each sheet, merged area
//! and row, the [`Assembler`] as a sink, and the [`StreamingSink`] of an import, which hands out the
//! households completed so far while the rest of the file is read.

use shouwang_core::registry::{
    Assembled, Assembler, IncomeRow, RegistryEntry, SheetId, SheetLayout,
};

/// Where the rows of a registry file go.
pub trait RowSink {
    /// A registry sheet starts; returns its handle.
    fn begin_sheet(&mut self, layout: SheetLayout) -> usize;
    /// A merged area of the sheet (1-based rows, 0-based columns, inclusive), already filled in the rows.
    fn merged(&mut self, sheet: usize, rows: (u32, u32), cols: (usize, usize));
    /// A data row (1-based row number), cells by column position.
    fn row(&mut self, sheet: usize, row: u32, cells: &[String]);
    /// Forget everything told so far: the file is read again from the start. The fast XLSX reader
    /// hands out rows while it still scans the file; if it then meets something it does not read
    /// exactly as calamine would (merged cells, an unusual cell), the file is read again the careful way.
    fn restart(&mut self);
}

impl RowSink for Assembler {
    fn begin_sheet(&mut self, layout: SheetLayout) -> usize {
        Assembler::begin_sheet(self, layout).index()
    }
    fn merged(&mut self, sheet: usize, rows: (u32, u32), cols: (usize, usize)) {
        Assembler::merged(self, SheetId::from_index(sheet), rows, cols);
    }
    fn row(&mut self, sheet: usize, row: u32, cells: &[String]) {
        self.add_row(SheetId::from_index(sheet), row, cells);
    }
    fn restart(&mut self) {
        *self = Assembler::new();
    }
}

/// What a [`StreamingSink`] hands out.
#[derive(Debug)]
pub enum Handout {
    /// Households completed (and valid so far).
    Ready(Vec<RegistryEntry>),
    /// 收支情况 rows read (and valid so far; see [`Assembler::take_incomes`]).
    Incomes(Vec<IncomeRow>),
    /// Everything handed out so far is void: the file is read again from the start (see
    /// [`RowSink::restart`]).
    Restart,
}

/// A sink for a streaming import: assembles the rows and, every `every` rows, hands the households
/// completed so far ([`Assembler::take_ready`]) and the 收支情况 rows read so far
/// ([`Assembler::take_incomes`]) to `ready`, so that they can be written while the rest of the file is
/// read.
pub struct StreamingSink<F: FnMut(Handout)> {
    assembler: Assembler,
    rows: u64,
    every: u64,
    ready: F,
}

impl<F: FnMut(Handout)> StreamingSink<F> {
    /// A sink handing out ready households every `every` rows.
    pub fn new(every: u64, ready: F) -> StreamingSink<F> {
        StreamingSink {
            assembler: Assembler::new(),
            rows: 0,
            every: every.max(1),
            ready,
        }
    }

    /// Validates the whole file (households handed out early included; see [`Assembled::reopened`]).
    pub fn finish(self) -> Assembled {
        self.assembler.finish()
    }
}

impl<F: FnMut(Handout)> RowSink for StreamingSink<F> {
    fn begin_sheet(&mut self, layout: SheetLayout) -> usize {
        self.assembler.begin_sheet(layout).index()
    }
    fn merged(&mut self, sheet: usize, rows: (u32, u32), cols: (usize, usize)) {
        self.assembler
            .merged(SheetId::from_index(sheet), rows, cols);
    }
    fn row(&mut self, sheet: usize, row: u32, cells: &[String]) {
        self.assembler
            .add_row(SheetId::from_index(sheet), row, cells);
        self.rows += 1;
        if self.rows.is_multiple_of(self.every) {
            let ready = self.assembler.take_ready();
            if !ready.is_empty() {
                (self.ready)(Handout::Ready(ready));
            }
            let incomes = self.assembler.take_incomes();
            if !incomes.is_empty() {
                (self.ready)(Handout::Incomes(incomes));
            }
        }
    }
    fn restart(&mut self) {
        self.assembler = Assembler::new();
        self.rows = 0;
        (self.ready)(Handout::Restart);
    }
}
