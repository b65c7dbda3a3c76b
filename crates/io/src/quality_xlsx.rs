//! The data-quality workbook 数据质量问题清单 (XLSX): one row per finding, Chinese headers, a frozen
//! header row, column widths, 户编号 / 村代码 / 身份证号 as text cells in text-formatted columns (never
//! `1.41123E+17`). ID numbers are written as the caller passes them (masked for roles that may not see
//! them, see `Scope::show_id`).

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use shouwang_core::quality::check_info;
use shouwang_core::{CodeList, Finding};

use crate::IoError;

fn xerr(e: XlsxError) -> IoError {
    IoError::Write {
        message: e.to_string(),
    }
}

/// Sheet name.
pub const SHEET_NAME: &str = "数据质量问题清单";

/// Columns: header, width, text column.
const COLUMNS: &[(&str, f64, bool)] = &[
    ("序号", 7.0, false),
    ("乡镇", 12.0, false),
    ("行政村", 14.0, false),
    ("村代码", 15.0, true),
    ("户编号", 20.0, true),
    ("户主姓名", 10.0, false),
    ("问题代码", 9.0, false),
    ("严重程度", 9.0, false),
    ("检查规则", 40.0, false),
    ("成员姓名", 10.0, false),
    ("成员身份证号", 21.0, true),
    ("问题说明", 60.0, false),
];

/// One row: where and what.
pub struct QualityRow<'a> {
    /// 乡镇 name.
    pub township: &'a str,
    /// 行政村 name.
    pub village: &'a str,
    /// 村代码.
    pub village_code: &'a str,
    /// 户编号.
    pub number: &'a str,
    /// 户主姓名.
    pub head_name: &'a str,
    /// The finding.
    pub finding: &'a Finding,
    /// 成员姓名.
    pub member_name: Option<&'a str>,
    /// 成员身份证号 as it may be shown (full or masked).
    pub member_id: Option<String>,
}

/// Writes the findings row by row.
pub struct QualityWriter {
    ws: Worksheet,
    row: u32,
}

impl QualityWriter {
    /// A workbook with the header row.
    pub fn new() -> Result<QualityWriter, IoError> {
        let mut ws = Worksheet::new();
        ws.set_name(SHEET_NAME).map_err(xerr)?;
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xDDEBF7))
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        let text = Format::new().set_num_format("@");
        for (i, (name, width, is_text)) in COLUMNS.iter().enumerate() {
            let i = u16::try_from(i).unwrap_or(u16::MAX);
            ws.set_column_width(i, *width).map_err(xerr)?;
            if *is_text {
                ws.set_column_format(i, &text).map_err(xerr)?;
            }
            ws.write_string_with_format(0, i, *name, &header)
                .map_err(xerr)?;
        }
        ws.set_row_height(0, 24).map_err(xerr)?;
        ws.set_freeze_panes(1, 0).map_err(xerr)?;
        Ok(QualityWriter { ws, row: 1 })
    }

    /// Appends one finding.
    pub fn add(&mut self, r: &QualityRow<'_>) -> Result<(), IoError> {
        let f = r.finding;
        let rule = check_info(f.code).map_or("", |c| c.title_zh);
        let cells: [&str; 11] = [
            r.township,
            r.village,
            r.village_code,
            r.number,
            r.head_name,
            f.code,
            f.severity.label_zh(),
            rule,
            r.member_name.unwrap_or(""),
            r.member_id.as_deref().unwrap_or(""),
            &f.message_zh,
        ];
        self.ws
            .write_number(self.row, 0, f64::from(self.row))
            .map_err(xerr)?;
        for (i, c) in cells.iter().enumerate() {
            if c.is_empty() {
                continue;
            }
            let col = u16::try_from(i + 1).unwrap_or(u16::MAX);
            self.ws.write_string(self.row, col, *c).map_err(xerr)?;
        }
        self.row += 1;
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u32 {
        self.row - 1
    }

    /// The workbook as bytes.
    pub fn finish(self) -> Result<Vec<u8>, IoError> {
        let mut wb = Workbook::new();
        wb.push_worksheet(self.ws);
        wb.save_to_buffer().map_err(xerr)
    }
}
