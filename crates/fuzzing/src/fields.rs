//! The screening engine's field parsers and record splitter (`shouwang_screen::{parse, scan}`).

use shouwang_screen::parse::{digit_key, parse_date, parse_money, parse_uint, trim, valid_ymd};
use shouwang_screen::scan::{Splitter, for_each_record, last_record_end};

/// Runs every field parser on `data` and on each field the splitter cuts from it; a date parsed is a
/// real date, a trimmed field lies inside the field, records end where the splitter says.
pub fn screen_fields(data: &[u8]) {
    field(data);
    let cut = last_record_end(data);
    if let Some(end) = cut {
        assert!(
            end <= data.len() && end > 0 && data[end - 1] == b'\n',
            "record end {end}"
        );
    }
    let mut sp = Splitter::default();
    let block = &data[..cut.unwrap_or(data.len())];
    let lines = for_each_record(block, &mut sp, |line, f| {
        for i in 0..f.len() {
            field(f.get(i));
        }
        let _ = line;
    });
    assert!(lines <= block.len() as u64 + 1);
    let mut sp = Splitter::default();
    let mut at = 0;
    while at < data.len() {
        let (next, _) = sp.split_quoted(data, at);
        // past the end (`len + 1`) when the last record has no line break
        assert!(
            next > at && next <= data.len() + 1,
            "split_quoted: {at} -> {next}"
        );
        let f = sp.fields();
        for i in 0..f.len() {
            field(f.get(i));
        }
        at = next;
    }
}

fn field(b: &[u8]) {
    let t = trim(b);
    let start = t.as_ptr() as usize - b.as_ptr() as usize;
    assert!(start + t.len() <= b.len(), "trim left the field");
    if let Some(d) = parse_date(b) {
        assert!(valid_ymd(d / 10_000, d / 100 % 100, d % 100), "date {d}");
    }
    let _ = parse_money(b);
    if let Some(n) = parse_uint(b) {
        assert!(n <= 999_999_999, "count {n}");
    }
    let _ = digit_key(b);
    let _ = shouwang_screen::parse::parse_id(b);
}
