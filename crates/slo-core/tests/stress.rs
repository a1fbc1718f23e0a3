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
        .slo(SloDefinition::builder("batch").objective(0.99))
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
            let batch = registry.handle("batch").unwrap();
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
                    // Batches of 0..=6 good and 0..=2 bad, and one of each.
                    batch.record_batch(i % 7, i % 3);
                    batch.record(i % 2 == 0);
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
    let batch = &status.slos[2].events;
    let good: u64 = (0..PER_THREAD).map(|i| i % 7 + u64::from(i % 2 == 0)).sum();
    let bad: u64 = (0..PER_THREAD).map(|i| i % 3 + u64::from(i % 2 != 0)).sum();
    assert_eq!((batch.good, batch.bad), (THREADS * good, THREADS * bad));
}

/// Eight threads record bad events, each described from one number, into
/// rings of 4 and 20 while a reader reads them: every entry read is whole
/// (its fields all come from the same number), the newest come first, no
/// ring holds more than its size, and the counts stay exact.
#[test]
fn recent_bad_events_are_never_torn_and_counts_stay_exact() {
    use slo_core::recent::{BadEvent, BadReason, Method, TraceId};
    for keep in [4usize, 20] {
        let spec = Spec::builder("stress")
            .slo(SloDefinition::builder("avail").objective(0.999))
            .build()
            .unwrap();
        let registry = Registry::builder(spec).recent_bad(keep).build();
        let handle = registry.handle("avail").unwrap();
        const THREADS: u64 = 8;
        const EACH: u64 = 20_000;
        let describe = |n: u64| BadEvent {
            method: Some([Method::Get, Method::Post, Method::Put][(n % 3) as usize]),
            route: None,
            status: Some(500 + (n % 100) as u16),
            grpc_status: Some((n % 17) as u8),
            latency_nanos: Some(n * 7),
            reason: [BadReason::ServerError, BadReason::Slow][(n % 2) as usize],
            trace_id: TraceId::from_bytes(((n + 1) as u128 * 0x9e37_79b9_7f4a_7c15).to_be_bytes()),
        };
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let handle = handle.clone();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut reads = 0u64;
                while !stop.load(Ordering::Relaxed) || reads < 100 {
                    let kept = handle.recent_bad();
                    assert!(kept.len() <= keep);
                    for pair in kept.windows(2) {
                        assert!(pair[0].sequence > pair[1].sequence);
                    }
                    for entry in &kept {
                        let n = entry.event.latency_nanos.unwrap() / 7;
                        assert_eq!(entry.event, describe(n), "a torn entry");
                    }
                    reads += 1;
                }
                reads
            })
        };
        let writers: Vec<_> = (0..THREADS)
            .map(|t| {
                let handle = handle.clone();
                std::thread::spawn(move || {
                    for i in 0..EACH {
                        handle.record_bad();
                        handle.record_bad_event(describe(t * EACH + i));
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        assert!(reader.join().unwrap() >= 100);
        let totals = handle.totals();
        assert_eq!(totals.bad, THREADS * EACH);
        assert_eq!(totals.good, 0);
        let kept = handle.recent_bad();
        assert_eq!(kept.len() as u64, (keep as u64).min(THREADS * EACH));
        // Each slot holds a distinct event that was given. (How many were
        // not kept depends on how the threads were scheduled: a writer
        // preempted inside its slot makes the others skip it. On CI's
        // debug build that was over 10%; it is never more than were given.)
        let mut sequences: Vec<u64> = kept.iter().map(|k| k.sequence).collect();
        sequences.dedup();
        assert_eq!(sequences.len(), kept.len());
        assert!(sequences.iter().all(|s| *s < THREADS * EACH));
        assert!(handle.bad_events_not_kept() < THREADS * EACH);
    }
}
