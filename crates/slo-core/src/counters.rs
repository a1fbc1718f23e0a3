//! Per-thread sharded, cache-line padded event counters and latency buckets:
//! the hot path. Recording is one or three relaxed `fetch_add`s on a line no
//! other thread writes (while threads ≤ shards), with no lock and no allocation.

use std::cell::Cell;

use crate::sync::{AtomicU64, Ordering};

/// Slots of a shard, in `u64`s: good, bad, excluded, latency sum, then buckets.
const GOOD: usize = 0;
const BAD: usize = 1;
const EXCLUDED: usize = 2;
const LATENCY_SUM: usize = 3;
const FIRST_BUCKET: usize = 4;
const SLOTS_PER_LINE: usize = 8;

/// One cache line of counters, aligned so shards never share a line.
#[repr(align(64))]
struct Line([AtomicU64; SLOTS_PER_LINE]);

impl Line {
    fn new() -> Line {
        Line(std::array::from_fn(|_| AtomicU64::new(0)))
    }
}

/// Cumulative totals summed over shards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub good: u64,
    pub bad: u64,
}

/// The counters of one SLO.
pub(crate) struct Counters {
    lines: Box<[Line]>,
    lines_per_shard: usize,
    shard_mask: usize,
    bucket_count: usize,
}

impl Counters {
    /// `shards` is rounded up to a power of two; `bucket_count` is the number
    /// of latency buckets including `+Inf` (0 for no histogram).
    pub fn new(shards: usize, bucket_count: usize) -> Counters {
        let shards = shards.max(1).next_power_of_two();
        let slots = FIRST_BUCKET + bucket_count;
        let lines_per_shard = slots.div_ceil(SLOTS_PER_LINE);
        Counters {
            lines: (0..shards * lines_per_shard).map(|_| Line::new()).collect(),
            lines_per_shard,
            shard_mask: shards - 1,
            bucket_count,
        }
    }

    #[inline(always)]
    fn slot(&self, shard: usize, slot: usize) -> &AtomicU64 {
        let line = (shard & self.shard_mask) * self.lines_per_shard + slot / SLOTS_PER_LINE;
        &self.lines[line].0[slot % SLOTS_PER_LINE]
    }

    /// Counts one good or bad event on `shard`.
    #[inline(always)]
    pub fn add_event(&self, shard: usize, good: bool) {
        let slot = if good { GOOD } else { BAD };
        self.slot(shard, slot).fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one latency observation into `bucket`.
    #[inline(always)]
    pub fn add_latency(&self, shard: usize, bucket: usize, nanos: u64) {
        if bucket < self.bucket_count {
            self.slot(shard, FIRST_BUCKET + bucket)
                .fetch_add(1, Ordering::Relaxed);
            self.slot(shard, LATENCY_SUM)
                .fetch_add(nanos, Ordering::Relaxed);
        }
    }

    /// Counts one event left out of the SLI.
    pub fn add_excluded(&self, shard: usize) {
        self.slot(shard, EXCLUDED).fetch_add(1, Ordering::Relaxed);
    }

    fn sum(&self, slot: usize) -> u64 {
        (0..=self.shard_mask)
            .map(|shard| self.slot(shard, slot).load(Ordering::Relaxed))
            .fold(0u64, u64::wrapping_add)
    }

    /// Good and bad events so far.
    pub fn totals(&self) -> Totals {
        Totals {
            good: self.sum(GOOD),
            bad: self.sum(BAD),
        }
    }

    /// Excluded events so far.
    pub fn excluded(&self) -> u64 {
        self.sum(EXCLUDED)
    }

    /// Per-bucket (not cumulative) latency counts and the latency sum in ns.
    pub fn histogram(&self) -> (Vec<u64>, u64) {
        let buckets = (0..self.bucket_count)
            .map(|b| self.sum(FIRST_BUCKET + b))
            .collect();
        (buckets, self.sum(LATENCY_SUM))
    }

    /// Bytes held by this SLO's counters.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.lines)
    }
}

thread_local! {
    static SHARD: Cell<usize> = const { Cell::new(usize::MAX) };
}

static NEXT_SHARD: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// This thread's shard index, assigned round-robin on first use so that
/// concurrent threads land on distinct cache lines.
#[inline(always)]
pub(crate) fn thread_shard() -> usize {
    SHARD.with(|shard| {
        let index = shard.get();
        if index != usize::MAX {
            return index;
        }
        let index =
            NEXT_SHARD.fetch_add(1, std::sync::atomic::Ordering::Relaxed) & (usize::MAX >> 1);
        shard.set(index);
        index
    })
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn shards_sum_exactly() {
        let c = Counters::new(3, 5);
        for shard in 0..10 {
            c.add_event(shard, true);
            c.add_event(shard, shard % 2 == 0);
            c.add_latency(shard, shard % 5, 10);
            c.add_excluded(shard);
        }
        assert_eq!(c.totals(), Totals { good: 15, bad: 5 });
        assert_eq!(c.excluded(), 10);
        assert_eq!(c.histogram(), (vec![2, 2, 2, 2, 2], 100));
    }

    #[test]
    fn shards_are_cache_line_padded() {
        assert_eq!(std::mem::align_of::<Line>(), 64);
        assert_eq!(std::mem::size_of::<Line>(), 64);
        let c = Counters::new(4, 12);
        // 4 + 12 slots need two lines per shard.
        assert_eq!(c.heap_bytes(), 4 * 2 * 64);
    }
}
