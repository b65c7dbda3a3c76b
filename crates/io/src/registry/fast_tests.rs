//! Differential tests of the fast XLSX reader ([`crate::xlsx_fast`]) against calamine: for every
//! workbook here, either the fast reader gives up (and calamine reads the file), or both give the
//! same cells (texts with both column hints), the same merged areas and, through a recording sink,
//! the same rows.

use std::io::Cursor;

use rust_xlsxwriter::{Format as XFormat, Formula, Workbook};

use super::differential::{Record, calamine_dump, fast_dump};
use super::*;
use crate::xlsx_fast;

/// The fast reader reads the workbook, and exactly as calamine does.
fn assert_same(bytes: &[u8]) -> Vec<super::differential::Dump> {
    let fast = fast_dump(bytes).expect("the fast reader should read this workbook");
    let slow = calamine_dump(bytes).expect("calamine reads the workbook");
    assert_eq!(fast, slow);
    fast
}

fn assert_gives_up(bytes: &[u8]) {
    assert_eq!(
        fast_dump(bytes).err(),
        Some(xlsx_fast::Fail::GiveUp),
        "the fast reader should give up"
    );
}

/// The whole read (header detection, merges, rows) through both readers.
fn assert_same_read(bytes: &[u8]) -> Record {
    assert!(xlsx_fast::Book::open(bytes).is_ok(), "fast path not taken");
    same_read(bytes)
}

/// The whole read through [`read`] and calamine alone, whichever way [`read`] takes.
fn same_read(bytes: &[u8]) -> Record {
    super::differential::same_read(bytes).unwrap_or_else(|e| panic!("{e}"))
}

// ------------------------------------------------------------------------------------------------
// Workbooks written by rust_xlsxwriter.

const HEADERS: &[&str] = &[
    "户编号",
    "县",
    "乡镇",
    "行政村",
    "村代码",
    "户类型",
    "家庭人口",
    "姓名",
    "公民身份号码",
    "与户主关系",
    "劳动技能",
    "健康状况",
    "是否参加城乡居民基本医疗保险",
];

