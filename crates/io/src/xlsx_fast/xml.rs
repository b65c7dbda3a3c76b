//! The small XML helpers of the fast XLSX reader (XML 小工具): the strict subset of XML it understands
//! (tags, attributes, the five named entities), a check that a part is well-formed as an XML parser
//! would read it, and cell references (`AB12`, `A1:C3`). Whatever is outside that subset gives up.

use calamine::Dimensions;
use memchr::{memchr, memmem};

use super::{GIVE_UP, R};
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

pub(super) fn skip_space(x: &[u8], mut i: usize) -> usize {
    while i < x.len() && is_space(x[i]) {
        i += 1;
    }
    i
}

/// Whether `x[i..]` starts the element `<name` (followed by a space, `>` or `/`).
pub(super) fn starts_tag(x: &[u8], i: usize, name: &[u8]) -> bool {
    let Some(rest) = x.get(i..) else {
        return false;
    };
    rest.len() > name.len() + 1
        && rest[0] == b'<'
        && &rest[1..=name.len()] == name
        && matches!(
            rest[name.len() + 1],
            b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/'
        )
}

/// Attributes of a tag: (name, raw value).
pub(super) type Attrs<'a> = Vec<(&'a [u8], &'a [u8])>;

/// Attributes of the tag starting at `x[i]` (just after `<name`): returns the attribute list, the
/// index just after the tag and whether it was self-closing (`/>`).
pub(super) fn attributes(x: &[u8], i: usize) -> R<(Attrs<'_>, usize, bool)> {
    let mut out: Attrs<'_> = Vec::new();
    let (end, empty) = scan_attributes(x, i, |key, value| {
        if out.iter().any(|(k, _)| *k == key) {
            return Err(GIVE_UP);
        }
        out.push((key, value));
        Ok(())
    })?;
    Ok((out, end, empty))
}

