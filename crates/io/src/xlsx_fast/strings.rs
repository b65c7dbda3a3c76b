//! Strings of the fast XLSX reader (共享字符串与内联字符串): the shared strings (`xl/sharedStrings.xml`)
//! read once into one text buffer, and the string items (`<si>`, `<is>`) with rich-text runs joined and
//! phonetic runs left out, as calamine reads them.

use memchr::{memchr, memmem};

use super::xml::{attributes, push_text, section, skip_space, starts_tag, well_formed, whole_part};
use super::{GIVE_UP, R};
/// Reads a string item (`<si>` or `<is>`) whose content is `x[i..]` up to `close`; appends its
/// text to `out` and returns the index after `close`. Only `<t>`, `<r>` runs (with `<rPr>`),
/// phonetic runs `<rPh>` and `<phoneticPr>` are understood.
pub(super) fn string_item(x: &[u8], mut i: usize, close: &[u8], out: &mut String) -> R<usize> {
    let mut rich = false;
    let mut found = false;
    // calamine takes the first plain `<t>` and skips the rest of the item: after it, only phonetic
    // parts are accepted here.
    let mut done = false;
    loop {
        i = skip_space(x, i);
        if x.get(i) != Some(&b'<') {
            return Err(GIVE_UP);
        }
        if x[i..].starts_with(close) {
            if !found {
                return Err(GIVE_UP);
            }
            return Ok(i + close.len());
        }
        if starts_tag(x, i, b"t") && !done {
            found = true;
            i = text_element(x, i, out)?;
            done = !rich;
        } else if starts_tag(x, i, b"r") && !done {
            let (_, start, empty) = attributes(x, i + 2)?;
            rich = true;
            i = start;
            if !empty {
                i = skip_space(x, i);
                if starts_tag(x, i, b"rPr") {
                    let (_, start, empty) = attributes(x, i + 4)?;
                    i = start;
                    if !empty {
                        let len = memmem::find(&x[i..], b"</rPr>").ok_or(GIVE_UP)?;
                        let props = &x[i..i + len];
                        whole_part(props)?;
                        if memmem::find(props, b"<t").is_some() {
                            return Err(GIVE_UP);
                        }
                        i += len + 6;
                    }
                }
                i = skip_space(x, i);
                if !starts_tag(x, i, b"t") {
                    return Err(GIVE_UP);
                }
                found = true;
                i = text_element(x, i, out)?;
                i = skip_space(x, i);
                if !x[i..].starts_with(b"</r>") {
                    return Err(GIVE_UP);
                }
                i += 4;
            }
        } else if starts_tag(x, i, b"rPh") {
            let (_, start, empty) = attributes(x, i + 4)?;
            i = start;
            if !empty {
                i = skip_space(x, i);
                if !starts_tag(x, i, b"t") {
                    return Err(GIVE_UP);
                }
                i = text_element(x, i, &mut String::new())?;
                i = skip_space(x, i);
                if !x[i..].starts_with(b"</rPh>") {
                    return Err(GIVE_UP);
                }
                i += 6;
            }
        } else if starts_tag(x, i, b"phoneticPr") {
            let (_, start, empty) = attributes(x, i + 11)?;
            if !empty {
                return Err(GIVE_UP);
            }
            i = start;
        } else {
            return Err(GIVE_UP);
        }
    }
}

/// A `<t>` element at `x[i]`: appends its text, returns the index after it.
fn text_element(x: &[u8], i: usize, out: &mut String) -> R<usize> {
    let (_, start, empty) = attributes(x, i + 2)?;
    if empty {
        return Ok(start);
    }
    let len = memchr(b'<', &x[start..]).ok_or(GIVE_UP)?;
    push_text(&x[start..start + len], true, out)?;
    if !x[start + len..].starts_with(b"</t>") {
        return Err(GIVE_UP);
    }
    Ok(start + len + 4)
}

/// Reads `xl/sharedStrings.xml` into one text buffer: `text` gets every item's text, `spans` its byte
/// range.
pub(super) fn shared_strings(x: &[u8], text: &mut String, spans: &mut Vec<(u32, u32)>) -> R<()> {
    let Some(body) = section(x, b"sst")? else {
        return Err(GIVE_UP);
    };
    // calamine parses up to `</sst>`.
    well_formed(&x[..memmem::find(x, b"<sst").unwrap_or(0)], &mut Vec::new())?;
    text.reserve(body.len() / 2);
    let mut i = 0;
    loop {
        i = skip_space(body, i);
        if i >= body.len() {
            return Ok(());
        }
        if !starts_tag(body, i, b"si") {
            // `<extLst>` and the like: not the common case.
            return Err(GIVE_UP);
        }
        let (_, start, empty) = attributes(body, i + 3)?;
        if empty {
            // calamine skips an empty item, shifting the indices: leave that to it.
            return Err(GIVE_UP);
        }
        let a = text.len();
        i = string_item(body, start, b"</si>", text)?;
        if text.len() > u32::MAX as usize {
            return Err(GIVE_UP);
        }
        spans.push((a as u32, text.len() as u32));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_items() {
        let cases: &[(&[u8], &str)] = &[
            (b"<t>abc</t></si>", "abc"),
            (b"<t xml:space=\"preserve\"> a </t></si>", " a "),
            (b"<t/></si>", ""),
            (
                b"<r><rPr><b/><sz val=\"11\"/></rPr><t>ab</t></r><r><t>cd</t></r></si>",
                "abcd",
            ),
            (b"<t>\xe5\xbc\xa0</t><rPh sb=\"0\" eb=\"1\"><t>zhang</t></rPh><phoneticPr fontId=\"1\"/></si>", "张"),
        ];
        for (xml, want) in cases {
            let mut s = String::new();
            let end = string_item(xml, 0, b"</si>", &mut s);
            assert_eq!(end, Ok(xml.len()), "{}", String::from_utf8_lossy(xml));
            assert_eq!(s, *want);
        }
        for bad in [
            &b"</si>"[..],
            b"<t><![CDATA[x]]></t></si>",
            b"<x:t>a</x:t></si>",
            b"<t>a</t><t>b</t></si>",
            b"<t>a</t>",
        ] {
            assert!(string_item(bad, 0, b"</si>", &mut String::new()).is_err());
        }
    }
}
