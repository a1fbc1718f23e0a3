//! The engine's math against the SRE workbook's numbers (chapter 5,
//! "Alerting on SLOs"), on a manual clock.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::*;
use slo_core::StatusLevel;
use std::time::Duration;

#[test]
fn burn_rate_is_error_ratio_over_budget() {
    // 1% errors against a 99.9% objective burn the budget 10× too fast.
    let (r, c) = registry_with(availability(0.999));
    for minute in 0..120 {
        record_at(&r, &c, (minute * MIN) as f64 + 1.0, 99, 1);
    }
    let s = status_at(&r, &c, (120 * MIN) as f64);
    for window in ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"] {
        let b = burn(&s, window).unwrap();
        assert!(approx(b, 10.0), "{window}: {b}");
    }
    assert_eq!(s.events.total, 12_000);
    assert_eq!(s.events.bad, 120);
    assert!(approx(s.sli_value.unwrap(), 0.99));
    // Two hours seen of 30 days: burning 10× spent 10 × 2h/30d of the
    // period's budget (semantics: error budget), not 10 budgets.
    let consumed = 10.0 * 2.0 / (30.0 * 24.0);
    assert!(approx(s.coverage_ratio, 2.0 / (30.0 * 24.0)));
    assert!(approx(s.error_budget.consumed_ratio, consumed));
    assert!(approx(s.error_budget.remaining_ratio, 1.0 - consumed));
    let expected = (1.0 - consumed) * 30.0 * DAY as f64 / 10.0;
    assert!(approx(s.error_budget.exhaustion_seconds.unwrap(), expected));
    // The level is the 1d burn rate's: a rate is true over any span.
    assert_eq!(s.status, StatusLevel::Critical);
}

#[test]
fn a_budget_is_exhausted_only_when_the_events_seen_spent_a_whole_period() {
    // 100% bad for 43 minutes and 12 seconds spends exactly one 30d budget
    // at 99.9% (1000 × 2592 s / 2,592,000 s = 1): not exhausted a minute
    // before, exhausted after.
    let (r, c) = registry_with(availability(0.999));
    for minute in 0..43 {
        record_at(&r, &c, (minute * MIN) as f64 + 1.0, 0, 60);
    }
    let before = status_at(&r, &c, (43 * MIN) as f64);
    assert!(
        before.error_budget.remaining_ratio > 0.0,
        "{:?}",
        before.error_budget
    );
    assert_eq!(before.status, StatusLevel::Critical);
    record_at(&r, &c, (43 * MIN) as f64 + 1.0, 0, 60);
    let after = status_at(&r, &c, (45 * MIN) as f64);
    assert!(
        after.error_budget.remaining_ratio <= 0.0,
        "{:?}",
        after.error_budget
    );
    assert_eq!(after.status, StatusLevel::Exhausted);
    assert_eq!(after.error_budget.exhaustion_seconds, None);
}

