//! The screening engine (筛查引擎).
//!
//! Three phases, each run by `threads` workers pulling blocks from a shared
//! queue (the queue reads the next block under its lock; workers parse
//! outside it):
//! 1. households.csv → household table and 户编号 index;
//! 2. members.csv → ID number (u64) → household index;
//! 3. the five department files → per-worker sums and flags by household,
//!    added up at the end.
//!
//! Line numbers of malformed rows are fixed up after each run from the line
//! counts of the blocks, so blocks can be processed in any order.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::Ordering;

use chrono::Datelike;
use shouwang_io::encoding::{self, TextEncoding};
use shouwang_io::xlsx::{self, CellHint, Sheet};

use crate::map::{ShardedMap, advise_huge_pages, prefetch};
use crate::parse::{self, parse_date, parse_id, parse_money, parse_uint};
use crate::scan::{self, BlockReader, Fields, Splitter};
use crate::schema::{self, ColKind, ColMap, FileKind, HeaderError, MAX_COLS, MISSING};
use crate::{Codes, FileSummary, FlaggedRow, Outcome, Params, Progress, Rejected, ScreenError};

/// Household index of a member whose 户编号 is not in households.csv.
const NO_HOUSEHOLD: u32 = u32::MAX;
/// Index of the "wrong number of columns" counter.
const COLUMNS: usize = MAX_COLS;
/// Line of a spreadsheet row is absolute, not relative to a block.
const ABSOLUTE: u32 = u32::MAX;

/// What the workers need to know about an input file.
struct SourceInfo {
    kind: FileKind,
    path: PathBuf,
    name: String,
    colmap: ColMap,
    /// Line number of the first line after the header.
    first_line: u64,
    /// Cell rendering per file column (spreadsheets).
    hints: Vec<CellHint>,
    bytes: u64,
}

enum Body {
    Csv(BlockReader),
    Sheet(Option<(Sheet, usize)>),
}

/// Screens the files in `input_dir` (see the crate documentation).
pub fn run(input_dir: &Path, params: &Params, progress: &Progress) -> Result<Outcome, ScreenError> {
    run_dirs(input_dir, input_dir, params, progress)
}

/// Screens the department files in `department_dir` against the registry files (households, members)
/// in `registry_dir` (the database mode writes the registry from the database into a folder of its
/// own, so a `households.csv` sent along with the department files is not read).
pub fn run_dirs(
    registry_dir: &Path,
    department_dir: &Path,
    params: &Params,
    progress: &Progress,
) -> Result<Outcome, ScreenError> {
    let t = &params.thresholds;
    if t.medical_yuan < 0 || t.disaster_yuan < 0 || t.school_age_min > t.school_age_max {
        return Err(ScreenError::Param(format!(
            "thresholds out of range: {t:?}"
        )));
    }
    let year = params.year;
    if !(1..=9999).contains(&year) {
        return Err(ScreenError::Param(format!("year {year} out of range")));
    }
    let as_of = params.as_of;
    let as_of = (as_of.year() as u32) * 10000 + as_of.month() * 100 + as_of.day();
    if !(10101..=99991231).contains(&as_of) {
        return Err(ScreenError::Param("as-of date out of range".into()));
    }
    let window = (year as u32 * 10000 + 101, as_of);
    let threads = if params.threads == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        params.threads
    };

    let timing = std::env::var_os("SHOUWANG_SCREEN_TIMING").is_some();
    let t0 = std::time::Instant::now();
    let lap = |what: &str| {
        if timing {
            eprintln!("timing {what}: {:.3} s", t0.elapsed().as_secs_f64());
        }
    };
    // open every file first: a missing file or a bad header stops the run before any work
    let mut infos = Vec::new();
    let mut bodies = Vec::new();
    for kind in FileKind::ALL {
        let dir = if kind.is_department() {
            department_dir
        } else {
            registry_dir
        };
        let (info, body) = open_source(dir, kind)?;
        infos.push(info);
        bodies.push(Some(body));
    }
    progress
        .bytes_total
        .store(infos.iter().map(|i| i.bytes).sum(), Ordering::Relaxed);

    let mut outs: Vec<WorkerOut> = Vec::new();
    let mut take = |kinds: &[FileKind]| -> Vec<(usize, Body)> {
        kinds
            .iter()
            .filter_map(|k| bodies[k.index()].take().map(|b| (k.index(), b)))
            .collect()
    };

    // phase 1: households
    let empty_hh = HidIndex::default();
    let empty_persons = ShardedMap::empty();
    let ctx = Ctx {
        infos: &infos,
        window,
        as_of,
        school_ages: (i64::from(t.school_age_min), i64::from(t.school_age_max)),
        hids: &empty_hh,
        households: None,
        persons: &empty_persons,
        n_households: 0,
    };
    let mut phase = run_phase(&ctx, take(&[FileKind::Households]), threads, progress)?;
    lap("households parsed");
    let households = merge_households(&mut phase, threads)?;
    outs.extend(phase);
    lap("households indexed");

    // phase 2: members
    let ctx = Ctx {
        hids: &households.index,
        households: Some(&households),
        ..ctx
    };
    let mut phase = run_phase(&ctx, take(&[FileKind::Members]), threads, progress)?;
    lap("members parsed");
    let persons = merge_members(&mut phase, threads);
    outs.extend(phase);
    lap("members indexed");

    // phase 3: department files
    let ctx = Ctx {
        persons: &persons,
        n_households: households.recs.len(),
        ..ctx
    };
    let departments = [
        FileKind::Medical,
        FileKind::Education,
        FileKind::Disability,
        FileKind::Housing,
        FileKind::Disaster,
    ];
    let mut phase = run_phase(&ctx, take(&departments), threads, progress)?;
    lap("departments parsed");
    let acc = merge_acc(&mut phase, households.recs.len());
    outs.extend(phase);
    drop(persons);

    let flagged = flag(&households, &acc, params.line_fen, t);
    let (files, rejected) = summarise(&infos, outs);
    lap("flagged and summarised");
    Ok(Outcome {
        flagged,
        files,
        rejected,
        households: households.index.len() as u64,
    })
}

