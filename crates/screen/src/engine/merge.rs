//! The workers' results put together (合并): the household table in file order with its 户编号 index
//! (a later row of the same 户编号 replaces the earlier one), the ID number → household index of the
//! members, and the department sums and flags added up.

use std::collections::HashMap;
use std::sync::Mutex;

use super::NO_HOUSEHOLD;
use super::worker::{Acc, HhBlock, HhRec, WorkerOut, add_sum};
use crate::ScreenError;
use crate::map::ShardedMap;
use crate::parse;

/// 户编号 → household index.
#[derive(Default)]
pub(super) struct HidIndex {
    digits: Option<ShardedMap>,
    other: HashMap<Vec<u8>, u32>,
    len: usize,
}

impl HidIndex {
    #[inline]
    pub(super) fn get(&self, hid: &[u8]) -> Option<u32> {
        match parse::digit_key(hid) {
            Some(k) => self.digits.as_ref()?.get(k),
            None => self.other.get(hid).copied(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }
}

pub(super) struct Households {
    pub(super) arena: Vec<u8>,
    pub(super) recs: Vec<HhRec>,
    pub(super) alive: Vec<bool>,
    pub(super) index: HidIndex,
}

impl Households {
    pub(super) fn text(&self, i: usize) -> (&[u8], &[u8], &[u8]) {
        let r = &self.recs[i];
        let a = r.off as usize;
        let b = a + r.hid_len as usize;
        let c = b + r.v_len as usize;
        let d = c + r.t_len as usize;
        (&self.arena[a..b], &self.arena[b..c], &self.arena[c..d])
    }
}

pub(super) fn merge_households(
    outs: &mut [WorkerOut],
    threads: usize,
) -> Result<Households, ScreenError> {
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

pub(super) fn merge_members(outs: &mut [WorkerOut], threads: usize) -> ShardedMap {
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
pub(super) struct Sums {
    pub(super) acc: Acc,
}

impl Sums {
    #[inline]
    pub(super) fn oop(&self, i: usize) -> i128 {
        let big = if self.acc.big_oop.is_empty() {
            0
        } else {
            self.acc.big_oop.get(&(i as u32)).copied().unwrap_or(0)
        };
        i128::from(self.acc.oop[i]) + big
    }

    #[inline]
    pub(super) fn loss(&self, i: usize) -> i128 {
        let big = if self.acc.big_loss.is_empty() {
            0
        } else {
            self.acc.big_loss.get(&(i as u32)).copied().unwrap_or(0)
        };
        i128::from(self.acc.loss[i]) + big
    }
}

pub(super) fn merge_acc(outs: &mut [WorkerOut], n: usize) -> Sums {
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
