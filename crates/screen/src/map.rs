//! An open-addressing hash map from u64 keys to u32 values (ID number →
//! household, 户编号 → household): one 16-byte slot per entry, linear
//! probing, multiplicative hashing, no allocation after construction.
//!
//! The slot array is allocated zeroed (untouched pages) and advised to use
//! transparent huge pages: lookups are random, and with 4 KiB pages nearly
//! every one would also miss the TLB.

/// A u64 → u32 hash map; `u64::MAX` cannot be a key.
pub struct U64Map {
    /// `(value << 64) | (key + 1)`; 0 is an empty slot.
    slots: Vec<u128>,
    mask: usize,
    shift: u32,
    len: usize,
}

impl U64Map {
    /// A map sized for `n` entries at a load factor of at most 0.8.
    pub fn with_capacity(n: usize) -> U64Map {
        let mut cap = n.max(8).next_power_of_two();
        if n * 5 > cap * 4 {
            cap *= 2;
        }
        let slots = vec![0u128; cap];
        advise_huge_pages(&slots);
        U64Map {
            slots,
            mask: cap - 1,
            shift: 64 - cap.trailing_zeros(),
            len: 0,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The top `bits` bits of the key's home slot: keys sorted by it are
    /// inserted nearly in slot order.
    #[inline]
    fn bucket(&self, key: u64, bits: u32) -> usize {
        if bits == 0 {
            0
        } else {
            (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
        }
    }

    /// log2 of the number of slots.
    fn bits(&self) -> u32 {
        self.slots.len().trailing_zeros()
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// Inserts or replaces; returns the previous value. `u64::MAX` is ignored.
    pub fn insert(&mut self, key: u64, val: u32) -> Option<u32> {
        let stored = key.checked_add(1)?;
        if (self.len + 1) * 5 > self.slots.len() * 4 {
            self.grow();
        }
        let new = (u128::from(val) << 64) | u128::from(stored);
        let mut i = self.home(key);
        loop {
            let slot = &mut self.slots[i];
            let k = *slot as u64;
            if k == stored {
                let old = (*slot >> 64) as u32;
                *slot = new;
                return Some(old);
            }
            if k == 0 {
                *slot = new;
                self.len += 1;
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Looks a key up.
    #[inline]
    pub fn get(&self, key: u64) -> Option<u32> {
        let stored = key.checked_add(1)?;
        let mut i = self.home(key);
        loop {
            let slot = self.slots[i];
            let k = slot as u64;
            if k == stored {
                return Some((slot >> 64) as u32);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Hints the CPU to fetch the key's home slot (for batched lookups).
    #[inline]
    pub fn prefetch(&self, key: u64) {
        prefetch(self.slots.as_ptr().wrapping_add(self.home(key)));
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        let cap = old.len() * 2;
        self.slots = vec![0u128; cap];
        advise_huge_pages(&self.slots);
        self.mask = cap - 1;
        self.shift = 64 - cap.trailing_zeros();
        self.len = 0;
        for slot in old {
            let k = slot as u64;
            if k != 0 {
                self.insert(k - 1, (slot >> 64) as u32);
            }
        }
    }
}

/// A [`U64Map`] split into shards by key hash, so that several threads can
/// build it at once, each inserting the keys of its own shard in input
/// order (so a later duplicate still replaces an earlier one).
pub struct ShardedMap {
    shards: Vec<U64Map>,
    shift: u32,
}

impl ShardedMap {
    #[inline]
    fn shard_of(shift: u32, key: u64) -> usize {
        // a hash independent of the one that places keys inside a shard
        if shift >= 64 {
            0
        } else {
            (key.wrapping_mul(0xD6E8_FEB8_6659_FD93).rotate_left(32) >> shift) as usize
        }
    }

    /// Builds a map from `chunks` (in order) with `threads` threads.
    /// `on_replace(old_value)` is called for every duplicate key.
    pub fn build<F>(chunks: &[&[(u64, u32)]], threads: usize, on_replace: F) -> ShardedMap
    where
        F: Fn(u32) + Sync,
    {
        let n: usize = chunks.iter().map(|c| c.len()).sum();
        let bits = threads.max(1).next_power_of_two().trailing_zeros();
        let shards_n = 1usize << bits;
        let shift = 64 - bits;
        // shard sizes vary by about sqrt(n): leave room for that, no more,
        // so that each shard stays at the intended load factor
        let per_shard = n / shards_n + 4 * (n as f64).sqrt() as usize + 16;
        let build_one = |s: usize| {
            let mut m = U64Map::with_capacity(per_shard);
            // Stable counting sort of this shard's keys by the top bits of
            // their home slot, then insertion in that order: the table is
            // written nearly sequentially instead of at random.
            let bb = m.bits().min(11);
            let mut starts = vec![0usize; (1 << bb) + 1];
            for chunk in chunks {
                for &(k, _) in chunk.iter() {
                    if Self::shard_of(shift, k) == s {
                        starts[m.bucket(k, bb) + 1] += 1;
                    }
                }
            }
            for b in 1..starts.len() {
                starts[b] += starts[b - 1];
            }
            let total = starts[1 << bb];
            let mut sorted = vec![[0u64; 2]; total];
            for chunk in chunks {
                for &(k, v) in chunk.iter() {
                    if Self::shard_of(shift, k) == s {
                        let b = m.bucket(k, bb);
                        sorted[starts[b]] = [k, u64::from(v)];
                        starts[b] += 1;
                    }
                }
            }
            for &[k, v] in &sorted {
                if let Some(old) = m.insert(k, v as u32) {
                    on_replace(old);
                }
            }
            m
        };
        let shards = if shards_n == 1 {
            vec![build_one(0)]
        } else {
            std::thread::scope(|sc| {
                let handles: Vec<_> = (0..shards_n)
                    .map(|s| {
                        let build_one = &build_one;
                        sc.spawn(move || build_one(s))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| U64Map::with_capacity(0)))
                    .collect()
            })
        };
        ShardedMap { shards, shift }
    }

    /// An empty map.
    pub fn empty() -> ShardedMap {
        ShardedMap {
            shards: vec![U64Map::with_capacity(0)],
            shift: 64,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.shards.iter().map(U64Map::len).sum()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Looks a key up.
    #[inline]
    pub fn get(&self, key: u64) -> Option<u32> {
        self.shards
            .get(Self::shard_of(self.shift, key))
            .and_then(|m| m.get(key))
    }

    /// Hints the CPU to fetch the key's slot.
    #[inline]
    pub fn prefetch(&self, key: u64) {
        if let Some(m) = self.shards.get(Self::shard_of(self.shift, key)) {
            m.prefetch(key);
        }
    }
}

/// Hints the CPU to fetch the cache line at `p` (never faults).
#[inline]
pub fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint and never faults, whatever the address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Asks the kernel to back a large, randomly accessed array with transparent
/// huge pages (Linux `madvise(MADV_HUGEPAGE)`; a no-op elsewhere or when
/// refused).
pub fn advise_huge_pages<T>(v: &[T]) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = v.as_ptr() as usize;
        let end = start + std::mem::size_of_val(v);
        let a = (start + HUGE - 1) & !(HUGE - 1);
        let b = end & !(HUGE - 1);
        if b > a {
            // SAFETY: the range lies inside the slice's own allocation, and
            // MADV_HUGEPAGE only changes how the kernel backs it, never its content.
            unsafe {
                libc::madvise(a as *mut libc::c_void, b - a, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_get_replace_grow() {
        let mut m = U64Map::with_capacity(4);
        for k in 0..10_000u64 {
            assert_eq!(m.insert(k * 7919, k as u32), None);
        }
        assert_eq!(m.len(), 10_000);
        for k in 0..10_000u64 {
            assert_eq!(m.get(k * 7919), Some(k as u32));
        }
        assert_eq!(m.get(3), None);
        assert_eq!(m.insert(7919, 5), Some(1));
        assert_eq!(m.get(7919), Some(5));
        assert_eq!(m.insert(0, u32::MAX), Some(0));
        assert_eq!(m.get(0), Some(u32::MAX));
        assert_eq!(m.insert(1, 9), None);
        assert_eq!(m.get(1), Some(9));
        assert_eq!(m.insert(u64::MAX, 1), None);
        assert_eq!(m.get(u64::MAX), None);
        assert_eq!(m.get(u64::MAX - 1), None);
    }

    #[test]
    fn sharded_build_keeps_the_last_duplicate() {
        let a: Vec<(u64, u32)> = (0..50_000u64).map(|k| (k * 31, k as u32)).collect();
        let b: Vec<(u64, u32)> = (0..1000u64).map(|k| (k * 31, 7)).collect();
        for threads in [1, 2, 3, 4] {
            let replaced = std::sync::atomic::AtomicUsize::new(0);
            let m = ShardedMap::build(&[&a, &b], threads, |_| {
                replaced.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            });
            assert_eq!(m.len(), 50_000);
            assert_eq!(replaced.into_inner(), 1000);
            assert_eq!(m.get(31 * 5), Some(7));
            assert_eq!(m.get(31 * 20_000), Some(20_000));
            assert_eq!(m.get(1), None);
        }
        assert_eq!(ShardedMap::empty().get(0), None);
    }
}
