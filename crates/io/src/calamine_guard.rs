//! A guard around calamine (防崩溃): calamine 0.31 indexes the shared strings of an XLSX without a bound
//! check (`xlsx/cells_reader.rs`: a cell `<c t="s"><v>7</v></c>` in a workbook with fewer than 8 shared
//! strings panics), and reads a damaged file in other ways we cannot see beforehand. The fast reader
//! refuses such a file itself when it reads it (`xlsx_fast::Fail::Damaged`), but when it gives up for
//! another reason the file reaches calamine. Every read through calamine goes through [`guarded`], so
//! that bad input is refused as a damaged file instead of panicking in an import job or a screening run
//! (found by the `xlsx_parts` fuzz target, issue 20).

use std::panic::{AssertUnwindSafe, catch_unwind};

/// What the reader says of a file calamine could not read without panicking.
pub(crate) const DAMAGED_ZH: &str = "无法读取表格文件（文件已损坏，例如共享字符串的编号超出范围）";
/// [`DAMAGED_ZH`] in English.
pub(crate) const DAMAGED_EN: &str =
    "cannot read the workbook (damaged, e.g. a shared-string index out of range)";

/// Runs a read through calamine; `None` if it panicked.
pub(crate) fn guarded<T>(read: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(read)).ok()
}