#[test]
fn budget_numbers_match_the_workbook() {
    // Workbook: at burn rate 14.4, a 30d budget lasts 50 hours; 1h of it
    // spends 2% of the budget.
    let (r, c) = registry_with(availability(0.999));
    // A fast burn over one hour: 1.44% errors → burn 14.4.
    for minute in 0..60 {
        record_at(&r, &c, (minute * MIN) as f64 + 30.0, 616, 9);
    }
    let s = status_at(&r, &c, (60 * MIN) as f64);
    let b1h = burn(&s, "1h").unwrap();
    assert!(approx(b1h, 14.4), "{b1h}");
    // One hour at 14.4 spends 2% of a 30d budget (the workbook's number),
    // whatever came before; what is left lasts 49 hours at 14.4.
    assert!(approx(s.error_budget.consumed_ratio, 0.02));
    let left = 0.98 * 30.0 * DAY as f64 / 14.4;
    assert!(approx(s.error_budget.exhaustion_seconds.unwrap(), left));
    assert!((left / 3600.0 - 49.0).abs() < 1e-9);

    // Now the same hour after 29 days of clean traffic: 2% of the budget spent.
    let (r, c) = registry_with(availability(0.999));
    // 625 events a minute throughout, recorded a day at a time.
    let h = r.handle("a").unwrap();
    for day in 0..29u64 {
        at(&r, &c, (day * DAY) as f64 + 1.0);
        for _ in 0..(1440 * 625) {
            h.record_good();
        }
    }
    for minute in 0..60 {
        record_at(&r, &c, (29 * DAY + minute * MIN) as f64 + 30.0, 616, 9);
    }
    let s = status_at(&r, &c, (29 * DAY + 60 * MIN) as f64);
    assert!(approx(burn(&s, "1h").unwrap(), 14.4));
    let total = 29.0 * 1440.0 * 625.0 + 37_500.0;
    let seen = (29.0 + 1.0 / 24.0) / 30.0;
    let consumed = 540.0 / total / 0.001 * seen;
    assert!(
        approx(s.error_budget.consumed_ratio, consumed),
        "{}",
        s.error_budget.consumed_ratio
    );
    // 2% of a 30d budget at uniform traffic, as after the hour alone.
    assert!((s.error_budget.consumed_ratio - 0.02).abs() < 1e-9);
    let remaining = 1.0 - consumed;
    let expected = remaining * 30.0 * DAY as f64 / 14.4;
    assert!(approx(s.error_budget.exhaustion_seconds.unwrap(), expected));
    // At 14.4 a full budget lasts 50 hours.
    assert!((expected / 3600.0 - 50.0 * remaining).abs() < 1e-6);
}

#[test]
fn page_fires_on_fast_burn_and_honours_short_window() {
    let (r, c) = registry_with(availability(0.999));
    for minute in 0..60 {
        record_at(&r, &c, (minute * MIN) as f64 + 30.0, 980, 20); // 2% → 20×
    }
    let s = status_at(&r, &c, (60 * MIN) as f64);
    assert!(firing(&s, "1h"), "1h/5m at 20× must page");
    assert!(firing(&s, "6h"), "6h/30m at 20× must page");
    // The incident stops: the 5m window recovers first and the page clears
    // although the 1h window still burns above 14.4.
    for minute in 60..66 {
        record_at(&r, &c, (minute * MIN) as f64 + 30.0, 1000, 0);
    }
    let s = status_at(&r, &c, (66 * MIN) as f64);
    assert_eq!(burn(&s, "5m"), Some(0.0));
    assert!(burn(&s, "1h").unwrap() > 14.4);
    assert!(!firing(&s, "1h"));
}

#[test]
fn thresholds_are_strict_and_tiers_independent() {
    // Exactly 14.4 does not exceed 14.4: no page on the first tier, but the
    // 6 and 3 and 1 tiers fire.
    let (r, c) = registry_with(availability(0.99));
    for minute in 0..60 {
        record_at(&r, &c, (minute * MIN) as f64 + 30.0, 856, 144); // 14.4% / 1%
    }
    let s = status_at(&r, &c, (60 * MIN) as f64);
    assert!(approx(burn(&s, "1h").unwrap(), 14.4));
    let fired: Vec<bool> = s.alerts.iter().map(|a| a.firing).collect();
    let b = burn(&s, "1h").unwrap();
    assert_eq!(fired[0], b > 14.4);
    assert_eq!(&fired[1..], &[true, true, true]);
}

#[test]
fn min_events_holds_back_alerts_on_thin_traffic() {
    let (r, c) = registry_with(availability(0.999).min_events(10));
    record_at(&r, &c, 10.0, 0, 9);
    let s = status_at(&r, &c, 60.0);
    assert!(
        s.alerts.iter().all(|a| !a.firing),
        "9 events < min_events 10"
    );
    record_at(&r, &c, 70.0, 0, 1);
    let s = status_at(&r, &c, 80.0);
    assert!(
        s.alerts.iter().all(|a| a.firing),
        "10 events reach min_events"
    );
}

