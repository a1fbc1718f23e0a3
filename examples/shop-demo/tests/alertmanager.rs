//! `--alertmanager`: the demo's in-process alerts through a real
//! Alertmanager (Debian's `prometheus-alertmanager`) to a webhook the test
//! runs, next to a real Prometheus evaluating the generated rules and
//! alerting to the same Alertmanager.
//!
//! - With `--error-rate 0.5` the page reaches the webhook within 30 s with
//!   the generated rules' `ALERTS` labels, and groups with the fleet rules' alert for
//!   the same SLO under `group_by: [alertname, slo]` (the two differ only
//!   by the demo's `instance`); restarted without faults, it resolves.
//! - Against Alertmanagers that refuse, hang, fail or babble, the demo's
//!   p99 latency over 10,000 requests stays within noise of a run without
//!   any, its memory stays flat, and SIGTERM ends it within its bound.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Peer, free_port, have, listening};
use serde_json::Value;
use slo::Spec;
use slo_test_support::{Alertmanager, Webhook};

/// The runbook checkout's alerts link to.
const RUNBOOK: &str = "https://runbooks.example.com/shop/checkout";

/// The demo's SLOs with a 1d period: the fastest page's windows are 2m and
/// 10s, so a restart without faults resolves it within seconds. Checkout
/// belongs to the payments team, with a runbook; the rest to the service's
/// owner.
fn spec_text() -> String {
    let checkout = format!(
        "{}    alerting: {{min_events: 20}}\n    owner: payments\n    tier: critical\n    annotations: {{runbook: \"{RUNBOOK}\"}}\n",
        common::CHECKOUT_1D
    );
    common::shop_spec(&[&checkout, common::CART_1D])
        .replace("service: shop\n", "service: shop\nowner: storefront\n")
}

fn demo_at(listen: &str, args: &[&str]) -> Peer {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shop-demo"));
    command.args(["--listen", listen]).args(args);
    Peer::spawn(command)
}

fn alerts_of(notification: &Value) -> Vec<Value> {
    notification["alerts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Our page for checkout: the 2m/10s tier from `instance`.
fn our_page<'a>(alerts: &'a [Value], instance: &str) -> Option<&'a Value> {
    alerts.iter().find(|a| {
        a["labels"]["instance"] == instance
            && a["labels"]["long_window"] == "2m"
            && a["labels"]["slo"] == "checkout-availability"
    })
}

