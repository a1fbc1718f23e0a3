//! `--prefill 7d`: the demo starts as if it had served a week of steady
//! traffic with one small incident, through the restore path: `/slo` says
//! the history is simulated and covers 7d of 30d, every window holds the
//! simulated traffic, the page says over how long the budget was computed,
//! and a restart from its state file continues the simulated week.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::{get, listening};
use serde_json::Value;

/// The demo's objectives, and its default rate shared by its four SLOs.
const SLOS: [(&str, f64); 4] = [
    ("checkout-availability", 0.999),
    ("cart-availability", 0.995),
    ("search-latency", 0.99),
    ("search-quality", 0.99),
];
const PER_SLO: f64 = 200.0 / 4.0;
const WEEK: f64 = 7.0 * 86_400.0;

fn within(what: &str, got: f64, want: f64, tolerance: f64) {
    assert!(
        ((got - want) / want).abs() <= tolerance,
        "{what}: {got} is not within {tolerance} of {want}"
    );
}

fn html(addr: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /slo HTTP/1.1\r\nHost: demo\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    text
}

fn check_week(json: &Value) {
    for (slo, (name, objective)) in json["slos"].as_array().unwrap().iter().zip(SLOS) {
        assert_eq!(slo["name"], name);
        let budget = 1.0 - objective;
        within(
            &format!("{name} coverage"),
            slo["coverage_ratio"].as_f64().unwrap(),
            7.0 / 30.0,
            0.001,
        );
        let total = slo["events"]["total"].as_f64().unwrap();
        within(&format!("{name} events"), total, PER_SLO * WEEK, 0.001);
        let burn = |w: &str| slo["burn_rates"][w].as_f64().unwrap();
        // A third of the budget's rate, steadily.
        for window in ["1h", "6h", "1d"] {
            within(&format!("{name} {window}"), burn(window), 1.0 / 3.0, 0.01);
        }
        // The incident (20 minutes at ten times the budget's rate, 2⅓ days
        // back) is in the 3d window and the period, not in the last day.
        let incident = 1200.0 * (10.0 - 1.0 / 3.0);
        within(
            &format!("{name} 3d"),
            burn("3d"),
            1.0 / 3.0 + incident / (3.0 * 86_400.0),
            0.01,
        );
        within(
            &format!("{name} 30d"),
            burn("30d"),
            1.0 / 3.0 + incident / WEEK,
            0.01,
        );
        // Spent: the week's burn rate over the week seen of 30 days.
        within(
            &format!("{name} consumed"),
            slo["error_budget"]["consumed_ratio"].as_f64().unwrap(),
            burn("30d") * 7.0 / 30.0,
            0.001,
        );
        assert!(slo["events"]["bad"].as_f64().unwrap() > total * budget / 4.0);
        assert_eq!(slo["status"], "healthy", "{slo}");
    }
}

#[test]
fn a_prefilled_demo_looks_a_week_old_and_says_it_is_simulated() {
    let dir = std::env::temp_dir().join(format!("shop-demo-prefill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("shop.slo-state");
    let state = state.to_str().unwrap();
    // A state file from an earlier run is replaced by the simulation.
    std::fs::write(state, "not a state file").unwrap();

    let demo = common::demo(&["--no-load", "--prefill", "7d", "--state-file", state]);
    let addr = listening(&demo);
    let json: Value = serde_json::from_str(&get(&addr, "/slo")).unwrap();
    assert_eq!(
        json["history"]["sources"],
        serde_json::json!(["simulated"]),
        "{json}"
    );
    check_week(&json);
    let page = html(&addr);
    assert!(
        page.contains("simulated"),
        "the page does not say simulated"
    );
    assert!(
        page.contains("over the 7d seen of 30d"),
        "the page does not say over how long"
    );

    // SIGTERM: a graceful stop writes the state; the next run continues it.
    let status = std::process::Command::new("kill")
        .arg(demo.child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let mut demo = demo;
    demo.child.wait().unwrap();
    let again = common::demo(&["--no-load", "--state-file", state]);
    let addr = listening(&again);
    let json: Value = serde_json::from_str(&get(&addr, "/slo")).unwrap();
    assert_eq!(
        json["history"]["sources"],
        serde_json::json!(["simulated", "state_file"]),
        "{json}"
    );
    check_week(&json);
    drop(again);
    let _ = std::fs::remove_dir_all(&dir);
}
