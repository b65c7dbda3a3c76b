//! 导入: files a user brings in. [`registry`] is the registry import (户籍台账导入) that the command
//! line (`shouwang import registry`), the upload page and the API all run.

pub mod registry;

pub use registry::RegistryImportResult;

/// A problem list (file, sheet, row, column, value, reason) as CSV, UTF-8 with a BOM so that Excel opens it:
/// the `--report` of the command line and the download of the upload page.
pub fn problems_csv(problems: &[shouwang_core::registry::Problem]) -> Vec<u8> {
    use std::borrow::Cow;
    crate::csv_out::excel_csv(
        &["表", "行", "列", "值", "原因", "reason"],
        problems.iter().map(|p| {
            vec![
                Cow::from(p.sheet.as_str()),
                Cow::from(p.row.to_string()),
                Cow::from(p.column.as_str()),
                Cow::from(p.value.as_str()),
                Cow::from(p.reason_zh.as_str()),
                Cow::from(p.reason_en.as_str()),
            ]
        }),
    )
}