fn terminate(peer: &mut Peer) -> Duration {
    let started = Instant::now();
    let _ = Command::new("kill")
        .args(["-TERM", &peer.child.id().to_string()])
        .status();
    let deadline = started + Duration::from_secs(30);
    loop {
        if peer.child.try_wait().unwrap().is_some() {
            return started.elapsed();
        }
        assert!(
            Instant::now() < deadline,
            "the demo did not exit on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn the_page_reaches_alertmanager_groups_with_the_rules_alert_and_resolves() {
    if !have("prometheus") {
        return;
    }
    let webhook = Webhook::start();
    let Some(am) = Alertmanager::start(&webhook.url) else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("slo-demo-am-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec_path = dir.join("spec.yaml");
    std::fs::write(&spec_path, spec_text()).unwrap();
    let state = dir.join("shop.slo-state");
    let listen = format!("127.0.0.1:{}", free_port());
    let common_args = [
        "--spec",
        spec_path.to_str().unwrap(),
        "--state-file",
        state.to_str().unwrap(),
        "--state-every",
        "1s",
        "--alertmanager",
        &am.url,
        "--alertmanager-interval",
        "2s",
        "--incident-after",
        "1h",
        "--report-every",
        "1h",
    ];
    let mut faulty: Vec<&str> = common_args.to_vec();
    faulty.extend(["--error-rate", "0.5"]);
    let started = Instant::now();
    let mut demo = demo_at(&listen, &faulty);
    assert_eq!(listening(&demo), listen);

    // The fleet's Prometheus on the generated rules, alerting to the same
    // Alertmanager.
    let spec = Spec::from_yaml(&spec_text()).unwrap();
    let (_prometheus, _) = common::prometheus_alerting(&spec, &listen, am.port, &dir);

    // Our page, within 30 s, with exactly the labels of the rules' `ALERTS`.
    let firing = webhook
        .wait_for(Duration::from_secs(30), |n| {
            our_page(&alerts_of(n), &listen).is_some_and(|a| a["status"] == "firing")
        })
        .expect("the demo's page reached the webhook within 30 s");
    assert!(started.elapsed() < Duration::from_secs(35));
    let alerts = alerts_of(&firing);
    let ours = our_page(&alerts, &listen).unwrap();
    let expected = serde_json::json!({
        "alertname": "SLOErrorBudgetBurn",
        "slo": "checkout-availability",
        "severity": "page",
        "sloth_severity": "page",
        "long_window": "2m",
        "short_window": "10s",
        "sloth_id": "shop-checkout-availability",
        "sloth_service": "shop",
        "sloth_slo": "checkout-availability",
        "owner": "payments",
        "tier": "critical",
        "instance": listen,
    });
    assert_eq!(ours["labels"], expected, "{firing}");
    assert_eq!(ours["annotations"]["runbook_url"], RUNBOOK, "{ours}");
    assert_eq!(ours["generatorURL"], format!("http://{listen}/slo"));
    assert!(
        ours["annotations"]["description"]
            .as_str()
            .unwrap()
            .contains("over the last 2m"),
        "{ours}"
    );

    // One notification holds both: the rules' alert carries the same
    // labels but the instance (the rules sum over every instance).
    let grouped = webhook
        .wait_for(Duration::from_secs(60), |n| {
            let alerts = alerts_of(n);
            n["groupLabels"]
                == serde_json::json!({"alertname": "SLOErrorBudgetBurn", "slo": "checkout-availability"})
                && our_page(&alerts, &listen).is_some()
                && alerts.iter().any(|a| {
                    a["labels"].get("instance").is_none() && a["labels"]["long_window"] == "2m"
                })
        })
        .expect("the rules' alert and ours in one notification");
    let alerts = alerts_of(&grouped);
    let fleet = alerts
        .iter()
        .find(|a| a["labels"].get("instance").is_none() && a["labels"]["long_window"] == "2m")
        .unwrap();
    let mut without_instance = expected.clone();
    without_instance.as_object_mut().unwrap().remove("instance");
    assert_eq!(fleet["labels"], without_instance, "{grouped}");
    assert_eq!(fleet["annotations"]["runbook_url"], RUNBOOK, "{fleet}");

    // Restarted without faults (the same state file and address), the
    // page resolves.
    terminate(&mut demo);
    let calm = demo_at(&listen, &common_args);
    assert_eq!(listening(&calm), listen);
    let resolved = webhook
        .wait_for(Duration::from_secs(90), |n| {
            our_page(&alerts_of(n), &listen).is_some_and(|a| a["status"] == "resolved")
        })
        .expect("the page resolved");
    let ours = our_page(&alerts_of(&resolved), &listen).cloned().unwrap();
    assert_eq!(ours["labels"], expected);
    drop(calm);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An Alertmanager that says `response` to every request (or hangs).
fn hostile(response: Option<&'static [u8]>) -> String {
    format!("http://{}", slo_test_support::raw_peer(response))
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// `requests` of `GET /cart/N` over one keep-alive connection: each
/// request's latency.
fn drive_one(addr: &str, requests: usize) -> Vec<Duration> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_nodelay(true).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut latencies = Vec::with_capacity(requests);
    let mut buf = vec![0u8; 65536];
    for i in 0..requests {
        let started = Instant::now();
        write!(stream, "GET /cart/{} HTTP/1.1\r\nHost: demo\r\n\r\n", i + 1).unwrap();
        let mut got = Vec::new();
        loop {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "the demo closed the connection");
            got.extend_from_slice(&buf[..n]);
            if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if got.len() >= end + 4 + length {
                    break;
                }
            }
        }
        latencies.push(started.elapsed());
    }
    latencies
}

/// `requests` over eight connections at once: every latency.
fn drive(addr: &str, requests: usize) -> Vec<Duration> {
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let addr = addr.to_owned();
            std::thread::spawn(move || drive_one(&addr, requests / 8))
        })
        .collect();
    threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect()
}

fn p99(mut latencies: Vec<Duration>) -> Duration {
    latencies.sort();
    latencies[latencies.len() * 99 / 100]
}

#[test]
fn hostile_alertmanagers_cost_requests_nothing_and_shutdown_is_bounded() {
    let refusing = format!("http://127.0.0.1:{}", free_port());
    let hung = hostile(None);
    let failing = hostile(Some(
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 11\r\nConnection: close\r\n\r\ndisk full!\n",
    ));
    let babbling = hostile(Some(b"\x00\x01\x02 not HTTP \xff\r\n\r\n"));
    let base = [
        "--no-load",
        "--error-rate",
        "0.5",
        "--report-every",
        "1h",
        "--alertmanager-interval",
        "1s",
    ];
    let run = |with_notifier: bool| {
        let mut args: Vec<&str> = base.to_vec();
        if with_notifier {
            for url in [&refusing, &hung, &failing, &babbling] {
                args.extend(["--alertmanager", url.as_str()]);
            }
        }
        let mut demo = common::demo(&args);
        let addr = listening(&demo);
        let pid = demo.child.id();
        // Alerts fire at the first ticks: the notifier is busy failing.
        drive(&addr, 2_000);
        let warm = rss_kib(pid);
        let latencies = drive(&addr, 10_000);
        let end = rss_kib(pid);
        let took = terminate(&mut demo);
        (p99(latencies), warm, end, took)
    };
    let (quiet_p99, ..) = run(false);
    let (noisy_p99, warm, end, took) = run(true);
    eprintln!(
        "p99 without a notifier {quiet_p99:?}, with four hostile Alertmanagers {noisy_p99:?}"
    );
    assert!(
        noisy_p99 <= quiet_p99 * 2 + Duration::from_millis(5),
        "p99 {noisy_p99:?} against {quiet_p99:?} without a notifier"
    );
    assert!(
        end <= warm + warm / 10 + 2048,
        "memory grew from {warm} KiB to {end} KiB"
    );
    // The notifier's bound is 2 s; the rest of a graceful exit is quick.
    assert!(took < Duration::from_secs(5), "SIGTERM took {took:?}");
}
