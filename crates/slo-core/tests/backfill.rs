//! Backfilled history: windows filled from cumulative counts at their
//! sample times equal the windows of a registry that saw those events,
//! and a backfill fills only what a state file did not restore.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use slo_core::__private::window_events;
use slo_core::state::{Backfill, BackfillError, RestoreNote, StateFile};
use slo_core::{ManualClock, Registry, SampleFill, SloDefinition, Spec, Timestamp};

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
const START: i64 = 40 * DAY;

fn spec() -> Spec {
    Spec::builder("shop")
        .slo(SloDefinition::builder("checkout").objective(0.999))
        .slo(
            SloDefinition::builder("search")
                .objective(0.99)
                .latency(Duration::from_millis(250))
                .period(Duration::from_secs(7 * 86_400)),
        )
        .build()
        .unwrap()
}

fn at(secs: i64) -> Timestamp {
    Timestamp::from_unix_nanos(secs * 1_000_000_000)
}

/// Cumulative (good, bad) after each minute of traffic, per SLO.
type Cumulative = Vec<(i64, u64, u64)>;

/// Runs `hours` of per-minute traffic (with an incident) through `registry`,
/// ticking before every move of the clock, and returns each SLO's
/// cumulative counts after each minute.
fn run(registry: &Registry, clock: &ManualClock, hours: i64) -> [Cumulative; 2] {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut cumulative = [Vec::new(), Vec::new()];
    for minute in (START..START + hours * HOUR).step_by(60) {
        registry.tick_at(Timestamp::from_unix_nanos(at(minute).as_unix_nanos() - 1));
        clock.set(at(minute));
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let incident = (START + 20 * HOUR..START + 21 * HOUR).contains(&minute);
        for i in 0..(10 + seed % 40) {
            let bad = if incident {
                i % 4 == 0
            } else {
                (seed + i).is_multiple_of(89)
            };
            registry.handle("checkout").unwrap().record(!bad);
            let latency = Duration::from_millis(20 + (seed + i * 31) % 300);
            registry
                .handle("search")
                .unwrap()
                .record_latency(latency, !bad);
        }
        for (slo, name) in ["checkout", "search"].into_iter().enumerate() {
            let totals = registry.totals(name).unwrap();
            cumulative[slo].push((minute, totals.good, totals.bad));
        }
    }
    cumulative
}

/// The cumulative counts at `t`: everything recorded at or before it.
fn lookup(cumulative: &Cumulative, t: Timestamp) -> (f64, f64) {
    let secs = t.as_unix_nanos().div_euclid(1_000_000_000);
    match cumulative.partition_point(|(minute, _, _)| *minute <= secs) {
        0 => (0.0, 0.0),
        n => {
            let (_, good, bad) = cumulative[n - 1];
            (good as f64, bad as f64)
        }
    }
}

fn model(hours: i64) -> (Registry, ManualClock, [Cumulative; 2], Timestamp) {
    let clock = ManualClock::new(at(START));
    let registry = Registry::builder(spec())
        .clock(clock.clone())
        .sample_fill(SampleFill::Step)
        .build();
    let cumulative = run(&registry, &clock, hours);
    let end = at(START + hours * HOUR);
    registry.tick_at(Timestamp::from_unix_nanos(end.as_unix_nanos() - 1));
    clock.set(end);
    (registry, clock, cumulative, end)
}

fn backfilled(cumulative: &[Cumulative; 2], now: Timestamp, since: Timestamp) -> Registry {
    let mut backfill = Backfill::new(&spec(), now, "simulated");
    for (slo, name) in ["checkout", "search"].into_iter().enumerate() {
        backfill
            .fill(name, since, |t| lookup(&cumulative[slo], t))
            .unwrap();
    }
    assert_eq!(
        backfill.filled().collect::<Vec<_>>(),
        ["checkout", "search"]
    );
    Registry::builder(spec())
        .clock(ManualClock::new(now))
        .sample_fill(SampleFill::Step)
        .backfill(backfill)
        .build()
}

