//! The demo as a user runs it: a real process, real HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Peer, listening, request};

/// The demo with `args`, and its address.
fn start(args: &[&str]) -> (Peer, String) {
    let demo = common::demo(args);
    let addr = listening(&demo);
    (demo, addr)
}

fn slo(addr: &str, name: &str) -> serde_json::Value {
    common::slo_named(addr, name)
}

fn page_firing(slo: &serde_json::Value) -> bool {
    slo["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["severity"] == "page" && a["firing"] == true)
}

#[test]
fn the_incident_pages_within_seconds_and_the_status_lines_say_so() {
    let (demo, addr) = start(&[
        "--incident-after",
        "2s",
        "--incident-for",
        "60s",
        "--rate",
        "300",
        "--report-every",
        "1s",
    ]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let checkout = slo(&addr, "checkout-availability");
        if page_firing(&checkout) {
            assert!(checkout["events"]["bad"].as_u64().unwrap() > 0);
            break;
        }
        assert!(Instant::now() < deadline, "no page fired: {checkout}");
        std::thread::sleep(Duration::from_millis(250));
    }
    // The untouched SLO stays healthy.
    let cart = slo(&addr, "cart-availability");
    assert_eq!(cart["status"], "healthy", "{cart}");
    assert!(cart["events"]["total"].as_u64().unwrap() > 0);
    // The live status lines show the page.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let line = demo.lines.recv_timeout(Duration::from_secs(10)).unwrap();
        if line.starts_with("checkout-availability") && line.contains("FIRING PAGE 1h/5m") {
            break;
        }
        assert!(Instant::now() < deadline, "no status line shows the page");
    }
    // The HTML page is served too.
    let (status, page) = request(&addr, "GET", "/slo?format=html");
    assert_eq!(status, 200);
    assert!(page.contains("PAGE 1h/5m"));
}

#[test]
fn injected_errors_and_slowness_are_counted_exactly() {
    let (_demo, addr) = start(&["--no-load", "--error-rate", "1", "--slow-rate", "1"]);
    for _ in 0..5 {
        assert_eq!(request(&addr, "POST", "/checkout").0, 503);
    }
    for id in 0..3 {
        assert_eq!(request(&addr, "GET", &format!("/cart/{id}")).0, 503);
    }
    assert_eq!(request(&addr, "GET", "/search?q=tea").0, 503);
    // /slo itself is not measured.
    let checkout = slo(&addr, "checkout-availability");
    assert_eq!(
        checkout["events"],
        serde_json::json!({"good": 0, "bad": 5, "total": 5})
    );
    let cart = slo(&addr, "cart-availability");
    assert_eq!(
        cart["events"],
        serde_json::json!({"good": 0, "bad": 3, "total": 3})
    );
    let search = slo(&addr, "search-latency");
    assert_eq!(search["events"]["bad"], 1);
    // Why: the 503s are server errors, everywhere the reasons are shown.
    assert_eq!(
        checkout["bad_reasons"],
        serde_json::json!({"server_error": 5})
    );
    assert_eq!(cart["bad_reasons"], serde_json::json!({"server_error": 3}));
    assert_eq!(
        search["bad_reasons"],
        serde_json::json!({"server_error": 1})
    );
    let (_, metrics) = request(&addr, "GET", "/metrics");
    for (slo, count) in [("checkout-availability", 5), ("cart-availability", 3)] {
        for reason in slo::reasons::BadReason::ALL {
            let want = if reason.as_str() == "server_error" {
                count
            } else {
                0
            };
            let line = format!(
                "slo_bad_events_total{{slo=\"{slo}\",reason=\"{}\"}} {want}",
                reason.as_str()
            );
            assert!(
                metrics.lines().any(|l| l == line),
                "{line} missing:\n{metrics}"
            );
        }
    }
    // /rules serves the Prometheus rules of the demo's own spec, unmeasured.
    let (status, rules) = request(&addr, "GET", "/rules");
    assert_eq!(status, 200);
    for name in [
        "checkout-availability",
        "cart-availability",
        "search-latency",
    ] {
        assert!(
            rules.contains(&format!("- name: slo-alerts-shop-{name}")),
            "{rules}"
        );
    }
    assert!(
        rules.contains("record: slo:sli_error:ratio_rate30d"),
        "{rules}"
    );
    assert_eq!(slo(&addr, "checkout-availability")["events"]["total"], 5);
}

#[test]
fn slow_requests_break_only_the_latency_slo() {
    let (_demo, addr) = start(&["--no-load", "--slow-rate", "1"]);
    for _ in 0..2 {
        assert_eq!(request(&addr, "GET", "/search?q=tea").0, 200);
        assert_eq!(request(&addr, "POST", "/checkout").0, 201);
    }
    let search = slo(&addr, "search-latency");
    assert_eq!(
        search["events"],
        serde_json::json!({"good": 0, "bad": 2, "total": 2})
    );
    assert_eq!(search["bad_reasons"], serde_json::json!({"slow": 2}));
    let checkout = slo(&addr, "checkout-availability");
    assert_eq!(
        checkout["events"],
        serde_json::json!({"good": 2, "bad": 0, "total": 2})
    );
}

/// Searches from the stale cache: answered (200), fast, and marked
/// `slo::Degraded`, so search-quality counts them bad (reason `degraded`)
/// and search-latency does not.
#[test]
fn stale_searches_fail_only_search_quality() {
    let (_demo, addr) = start(&["--no-load", "--degraded-rate", "0.5"]);
    for _ in 0..4 {
        let (status, body) = request(&addr, "GET", "/search?q=tea");
        assert_eq!(status, 200);
        assert!(body.contains("teapot"), "{body}");
    }
    let quality = slo(&addr, "search-quality");
    assert_eq!(
        quality["events"],
        serde_json::json!({"good": 2, "bad": 2, "total": 4})
    );
    assert_eq!(quality["sli"], serde_json::json!({"kind": "quality"}));
    assert_eq!(quality["bad_reasons"], serde_json::json!({"degraded": 2}));
    let latency = slo(&addr, "search-latency");
    assert_eq!(latency["events"]["bad"], 0, "{latency}");
    let (_, metrics) = request(&addr, "GET", "/metrics");
    let line = r#"slo_bad_events_total{slo="search-quality",reason="degraded"} 2"#;
    assert!(
        metrics.lines().any(|l| l == line),
        "{line} missing:\n{metrics}"
    );
}

#[test]
fn bad_flags_and_specs_are_refused_with_a_clear_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_shop-demo"))
        .args(["--error-rate", "5"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a ratio between 0 and 1"));
    let dir = std::env::temp_dir().join(format!("shop-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("bad.yaml");
    std::fs::write(
        &spec,
        "service: shop\nslos:\n  - name: x\n    objective: 1.5\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_shop-demo"))
        .args(["--listen", "127.0.0.1:0", "--spec"])
        .arg(&spec)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.yaml:4:"), "{stderr}");
    assert!(stderr.contains("objective"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
