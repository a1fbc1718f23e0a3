//! Loom models of the lock-free parts: the sharded counters and the sample
//! rings under concurrent record, tick and read, and the slots of the
//! recent bad events under concurrent writers and a reader.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test -p slo-core --release --lib loom`

use loom::sync::Arc;
use loom::thread;

use crate::counters::{Counters, Totals, WriterIds};
use crate::rings::{Rings, SampleFill, TickState};

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(f);
}

/// Runs `body(i, shared)` on `n` threads of their own.
fn spawn_each<S: Send + Sync + 'static>(
    shared: &Arc<S>,
    n: usize,
    body: fn(usize, &S),
) -> Vec<thread::JoinHandle<()>> {
    (0..n)
        .map(|i| {
            let shared = Arc::clone(shared);
            thread::spawn(move || body(i, &shared))
        })
        .collect()
}

/// Waits for every thread of `threads`, each of which must have returned.
fn join_all(threads: Vec<thread::JoinHandle<()>>) {
    for t in threads {
        t.join().unwrap();
    }
}

/// A thread that reads the totals twice, beside the writers: they never go
/// back, and never pass what the writers will have recorded in all.
fn reader_of(
    counters: &Arc<Counters>,
    good_at_most: u64,
    bad_at_most: u64,
) -> thread::JoinHandle<()> {
    let c = Arc::clone(counters);
    thread::spawn(move || {
        let a = c.totals();
        let b = c.totals();
        assert!(b.good >= a.good && b.bad >= a.bad);
        assert!(b.good <= good_at_most && b.bad <= bad_at_most);
    })
}

/// Beside `writers` (started already), a [`reader_of`] the totals they end
/// at; once all are done, the totals are `ended` and the histogram
/// `histogram`, exactly.
fn read_beside(
    counters: &Arc<Counters>,
    writers: Vec<thread::JoinHandle<()>>,
    ended: Totals,
    histogram: (Vec<u64>, u64),
) {
    let reader = reader_of(counters, ended.good, ended.bad);
    join_all(writers);
    reader.join().unwrap();
    assert_eq!(counters.totals(), ended);
    assert_eq!(counters.histogram(), histogram);
}

/// Two threads hammering one shard and a reader: totals only grow, never
/// exceed what was recorded, and come out exact.
#[test]
fn counters_are_exact_under_contention() {
    model(|| {
        let counters = Arc::new(Counters::new(2, 2));
        let writers = spawn_each(&counters, 2, |w, c| {
            // Both on shard 0: the contended case.
            c.add_good(0);
            if w == 0 {
                c.add_good(0);
            } else {
                c.add_bad(0, w, 1);
            }
            c.add_latency(0, w, 5);
        });
        read_beside(
            &counters,
            writers,
            Totals { good: 3, bad: 1 },
            (vec![1, 1], 10),
        );
    });
}

/// Events on distinct shards are summed exactly.
#[test]
fn counters_sum_distinct_shards() {
    model(|| {
        let counters = Arc::new(Counters::new(2, 0));
        join_all(spawn_each(&counters, 2, |shard, c| {
            c.add_bad(shard, shard, 1);
            c.add_excluded(shard);
        }));
        assert_eq!(counters.totals(), Totals { good: 0, bad: 2 });
        assert_eq!(counters.excluded(), 2);
    });
}

/// A writer id passes between threads: each claims the lowest free id, adds
/// under it and gives it back. The id of shard 1 is written with plain loads
/// and stores; a thread that finds it held gets id 2, beyond the two shards,
/// and adds atomically on shard 0. Whichever way the claims interleave, no
/// add is lost and a reader's totals only grow.
#[test]
fn writer_ids_hand_shards_over_exactly() {
    model(|| {
        let counters = Arc::new(Counters::new(2, 2));
        let shared = Arc::new((WriterIds::new(1), Arc::clone(&counters)));
        let writers = spawn_each(&shared, 2, |w, (ids, c)| {
            let id = ids.claim();
            assert!(id == 1 || id == 2);
            c.add_good(id);
            c.add_latency(id, w, 5);
            ids.release(id);
        });
        read_beside(
            &counters,
            writers,
            Totals { good: 2, bad: 0 },
            (vec![1, 1], 10),
        );
    });
}

