//! Opening the input files (打开输入文件): each of the seven files found in its folder (`.csv` or a
//! spreadsheet, exactly one), its encoding detected, its header found among the first rows (title rows
//! above it skipped) and matched to the columns of the spec; a missing file or a bad header stops the
//! run before any work.

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use shouwang_io::encoding::{self, TextEncoding};
use shouwang_io::xlsx::{self, CellHint, Sheet};

use crate::ScreenError;
use crate::scan::{BlockReader, Splitter};
use crate::schema::{self, ColKind, ColMap, FileKind, HeaderError, MISSING};

/// What the workers need to know about an input file.
pub(super) struct SourceInfo {
    pub(super) kind: FileKind,
    pub(super) path: PathBuf,
    pub(super) name: String,
    pub(super) colmap: ColMap,
    /// Line number of the first line after the header.
    pub(super) first_line: u64,
    /// Cell rendering per file column (spreadsheets).
    pub(super) hints: Vec<CellHint>,
    pub(super) bytes: u64,
}

pub(super) enum Body {
    Csv(BlockReader),
    Sheet(Option<(Sheet, usize)>),
}

fn find_file(dir: &Path, kind: FileKind) -> Result<PathBuf, ScreenError> {
    let base = kind.base();
    let mut found: Vec<PathBuf> = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| shouwang_io::IoError::Read {
        path: dir.to_path_buf(),
        source: e,
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let lower = name.to_lowercase();
        let Some((stem, ext)) = lower.rsplit_once('.') else {
            continue;
        };
        if stem == base && matches!(ext, "csv" | "xlsx" | "xlsm" | "xls" | "ods") {
            found.push(entry.path());
        }
    }
    found.sort();
    match found.len() {
        0 => Err(ScreenError::MissingFile {
            dir: dir.to_path_buf(),
            base,
        }),
        1 => Ok(found.swap_remove(0)),
        _ => Err(ScreenError::Ambiguous {
            dir: dir.to_path_buf(),
            a: file_name(&found[0]),
            b: file_name(&found[1]),
        }),
    }
}

pub(super) fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

pub(super) fn read_err(path: &Path) -> impl Fn(std::io::Error) -> ScreenError + '_ {
    move |e| {
        ScreenError::Io(shouwang_io::IoError::Read {
            path: path.to_path_buf(),
            source: e,
        })
    }
}

fn header_error(path: &Path, e: HeaderError, found: Vec<String>) -> ScreenError {
    match e {
        HeaderError::Missing(missing) => ScreenError::MissingColumns {
            file: path.to_path_buf(),
            missing,
            found,
        },
        HeaderError::Duplicate(column) => ScreenError::DuplicateColumn {
            file: path.to_path_buf(),
            column,
        },
    }
}

pub(super) fn open_source(dir: &Path, kind: FileKind) -> Result<(SourceInfo, Body), ScreenError> {
    let path = find_file(dir, kind)?;
    let is_csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        open_csv(kind, path)
    } else {
        open_sheet(kind, path)
    }
}