fn registry_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("农户台账").unwrap();
    ws.merge_range(0, 0, 0, 12, "兴县测试村农户信息台账", &XFormat::new())
        .unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    let rows: &[&[&str]] = &[
        &[
            "T001",
            "兴县",
            "圪塔上乡",
            "测试村",
            "141123208201",
            "一般农户",
            "2",
            "张三",
            "141123197005170119",
            "户主",
            "普通劳动力",
            "健康",
            "是",
        ],
        &[
            "T001",
            "兴县",
            "圪塔上乡",
            "测试村",
            "",
            "",
            "",
            "李四",
            "",
            "妻",
            "",
            "",
            "",
        ],
        &[
            "T002",
            "兴县",
            "圪塔上乡",
            "测试村",
            "141123208201",
            "脱贫户",
            "1",
            "王五 <&> \"x\"",
            "",
            "本人",
            "普通劳动力",
            "健康",
            "否",
        ],
    ];
    let mut r = 2;
    for (i, row) in rows.iter().enumerate() {
        if i == 2 {
            r += 2; // blank rows
        }
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r, c as u16, *v).unwrap();
            }
        }
        r += 1;
    }
    // Numbers in digit columns (ID numbers Excel converted, a village code), a date, a boolean,
    // formulas with cached results, rich text.
    ws.write_number(3, 8, 141123197205170229.0).unwrap();
    ws.write_number(3, 4, 141123208201.0).unwrap();
    ws.write_number(3, 6, 2.5).unwrap();
    let date = XFormat::new().set_num_format("yyyy-mm-dd");
    ws.write_number_with_format(6, 8, 25000.0, &date).unwrap();
    ws.write_number_with_format(3, 13, 45000.25, &date).unwrap();
    let duration = XFormat::new().set_num_format("[h]:mm:ss");
    ws.write_number_with_format(3, 14, 1.5, &duration).unwrap();
    ws.write_boolean(2, 14, true).unwrap();
    ws.write_boolean(4, 14, false).unwrap();
    ws.write_formula(2, 15, Formula::new("=1+1").set_result("2"))
        .unwrap();
    ws.write_formula(3, 15, Formula::new("=\"a\"&\"b\"").set_result("ab"))
        .unwrap();
    ws.write_formula(4, 15, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    let bold = XFormat::new().set_bold();
    ws.write_rich_string(2, 16, &[(&bold, "粗"), (&XFormat::new(), " 体 ")])
        .unwrap();
    ws.write_string(3, 16, " 空格 \n换行 ").unwrap();
    ws.write_string(4, 16, "_x000D_ literal").unwrap();
    ws.merge_range(2, 0, 3, 0, "T001", &XFormat::new()).unwrap();
    ws.merge_range(6, 9, 7, 10, "户主", &XFormat::new())
        .unwrap();
    ws.write_blank(8, 3, &bold).unwrap();
    let other = wb.add_worksheet();
    other.set_name("说明 & notes").unwrap();
    other.write_string(0, 0, "这是说明").unwrap();
    other.write_number(1, 1, 3.25).unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn rust_xlsxwriter_workbook_reads_the_same() {
    let bytes = registry_workbook();
    // rust_xlsxwriter escapes a literal `_x000D_` as `_x005F_x000D_`: the fast reader leaves that
    // to calamine.
    assert_gives_up(&bytes);
}

#[test]
fn rust_xlsxwriter_workbook_without_excel_escapes_reads_the_same() {
    let bytes = registry_workbook();
    // Same workbook with the `_x000D_` cell's shared string replaced: now the fast path reads it.
    let bytes = rewrite_part(&bytes, "xl/sharedStrings.xml", |x| {
        x.replace("_x005F_x000D_ literal", "plain literal")
    });
    let dump = assert_same(&bytes);
    assert_eq!(dump.len(), 2);
    assert_eq!(dump[1].0, "说明 & notes");
    let cells = &dump[0].1;
    let text = |r: u32, c: u32| {
        cells
            .iter()
            .find(|x| x.0 == r && x.1 == c)
            .map(|x| (x.2.as_str(), x.3.as_str()))
    };
    assert_eq!(
        text(3, 8),
        Some(("141123197205170220", "1.4112319720517022E17"))
    );
    assert_eq!(text(3, 4), Some(("141123208201", "141123208201")));
    assert_eq!(text(6, 8), Some(("1968-06-11", "1968-06-11")));
    assert_eq!(text(2, 14), Some(("TRUE", "TRUE")));
    assert_eq!(text(4, 15), Some(("#Div0", "#Div0")));
    assert_eq!(text(2, 16), Some(("粗 体 ", "粗 体 ")));
    assert_eq!(text(2, 7).map(|t| t.0), Some("张三"));
    let record = assert_same_read(&bytes);
    assert_eq!(record.sheets.len(), 1);
    assert!(!record.merges.is_empty());
    // Merged areas come after the cells: the streaming read started again to take them in.
    assert_eq!(record.restarts, 1);
}

#[test]
fn bench_sized_workbook_reads_the_same() {
    // A few hundred households through the real export writer (the bench file's layout).
    let county = shouwang_core_demo_like();
    assert_same(&county);
    // Read as the file is scanned, without starting again, households and their members together.
    let record = assert_same_read(&county);
    assert_eq!(record.restarts, 0);
    let first_member = record.rows.iter().position(|r| r.0 == 1);
    let last_household = record.rows.iter().rposition(|r| r.0 == 0);
    assert_eq!(first_member, Some(1));
    assert_eq!(last_household, Some(record.rows.len() - 4));
}

/// Everything a streaming sink hands out, in order: `Some(n)` for `n` households ready, `None` for
/// a restart.
fn handouts(bytes: &[u8]) -> Vec<Option<usize>> {
    let mut out = Vec::new();
    let mut sink = StreamingSink::new(2, |h| {
        out.push(match h {
            Handout::Ready(b) => Some(b.len()),
            Handout::Incomes(_) => panic!("no 收支情况 sheet here"),
            Handout::Restart => None,
        })
    });
    read("t.xlsx", bytes, &mut sink, &|_, _| {}).expect("usable");
    out
}

#[test]
fn the_streaming_read_starts_again_on_what_it_meets_late() {
    let county = shouwang_core_demo_like();
    // A member row near the end whose cells carry no `r`: the fast reader has handed out rows by
    // then; the sink starts again and the file is read by calamine.
    let late = rewrite_part(&county, "xl/worksheets/sheet2.xml", |x| {
        let at = x.rfind("<c r=\"").expect("a cell");
        let quote = at + 6 + x[at + 6..].find('"').expect("the reference's end");
        format!("{}<c{}", &x[..at], &x[quote + 1..])
    });
    assert_gives_up(&late);
    let record = same_read(&late);
    assert_eq!(record.restarts, 1);
    assert!(
        record.rows_before_restart > 1000,
        "{}",
        record.rows_before_restart
    );
    assert_eq!(record.rows.len(), 1200);
    assert!(handouts(&county).iter().all(Option::is_some));
    assert_eq!(handouts(&late).iter().filter(|h| h.is_none()).count(), 1);
    // Merged cells are only known after a sheet's cells: read again, as the careful way reads them.
    let merged = rewrite_part(&county, "xl/worksheets/sheet2.xml", |x| {
        x.replace(
            "</sheetData>",
            "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"E2:E3\"/></mergeCells>",
        )
    });
    let record = assert_same_read(&merged);
    assert_eq!(record.restarts, 1);
    assert_eq!(record.merges, vec![(1, (2, 3), (4, 4))]);
    // A damaged cell late in the file: the careful way refuses the file, after the sink started again.
    let damaged = rewrite_part(&county, "xl/worksheets/sheet2.xml", |x| {
        let at = x.rfind("<v>").expect("a value");
        format!("{}<v>99999{}", &x[..at], &x[at + 3..])
    });
    let mut record = Record::default();
    let err = read("t.xlsx", &damaged, &mut record, &|_, _| {}).expect_err("damaged");
    assert!(err.to_string().contains("损坏"), "{err}");
    assert_eq!(record.restarts, 1);
    assert!(record.rows.is_empty());
}

/// A two-sheet registry (户信息 / 家庭成员) as `shouwang export registry` writes it.
fn shouwang_core_demo_like() -> Vec<u8> {
    let mut wb = Workbook::new();
    let hh = wb.add_worksheet();
    hh.set_name("户信息").unwrap();
    let heads = [
        "户编号",
        "县",
        "乡镇",
        "行政村",
        "村代码",
        "户类型",
        "家庭人口",
        "联系电话",
    ];
    for (c, h) in heads.iter().enumerate() {
        hh.write_string(0, c as u16, *h).unwrap();
    }
    let text = XFormat::new().set_num_format("@");
    for i in 0..300u32 {
        let r = i + 1;
        hh.write_string_with_format(r, 0, format!("H{i:05}"), &text)
            .unwrap();
        hh.write_string(r, 1, "兴县").unwrap();
        hh.write_string(r, 2, "蔚汾镇").unwrap();
        hh.write_string(r, 3, "晋绥新村").unwrap();
        hh.write_string(r, 4, "141123100001").unwrap();
        hh.write_string(
            r,
            5,
            if i % 3 == 0 {
                "脱贫户"
            } else {
                "一般农户"
            },
        )
        .unwrap();
        hh.write_number(r, 6, f64::from(i % 5 + 1)).unwrap();
        if i % 7 != 0 {
            hh.write_string(r, 7, format!("1390000{i:04}")).unwrap();
        }
    }
    let mm = wb.add_worksheet();
    mm.set_name("家庭成员").unwrap();
    let heads = [
        "户编号",
        "姓名",
        "公民身份号码",
        "与户主关系",
        "劳动技能",
        "健康状况",
        "是否参加基本医疗保险",
    ];
    for (c, h) in heads.iter().enumerate() {
        mm.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..900u32 {
        let r = i + 1;
        mm.write_string(r, 0, format!("H{:05}", i / 3)).unwrap();
        mm.write_string(r, 1, format!("成员{i}")).unwrap();
        mm.write_string(r, 2, format!("14112319800101{i:04}"))
            .unwrap();
        mm.write_string(r, 3, if i % 3 == 0 { "户主" } else { "之子" })
            .unwrap();
        mm.write_string(r, 4, "普通劳动力").unwrap();
        mm.write_string(r, 5, "健康").unwrap();
        mm.write_string(r, 6, "是").unwrap();
    }
    wb.save_to_buffer().unwrap()
}

// ------------------------------------------------------------------------------------------------
// Hand-written parts.

/// Rewrites one part of a workbook.
fn rewrite_part(bytes: &[u8], name: &str, f: impl Fn(String) -> String) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut data).unwrap();
        let n = file.name().expect("name").to_string();
        if n == name {
            data = f(String::from_utf8(data).unwrap()).into_bytes();
        }
        parts.push((n, data));
    }
    let parts: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    write_zip(&parts)
}

