//! The counters' layout, sums and writer ids.
use super::*;

#[test]
fn shards_sum_exactly() {
    let c = Counters::new(3, 5);
    for shard in 0..10 {
        c.add_good(shard);
        if shard % 2 == 0 {
            c.add_good(shard);
        } else {
            c.add_bad(shard, shard % BAD_KINDS, 1);
        }
        c.add_latency(shard, shard % 5, 10);
        c.add_excluded(shard);
    }
    assert_eq!(c.totals(), Totals { good: 15, bad: 5 });
    assert_eq!(c.bad_by_kind(), [1, 1, 0, 1, 0, 1, 0, 1, 0]);
    assert_eq!(c.excluded(), 10);
    assert_eq!(c.histogram(), (vec![2, 2, 2, 2, 2], 100));
}

/// Tallies sit past the buckets, each summed on its own; one past the
/// last is ignored, and they add no line while the padding holds them.
#[test]
fn tallies_sum_on_their_own() {
    let c = Counters::with_tallies(4, 2, 2);
    for writer in 0..6 {
        assert!(c.add_tally(writer, 0));
        assert!(c.add_tally(writer, writer % 2));
        assert!(!c.add_tally(writer, 2));
        c.add_latency(writer, 1, 1);
    }
    assert_eq!((c.tally(0), c.tally(1), c.tally(2)), (9, 3, 0));
    assert_eq!(c.histogram(), (vec![0, 6], 6));
    assert_eq!(c.totals(), Totals::default());
    assert_eq!(c.heap_bytes(), Counters::new(4, 2).heap_bytes());
}

#[test]
fn writer_ids_are_exclusive_lowest_first_and_reused() {
    let ids = WriterIds::new(2);
    let held: Vec<usize> = (0..127).map(|_| ids.claim()).collect();
    assert_eq!(held, (1..128).collect::<Vec<_>>());
    assert_eq!(ids.claim(), 0, "all 127 held: none left");
    ids.release(70);
    ids.release(3);
    assert_eq!(ids.claim(), 3);
    assert_eq!(ids.claim(), 70);
    ids.release(0);
    ids.release(5000);
    assert_eq!(ids.claim(), 0);
}

/// Threads that come and go hand their ids on; more threads than shards
/// add atomically on the shared shards. Every add is counted.
#[test]
fn owned_and_shared_writers_sum_exactly() {
    let c = Counters::new(8, 2);
    for round in 0..4 {
        std::thread::scope(|scope| {
            for t in 0..12 {
                let c = &c;
                scope.spawn(move || {
                    for i in 0..5_000 {
                        let writer = thread_writer();
                        if (i + t + round) % 10 != 0 {
                            c.add_good(writer);
                        } else {
                            c.add_bad(writer, i % BAD_KINDS, 1);
                        }
                        c.add_latency(writer, i % 2, 3);
                    }
                });
            }
        });
    }
    assert_eq!(
        c.totals(),
        Totals {
            good: 216_000,
            bad: 24_000
        }
    );
    assert_eq!(c.histogram(), (vec![120_000, 120_000], 720_000));
}

#[test]
fn a_thread_keeps_its_writer_id() {
    let first = thread_writer();
    assert_ne!(first, 0);
    assert_eq!(thread_writer(), first);
    let other = std::thread::spawn(thread_writer)
        .join()
        .expect("the other thread claims an id without panicking");
    assert_ne!(other, 0, "the other thread got an id of its own");
    assert_ne!(other, first);
}

#[test]
fn shards_are_cache_line_padded() {
    assert_eq!(std::mem::align_of::<Line>(), 64);
    assert_eq!(std::mem::size_of::<Line>(), 64);
    let c = Counters::new(4, 12);
    // 8 + 1 + 12 slots need three lines per shard; 1 shared + 3 owned
    // shards.
    assert_eq!(c.heap_bytes(), 4 * 3 * 64);
    // 32: 8 shared + 31 owned.
    assert_eq!(Counters::new(32, 12).heap_bytes(), 39 * 3 * 64);
    // Good, excluded and six bad kinds: one line.
    assert_eq!(Counters::new(4, 0).heap_bytes(), 4 * 64);
}

/// Owners write their own shard; the rest spread over the shared ones.
#[test]
fn writers_land_on_their_shards() {
    let c = Counters::new(16, 0);
    let good = |shard: usize| c.slot(shard, GOOD).load(Ordering::Relaxed);
    for writer in 1..16 {
        c.add_good(writer);
        assert_eq!(good(3 + writer), 1, "owner {writer}");
    }
    // Four shared shards: ids 16.. and 0 spread over them.
    for writer in [0, 16, 17, 18, 19, 21] {
        c.add_good(writer);
    }
    assert_eq!((0..4).map(good).collect::<Vec<_>>(), [2, 2, 1, 1]);
    assert_eq!(c.totals().good, 21);
}

/// The kinds an SLO sees most get slots in every shard; the rest take
/// the last line's room, then a shared atomic. Each is summed on its
/// own, and the bad total is their sum, wherever they are kept.
#[test]
fn bad_kinds_sum_on_their_own_wherever_kept() {
    // Availability: one full line, so the last three kinds share atomics.
    let order = [8, 7, 6, 5, 4, 3, 2, 1, 0];
    let c = Counters::with_layout(4, 0, 0, order);
    assert_eq!(c.bad_slots.iter().filter(|s| **s == NO_SLOT).count(), 3);
    assert_eq!(c.bad_slots[8], FIRST_BAD as u8);
    // Latency with 12 buckets: 21 slots of 24, room for all nine.
    let l = Counters::with_layout(4, 12, 0, order);
    assert!(l.bad_slots.iter().all(|s| *s != NO_SLOT));
    for c in [&c, &l] {
        for writer in 0..6 {
            for kind in 0..BAD_KINDS {
                c.add_bad(writer, kind, kind as u64 + 1);
            }
            c.add_events(writer, 2, 3, 4);
            c.add_bad(writer, BAD_KINDS, 7);
        }
        let by_kind = c.bad_by_kind();
        assert_eq!(
            by_kind,
            std::array::from_fn(|k| 6 * (k as u64 + 1) + if k == 4 { 18 } else { 0 })
        );
        assert_eq!(
            c.totals(),
            Totals {
                good: 12,
                bad: by_kind.iter().sum()
            }
        );
    }
    assert_eq!(l.histogram(), (vec![0; 12], 0));
}