// ---------------------------------------------------------------- opening files

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

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn read_err(path: &Path) -> impl Fn(std::io::Error) -> ScreenError + '_ {
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

fn open_source(dir: &Path, kind: FileKind) -> Result<(SourceInfo, Body), ScreenError> {
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

// ---------------------------------------------------------------- the work queue

struct QueueState {
    sources: Vec<(usize, Body)>,
    cur: usize,
    next_seq: Vec<u32>,
    error: Option<ScreenError>,
}

enum Job {
    Block {
        src: usize,
        seq: u32,
    },
    Sheet {
        src: usize,
        sheet: Sheet,
        header_row: usize,
    },
}

struct Queue {
    state: Mutex<QueueState>,
}

impl Queue {
    fn next(&self, infos: &[SourceInfo], buf: &mut Vec<u8>) -> Option<Job> {
        let mut guard = self.state.lock().ok()?;
        let st = &mut *guard;
        while st.cur < st.sources.len() && st.error.is_none() {
            let cur = st.cur;
            let (src, body) = &mut st.sources[cur];
            let src = *src;
            match body {
                Body::Csv(reader) => match reader.next_block(buf) {
                    Ok(true) => {
                        let seq = st.next_seq[src];
                        st.next_seq[src] += 1;
                        return Some(Job::Block { src, seq });
                    }
                    Ok(false) => st.cur += 1,
                    Err(e) => {
                        st.error = Some(read_err(&infos[src].path)(e));
                    }
                },
                Body::Sheet(sheet) => {
                    st.cur += 1;
                    if let Some((sheet, header_row)) = sheet.take() {
                        return Some(Job::Sheet {
                            src,
                            sheet,
                            header_row,
                        });
                    }
                }
            }
        }
        None
    }
}

// ---------------------------------------------------------------- workers

/// Shared read-only state of a phase.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    infos: &'a [SourceInfo],
    window: (u32, u32),
    as_of: u32,
    /// 因学: youngest and oldest age of a drop-out that counts.
    school_ages: (i64, i64),
    hids: &'a HidIndex,
    households: Option<&'a Households>,
    persons: &'a ShardedMap,
    n_households: usize,
}

#[derive(Default, Clone, Copy)]
struct FileStats {
    rows: u64,
    bad: [u64; MAX_COLS + 1],
    unmatched: u64,
}

struct RawReject {
    src: usize,
    seq: u32,
    line: u64,
    column: usize,
    value: String,
    reason: String,
}