fn write_zip(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let parts: Vec<(&str, &[u8])> = parts.iter().map(|(n, d)| (*n, d.as_slice())).collect();
    super::differential::write_zip(&parts).expect("zip")
}

const NS: &str = "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

/// A workbook with one sheet `S` whose `<worksheet>` content is `sheet`, the given shared strings
/// (`<si>` contents) and `cellXfs` number formats (custom formats from 164).
fn workbook(sheet: &str, strings: &[&str], xfs: &[&str], date1904: bool) -> Vec<u8> {
    let wb = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<workbook {NS}><workbookPr{}/><sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
        if date1904 { " date1904=\"1\"" } else { "" }
    );
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"x/styles\" Target=\"styles.xml\"/><Relationship Id=\"rId3\" Type=\"x/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";
    let mut sst = format!(
        "<?xml version=\"1.0\"?><sst {NS} count=\"{0}\" uniqueCount=\"{0}\">",
        strings.len()
    );
    for s in strings {
        sst.push_str(&format!("<si>{s}</si>"));
    }
    sst.push_str("</sst>");
    let mut styles = format!(
        "<?xml version=\"1.0\"?><styleSheet {NS}><numFmts count=\"{}\">",
        xfs.len()
    );
    for (i, f) in xfs.iter().enumerate() {
        styles.push_str(&format!(
            "<numFmt numFmtId=\"{}\" formatCode=\"{f}\"/>",
            164 + i
        ));
    }
    styles.push_str("</numFmts><cellXfs count=\"9\"><xf numFmtId=\"0\"/>");
    for i in 0..xfs.len() {
        styles.push_str(&format!(
            "<xf numFmtId=\"{}\" applyNumberFormat=\"1\"/>",
            164 + i
        ));
    }
    styles.push_str("<xf numFmtId=\"14\"/><xf numFmtId=\"46\"/><xf/></cellXfs></styleSheet>");
    let sheet = format!("<?xml version=\"1.0\"?><worksheet {NS}>{sheet}</worksheet>");
    write_zip(&[
        ("xl/workbook.xml", wb.into_bytes()),
        ("xl/_rels/workbook.xml.rels", rels.as_bytes().to_vec()),
        ("xl/sharedStrings.xml", sst.into_bytes()),
        ("xl/styles.xml", styles.into_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.into_bytes()),
    ])
}

