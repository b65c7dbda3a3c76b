//! The workbook's structure as the fast XLSX reader reads it (工作簿结构): the relationships, the
//! worksheets in workbook order with the 1904 date system flag, and each cell style's number format
//! classified as calamine classifies it (which numbers are dates).

use std::collections::HashMap;

use super::xml::{attr, elements, push_text, section};
use super::{GIVE_UP, R};
pub(super) fn relationships(x: &[u8]) -> R<HashMap<Vec<u8>, String>> {
    let mut out = HashMap::new();
    for attrs in elements(x, b"Relationship")? {
        let id = attr(&attrs, b"Id").ok_or(GIVE_UP)?;
        let target = attr(&attrs, b"Target").ok_or(GIVE_UP)?;
        let target = std::str::from_utf8(target).map_err(|_| GIVE_UP)?;
        if target.contains('&') || target.contains('\\') {
            return Err(GIVE_UP);
        }
        out.insert(id.to_vec(), target.to_owned());
    }
    Ok(out)
}

/// The worksheets (name, part path) in workbook order, and the 1904 date system flag.
pub(super) fn workbook_sheets(
    x: &[u8],
    rels: &HashMap<Vec<u8>, String>,
) -> R<(Vec<(String, String)>, bool)> {
    let mut sheets = Vec::new();
    for attrs in elements(x, b"sheet")? {
        let mut name = String::new();
        push_text(attr(&attrs, b"name").ok_or(GIVE_UP)?, false, &mut name)?;
        if let Some(state) = attr(&attrs, b"state")
            && !matches!(state, b"visible" | b"hidden" | b"veryHidden")
        {
            return Err(GIVE_UP);
        }
        let id = match (attr(&attrs, b"r:id"), attr(&attrs, b"relationships:id")) {
            (Some(id), None) | (None, Some(id)) => id,
            _ => return Err(GIVE_UP),
        };
        let target = rels.get(id).ok_or(GIVE_UP)?;
        let path = if let Some(t) = target.strip_prefix("/xl/") {
            format!("xl/{t}")
        } else if target.starts_with("xl/") {
            target.clone()
        } else {
            format!("xl/{target}")
        };
        match path.split('/').nth(1) {
            Some("worksheets") => sheets.push((name, path)),
            Some("chartsheets" | "dialogsheets") => {}
            _ => return Err(GIVE_UP),
        }
    }
    let pr = elements(x, b"workbookPr")?;
    let is_1904 = match pr.as_slice() {
        [] => false,
        [attrs] => match attr(attrs, b"date1904") {
            Some(v) if v.contains(&b'&') => return Err(GIVE_UP),
            v => matches!(v, Some(b"1" | b"true")),
        },
        _ => return Err(GIVE_UP),
    };
    Ok((sheets, is_1904))
}

/// What a cell style's number format makes of a number (calamine's `CellFormat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Format {
    Other,
    DateTime,
    TimeDelta,
}

/// The number format of each cell style (`cellXfs`), as calamine classifies it.
pub(super) fn styles(x: &[u8]) -> R<Vec<Format>> {
    let mut custom: HashMap<&[u8], &[u8]> = HashMap::new();
    if let Some(fmts) = section(x, b"numFmts")? {
        for attrs in elements(fmts, b"numFmt")? {
            let id = attr(&attrs, b"numFmtId").unwrap_or(b"");
            let code = attr(&attrs, b"formatCode").unwrap_or(b"");
            if !code.is_empty() {
                custom.insert(id, code);
            }
        }
    }
    let mut out = Vec::new();
    if let Some(xfs) = section(x, b"cellXfs")? {
        for attrs in elements(xfs, b"xf")? {
            out.push(match attr(&attrs, b"numFmtId") {
                None => Format::Other,
                Some(id) => match custom.get(id) {
                    Some(code) => custom_format(std::str::from_utf8(code).map_err(|_| GIVE_UP)?),
                    None => builtin_format(id),
                },
            });
        }
    }
    Ok(out)
}

/// calamine's `builtin_format_by_id`.
fn builtin_format(id: &[u8]) -> Format {
    match id {
        b"14" | b"15" | b"16" | b"17" | b"18" | b"19" | b"20" | b"21" | b"22" | b"45" | b"47" => {
            Format::DateTime
        }
        b"46" => Format::TimeDelta,
        _ => Format::Other,
    }
}

/// calamine's `detect_custom_number_format` (calamine 0.31, MIT), kept identical so that the two
/// readers agree on which numbers are dates.
fn custom_format(format: &str) -> Format {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return Format::Other,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return Format::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return Format::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return Format::DateTime;
            }
            _ => {
                if !(hms && s.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    Format::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_formats_as_calamine() {
        assert_eq!(custom_format("yyyy-mm-dd"), Format::DateTime);
        assert_eq!(custom_format("[h]:mm:ss"), Format::TimeDelta);
        assert_eq!(custom_format("@"), Format::Other);
        assert_eq!(custom_format("0.00"), Format::Other);
        assert_eq!(builtin_format(b"14"), Format::DateTime);
        assert_eq!(builtin_format(b"0"), Format::Other);
    }
}
