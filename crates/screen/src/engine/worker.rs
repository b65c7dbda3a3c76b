//! What a worker does with a job (逐行处理): every row validated in the spec's column order (the first
//! bad column reported), then a household kept in an arena, a member's ID number and household noted,
//! or a department row reduced to a sum or a flag of its household (looked up in batches whose table
//! slots are prefetched). The results stay per worker until the phase ends.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use shouwang_io::xlsx::{self, CellHint, Sheet};

use super::open::SourceInfo;
use super::phase::{Ctx, Job, Queue};
use super::{ABSOLUTE, COLUMNS, NO_HOUSEHOLD};
use crate::map::{advise_huge_pages, prefetch};
use crate::parse::{self, parse_date, parse_id, parse_money, parse_uint};
use crate::scan::{self, Fields, Splitter};
use crate::schema::{ColKind, FileKind, MAX_COLS, MISSING};
use crate::{Codes, Progress};

#[derive(Default, Clone, Copy)]
pub(super) struct FileStats {
    pub(super) rows: u64,
    pub(super) bad: [u64; MAX_COLS + 1],
    pub(super) unmatched: u64,
}

pub(super) struct RawReject {
    pub(super) src: usize,
    pub(super) seq: u32,
    pub(super) line: u64,
    pub(super) column: usize,
    pub(super) value: String,
    pub(super) reason: String,
}

/// Households parsed from one block: text in an arena.
#[derive(Default)]
pub(super) struct HhBlock {
    pub(super) arena: Vec<u8>,
    pub(super) recs: Vec<HhRec>,
}

#[derive(Clone, Copy)]
pub(super) struct HhRec {
    pub(super) off: u64,
    pub(super) hid_len: u32,
    pub(super) v_len: u16,
    pub(super) t_len: u16,
    pub(super) size: u32,
    pub(super) income: i64,
}

/// Department sums and flags of one worker, by household index.
pub(super) struct Acc {
    pub(super) oop: Vec<i64>,
    pub(super) loss: Vec<i64>,
    pub(super) flags: Vec<u8>,
    /// Sums that overflowed i64 (only with absurd amounts): the excess.
    pub(super) big_oop: HashMap<u32, i128>,
    pub(super) big_loss: HashMap<u32, i128>,
}

impl Acc {
    pub(super) fn new(n: usize) -> Acc {
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
pub(super) fn add_sum(sums: &mut [i64], big: &mut HashMap<u32, i128>, h: u32, v: i64) {
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

pub(super) struct WorkerOut {
    pub(super) stats: [FileStats; 7],
    pub(super) rejects: Vec<RawReject>,
    pub(super) block_lines: Vec<(usize, u32, u64)>,
    pub(super) hh_blocks: Vec<(u32, HhBlock)>,
    pub(super) member_blocks: Vec<(u32, Vec<(u64, u32)>)>,
    pub(super) acc: Option<Acc>,
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

pub(super) fn worker(ctx: Ctx<'_>, queue: &Queue, progress: &Progress) -> WorkerOut {
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
