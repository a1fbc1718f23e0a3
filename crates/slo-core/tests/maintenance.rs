//! Maintenance windows live: the tick that passes a boundary switches
//! recording to excluded and back, a window added at run time takes
//! effect at once and shows in `/slo`, and threads recording while the
//! switch flips lose no event.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use slo_core::{ManualClock, Registry, Spec, Timestamp};

/// 2026-12-06T02:00:00Z.
const START: i64 = 1_796_522_400;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_nanos(secs * 1_000_000_000)
}

fn registry(spec: &str, from: i64) -> (Registry, ManualClock) {
    let clock = ManualClock::new(at(from));
    let registry = Registry::builder(Spec::from_yaml(spec).unwrap())
        .clock(clock.clone())
        .build();
    (registry, clock)
}

#[test]
fn the_tick_past_a_boundary_switches_recording() {
    let (registry, clock) = registry(
        "service: shop\nmaintenance:\n  - {start: \"2026-12-06T02:00:00Z\", duration: 10m}\nslos:\n  - name: checkout\n    objective: 99%\n",
        START - 60,
    );
    let checkout = registry.handle("checkout").unwrap();
    registry.tick();
    checkout.record_bad();
    let before = registry.status();
    let window = before.slos[0].maintenance.clone().unwrap();
    assert!(!window.active);
    assert_eq!(window.next_start.as_deref(), Some("2026-12-06T02:00:00Z"));
    clock.set(at(START));
    registry.tick();
    checkout.record_bad();
    assert!(
        checkout.record_latency(Duration::from_secs(9), false),
        "not bad"
    );
    let during = registry.status();
    let window = during.slos[0].maintenance.clone().unwrap();
    assert!(window.active);
    assert_eq!(window.until.as_deref(), Some("2026-12-06T02:10:00Z"));
    assert_eq!(window.next_start, None, "it does not repeat");
    assert_eq!(during.slos[0].excluded.maintenance, 2);
    assert_eq!(during.slos[0].events.bad, 1);
    clock.set(at(START + 600));
    registry.tick();
    checkout.record_good();
    let after = registry.totals("checkout").unwrap();
    assert_eq!((after.good, after.bad, after.maintenance), (1, 1, 2));
    assert!(
        !registry.status().slos[0]
            .maintenance
            .clone()
            .unwrap()
            .active
    );
}

#[test]
fn a_window_added_at_run_time_holds_at_once_and_shows() {
    let (registry, _clock) = registry(
        "service: shop\nslos:\n  - name: checkout\n    objective: 99%\n",
        START,
    );
    assert_eq!(registry.status().slos[0].maintenance, None, "no windows");
    // A deploy from now for five minutes.
    registry.maintenance(at(START), at(START + 300)).unwrap();
    registry.handle("checkout").unwrap().record_bad();
    let status = registry.status();
    let slo = &status.slos[0];
    assert_eq!(slo.events.bad, 0);
    assert_eq!(slo.excluded.maintenance, 1);
    let window = slo.maintenance.clone().unwrap();
    assert!(window.active);
    assert_eq!(window.until.as_deref(), Some("2026-12-06T02:05:00Z"));
    assert!(registry.maintenance(at(START), at(START)).is_err());
}

#[test]
fn no_event_is_lost_while_the_switch_flips() {
    let (registry, clock) = registry(
        "service: shop\nmaintenance:\n  - {start: \"2026-12-06T02:00:00Z\", duration: 1s, every: 2s}\nslos:\n  - name: checkout\n    objective: 99%\n",
        START,
    );
    let stop = Arc::new(AtomicBool::new(false));
    // Events recorded so far by all writers: each tick waits for a few
    // more, so that both states see events however the threads are
    // scheduled (on a loaded machine they may not run at all otherwise).
    let progress = Arc::new(AtomicU64::new(0));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let handle = registry.handle("checkout").unwrap();
            let stop = Arc::clone(&stop);
            let progress = Arc::clone(&progress);
            std::thread::spawn(move || {
                let mut recorded = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    handle.record(!recorded.is_multiple_of(3));
                    recorded += 1;
                    progress.fetch_add(1, Ordering::Relaxed);
                }
                recorded
            })
        })
        .collect();
    // 400 ticks half a second apart: in and out of maintenance 200 times.
    for _ in 0..400 {
        clock.advance(Duration::from_millis(500));
        registry.tick();
        let seen = progress.load(Ordering::Relaxed);
        while progress.load(Ordering::Relaxed) < seen + 8 {
            std::thread::yield_now();
        }
    }
    stop.store(true, Ordering::Relaxed);
    let recorded: u64 = writers.into_iter().map(|w| w.join().unwrap()).sum();
    let totals = registry.totals("checkout").unwrap();
    assert_eq!(totals.good + totals.bad + totals.maintenance, recorded);
    assert!(
        totals.maintenance > 0 && totals.good > 0 && totals.bad > 0,
        "{totals:?}"
    );
}
