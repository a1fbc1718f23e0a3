//! The OTLP pipeline against real peers: a receiver decoding with Google's
//! protobuf (Python, opentelemetry-proto + grpcio) over gRPC and HTTP, the
//! rotel collector, and collectors that are down, stall, or come back.
#![cfg(feature = "otlp")]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use slo_core::{Registry, Spec};
use slo_otel::otlp::{OtlpConfig, OtlpError, OtlpPipeline, Protocol};

/// The shop's SLOs, as a service of its own name.
fn spec() -> Spec {
    Spec::from_yaml(&shop::SPEC.replace("service: shop", "service: otlp-test")).unwrap()
}

use slo_test_support::{Peer, free_port, require, require_found, runs, shop};

fn python_ok() -> bool {
    require(
        "python3 with grpcio and opentelemetry-proto",
        runs("python3", &["-c", "import grpc, opentelemetry.proto"]),
        "pip install grpcio opentelemetry-proto",
    )
}

fn spawn(command: Command) -> Peer {
    Peer::spawn(command)
}

fn receiver(grpc: u16, http: u16) -> Peer {
    let mut command = Command::new("python3");
    command
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/otlp_receiver.py"
        ))
        .args([grpc.to_string(), http.to_string()]);
    let peer = spawn(command);
    let ready = peer.lines.recv_timeout(Duration::from_secs(20)).unwrap();
    assert!(ready.contains("ready"), "{ready}");
    peer
}

/// Waits for a data point of `name` with these attributes over `transport`
/// whose value is `want`; returns it.
fn wait_for_value(
    peer: &Peer,
    transport: &str,
    name: &str,
    attrs: &[(&str, &str)],
    want: f64,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut last = None;
    while Instant::now() < deadline {
        let Ok(line) = peer.lines.recv_timeout(Duration::from_millis(200)) else {
            continue;
        };
        let row: serde_json::Value = serde_json::from_str(&line).unwrap();
        if row["transport"] != transport || row["name"] != name {
            continue;
        }
        if attrs.iter().all(|(k, v)| row["attrs"][k] == *v) {
            let got = row["value"].as_f64().or_else(|| row["count"].as_f64());
            if got == Some(want) {
                return row;
            }
            last = Some(row);
        }
    }
    panic!("{transport}: no {name} {attrs:?} = {want}; last seen {last:?}");
}

fn config(endpoint: String, protocol: Protocol) -> OtlpConfig {
    let mut config = OtlpConfig::new(endpoint, protocol);
    config.interval = Duration::from_millis(300);
    config.timeout = Duration::from_millis(800);
    config
}

#[test]
fn grpc_and_http_pushes_decode_to_exact_cumulative_counts() {
    if !python_ok() {
        return;
    }
    let (grpc_port, http_port) = (free_port(), free_port());
    let peer = receiver(grpc_port, http_port);
    let registry = Registry::new(spec());
    let grpc = OtlpPipeline::start(
        &registry,
        config(format!("http://127.0.0.1:{grpc_port}"), Protocol::Grpc),
    )
    .unwrap();
    let http = OtlpPipeline::start(
        &registry,
        config(
            format!("http://127.0.0.1:{http_port}/v1/metrics"),
            Protocol::HttpProtobuf,
        ),
    )
    .unwrap();
    let checkout = registry.handle("checkout-availability").unwrap();
    let search = registry.handle("search-latency").unwrap();
    for i in 0..1290 {
        checkout.record(i % 23 != 0);
    }
    for ms in [3u64, 50, 119, 121, 900] {
        search.record_latency(Duration::from_millis(ms), true);
    }
    grpc.flush(Duration::from_secs(10)).unwrap();
    http.flush(Duration::from_secs(10)).unwrap();
    for transport in ["grpc", "http"] {
        let good = wait_for_value(
            &peer,
            transport,
            "slo.events",
            &[("slo", "checkout-availability"), ("outcome", "good")],
            1233.0,
        );
        assert_eq!(good["cumulative"], true);
        assert_eq!(good["monotonic"], true);
        assert_eq!(good["service"], "otlp-test");
        wait_for_value(
            &peer,
            transport,
            "slo.events",
            &[("slo", "checkout-availability"), ("outcome", "bad")],
            57.0,
        );
        let histogram = wait_for_value(
            &peer,
            transport,
            "slo.latency",
            &[("slo", "search-latency")],
            5.0,
        );
        assert_eq!(histogram["unit"], "s");
        assert!(
            (histogram["sum"].as_f64().unwrap() - 1.193).abs() < 1e-9,
            "{histogram}"
        );
        let bounds: Vec<f64> = serde_json::from_value(histogram["bounds"].clone()).unwrap();
        assert!(bounds.contains(&0.12), "{bounds:?}");
        wait_for_value(
            &peer,
            transport,
            "slo.burn_rate",
            &[("slo", "checkout-availability"), ("window", "5m")],
            (57.0 / 1290.0) / 0.001_f64,
        );
    }
    grpc.shutdown(Duration::from_secs(5)).unwrap();
    http.shutdown(Duration::from_secs(5)).unwrap();
}