#[test]
fn windows_slide_and_empty_windows_are_null() {
    let (r, c) = registry_with(availability(0.999));
    let s = status_at(&r, &c, 30.0);
    assert!(s.burn_rates.0.iter().all(|(_, b)| b.is_none()));
    assert_eq!(s.sli_value, None);
    assert_eq!(s.error_budget.remaining_ratio, 1.0);
    assert_eq!(s.status, StatusLevel::Healthy);
    // Bad events in the first ten minutes only.
    for minute in 0..10 {
        record_at(&r, &c, (minute * MIN) as f64 + 1.0, 90, 10);
    }
    // Good events from 40 to 45 minutes.
    for minute in 40..45 {
        record_at(&r, &c, (minute * MIN) as f64 + 1.0, 100, 0);
    }
    let s = status_at(&r, &c, (45 * MIN) as f64);
    assert_eq!(burn(&s, "5m"), Some(0.0));
    assert_eq!(burn(&s, "30m"), Some(0.0));
    let b1h = burn(&s, "1h").unwrap();
    assert!(approx(b1h, 100.0 / 1500.0 / 0.001), "{b1h}");
    // After 5 minutes of silence, the 5m window has no events at all.
    let s = status_at(&r, &c, (51 * MIN) as f64);
    assert_eq!(burn(&s, "5m"), None);
    assert!(burn(&s, "30m").is_some());
}

#[test]
fn seven_day_period_scales_windows() {
    let (r, c) = registry_with(availability(0.999).period(std::time::Duration::from_secs(7 * DAY)));
    record_at(&r, &c, 1.0, 98, 2);
    let s = status_at(&r, &c, 60.0);
    let labels: Vec<&str> = s.burn_rates.0.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        [
            "1m10s", "7m", "14m", "28m", "1h24m", "5h36m", "16h48m", "7d"
        ]
    );
    let tiers: Vec<(&str, &str, f64)> = s
        .alerts
        .iter()
        .map(|a| {
            (
                a.long_window.as_str(),
                a.short_window.as_str(),
                a.burn_rate_threshold,
            )
        })
        .collect();
    assert_eq!(
        tiers,
        [
            ("14m", "1m10s", 14.4),
            ("1h24m", "7m", 6.0),
            ("5h36m", "28m", 3.0),
            ("16h48m", "1h24m", 1.0)
        ]
    );
    assert_eq!(s.period_seconds, (7 * DAY) as f64);
    // 20× burn in a short window: the scaled page fires.
    assert!(s.alerts[0].firing);
    // 1m10s later with no events, the short window is empty.
    let s = status_at(&r, &c, 140.0);
    assert_eq!(burn(&s, "1m10s"), None);
    assert!(!s.alerts[0].firing);
}

#[test]
fn status_levels_follow_the_one_day_burn_rate() {
    // Objective 0.9: a 10% budget. 1000 events in the last day with `bad`
    // of them bad burn at bad / 100; a clean history two days back keeps
    // the period budget positive.
    for (bad, level) in [
        (100u64, StatusLevel::Healthy), // burn 1.0: not above 1
        (120, StatusLevel::Attention),  // 1.2
        (160, StatusLevel::Warning),    // 1.6
        (250, StatusLevel::Critical),   // 2.5
    ] {
        let (r, c) = registry_with(availability(0.9));
        record_at(&r, &c, 1.0, 1_000_000, 0);
        let t = 2.0 * DAY as f64;
        record_at(&r, &c, t, 1000 - bad, bad);
        let s = status_at(&r, &c, t + 60.0);
        let b = burn(&s, "1d").unwrap();
        assert!(approx(b, bad as f64 / 100.0), "{b}");
        assert!(s.error_budget.remaining_ratio > 0.0);
        assert_eq!(s.status, level, "1d burn {b}");
    }
}

