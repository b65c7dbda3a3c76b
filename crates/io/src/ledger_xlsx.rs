//! Writing the lifecycle ledgers 台账 (XLSX): one sheet named after the ledger, with the columns of
//! [`shouwang_core::ledger`], the conventions of the registry export ([`crate::registry_xlsx`]): Chinese
//! headers, a frozen header row, column widths, digit columns (身份证号, 户编号, 电话) as text cells in a
//! text-formatted column (never `1.41123E+17`), amounts with two decimals.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use shouwang_core::CodeList;
use shouwang_core::ledger::{Column, ColumnKind, LedgerKind, Value};

use crate::IoError;

fn xerr(e: XlsxError) -> IoError {
    IoError::Write {
        message: e.to_string(),
    }
}

/// The sheet name of a ledger (Excel allows 31 characters, no brackets trouble: full-width ones are fine).
pub fn sheet_name(kind: LedgerKind) -> &'static str {
    kind.label_zh()
}

/// A workbook with one sheet: the ledger's header row and `rows`.
pub fn write(
    kind: LedgerKind,
    columns: &[Column],
    rows: &[Vec<Value>],
) -> Result<Vec<u8>, IoError> {
    let mut ws = Worksheet::new();
    ws.set_name(sheet_name(kind)).map_err(xerr)?;
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let text = Format::new().set_num_format("@");
    let money = Format::new().set_num_format("0.00");
    for (i, c) in columns.iter().enumerate() {
        let i = u16::try_from(i).map_err(|_| IoError::Write {
            message: "too many columns".into(),
        })?;
        ws.set_column_width(i, c.width).map_err(xerr)?;
        match c.kind {
            ColumnKind::Digits | ColumnKind::Date | ColumnKind::Text => {
                ws.set_column_format(i, &text).map_err(xerr)?;
            }
            ColumnKind::Money => {
                ws.set_column_format(i, &money).map_err(xerr)?;
            }
            ColumnKind::Number => {}
        }
        ws.write_string_with_format(0, i, c.header, &header)
            .map_err(xerr)?;
    }
    ws.set_row_height(0, 30).map_err(xerr)?;
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| IoError::Write {
            message: "too many rows".into(),
        })?;
        for (i, (v, c)) in row.iter().zip(columns).enumerate() {
            let i = u16::try_from(i).unwrap_or(u16::MAX);
            match v {
                Value::Empty => {}
                Value::Text(s) => {
                    ws.write_string_with_format(r, i, s, &text).map_err(xerr)?;
                }
                Value::Number(n) if c.kind == ColumnKind::Money => {
                    ws.write_number_with_format(r, i, *n, &money)
                        .map_err(xerr)?;
                }
                Value::Number(n) => {
                    ws.write_number(r, i, *n).map_err(xerr)?;
                }
            }
        }
    }
    let mut wb = Workbook::new();
    wb.push_worksheet(ws);
    wb.save_to_buffer().map_err(xerr)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use shouwang_core::ledger::columns;
    use std::io::Cursor;

    #[test]
    fn ids_stay_text_and_headers_are_chinese() {
        let cols = columns(LedgerKind::Clues, false);
        let mut row = vec![Value::Empty; cols.len()];
        row[0] = Value::Number(1.0);
        row[5] = Value::Text("141123199001011234".into());
        let bytes = write(LedgerKind::Clues, cols, &[row]).unwrap();
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("线索台账").unwrap();
        assert_eq!(range.get_value((0, 0)), Some(&Data::String("序号".into())));
        assert_eq!(
            range.get_value((1, 5)),
            Some(&Data::String("141123199001011234".into()))
        );
        assert_eq!(range.get_value((1, 0)), Some(&Data::Float(1.0)));
    }
}
