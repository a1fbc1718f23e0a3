//! What Prometheus receives: exact counters, a true histogram at every SLO
//! bound with an exact sum, live gauges equal to `/slo`, and text that
//! `promtool check metrics` accepts.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::time::Duration;

use slo_core::{ManualClock, Registry, SampleFill};
use slo_prometheus::{PrometheusBridge, PrometheusExporter};
use slo_test_support::shop;

/// The shop's SLOs and one more, with a 7d period and a 2s threshold;
/// and a journey over the first two.
const CART: &str = r#"
  - name: cart.v2_latency
    objective: 0.95
    period: 7d
    sli: {latency: {threshold: 2s}}
    alerting: {budget: {remaining_below: 50%}, no_data: 1m}
journeys:
  - {name: purchase, objective: 99%, steps: [search-latency, checkout-availability]}
"#;

fn registry() -> (Registry, ManualClock) {
    shop::registry(&format!("{}{}", shop::SPEC.trim_end(), CART), |b| {
        b.sample_fill(SampleFill::Step)
    })
}

/// `series{labels}` → value, for every sample line.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap();
            let value = match value {
                "NaN" => f64::NAN,
                "+Inf" => f64::INFINITY,
                v => v.parse().unwrap(),
            };
            (series.to_owned(), value)
        })
        .collect()
}

fn get(samples: &BTreeMap<String, f64>, series: &str) -> f64 {
    *samples
        .get(series)
        .unwrap_or_else(|| panic!("no {series} in\n{samples:#?}"))
}