#[test]
fn bad_endpoints_are_typed_errors() {
    let registry = Registry::new(spec());
    let error = OtlpPipeline::start(&registry, OtlpConfig::new("localhost:4317", Protocol::Grpc))
        .unwrap_err();
    assert!(matches!(error, OtlpError::BadEndpoint { .. }), "{error}");
    assert!(error.to_string().contains("http://"), "{error}");
}

#[test]
fn a_collector_that_is_down_stalls_or_comes_back_holds_nothing_up_and_loses_nothing() {
    if !python_ok() {
        return;
    }
    let registry = Registry::new(spec());
    let checkout = registry.handle("checkout-availability").unwrap();

    // Stalls: accepts connections and never answers.
    let stall = TcpListener::bind("127.0.0.1:0").unwrap();
    let stall_port = stall.local_addr().unwrap().port();
    let held = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in stall.incoming().take(64) {
            held.push(stream);
        }
    });
    for (endpoint, protocol) in [
        (format!("http://127.0.0.1:{stall_port}"), Protocol::Grpc),
        (
            format!("http://127.0.0.1:{stall_port}/v1/metrics"),
            Protocol::HttpProtobuf,
        ),
    ] {
        let pipeline = OtlpPipeline::start(&registry, config(endpoint, protocol)).unwrap();
        // Recording goes on while an export hangs on the collector.
        let started = Instant::now();
        let flushing = std::thread::scope(|scope| {
            let flush = scope.spawn(|| pipeline.flush(Duration::from_secs(3)));
            for _ in 0..10_000 {
                checkout.record(true);
            }
            flush.join().unwrap()
        });
        assert!(
            flushing.is_err(),
            "{protocol:?}: a stalled collector cannot accept"
        );
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{protocol:?}: flush took {:?}",
            started.elapsed()
        );
        let stopping = Instant::now();
        let _ = pipeline.shutdown(Duration::from_secs(2));
        assert!(
            stopping.elapsed() < Duration::from_secs(3),
            "{protocol:?}: shutdown took {:?}",
            stopping.elapsed()
        );
    }
    drop(held);

    // Down, then back: cumulative counts carry everything recorded meanwhile.
    let (grpc_port, http_port) = (free_port(), free_port());
    let pipeline = OtlpPipeline::start(
        &registry,
        config(format!("http://127.0.0.1:{grpc_port}"), Protocol::Grpc),
    )
    .unwrap();
    let before = registry.handles().next().unwrap().1.totals().good;
    for _ in 0..500 {
        checkout.record(true);
    }
    let started = Instant::now();
    assert!(
        pipeline.flush(Duration::from_secs(5)).is_err(),
        "nobody is listening"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    let peer = receiver(grpc_port, http_port);
    for _ in 0..700 {
        checkout.record(true);
    }
    let want = (before + 1200) as f64;
    // The periodic export reaches the collector once it is back.
    wait_for_value(
        &peer,
        "grpc",
        "slo.events",
        &[("slo", "checkout-availability"), ("outcome", "good")],
        want,
    );
    pipeline.shutdown(Duration::from_secs(5)).unwrap();
}