fn open_csv(kind: FileKind, path: PathBuf) -> Result<(SourceInfo, Body), ScreenError> {
    let path_for_errors = path.clone();
    let err = read_err(&path_for_errors);
    let mut file = File::open(&path).map_err(&err)?;
    let bytes = file.metadata().map_err(&err)?.len();
    let mut sample = vec![0u8; 64 << 10];
    let mut n = 0;
    while n < sample.len() {
        match file.read(&mut sample[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(err(e)),
        }
    }
    sample.truncate(n);
    let enc = encoding::detect(&sample);
    let mut reader = if enc.is_utf8() {
        let carry = sample.get(enc.bom_len()..).unwrap_or(&[]).to_vec();
        BlockReader::new(Box::new(file), carry)
    } else {
        // slow path: decode the whole file to UTF-8 first
        let mut all = sample;
        file.read_to_end(&mut all).map_err(&err)?;
        let text = encoding::decode_to_utf8(&all, enc).into_owned();
        drop(all);
        BlockReader::new(Box::new(Cursor::new(text)), Vec::new())
    };
    debug_assert!(enc != TextEncoding::Utf8Bom || n >= 3);

    // header: the first of the first few non-blank records that names the
    // columns (a title line such as "2022年医保结算明细" may come before it)
    let mut buf = Vec::new();
    let mut lines = 0u64;
    let mut sp = Splitter::default();
    let mut first: Option<Vec<String>> = None;
    let mut tried = 0;
    loop {
        if !reader.next_block(&mut buf).map_err(&err)? {
            return match first {
                Some(cells) => Err(header_error(&path, resolve_err(kind, &cells), cells)),
                None => Err(ScreenError::Empty { file: path }),
            };
        }
        let mut pos = 0;
        while pos < buf.len() {
            let (end, nl) = split_one(&buf, pos, &mut sp);
            lines += nl;
            pos = end;
            let Some(cells) = nl_cells(&sp) else { continue };
            match schema::resolve(kind, &cells) {
                Ok(colmap) => {
                    let rest = buf.get(end..).unwrap_or(&[]).to_vec();
                    reader.unread(rest);
                    let info = SourceInfo {
                        kind,
                        name: file_name(&path),
                        path,
                        colmap,
                        first_line: lines + 1,
                        hints: Vec::new(),
                        bytes,
                    };
                    return Ok((info, Body::Csv(reader)));
                }
                Err(HeaderError::Duplicate(c)) => {
                    return Err(header_error(&path, HeaderError::Duplicate(c), cells));
                }
                Err(HeaderError::Missing(_)) => {
                    tried += 1;
                    let cells = first.get_or_insert(cells).clone();
                    if tried >= HEADER_SEARCH {
                        let e = resolve_err(kind, &cells);
                        return Err(header_error(&path, e, cells));
                    }
                }
            }
        }
    }
}

/// How many leading non-blank rows may be titles before the header.
const HEADER_SEARCH: usize = 5;

/// The error of matching `cells` as the header (for the report).
fn resolve_err(kind: FileKind, cells: &[String]) -> HeaderError {
    match schema::resolve(kind, cells) {
        Err(e) => e,
        Ok(_) => HeaderError::Missing(Vec::new()),
    }
}

/// Splits the record at `pos` (quote-aware); returns its end and line count.
fn split_one(buf: &[u8], pos: usize, sp: &mut Splitter) -> (usize, u64) {
    let (end, nl) = sp.split_quoted(buf, pos);
    (end.min(buf.len()), nl)
}

/// The cells of the record in `sp`, or `None` when it is blank.
fn nl_cells(sp: &Splitter) -> Option<Vec<String>> {
    let f = sp.fields();
    if f.len() == 1 && f.get(0).is_empty() {
        return None;
    }
    Some(
        (0..f.len())
            .map(|i| String::from_utf8_lossy(f.get(i)).into_owned())
            .collect(),
    )
}

fn open_sheet(kind: FileKind, path: PathBuf) -> Result<(SourceInfo, Body), ScreenError> {
    let bytes = std::fs::metadata(&path).map_err(read_err(&path))?.len();
    let sheet = Sheet::open(&path)?;
    let mut text = String::new();
    let mut header = None;
    let mut first: Option<Vec<String>> = None;
    let mut tried = 0;
    for (ri, row) in sheet.rows().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                text.clear();
                xlsx::cell_text(c, CellHint::Plain, &mut text);
                text.trim().to_string()
            })
            .collect();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        // a title row may come before the header
        if let Ok(colmap) = schema::resolve(kind, &cells) {
            header = Some((ri, cells, colmap));
            break;
        }
        first.get_or_insert(cells);
        tried += 1;
        if tried >= HEADER_SEARCH {
            break;
        }
    }
    let Some((header_row, cells, colmap)) = header else {
        return match first {
            Some(cells) => Err(header_error(&path, resolve_err(kind, &cells), cells)),
            None => Err(ScreenError::Empty { file: path }),
        };
    };
    let mut hints = vec![CellHint::Plain; cells.len()];
    for (ci, col) in kind.columns().iter().enumerate() {
        let fi = colmap.idx[ci];
        if fi != MISSING {
            hints[fi] = match col.kind {
                ColKind::Date => CellHint::Date,
                ColKind::Id => CellHint::IdNumber,
                _ => CellHint::Plain,
            };
        }
    }
    let info = SourceInfo {
        kind,
        name: file_name(&path),
        path,
        colmap,
        first_line: sheet.first_row_number(),
        hints,
        bytes,
    };
    Ok((info, Body::Sheet(Some((sheet, header_row)))))
}