#[test]
fn a_backfill_equals_the_registry_that_saw_the_events() {
    let (model, _clock, cumulative, now) = model(40);
    let filled = backfilled(&cumulative, now, at(START));
    assert_eq!(filled.restore_report().restored, ["checkout", "search"]);
    assert!(filled.restore_report().notes.is_empty());
    for name in ["checkout", "search"] {
        let want = window_events(&model, name, now).unwrap();
        let got = window_events(&filled, name, now).unwrap();
        for (w, g) in want.iter().zip(&got) {
            assert_eq!(w.label, g.label);
            assert!(
                (w.good - g.good).abs() < 1e-6 && (w.bad - g.bad).abs() < 1e-6,
                "SLO {name} window {}: model {}/{} backfill {}/{}",
                w.label,
                w.good,
                w.bad,
                g.good,
                g.bad
            );
        }
    }
    let status = filled.status();
    assert_eq!(status.history.sources, ["simulated"]);
    assert_eq!(status.history.since, at(START).to_string());
    let (model_status, filled_status) = (model.status(), status);
    for (m, f) in model_status.slos.iter().zip(&filled_status.slos) {
        assert_eq!(m.events, f.events);
        assert_eq!(m.burn_rates, f.burn_rates);
        assert_eq!(m.status, f.status);
        assert!((m.coverage_ratio - f.coverage_ratio).abs() < 1e-12);
    }
}

#[test]
fn a_backfill_that_begins_later_holds_nothing_before_it() {
    let (_model, _clock, cumulative, now) = model(30);
    let since = at(START + 24 * HOUR);
    // Counts from `since` on: the cumulative minus what was there then.
    let base: [(f64, f64); 2] = std::array::from_fn(|slo| lookup(&cumulative[slo], since));
    let mut backfill = Backfill::new(&spec(), now, "simulated");
    for (slo, name) in ["checkout", "search"].into_iter().enumerate() {
        backfill
            .fill(name, since, |t| {
                let (good, bad) = lookup(&cumulative[slo], t);
                (good - base[slo].0, bad - base[slo].1)
            })
            .unwrap();
    }
    let registry = Registry::builder(spec())
        .clock(ManualClock::new(now))
        .backfill(backfill)
        .build();
    let status = registry.status();
    let checkout = &status.slos[0];
    let (good, bad) = lookup(&cumulative[0], now);
    assert_eq!(checkout.events.good, (good - base[0].0) as u64);
    assert_eq!(checkout.events.bad, (bad - base[0].1) as u64);
    assert!((checkout.coverage_ratio - 6.0 / (30.0 * 24.0)).abs() < 1e-9);
    // The 1d window covers what the backfill holds: no more than 6 hours.
    let day = window_events(&registry, "checkout", now)
        .unwrap()
        .into_iter()
        .find(|w| w.label == "1d")
        .unwrap();
    assert!((day.good + day.bad - checkout.events.total as f64).abs() < 1e-6);
}

#[test]
fn counts_that_go_down_or_are_not_numbers_never_make_a_negative_window() {
    let now = at(START);
    let mut backfill = Backfill::new(&spec(), now, "simulated");
    let mut calls = 0u64;
    backfill
        .fill("checkout", at(START - 2 * DAY), |_| {
            calls += 1;
            match calls % 4 {
                0 => (f64::NAN, -5.0),
                1 => (1000.0 - calls as f64, 3.0),
                2 => (f64::INFINITY, 1.0),
                _ => (500.0, 0.0),
            }
        })
        .unwrap();
    let registry = Registry::builder(spec())
        .clock(ManualClock::new(now))
        .backfill(backfill)
        .build();
    for w in window_events(&registry, "checkout", now).unwrap() {
        assert!(w.good >= 0.0 && w.bad >= 0.0, "{w:?}");
    }
}

