//! 导入问题: one problem of a registry file, located by sheet, row, column and value, with its
//! reason in Chinese and English.

use super::values::Reason;

/// One problem of an import, located in the file (导入问题).
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// Sheet name (for a CSV file: the file name).
    pub sheet: String,
    /// 1-based row number as the spreadsheet shows it; 0 for the sheet or file as a whole.
    pub row: u32,
    /// The column header (as written in the file where known); empty for a whole row.
    pub column: String,
    /// The cell value as read (ID numbers included: the report goes to the importing user).
    pub value: String,
    /// Reason in Chinese.
    pub reason_zh: String,
    /// Reason in English.
    pub reason_en: String,
}

impl Problem {
    /// A problem from its parts.
    pub fn new(sheet: &str, row: u32, column: &str, value: &str, reason: Reason) -> Problem {
        Problem {
            sheet: sheet.to_owned(),
            row,
            column: column.to_owned(),
            value: value.to_owned(),
            reason_zh: reason.zh,
            reason_en: reason.en,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.sheet)?;
        if self.row > 0 {
            write!(f, " 第{}行", self.row)?;
        }
        if !self.column.is_empty() {
            write!(f, " [{}]", self.column)?;
        }
        if !self.value.is_empty() {
            write!(f, " “{}”", self.value)?;
        }
        write!(f, "：{} ({})", self.reason_zh, self.reason_en)
    }
}

/// A [`Reason`] from its Chinese and English text.
pub(super) fn reason(zh: impl Into<String>, en: impl Into<String>) -> Reason {
    Reason::new(zh, en)
}
