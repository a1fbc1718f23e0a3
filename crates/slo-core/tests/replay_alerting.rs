//! An SLO's own tiers, its budget alerts and its no-data alert through
//! replay, against a model written here from the semantics: at every
//! output, each window's burn rate, the budget left, the time to
//! exhaustion, and whether each tier and each budget alert fires.
//!
//! Events fall on multiples of two minutes, which every window the model
//! checks is a whole number of sample spacings of (5m, 10m, 1h, 2h, and the
//! 2m exhaustion window of a 1d period), so the engine's counts are exact.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use serde_json::Value;
use slo_core::Spec;

const SPEC: &str = r#"service: shop
slos:
  - name: checkout
    objective: 99%
    period: 1d
    alerting:
      tiers:
        - {severity: page, long: 1h, short: 5m, burn_rate: 14.4}
        - {severity: ticket, long: 2h, short: 10m, burn_rate: 2.5}
      budget: {remaining_below: 80%, exhausted_within: 12h}
      no_data: 30m
"#;

const STEP: i64 = 120;
const BUDGET: f64 = 0.01;
const PERIOD: f64 = 86_400.0;

/// (t seconds, good, bad) per step, in time order.
fn trace() -> Vec<(i64, u64, u64)> {
    let mut steps = Vec::new();
    let mut t = 0;
    let mut phase = |minutes: i64, good: u64, bad: u64, steps: &mut Vec<(i64, u64, u64)>| {
        for _ in 0..minutes * 60 / STEP {
            if good + bad > 0 {
                steps.push((t, good, bad));
            }
            t += STEP;
        }
    };
    phase(120, 50, 0, &mut steps); // clean
    phase(30, 30, 20, &mut steps); // 40% bad: every tier, both budget alerts
    phase(50, 0, 0, &mut steps); // silence: no data after 30 minutes
    phase(60, 49, 1, &mut steps); // 2% bad, burn 2: below every tier
    steps
}

struct Model {
    steps: Vec<(i64, u64, u64)>,
    start: i64,
}

impl Model {
    /// Good and bad events in (t − window, t].
    fn count(&self, t: i64, window: i64) -> (f64, f64) {
        self.steps
            .iter()
            .filter(|(at, _, _)| *at > t - window && *at <= t)
            .fold((0.0, 0.0), |(g, b), (_, good, bad)| {
                (g + *good as f64, b + *bad as f64)
            })
    }

    /// The burn rate over `window` ending at `t`; `None` without events.
    fn burn(&self, t: i64, window: i64) -> Option<f64> {
        let (good, bad) = self.count(t, window);
        (good + bad > 0.0).then(|| bad / (good + bad) / BUDGET)
    }

    fn remaining(&self, t: i64) -> f64 {
        let coverage = ((t - self.start) as f64 / PERIOD).min(1.0);
        1.0 - self.burn(t, 86_400).unwrap_or(0.0) * coverage
    }

    fn tier_fires(&self, t: i64, long: i64, short: i64, rate: f64) -> bool {
        let exceeds = |w| self.burn(t, w).is_some_and(|b| b > rate);
        exceeds(long) && exceeds(short)
    }

    /// remaining_below 80%, exhausted_within 12h, no_data 30m.
    fn budget_fires(&self, t: i64) -> [bool; 3] {
        let remaining = self.remaining(t);
        let exhaustion = match self.burn(t, 120) {
            Some(rate) if rate > 0.0 && remaining > 0.0 => Some(remaining * PERIOD / rate),
            _ => None,
        };
        let last = self
            .steps
            .iter()
            .filter(|(at, _, _)| *at <= t)
            .map(|(at, _, _)| *at)
            .max()
            .unwrap_or(self.start);
        [
            remaining <= 0.8,
            exhaustion.is_some_and(|s| s <= 12.0 * 3600.0),
            t - last >= 30 * 60,
        ]
    }
}

#[test]
fn tiers_budget_alerts_and_no_data_follow_the_model_at_every_output() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    let steps = trace();
    let mut events = String::new();
    for (t, good, bad) in &steps {
        for i in 0..good + bad {
            events.push_str(&format!(
                "{{\"t\": {t}, \"slo\": \"checkout\", \"good\": {}}}\n",
                i < *good
            ));
        }
    }
    let mut out = Vec::new();
    slo_core::replay::replay(
        &spec,
        events.as_bytes(),
        Duration::from_secs(STEP as u64),
        &mut out,
    )
    .unwrap();
    let model = Model {
        start: steps[0].0,
        steps,
    };
    let mut seen = [[false; 2]; 5];
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(lines.len() > 100, "{} lines", lines.len());
    for line in &lines {
        let t = line["t"].as_i64().unwrap();
        for (label, window) in [
            ("5m", 300),
            ("10m", 600),
            ("1h", 3600),
            ("2h", 7200),
            ("2m", 120),
        ] {
            let got = line["burn_rates"][label].as_f64();
            assert_eq!(got, model.burn(t, window), "t={t} {label}");
        }
        let remaining = line["error_budget"]["remaining_ratio"].as_f64().unwrap();
        assert!((remaining - model.remaining(t)).abs() < 1e-12, "t={t}");
        let tiers = [
            model.tier_fires(t, 3600, 300, 14.4),
            model.tier_fires(t, 7200, 600, 2.5),
        ];
        let budget = model.budget_fires(t);
        for (i, expected) in tiers.iter().enumerate() {
            assert_eq!(
                line["alerts"][i]["firing"].as_bool(),
                Some(*expected),
                "t={t} tier {i}: {}",
                line["alerts"][i]
            );
            seen[i][usize::from(*expected)] = true;
        }
        let conditions = ["remaining_below", "exhausted_within", "no_data"];
        for (i, expected) in budget.iter().enumerate() {
            let alert = &line["budget_alerts"][i];
            assert_eq!(alert["condition"], conditions[i], "{alert}");
            assert_eq!(alert["firing"].as_bool(), Some(*expected), "t={t}: {alert}");
            seen[2 + i][usize::from(*expected)] = true;
        }
    }
    // Every alert both fired and did not at some output: the trace tests
    // each condition in both directions.
    assert_eq!(seen, [[true; 2]; 5], "[quiet, firing] per alert");
    let first = &lines[0]["budget_alerts"];
    assert_eq!(first[0]["threshold"], 0.8);
    assert_eq!(first[1]["threshold_seconds"], 43_200);
    assert_eq!(first[1]["severity"], "page");
    assert_eq!(first[2]["threshold_seconds"], 1_800);
    assert_eq!(first[2]["severity"], "ticket");
}
