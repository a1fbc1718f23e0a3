//! A daily maintenance window through replay, against a model written here:
//! events at the window's first instant are excluded, at its end they count
//! again, nothing before the window's first start is excluded; `events`
//! and `excluded` cover the period window at every output; `maintenance`
//! says whether one holds, until when, and when the next begins; and
//! `no_data` stays silent while one holds.
//!
//! Events fall on whole minutes and outputs every 24 minutes, a whole
//! number of sample spacings of every window of a 1d period, so the
//! engine's counts are exact.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use serde_json::Value;
use slo_core::{Spec, Timestamp};

const SPEC: &str = r#"service: shop
maintenance:
  - {start: "2026-12-06T02:00:00Z", duration: 2h, every: 1d}
slos:
  - name: checkout
    objective: 99%
    period: 1d
    alerting: {no_data: 30m}
"#;

/// 2026-12-06T02:00:00Z, the window's first start.
const FIRST_START: i64 = 1_796_522_400;
const DAY: i64 = 86_400;
const EVERY: i64 = 1440;

fn in_maintenance(t: i64) -> bool {
    t >= FIRST_START && (t - FIRST_START).rem_euclid(DAY) < 7200
}

/// One event a minute from 2026-12-05T00:00Z for three days, a tenth of
/// them bad, but none from 01:50 to 04:40 on 2026-12-07.
fn trace() -> Vec<(i64, bool)> {
    let from = FIRST_START - DAY - 2 * 3600;
    let silent = (FIRST_START + DAY - 600)..(FIRST_START + DAY + 9600);
    (0..3 * 24 * 60)
        .map(|minute| (from + minute * 60, minute % 10 != 0))
        .filter(|(t, _)| !silent.contains(t))
        .collect()
}

fn rfc3339(secs: i64) -> String {
    Timestamp::from_unix_nanos(secs * 1_000_000_000).to_string()
}

#[test]
fn events_inside_a_daily_window_are_excluded_exactly_at_its_boundaries() {
    let spec = Spec::from_yaml(SPEC).unwrap();
    let events = trace();
    let mut text = String::new();
    for (t, good) in &events {
        text.push_str(&format!(
            "{{\"t\": {t}, \"slo\": \"checkout\", \"good\": {good}}}\n"
        ));
    }
    let mut out = Vec::new();
    slo_core::replay::replay(
        &spec,
        text.as_bytes(),
        Duration::from_secs(EVERY as u64),
        &mut out,
    )
    .unwrap();
    let lines: Vec<Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert!(lines.len() > 150, "{} lines", lines.len());
    let (mut quiet_in_maintenance, mut fired) = (0, 0);
    for line in &lines {
        let t = line["t"].as_i64().unwrap();
        let window = events.iter().filter(|(at, _)| *at > t - DAY && *at <= t);
        let (mut good, mut bad, mut excluded) = (0, 0, 0);
        for (at, ok) in window {
            match (in_maintenance(*at), ok) {
                (true, _) => excluded += 1,
                (false, true) => good += 1,
                (false, false) => bad += 1,
            }
        }
        assert_eq!(line["events"]["good"], good, "t={t}");
        assert_eq!(line["events"]["bad"], bad, "t={t}");
        assert_eq!(line["excluded"]["maintenance"], excluded, "t={t}");
        assert_eq!(line["excluded"]["cancelled"], 0, "t={t}");
        // What `/slo` says of the windows.
        let maintenance = &line["maintenance"];
        let active = in_maintenance(t);
        assert_eq!(maintenance["active"], active, "t={t}");
        let day_start = FIRST_START + (t - FIRST_START).div_euclid(DAY) * DAY;
        if active {
            assert_eq!(maintenance["until"], rfc3339(day_start + 7200), "t={t}");
        } else {
            assert_eq!(maintenance["until"], Value::Null, "t={t}");
        }
        let next = if t < FIRST_START {
            FIRST_START
        } else {
            day_start + DAY
        };
        assert_eq!(maintenance["next_start"], rfc3339(next), "t={t}");
        // No data: quiet for 30 minutes, but silent while a window holds.
        let last = events
            .iter()
            .map(|(at, _)| *at)
            .filter(|at| *at <= t)
            .max()
            .unwrap();
        let expected = t - last >= 1800 && !active;
        let no_data = &line["budget_alerts"][0];
        assert_eq!(no_data["firing"], expected, "t={t}: {no_data}");
        if t - last >= 1800 && active {
            quiet_in_maintenance += 1;
        }
        fired += usize::from(expected);
    }
    assert!(quiet_in_maintenance >= 3, "{quiet_in_maintenance}");
    assert!(fired >= 2, "{fired}");
}