const STRINGS: &[&str] = &[
    "<t>户编号</t>",
    "<r><t>姓</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\">名 </t></r>",
    "<t>张</t><rPh sb=\"0\" eb=\"1\"><t>zhang</t></rPh><phoneticPr fontId=\"1\" type=\"noConversion\"/>",
    "<t/>",
    "<t>a &amp; b &lt;c&gt;</t>",
];

fn simple(sheet_data: &str) -> Vec<u8> {
    workbook(
        &format!("<dimension ref=\"A1:F9\"/><sheetData>{sheet_data}</sheetData>"),
        STRINGS,
        &["yyyy\\-mm\\-dd", "@", "[h]:mm", "0.00"],
        false,
    )
}

#[test]
fn hand_written_cells_read_the_same() {
    let data = concat!(
        "<row r=\"1\" spans=\"1:6\">",
        "<c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\" s=\"2\"><v>1</v></c>",
        "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c><c r=\"E1\" t=\"s\"><v>4</v></c>",
        "</row>\n  <row r=\"2\">",
        "<c r=\"A2\" t=\"inlineStr\"><is><t>内联</t></is></c>",
        "<c r=\"B2\" t=\"inlineStr\"><is><r><t>a</t></r><r><t>b</t></r></is></c>",
        "<c r=\"C2\" t=\"str\"><f>A1&amp;B1</f><v>x &amp; y</v></c>",
        "<c r=\"D2\" t=\"b\"><v>1</v></c><c r=\"E2\" t=\"b\"><v>0</v></c>",
        "<c r=\"F2\" t=\"e\"><v>#N/A</v></c>",
        "</row><row r=\"4\">",
        "<c r=\"A4\"><v>42</v></c><c r=\"B4\" s=\"1\"><v>45000</v></c><c r=\"C4\" s=\"5\"><v>45000.5</v></c>",
        "<c r=\"D4\" s=\"3\"><v>1.25</v></c><c r=\"E4\" s=\"6\"><v>2</v></c><c r=\"F4\" s=\"4\"><v>3.14159</v></c>",
        "</row><row r=\"5\">",
        "<c r=\"A5\" t=\"n\"><v>1E+17</v></c><c r=\"B5\"><v>abc</v></c><c r=\"C5\" t=\"n\"><v></v></c>",
        "<c r=\"D5\" s=\"7\"><v>7</v></c><c r=\"E5\" s=\"99\"><v>8</v></c><c r=\"F5\" t=\"d\"><v>2024-01-02T00:00:00</v></c>",
        "</row><row r=\"6\"><c r=\"A6\" s=\"1\"/><c r=\"C6\"></c>",
        "<c r=\"D6\"><f t=\"shared\" ref=\"D6:D7\" si=\"0\">A1+1</f><v>-0.5</v></c></row>",
        "<row r=\"7\"><c r=\"D7\"><f t=\"shared\" si=\"0\"/><v>1.0e-7</v></c>",
        "<c r=\"E7\"><v>141123197005170119</v></c><c r=\"F7\" t=\"s\"><v>4</v></c></row>",
        "<row r=\"8\"/>",
        "<row r=\"9\"><c r=\"AA9\" t=\"inlineStr\"><is><t>远</t></is></c></row>",
    );
    let dump = assert_same(&simple(data));
    let cells = &dump[0].1;
    assert!(cells.iter().any(|c| c.2 == "姓名 "));
    assert!(cells.iter().any(|c| c.2 == "张"));
    assert!(cells.iter().any(|c| c.2 == "a & b <c>"));
    assert!(cells.iter().any(|c| c.2 == "2023-03-15"));
    let with_merges = workbook(
        &format!(
            "<dimension ref=\"A1:F9\"/><sheetData>{data}</sheetData><mergeCells count=\"2\"><mergeCell ref=\"A1:B2\"/><mergeCell ref=\"C6\"/></mergeCells><pageMargins left=\"0.7\"/>"
        ),
        STRINGS,
        &["yyyy-mm-dd"],
        true,
    );
    let dump = assert_same(&with_merges);
    assert_eq!(dump[0].2.len(), 2);
}