/// Walks the attributes of a tag from `x[i]` (just after its name), handing each (name, raw
/// value) to `f`; returns the index just after the tag and whether it was self-closing (`/>`).
pub(super) fn scan_attributes<'a>(
    x: &'a [u8],
    mut i: usize,
    mut f: impl FnMut(&'a [u8], &'a [u8]) -> R<()>,
) -> R<(usize, bool)> {
    loop {
        i = skip_space(x, i);
        match x.get(i) {
            Some(b'>') => return Ok((i + 1, false)),
            Some(b'/') => {
                return if x.get(i + 1) == Some(&b'>') {
                    Ok((i + 2, true))
                } else {
                    Err(GIVE_UP)
                };
            }
            Some(_) => {}
            None => return Err(GIVE_UP),
        }
        let start = i;
        while i < x.len() && !is_space(x[i]) && x[i] != b'=' && x[i] != b'>' && x[i] != b'/' {
            i += 1;
        }
        let key = &x[start..i];
        i = skip_space(x, i);
        if !xml_name(key) || x.get(i) != Some(&b'=') {
            return Err(GIVE_UP);
        }
        i = skip_space(x, i + 1);
        let q = *x.get(i).ok_or(GIVE_UP)?;
        if q != b'"' && q != b'\'' {
            return Err(GIVE_UP);
        }
        let len = memchr(q, &x[i + 1..]).ok_or(GIVE_UP)?;
        let value = &x[i + 1..i + 1 + len];
        if memchr(b'<', value).is_some() {
            return Err(GIVE_UP);
        }
        f(key, value)?;
        i += len + 2;
        if !matches!(x.get(i), Some(b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/')) {
            return Err(GIVE_UP);
        }
    }
}

/// Gives up unless `x` is a plain run of tags and text that an XML parser reads without error:
/// the XML declaration first, start, end and empty tags with well-formed attributes, text without
/// references, and every end tag closing the element open last, by name (`open` holds the names of
/// the open elements, across calls). calamine parses the parts of a sheet outside `<sheetData>` too
/// (and the small parts whole), and fails on syntax errors there; it reads a part up to the end tag
/// of its root (`</styleSheet>`, `</sst>` …) and fails without it: a misspelt end tag reads as
/// none (found by the `xlsx_parts` fuzz target, issue 20).
pub(super) fn well_formed(x: &[u8], open: &mut Vec<Vec<u8>>) -> R<()> {
    // calamine decodes names and attribute values and fails on bytes that are not UTF-8 (a
    // `formatCode` in styles.xml; found by the `xlsx_parts` fuzz target, issue 20)
    if std::str::from_utf8(x).is_err() {
        return Err(GIVE_UP);
    }
    let bom = x.starts_with(b"\xEF\xBB\xBF");
    let mut i = if bom { 3 } else { 0 };
    loop {
        let Some(lt) = memchr(b'<', &x[i..]) else {
            return if memchr(b'&', &x[i..]).is_some() {
                Err(GIVE_UP)
            } else {
                Ok(())
            };
        };
        if memchr(b'&', &x[i..i + lt]).is_some() {
            return Err(GIVE_UP);
        }
        i += lt;
        match x.get(i + 1) {
            Some(b'?') => {
                if i != if bom { 3 } else { 0 } {
                    return Err(GIVE_UP);
                }
                i += memmem::find(&x[i..], b"?>").ok_or(GIVE_UP)? + 2;
            }
            Some(b'/') => {
                let end = memchr(b'>', &x[i..]).ok_or(GIVE_UP)?;
                let name = x[i + 2..i + end].trim_ascii_end();
                if !xml_name(name) || open.pop().as_deref() != Some(name) {
                    return Err(GIVE_UP);
                }
                i += end + 1;
            }
            _ => {
                let mut j = i + 1;
                while j < x.len() && !is_space(x[j]) && x[j] != b'>' && x[j] != b'/' {
                    j += 1;
                }
                if !xml_name(&x[i + 1..j]) {
                    return Err(GIVE_UP);
                }
                let (_, next, empty) = attributes(x, j)?;
                if !empty {
                    open.push(x[i + 1..j].to_vec());
                }
                i = next;
            }
        }
    }
}

/// [`well_formed`] for a whole part: every element it opens is closed.
pub(super) fn whole_part(x: &[u8]) -> R<()> {
    let mut open = Vec::new();
    well_formed(x, &mut open)?;
    if open.is_empty() {
        Ok(())
    } else {
        Err(GIVE_UP)
    }
}

/// An attribute name as XML parsers take it (ASCII only here).
pub(super) fn xml_name(key: &[u8]) -> bool {
    match key.split_first() {
        Some((first, rest)) => {
            (first.is_ascii_alphabetic() || *first == b'_' || *first == b':')
                && rest
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-' | b'.'))
        }
        None => false,
    }
}

pub(super) fn attr<'a>(attrs: &[(&'a [u8], &'a [u8])], key: &[u8]) -> Option<&'a [u8]> {
    attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Every element `<name …>` in `x`, as its attributes.
pub(super) fn elements<'a>(x: &'a [u8], name: &[u8]) -> R<Vec<Attrs<'a>>> {
    let mut pat = Vec::with_capacity(name.len() + 1);
    pat.push(b'<');
    pat.extend_from_slice(name);
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(p) = memmem::find(&x[from..], &pat) {
        let i = from + p;
        if starts_tag(x, i, name) {
            let (attrs, end, _) = attributes(x, i + pat.len())?;
            out.push(attrs);
            from = end;
        } else {
            from = i + pat.len();
        }
    }
    Ok(out)
}

/// The content between `<name …>` and `</name>` (the first such element), or `None`.
pub(super) fn section<'a>(x: &'a [u8], name: &[u8]) -> R<Option<&'a [u8]>> {
    let mut pat = Vec::with_capacity(name.len() + 1);
    pat.push(b'<');
    pat.extend_from_slice(name);
    let mut from = 0;
    while let Some(p) = memmem::find(&x[from..], &pat) {
        let i = from + p;
        if starts_tag(x, i, name) {
            let (_, start, empty) = attributes(x, i + pat.len())?;
            if empty {
                return Ok(Some(&[]));
            }
            let mut close = Vec::with_capacity(name.len() + 3);
            close.extend_from_slice(b"</");
            close.extend_from_slice(name);
            close.push(b'>');
            let len = memmem::find(&x[start..], &close).ok_or(GIVE_UP)?;
            return Ok(Some(&x[start..start + len]));
        }
        from = i + pat.len();
    }
    Ok(None)
}

