//! The demo scraped and pushing at once: an OTLP receiver (Python,
//! opentelemetry-proto) decodes counts equal to the requests sent, and the
//! demo's `/metrics` shows the same numbers.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Peer {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(mut command: Command) -> Peer {
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Peer { child, lines }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn request(addr: &str, method: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: demo\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    (
        status,
        text.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default(),
    )
}

#[test]
fn the_demo_pushes_otlp_with_the_numbers_it_serves_on_metrics() {
    let ok = Command::new("python3")
        .args(["-c", "import grpc, opentelemetry.proto"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var_os("CI").is_some() {
            panic!("python3 with grpcio and opentelemetry-proto is needed: .ci/run installs them");
        }
        eprintln!("skipped: pip install grpcio opentelemetry-proto");
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
    command.args([
        "--listen",
        "127.0.0.1:0",
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
    let first = loop {
        let line = demo.lines.recv_timeout(Duration::from_secs(20)).unwrap();
        if line.contains("listening on") {
            break line;
        }
    };
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_owned();

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
