//! Reading a registry CSV file (读取 CSV 台账): the encoding detected (UTF-8, GBK / GB18030, UTF-16), the
//! delimiter guessed from the first line, the header found among the first rows, the rows handed to
//! the sink as they are read.

use shouwang_core::registry::check_layouts;

use super::{FileInfo, HEADER_SEARCH_ROWS, RowSink, Unusable, detect, unusable};
use crate::encoding;

pub(super) fn read_csv(
    name: &str,
    bytes: &[u8],
    sink: &mut dyn RowSink,
    progress: &dyn Fn(u64, u64),
) -> Result<FileInfo, Unusable> {
    let enc = encoding::detect(&bytes[..bytes.len().min(65_536)]);
    let text = encoding::decode_to_utf8(bytes, enc);
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_ref());
    let total = bytes.len() as u64;
    let mut records = reader.records();
    let mut first: Vec<(u32, Vec<String>)> = Vec::new();
    let csv_error = |e: csv::Error| {
        unusable(
            name,
            format!("CSV 文件格式错误：{e}"),
            format!("malformed CSV file: {e}"),
        )
    };
    let mut n = 0u32;
    for rec in records.by_ref() {
        let rec = rec.map_err(csv_error)?;
        n += 1;
        first.push((n, rec.iter().map(str::to_owned).collect()));
        if first.len() >= HEADER_SEARCH_ROWS {
            break;
        }
    }
    let layout = match detect(name, &first) {
        Ok(Some(l)) => l,
        Ok(None) => {
            return Err(unusable(
                name,
                "文件中没有可识别的农户台账表头（应含户编号、身份证号、姓名、村代码等列，见导入模板）；如果这是 Excel 文件，请不要改成 .csv 扩展名",
                "no registry header found (columns such as 户编号, 身份证号, 姓名, 村代码; see the template)",
            ));
        }
        Err(ps) => return Err(Unusable(ps)),
    };
    check_layouts(name, &[layout.kind]).map_err(Unusable)?;
    let header_row = layout.header_row;
    let info = FileInfo {
        format: format!("CSV ({})", enc.name()),
        sheets: vec![(name.to_owned(), layout.kind)],
        ignored_sheets: Vec::new(),
    };
    let id = sink.begin_sheet(layout);
    for (r, cells) in first {
        if r > header_row {
            sink.row(id, r, &cells);
        }
    }
    let mut cells: Vec<String> = Vec::new();
    for rec in records {
        let rec = rec.map_err(csv_error)?;
        n += 1;
        cells.clear();
        cells.extend(rec.iter().map(str::to_owned));
        sink.row(id, n, &cells);
        if n.is_multiple_of(4096) {
            let done = rec.position().map_or(0, |p| p.byte());
            progress(done.min(total), total);
        }
    }
    progress(total, total);
    Ok(info)
}

/// `,` unless the first line has more tabs or semicolons.
fn sniff_delimiter(text: &[u8]) -> u8 {
    let line = text.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let count = |d: u8| line.iter().filter(|&&b| b == d).count();
    let (c, t, s) = (count(b','), count(b'\t'), count(b';'));
    if t > c && t >= s {
        b'\t'
    } else if s > c {
        b';'
    } else {
        b','
    }
}