#[test]
fn the_fast_reader_gives_up_on_what_it_does_not_know() {
    let cases = [
        // a cell without `r`
        "<row r=\"1\"><c t=\"s\"><v>0</v></c></row>",
        // namespace prefixes
        "<x:row r=\"1\"><x:c r=\"A1\" t=\"s\"><x:v>0</x:v></x:c></x:row>",
        // an unknown type
        "<row r=\"1\"><c r=\"A1\" t=\"zz\"><v>0</v></c></row>",
        // numeric character reference, CR, Excel escape, CDATA, comment
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a&#10;b</t></is></c></row>",
        "<row r=\"1\"><c r=\"A1\" t=\"str\"><v>a\r\nb</v></c></row>",
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>_x000D_</t></is></c></row>",
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t><![CDATA[x]]></t></is></c></row>",
        "<row r=\"1\"><!-- note --><c r=\"A1\"><v>1</v></c></row>",
        // a lower-case reference, a bad number, a shared index with a sign
        "<row r=\"1\"><c r=\"a1\"><v>1</v></c></row>",
        "<row r=\"1\"><c r=\"A1\" t=\"n\"><v>x</v></c></row>",
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>+1</v></c></row>",
        // an empty `<v/>`, an unknown child
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v/></c></row>",
        "<row r=\"1\"><c r=\"A1\"><extLst/></c></row>",
    ];
    for data in cases {
        let bytes = simple(data);
        assert_gives_up(&bytes);
        // and calamine still reads those it can (the fallback)
        let _ = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.as_slice()));
    }
    // a `<mergeCells>` under a prefix
    assert_gives_up(&workbook(
        "<sheetData/><x:mergeCells><x:mergeCell ref=\"A1:B1\"/></x:mergeCells>",
        STRINGS,
        &[],
        false,
    ));
    // an empty shared string item (calamine skips it, shifting the indices)
    assert_gives_up(&workbook("<sheetData/>", &["<t>a</t>", ""], &[], false));
    // a shared string index beyond the table: refused as damaged (calamine would panic)
    assert_eq!(
        fast_dump(&simple(
            "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>99</v></c></row>"
        ))
        .err(),
        Some(xlsx_fast::Fail::Damaged("shared string index out of range"))
    );
}

