//! The budget alerts, in the process and in the fleet: the demo, scraped
//! by a real Prometheus that evaluates the generated rules, delivers its
//! in-process alerts to a real Alertmanager, and Prometheus alerts to the
//! same one. Checkout fails half its requests until its budget is spent;
//! cart gets no traffic at all. Once the process has seen its budget spent
//! (its remaining budget is weighted by how much of the period it has
//! seen, so a young process reaches it later than the fleet's rules do),
//! the Alertmanager holds the same budget alerts from both, with the same
//! labels but the demo's `instance`: `SLOErrorBudgetLow` and
//! `SLOErrorBudgetExhausted` for checkout, `SLONoData` for cart, and no
//! `SLOErrorBudgetExhaustionSoon` (it is silent once the budget is spent).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{Peer, free_port, get, have, listening, request};
use serde_json::Value;
use slo::Spec;
use slo_test_support::{Alertmanager, Webhook};

const SPEC: &str = r#"
service: shop
slos:
  - name: checkout-availability
    objective: 99.9%
    period: 1d
    match: {routes: ["POST /checkout"]}
    alerting:
      budget: {remaining_below: 25%, exhausted_within: 1h}
  - name: cart-availability
    objective: 99.5%
    period: 1d
    match: {routes: ["GET /cart/{id}"]}
    alerting:
      no_data: 30s
"#;

/// The budget alerts' names.
const BUDGET_ALERTS: [&str; 4] = [
    "SLOErrorBudgetLow",
    "SLOErrorBudgetExhaustionSoon",
    "SLOErrorBudgetExhausted",
    "SLONoData",
];

/// The budget alerts the Alertmanager holds, each as its labels in JSON
/// text: the demo's (with its `instance`, which is then left out) and the
/// fleet's (without one).
fn held(am: &Alertmanager, instance: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut ours, mut fleet) = (BTreeSet::new(), BTreeSet::new());
    for alert in am.alerts() {
        if alert["status"]["state"] != "active" {
            continue;
        }
        let mut labels = alert["labels"].clone();
        let name = labels["alertname"].as_str().unwrap_or_default().to_owned();
        if !BUDGET_ALERTS.contains(&name.as_str()) {
            continue;
        }
        match labels.as_object_mut().unwrap().remove("instance") {
            Some(from) => {
                assert_eq!(from, instance);
                ours.insert(labels.to_string());
            }
            None => {
                fleet.insert(labels.to_string());
            }
        }
    }
    (ours, fleet)
}

#[test]
fn prometheus_on_the_scraped_demo_fires_the_budget_alerts_the_demo_fires() {
    if !have("prometheus") {
        return;
    }
    let webhook = Webhook::start();
    let Some(am) = Alertmanager::start(&webhook.url) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("slo-demo-budget-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec_path = dir.join("spec.yaml");
    std::fs::write(&spec_path, SPEC).unwrap();
    let listen = format!("127.0.0.1:{}", free_port());
    let mut command = Command::new(env!("CARGO_BIN_EXE_shop-demo"));
    command.args(["--listen", &listen, "--spec", spec_path.to_str().unwrap()]);
    command.args(["--no-state", "--no-load", "--error-rate", "0.5"]);
    command.args(["--report-every", "1h", "--alertmanager", &am.url]);
    command.args(["--alertmanager-interval", "2s"]);
    let _demo = Peer::spawn(command);
    assert_eq!(listening(&_demo), listen);

    let spec = Spec::from_yaml(SPEC).unwrap();
    let (_prometheus, _) = common::prometheus_alerting(&spec, &listen, am.port, &dir);

    // Checkouts, half of them failing, until the test ends.
    let stop = Arc::new(AtomicBool::new(false));
    let driver = {
        let (stop, addr) = (Arc::clone(&stop), listen.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                request(&addr, "POST", "/checkout");
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };

    // At 50% bad the burn rate is 500: a 1d budget is spent, as the
    // process weights it, once it has seen 1d / 500 = 173 s.
    let deadline = Instant::now() + Duration::from_secs(330);
    let (ours, fleet) = loop {
        let (ours, fleet) = held(&am, &listen);
        let json: Value = serde_json::from_str(&get(&listen, "/slo")).unwrap();
        let spent = json["slos"][0]["error_budget"]["remaining_ratio"]
            .as_f64()
            .is_some_and(|r| r <= 0.0);
        if spent && ours.len() == 3 && ours == fleet {
            break (ours, fleet);
        }
        assert!(
            Instant::now() < deadline,
            "the demo's and the fleet's budget alerts never agreed:\nthe demo's {ours:#?}\nthe fleet's {fleet:#?}"
        );
        std::thread::sleep(Duration::from_secs(2));
    };
    stop.store(true, Ordering::Relaxed);
    driver.join().unwrap();

    let names: Vec<(String, String)> = ours
        .iter()
        .map(|labels| {
            let labels: Value = serde_json::from_str(labels).unwrap();
            (
                labels["alertname"].as_str().unwrap().to_owned(),
                labels["slo"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("SLOErrorBudgetExhausted", "checkout-availability"),
            ("SLOErrorBudgetLow", "checkout-availability"),
            ("SLONoData", "cart-availability"),
        ]
        .map(|(a, s)| (a.to_owned(), s.to_owned()))
    );
    // The labels both carry, one alert in full.
    let low: Value = serde_json::from_str(
        fleet
            .iter()
            .find(|l| l.contains("SLOErrorBudgetLow"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(low["condition"], "remaining_below", "{low}");
    assert_eq!(low["sloth_slo"], "checkout-availability", "{low}");
    assert_eq!(low["sloth_service"], "shop", "{low}");
    let _ = std::fs::remove_dir_all(&dir);
}
