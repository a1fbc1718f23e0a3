//! The wall clock stepped an hour and a half forward across New Year, then
//! an hour back, as NTP does, while events are recorded and the registry
//! ticks: the windows keep counting on the engine's clock, which never
//! goes back, while the calendar month and the maintenance window follow
//! the wall clock. No event is counted twice or lost, and no window goes
//! negative.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use slo_core::__private::window_events;
use slo_core::{Clock, ManualClock, Registry, SampleFill, Spec, Timestamp};

const SPEC: &str = r#"service: shop
maintenance:
  - {start: "2026-12-06T02:00:00Z", duration: 1h, every: 1d}
slos:
  - name: checkout
    objective: 99%
    period: calendar month
"#;

/// 2026-12-31T22:00:00Z.
const START: i64 = 1_798_754_400;
/// 2027-01-01T00:00:00Z.
const NEW_YEAR: i64 = START + 2 * 3600;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_nanos(secs * 1_000_000_000)
}

fn secs(t: Timestamp) -> i64 {
    t.as_unix_nanos().div_euclid(1_000_000_000)
}

/// Whether the daily window holds at the wall clock's `wall`.
fn in_maintenance(wall: i64) -> bool {
    (wall - 1_796_522_400).rem_euclid(86_400) < 3600
}

#[test]
fn windows_follow_the_engine_clock_and_calendars_the_wall_clock() {
    let clock = ManualClock::new(at(START));
    let registry = Registry::builder(Spec::from_yaml(SPEC).unwrap())
        .clock(clock.clone())
        .sample_fill(SampleFill::Step)
        .build();
    let checkout = registry.handle("checkout").unwrap();
    // (engine time, counted events) per step, and everything recorded.
    let mut counted: Vec<(i64, u64)> = Vec::new();
    let mut recorded = 0u64;
    let mut rolled_at = None;
    let mut steps = 0;
    while secs(clock.now()) < START + 5 * 3600 {
        let now = secs(clock.now());
        // NTP: an hour and a half forward at 23:00 (into January), an
        // hour back half an hour later (still January on the wall).
        if now == START + 3600 {
            clock.set_wall(at(now + 5400));
        }
        if now == START + 5400 {
            clock.set_wall(at(secs(clock.wall()) - 3600));
        }
        clock.advance(Duration::from_secs(10));
        let (now, wall) = (secs(clock.now()), secs(clock.wall()));
        registry.tick();
        let excluded = in_maintenance(wall);
        for i in 0..10 {
            checkout.record(i != 0);
        }
        recorded += 10;
        counted.push((now, if excluded { 0 } else { 10 }));
        registry.tick();
        steps += 1;

        let totals = registry.totals("checkout").unwrap();
        assert_eq!(
            totals.good + totals.bad + totals.maintenance,
            recorded,
            "now={now}"
        );
        let status = registry.status().slos.remove(0);
        // Maintenance and the month follow the wall clock.
        assert_eq!(
            status.maintenance.as_ref().unwrap().active,
            excluded,
            "wall={wall}"
        );
        let month = status.calendar.as_ref().unwrap().start.clone();
        if wall < NEW_YEAR {
            assert_eq!(month, "2026-12-01T00:00:00+00:00", "wall={wall}");
        } else {
            assert_eq!(month, "2027-01-01T00:00:00+00:00", "wall={wall}");
            rolled_at.get_or_insert(now);
        }
        assert_eq!(status.period_seconds, 31.0 * 86_400.0);
        // The 5-minute window counts what was recorded in the last five
        // minutes of engine time, whatever the wall clock did (a step's
        // events come after its first tick, so the one five minutes ago
        // is in).
        let windows = window_events(&registry, "checkout", clock.now()).unwrap();
        let five = windows.iter().find(|w| w.label == "5m").unwrap();
        let expected: u64 = counted
            .iter()
            .filter(|(t, _)| *t >= now - 300)
            .map(|(_, n)| n)
            .sum();
        assert_eq!((five.good + five.bad).round() as u64, expected, "now={now}");
        for window in &windows {
            assert!(window.good >= 0.0 && window.bad >= 0.0, "{window:?}");
        }
        // The month holds what was counted since it began on the wall
        // clock, and nothing of December.
        if let Some(rolled) = rolled_at {
            let since: u64 = counted
                .iter()
                .filter(|(t, _)| *t >= rolled)
                .map(|(_, n)| n)
                .sum();
            assert_eq!(status.events.good + status.events.bad, since, "now={now}");
        }
    }
    assert_eq!(steps, 5 * 360);
    // The month began when the wall clock passed midnight (the engine's
    // 23:00 stepped to 00:30), an hour of engine time early.
    assert_eq!(rolled_at, Some(START + 3610));
    let totals = registry.totals("checkout").unwrap();
    assert!(totals.maintenance > 0, "the window held on the wall clock");
}
