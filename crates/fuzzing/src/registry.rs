//! The registry readers (农户台账): a whole file through `shouwang_io::registry` (format sniffing, the
//! CSV / GBK / UTF-16 decoding, header search) and rows of text under a known header through the row
//! mapper (`shouwang_core::registry::Assembler`), at once and streamed.

use std::collections::BTreeMap;

use shouwang_core::registry::columns::{HOUSEHOLD_SHEET, MEMBER_SHEET};
use shouwang_core::registry::{Assembled, INCOME_COLUMNS, RegistryEntry};
use shouwang_io::encoding::{TextEncoding, decode_to_utf8, detect};
use shouwang_io::registry::{Handout, StreamingSink, read, read_assembled, sniff};

/// Any bytes as a registry file: sniffed, decoded and read without a panic; a decoded text that is not
/// UTF-8 already is valid UTF-8 after decoding.
pub fn csv_registry(data: &[u8]) {
    let _ = sniff(data);
    let enc = detect(&data[..data.len().min(65_536)]);
    let text = decode_to_utf8(data, enc);
    if !enc.is_utf8() {
        assert!(
            std::str::from_utf8(&text).is_ok(),
            "{} decoded to bad UTF-8",
            enc.name()
        );
    }
    if enc == TextEncoding::Utf8Bom {
        assert_eq!(text.len() + 3, data.len());
    }
    registry_file(data);
}

/// The header lines the row mapper is fuzzed under (selected by the first byte of the input).
fn header(which: u8) -> String {
    let cols = |c: &[shouwang_core::registry::Col]| -> Vec<&'static str> {
        c.iter().map(|c| c.header()).collect()
    };
    let names: Vec<&str> = match which % 4 {
        0 => cols(HOUSEHOLD_SHEET),
        1 => cols(MEMBER_SHEET),
        2 => INCOME_COLUMNS.iter().map(|c| c.header).collect(),
        // one sheet with household and member columns
        _ => {
            let mut all = cols(HOUSEHOLD_SHEET);
            all.extend(cols(&MEMBER_SHEET[1..]));
            all
        }
    };
    names.join(",")
}

/// Rows of CSV under a registry header (first byte: which one; the rest: the rows): read, assembled and
/// checked; the streaming import's handouts add up to what the whole read assembles.
pub fn registry_rows(data: &[u8]) {
    let Some((&which, rows)) = data.split_first() else {
        return;
    };
    let mut file = header(which).into_bytes();
    file.push(b'\n');
    file.extend_from_slice(rows);
    registry_file(&file);
}

fn registry_file(data: &[u8]) {
    let whole = read_assembled("f.csv", data, &|_, _| {});
    let mut early: Vec<RegistryEntry> = Vec::new();
    let mut sink = StreamingSink::new(1, |h| match h {
        Handout::Ready(entries) => early.extend(entries),
        Handout::Incomes(_) => {}
        Handout::Restart => early.clear(),
    });
    let streamed = read("f.csv", data, &mut sink, &|_, _| {});
    let finished = sink.finish();
    match (whole, streamed) {
        (Ok((info, assembled)), Ok(info2)) => {
            assert_eq!(info, info2);
            check(&assembled);
            assert_eq!(
                final_entries(early, &finished),
                by_number(&assembled.entries)
            );
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("whole read {:?}, streamed {:?}", a.is_ok(), b.is_ok()),
    }
}

/// Every problem has a reason; valid households have members and a number.
fn check(a: &Assembled) {
    for p in &a.problems {
        assert!(!p.to_string().is_empty());
    }
    for e in &a.entries {
        assert!(!e.household.number.is_empty(), "household without 户编号");
        assert_eq!(e.household.members.len(), e.member_rows.len());
    }
}

fn by_number(entries: &[RegistryEntry]) -> BTreeMap<String, RegistryEntry> {
    entries
        .iter()
        .map(|e| (e.household.number.clone(), e.clone()))
        .collect()
}

/// What a streaming import keeps: households handed out early and not reopened, then the final ones.
fn final_entries(
    early: Vec<RegistryEntry>,
    finished: &Assembled,
) -> BTreeMap<String, RegistryEntry> {
    let mut out: BTreeMap<String, RegistryEntry> = early
        .into_iter()
        .filter(|e| !finished.reopened.contains(&e.household.number))
        .map(|e| (e.household.number.clone(), e))
        .collect();
    out.extend(by_number(&finished.entries));
    out
}
