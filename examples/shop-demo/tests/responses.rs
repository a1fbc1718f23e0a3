//! Every kind of answer through the demo, as the shipped spec (pinned)
//! classifies it: a table of responses, each named by its request's
//! `x-shop-fault` (the demo runs with `--fault-header`), checked exactly
//! against `/slo` (events, bad reasons, exclusions), `/metrics` and the
//! recent bad events. 2xx, a 404 left out, 429, 500 and 503 on checkout,
//! a degraded 200, a health check `match.exclude` removes, and a client
//! that hangs up on a slow search early (before search-latency's 100ms)
//! and late (after it).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{get, listening, slo_named};
use serde_json::{Value, json};

/// Sends a request naming `fault` (none for `""`) and reads the status.
fn send(addr: &str, method: &str, path: &str, fault: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let header = if fault.is_empty() {
        String::new()
    } else {
        format!("x-shop-fault: {fault}\r\n")
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: demo\r\n{header}Connection: close\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text[9..12].parse().unwrap()
}

/// Sends a slow search and hangs up `after` it.
fn hang_up(addr: &str, after: Duration) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET /search?q=x HTTP/1.1\r\nHost: demo\r\nx-shop-fault: slow\r\nContent-Length: 0\r\n\r\n"
    )
    .unwrap();
    std::thread::sleep(after);
    drop(stream);
}

/// What `/slo` says of `name`: good, bad, bad reasons, exclusions, and
/// each recent bad event's reason and status, newest first.
fn counted(addr: &str, name: &str) -> Value {
    let slo = slo_named(addr, name);
    json!({
        "good": slo["events"]["good"],
        "bad": slo["events"]["bad"],
        "bad_reasons": slo["bad_reasons"],
        "excluded": slo["excluded"],
        "recent": slo["recent_bad"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| json!([e["reason"], e["status"]]))
            .collect::<Vec<_>>(),
    })
}

#[test]
fn every_kind_of_answer_counts_as_the_spec_says() {
    let demo = common::demo(&["--no-load", "--report-every", "1h", "--fault-header"]);
    let addr = listening(&demo);
    // The table: request, the fault it names, the status it gets.
    let table: [(&str, &str, &str, u16); 10] = [
        ("POST", "/checkout", "", 201),
        ("POST", "/checkout", "", 201),
        ("POST", "/checkout", "429", 429),
        ("POST", "/checkout", "500", 500),
        ("POST", "/checkout", "503", 503),
        ("GET", "/cart/1", "", 200),
        ("GET", "/cart/0", "", 404),
        ("GET", "/cart/health", "", 200),
        ("GET", "/search?q=kettle", "", 200),
        ("GET", "/search?q=kettle", "degraded", 200),
    ];
    for (method, path, fault, status) in table {
        assert_eq!(
            send(&addr, method, path, fault),
            status,
            "{method} {path} {fault}"
        );
    }
    // Slow searches (400ms): dropped at 20ms, before search-latency's
    // threshold (left out, cancelled), and at 250ms, after it (bad,
    // cancelled_late); search-quality has no threshold: both left out.
    hang_up(&addr, Duration::from_millis(20));
    hang_up(&addr, Duration::from_millis(250));

    let want = [
        (
            "checkout-availability",
            json!({"good": 2, "bad": 3, "bad_reasons": {"server_error": 2, "status": 1},
                   "excluded": {"maintenance": 0, "cancelled": 0, "status": 0},
                   "recent": [["server_error", 503], ["server_error", 500], ["status", 429]]}),
        ),
        (
            "cart-availability",
            json!({"good": 1, "bad": 0, "bad_reasons": {},
                   "excluded": {"maintenance": 0, "cancelled": 0, "status": 1},
                   "recent": []}),
        ),
        (
            "search-latency",
            json!({"good": 2, "bad": 1, "bad_reasons": {"cancelled_late": 1},
                   "excluded": {"maintenance": 0, "cancelled": 1, "status": 0},
                   "recent": [["cancelled_late", null]]}),
        ),
        (
            "search-quality",
            json!({"good": 1, "bad": 1, "bad_reasons": {"degraded": 1},
                   "excluded": {"maintenance": 0, "cancelled": 2, "status": 0},
                   "recent": [["degraded", 200]]}),
        ),
    ];
    // Recorded when each response ends (or the server sees the hang-up),
    // which the client may see first.
    let deadline = Instant::now() + Duration::from_secs(10);
    for (name, want) in &want {
        let got = loop {
            let got = counted(&addr, name);
            if &got == want || Instant::now() > deadline {
                break got;
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(&got, want, "{name}");
    }
    // /metrics says the same, and the reasons sum to the bad events.
    let metrics = get(&addr, "/metrics");
    for line in [
        r#"slo_events_total{slo="checkout-availability",outcome="good"} 2"#,
        r#"slo_events_total{slo="checkout-availability",outcome="bad"} 3"#,
        r#"slo_bad_events_total{slo="checkout-availability",reason="server_error"} 2"#,
        r#"slo_bad_events_total{slo="checkout-availability",reason="status"} 1"#,
        r#"slo_bad_events_total{slo="checkout-availability",reason="error"} 0"#,
        r#"slo_events_total{slo="cart-availability",outcome="good"} 1"#,
        r#"slo_excluded_events_total{slo="cart-availability",reason="status"} 1"#,
        r#"slo_bad_events_total{slo="search-latency",reason="cancelled_late"} 1"#,
        r#"slo_excluded_events_total{slo="search-latency",reason="client_cancelled"} 1"#,
        r#"slo_bad_events_total{slo="search-quality",reason="degraded"} 1"#,
        r#"slo_excluded_events_total{slo="search-quality",reason="client_cancelled"} 2"#,
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "{line} missing:\n{metrics}"
        );
    }
}
