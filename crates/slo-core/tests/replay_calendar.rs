//! A calendar month in Europe/Berlin through replay, against a model
//! written here: a trace from 2026-10-24 to 2026-11-02 crosses the clock
//! change of 2026-10-25 (October is 745 hours long there) and the month's
//! end. At every output the period window holds exactly the events since
//! the month began, `period_seconds` is the month's own length, coverage
//! counts from the later of the month's start and the first event, and
//! the budget is whole again on the 1st.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use serde_json::Value;
use slo_core::Spec;

const SPEC: &str = r#"service: shop
timezone: Europe/Berlin
slos:
  - name: checkout
    objective: 99%
    period: calendar month
"#;

/// 2026-09-30T22:00:00Z: October 1st, midnight in Berlin (CEST).
const OCTOBER: i64 = 1_790_805_600;
/// 2026-10-31T23:00:00Z: November 1st, midnight in Berlin (CET).
const NOVEMBER: i64 = OCTOBER + 745 * 3600;
/// 2026-11-30T23:00:00Z.
const DECEMBER: i64 = NOVEMBER + 720 * 3600;
/// 2026-10-24T00:00:00Z.
const FIRST: i64 = NOVEMBER - 7 * 86_400 - 23 * 3600;

/// One event a minute for nine days: 2% bad, 10% on 2026-10-30.
fn trace() -> Vec<(i64, bool)> {
    (0..9 * 24 * 60)
        .map(|minute| {
            let t = FIRST + minute * 60;
            let bad_day = (NOVEMBER - 2 * 86_400..NOVEMBER - 86_400).contains(&t);
            let every = if bad_day { 10 } else { 50 };
            (t, minute % every != 0)
        })
        .collect()
}

#[test]
fn the_month_window_holds_the_events_since_the_first_in_berlin() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    let events = trace();
    let mut text = String::new();
    for (t, good) in &events {
        text.push_str(&format!(
            "{{\"t\": {t}, \"slo\": \"checkout\", \"good\": {good}}}\n"
        ));
    }
    let mut out = Vec::new();
    slo_core::replay::replay(&spec, text.as_bytes(), Duration::from_secs(3600), &mut out).unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 9 * 24 - 1);
    let mut saw = [false; 2];
    for line in &lines {
        let t = line["t"].as_i64().unwrap();
        let (start, end, label_start, label_end) = if t < NOVEMBER {
            (
                OCTOBER,
                NOVEMBER,
                "2026-10-01T00:00:00+02:00",
                "2026-11-01T00:00:00+01:00",
            )
        } else {
            (
                NOVEMBER,
                DECEMBER,
                "2026-11-01T00:00:00+01:00",
                "2026-12-01T00:00:00+01:00",
            )
        };
        saw[usize::from(t >= NOVEMBER)] = true;
        let calendar = &line["calendar"];
        assert_eq!(calendar["unit"], "month");
        assert_eq!(calendar["timezone"], "Europe/Berlin");
        assert_eq!(calendar["start"], label_start, "t={t}");
        assert_eq!(calendar["end"], label_end, "t={t}");
        let length = (end - start) as f64;
        assert_eq!(line["period_seconds"].as_f64(), Some(length), "t={t}");
        let (good, bad) = events
            .iter()
            .filter(|(at, _)| *at >= start && *at <= t)
            .fold(
                (0u64, 0u64),
                |(g, b), (_, ok)| if *ok { (g + 1, b) } else { (g, b + 1) },
            );
        assert_eq!(line["events"]["good"], good, "t={t}");
        assert_eq!(line["events"]["bad"], bad, "t={t}");
        let burn = bad as f64 / (good + bad) as f64 / 0.01;
        assert!(
            (line["burn_rates"]["month"].as_f64().unwrap() - burn).abs() < 1e-12,
            "t={t}: {}",
            line["burn_rates"]
        );
        let coverage = ((t - start.max(FIRST)) as f64 / length).min(1.0);
        assert!(
            (line["coverage_ratio"].as_f64().unwrap() - coverage).abs() < 1e-12,
            "t={t}"
        );
        let remaining = 1.0 - burn * coverage;
        let got = line["error_budget"]["remaining_ratio"].as_f64().unwrap();
        assert!(
            (got - remaining).abs() < 1e-12,
            "t={t}: {got} vs {remaining}"
        );
        // The rolling windows keep rolling across the boundary.
        assert!(line["burn_rates"]["1d"].is_number(), "t={t}");
    }
    assert_eq!(saw, [true, true]);
    // The 1st starts the budget whole, whatever October spent.
    let last_of_october = lines
        .iter()
        .rev()
        .find(|l| l["t"].as_i64() < Some(NOVEMBER))
        .unwrap();
    let first_of_november = lines
        .iter()
        .find(|l| l["t"].as_i64() >= Some(NOVEMBER))
        .unwrap();
    assert!(
        last_of_october["error_budget"]["remaining_ratio"]
            .as_f64()
            .unwrap()
            < 0.9
    );
    assert!(
        first_of_november["error_budget"]["remaining_ratio"]
            .as_f64()
            .unwrap()
            > 0.99
    );
}
