//! Registry files 农户信息台账: the rules of a registry workbook or CSV, without any I/O.
//!
//! The county holds its registry in sheets exported from the national monitoring system. A file has
//! either **one sheet** with a row per member and the household columns on every row (or only on the
//! first row of each household), or **two sheets**: households (户信息, one row per household) and
//! members (家庭成员, one row per member, linked by 户编号). [`columns`] lists the columns with their
//! Chinese headers and aliases. Besides, a file may have a **收支情况** sheet: one row per household and
//! year with its incomes and expenditure ([`income_sheet`], cell rules in [`amounts`]), read row by row.
//!
//! The reading side (`shouwang-io`) finds the header row and turns cells into text; this module
//! - recognises a sheet from its headers ([`SheetLayout::detect`], [`check_layouts`]),
//! - parses every row ([`values`]: code labels with the spellings clerks use, yes/no, lists),
//! - groups rows into households and validates each household as a whole ([`Assembler`]): exactly one
//!   户主, at most one 配偶, 家庭人口 equal to the member rows, no ID number twice (in a household or in
//!   two households of the file), members only for households of the household sheet,
//! - and reports every problem with sheet, row, column, value and reason ([`Problem`]).
//!
//! A household with any problem is rejected as a whole: importing part of a family would lose a
//! member, which is worse than importing nothing of it.
//!
//! | file | holds |
//! | --- | --- |
//! | [`columns`] | the columns, their Chinese headers and aliases |
//! | [`values`] | cell values: code labels, yes/no, counts, lists, 户编号 |
//! | `layout.rs` | recognising a sheet from its headers ([`SheetLayout`], [`check_layouts`]) |
//! | `member_row.rs` | one member row parsed into a [`Member`](crate::Member) |
//! | `assembler.rs` | the [`Assembler`]: rows grouped into households, ID numbers across households |
//! | `household_rows.rs` | one household's rows checked and built into a [`Household`](crate::Household) |
//! | `entry.rs` | what a read gives: [`RegistryEntry`], [`Assembled`], [`ReadStats`] |
//! | `problem.rs` | a located [`Problem`] |
//! | [`income_sheet`] | the 收支情况 sheet: its columns, one row parsed into an [`IncomeRow`] |
//! | [`amounts`] | its cells: amounts in yuan, 年度, 家庭人口 |
//! | `tests.rs` | the tests of reading rows into households |

pub mod amounts;
mod assembler;
pub mod columns;
mod entry;
mod household_rows;
pub mod income_sheet;
mod layout;
mod member_row;
mod problem;
pub mod values;

pub use assembler::{Assembler, SheetId};
pub use columns::{COLUMNS, Col, ColumnSpec, Kind, Level, N_COLS, normalise_header};
pub use entry::{Assembled, ReadStats, RegionNames, RegistryEntry, RowRef};
pub use income_sheet::{INCOME_COLUMNS, INCOME_SHEET_NAME, IncomeCol, IncomeColumnSpec, IncomeRow};
pub use layout::{SheetKind, SheetLayout, check_layouts, column_letter};
pub use problem::Problem;
pub use values::normalise_number;

#[cfg(test)]
mod income_tests;
#[cfg(test)]
mod tests;