/// Households parsed from one block: text in an arena.
#[derive(Default)]
struct HhBlock {
    arena: Vec<u8>,
    recs: Vec<HhRec>,
}

#[derive(Clone, Copy)]
struct HhRec {
    off: u64,
    hid_len: u32,
    v_len: u16,
    t_len: u16,
    size: u32,
    income: i64,
}

/// Department sums and flags of one worker, by household index.
struct Acc {
    oop: Vec<i64>,
    loss: Vec<i64>,
    flags: Vec<u8>,
    /// Sums that overflowed i64 (only with absurd amounts): the excess.
    big_oop: HashMap<u32, i128>,
    big_loss: HashMap<u32, i128>,
}

impl Acc {
    fn new(n: usize) -> Acc {
        let oop = vec![0; n];
        let loss = vec![0; n];
        advise_huge_pages(&oop);
        advise_huge_pages(&loss);
        Acc {
            oop,
            loss,
            flags: vec![0; n],
            big_oop: HashMap::new(),
            big_loss: HashMap::new(),
        }
    }
}

#[inline]
fn add_sum(sums: &mut [i64], big: &mut HashMap<u32, i128>, h: u32, v: i64) {
    let slot = &mut sums[h as usize];
    match slot.checked_add(v) {
        Some(s) => *slot = s,
        None => {
            *big.entry(h).or_insert(0) += i128::from(*slot) + i128::from(v);
            *slot = 0;
        }
    }
}

#[derive(Default)]
struct Vals {
    id: u64,
    date: u32,
    int: u32,
    money: [i64; 4],
}

struct WorkerOut {
    stats: [FileStats; 7],
    rejects: Vec<RawReject>,
    block_lines: Vec<(usize, u32, u64)>,
    hh_blocks: Vec<(u32, HhBlock)>,
    member_blocks: Vec<(u32, Vec<(u64, u32)>)>,
    acc: Option<Acc>,
}

struct Worker<'a> {
    ctx: Ctx<'a>,
    out: WorkerOut,
    // current block
    src: usize,
    seq: u32,
    hh: HhBlock,
    members: Vec<(u64, u32)>,
    /// Department rows waiting for their ID lookup (prefetched).
    batch: Vec<Pending>,
    resolved: Vec<u32>,
    /// Household of the previous member row (members come grouped by household).
    last_household: u32,
}

/// A valid department row reduced to what it does once its household is known.
#[derive(Clone, Copy)]
struct Pending {
    id: u64,
    val: i64,
    kind: u8,
    op: u8,
}

const OP_NONE: u8 = 0;
const OP_OOP: u8 = 1;
const OP_LOSS: u8 = 2;
const OP_FLAG: u8 = 3;
/// Rows looked up together: their table slots are prefetched while the
/// next rows are parsed.
const BATCH: usize = 32;

fn run_phase(
    ctx: &Ctx<'_>,
    sources: Vec<(usize, Body)>,
    threads: usize,
    progress: &Progress,
) -> Result<Vec<WorkerOut>, ScreenError> {
    let queue = Queue {
        state: Mutex::new(QueueState {
            sources,
            cur: 0,
            next_seq: vec![0; FileKind::ALL.len()],
            error: None,
        }),
    };
    let outs: Vec<WorkerOut> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| s.spawn(|| worker(*ctx, &queue, progress)))
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let state = queue
        .state
        .into_inner()
        .map_err(|_| ScreenError::Limit("a worker thread panicked".into()))?;
    if let Some(e) = state.error {
        return Err(e);
    }
    if outs.len() != threads.max(1) {
        return Err(ScreenError::Limit("a worker thread panicked".into()));
    }
    Ok(outs)
}

