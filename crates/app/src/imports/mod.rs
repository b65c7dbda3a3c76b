//! 导入: files a user brings in. [`registry`] is the registry import (户籍台账导入) that the command
//! line (`shouwang import registry`), the upload page and the API all run.

pub mod registry;

pub use registry::RegistryImportResult;

/// A problem list (file, sheet, row, column, value, reason) as CSV, UTF-8 with a BOM so that Excel opens it:
/// the `--report` of the command line and the download of the upload page.
pub fn problems_csv(problems: &[shouwang_core::registry::Problem]) -> Vec<u8> {
    let mut buf: Vec<u8> = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut buf);
        let _ = w.write_record(["表", "行", "列", "值", "原因", "reason"]);
        for p in problems {
            let _ = w.write_record([
                p.sheet.as_str(),
                &p.row.to_string(),
                &p.column,
                &p.value,
                &p.reason_zh,
                &p.reason_en,
            ]);
        }
        let _ = w.flush();
    }
    buf
}
