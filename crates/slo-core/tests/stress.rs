//! Stress: several threads record known numbers of events on one SLO while a
//! ticker samples and a reader reads status; the totals come out exact,
//! whether most writers share a shard (2 shards: one owned) or each owns
//! one (8 shards: seven owned, without atomic read-modify-writes).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use slo_core::{Registry, SloDefinition, Spec, Ticker};

#[test]
fn concurrent_recording_is_exact_on_shared_shards() {
    concurrent_recording_is_exact(2);
}

#[test]
fn concurrent_recording_is_exact_on_owned_shards() {
    concurrent_recording_is_exact(8);
}

fn concurrent_recording_is_exact(shards: usize) {
    let spec = Spec::builder("stress")
        .slo(SloDefinition::builder("avail").objective(0.999))
        .slo(
            SloDefinition::builder("lat")
                .objective(0.99)
                .latency(Duration::from_millis(100)),
        )
        .build()
        .unwrap();
    let registry = Registry::builder(spec).shards(shards).build();
    let ticker = Ticker::spawn_every(&registry, Duration::from_millis(1)).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    // Reads made so far. Writers wait halfway for some, so that reads overlap
    // writes however the two cores schedule the threads: the writers alone
    // finish in tens of milliseconds, before a late reader would start.
    let reads = Arc::new(AtomicU64::new(0));
    const READS_BEFORE_SECOND_HALF: u64 = 100;
    let reader = {
        let registry = registry.clone();
        let stop = Arc::clone(&stop);
        let reads = Arc::clone(&reads);
        std::thread::spawn(move || {
            let mut last = 0;
            while !stop.load(Ordering::Relaxed) {
                let total = registry.status().slos[0].events.total;
                assert!(total >= last, "totals never go back: {total} < {last}");
                last = total;
                reads.fetch_add(1, Ordering::Relaxed);
            }
            last
        })
    };
    const THREADS: u64 = 6;
    const PER_THREAD: u64 = 200_000;
    let writers: Vec<_> = (0..THREADS)
        .map(|id| {
            let avail = registry.handle("avail").unwrap();
            let lat = registry.handle("lat").unwrap();
            let reads = Arc::clone(&reads);
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    if i == PER_THREAD / 2 {
                        while reads.load(Ordering::Relaxed) < READS_BEFORE_SECOND_HALF {
                            std::thread::yield_now();
                        }
                    }
                    avail.record(i % 10 != id);
                    lat.record_latency(Duration::from_millis(i % 200), true);
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let last_read_total = reader.join().unwrap();
    assert!(reads.load(Ordering::Relaxed) >= READS_BEFORE_SECOND_HALF);
    assert!(last_read_total <= THREADS * PER_THREAD);
    ticker.stop();

    let status = registry.status();
    let avail = &status.slos[0].events;
    assert_eq!(avail.total, THREADS * PER_THREAD);
    assert_eq!(avail.bad, THREADS * PER_THREAD / 10);
    let lat = &status.slos[1].events;
    assert_eq!(lat.total, THREADS * PER_THREAD);
    // Latencies 0..=99 ms are good, 100 (= threshold) too, 101..=199 bad.
    assert_eq!(lat.good, THREADS * PER_THREAD / 200 * 101);
    let hist = registry
        .handles()
        .nth(1)
        .unwrap()
        .1
        .latency_histogram()
        .unwrap();
    assert_eq!(hist.counts.iter().sum::<u64>(), THREADS * PER_THREAD);
    let expected_sum: u64 = (0..PER_THREAD).map(|i| i % 200).sum::<u64>() * THREADS;
    assert!((hist.sum_seconds - expected_sum as f64 / 1e3).abs() < 1e-6 * expected_sum as f64);
}