fn worker(ctx: Ctx<'_>, queue: &Queue, progress: &Progress) -> WorkerOut {
    let mut w = Worker {
        ctx,
        out: WorkerOut {
            stats: [FileStats::default(); 7],
            rejects: Vec::new(),
            block_lines: Vec::new(),
            hh_blocks: Vec::new(),
            member_blocks: Vec::new(),
            acc: None,
        },
        src: 0,
        seq: 0,
        hh: HhBlock::default(),
        members: Vec::new(),
        batch: Vec::with_capacity(BATCH),
        resolved: Vec::with_capacity(BATCH),
        last_household: 0,
    };
    let mut buf = Vec::new();
    let mut sp = Splitter::default();
    while let Some(job) = queue.next(ctx.infos, &mut buf) {
        let rows_before: u64 = w.out.stats.iter().map(|s| s.rows).sum();
        match job {
            Job::Block { src, seq } => {
                w.src = src;
                w.seq = seq;
                let info = &ctx.infos[src];
                // one allocation per block for what the block's rows produce
                match info.kind {
                    FileKind::Households => {
                        w.hh.recs.reserve(buf.len() / 40);
                        w.hh.arena.reserve(buf.len() * 3 / 4);
                    }
                    FileKind::Members => w.members.reserve(buf.len() / 45),
                    _ => {}
                }
                let lines = scan::for_each_record(&buf, &mut sp, |line, f| {
                    w.row(info, line, f);
                });
                w.out.block_lines.push((src, seq, lines));
                progress
                    .bytes_done
                    .fetch_add(buf.len() as u64, Ordering::Relaxed);
            }
            Job::Sheet {
                src,
                sheet,
                header_row,
            } => {
                w.src = src;
                w.seq = ABSOLUTE;
                w.sheet(src, &sheet, header_row);
                progress
                    .bytes_done
                    .fetch_add(ctx.infos[src].bytes, Ordering::Relaxed);
            }
        }
        w.finish_block();
        let rows_after: u64 = w.out.stats.iter().map(|s| s.rows).sum();
        progress
            .rows_done
            .fetch_add(rows_after - rows_before, Ordering::Relaxed);
    }
    w.out
}

