//! CSV files for Excel (problem lists, rejected rows): UTF-8 with a BOM, every cell text. A cell that
//! starts with a formula character (`=`, `+`, `-`, `@`, a tab or a carriage return) comes from an uploaded
//! file and would run as a formula when the list is opened (CSV injection; issue 20): it is written with a
//! leading apostrophe, which Excel and WPS show as text.

use std::borrow::Cow;

/// `cell` as text Excel will not evaluate.
pub(crate) fn text_cell(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// A CSV with `header` and `rows`, every cell through [`text_cell`].
pub(crate) fn excel_csv<'a>(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<Cow<'a, str>>>,
) -> Vec<u8> {
    let mut buf: Vec<u8> = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut buf);
        let _ = w.write_record(header);
        for row in rows {
            let _ = w.write_record(row.iter().map(|c| text_cell(c).into_owned()));
        }
        let _ = w.flush();
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_become_text() {
        for f in ["=1+1", "+1", "-2", "@SUM(A1)", "\t=x", "\r=x"] {
            assert_eq!(text_cell(f), format!("'{f}"));
        }
        for t in ["张三", "1411231002", "", "a=b", "2022-01-03"] {
            assert_eq!(text_cell(t), t);
        }
        let out =
            String::from_utf8(excel_csv(&["值"], [vec![Cow::from("=HYPERLINK(\"x\")")]])).unwrap();
        assert!(out.contains("'=HYPERLINK"), "{out}");
    }
}
