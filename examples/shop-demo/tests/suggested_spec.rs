//! A spec from `slo suggest --format yaml` drives the demo: a day of the
//! demo's routes as OpenTelemetry request histograms in a real Prometheus
//! (backfilled with promtool), the suggestions written as a spec, and the
//! demo run on it: every suggested SLO counts the requests of its route.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{demo, listening, request};
use slo::fleet::report::ReportRange;
use slo::fleet::suggest::{Source, SuggestQuery, to_spec};
use slo_test_support::Engine;

/// 2026-11-01T00:00:00Z, and a day later.
const FROM: i64 = 1_793_491_200;
const TO: i64 = FROM + 86_400;
const STEP: i64 = 300;

/// The demo's routes: method, template, requests per step, failures per step.
const ROUTES: [(&str, &str, u64, u64); 3] = [
    ("POST", "/checkout", 100, 0),
    ("GET", "/search", 300, 1),
    ("GET", "/cart/{id}", 200, 1),
];

fn history() -> String {
    let mut lines: Vec<(i64, String)> = Vec::new();
    for (method, route, rate, failed) in ROUTES {
        for k in 0..=((TO - FROM) / STEP) {
            let time = FROM + k * STEP;
            for (status, per_step) in [("200", rate - failed), ("500", failed)] {
                let n = per_step * k as u64;
                let labels = format!(
                    "job=\"shop\",http_route=\"{route}\",http_request_method=\"{method}\",http_response_status_code=\"{status}\""
                );
                lines.push((
                    time,
                    format!("http_server_request_duration_seconds_count{{{labels}}} {n} {time}"),
                ));
                // 99.5% under 50ms, all under 250ms.
                for (le, share) in [("0.05", 0.995), ("0.25", 1.0), ("+Inf", 1.0)] {
                    let under = (n as f64 * share).floor();
                    lines.push((
                        time,
                        format!("http_server_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {under} {time}"),
                    ));
                }
            }
        }
    }
    lines.sort_by_key(|(time, _)| *time);
    let mut text = String::from("# TYPE http_server_request_duration_seconds histogram\n");
    for (_, line) in lines {
        text.push_str(&line);
        text.push('\n');
    }
    text.push_str("# EOF\n");
    text
}

#[test]
fn a_suggested_spec_drives_the_demo() {
    let Some(prometheus) = Engine::prometheus(&history(), None, "1m") else {
        return;
    };
    let suggestions = SuggestQuery::new(&prometheus.url())
        .unwrap()
        .service("shop")
        .run(Source::Http, ReportRange::new(FROM, TO).unwrap(), None)
        .unwrap();
    let yaml = to_spec(&suggestions, None, None).unwrap();
    let spec = slo::Spec::from_yaml(&yaml).unwrap();
    let names: Vec<&str> = spec.slos().iter().map(|s| s.name()).collect();
    assert_eq!(
        names,
        [
            "get-search-availability",
            "get-search-latency",
            "get-cart-id-availability",
            "get-cart-id-latency",
            "post-checkout-availability",
            "post-checkout-latency",
        ]
    );
    let path = std::env::temp_dir().join(format!("slo-suggested-{}.yaml", std::process::id()));
    std::fs::write(&path, &yaml).unwrap();
    let shop = demo(&[
        "--spec",
        path.to_str().unwrap(),
        "--no-load",
        "--report-every",
        "1h",
    ]);
    let addr = listening(&shop);
    for i in 0..20 {
        request(&addr, "GET", &format!("/search?q=lamp{i}"));
        request(&addr, "GET", &format!("/cart/{i}"));
        request(&addr, "POST", "/checkout");
    }
    let (status, body) = request(&addr, "GET", "/slo");
    assert_eq!(status, 200);
    let document: serde_json::Value = serde_json::from_str(&body).unwrap();
    for slo in document["slos"].as_array().unwrap() {
        let total = slo["events"]["total"].as_u64().unwrap();
        let excluded = &slo["excluded"];
        let left_out: u64 = ["maintenance", "cancelled", "status"]
            .iter()
            .map(|k| excluded[k].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(total + left_out, 20, "{slo}");
    }
    let _ = std::fs::remove_file(&path);
}