impl Worker<'_> {
    fn finish_block(&mut self) {
        self.flush();
        if !self.hh.recs.is_empty() {
            let b = std::mem::take(&mut self.hh);
            self.out.hh_blocks.push((self.seq, b));
        }
        if !self.members.is_empty() {
            let m = std::mem::take(&mut self.members);
            self.out.member_blocks.push((self.seq, m));
        }
    }

    fn sheet(&mut self, src: usize, sheet: &Sheet, header_row: usize) {
        let info = &self.ctx.infos[src];
        let mut text = String::new();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for (ri, row) in sheet.rows().enumerate().skip(header_row + 1) {
            text.clear();
            spans.clear();
            for (fi, cell) in row.iter().enumerate() {
                let a = text.len();
                let hint = info.hints.get(fi).copied().unwrap_or(CellHint::Plain);
                xlsx::cell_text(cell, hint, &mut text);
                let t = parse::trim(&text.as_bytes()[a..]);
                let start = a + (t.as_ptr() as usize - text.as_bytes()[a..].as_ptr() as usize);
                spans.push((start, start + t.len()));
            }
            if spans.iter().all(|(a, b)| a == b) {
                continue;
            }
            let f = Fields::new(text.as_bytes(), &spans);
            let line = info.first_line + ri as u64;
            self.row(info, line, &f);
        }
    }

    #[cold]
    fn reject(
        &mut self,
        info: &SourceInfo,
        line: u64,
        column: usize,
        value: &[u8],
        reason: String,
    ) {
        self.out.stats[info.kind.index()].bad[column] += 1;
        self.out.rejects.push(RawReject {
            src: self.src,
            seq: self.seq,
            line,
            column,
            value: String::from_utf8_lossy(value).into_owned(),
            reason,
        });
    }

    #[cold]
    fn reject_field(&mut self, info: &SourceInfo, line: u64, ci: usize, value: &[u8]) {
        let col = info.kind.columns()[ci];
        let shown = String::from_utf8_lossy(value);
        let reason = match col.kind {
            ColKind::Id => match parse_id(value) {
                Err(e) => format!("身份证号“{shown}”：{}", e.message_zh()),
                Ok(_) => format!("身份证号“{shown}”格式错误"),
            },
            ColKind::Date => format!("日期“{shown}”不是 YYYY-MM-DD 格式的有效日期"),
            ColKind::Money => {
                format!("金额“{shown}”格式错误（应为数字，最多两位小数，不含千位分隔符和单位）")
            }
            ColKind::Int => format!("{}“{shown}”应为整数", col.name),
            ColKind::Size => format!("{}“{shown}”应为不小于 1 的整数", col.name),
            ColKind::Text => format!("{}“{shown}”不是有效的 UTF-8 文本", col.name),
        };
        self.reject(info, line, ci, value, reason);
    }

    /// Validates a row in canonical column order; the first bad column is reported.
    #[inline]
    fn validate(&mut self, info: &SourceInfo, line: u64, f: &Fields<'_>) -> Option<Vals> {
        let kind = info.kind;
        self.out.stats[kind.index()].rows += 1;
        if f.len() != info.colmap.width {
            let reason = format!(
                "列数不符：表头 {} 列，本行 {} 列",
                info.colmap.width,
                f.len()
            );
            self.reject(info, line, COLUMNS, b"", reason);
            return None;
        }
        let mut v = Vals::default();
        let mut nm = 0;
        let output_text = kind == FileKind::Households;
        for (ci, col) in kind.columns().iter().enumerate() {
            let fi = info.colmap.idx[ci];
            if fi == MISSING {
                continue;
            }
            let s = f.get(fi);
            let ok = match col.kind {
                ColKind::Text => !output_text || std::str::from_utf8(s).is_ok(),
                ColKind::Id => match parse_id(s) {
                    Ok(k) => {
                        v.id = k;
                        true
                    }
                    Err(_) => false,
                },
                ColKind::Date => match parse_date(s) {
                    Some(d) => {
                        v.date = d;
                        true
                    }
                    None => false,
                },
                ColKind::Money => match parse_money(s) {
                    Some(m) if nm < 4 => {
                        v.money[nm] = m;
                        nm += 1;
                        true
                    }
                    _ => false,
                },
                ColKind::Int => match parse_uint(s) {
                    Some(n) => {
                        v.int = n;
                        true
                    }
                    None => false,
                },
                ColKind::Size => match parse_uint(s) {
                    Some(n) if n >= 1 => {
                        v.int = n;
                        true
                    }
                    _ => false,
                },
            };
            if !ok {
                self.reject_field(info, line, ci, s);
                return None;
            }
        }
        Some(v)
    }

    #[inline]
    fn row(&mut self, info: &SourceInfo, line: u64, f: &Fields<'_>) {
        let Some(v) = self.validate(info, line, f) else {
            return;
        };
        let idx = &info.colmap.idx;
        match info.kind {
            FileKind::Households => self.household(info, line, f, &v),
            FileKind::Members => {
                let h = self.household_of(f.get(idx[1]));
                self.members.push((v.id, h));
            }
            kind => {
                let (start, end) = self.ctx.window;
                let in_window = start <= v.date && v.date <= end;
                let (op, val) = match kind {
                    FileKind::Medical if in_window => {
                        let [total, basic, serious, aid] = v.money;
                        (OP_OOP, total - basic - serious - aid)
                    }
                    FileKind::Education if f.get(idx[1]) == "辍学".as_bytes() => {
                        let (lo, hi) = self.ctx.school_ages;
                        let school_age = parse::id_birth(v.id)
                            .is_some_and(|b| (lo..=hi).contains(&parse::age_on(b, self.ctx.as_of)));
                        if school_age {
                            (OP_FLAG, i64::from(Codes::SCHOOL))
                        } else {
                            (OP_NONE, 0)
                        }
                    }
                    FileKind::Disability if (v.int == 1 || v.int == 2) && in_window => {
                        (OP_FLAG, i64::from(Codes::DISABILITY))
                    }
                    FileKind::Housing if matches!(f.get(idx[2]), b"C" | b"D") => {
                        (OP_FLAG, i64::from(Codes::HOUSING))
                    }
                    FileKind::Disaster if in_window => (OP_LOSS, v.money[0]),
                    _ => (OP_NONE, 0),
                };
                self.ctx.persons.prefetch(v.id);
                self.batch.push(Pending {
                    id: v.id,
                    val,
                    kind: kind.index() as u8,
                    op,
                });
                if self.batch.len() >= BATCH {
                    self.flush();
                }
            }
        }
    }

    /// Looks the batch up (slots already prefetched) and applies it.
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let n = self.ctx.n_households;
        let acc = self.out.acc.get_or_insert_with(|| Acc::new(n));
        self.resolved.clear();
        for p in &self.batch {
            let h = match self.ctx.persons.get(p.id) {
                Some(h) => h,
                None => {
                    self.out.stats[p.kind as usize].unmatched += 1;
                    NO_HOUSEHOLD
                }
            };
            if h != NO_HOUSEHOLD {
                let i = h as usize;
                match p.op {
                    OP_OOP => prefetch(acc.oop.as_ptr().wrapping_add(i)),
                    OP_LOSS => prefetch(acc.loss.as_ptr().wrapping_add(i)),
                    _ => {}
                }
            }
            self.resolved.push(h);
        }
        for (p, &h) in self.batch.iter().zip(&self.resolved) {
            if h == NO_HOUSEHOLD {
                continue;
            }
            match p.op {
                OP_OOP => add_sum(&mut acc.oop, &mut acc.big_oop, h, p.val),
                OP_LOSS => add_sum(&mut acc.loss, &mut acc.big_loss, h, p.val),
                OP_FLAG => acc.flags[h as usize] |= p.val as u8,
                _ => {}
            }
        }
        self.batch.clear();
    }

    /// Household index of a member's 户编号: members are usually listed
    /// household by household in the registry's order, so the previous
    /// household and the next one are tried before the index.
    #[inline]
    fn household_of(&mut self, hid: &[u8]) -> u32 {
        if let Some(hh) = self.ctx.households {
            let last = self.last_household as usize;
            for c in [last, last + 1] {
                if c < hh.recs.len() && hh.alive[c] && hh.text(c).0 == hid {
                    self.last_household = c as u32;
                    return c as u32;
                }
            }
        }
        match self.ctx.hids.get(hid) {
            Some(h) => {
                self.last_household = h;
                h
            }
            None => NO_HOUSEHOLD,
        }
    }

    fn household(&mut self, info: &SourceInfo, line: u64, f: &Fields<'_>, v: &Vals) {
        let idx = &info.colmap.idx;
        let (hid, village, htype) = (f.get(idx[0]), f.get(idx[1]), f.get(idx[4]));
        if hid.len() > u32::MAX as usize || village.len() > 0xFFFF || htype.len() > 0xFFFF {
            self.reject(info, line, 0, b"", "字段过长".into());
            return;
        }
        let b = &mut self.hh;
        let off = b.arena.len() as u64;
        b.arena.extend_from_slice(hid);
        b.arena.extend_from_slice(village);
        b.arena.extend_from_slice(htype);
        b.recs.push(HhRec {
            off,
            hid_len: hid.len() as u32,
            v_len: village.len() as u16,
            t_len: htype.len() as u16,
            size: v.int,
            income: v.money[0],
        });
    }
}

