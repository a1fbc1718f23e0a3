//! A `quality` SLI on a real axum server over TCP: a handler that marks its
//! response `slo::Degraded` fails the quality SLO (reason `degraded`) and
//! no other; a failure is a failure first; a degraded answer the client
//! hangs up on is still degraded. And a freshness SLI without `match`
//! takes no requests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use common::*;
use http::StatusCode;
use slo_core::Degraded;
use slo_tower::SloLayer;

const SPEC: &str = r#"
service: shop
slos:
  - name: search-quality
    objective: 0.99
    sli: quality
    match: {routes: ["GET /search"]}
  - name: search-availability
    objective: 0.999
    match: {routes: ["GET /search"]}
  - name: search-latency
    objective: 0.99
    sli: {latency: {threshold: 100ms}}
    match: {routes: ["GET /search"]}
  - name: strict-quality
    objective: 0.99
    sli: {quality: {bad: ["4xx", "5xx"]}}
    match: {routes: ["GET /search"]}
"#;

#[derive(serde::Deserialize)]
struct Ask {
    status: Option<u16>,
    sleep_ms: Option<u64>,
    degraded: Option<bool>,
}

/// Search results, from the stale cache (degraded) when asked.
async fn search(Query(ask): Query<Ask>) -> Response {
    if let Some(ms) = ask.sleep_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let status = StatusCode::from_u16(ask.status.unwrap_or(200)).unwrap();
    let results = (status, Json(serde_json::json!({"results": ["teapot"]})));
    if ask.degraded == Some(true) {
        (Extension(Degraded), results).into_response()
    } else {
        results.into_response()
    }
}

#[tokio::test]
async fn a_degraded_answer_fails_only_the_quality_slis() {
    let registry = registry(SPEC);
    let router = Router::new()
        .route("/search", get(search))
        .layer(SloLayer::new(&registry));
    let addr = serve(router).await;
    let client = client();
    let plan: &[(&str, u64)] = &[
        ("/search", 6),
        ("/search?degraded=true", 4),
        ("/search?degraded=true&status=503", 2),
        ("/search?degraded=true&status=404", 1),
        ("/search?degraded=true&sleep_ms=150", 2),
        ("/search?status=429", 1),
    ];
    for (path, n) in plan {
        for _ in 0..*n {
            send(&client, addr, "GET", path).await;
        }
    }
    // quality: degraded (4 + 2 slow + the 404, which the default lists
    // leave good) and the 503s; the 429 is fine by default.
    wait_for(&registry, "search-quality", (7, 9, 0)).await;
    assert_eq!(
        bad_reasons(&registry, "search-quality"),
        [("server_error", 2), ("degraded", 7)]
    );
    // Availability and latency ignore the mark.
    wait_for(&registry, "search-availability", (14, 2, 0)).await;
    assert_eq!(
        bad_reasons(&registry, "search-availability"),
        [("server_error", 2)]
    );
    wait_for(&registry, "search-latency", (12, 4, 0)).await;
    assert_eq!(
        bad_reasons(&registry, "search-latency"),
        [("server_error", 2), ("slow", 2)]
    );
    // A quality SLI with its own lists: a listed status fails first.
    wait_for(&registry, "strict-quality", (6, 10, 0)).await;
    assert_eq!(
        bad_reasons(&registry, "strict-quality"),
        [("server_error", 2), ("status", 2), ("degraded", 6)]
    );
    assert_eq!(
        serde_json::to_value(slo(&registry, "search-quality").sli).unwrap(),
        serde_json::json!({"kind": "quality"})
    );
}

#[tokio::test]
async fn a_degraded_answer_the_client_leaves_is_still_degraded() {
    let registry = registry(SPEC);
    // The head comes at once, marked degraded; the body never ends.
    let router = Router::new()
        .route(
            "/search",
            get(|| async {
                let body = axum::body::Body::from_stream(futures_util::stream::pending::<
                    Result<bytes::Bytes, std::io::Error>,
                >());
                (Extension(Degraded), body)
            }),
        )
        .layer(SloLayer::new(&registry));
    let addr = serve(router).await;
    hang_up(addr, "/search", Duration::from_millis(30)).await;
    // Gone before the outcome: excluded where the head said nothing, bad
    // where it was degraded.
    wait_for(&registry, "search-quality", (0, 1, 0)).await;
    assert_eq!(bad_reasons(&registry, "search-quality"), [("degraded", 1)]);
    wait_for(&registry, "search-availability", (0, 0, 1)).await;
    wait_for(&registry, "search-latency", (0, 0, 1)).await;
}

#[tokio::test]
async fn a_freshness_slo_without_match_takes_no_requests() {
    let registry = registry(
        "service: feed\nslos:\n  - name: feed-freshness\n    objective: 0.99\n    sli: {freshness: {threshold: 30m}}\n  - name: everything\n    objective: 0.9\n",
    );
    let layer = SloLayer::new(&registry);
    let router = Router::new()
        .route("/search", get(search))
        .layer(layer.clone());
    let addr = serve(router).await;
    let client = client();
    for _ in 0..3 {
        send(&client, addr, "GET", "/search").await;
    }
    wait_for(&registry, "everything", (3, 0, 0)).await;
    wait_for(&registry, "feed-freshness", (0, 0, 0)).await;
    // The feed's age, recorded by the code that knows it.
    let feed = registry.handle("feed-freshness").unwrap();
    assert!(!feed.record_freshness(Duration::from_secs(3600)));
    assert_eq!(bad_reasons(&registry, "feed-freshness"), [("stale", 1)]);
}
