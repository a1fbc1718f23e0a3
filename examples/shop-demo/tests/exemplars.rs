//! Exemplars in a real Prometheus: Prometheus 2.42 with
//! `--enable-feature=exemplar-storage` scrapes the demo (`--error-rate 0.3`)
//! as OpenMetrics while requests carrying W3C `traceparent` headers arrive;
//! `/api/v1/query_exemplars` answers exemplars on the bad counter and on the
//! latency buckets whose trace ids are ones this test sent, each in the
//! bucket of its latency. The plain text scrape stays clean for
//! `promtool check metrics`, and neither format shows a raw path or a
//! hostile header.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{encode, get, listening, send};
use serde_json::Value;

fn trace_id(i: u64) -> String {
    format!(
        "{:032x}",
        (u128::from(i) + 7).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834)
    )
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// `(series labels, trace id, value)` of every exemplar of `query` over
/// the last ten minutes.
fn exemplars(prometheus: &str, query: &str) -> Vec<(Value, String, f64)> {
    let end = now() + 60.0;
    let body = get(
        prometheus,
        &format!(
            "/api/v1/query_exemplars?query={}&start={}&end={end}",
            encode(query),
            end - 660.0
        ),
    );
    let answer: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{body}"));
    assert_eq!(answer["status"], "success", "{body}");
    let mut found = Vec::new();
    for series in answer["data"].as_array().unwrap() {
        for exemplar in series["exemplars"].as_array().unwrap() {
            found.push((
                series["seriesLabels"].clone(),
                exemplar["labels"]["trace_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                exemplar["value"].as_str().unwrap().parse().unwrap(),
            ));
        }
    }
    found
}

#[test]
fn prometheus_stores_exemplars_whose_trace_ids_we_sent() {
    if !common::have("prometheus") || !common::have("promtool") {
        return;
    }
    let demo = common::demo(&[
        "--no-load",
        "--error-rate",
        "0.3",
        "--recent-bad",
        "20",
        "--report-every",
        "1h",
    ]);
    let addr = listening(&demo);
    let dir = std::env::temp_dir().join(format!("slo-exemplars-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: shop\n    static_configs:\n      - targets: ['{addr}']\n"
        ),
    )
    .unwrap();
    let (_prometheus, prometheus) = common::prometheus_with(
        &dir.join("prometheus.yml"),
        &dir,
        &["--enable-feature=exemplar-storage"],
    );
    common::wait_until_ready(&prometheus, "/-/ready", "Prometheus");

    // Bad checkouts and searches with trace ids, over several scrapes, and
    // hostile input that must leave nothing: unknown paths with valid
    // trace ids, known paths with malformed ones.
    let mut sent = HashSet::new();
    let hostile_path = "/admin/secret-zq9x?token=hunter2";
    let hostile_header = "00-<script>alert(1)</script>-00f067aa0ba902b7-01";
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut i = 0u64;
    let (checkout, search) = loop {
        for _ in 0..40 {
            let id = trace_id(i);
            let traceparent = format!("00-{id}-00f067aa0ba902b7-01");
            let (method, path) = if i.is_multiple_of(2) {
                ("POST", "/checkout".to_owned())
            } else {
                ("GET", format!("/search?q=item{i}"))
            };
            send(&addr, method, &path, &[("traceparent", &traceparent)]);
            sent.insert(id);
            let other = format!("00-{}-00f067aa0ba902b7-01", trace_id(1_000_000 + i));
            send(&addr, "GET", hostile_path, &[("traceparent", &other)]);
            send(
                &addr,
                "POST",
                "/checkout",
                &[("traceparent", hostile_header)],
            );
            i += 1;
        }
        std::thread::sleep(Duration::from_millis(1200));
        let checkout = exemplars(
            &prometheus,
            r#"slo_events_total{slo="checkout-availability",outcome="bad"}"#,
        );
        let search = exemplars(
            &prometheus,
            r#"slo_latency_seconds_bucket{slo="search-latency"}"#,
        );
        if checkout.len() >= 3 && search.len() >= 3 {
            break (checkout, search);
        }
        assert!(
            Instant::now() < deadline,
            "too few exemplars stored: {checkout:?} {search:?}"
        );
    };

    for (labels, id, value) in &checkout {
        assert!(
            sent.contains(id),
            "an exemplar we did not send: {id} {labels}"
        );
        assert_eq!(labels["outcome"], "bad");
        assert_eq!(*value, 1.0);
    }
    let mut buckets = HashSet::new();
    for (labels, id, value) in &search {
        assert!(
            sent.contains(id),
            "an exemplar we did not send: {id} {labels}"
        );
        let le: f64 = match labels["le"].as_str().unwrap() {
            "+Inf" => f64::INFINITY,
            le => le.parse().unwrap(),
        };
        assert!(*value <= le && *value > 0.0, "{value} s in bucket {le}");
        buckets.insert(labels["le"].as_str().unwrap().to_owned());
    }
    // The good outcome carries none.
    assert!(exemplars(&prometheus, r#"slo_events_total{outcome="good"}"#).is_empty());
    // Only bad events are exemplars: every bucket's is the latency of one.
    assert!(!buckets.is_empty());

    // The formats as the demo serves them.
    let (_, openmetrics) = send(
        &addr,
        "GET",
        "/metrics",
        &[("accept", "application/openmetrics-text;version=1.0.0")],
    );
    assert!(openmetrics.contains("# {trace_id=\""), "{openmetrics}");
    assert!(openmetrics.trim_end().ends_with("# EOF"));
    let plain = get(&addr, "/metrics");
    assert!(!plain.contains("trace_id"));
    for text in [&openmetrics, &plain] {
        assert!(!text.contains("secret-zq9x") && !text.contains("hunter2"));
        assert!(!text.contains("<script>"));
        assert!(
            !text.contains(&trace_id(1_000_000)),
            "an unknown path's trace"
        );
    }
    let out = slo_test_support::pipe("promtool", &["check", "metrics"], &plain);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && report.trim().is_empty(),
        "promtool: {report}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
