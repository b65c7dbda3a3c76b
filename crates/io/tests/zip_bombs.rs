//! Decompression limits (压缩包解压限制, issue 20): real crafted zip bombs — a registry workbook whose
//! worksheet inflates hundreds of times its size, and one whose archive lies about the inflated size
//! of its worksheet — are refused, with a message in Chinese and English, by the fast XLSX reader,
//! by calamine (the careful path and the department files), and by the archive check itself.

use std::io::{Cursor, Read, Write};

use shouwang_core::registry::Assembler;
use shouwang_io::archive::{LIMITS, Limits, Refusal, check_inflated};
use shouwang_io::{IoError, registry, xlsx};

/// A small real registry workbook (one household sheet) written by rust_xlsxwriter.
fn registry_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("家庭成员").unwrap();
    let heads = [
        "户编号",
        "姓名",
        "证件号码",
        "与户主关系",
        "劳动技能",
        "健康状况",
        "是否参加基本医疗保险",
        "村代码",
        "户类型",
    ];
    for (c, h) in heads.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..30u32 {
        ws.write_string(i + 1, 0, format!("H{:05}", i / 3)).unwrap();
        ws.write_string(i + 1, 1, format!("成员{i}")).unwrap();
        ws.write_string(i + 1, 2, format!("14112319800101{i:04}"))
            .unwrap();
        ws.write_string(i + 1, 3, if i % 3 == 0 { "户主" } else { "之子" })
            .unwrap();
        ws.write_string(i + 1, 4, "普通劳动力").unwrap();
        ws.write_string(i + 1, 5, "健康").unwrap();
        ws.write_string(i + 1, 6, "是").unwrap();
        ws.write_string(i + 1, 7, "141123208201").unwrap();
        ws.write_string(i + 1, 8, "一般农户").unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// The parts of an archive.
fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

fn write_zip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    for (name, data) in parts {
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The workbook with its worksheet padded by `pad` bytes of blanks between two rows: still a valid
/// worksheet, which inflates about a thousand times its compressed size.
fn bomb(pad: usize) -> Vec<u8> {
    let mut p = parts(&registry_workbook());
    let sheet = p
        .iter_mut()
        .find(|(n, _)| n == "xl/worksheets/sheet1.xml")
        .expect("the worksheet");
    let text = String::from_utf8(sheet.1.clone()).unwrap();
    let at = text.find("</row>").expect("a row") + "</row>".len();
    let mut padded = text[..at].to_string();
    padded.push_str(&" ".repeat(pad));
    padded.push_str(&text[at..]);
    sheet.1 = padded.into_bytes();
    write_zip(&p)
}

/// Sets the inflated size an archive declares for its part `name` (local header and central
/// directory), leaving the compressed data as it is.
fn declare_size(bytes: &mut [u8], name: &str, size: u32) {
    let mut hits = 0;
    for i in 0..bytes.len().saturating_sub(46) {
        let (size_at, name_len_at, name_at) = match &bytes[i..i + 4] {
            b"PK\x03\x04" => (22, 26, 30),
            b"PK\x01\x02" => (24, 28, 46),
            _ => continue,
        };
        let len = u16::from_le_bytes([bytes[i + name_len_at], bytes[i + name_len_at + 1]]) as usize;
        if bytes.get(i + name_at..i + name_at + len) == Some(name.as_bytes()) {
            bytes[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
            hits += 1;
        }
    }
    assert_eq!(
        hits, 2,
        "local header and central directory entry of {name}"
    );
}

/// The one problem of a refused file.
fn refusal_of(result: Result<(), registry::Unusable>) -> (String, String) {
    let u = result.expect_err("the file is refused");
    assert_eq!(u.0.len(), 1, "{u}");
    (u.0[0].reason_zh.clone(), u.0[0].reason_en.clone())
}

fn read_fast(bytes: &[u8]) -> Result<(), registry::Unusable> {
    registry::read("bomb.xlsx", bytes, &mut Assembler::new(), &|_, _| {}).map(|_| ())
}

fn read_calamine(bytes: &[u8]) -> Result<(), registry::Unusable> {
    registry::read_reference("bomb.xlsx", bytes, &mut Assembler::new(), &|_, _| {}).map(|_| ())
}

#[test]
fn the_plain_workbook_is_read_by_both_readers() {
    let bytes = registry_workbook();
    read_fast(&bytes).expect("the fast reader reads it");
    read_calamine(&bytes).expect("calamine reads it");
    check_inflated(Cursor::new(&bytes), &LIMITS).expect("within the limits");
}

#[test]
fn a_worksheet_inflating_a_thousand_times_is_refused_by_both_readers() {
    let bytes = bomb(24 << 20);
    assert!(bytes.len() < 200 << 10, "a bomb: {} bytes", bytes.len());
    for (reader, result) in [
        ("fast", read_fast(&bytes)),
        ("calamine", read_calamine(&bytes)),
    ] {
        let (zh, en) = refusal_of(result);
        assert!(zh.contains("压缩比超过 250 倍"), "{reader}: {zh}");
        assert!(en.contains("xl/worksheets/sheet1.xml"), "{reader}: {en}");
        assert!(en.contains("zip bomb"), "{reader}: {en}");
    }
}

#[test]
fn a_worksheet_larger_than_its_archive_declares_is_refused_by_both_readers() {
    let mut bytes = bomb(24 << 20);
    // The archive claims the padded worksheet inflates to 1,000 bytes (within every limit).
    declare_size(&mut bytes, "xl/worksheets/sheet1.xml", 1000);
    for (reader, result) in [
        ("fast", read_fast(&bytes)),
        ("calamine", read_calamine(&bytes)),
    ] {
        let (zh, en) = refusal_of(result);
        assert!(zh.contains("已拒绝读取"), "{reader}: {zh}");
        assert!(en.contains("xl/worksheets/sheet1.xml"), "{reader}: {en}");
    }
}

#[test]
fn a_department_file_that_is_a_bomb_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("民政.xlsx");
    std::fs::write(&path, bomb(24 << 20)).unwrap();
    let Err(err) = xlsx::Sheet::open(&path) else {
        panic!("the department file is refused");
    };
    assert!(
        matches!(
            &err,
            IoError::Archive {
                refusal: Refusal::Ratio { .. },
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.message_zh().contains("疑似压缩炸弹"),
        "{}",
        err.message_zh()
    );
    // The same file within the limits opens.
    std::fs::write(&path, registry_workbook()).unwrap();
    assert!(xlsx::Sheet::open(&path).is_ok());
}

#[test]
fn each_limit_refuses_on_its_own() {
    let bytes = registry_workbook();
    let sheet = parts(&bytes)
        .into_iter()
        .find(|(n, _)| n == "xl/worksheets/sheet1.xml")
        .unwrap()
        .1
        .len() as u64;
    let all: u64 = parts(&bytes).iter().map(|(_, d)| d.len() as u64).sum();
    let wide = Limits {
        part: 1 << 30,
        total: 1 << 30,
        ratio: 1000,
        grace: 1 << 30,
    };
    let check = |limits: Limits| check_inflated(Cursor::new(&bytes), &limits);
    assert_eq!(check(wide), Ok(()));
    assert!(matches!(
        check(Limits {
            part: sheet - 1,
            ..wide
        }),
        Err(Refusal::Part { .. })
    ));
    assert_eq!(
        check(Limits {
            total: all - 1,
            ..wide
        }),
        Err(Refusal::Total { limit: all - 1 })
    );
    assert!(matches!(
        check(Limits {
            ratio: 1,
            grace: 0,
            ..wide
        }),
        Err(Refusal::Ratio { .. })
    ));
}
