//! Recent bad events through the demo (`--error-rate 0.3`): requests that
//! carry W3C `traceparent` headers are listed on `/slo` with exactly their
//! trace ids, methods, route templates and statuses, newest first, never
//! more than configured; hostile headers and unknown paths leave nothing,
//! and no raw path shows anywhere in `/slo` or `/metrics`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{get, listening};
use serde_json::Value;

/// One request with `headers`; its status.
fn send(addr: &str, method: &str, path: &str, headers: &[(&str, &str)]) -> u16 {
    common::send(addr, method, path, headers).0
}

/// A deterministic, distinct, valid trace id for request `i`.
fn trace_id(i: u64) -> String {
    format!(
        "{:032x}",
        (u128::from(i) + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834)
    )
}

fn recent(slo: &Value) -> Vec<Value> {
    slo["recent_bad"].as_array().unwrap().clone()
}

#[test]
fn bad_requests_are_listed_with_their_trace_ids_and_hostile_input_is_not() {
    const KEEP: usize = 12;
    let demo = common::demo(&[
        "--no-load",
        "--error-rate",
        "0.3",
        "--recent-bad",
        "12",
        "--report-every",
        "1h",
    ]);
    let addr = listening(&demo);

    // Sequential requests, so that "newest" is the order they were sent.
    let mut bad_checkouts = Vec::new();
    let mut bad_carts = Vec::new();
    let mut cart_ids = Vec::new();
    for i in 0..120u64 {
        let id = trace_id(i);
        let traceparent = format!("00-{id}-00f067aa0ba902b7-01");
        let headers = [("traceparent", traceparent.as_str())];
        let (method, path) = if i % 2 == 0 {
            ("POST", "/checkout".to_owned())
        } else {
            let cart = 7_777_123_456_000 + i;
            cart_ids.push(cart);
            ("GET", format!("/cart/{cart}"))
        };
        let status = send(&addr, method, &path, &headers);
        if status >= 500 {
            if i % 2 == 0 {
                bad_checkouts.push((id, status));
            } else {
                bad_carts.push((id, status));
            }
        }
    }
    assert!(
        bad_checkouts.len() > KEEP && bad_carts.len() > KEEP,
        "{} {}",
        bad_checkouts.len(),
        bad_carts.len()
    );

    // Hostile input: malformed traceparents on a known route (listed with no
    // trace id when bad), and unknown paths with valid ones (never listed).
    let hostile = [
        "00-ZZZZ2f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "<script>alert(1)</script>",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra-for-version-00",
    ];
    let mut unknown_paths = Vec::new();
    for (i, value) in hostile.iter().enumerate() {
        let cart = 7_777_999_000_000 + i as u64;
        cart_ids.push(cart);
        send(
            &addr,
            "GET",
            &format!("/cart/{cart}"),
            &[("traceparent", value)],
        );
        let path = format!("/admin/secret-{i}-zq9x?token=hunter{i}");
        send(
            &addr,
            "GET",
            &path,
            &[(
                "traceparent",
                &format!("00-{}-00f067aa0ba902b7-01", trace_id(1000 + i as u64)),
            )],
        );
        unknown_paths.push(path);
    }
    let status: Value = serde_json::from_str(&get(&addr, "/slo")).unwrap();
    let slos = status["slos"].as_array().unwrap();
    let slo = |name: &str| slos.iter().find(|s| s["name"] == name).unwrap();

    // Checkout: exactly the last KEEP bad ones, newest first.
    let listed = recent(slo("checkout-availability"));
    assert_eq!(listed.len(), KEEP);
    let want: Vec<&(String, u16)> = bad_checkouts.iter().rev().take(KEEP).collect();
    for (entry, (id, status)) in listed.iter().zip(want) {
        assert_eq!(entry["trace_id"], id.as_str(), "{entry}");
        assert_eq!(entry["method"], "POST");
        assert_eq!(entry["route"], "/checkout");
        assert_eq!(entry["status"], *status);
        assert_eq!(entry["reason"], "server_error");
        assert!(entry["grpc_status"].is_null());
        // An availability SLO's requests are not timed (it would cost every
        // request two clock reads); a latency SLO's are.
        assert!(entry["latency_seconds"].is_null());
    }
    for i in 0..40u64 {
        let traceparent = format!("00-{}-00f067aa0ba902b7-01", trace_id(5000 + i));
        send(
            &addr,
            "GET",
            &format!("/search?q=secret-{i}"),
            &[("traceparent", &traceparent)],
        );
    }
    let again: Value = serde_json::from_str(&get(&addr, "/slo")).unwrap();
    let search = again["slos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "search-latency")
        .unwrap();
    let listed_search = recent(search);
    assert!(!listed_search.is_empty());
    for entry in &listed_search {
        assert_eq!(entry["route"], "/search");
        assert!(entry["latency_seconds"].as_f64().unwrap() > 0.0, "{entry}");
        assert!(["server_error", "slow"].contains(&entry["reason"].as_str().unwrap()));
        let id = entry["trace_id"].as_str().unwrap();
        assert!((0..40).any(|i| trace_id(5000 + i) == id));
    }
    for pair in listed.windows(2) {
        assert!(pair[0]["at"].as_str().unwrap() >= pair[1]["at"].as_str().unwrap());
    }
    // Cart: the route template, never the path; the hostile traceparents
    // read as no trace id.
    let listed = recent(slo("cart-availability"));
    assert!(listed.len() <= KEEP && !listed.is_empty());
    for entry in &listed {
        assert_eq!(entry["route"], "/cart/{id}");
        assert_eq!(entry["method"], "GET");
        let id = &entry["trace_id"];
        assert!(
            id.is_null() || bad_carts.iter().any(|(t, _)| id == t.as_str()),
            "{entry}"
        );
    }
    let body = get(&addr, "/slo");
    let page = get(&addr, "/slo?format=html");
    let metrics = get(&addr, "/metrics");
    for text in [&body, &page, &metrics] {
        // The raw ids themselves, not a digit run such as "7777": a ratio
        // like 5/18 prints as 0.2777777… in the burn rates.
        for id in &cart_ids {
            assert!(
                !text.contains(&id.to_string()),
                "raw cart path /cart/{id} leaked"
            );
        }
        assert!(!text.contains("/cart/7"), "a raw cart path leaked");
        for path in &unknown_paths {
            assert!(
                !text.contains("secret-") && !text.contains("hunter"),
                "{path} leaked"
            );
        }
        for i in 0..hostile.len() {
            assert!(
                !text.contains(&trace_id(1000 + i as u64)),
                "an unknown path's trace id was kept"
            );
        }
        assert!(!text.contains("ZZZZ") && !text.contains("<script>alert"));
        assert!(
            !text.contains("4bf92f3577b34da6a3ce929d0e0e4736"),
            "an invalid traceparent was kept"
        );
    }
    // The page lists them too, newest first, the trace id as text.
    let newest = bad_checkouts.last().unwrap();
    assert!(page.contains("Recent bad events (12)"), "{page}");
    assert!(page.contains(&format!("<code>{}</code>", newest.0)));
    drop(demo);
}

#[test]
fn zero_keeps_none_and_trace_links_follow_the_template() {
    let demo = common::demo(&[
        "--no-load",
        "--error-rate",
        "1",
        "--recent-bad",
        "0",
        "--report-every",
        "1h",
    ]);
    let addr = listening(&demo);
    for _ in 0..5 {
        send(
            &addr,
            "POST",
            "/checkout",
            &[(
                "traceparent",
                &format!("00-{}-00f067aa0ba902b7-01", trace_id(7)),
            )],
        );
    }
    let status: Value = serde_json::from_str(&get(&addr, "/slo")).unwrap();
    for slo in status["slos"].as_array().unwrap() {
        assert!(recent(slo).is_empty(), "{slo}");
    }
    assert_eq!(status["slos"][0]["events"]["bad"], 5);
    drop(demo);

    let demo = common::demo(&[
        "--no-load",
        "--error-rate",
        "1",
        "--trace-url",
        "http://127.0.0.1:16686/trace/{trace_id}",
        "--report-every",
        "1h",
    ]);
    let addr = listening(&demo);
    send(
        &addr,
        "POST",
        "/checkout",
        &[(
            "traceparent",
            &format!("00-{}-00f067aa0ba902b7-01", trace_id(7)),
        )],
    );
    let page = get(&addr, "/slo?format=html");
    assert!(
        page.contains(&format!(
            "<a href=\"http://127.0.0.1:16686/trace/{0}\"><code>{0}</code></a>",
            trace_id(7)
        )),
        "{page}"
    );
    drop(demo);
    // A template that is not a web URL is refused at start.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shop-demo"))
        .args([
            "--no-state",
            "--no-load",
            "--listen",
            "127.0.0.1:0",
            "--trace-url",
            "javascript:{trace_id}",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--trace-url"));
}
