//! The demo scraped and pushing at once: an OTLP receiver (Python,
//! opentelemetry-proto) decodes counts equal to the requests sent, and the
//! demo's `/metrics` shows the same numbers.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{free_port, listening, request, spawn};

#[test]
fn the_demo_pushes_otlp_with_the_numbers_it_serves_on_metrics() {
    if !slo_test_support::require(
        "python3 with grpcio and opentelemetry-proto",
        slo_test_support::runs("python3", &["-c", "import grpc, opentelemetry.proto"]),
        "pip install grpcio opentelemetry-proto",
    ) {
        return;
    }
    let (grpc_port, http_port) = (free_port(), free_port());
    let mut command = Command::new("python3");
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../crates/slo-otel/tests/otlp_receiver.py"
        ))
        .args([grpc_port.to_string(), http_port.to_string()]);
    let receiver = spawn(command);
    assert!(
        receiver
            .lines
            .recv_timeout(Duration::from_secs(20))
            .unwrap()
            .contains("ready")
    );

    let mut command = Command::new(env!("CARGO_BIN_EXE_shop-demo"));
    command.args(["--spec", &common::pinned_spec()]);
    command.args([
        "--listen",
        "127.0.0.1:0",
        "--no-state",
        "--no-load",
        "--error-rate",
        "0.25",
    ]);
    command.args([
        "--otlp-endpoint",
        &format!("http://127.0.0.1:{grpc_port}"),
        "--otlp-interval",
        "300ms",
    ]);
    let demo = spawn(command);
    let addr = listening(&demo);

    // 40 checkouts, a quarter of them failing (spread evenly: exactly 10).
    for _ in 0..40 {
        request(&addr, "POST", "/checkout");
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let (mut good, mut bad) = (None, None);
    while good != Some(30) || bad != Some(10) {
        assert!(
            Instant::now() < deadline,
            "the receiver saw good={good:?} bad={bad:?}"
        );
        let Ok(line) = receiver.lines.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        let row: serde_json::Value = serde_json::from_str(&line).unwrap();
        if row["name"] == "slo.events" && row["attrs"]["slo"] == "checkout-availability" {
            let value = row["value"].as_u64();
            match row["attrs"]["outcome"].as_str() {
                Some("good") => good = value,
                Some("bad") => bad = value,
                _ => {}
            }
        }
    }
    let (_, metrics) = request(&addr, "GET", "/metrics");
    assert!(
        metrics.contains(r#"slo_events_total{slo="checkout-availability",outcome="good"} 30"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"slo_events_total{slo="checkout-availability",outcome="bad"} 10"#),
        "{metrics}"
    );
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Median time of `n` sequential requests for `path`.
fn median_latency(addr: &str, path: &str, n: usize) -> Duration {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let start = Instant::now();
            assert_eq!(request(addr, "GET", path).0, 200);
            start.elapsed()
        })
        .collect();
    times.sort();
    times[n / 2]
}

#[test]
fn a_stalled_collector_neither_slows_requests_nor_grows_memory_nor_holds_up_exit() {
    // A collector that accepts connections and never answers.
    let stall = TcpListener::bind("127.0.0.1:0").unwrap();
    let stall_port = stall.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in stall.incoming() {
            held.push(stream);
        }
    });
    let demo_with = |otlp: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_shop-demo"));
        command.args(["--spec", &common::pinned_spec()]);
        command.args([
            "--listen",
            "127.0.0.1:0",
            "--no-state",
            "--rate",
            "200",
            "--incident-after",
            "1h",
            "--report-every",
            "1h",
        ]);
        command.args(["--exit-after", "10s"]);
        if otlp {
            command.args([
                "--otlp-endpoint",
                &format!("http://127.0.0.1:{stall_port}/v1/metrics"),
            ]);
            command.args(["--otlp-protocol", "http", "--otlp-interval", "200ms"]);
        }
        spawn(command)
    };
    // Control: the same demo without OTLP.
    let control = demo_with(false);
    let control_addr = listening(&control);
    std::thread::sleep(Duration::from_secs(1));
    let control_latency = median_latency(&control_addr, "/cart/1", 40);
    drop(control);

    let mut stalled = demo_with(true);
    let addr = listening(&stalled);
    let pid = stalled.child.id();
    std::thread::sleep(Duration::from_secs(1));
    let rss_early = rss_kib(pid);
    let latency = median_latency(&addr, "/cart/1", 40);
    assert!(
        latency < control_latency * 2 + Duration::from_millis(5),
        "requests slowed by a stalled collector: median {latency:?} vs {control_latency:?} without OTLP"
    );
    std::thread::sleep(Duration::from_secs(5));
    let rss_late = rss_kib(pid);
    assert!(
        rss_late < rss_early + 20 * 1024,
        "memory grew from {rss_early} KiB to {rss_late} KiB"
    );
    // --exit-after 10s, plus at most 5 s for the OTLP shutdown.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = stalled.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the demo did not exit: shutdown hung on the collector"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
