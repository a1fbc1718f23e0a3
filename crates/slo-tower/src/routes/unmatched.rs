//! The count of requests that matched no SLO.

use std::sync::atomic::{AtomicU64, Ordering};

/// A counter split over cache lines by thread, so that hostile traffic
/// spread over many cores does not make every core fight over one line.
pub(crate) struct ShardedCount {
    shards: Box<[Padded]>,
}

#[repr(align(64))]
struct Padded(AtomicU64);

const COUNT_SHARDS: usize = 16;

thread_local! {
    static SHARD: usize = {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        (NEXT.fetch_add(1, Ordering::Relaxed) as usize) % COUNT_SHARDS
    };
}

impl ShardedCount {
    pub fn new() -> ShardedCount {
        ShardedCount {
            shards: (0..COUNT_SHARDS)
                .map(|_| Padded(AtomicU64::new(0)))
                .collect(),
        }
    }

    pub fn add(&self) {
        let shard = SHARD.try_with(|s| *s).unwrap_or(0);
        if let Some(cell) = self.shards.get(shard) {
            cell.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn total(&self) -> u64 {
        self.shards
            .iter()
            .map(|c| c.0.load(Ordering::Relaxed))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unmatched_count_is_exact_across_threads() {
        let count = ShardedCount::new();
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for _ in 0..10_000 {
                        count.add();
                    }
                });
            }
        });
        assert_eq!(count.total(), 80_000);
    }
}
