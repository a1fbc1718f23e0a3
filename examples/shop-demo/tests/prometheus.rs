//! A real Prometheus (Debian's 2.42) scrapes the running demo: PromQL over
//! the raw counters agrees with the demo's own live `slo_burn_rate`, and
//! `promtool check metrics` accepts `/metrics`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{get, have, listening, query};

#[test]
fn prometheus_burn_rate_over_raw_counters_matches_the_live_gauge() {
    if !have("prometheus") || !have("promtool") {
        return;
    }
    // Steady traffic, 10% of every route failing, evenly spread; no incident.
    let demo = common::demo(&[
        "--rate",
        "400",
        "--error-rate",
        "0.1",
        "--incident-after",
        "1h",
        "--report-every",
        "1h",
    ]);
    let demo_addr = listening(&demo);

    // promtool on the live exposition.
    let metrics = get(&demo_addr, "/metrics");
    let checked = slo_test_support::pipe("promtool", &["check", "metrics"], &metrics);
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );

    let dir = std::env::temp_dir().join(format!("slo-prometheus-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: shop\n    static_configs:\n      - targets: ['{demo_addr}']\n"
        ),
    )
    .unwrap();
    let (_prometheus, prometheus_addr) = common::prometheus(&config, &dir);
    // PromQL: event-weighted error ratio over the raw counters, over the budget.
    let promql = r#"sum by (slo) (rate(slo_events_total{outcome="bad"}[15s])) / sum by (slo) (rate(slo_events_total[15s])) / on (slo) (1 - slo_objective_ratio)"#;
    let deadline = Instant::now() + Duration::from_secs(60);
    // Wait for Prometheus, then for ten scrapes in the rate's range.
    let computed = loop {
        std::thread::sleep(Duration::from_secs(1));
        assert!(
            Instant::now() < deadline,
            "Prometheus never had 10 scrapes of the demo"
        );
        if TcpStream::connect(&prometheus_addr).is_err() {
            continue;
        }
        let scrapes = query(
            &prometheus_addr,
            "count_over_time(slo_objective_ratio[15s])",
        );
        if scrapes.len() == 4 && scrapes.iter().all(|(_, n)| *n >= 10.0) {
            break query(&prometheus_addr, promql);
        }
    };
    let live = query(&prometheus_addr, r#"slo_burn_rate{window="5m"}"#);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(computed.len(), 4, "{computed:?}");
    for (slo, promql_rate) in &computed {
        let (_, gauge) = live.iter().find(|(s, _)| s == slo).unwrap();
        let expected = 0.1
            / match slo.as_str() {
                "checkout-availability" => 0.001,
                "cart-availability" => 0.005,
                _ => 0.01,
            };
        assert!(
            ((promql_rate - gauge) / gauge).abs() < 0.02,
            "{slo}: PromQL {promql_rate} vs live {gauge}"
        );
        assert!(
            ((gauge - expected) / expected).abs() < 0.02,
            "{slo}: live {gauge} vs {expected}"
        );
    }
}