#[test]
fn json_has_the_design_shape() {
    let (r, c) = registry_with(availability(0.999).description("d"));
    record_at(&r, &c, 1.0, 1200, 3);
    at(&r, &c, 60.0);
    r.tick();
    let value = serde_json::to_value(r.status()).unwrap();
    assert_eq!(value["service"], "svc");
    assert_eq!(value["now"], "1970-01-01T00:01:00Z");
    assert_eq!(value["uptime_seconds"], 60.0);
    let slo = &value["slos"][0];
    let keys: Vec<&str> = slo
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "name",
        "description",
        "sli",
        "objective",
        "period_seconds",
        "coverage_ratio",
        "events",
        "sli_value",
        "error_budget",
        "burn_rates",
        "alerts",
        "status",
    ] {
        assert!(keys.contains(&key), "missing {key}");
    }
    assert_eq!(slo["sli"], serde_json::json!({"kind": "availability"}));
    assert_eq!(slo["period_seconds"], serde_json::json!(2_592_000));
    assert_eq!(
        slo["events"],
        serde_json::json!({"good": 1200, "bad": 3, "total": 1203})
    );
    // A minute seen: 3 bad of 1203 burn 2.49 over it, 2.49 × 60 s/30d of
    // the budget spent; the level is the 1d burn rate's.
    assert_eq!(slo["status"], "critical");
    let consumed = 3.0 / 1203.0 / 0.001 * 60.0 / 2_592_000.0;
    assert!((slo["error_budget"]["consumed_ratio"].as_f64().unwrap() - consumed).abs() < 1e-12);
    assert!((slo["coverage_ratio"].as_f64().unwrap() - 60.0 / 2_592_000.0).abs() < 1e-12);
    assert_eq!(slo["alerts"].as_array().unwrap().len(), 4);
    assert_eq!(
        slo["alerts"][0],
        serde_json::json!({"severity": "page", "long_window": "1h", "short_window": "5m",
                           "burn_rate_threshold": 14.4, "firing": false})
    );
    // Window order is kept in the text (serde_json's Value sorts keys).
    let text = serde_json::to_string(&r.status()).unwrap();
    let rates = &text[text.find("\"burn_rates\"").unwrap()..];
    let order: Vec<usize> = [
        "\"5m\"", "\"30m\"", "\"1h\"", "\"2h\"", "\"6h\"", "\"1d\"", "\"3d\"", "\"30d\"",
    ]
    .iter()
    .map(|key| rates.find(key).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{rates}");
    let fields = [
        "\"name\"",
        "\"description\"",
        "\"sli\"",
        "\"objective\"",
        "\"period_seconds\"",
        "\"coverage_ratio\"",
        "\"events\"",
        "\"sli_value\"",
        "\"error_budget\"",
        "\"burn_rates\"",
        "\"alerts\"",
        "\"status\"",
    ];
    let order: Vec<usize> = fields.iter().map(|key| text.find(key).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert!((slo["burn_rates"]["30d"].as_f64().unwrap() - 3.0 / 1203.0 / 0.001).abs() < 1e-9);
    // It reads back.
    let back: slo_core::ServiceStatus = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(serde_json::to_value(back).unwrap(), value);
}

#[test]
fn latency_sli_counts_slow_and_failed_as_bad() {
    let slo = slo_core::SloDefinition::builder("a")
        .objective(0.99)
        .latency(std::time::Duration::from_millis(300));
    let (r, _c) = registry_with(slo);
    let h = r.handle("a").unwrap();
    use std::time::Duration;
    assert!(h.record_latency(Duration::from_millis(300), true)); // at the threshold: good
    assert!(!h.record_latency(Duration::from_micros(300_001), true));
    assert!(!h.record_latency(Duration::from_millis(1), false));
    let hist = h.latency_histogram().unwrap();
    assert!(
        hist.bounds_seconds.contains(&0.3),
        "threshold is a bucket bound"
    );
    assert_eq!(hist.counts.iter().sum::<u64>(), 3);
    let at_threshold = hist.bounds_seconds.iter().position(|b| *b == 0.3).unwrap();
    assert_eq!(
        hist.counts[at_threshold], 1,
        "300ms lands in the le=0.3 bucket"
    );
    assert_eq!(hist.counts[at_threshold + 1], 1);
    let s = r.status().slos.remove(0);
    assert_eq!((s.events.good, s.events.bad), (1, 2));
}

/// Every bound's neighbourhood lands in the bucket `le` says: a latency
/// equal to a bound is in that bound's bucket, one nanosecond more in the
/// next, and nanoseconds and `Duration`s record alike.
#[test]
fn latencies_land_in_the_bucket_their_bounds_say() {
    use std::time::Duration;
    let slo = slo_core::SloDefinition::builder("a")
        .objective(0.99)
        .latency(Duration::from_millis(250));
    let (r, _c) = registry_with(slo);
    let h = r.handle("a").unwrap();
    let bounds: Vec<u64> = h
        .latency_histogram()
        .unwrap()
        .bounds_seconds
        .iter()
        .map(|s| (s * 1e9).round() as u64)
        .collect();
    // `le`: a latency's bucket is that of the first bound it does not exceed.
    let bucket_of = |nanos: u64| {
        bounds
            .iter()
            .position(|&b| nanos <= b)
            .unwrap_or(bounds.len())
    };
    let mut want = vec![0u64; bounds.len() + 1];
    for &bound in &bounds {
        for nanos in [bound - 1, bound, bound + 1] {
            want[bucket_of(nanos)] += 1;
            if nanos % 2 == 0 {
                h.record_latency_nanos(nanos, true);
            } else {
                h.record_latency(Duration::from_nanos(nanos), true);
            }
        }
    }
    for nanos in [0, u64::MAX] {
        h.record_latency_nanos(nanos, true);
        want[bucket_of(nanos)] += 1;
    }
    assert_eq!(h.latency_histogram().unwrap().counts, want);
}

#[test]
fn stalled_ticker_fills_history_without_corrupting_it() {
    // A real-clock style registry (spread fill) whose ticker stalls 20 min.
    let spec = slo_core::Spec::builder("svc")
        .slo(availability(0.999))
        .build()
        .unwrap();
    let clock = slo_core::ManualClock::new(slo_core::Timestamp::EPOCH);
    let r = slo_core::Registry::builder(spec)
        .clock(clock.clone())
        .build();
    let h = r.handle("a").unwrap();
    let mut sent = 0u64;
    for second in 1..=7200u64 {
        clock.set(slo_core::Timestamp::from_unix_nanos(
            (second * 1_000_000_000) as i64,
        ));
        h.record(second % 100 != 0);
        sent += 1;
        // The ticker runs every second except from 30 to 50 minutes.
        if !(1800..3000).contains(&second) {
            r.tick();
        }
    }
    let s = r.status().slos.remove(0);
    assert_eq!(s.events.total, sent);
    // 1% bad everywhere: every window reads burn 10 within edge resolution.
    for (window, b) in &s.burn_rates.0 {
        let b = b.unwrap();
        assert!((b - 10.0).abs() < 0.5, "{window}: {b}");
    }
}

#[test]
fn excluded_events_stay_out_of_the_sli() {
    let (r, c) = registry_with(availability(0.999));
    let h = r.handle("a").unwrap();
    h.record_good();
    for _ in 0..3 {
        h.record_excluded(slo_core::Exclusion::ClientCancelled);
    }
    assert_eq!(r.totals("a").unwrap().excluded, 3);
    let s = status_at(&r, &c, 10.0);
    assert_eq!(s.events.total, 1);
    assert_eq!(
        slo_core::Exclusion::ClientCancelled.as_str(),
        "client_cancelled"
    );
}

#[test]
fn unknown_slo_is_a_typed_error() {
    let (r, _c) = registry_with(availability(0.999));
    let e = r.handle("nope").unwrap_err();
    assert_eq!(e, slo_core::UnknownSlo("nope".into()));
    assert!(e.to_string().contains("nope"));
}

#[test]
fn history_traces_burn_rate_and_budget_over_recent_hours() {
    let (registry, clock) = registry_with(availability(0.99));
    // 3h clean at 100 events a minute, then 30 min with 10% bad (burn 10).
    let mut t = 0.0;
    while t < (3 * HOUR + 30 * MIN) as f64 {
        t += 60.0;
        let bad = if t > (3 * HOUR) as f64 { 10 } else { 0 };
        record_at(&registry, &clock, t, 100 - bad, bad);
    }
    let now = status_at(&registry, &clock, t + 1.0);
    let history = registry.history("a", registry.clock().now()).unwrap();
    assert_eq!(history.burn_window, "1h");
    assert_eq!(history.span, Duration::from_secs(5 * HOUR));
    let points = &history.points;
    // One point per 6-minute sample since the start, then now.
    assert_eq!(points.len(), (3 * HOUR + 30 * MIN) as usize / 360 + 1);
    let last = points.last().unwrap();
    assert_eq!(last.at, registry.clock().now());
    assert!((last.burn_rate.unwrap() - burn(&now, "1h").unwrap()).abs() < 1e-9);
    assert!((last.budget_remaining - now.error_budget.remaining_ratio).abs() < 1e-9);
    for p in points {
        let secs = p.at.as_unix_nanos() as f64 / 1e9;
        if secs <= (3 * HOUR) as f64 {
            assert_eq!(p.burn_rate, Some(0.0), "clean at {secs}");
            assert_eq!(p.budget_remaining, 1.0);
        }
    }
    // At 3h30m (sample exactly): 1h window holds 30 clean + 30 bad minutes.
    let at_3h30 = points
        .iter()
        .find(|p| p.at.as_unix_nanos() == (3 * HOUR + 30 * MIN) as i64 * 1_000_000_000)
        .unwrap();
    assert!((at_3h30.burn_rate.unwrap() - 5.0).abs() < 1e-9);
    // Period: 300 bad of 21,000 events over a 1% budget, over the 3h30m
    // seen of 30d.
    let expected = 1.0 - (300.0 / 21_000.0) / 0.01 * (3.5 / (30.0 * 24.0));
    assert!((at_3h30.budget_remaining - expected).abs() < 1e-9);
}

#[test]
fn history_covers_five_hours_once_the_process_is_older() {
    let (registry, clock) = registry_with(availability(0.999));
    let mut t = 0.0;
    while t < (9 * HOUR) as f64 {
        t += 60.0;
        record_at(&registry, &clock, t, 10, 0);
    }
    status_at(&registry, &clock, t);
    let history = registry.history("a", registry.clock().now()).unwrap();
    let first = history.points.first().unwrap().at.as_unix_nanos() as f64 / 1e9;
    assert_eq!(first, t - (5 * HOUR) as f64);
    assert!(history.points.iter().all(|p| p.burn_rate == Some(0.0)));
}

#[test]
fn a_young_process_gets_a_minute_by_minute_history_over_five_minutes() {
    let (registry, clock) = registry_with(availability(0.99));
    // 20 minutes at 100 events a minute; from minute 10 on, 10% bad.
    let mut t = 0.0;
    while t < (20 * MIN) as f64 {
        t += 60.0;
        let bad = if t > (10 * MIN) as f64 { 10 } else { 0 };
        record_at(&registry, &clock, t, 100 - bad, bad);
    }
    let now = status_at(&registry, &clock, t + 1.0);
    let history = registry.history("a", registry.clock().now()).unwrap();
    assert_eq!(history.burn_window, "5m");
    assert_eq!(history.span, Duration::from_secs(55 * MIN));
    // A point a minute since the start, then now.
    assert_eq!(history.points.len(), 20 + 1);
    let last = history.points.last().unwrap();
    assert!((last.burn_rate.unwrap() - burn(&now, "5m").unwrap()).abs() < 1e-9);
    let at = |minute: u64| {
        history
            .points
            .iter()
            .find(|p| p.at.as_unix_nanos() == (minute * MIN) as i64 * 1_000_000_000)
            .unwrap()
    };
    assert_eq!(at(10).burn_rate, Some(0.0));
    assert!((at(15).burn_rate.unwrap() - 10.0).abs() < 1e-9);
    assert!((at(12).burn_rate.unwrap() - 4.0).abs() < 1e-9);
}