#[test]
fn a_backfill_refuses_what_it_cannot_place() {
    let mut backfill = Backfill::new(&spec(), at(START), "simulated");
    assert_eq!(
        backfill.fill("nope", at(START), |_| (0.0, 0.0)),
        Err(BackfillError::UnknownSlo("nope".into()))
    );
    assert!(matches!(
        backfill.fill("checkout", at(START + 1), |_| (0.0, 0.0)),
        Err(BackfillError::SinceAfterNow { .. })
    ));
    assert!(backfill.resolutions("nope").is_err());
    let resolutions = backfill.resolutions("checkout").unwrap();
    // 5m, 30m, 1h, 2h, 6h, 1d, 3d and 30d windows: a sixtieth of each.
    let spacings: Vec<u64> = resolutions.iter().map(|r| r.spacing.as_secs()).collect();
    assert_eq!(spacings, [5, 30, 60, 120, 360, 1440, 4320, 43_200]);
    for r in &resolutions {
        assert!(r.from < at(START));
        assert!(at(START).saturating_duration_since(r.from) >= r.spacing * 63);
    }
}

#[test]
fn a_state_file_wins_and_a_backfill_fills_the_rest() {
    let (model, _clock, cumulative, now) = model(30);
    // A state file that knows checkout only (search is new since).
    let only_checkout = Spec::builder("shop")
        .slo(SloDefinition::builder("checkout").objective(0.999))
        .build()
        .unwrap();
    let earlier = Registry::builder(only_checkout)
        .clock(ManualClock::new(now))
        .build();
    earlier.handle("checkout").unwrap().record(false);
    let dir = std::env::temp_dir().join(format!("slo-backfill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = StateFile::new(dir.join("shop.slo-state"));
    file.write(&earlier.snapshot()).unwrap();

    let mut backfill = Backfill::new(&spec(), now, "prometheus");
    for (slo, name) in ["checkout", "search"].into_iter().enumerate() {
        backfill
            .fill(name, at(START), |t| lookup(&cumulative[slo], t))
            .unwrap();
    }
    let builder = Registry::builder(spec())
        .clock(ManualClock::new(now))
        .backfill(backfill);
    let (registry, writer) = file.open(builder).unwrap();
    let report = writer.report();
    assert_eq!(report.restored, ["checkout", "search"]);
    assert!(
        !report
            .notes
            .iter()
            .any(|n| matches!(n, RestoreNote::New { .. })),
        "{report:?}"
    );
    let status = registry.status();
    assert_eq!(status.history.sources, ["state_file", "prometheus"]);
    // checkout is the file's (one bad event), search the backfill's.
    assert_eq!(status.slos[0].events.bad, 1);
    assert_eq!(status.slos[0].events.good, 0);
    assert_eq!(status.slos[1].events, model.status().slos[1].events);
    writer.shutdown().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_first_given_wins() {
    let (_model, _clock, cumulative, now) = model(2);
    let fill = |source: &str, slo: usize| {
        let mut backfill = Backfill::new(&spec(), now, source);
        backfill
            .fill("checkout", at(START), |t| {
                let (good, bad) = lookup(&cumulative[slo], t);
                (good, bad)
            })
            .unwrap();
        backfill
    };
    let registry = Registry::builder(spec())
        .clock(ManualClock::new(now))
        .backfill(fill("first", 0))
        .backfill(fill("second", 1))
        .build();
    let status = registry.status();
    assert_eq!(status.history.sources, ["first"]);
    let (good, bad) = lookup(&cumulative[0], now);
    assert_eq!(status.slos[0].events.good, good as u64);
    assert_eq!(status.slos[0].events.bad, bad as u64);
    // Neither held search: a backfill's source reports what it lacked,
    // so the registry adds no note of its own.
    assert!(registry.restore_report().notes.is_empty());
    assert_eq!(registry.restore_report().restored, ["checkout"]);
}
