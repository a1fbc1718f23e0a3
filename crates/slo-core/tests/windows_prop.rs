//! Property test: random event streams through the engine on a manual clock,
//! every window's counts and burn rates compared with a naive exact model.
//! Counts agree within the events of one sample spacing (W/60) around the
//! window's start, and exactly when that start falls on a sample time.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use proptest::prelude::*;
use slo_core::__private::window_events;
use slo_core::{ManualClock, Registry, SampleFill, SloDefinition, Spec, Timestamp};

const SEC: i64 = 1_000_000_000;

#[derive(Debug, Clone)]
enum Step {
    /// Events `gap_ms` after the previous ones.
    Events { gap_ms: i64, good: u8, bad: u8 },
    /// A query at this fraction of the way to the next events.
    Query { frac: f64 },
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        6 => (prop_oneof![Just(0i64), 1i64..2_000, 1i64..120_000, 1i64..3_600_000, Just(5_000), Just(60_000)],
              0u8..5, 0u8..3)
            .prop_map(|(gap_ms, good, bad)| Step::Events { gap_ms, good, bad }),
        1 => (0.0f64..1.0).prop_map(|frac| Step::Query { frac }),
    ];
    prop::collection::vec(step, 1..250)
}

struct Model {
    /// (time, good, bad), time-ordered.
    events: Vec<(i64, u64, u64)>,
}

impl Model {
    /// Events in (from, to].
    fn count(&self, from: i64, to: i64) -> (u64, u64) {
        self.events
            .iter()
            .filter(|(t, _, _)| *t > from && *t <= to)
            .fold((0, 0), |(g, b), (_, eg, eb)| (g + eg, b + eb))
    }
}

fn check(
    registry: &Registry,
    model: &Model,
    start: i64,
    q: i64,
    budget: f64,
) -> Result<(), TestCaseError> {
    let windows = window_events(registry, "a", Timestamp::from_unix_nanos(q)).unwrap();
    let status = registry
        .slo_status("a", Timestamp::from_unix_nanos(q))
        .unwrap();
    // Interpolated counts stay whole and consistent.
    prop_assert_eq!(
        status.events.good + status.events.bad,
        status.events.total,
        "{:?}",
        status.events
    );
    for (w, (label, burn)) in windows.iter().zip(&status.burn_rates.0) {
        prop_assert_eq!(&w.label, label);
        let len = i64::try_from(w.duration.as_nanos()).unwrap();
        let spacing = (len / 60).max(1);
        let x = q - len;
        let (good, bad) = model.count(x.max(start), q);
        let (edge_good, edge_bad) = model.count(x - spacing, x + spacing);
        let aligned = x <= start || x.rem_euclid(spacing) == 0;
        if aligned {
            prop_assert!(
                (w.good - good as f64).abs() < 1e-6,
                "{} good {} vs exact {}",
                label,
                w.good,
                good
            );
            prop_assert!(
                (w.bad - bad as f64).abs() < 1e-6,
                "{} bad {} vs exact {}",
                label,
                w.bad,
                bad
            );
            let exact = (good + bad > 0).then(|| bad as f64 / (good + bad) as f64 / budget);
            match (burn, exact) {
                (Some(a), Some(b)) => prop_assert!(
                    (a - b).abs() <= 1e-9 * b.max(1.0),
                    "{} burn {} vs {}",
                    label,
                    a,
                    b
                ),
                (a, b) => prop_assert_eq!(*a, b, "{} burn", label),
            }
        } else {
            prop_assert!(
                (w.good - good as f64).abs() <= edge_good as f64 + 1e-6,
                "{} good {} vs exact {} (edge {})",
                label,
                w.good,
                good,
                edge_good
            );
            prop_assert!(
                (w.bad - bad as f64).abs() <= edge_bad as f64 + 1e-6,
                "{} bad {} vs exact {} (edge {})",
                label,
                w.bad,
                bad,
                edge_bad
            );
            if let Some(rate) = burn {
                prop_assert!(w.good + w.bad > 0.0);
                prop_assert!(
                    (rate - w.bad / (w.good + w.bad) / budget).abs() < 1e-9 * rate.max(1.0)
                );
            }
        }
    }
    // Firing follows the windows' burn rates and min_events.
    for alert in &status.alerts {
        let rate = |label: &str| status.burn_rates.get(label);
        let exceeds = |label: &str| rate(label).is_some_and(|b| b > alert.burn_rate_threshold);
        let long = windows
            .iter()
            .find(|w| w.label == alert.long_window)
            .unwrap();
        let expected = exceeds(&alert.long_window)
            && exceeds(&alert.short_window)
            && long.good + long.bad + 1e-9 >= 3.0;
        prop_assert_eq!(alert.firing, expected);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn windows_match_an_exact_model(steps in steps(), thirty_days in any::<bool>(), start_s in 0i64..100_000) {
        let period = if thirty_days { Duration::from_secs(30 * 86_400) } else { Duration::from_secs(86_400) };
        let spec = Spec::builder("p")
            .slo(SloDefinition::builder("a").objective(0.99).period(period).min_events(3))
            .build()
            .unwrap();
        let start = start_s * SEC;
        let clock = ManualClock::new(Timestamp::from_unix_nanos(start));
        let registry = Registry::builder(spec).clock(clock.clone()).sample_fill(SampleFill::Step).build();
        let handle = registry.handle("a").unwrap();
        let budget = 0.01;
        let mut model = Model { events: Vec::new() };
        let mut t = start + 1;
        let mut pending_query: Option<f64> = None;
        for step in steps {
            match step {
                Step::Query { frac } => pending_query = Some(frac),
                Step::Events { gap_ms, good, bad } => {
                    let next = t + gap_ms * 1_000_000;
                    if let Some(frac) = pending_query.take()
                        && next > t
                    {
                        // Queries fall strictly before the next events.
                        let q = t + ((next - t - 1) as f64 * frac) as i64;
                        registry.tick_at(Timestamp::from_unix_nanos(q));
                        check(&registry, &model, start, q, budget)?;
                    }
                    t = next;
                    registry.tick_at(Timestamp::from_unix_nanos(t - 1));
                    for _ in 0..good { handle.record_good(); }
                    for _ in 0..bad { handle.record_bad(); }
                    model.events.push((t, good as u64, bad as u64));
                }
            }
        }
        // And at the whole minutes after the last event, as replay prints.
        for k in 1..4 {
            let q = (t / (60 * SEC) + k) * 60 * SEC;
            registry.tick_at(Timestamp::from_unix_nanos(q));
            check(&registry, &model, start, q, budget)?;
        }
    }
}
