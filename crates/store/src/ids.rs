//! Application-generated row ids (应用生成的主键).
//!
//! Ids are generated in the application, not by the database, so that the same code works on SQLite and on
//! PostgreSQL (and on a sharded PostgreSQL such as Citus, where tenant tables have the composite primary key
//! `(county_code, id)` and no global sequence). An id is
//! `(milliseconds since 2024-01-01 UTC) << 20 | (20-bit counter)`: time-ordered, unique within a process
//! (the counter is per process and the time part never goes backwards), positive in an `i64` for about
//! 2 million years. Two processes writing to one database at once could only collide when both generate an id
//! in the same millisecond with the same random counter start; the unique key then refuses the insert
//! (`StoreError::Conflict`) rather than overwrite anything.

use std::sync::atomic::{AtomicI64, Ordering};

/// 2024-01-01T00:00:00Z in Unix milliseconds.
const EPOCH_MS: i64 = 1_704_067_200_000;
const COUNTER_BITS: u32 = 20;

static LAST: AtomicI64 = AtomicI64::new(0);

/// A fresh id, strictly greater than every id this process generated before.
pub fn new_id() -> i64 {
    let now_ms = chrono::Utc::now()
        .timestamp_millis()
        .saturating_sub(EPOCH_MS)
        .max(0);
    let floor = now_ms << COUNTER_BITS;
    let mut prev = LAST.load(Ordering::Relaxed);
    loop {
        let candidate = if prev == 0 {
            // First id of the process: a random counter start makes a collision between two processes that
            // start in the same millisecond unlikely.
            floor | (random_u32() as i64 & ((1 << (COUNTER_BITS - 1)) - 1))
        } else if floor > prev {
            floor
        } else {
            prev + 1
        };
        match LAST.compare_exchange_weak(prev, candidate, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return candidate,
            Err(actual) => prev = actual,
        }
    }
}

/// Random low bits of an id (not a secret: ids only need to differ between processes; should the
/// random source fail, the clock's nanoseconds serve).
fn random_u32() -> u32 {
    let mut buf = [0u8; 4];
    match crate::secret::fill_random(&mut buf) {
        Ok(()) => u32::from_le_bytes(buf),
        Err(_) => chrono::Utc::now().timestamp_subsec_nanos(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_and_are_positive() {
        let mut prev = new_id();
        assert!(prev > 0);
        for _ in 0..100_000 {
            let id = new_id();
            assert!(id > prev);
            prev = id;
        }
    }
}