// ---------------------------------------------------------------- merging

/// 户编号 → household index.
#[derive(Default)]
struct HidIndex {
    digits: Option<ShardedMap>,
    other: HashMap<Vec<u8>, u32>,
    len: usize,
}

impl HidIndex {
    #[inline]
    fn get(&self, hid: &[u8]) -> Option<u32> {
        match parse::digit_key(hid) {
            Some(k) => self.digits.as_ref()?.get(k),
            None => self.other.get(hid).copied(),
        }
    }

    fn len(&self) -> usize {
        self.len
    }
}

struct Households {
    arena: Vec<u8>,
    recs: Vec<HhRec>,
    alive: Vec<bool>,
    index: HidIndex,
}

impl Households {
    fn text(&self, i: usize) -> (&[u8], &[u8], &[u8]) {
        let r = &self.recs[i];
        let a = r.off as usize;
        let b = a + r.hid_len as usize;
        let c = b + r.v_len as usize;
        let d = c + r.t_len as usize;
        (&self.arena[a..b], &self.arena[b..c], &self.arena[c..d])
    }
}

fn merge_households(outs: &mut [WorkerOut], threads: usize) -> Result<Households, ScreenError> {
    let mut blocks: Vec<(u32, HhBlock)> = outs
        .iter_mut()
        .flat_map(|o| std::mem::take(&mut o.hh_blocks))
        .collect();
    blocks.sort_by_key(|(seq, _)| *seq);
    let n: usize = blocks.iter().map(|(_, b)| b.recs.len()).sum();
    let mut arena = Vec::with_capacity(blocks.iter().map(|(_, b)| b.arena.len()).sum());
    let mut recs = Vec::with_capacity(n);
    for (_, b) in blocks {
        let base = arena.len() as u64;
        arena.extend_from_slice(&b.arena);
        recs.extend(b.recs.iter().map(|r| HhRec {
            off: r.off + base,
            ..*r
        }));
    }
    if recs.len() >= NO_HOUSEHOLD as usize {
        return Err(ScreenError::Limit("more than 4 billion households".into()));
    }
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(n);
    let mut other: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut alive = vec![true; n];
    let mut hh = Households {
        arena,
        recs,
        alive: Vec::new(),
        index: HidIndex::default(),
    };
    for i in 0..n {
        let (hid, _, _) = hh.text(i);
        match parse::digit_key(hid) {
            Some(k) => keyed.push((k, i as u32)),
            None => {
                if let Some(p) = other.insert(hid.to_vec(), i as u32) {
                    alive[p as usize] = false;
                }
            }
        }
    }
    // a later row of the same 户编号 replaces the earlier one
    let dead = Mutex::new(Vec::new());
    let digits = ShardedMap::build(&[&keyed], threads, |old| {
        if let Ok(mut d) = dead.lock() {
            d.push(old);
        }
    });
    drop(keyed);
    for p in dead.into_inner().unwrap_or_default() {
        alive[p as usize] = false;
    }
    let len = digits.len() + other.len();
    hh.alive = alive;
    hh.index = HidIndex {
        digits: Some(digits),
        other,
        len,
    };
    Ok(hh)
}

