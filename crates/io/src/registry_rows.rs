//! 台账行: a registry handed to a [`RowSink`] as the reader hands it the workbook the export writes
//! ([`crate::registry_xlsx::RegistryWriter`]) — the same sheets 户信息, 家庭成员 and 收支情况, recognised from
//! the same headers, the same row numbers, each cell's text as the reader makes it of the cell the export
//! writes (a number cell as `3` or `1234.5`) — without writing the workbook and reading it back. For a
//! registry made in memory (the demo county): from the sink on, it takes the file import's path.
//!
//! Households are handed over in the order they are added, each household row followed by its member
//! rows (as the streaming reader hands out the export's two sheets), the 收支情况 rows as they are added.

use shouwang_core::household::Household;
use shouwang_core::income::IncomeRecord;
use shouwang_core::registry::columns::{
    HOUSEHOLD_SHEET, HOUSEHOLD_SHEET_NAME, MEMBER_SHEET, MEMBER_SHEET_NAME,
};
use shouwang_core::registry::{
    INCOME_COLUMNS, INCOME_SHEET_NAME, RegionNames, SheetKind, SheetLayout,
};

use crate::registry::{FileInfo, Hint, RowSink, Unusable, hints, number_text};
use crate::registry_xlsx::{Cell, household_cell, income_cell, member_cell};

/// One sheet being handed over.
struct Sheet {
    id: usize,
    hints: Vec<Hint>,
    /// The next row (1-based; the header is row 1).
    row: u32,
}

impl Sheet {
    fn begin(sink: &mut dyn RowSink, name: &str, headers: Vec<String>) -> Result<Sheet, Unusable> {
        let layout = SheetLayout::detect(name, 1, &headers)
            .map_err(Unusable)?
            .ok_or_else(|| Unusable(Vec::new()))?;
        let hints = hints(&layout, headers.len());
        Ok(Sheet {
            id: sink.begin_sheet(layout),
            hints,
            row: 2,
        })
    }
}

/// Hands a registry to a sink row by row (see the module docs).
pub struct RegistryRows<'s> {
    sink: &'s mut dyn RowSink,
    households: Sheet,
    members: Sheet,
    incomes: Sheet,
    cells: Vec<String>,
}

impl<'s> RegistryRows<'s> {
    /// Begins the three sheets on `sink`.
    pub fn new(sink: &'s mut dyn RowSink) -> Result<RegistryRows<'s>, Unusable> {
        let headers = |cols: &[shouwang_core::registry::Col]| -> Vec<String> {
            cols.iter().map(|c| c.header().to_owned()).collect()
        };
        let households = Sheet::begin(sink, HOUSEHOLD_SHEET_NAME, headers(HOUSEHOLD_SHEET))?;
        let members = Sheet::begin(sink, MEMBER_SHEET_NAME, headers(MEMBER_SHEET))?;
        let incomes = Sheet::begin(
            sink,
            INCOME_SHEET_NAME,
            INCOME_COLUMNS.iter().map(|c| c.header.to_owned()).collect(),
        )?;
        Ok(RegistryRows {
            sink,
            households,
            members,
            incomes,
            cells: Vec::new(),
        })
    }

    /// What a reader would say it read.
    pub fn info() -> FileInfo {
        FileInfo {
            format: "rows".to_owned(),
            sheets: vec![
                (HOUSEHOLD_SHEET_NAME.to_owned(), SheetKind::Households),
                (MEMBER_SHEET_NAME.to_owned(), SheetKind::Members),
                (INCOME_SHEET_NAME.to_owned(), SheetKind::Income),
            ],
            ignored_sheets: Vec::new(),
        }
    }

    /// Hands over a household: its row in 户信息, one per member in 家庭成员.
    pub fn add(&mut self, h: &Household, names: &RegionNames) {
        let cells: Vec<Cell> = HOUSEHOLD_SHEET
            .iter()
            .map(|c| household_cell(*c, h, names))
            .collect();
        self.hand(Which::Households, cells);
        for i in 0..h.members.len() {
            let cells = MEMBER_SHEET.iter().map(|c| member_cell(*c, h, i)).collect();
            self.hand(Which::Members, cells);
        }
    }

    /// Hands over the income records of household `number`, one row each in 收支情况.
    pub fn add_incomes(&mut self, number: &str, records: &[IncomeRecord]) {
        for r in records {
            let cells = INCOME_COLUMNS
                .iter()
                .map(|c| income_cell(c.col, number, r))
                .collect();
            self.hand(Which::Incomes, cells);
        }
    }

    fn hand(&mut self, which: Which, cells: Vec<Cell>) {
        let sheet = match which {
            Which::Households => &mut self.households,
            Which::Members => &mut self.members,
            Which::Incomes => &mut self.incomes,
        };
        self.cells.resize(cells.len(), String::new());
        for ((out, cell), hint) in self.cells.iter_mut().zip(cells).zip(&sheet.hints) {
            out.clear();
            match cell {
                Cell::Text(t) => *out = t,
                Cell::Number(f) => number_text(f, *hint, out),
            }
        }
        self.sink.row(sheet.id, sheet.row, &self.cells);
        sheet.row += 1;
    }
}

#[derive(Clone, Copy)]
enum Which {
    Households,
    Members,
    Incomes,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::read;
    use shouwang_core::registry::Assembler;

    /// What a sink is told, sheet by sheet.
    #[derive(Default, Debug, PartialEq)]
    struct Told {
        sheets: Vec<(String, SheetKind, u32, usize)>,
        rows: Vec<Vec<(u32, Vec<String>)>>,
    }

    impl RowSink for Told {
        fn begin_sheet(&mut self, layout: SheetLayout) -> usize {
            self.sheets.push((
                layout.name.to_string(),
                layout.kind,
                layout.header_row,
                layout.width(),
            ));
            self.rows.push(Vec::new());
            self.rows.len() - 1
        }
        fn merged(&mut self, _: usize, _: (u32, u32), _: (usize, usize)) {}
        fn row(&mut self, sheet: usize, row: u32, cells: &[String]) {
            // The reader leaves out trailing empty cells of a row.
            let mut cells = cells.to_vec();
            while cells.last().is_some_and(String::is_empty) {
                cells.pop();
            }
            self.rows[sheet].push((row, cells));
        }
        fn restart(&mut self) {
            *self = Told::default();
        }
    }

    #[test]
    fn the_rows_are_what_the_reader_makes_of_the_exported_workbook() {
        let (bytes, households) = crate::registry::income_tests_export(40);
        let mut from_file = Told::default();
        read("x.xlsx", &bytes, &mut from_file, &|_, _| {}).unwrap();
        let mut from_rows = Told::default();
        {
            let mut rows = RegistryRows::new(&mut from_rows).unwrap();
            for (h, names, incomes) in &households {
                rows.add(h, names);
                rows.add_incomes(&h.number, incomes);
            }
        }
        assert_eq!(from_rows.sheets, from_file.sheets);
        assert_eq!(from_rows.rows, from_file.rows);
        // And they assemble into the same households and incomes.
        let mut a = Assembler::new();
        {
            let mut rows = RegistryRows::new(&mut a).unwrap();
            for (h, names, incomes) in &households {
                rows.add(h, names);
                rows.add_incomes(&h.number, incomes);
            }
        }
        let a = a.finish();
        assert!(a.problems.is_empty(), "{:?}", a.problems.first());
        assert_eq!((a.entries.len(), a.incomes.len()), (40, 80));
        assert_eq!(a.entries[3].household, households[3].0);
    }
}