/// A reader never sees a half-written tick: every tick k writes (k, k) into
/// every ring, so any consistent read has good == bad at every point.
#[test]
fn ring_reads_are_never_torn() {
    model(|| {
        // Two windows of 4 and 8 ns, rings of 4 samples (spacing 2 and 4).
        let windows = Arc::new(Rings::new(&[4, 8], 4, 0));
        let writer = {
            let w = Arc::clone(&windows);
            thread::spawn(move || {
                let mut state = TickState {
                    at: 0,
                    totals: Totals::default(),
                };
                for k in 1..=2u64 {
                    let live = Totals { good: k, bad: k };
                    state = w.tick(k as i64 * 4, live, state, SampleFill::Step);
                }
            })
        };
        let reader = {
            let w = Arc::clone(&windows);
            thread::spawn(move || {
                let mut counts = Vec::new();
                w.read_counts(8, &[4, 8], || Totals { good: 9, bad: 9 }, &mut counts);
                for c in &counts {
                    assert_eq!(c.0, c.1, "torn read: {c:?}");
                }
            })
        };
        writer.join().unwrap();
        reader.join().unwrap();
        let mut counts = Vec::new();
        windows.read_counts(8, &[4, 8], || Totals { good: 2, bad: 2 }, &mut counts);
        // At t=8 the 4ns window starts at t=4, where tick 1 wrote (1, 1):
        // it holds one of each of the live (2, 2).
        assert_eq!(counts[0], (1.0, 1.0));
        // The 8ns window starts at the start: it holds everything.
        assert_eq!(counts[1], (2.0, 2.0));
    });
}

/// Recording concurrently with a tick loses nothing: the events land either
/// in the sample or after it, and the totals are exact.
#[test]
fn record_and_tick_concurrently() {
    model(|| {
        let counters = Arc::new(Counters::new(1, 0));
        let windows = Arc::new(Rings::new(&[4], 4, 0));
        let recorder = {
            let c = Arc::clone(&counters);
            thread::spawn(move || {
                c.add_good(0);
                c.add_bad(0, 8, 1);
            })
        };
        let ticker = {
            let (c, w) = (Arc::clone(&counters), Arc::clone(&windows));
            thread::spawn(move || {
                let state = TickState {
                    at: 0,
                    totals: Totals::default(),
                };
                w.tick(2, c.totals(), state, SampleFill::Step);
            })
        };
        recorder.join().unwrap();
        ticker.join().unwrap();
        assert_eq!(counters.totals(), Totals { good: 1, bad: 1 });
        // The sample at t=2 holds some prefix of the events, never more, so
        // the window (2, 4] never holds a negative count.
        let start = windows.cumulative_at(4, 2, || counters.totals());
        assert!(start.good <= 1.0 && start.bad <= 1.0, "{start:?}");
        let mut counts = Vec::new();
        windows.read_counts(4, &[2], || counters.totals(), &mut counts);
        assert_eq!(counts[0], (1.0 - start.good, 1.0 - start.bad));
    });
}

/// Two writers and a reader on a ring of one slot (every write contends
/// for it): the reader sees nothing or one whole event, never a mix, and
/// afterwards the slot holds one of the two whole events.
#[test]
fn recent_bad_slots_are_never_torn() {
    use crate::clock::Timestamp;
    use crate::recent::{BadEvent, BadReason, RecentBad, TraceId};
    fn event(n: u8) -> BadEvent {
        BadEvent {
            status: Some(500 + u16::from(n)),
            latency_nanos: Some(u64::from(n)),
            trace_id: TraceId::from_bytes([n; 16]),
            ..BadEvent::new(BadReason::ServerError)
        }
    }
    model(|| {
        let ring = Arc::new(RecentBad::new(1));
        let writers: Vec<_> = (1..=2u8)
            .map(|n| {
                let ring = Arc::clone(&ring);
                thread::spawn(move || {
                    ring.push(Timestamp::from_unix_nanos(i64::from(n)), &event(n))
                })
            })
            .collect();
        let reader = {
            let ring = Arc::clone(&ring);
            thread::spawn(move || {
                for kept in ring.read() {
                    let n = kept.event.latency_nanos.unwrap_or(0) as u8;
                    assert_eq!(kept.event, event(n), "a torn entry");
                    assert_eq!(kept.at, Timestamp::from_unix_nanos(i64::from(n)));
                }
            })
        };
        for w in writers {
            w.join().unwrap();
        }
        reader.join().unwrap();
        let kept = ring.read();
        assert_eq!(kept.len(), 1);
        let n = kept[0].event.latency_nanos.unwrap_or(0) as u8;
        assert!(n == 1 || n == 2);
        assert_eq!(kept[0].event, event(n));
        // At most one gave up (the slot was being written), and was counted.
        assert!(ring.skipped() <= 1);
    });
}