fn merge_members(outs: &mut [WorkerOut], threads: usize) -> ShardedMap {
    let mut blocks: Vec<(u32, Vec<(u64, u32)>)> = outs
        .iter_mut()
        .flat_map(|o| std::mem::take(&mut o.member_blocks))
        .collect();
    blocks.sort_by_key(|(seq, _)| *seq);
    let chunks: Vec<&[(u64, u32)]> = blocks.iter().map(|(_, b)| b.as_slice()).collect();
    ShardedMap::build(&chunks, threads, |_| {})
}

/// The department sums and flags of all workers, added into the first
/// worker's arrays (no second copy).
struct Sums {
    acc: Acc,
}

impl Sums {
    #[inline]
    fn oop(&self, i: usize) -> i128 {
        let big = if self.acc.big_oop.is_empty() {
            0
        } else {
            self.acc.big_oop.get(&(i as u32)).copied().unwrap_or(0)
        };
        i128::from(self.acc.oop[i]) + big
    }

    #[inline]
    fn loss(&self, i: usize) -> i128 {
        let big = if self.acc.big_loss.is_empty() {
            0
        } else {
            self.acc.big_loss.get(&(i as u32)).copied().unwrap_or(0)
        };
        i128::from(self.acc.loss[i]) + big
    }
}

fn merge_acc(outs: &mut [WorkerOut], n: usize) -> Sums {
    let mut accs = outs.iter_mut().filter_map(|o| o.acc.take());
    let mut total = accs.next().unwrap_or_else(|| Acc::new(n));
    for acc in accs {
        for i in 0..n {
            add_sum(&mut total.oop, &mut total.big_oop, i as u32, acc.oop[i]);
            add_sum(&mut total.loss, &mut total.big_loss, i as u32, acc.loss[i]);
            total.flags[i] |= acc.flags[i];
        }
        for (h, v) in acc.big_oop {
            *total.big_oop.entry(h).or_insert(0) += v;
        }
        for (h, v) in acc.big_loss {
            *total.big_loss.entry(h).or_insert(0) += v;
        }
    }
    Sums { acc: total }
}

// ---------------------------------------------------------------- rules

