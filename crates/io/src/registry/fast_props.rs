//! Property tests of the fast XLSX reader against calamine (差分性质测试): on workbooks generated cell by
//! cell (texts with Chinese, spaces and XML characters, numbers of every size, dates and durations,
//! booleans, formulas with cached results, rich text, merged areas, a registry header or none) and
//! written by rust_xlsxwriter, the fast reader reads what calamine reads, and the registry read tells
//! its sink what the calamine-only read tells. The fuzz targets `xlsx` and `xlsx_parts` (fuzz/) do the
//! same on arbitrary bytes.

use proptest::prelude::*;
use rust_xlsxwriter::{Format as XFormat, Formula, Workbook};

use super::differential::{calamine_dump, fast_dump, fast_matches_calamine, same_read};

/// A generated cell.
#[derive(Clone, Debug)]
enum Gen {
    Text(String),
    Number(f64),
    Date(f64),
    Duration(f64),
    Bool(bool),
    Formula(String),
    Rich(String, String),
}

/// Texts: registry-like words, Chinese, digits that look like ID numbers, XML special characters.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ a-zA-Z0-9<>&\"'=+\\-.,;:]{0,12}",
        "[户编号姓名公民身份号码与户主关系村代码脱贫一般农户兴县 ]{0,8}",
        "[0-9]{17}[0-9X]",
        Just("户编号".to_owned()),
        Just("公民身份号码".to_owned()),
    ]
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e6..1e6f64,
        (0u64..1_000_000_000_000_000_000).prop_map(|n| n as f64),
        (-100_000i64..100_000).prop_map(|n| n as f64 / 100.0),
        Just(0.0),
        Just(-0.0),
        Just(1e300),
        Just(5e-324),
    ]
}

fn cell() -> impl Strategy<Value = Gen> {
    prop_oneof![
        4 => text().prop_map(Gen::Text),
        3 => number().prop_map(Gen::Number),
        1 => (0.0..80_000.0f64).prop_map(Gen::Date),
        1 => (0.0..10.0f64).prop_map(Gen::Duration),
        1 => any::<bool>().prop_map(Gen::Bool),
        1 => text().prop_map(Gen::Formula),
        1 => (text(), text()).prop_map(|(a, b)| Gen::Rich(a, b)),
    ]
}

/// A sheet: the header row (registry columns or not), rows of optional cells, merged areas.
type SheetGen = (bool, Vec<Vec<Option<Gen>>>, Vec<(u32, u16, u32, u16)>);

fn sheet() -> impl Strategy<Value = SheetGen> {
    (
        any::<bool>(),
        prop::collection::vec(
            prop::collection::vec(prop::option::weighted(0.7, cell()), 0..10),
            0..14,
        ),
        prop::collection::vec((0u32..16, 0u16..10, 0u32..3, 0u16..3), 0..3),
    )
}

const HEADERS: &[&str] = &[
    "户编号",
    "村代码",
    "户类型",
    "家庭人口",
    "姓名",
    "公民身份号码",
    "与户主关系",
];

fn workbook(sheets: &[SheetGen]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    let duration = XFormat::new().set_num_format("[h]:mm:ss");
    let bold = XFormat::new().set_bold();
    for (i, (registry, rows, merges)) in sheets.iter().enumerate() {
        let ws = wb.add_worksheet();
        let _ = ws.set_name(format!("表{i}"));
        let first = u32::from(*registry);
        if *registry {
            for (c, h) in HEADERS.iter().enumerate() {
                let _ = ws.write_string(0, c as u16, *h);
            }
        }
        for (r, row) in rows.iter().enumerate() {
            let r = first + r as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                let _ = match cell {
                    None => continue,
                    Some(Gen::Text(s)) => ws.write_string(r, c, s).map(|_| ()),
                    Some(Gen::Number(f)) => ws.write_number(r, c, *f).map(|_| ()),
                    Some(Gen::Date(f)) => ws.write_number_with_format(r, c, *f, &date).map(|_| ()),
                    Some(Gen::Duration(f)) => {
                        ws.write_number_with_format(r, c, *f, &duration).map(|_| ())
                    }
                    Some(Gen::Bool(b)) => ws.write_boolean(r, c, *b).map(|_| ()),
                    Some(Gen::Formula(s)) => ws
                        .write_formula(r, c, Formula::new("=A1").set_result(s))
                        .map(|_| ()),
                    Some(Gen::Rich(a, b)) if !a.is_empty() && !b.is_empty() => ws
                        .write_rich_string(
                            r,
                            c,
                            &[(&bold, a.as_str()), (&XFormat::new(), b.as_str())],
                        )
                        .map(|_| ()),
                    Some(Gen::Rich(a, _)) => ws.write_string(r, c, a).map(|_| ()),
                };
            }
        }
        for &(r, c, h, w) in merges {
            if h + u32::from(w) > 0 {
                let _ = ws.merge_range(r, c, r + h, c + w, "", &XFormat::new());
            }
        }
    }
    wb.save_to_buffer().unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The fast reader reads what calamine reads (or leaves the workbook to it), cell by cell.
    #[test]
    fn the_fast_reader_reads_what_calamine_reads(sheets in prop::collection::vec(sheet(), 1..3)) {
        let bytes = workbook(&sheets);
        prop_assert!(!bytes.is_empty());
        let calamine = calamine_dump(&bytes);
        prop_assert!(calamine.is_ok(), "calamine: {calamine:?}");
        // rust_xlsxwriter writes nothing the fast reader does not know: it reads every workbook here.
        let fast = fast_dump(&bytes);
        prop_assert!(fast.is_ok(), "fast reader: {:?}", fast.err());
        prop_assert_eq!(fast_matches_calamine(&bytes), Ok(true));
    }

    /// The registry read (streaming fast reader, restarts, fallback) tells its sink what the
    /// calamine-only read tells.
    #[test]
    fn the_registry_read_tells_what_calamine_tells(sheets in prop::collection::vec(sheet(), 1..3)) {
        let bytes = workbook(&sheets);
        let read = same_read(&bytes);
        prop_assert!(read.is_ok(), "{}", read.err().unwrap_or_default());
    }
}
