//! Files that cannot be imported: a missing column, not a spreadsheet.

use super::*;

#[test]
fn missing_column_and_not_a_spreadsheet_are_unusable() {
    let read = |name: &str, bytes: &[u8]| {
        same_as_reference(name, bytes);
        shouwang_io::registry::read_assembled(name, bytes, &|_, _| {}).map(|_| ())
    };
    // A missing required column.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in [
        "户编号",
        "村代码",
        "户类型",
        "姓名",
        "与户主关系",
        "劳动技能",
        "健康状况",
        "是否参加基本医疗保险",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "T1").unwrap();
    let e = read("缺列.xlsx", &wb.save_to_buffer().unwrap()).unwrap_err();
    assert!(e.0[0].reason_zh.contains("缺少必填列：身份证号"), "{e}");
    assert_eq!(e.0[0].row, 1);
    // Not a spreadsheet: a PDF, a picture, random bytes, a Word file (a ZIP that is no workbook), a
    // text file without a registry header, an empty file.
    for (name, bytes) in [
        ("a.pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj".to_vec()),
        ("b.xlsx", b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR".to_vec()),
        ("c.xls", (0u8..=255).cycle().take(4096).collect()),
        ("d.xlsx", stored_zip("word/document.xml", b"<w:document/>")),
        (
            "e.csv",
            "这是一封信，不是表格。\n第二行。\n".as_bytes().to_vec(),
        ),
        ("f.csv", Vec::new()),
    ] {
        let e = read(name, &bytes).unwrap_err();
        assert_eq!(e.0[0].sheet, name);
        assert!(!e.0[0].reason_zh.is_empty(), "{name}");
        eprintln!("{name}: {e}");
    }
    // Two layouts mixed.
    let mut wb = one_sheet(false, &three_households());
    let ws = wb.add_worksheet();
    for (c, h) in ["户编号", "村代码", "户类型"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let e = read("mixed.xlsx", &wb.save_to_buffer().unwrap()).unwrap_err();
    assert!(e.0[0].reason_zh.contains("只保留一种格式"), "{e}");
}

/// A ZIP archive with one stored (uncompressed) file: a Word-like file that is no workbook.
fn stored_zip(name: &str, data: &[u8]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    let (crc, len, nlen) = (crc32(data), data.len() as u32, name.len() as u16);
    let mut z = Vec::new();
    let header = |z: &mut Vec<u8>, central: bool| {
        if central {
            z.extend(0x0201_4b50u32.to_le_bytes());
            z.extend(20u16.to_le_bytes()); // made by
        } else {
            z.extend(0x0403_4b50u32.to_le_bytes());
        }
        z.extend(20u16.to_le_bytes()); // version needed
        z.extend([0u8; 8]); // flags, method (stored), time, date
        z.extend(crc.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(len.to_le_bytes());
        z.extend(nlen.to_le_bytes());
        z.extend(0u16.to_le_bytes()); // extra
        if central {
            z.extend([0u8; 12]); // comment, disk, attributes
            z.extend(0u32.to_le_bytes()); // local header offset
        }
        z.extend(name.as_bytes());
    };
    header(&mut z, false);
    z.extend(data);
    let cd_start = z.len() as u32;
    header(&mut z, true);
    let cd_len = z.len() as u32 - cd_start;
    z.extend(0x0605_4b50u32.to_le_bytes());
    z.extend([0u8; 4]);
    z.extend(1u16.to_le_bytes());
    z.extend(1u16.to_le_bytes());
    z.extend(cd_len.to_le_bytes());
    z.extend(cd_start.to_le_bytes());
    z.extend(0u16.to_le_bytes());
    z
}