/// Appends XML character data: UTF-8, the five named entities; `\r` (which XML parsers
/// normalise), numeric references and, with `excel_escapes`, `_x00HH_` escapes give up.
pub(super) fn push_text(raw: &[u8], excel_escapes: bool, out: &mut String) -> R<()> {
    if memchr(b'\r', raw).is_some() || (excel_escapes && memmem::find(raw, b"_x00").is_some()) {
        return Err(GIVE_UP);
    }
    let text = std::str::from_utf8(raw).map_err(|_| GIVE_UP)?;
    let mut rest = text;
    while let Some(amp) = memchr(b'&', rest.as_bytes()) {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';').ok_or(GIVE_UP)?;
        out.push_str(match &after[..semi] {
            "lt" => "<",
            "gt" => ">",
            "amp" => "&",
            "quot" => "\"",
            "apos" => "'",
            _ => return Err(GIVE_UP),
        });
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// A cell reference `AB12` as a 0-based (row, column).
pub(super) fn cell_ref(r: &[u8]) -> R<(u32, u32)> {
    let letters = r.iter().take_while(|b| b.is_ascii_uppercase()).count();
    let digits = &r[letters..];
    if !(1..=3).contains(&letters)
        || digits.is_empty()
        || digits.len() > 7
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return Err(GIVE_UP);
    }
    let col = r[..letters]
        .iter()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A') + 1);
    let row = digits
        .iter()
        .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    if row == 0 {
        return Err(GIVE_UP);
    }
    Ok((row - 1, col - 1))
}

/// `A1:C3` or `A1`.
pub(super) fn dimension(r: &[u8]) -> R<Dimensions> {
    let mut parts = r.split(|&b| b == b':');
    let start = cell_ref(parts.next().ok_or(GIVE_UP)?)?;
    let end = match parts.next() {
        Some(p) => cell_ref(p)?,
        None => start,
    };
    if parts.next().is_some() || end.0 < start.0 || end.1 < start.1 {
        return Err(GIVE_UP);
    }
    Ok(Dimensions { start, end })
}

pub(super) fn small_number(v: &[u8]) -> R<usize> {
    if v.is_empty()
        || v.len() > 9
        || !v.iter().all(u8::is_ascii_digit)
        || (v.len() > 1 && v[0] == b'0')
    {
        return Err(GIVE_UP);
    }
    Ok(v.iter()
        .fold(0usize, |acc, b| acc * 10 + usize::from(b - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_well_formed_by_name() {
        assert_eq!(
            whole_part(b"<?xml version=\"1.0\"?><a x=\"1\"><b/><c></c ></a>"),
            Ok(())
        );
        // calamine reads on to `</styleSheet>` and fails at the end of a part without it
        assert_eq!(
            whole_part(b"<styleSheet><xf/></sDDtyleSheet>"),
            Err(GIVE_UP)
        );
        assert_eq!(whole_part(b"<a><b></a></b>"), Err(GIVE_UP));
        assert_eq!(whole_part(b"<a><b></b>"), Err(GIVE_UP));
        assert_eq!(whole_part(b"</a>"), Err(GIVE_UP));
        assert_eq!(whole_part(b"<a f=\"yy\x89\x86mm\"/>"), Err(GIVE_UP));
        let mut open = Vec::new();
        assert_eq!(well_formed(b"<w><d/>", &mut open), Ok(()));
        assert_eq!(well_formed(b"<m/></w>", &mut open), Ok(()));
        assert!(open.is_empty());
    }

    #[test]
    fn references() {
        assert_eq!(cell_ref(b"A1"), Ok((0, 0)));
        assert_eq!(cell_ref(b"AB12"), Ok((11, 27)));
        assert_eq!(cell_ref(b"XFD1048576"), Ok((1_048_575, 16_383)));
        assert_eq!(cell_ref(b"A0"), Err(GIVE_UP));
        assert_eq!(cell_ref(b"a1"), Err(GIVE_UP));
        assert_eq!(cell_ref(b"1"), Err(GIVE_UP));
        assert_eq!(cell_ref(b"A"), Err(GIVE_UP));
        assert_eq!(cell_ref(b"A1B"), Err(GIVE_UP));
        assert_eq!(dimension(b"B2:A1"), Err(GIVE_UP));
        assert_eq!(
            dimension(b"A1:C3"),
            Ok(Dimensions {
                start: (0, 0),
                end: (2, 2)
            })
        );
    }

    #[test]
    fn text_escapes() {
        let mut s = String::new();
        assert_eq!(
            push_text(b"a&amp;b&lt;&gt;&quot;&apos;", true, &mut s),
            Ok(())
        );
        assert_eq!(s, "a&b<>\"'");
        for bad in [&b"&#10;"[..], b"a\r\nb", b"_x000D_", b"&nbsp;", b"a & b"] {
            assert_eq!(push_text(bad, true, &mut String::new()), Err(GIVE_UP));
        }
        assert_eq!(push_text(b"_x000D_", false, &mut String::new()), Ok(()));
    }
}