#[test]
fn the_fallback_reads_a_file_the_fast_reader_refuses() {
    // A registry whose cells carry no `r` (as some generators write): the fast reader gives up,
    // calamine reads it, and the rows reach the sink.
    let mut data = String::from("<row r=\"1\">");
    for h in HEADERS {
        data.push_str(&format!("<c t=\"inlineStr\"><is><t>{h}</t></is></c>"));
    }
    data.push_str("</row><row r=\"2\">");
    for v in [
        "T001",
        "兴县",
        "圪塔上乡",
        "测试村",
        "141123208201",
        "一般农户",
        "1",
        "张三",
    ] {
        data.push_str(&format!("<c t=\"inlineStr\"><is><t>{v}</t></is></c>"));
    }
    data.push_str("</row>");
    let bytes = simple(&data);
    assert_gives_up(&bytes);
    let mut fallback = Record::default();
    let info = read("t.xlsx", &bytes, &mut fallback, &|_, _| {}).expect("usable");
    assert_eq!(info.format, "XLSX");
    assert_eq!(fallback.rows.len(), 1);
    assert_eq!(fallback.rows[0].2[7], "张三");
    let mut reference = Record::default();
    read_reference("t.xlsx", &bytes, &mut reference, &|_, _| {}).expect("usable");
    assert_eq!(fallback, reference);
}

#[test]
fn mutated_sheets_are_read_as_calamine_reads_them_or_left_to_it() {
    let base = format!(
        "<dimension ref=\"A1:F9\"/><sheetData>{}</sheetData><mergeCells count=\"1\"><mergeCell ref=\"A1:B2\"/></mergeCells>",
        concat!(
            "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\" s=\"2\"><v>1</v></c></row>",
            "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>in</t></is></c>",
            "<c r=\"C2\" t=\"str\"><f>A1</f><v>x &amp; y</v></c><c r=\"D2\" t=\"b\"><v>1</v></c>",
            "<c r=\"F2\" t=\"e\"><v>#N/A</v></c></row><row r=\"4\"><c r=\"A4\"><v>42</v></c>",
            "<c r=\"B4\" s=\"1\"><v>45000</v></c><c r=\"E4\" s=\"6\"><v>2</v></c></row>",
            "<row r=\"5\"><c r=\"B5\"><v>abc</v></c><c r=\"C5\" t=\"n\"><v></v></c><c r=\"F5\" t=\"d\"><v>2024-01-02</v></c></row>",
            "<row r=\"6\"><c r=\"A6\" s=\"1\"/><c r=\"E7\"><v>141123197005170119</v></c></row>",
        )
    );
    let alphabet = b"<>/=\"'&;: 0123456789ABcdefrstvx#.-E";
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let (mut read_fast, mut left) = (0, 0);
    let strings = STRINGS.join("</si><si>");
    for round in 0..4000 {
        // Mostly the sheet, every third round the shared strings.
        let in_strings = round % 3 == 2;
        let mut xml = if in_strings {
            strings.clone().into_bytes()
        } else {
            base.clone().into_bytes()
        };
        for _ in 0..1 + next(3) {
            let at = next(xml.len());
            // keep the text UTF-8: touch ASCII bytes, insert before a character
            if !xml[at].is_ascii() && xml[at] & 0xC0 != 0xC0 {
                continue;
            }
            match next(3) {
                0 | 1 if !xml[at].is_ascii() => {}
                0 => xml[at] = alphabet[next(alphabet.len())],
                1 => {
                    xml.remove(at);
                }
                _ => xml.insert(at, alphabet[next(alphabet.len())]),
            }
        }
        let xml = String::from_utf8(xml).expect("ASCII mutations");
        let formats = &["yyyy-mm-dd", "@", "[h]:mm"];
        let bytes = if in_strings {
            workbook(&base, &[xml.as_str()], formats, false)
        } else {
            workbook(&xml, STRINGS, formats, false)
        };
        match fast_dump(&bytes) {
            Ok(fast) => {
                read_fast += 1;
                assert_eq!(Ok(fast), calamine_dump(&bytes), "{xml}");
            }
            Err(_) => left += 1,
        }
    }
    assert!(
        read_fast > 100 && left > 100,
        "{read_fast} read, {left} left to calamine"
    );
}
