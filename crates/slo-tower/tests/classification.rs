//! The spec's classification (`bad`, `excluded`) and `match.exclude` on a
//! real axum server over TCP, driven by a real client: exact counts per
//! SLO, exclusions by status and by route, the reasons of bad events, and
//! clients that hang up early and late.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use axum::Router;
use axum::extract::Query;
use axum::routing::{get, post};
use common::*;
use http::StatusCode;
use slo_core::recent::BadReason;
use slo_core::{Exclusion, Registry, Spec};
use slo_tower::SloLayer;

const SPEC: &str = r#"
service: shop
slos:
  - name: checkout
    objective: 0.999
    sli: {availability: {bad: ["5xx", 429], excluded: [409]}}
    match: {routes: ["POST /checkout"]}
  - name: cart
    objective: 0.99
    sli: {latency: {threshold: 100ms, excluded: [404]}}
    match: {routes: ["/cart/{id}"], exclude: ["GET /cart/health"]}
  - name: everything
    objective: 0.9
    match: {exclude: ["GET /health", "/cart/health"]}
"#;

#[derive(serde::Deserialize)]
struct Ask {
    status: Option<u16>,
    sleep_ms: Option<u64>,
}

async fn answer(Query(ask): Query<Ask>) -> StatusCode {
    if let Some(ms) = ask.sleep_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    StatusCode::from_u16(ask.status.unwrap_or(200)).unwrap()
}

fn registry_keeping_bad() -> Registry {
    Registry::builder(Spec::from_yaml(SPEC).unwrap())
        .recent_bad(128)
        .build()
}

/// Each SLO's bad events' reasons, counted.
fn reasons(registry: &Registry, name: &str) -> Vec<(BadReason, usize)> {
    let mut counted: Vec<(BadReason, usize)> = Vec::new();
    for kept in registry.handle(name).unwrap().recent_bad() {
        match counted.iter_mut().find(|(r, _)| *r == kept.event.reason) {
            Some(entry) => entry.1 += 1,
            None => counted.push((kept.event.reason, 1)),
        }
    }
    counted.sort_by_key(|(reason, _)| BadReason::ALL.iter().position(|r| r == reason));
    counted
}

#[tokio::test]
async fn the_spec_says_what_fails_and_what_is_left_out() {
    let registry = registry_keeping_bad();
    let layer = SloLayer::new(&registry);
    let router = Router::new()
        .route("/checkout", post(answer))
        .route("/cart/{id}", get(answer))
        .route("/cart/health", get(answer))
        .route("/health", get(answer))
        .layer(layer.clone());
    let addr = serve(router).await;
    let client = client();
    let plan: &[(&str, &str, u64)] = &[
        ("POST", "/checkout?status=200", 10),
        ("POST", "/checkout?status=429", 3),
        ("POST", "/checkout?status=503", 2),
        ("POST", "/checkout?status=409", 4),
        ("POST", "/checkout?status=404", 2),
        ("GET", "/cart/1?status=200", 6),
        ("GET", "/cart/1?status=404", 5),
        // Excluded whatever else holds: slow too.
        ("GET", "/cart/1?status=404&sleep_ms=150", 2),
        ("GET", "/cart/1?sleep_ms=150", 2),
        ("GET", "/cart/1?status=500", 1),
        ("GET", "/cart/1?status=429", 3),
        ("GET", "/cart/health", 7),
        ("GET", "/health", 3),
    ];
    for (method, path, n) in plan {
        for _ in 0..*n {
            let (status, _) = send(&client, addr, method, path).await;
            let asked: u16 = path
                .split("status=")
                .nth(1)
                .map_or(200, |s| s[..3].parse().unwrap());
            assert_eq!(status, asked, "{method} {path}");
        }
    }
    // checkout: 429 and 5xx fail, 409 is left out, 404 is fine.
    wait_for(&registry, "checkout", (12, 5, 0)).await;
    // cart: 404 left out (slow ones too), 429 fine by default, slow bad.
    wait_for(&registry, "cart", (9, 3, 0)).await;
    // everything (the default rules): every request but the health checks.
    wait_for(&registry, "everything", (37, 3, 0)).await;
    assert_eq!(layer.unmatched_requests(), 10, "the health checks");
    let totals = |name| registry.totals(name).unwrap();
    assert_eq!(totals("checkout").excluded_for(Exclusion::Status), 4);
    assert_eq!(totals("cart").excluded_for(Exclusion::Status), 7);
    assert_eq!(totals("everything").excluded_for(Exclusion::Status), 0);
    let status = registry.status();
    let excluded = |name: &str| {
        status
            .slos
            .iter()
            .find(|s| s.name == name)
            .unwrap()
            .excluded
    };
    assert_eq!(excluded("checkout").status, 4);
    assert_eq!(excluded("cart").status, 7);
    assert_eq!(
        reasons(&registry, "checkout"),
        [(BadReason::ServerError, 2), (BadReason::Status, 3)]
    );
    assert_eq!(
        reasons(&registry, "cart"),
        [(BadReason::ServerError, 1), (BadReason::Slow, 2)]
    );
    assert_eq!(
        reasons(&registry, "everything"),
        [(BadReason::ServerError, 3)]
    );
    // The counters by reason say what the kept events say.
    for name in ["checkout", "cart", "everything"] {
        let kept: Vec<(&str, u64)> = reasons(&registry, name)
            .into_iter()
            .map(|(reason, n)| (reason.as_str(), n as u64))
            .collect();
        assert_eq!(bad_reasons(&registry, name), kept, "{name}");
    }

    // Clients that hang up: early, before the threshold (excluded as
    // cancelled), and late (bad: cancelled_late), by the same rule as
    // SLOs without a classification of their own.
    hang_up(addr, "/cart/2?sleep_ms=2000", Duration::from_millis(30)).await;
    wait_for(&registry, "cart", (9, 3, 1)).await;
    hang_up(addr, "/cart/2?sleep_ms=2000", Duration::from_millis(300)).await;
    wait_for(&registry, "cart", (9, 4, 1)).await;
    wait_for(&registry, "everything", (37, 3, 2)).await;
    assert!(
        reasons(&registry, "cart").contains(&(BadReason::CancelledLate, 1)),
        "{:?}",
        reasons(&registry, "cart")
    );
    assert_eq!(
        bad_reasons(&registry, "cart"),
        [("server_error", 1), ("slow", 2), ("cancelled_late", 1)]
    );
}

/// A layer whose SLOs keep the default classification reads no more of a
/// response than before; one with its own keeps the default for the
/// others: the same requests count the same for an SLO without lists
/// whether or not another SLO of the layer has them.
#[tokio::test]
async fn slos_without_lists_count_as_before_beside_those_with() {
    let plain = "service: s\nslos:\n  - name: all\n    objective: 0.9\n";
    let mixed = format!(
        "{plain}  - name: strict\n    objective: 0.9\n    sli: {{availability: {{bad: [\"4xx\", \"5xx\"]}}}}\n"
    );
    for spec in [plain.to_owned(), mixed] {
        let registry = registry(&spec);
        let router = Router::new()
            .route("/a", get(answer))
            .layer(SloLayer::new(&registry));
        let addr = serve(router).await;
        let client = client();
        for status in [200, 201, 404, 429, 500, 503] {
            send(&client, addr, "GET", &format!("/a?status={status}")).await;
        }
        wait_for(&registry, "all", (4, 2, 0)).await;
        if spec.contains("strict") {
            wait_for(&registry, "strict", (2, 4, 0)).await;
        }
    }
}