#[test]
fn rotel_receives_our_metrics_over_grpc_and_http() {
    let found = Command::new("python3")
        .args([
            "-c",
            "import rotel, os; print(os.path.join(os.path.dirname(rotel.__file__), 'rotel-agent'))",
        ])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .filter(|path| std::path::Path::new(path).exists());
    let Some(rotel) = require_found("rotel", found, "pip install --pre rotel") else {
        return;
    };
    let (grpc_port, http_port) = (free_port(), free_port());
    let mut command = Command::new("sh");
    command.args([
        "-c",
        &format!(
            "exec '{rotel}' start --otlp-grpc-endpoint 127.0.0.1:{grpc_port} --otlp-http-endpoint 127.0.0.1:{http_port} --exporter blackhole --debug-log metrics --debug-log-verbosity detailed 2>&1"
        ),
    ]);
    let peer = spawn(command);
    // Ready when both ports accept.
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", grpc_port)).is_err()
        || std::net::TcpStream::connect(("127.0.0.1", http_port)).is_err()
    {
        assert!(Instant::now() < deadline, "rotel did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let registry = Registry::new(spec());
    for i in 0..4321 {
        registry
            .handle("checkout-availability")
            .unwrap()
            .record(i % 100 != 0);
    }
    let mut seen = String::new();
    for (endpoint, protocol) in [
        (format!("http://127.0.0.1:{grpc_port}"), Protocol::Grpc),
        (
            format!("http://127.0.0.1:{http_port}/v1/metrics"),
            Protocol::HttpProtobuf,
        ),
    ] {
        let pipeline = OtlpPipeline::start(&registry, config(endpoint, protocol)).unwrap();
        pipeline.flush(Duration::from_secs(10)).unwrap();
        pipeline.shutdown(Duration::from_secs(5)).unwrap();
        // rotel prints what it received: our names, attributes and counts.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut got = String::new();
        while Instant::now() < deadline
            && !(got.contains("slo.events")
                && got.contains("4277")
                && got.contains("slo.burn_rate"))
        {
            if let Ok(line) = peer.lines.recv_timeout(Duration::from_millis(200)) {
                got.push_str(&line);
                got.push('\n');
            }
        }
        assert!(
            got.contains("slo.events") && got.contains("4277"),
            "{protocol:?}: rotel printed\n{got}"
        );
        assert!(
            got.contains("checkout-availability") && got.contains("slo.burn_rate"),
            "{protocol:?}:\n{got}"
        );
        seen.push_str(&got);
    }
    assert!(
        seen.contains("otlp-test"),
        "the resource's service.name: {seen}"
    );
}

#[test]
fn collectors_answering_429_503_or_garbage_never_panic_or_block() {
    if !python_ok() {
        return;
    }
    let registry = Registry::new(spec());
    let checkout = registry.handle("checkout-availability").unwrap();
    for mode in ["429", "503", "garbage"] {
        let (grpc_port, http_port) = (free_port(), free_port());
        let mut command = Command::new("python3");
        command
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/otlp_receiver.py"
            ))
            .args([
                grpc_port.to_string(),
                http_port.to_string(),
                mode.to_owned(),
            ]);
        let peer = spawn(command);
        assert!(
            peer.lines
                .recv_timeout(Duration::from_secs(20))
                .unwrap()
                .contains("ready")
        );
        let pipeline = OtlpPipeline::start(
            &registry,
            config(
                format!("http://127.0.0.1:{http_port}/v1/metrics"),
                Protocol::HttpProtobuf,
            ),
        )
        .unwrap();
        let started = Instant::now();
        let flushed = std::thread::scope(|scope| {
            let flush = scope.spawn(|| pipeline.flush(Duration::from_secs(5)));
            for _ in 0..1000 {
                checkout.record(true);
            }
            flush.join().unwrap()
        });
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{mode}: {:?}",
            started.elapsed()
        );
        // The collector was reached and answered badly.
        let answered = peer.lines.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(
            answered.contains("refused") || answered.contains("garbage"),
            "{mode}: {answered}"
        );
        if mode != "garbage" {
            assert!(flushed.is_err(), "{mode}: a refused export is an error");
        }
        let stopping = Instant::now();
        let _ = pipeline.shutdown(Duration::from_secs(3));
        assert!(
            stopping.elapsed() < Duration::from_secs(4),
            "{mode}: shutdown took {:?}",
            stopping.elapsed()
        );
    }
    assert_eq!(registry.handles().next().unwrap().1.totals().good, 3000);
}