/// Applies the rules of the spec to every household.
/// The codes of every household (the spec's rules, with the thresholds `t`; with the spec's values,
/// `100·x > 50·income` is the spec's `x > 50 % of income` and `100·income < 150·line·n` its
/// `income / n < 1.5 × line`, in exact integers).
fn flag(hh: &Households, sums: &Sums, line_fen: i64, t: &crate::ScreeningRules) -> Vec<FlaggedRow> {
    let line = i128::from(line_fen);
    let medical = i128::from(t.medical_yuan) * 100;
    let medical_pct = i128::from(t.medical_income_pct);
    let disaster = i128::from(t.disaster_yuan) * 100;
    let disaster_pct = i128::from(t.disaster_income_pct);
    let near_pct = i128::from(t.near_line_pct);
    let mut hits: Vec<(usize, Codes)> = Vec::new();
    for i in 0..hh.recs.len() {
        if !hh.alive[i] {
            continue;
        }
        let r = &hh.recs[i];
        let inc = i128::from(r.income);
        let n = i128::from(r.size);
        let oop = sums.oop(i);
        let loss = sums.loss(i);
        let mut c = 0u8;
        if oop > medical || 100 * oop > medical_pct * inc {
            c |= Codes::ILLNESS;
        }
        c |= sums.acc.flags[i] & (Codes::SCHOOL | Codes::DISABILITY | Codes::HOUSING);
        if loss > disaster || 100 * loss > disaster_pct * inc {
            c |= Codes::DISASTER;
        }
        if inc < line * n {
            c |= Codes::LOW_INCOME;
        } else if 100 * inc < near_pct * line * n && c != 0 {
            c |= Codes::NEAR_LINE;
        }
        if c != 0 {
            hits.push((i, Codes(c)));
        }
    }
    hits.sort_unstable_by(|a, b| hh.text(a.0).0.cmp(hh.text(b.0).0));
    hits.into_iter()
        .map(|(i, codes)| {
            let r = &hh.recs[i];
            let (hid, village, htype) = hh.text(i);
            let inc = i128::from(r.income);
            let n = i128::from(r.size);
            let q = (2 * inc.abs() + n) / (2 * n);
            FlaggedRow {
                household: String::from_utf8_lossy(hid).into_owned(),
                village: String::from_utf8_lossy(village).into_owned(),
                household_type: String::from_utf8_lossy(htype).into_owned(),
                codes,
                medical_out_of_pocket_fen: sums.oop(i),
                disaster_loss_fen: sums.loss(i),
                per_capita_fen: if inc < 0 { -q } else { q },
            }
        })
        .collect()
}

// ---------------------------------------------------------------- summary

fn summarise(infos: &[SourceInfo], outs: Vec<WorkerOut>) -> (Vec<FileSummary>, Vec<Rejected>) {
    let mut stats = [FileStats::default(); 7];
    let mut lines: Vec<Vec<(u32, u64)>> = vec![Vec::new(); infos.len()];
    let mut raw = Vec::new();
    for o in outs {
        for (k, s) in o.stats.iter().enumerate() {
            stats[k].rows += s.rows;
            stats[k].unmatched += s.unmatched;
            for c in 0..=MAX_COLS {
                stats[k].bad[c] += s.bad[c];
            }
        }
        for (src, seq, n) in o.block_lines {
            lines[src].push((seq, n));
        }
        raw.extend(o.rejects);
    }
    // first line of every block
    let mut block_start: Vec<HashMap<u32, u64>> = Vec::with_capacity(infos.len());
    for (src, l) in lines.iter_mut().enumerate() {
        l.sort_unstable();
        let mut at = infos[src].first_line;
        let mut m = HashMap::with_capacity(l.len());
        for &(seq, n) in l.iter() {
            m.insert(seq, at);
            at += n;
        }
        block_start.push(m);
    }
    let mut rejected: Vec<Rejected> = raw
        .into_iter()
        .map(|r| {
            let info = &infos[r.src];
            let line = if r.seq == ABSOLUTE {
                r.line
            } else {
                block_start[r.src].get(&r.seq).copied().unwrap_or(0) + r.line
            };
            Rejected {
                kind: info.kind,
                file: info.name.clone(),
                line,
                column: column_name(info.kind, r.column),
                value: r.value,
                reason: r.reason,
            }
        })
        .collect();
    rejected.sort_by_key(|r| (r.kind, r.line));

    let files = infos
        .iter()
        .map(|info| {
            let s = &stats[info.kind.index()];
            let mut by: Vec<(&'static str, u64)> = (0..=MAX_COLS)
                .filter(|&c| s.bad[c] > 0)
                .map(|c| (column_name(info.kind, c), s.bad[c]))
                .collect();
            by.sort();
            FileSummary {
                kind: info.kind,
                path: info.path.clone(),
                rows: s.rows,
                skipped_by_column: by,
                unmatched: info.kind.is_department().then_some(s.unmatched),
            }
        })
        .collect();
    (files, rejected)
}

fn column_name(kind: FileKind, c: usize) -> &'static str {
    if c == COLUMNS {
        "columns"
    } else {
        kind.columns().get(c).map_or("columns", |col| col.name)
    }
}
