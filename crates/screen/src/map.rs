//! An open-addressing hash map from u64 keys to u32 values (ID number →
//! household, 户编号 → household): one 16-byte slot per entry, linear
//! probing, multiplicative hashing, no allocation after construction.

const EMPTY: u64 = u64::MAX;

/// A u64 → u32 hash map; `u64::MAX` cannot be a key.
pub struct U64Map {
    slots: Vec<(u64, u32)>,
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
        U64Map {
            slots: vec![(EMPTY, 0); cap],
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

    #[inline]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// Inserts or replaces; returns the previous value. `u64::MAX` is ignored.
    pub fn insert(&mut self, key: u64, val: u32) -> Option<u32> {
        if key == EMPTY {
            return None;
        }
        if (self.len + 1) * 5 > self.slots.len() * 4 {
            self.grow();
        }
        let mut i = self.home(key);
        loop {
            let slot = &mut self.slots[i];
            if slot.0 == key {
                return Some(std::mem::replace(&mut slot.1, val));
            }
            if slot.0 == EMPTY {
                *slot = (key, val);
                self.len += 1;
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Looks a key up.
    #[inline]
    pub fn get(&self, key: u64) -> Option<u32> {
        let mut i = self.home(key);
        loop {
            let (k, v) = self.slots[i];
            if k == key {
                return (key != EMPTY).then_some(v);
            }
            if k == EMPTY {
                return None;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Hints the CPU to fetch the key's home slot (for batched lookups).
    #[inline]
    pub fn prefetch(&self, key: u64) {
        let p = self.slots.as_ptr().wrapping_add(self.home(key));
        #[cfg(target_arch = "x86_64")]
        // SAFETY: a prefetch is a hint and never faults, whatever the address.
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(p as *const i8);
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = p;
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        let cap = old.len() * 2;
        self.slots = vec![(EMPTY, 0); cap];
        self.mask = cap - 1;
        self.shift = 64 - cap.trailing_zeros();
        self.len = 0;
        for (k, v) in old {
            if k != EMPTY {
                self.insert(k, v);
            }
        }
    }
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
        assert_eq!(m.insert(u64::MAX, 1), None);
        assert_eq!(m.get(u64::MAX), None);
    }
}