#[test]
fn counters_histogram_and_gauges_are_exact() {
    let (registry, clock) = registry();
    let exporter = PrometheusExporter::new(&registry).unwrap();
    // Latencies on, below and above the bounds, and failures.
    let sum = shop::record_traffic(&registry);
    clock.advance(Duration::from_secs(90));
    registry.tick();
    let first = samples(&exporter.render());
    assert_eq!(
        get(
            &first,
            r#"slo_events_total{slo="checkout-availability",outcome="good"}"#
        ),
        980.0
    );
    assert_eq!(
        get(
            &first,
            r#"slo_events_total{slo="checkout-availability",outcome="bad"}"#
        ),
        20.0
    );
    assert_eq!(
        get(
            &first,
            r#"slo_excluded_events_total{slo="checkout-availability",reason="client_cancelled"}"#
        ),
        1.0
    );
    assert_eq!(
        get(
            &first,
            r#"slo_excluded_events_total{slo="checkout-availability",reason="maintenance"}"#
        ),
        0.0
    );
    // 100ms (failed), 120.001, 250, 999, 12000 are bad: 5 of 10.
    assert_eq!(
        get(
            &first,
            r#"slo_events_total{slo="search-latency",outcome="bad"}"#
        ),
        5.0
    );
    let bucket = |s: &BTreeMap<String, f64>, le: &str| {
        get(
            s,
            &format!(r#"slo_latency_seconds_bucket{{slo="search-latency",le="{le}"}}"#),
        )
    };
    // Every bound of this SLO (its threshold included) is exact.
    for (le, want) in [
        ("0.005", 2.0),
        ("0.01", 3.0),
        ("0.05", 4.0),
        ("0.1", 5.0),
        ("0.12", 6.0),
        ("0.25", 8.0),
        ("1", 9.0),
        ("10", 9.0),
        ("+Inf", 10.0),
    ] {
        assert_eq!(bucket(&first, le), want, "le={le}");
    }
    // The other SLO's threshold is a bound too (one metric, shared buckets).
    assert!(first.contains_key(r#"slo_latency_seconds_bucket{slo="search-latency",le="2"}"#));
    assert_eq!(
        get(&first, r#"slo_latency_seconds_count{slo="search-latency"}"#),
        10.0
    );
    let got_sum = get(&first, r#"slo_latency_seconds_sum{slo="search-latency"}"#);
    assert!((got_sum - sum).abs() < 1e-9, "{got_sum} vs {sum}");
    // Live gauges equal the status.
    let status = registry.status();
    let checkout_status = &status.slos[0];
    assert_eq!(
        get(
            &first,
            r#"slo_objective_ratio{slo="checkout-availability"}"#
        ),
        0.999
    );
    assert_eq!(
        get(&first, r#"slo_period_seconds{slo="checkout-availability"}"#),
        2_592_000.0
    );
    assert_eq!(
        get(&first, r#"slo_period_seconds{slo="cart.v2_latency"}"#),
        604_800.0
    );
    for (window, rate) in &checkout_status.burn_rates.0 {
        let got = get(
            &first,
            &format!(r#"slo_burn_rate{{slo="checkout-availability",window="{window}"}}"#),
        );
        assert!((got - rate.unwrap()).abs() < 1e-9, "{window}");
    }
    assert!(
        (get(
            &first,
            r#"slo_burn_rate{slo="checkout-availability",window="5m"}"#
        ) - 20.0)
            .abs()
            < 1e-9
    );
    assert!(
        get(
            &first,
            r#"slo_burn_rate{slo="cart.v2_latency",window="1m10s"}"#
        )
        .is_nan()
    );
    assert!(
        (get(
            &first,
            r#"slo_error_budget_remaining_ratio{slo="checkout-availability"}"#
        ) - checkout_status.error_budget.remaining_ratio)
            .abs()
            < 1e-9
    );
    assert_eq!(
        get(
            &first,
            r#"slo_alert_firing{slo="checkout-availability",severity="page",long_window="1h",short_window="5m"}"#
        ),
        1.0
    );
    assert_eq!(
        get(
            &first,
            r#"slo_alert_firing{slo="cart.v2_latency",severity="page",long_window="14m",short_window="1m10s"}"#
        ),
        0.0
    );
    assert!(
        get(
            &first,
            r#"slo_window_coverage_ratio{slo="checkout-availability"}"#
        ) > 0.0
    );
    // Only the SLO with budget alerts has the series: no event in 90 s.
    assert_eq!(
        get(
            &first,
            r#"slo_budget_alert_firing{slo="cart.v2_latency",condition="no_data",severity="ticket"}"#
        ),
        1.0
    );
    assert_eq!(
        get(
            &first,
            r#"slo_budget_alert_firing{slo="cart.v2_latency",condition="remaining_below",severity="ticket"}"#
        ),
        0.0
    );
    assert_eq!(
        first
            .keys()
            .filter(|k| k.starts_with("slo_budget_alert_firing"))
            .count(),
        2
    );

    // The journey's gauges are its status', label for label.
    let journey = &registry.status().journeys[0];
    for (window, rate) in &journey.burn_rates.0 {
        let series = format!(r#"slo_journey_burn_rate{{journey="purchase",window="{window}"}}"#);
        let got = get(&first, &series);
        match rate {
            Some(rate) => assert!((got - rate).abs() < 1e-12, "{series}: {got} vs {rate}"),
            None => assert!(got.is_nan(), "{series}"),
        }
    }
    assert!(
        get(
            &first,
            r#"slo_journey_burn_rate{journey="purchase",window="1h"}"#
        ) > 0.0
    );
    assert_eq!(
        get(
            &first,
            r#"slo_journey_error_budget_remaining_ratio{journey="purchase"}"#
        ),
        journey.error_budget.remaining_ratio
    );
    for alert in &journey.alerts {
        let series = format!(
            r#"slo_journey_alert_firing{{journey="purchase",severity="{}",long_window="{}",short_window="{}"}}"#,
            alert.severity.as_str(),
            alert.long_window,
            alert.short_window
        );
        assert_eq!(get(&first, &series), f64::from(u8::from(alert.firing)));
    }

    // More events: counters and histogram stay cumulative and exact.
    let search = registry.handle("search-latency").unwrap();
    search.record_latency(Duration::from_millis(3), true);
    search.record_latency(Duration::from_secs(3), true);
    let second = samples(&exporter.render());
    assert_eq!(bucket(&second, "0.005"), 3.0);
    assert_eq!(bucket(&second, "2.5"), 10.0);
    assert_eq!(bucket(&second, "5"), 11.0);
    assert_eq!(bucket(&second, "+Inf"), 12.0);
    let got_sum = get(&second, r#"slo_latency_seconds_sum{slo="search-latency"}"#);
    assert!((got_sum - (sum + 3.003)).abs() < 1e-9);
    // Rendering again without events changes nothing.
    assert_eq!(samples(&exporter.render()).len(), second.len());
    assert_eq!(bucket(&samples(&exporter.render()), "+Inf"), 12.0);
}

#[test]
fn the_bridge_works_on_a_per_test_local_recorder() {
    let (registry, _clock) = registry();
    let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
    let handle = recorder.handle();
    let bridge =
        metrics::with_local_recorder(&recorder, || PrometheusBridge::register_current(&registry));
    registry
        .handle("checkout-availability")
        .unwrap()
        .record(false);
    bridge.sync();
    let text = handle.render();
    assert!(
        text.contains(r#"slo_events_total{slo="checkout-availability",outcome="bad"} 1"#),
        "{text}"
    );
    // Help texts are there.
    assert!(text.contains("# HELP slo_burn_rate "), "{text}");
    assert!(text.contains("# TYPE slo_events_total counter"), "{text}");
}

#[test]
fn promtool_accepts_the_exposition() {
    let (registry, clock) = registry();
    let exporter = PrometheusExporter::new(&registry).unwrap();
    registry
        .handle("search-latency")
        .unwrap()
        .record_latency(Duration::from_millis(30), true);
    registry
        .handle("checkout-availability")
        .unwrap()
        .record(true);
    clock.advance(Duration::from_secs(60));
    registry.tick();
    let text = exporter.render();
    if !slo_test_support::require(
        "promtool",
        slo_test_support::runs("promtool", &["--version"]),
        "apt-get install prometheus",
    ) {
        return;
    }
    let out = slo_test_support::pipe("promtool", &["check", "metrics"], &text);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool: {report}\n{text}");
    assert!(
        report.trim().is_empty(),
        "promtool has remarks: {report}\n{text}"
    );
}

/// The preset writes the SLO series itself; the bridge puts them on a
/// `metrics` recorder. Fed the same events, both expose the same series
/// with the same values, histogram buckets included.
#[test]
fn the_preset_and_the_bridge_expose_the_same_series() {
    let (registry, clock) = registry();
    let exporter = PrometheusExporter::new(&registry).unwrap();
    let recorder = slo_prometheus::with_slo_buckets(
        metrics_exporter_prometheus::PrometheusBuilder::new(),
        &registry,
    )
    .unwrap()
    .build_recorder();
    let handle = recorder.handle();
    let bridge =
        metrics::with_local_recorder(&recorder, || PrometheusBridge::register_current(&registry));
    let checkout = registry.handle("checkout-availability").unwrap();
    let search = registry.handle("search-latency").unwrap();
    let cart = registry.handle("cart.v2_latency").unwrap();
    for round in 0..3u64 {
        for i in 0..200u64 {
            checkout.record(i % 17 != 0);
            search.record_latency(Duration::from_micros(i * 997 + round), i % 13 != 0);
            cart.record_latency(Duration::from_millis(i * 23), true);
        }
        cart.record_excluded(slo_core::Exclusion::ClientCancelled);
        clock.advance(Duration::from_secs(60));
        registry.tick();
        // Both copy the new observations at every round.
        exporter.sync();
        bridge.sync();
        handle.run_upkeep();
    }
    let ours = samples(&exporter.render());
    let theirs = samples(&handle.render());
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "different series"
    );
    for (series, value) in &ours {
        let other = theirs[series];
        let same = (value.is_nan() && other.is_nan())
            || (value - other).abs() <= 1e-9 * value.abs().max(1.0);
        assert!(same, "{series}: preset {value}, bridge {other}");
    }
    assert!(ours.len() > 60, "{}", ours.len());
}
