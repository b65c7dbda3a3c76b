//! Writers of `flagged.csv` (byte-identical to the reference engines) and
//! `rejected.csv`, and the stderr summary lines of `reference.py`.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::{FileKind, FlaggedRow, Outcome, Rejected};

/// Header of `flagged.csv`.
pub const FLAGGED_HEADER: &str =
    "户编号,村代码,户类型,风险代码,医疗自付合计,灾害损失合计,人均纯收入";

/// Fen as yuan with 2 decimals (`-12.05`).
pub fn fmt_fen(v: i128, out: &mut String) {
    if v < 0 {
        out.push('-');
    }
    let a = v.unsigned_abs();
    let _ = write!(out, "{}.{:02}", a / 100, a % 100);
}

/// Writes `flagged.csv`: UTF-8, no BOM, LF, no quoting, rows as given (sorted by 户编号).
pub fn write_flagged<W: Write>(w: W, rows: &[FlaggedRow]) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, w);
    w.write_all(FLAGGED_HEADER.as_bytes())?;
    w.write_all(b"\n")?;
    let mut line = String::with_capacity(128);
    for r in rows {
        line.clear();
        line.push_str(&r.household);
        line.push(',');
        line.push_str(&r.village);
        line.push(',');
        line.push_str(&r.household_type);
        line.push(',');
        line.push_str(&r.codes.joined());
        line.push(',');
        fmt_fen(r.medical_out_of_pocket_fen, &mut line);
        line.push(',');
        fmt_fen(r.disaster_loss_fen, &mut line);
        line.push(',');
        fmt_fen(r.per_capita_fen, &mut line);
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    w.flush()
}

fn csv_field(s: &str, out: &mut String) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Writes `rejected.csv` (被跳过的行): `file,line,column,reason`, UTF-8 with a
/// BOM so that Excel on a Chinese Windows opens it correctly.
pub fn write_rejected<W: Write>(w: W, rows: &[Rejected]) -> io::Result<()> {
    let mut w = io::BufWriter::new(w);
    w.write_all("\u{FEFF}file,line,column,reason\n".as_bytes())?;
    let mut line = String::new();
    for r in rows {
        line.clear();
        csv_field(&r.file, &mut line);
        let _ = write!(line, ",{},", r.line);
        csv_field(r.column, &mut line);
        line.push(',');
        csv_field(&r.reason, &mut line);
        line.push('\n');
        w.write_all(line.as_bytes())?;
    }
    w.flush()
}

/// The `summary …` lines of `reference.py` (one per file, then the totals).
pub fn summary_lines(o: &Outcome) -> Vec<String> {
    let mut lines = Vec::new();
    for kind in FileKind::ALL {
        let Some(f) = o.files.iter().find(|f| f.kind == kind) else {
            continue;
        };
        let mut s = format!(
            "summary {}: rows={} skipped={}",
            kind.csv_name(),
            f.rows,
            f.skipped()
        );
        for (col, n) in &f.skipped_by_column {
            let _ = write!(s, " [{col}={n}]");
        }
        match f.unmatched {
            Some(n) => {
                let _ = write!(s, " unmatched={n}");
            }
            None => s.push_str(" unmatched=-"),
        }
        lines.push(s);
    }
    lines.push(format!(
        "summary flagged={} households={}",
        o.flagged.len(),
        o.households
    ));
    lines
}

/// The `skipped … line N: bad …` lines of `reference.py` for the first `max` malformed rows.
pub fn skipped_lines(o: &Outcome, max: usize) -> Vec<String> {
    o.rejected
        .iter()
        .take(max)
        .map(|r| {
            if r.column == "columns" {
                format!("skipped {} line {}: bad columns", r.file, r.line)
            } else {
                format!(
                    "skipped {} line {}: bad {} {}",
                    r.file,
                    r.line,
                    r.column,
                    py_repr(&r.value)
                )
            }
        })
        .collect()
}

/// Python's `repr` of a string (close enough for messages).
fn py_repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7F => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen() {
        let f = |v| {
            let mut s = String::new();
            fmt_fen(v, &mut s);
            s
        };
        assert_eq!(f(0), "0.00");
        assert_eq!(f(5), "0.05");
        assert_eq!(f(-5), "-0.05");
        assert_eq!(f(123456), "1234.56");
        assert_eq!(f(-100), "-1.00");
    }

    #[test]
    fn repr() {
        assert_eq!(py_repr("N/A"), "'N/A'");
        assert_eq!(py_repr("约300"), "'约300'");
        assert_eq!(py_repr("it's"), "\"it's\"");
    }
}
