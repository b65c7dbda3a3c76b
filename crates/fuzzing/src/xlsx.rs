//! The XLSX readers: the fast reader (`shouwang_io::xlsx_fast`) against calamine, cell by cell and
//! through the whole registry read (fast path or fallback against calamine alone).

use shouwang_io::fuzzing::{fast_matches_calamine, read_matches_reference, write_zip};

/// Any bytes as a workbook: the fast reader reads it as calamine does or leaves it to calamine, and the
/// registry read tells its sink what the calamine-only read tells.
pub fn xlsx(data: &[u8]) {
    if let Err(e) = fast_matches_calamine(data) {
        panic!("the fast reader and calamine differ:\n{e}");
    }
    if let Err(e) = read_matches_reference(data) {
        panic!("the registry read and the calamine-only read differ:\n{e}");
    }
}

const NS: &str = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

/// The parts of a workbook, in the order the input gives them (split at `0xFF`, a byte no UTF-8 text
/// has); a part the input does not give is a plain one.
const PARTS: &[&str] = &[
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
];

fn default_part(i: usize) -> String {
    match i {
        0 => format!("<worksheet {NS}><sheetData/></worksheet>"),
        1 => format!("<sst {NS}></sst>"),
        2 => format!("<styleSheet {NS}><cellXfs><xf numFmtId=\"0\"/></cellXfs></styleSheet>"),
        3 => format!(
            "<workbook {NS}><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
        ),
        _ => concat!(
            "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
            "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>",
            "<Relationship Id=\"rId2\" Type=\"x/styles\" Target=\"styles.xml\"/>",
            "<Relationship Id=\"rId3\" Type=\"x/sharedStrings\" Target=\"sharedStrings.xml\"/>",
            "</Relationships>"
        )
        .to_owned(),
    }
}

/// A workbook built from fuzzed XML parts (see [`PARTS`]), read as [`xlsx`] reads a file: this reaches
/// the XML scanners, which random archive bytes seldom do.
pub fn xlsx_parts(data: &[u8]) {
    let given: Vec<&[u8]> = data.split(|&b| b == 0xFF).collect();
    let defaults: Vec<String> = (0..PARTS.len()).map(default_part).collect();
    let parts: Vec<(&str, &[u8])> = PARTS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            (
                *name,
                given.get(i).copied().unwrap_or(defaults[i].as_bytes()),
            )
        })
        .collect();
    let Ok(bytes) = write_zip(&parts) else {
        return;
    };
    xlsx(&bytes);
}
