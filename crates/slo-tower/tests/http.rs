//! The layer on real axum and hyper servers over TCP, driven by a real
//! client: exact counts, streaming latency, panics, errors, disconnects and
//! hostile traffic.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Query;
use axum::routing::{get, post};
use bytes::Bytes;
use common::*;
use http::StatusCode;
use http_body::Frame;
use http_body_util::StreamBody;
use slo_core::__private::memory_per_slo;
use slo_tower::SloLayer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SPEC: &str = r#"
service: shop
slos:
  - name: checkout-availability
    objective: 0.999
    match: {routes: ["POST /checkout"]}
  - name: cart-availability
    objective: 0.99
    match: {routes: ["/cart/{id}"]}
  - name: search-latency
    objective: 0.99
    sli: {latency: {threshold: 100ms}}
    match: {routes: ["GET /search"]}
  - name: everything
    objective: 0.9
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

fn app(layer: SloLayer) -> Router {
    Router::new()
        .route("/checkout", post(answer))
        .route("/cart/{id}", get(answer).delete(answer))
        .route("/search", get(answer))
        .layer(layer)
}

#[tokio::test]
async fn counts_are_exact_per_route_and_status_class() {
    let registry = registry(SPEC);
    let layer = SloLayer::new(&registry);
    let addr = serve(app(layer.clone())).await;
    let client = client();
    let plan: &[(&str, &str, u64)] = &[
        ("POST", "/checkout?status=200", 50),
        ("POST", "/checkout?status=201", 5),
        ("POST", "/checkout?status=404", 7),
        ("POST", "/checkout?status=429", 2),
        ("POST", "/checkout?status=500", 3),
        ("POST", "/checkout?status=503", 11),
        ("GET", "/cart/1?status=200", 20),
        ("DELETE", "/cart/2?status=500", 5),
        ("GET", "/search?sleep_ms=1", 30),
        ("GET", "/search?sleep_ms=150", 4),
        ("GET", "/search?status=502", 2),
        ("GET", "/checkout", 3), // 405 from axum: matched path, wrong method
        ("GET", "/no/such/route", 9), // fallback 404
    ];
    for (method, path, n) in plan {
        for _ in 0..*n {
            send(&client, addr, method, path).await;
        }
    }
    wait_for(&registry, "checkout-availability", (64, 14, 0)).await;
    wait_for(&registry, "cart-availability", (20, 5, 0)).await;
    wait_for(&registry, "search-latency", (30, 6, 0)).await;
    // 151 requests; bad = 14 + 5 + 2 (5xx on search; slowness only hurts latency).
    wait_for(&registry, "everything", (130, 21, 0)).await;
    assert_eq!(layer.unmatched_requests(), 0);
    // The latency histogram saw every search request, threshold a bucket bound.
    let hist = registry
        .handle("search-latency")
        .unwrap()
        .latency_histogram()
        .unwrap();
    assert_eq!(hist.counts.iter().sum::<u64>(), 36);
    let at = hist.bounds_seconds.iter().position(|b| *b == 0.1).unwrap();
    assert_eq!(hist.counts[..=at].iter().sum::<u64>(), 32);
    assert!(hist.sum_seconds >= 4.0 * 0.150);
}

#[tokio::test]
async fn streamed_body_latency_runs_to_the_end_and_fixed_bodies_end_at_once() {
    let registry = registry(SPEC);
    let router = Router::new()
        .route(
            "/search",
            get(|Query(ask): Query<Ask>| async move {
                let gap = Duration::from_millis(ask.sleep_ms.unwrap_or(0));
                let frames = futures_util::stream::unfold(0, move |i| async move {
                    if i == 3 {
                        return None;
                    }
                    tokio::time::sleep(gap).await;
                    Some((
                        Ok::<_, Infallible>(Frame::data(Bytes::from_static(b"chunk\n"))),
                        i + 1,
                    ))
                });
                Body::new(StreamBody::new(frames))
            }),
        )
        .route("/cart/{id}", get(|| async { "a fixed-length body" }))
        .layer(SloLayer::new(&registry));
    let addr = serve(router).await;
    let client = client();
    // Headers leave at once; the three chunks take 3 × 50 ms > 100 ms.
    let (_, body) = send(&client, addr, "GET", "/search?sleep_ms=50").await;
    assert_eq!(&body[..], b"chunk\nchunk\nchunk\n");
    send(&client, addr, "GET", "/search?sleep_ms=0").await;
    wait_for(&registry, "search-latency", (1, 1, 0)).await;
    let hist = registry
        .handle("search-latency")
        .unwrap()
        .latency_histogram()
        .unwrap();
    assert!(
        hist.sum_seconds >= 0.150,
        "latency must include the body: {}",
        hist.sum_seconds
    );
    // Hyper stops polling a body of known length once it has it all: that
    // must read as complete, not as a client that went away.
    for _ in 0..20 {
        send(&client, addr, "GET", "/cart/7").await;
    }
    wait_for(&registry, "cart-availability", (20, 0, 0)).await;
}

#[tokio::test]
async fn panics_are_recorded_and_resumed() {
    let registry = registry(SPEC);
    let router = Router::new()
        .route(
            "/checkout",
            post(|Query(ask): Query<Ask>| async move {
                if ask.status == Some(999) {
                    panic!("handler bug");
                }
                StatusCode::OK
            }),
        )
        .layer(SloLayer::new(&registry))
        .layer(tower_http::catch_panic::CatchPanicLayer::new());
    let addr = serve(router).await;
    let client = client();
    let (status, _) = send(&client, addr, "POST", "/checkout?status=999").await;
    assert_eq!(status, 500, "the panic reached CatchPanicLayer outside");
    send(&client, addr, "POST", "/checkout").await;
    wait_for(&registry, "checkout-availability", (1, 1, 0)).await;
    assert_eq!(
        bad_reasons(&registry, "checkout-availability"),
        [("panic", 1)]
    );
}

#[tokio::test]
async fn bodies_that_error_midway_are_bad() {
    let registry = registry(SPEC);
    let router = Router::new()
        .route(
            "/cart/{id}",
            get(|| async {
                let frames = futures_util::stream::iter([
                    Ok(Frame::data(Bytes::from_static(b"partial"))),
                    Err(std::io::Error::other("disk gone")),
                ]);
                Body::new(StreamBody::new(frames))
            }),
        )
        .layer(SloLayer::new(&registry));
    let addr = serve(router).await;
    let client = client();
    let request = http::Request::get(format!("http://{addr}/cart/1"))
        .body(http_body_util::Full::new(Bytes::new()))
        .unwrap();
    // The client sees a broken response (at the head or in the body).
    match client.request(request).await {
        Ok(response) => {
            let read = http_body_util::BodyExt::collect(response.into_body()).await;
            assert!(read.is_err(), "the client must see a broken body");
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
    wait_for(&registry, "cart-availability", (0, 1, 0)).await;
    assert_eq!(
        bad_reasons(&registry, "cart-availability"),
        [("body_error", 1)]
    );
}

#[tokio::test]
async fn client_disconnects_follow_the_cancellation_rule() {
    let registry = registry(SPEC);
    let slow = |Query(ask): Query<Ask>| async move {
        tokio::time::sleep(Duration::from_millis(ask.sleep_ms.unwrap_or(0))).await;
        "late"
    };
    let router = Router::new()
        .route("/search", get(slow))
        .route("/cart/{id}", get(slow))
        .layer(SloLayer::new(&registry));
    let addr = serve(router).await;
    // Gone after 30 ms of a 2 s handler: before the 100 ms threshold, so
    // excluded from the latency SLI (and from availability, which cannot know).
    hang_up(addr, "/search?sleep_ms=2000", Duration::from_millis(30)).await;
    wait_for(&registry, "search-latency", (0, 0, 1)).await;
    // Gone after 300 ms: the threshold had passed, so it is bad.
    hang_up(addr, "/search?sleep_ms=2000", Duration::from_millis(300)).await;
    wait_for(&registry, "search-latency", (0, 1, 1)).await;
    hang_up(addr, "/cart/1?sleep_ms=2000", Duration::from_millis(300)).await;
    wait_for(&registry, "cart-availability", (0, 0, 1)).await;
    wait_for(&registry, "everything", (0, 0, 3)).await;
    assert_eq!(
        bad_reasons(&registry, "search-latency"),
        [("cancelled_late", 1)]
    );
}

#[tokio::test]
async fn a_plain_hyper_service_is_covered_and_its_errors_are_bad() {
    use hyper::server::conn::http1;
    use hyper_util::rt::TokioIo;
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceBuilder;

    let registry = registry(SPEC);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let layer = SloLayer::new(&registry);
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let service = ServiceBuilder::new().layer(layer.clone()).service_fn(
                |request: http::Request<hyper::body::Incoming>| async move {
                    match request.uri().query() {
                        Some("fail") => Err(std::io::Error::other("inner service error")),
                        Some("503") => Ok(http::Response::builder()
                            .status(503)
                            .body(http_body_util::Full::new(Bytes::new()))
                            .unwrap()),
                        _ => Ok(http::Response::new(http_body_util::Full::new(Bytes::from(
                            "ok",
                        )))),
                    }
                },
            );
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
                    .await;
            });
        }
    });
    let client = client();
    for _ in 0..5 {
        send(&client, addr, "POST", "/checkout").await;
    }
    send(&client, addr, "POST", "/checkout?503").await;
    // An inner error makes hyper drop the connection: the client sees an error.
    let failed = client
        .request(
            http::Request::post(format!("http://{addr}/checkout?fail"))
                .body(http_body_util::Full::new(Bytes::new()))
                .unwrap(),
        )
        .await;
    assert!(failed.is_err());
    // Paths are matched against the templates without axum.
    send(&client, addr, "GET", "/cart/42").await;
    wait_for(&registry, "checkout-availability", (5, 2, 0)).await;
    wait_for(&registry, "cart-availability", (1, 0, 0)).await;
    assert_eq!(
        bad_reasons(&registry, "checkout-availability"),
        [("server_error", 1), ("error", 1)]
    );
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_traffic_leaves_slos_and_memory_flat() {
    const SPEC_ROUTED: &str = r#"
service: shop
slos:
  - name: checkout-availability
    objective: 0.999
    match: {routes: ["POST /checkout"]}
  - name: search-latency
    objective: 0.99
    sli: {latency: {threshold: 100ms}}
    match: {routes: ["GET /search"]}
"#;
    let registry = registry(SPEC_ROUTED);
    let layer = SloLayer::new(&registry);
    let memory_before: Vec<_> = ["checkout-availability", "search-latency"]
        .map(|name| memory_per_slo(&registry, name).unwrap())
        .to_vec();
    let addr = serve(app(layer.clone())).await;
    let huge = "x".repeat(6000);
    let send_batch = |from: u64, to: u64| {
        let huge = huge.clone();
        async move {
            let connections = 8;
            let mut tasks = Vec::new();
            for c in 0..connections {
                let huge = huge.clone();
                tasks.push(tokio::spawn(async move {
                    let client = client();
                    let mut i = from + c;
                    while i < to {
                        let request =
                            http::Request::get(format!("http://{addr}/p{i}/{}?q={i}", i * 7919))
                                .header("x-junk", &huge)
                                .header("grpc-status", "banana")
                                .body(http_body_util::Full::new(Bytes::new()))
                                .unwrap();
                        let response = client.request(request).await.unwrap();
                        assert_eq!(response.status(), 404);
                        i += connections;
                    }
                }));
            }
            for task in tasks {
                task.await.unwrap();
            }
        }
    };
    send_batch(0, 10_000).await;
    let rss_warm = rss_kib();
    send_batch(10_000, 100_000).await;
    let rss_after = rss_kib();
    assert_eq!(layer.unmatched_requests(), 100_000);
    for name in ["checkout-availability", "search-latency"] {
        assert_eq!(counts(&registry, name), (0, 0, 0), "{name}");
    }
    let memory_after: Vec<_> = ["checkout-availability", "search-latency"]
        .map(|name| memory_per_slo(&registry, name).unwrap())
        .to_vec();
    assert_eq!(memory_before, memory_after);
    // 90,000 more distinct paths must not cost memory per path (a map of
    // paths would take several MiB); allow allocator noise.
    assert!(
        rss_after < rss_warm + 4096,
        "RSS grew from {rss_warm} KiB to {rss_after} KiB"
    );
    // And real routes still count.
    let client = client();
    send(&client, addr, "POST", "/checkout").await;
    wait_for(&registry, "checkout-availability", (1, 0, 0)).await;
}

#[tokio::test]
async fn a_huge_header_is_served_and_counted_once() {
    let registry = registry(SPEC);
    let addr = serve(app(SloLayer::new(&registry))).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let junk = "y".repeat(200_000);
    let request = format!("POST /checkout HTTP/1.1\r\nHost: t\r\nX-Big: {junk}\r\n\r\n");
    let _ = stream.write_all(request.as_bytes()).await;
    let mut answer = vec![0; 64];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("hyper answers a huge head")
        .unwrap();
    answer.truncate(read);
    // Served and counted like any request: the layer never reads the header.
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    wait_for(&registry, "checkout-availability", (1, 0, 0)).await;
    let client = client();
    send(&client, addr, "POST", "/checkout?status=503").await;
    wait_for(&registry, "checkout-availability", (1, 1, 0)).await;
}

#[cfg(feature = "axum")]
#[tokio::test]
async fn a_layer_around_the_whole_router_counts_every_request() {
    let registry = registry(SPEC);
    let layer = SloLayer::new(&registry);
    // Around the Router (not `Router::layer`): rules match paths, not
    // templates, and unmatched requests are seen too.
    let app = slo_tower::axum::around(&layer, app_routes());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service())
            .await
            .unwrap();
    });
    let client = client();
    send(&client, addr, "GET", "/cart/5?status=500").await;
    send(&client, addr, "GET", "/cart/6").await;
    send(&client, addr, "POST", "/checkout").await;
    send(&client, addr, "GET", "/nowhere").await;
    wait_for(&registry, "cart-availability", (1, 1, 0)).await;
    wait_for(&registry, "checkout-availability", (1, 0, 0)).await;
    wait_for(&registry, "everything", (3, 1, 0)).await;
}

#[cfg(feature = "axum")]
fn app_routes() -> Router {
    Router::new()
        .route("/checkout", post(answer))
        .route("/cart/{id}", get(answer).delete(answer))
        .route("/search", get(answer))
}

/// Panics in `call` itself and while the body is polled are failures too.
#[tokio::test]
async fn panics_in_call_and_in_the_body_are_recorded() {
    use std::panic::AssertUnwindSafe;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use futures_util::FutureExt;
    use http_body_util::BodyExt;
    use tower::{Layer, Service};

    struct PanickingBody;
    impl http_body::Body for PanickingBody {
        type Data = Bytes;
        type Error = Infallible;
        fn poll_frame(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
            panic!("body bug")
        }
    }

    let registry = registry(SPEC);
    let layer = SloLayer::new(&registry);
    let mut panics_in_call = layer.layer(tower::service_fn(
        |_: http::Request<()>| -> std::future::Ready<Result<http::Response<String>, Infallible>> {
            panic!("call bug")
        },
    ));
    let request = || http::Request::post("/checkout").body(()).unwrap();
    let caught = std::panic::catch_unwind(AssertUnwindSafe(|| panics_in_call.call(request())));
    assert!(caught.is_err());
    assert_eq!(counts(&registry, "checkout-availability"), (0, 1, 0));

    let mut panics_in_body = layer.layer(tower::service_fn(|_: http::Request<()>| async {
        Ok::<_, Infallible>(http::Response::new(PanickingBody))
    }));
    let response = panics_in_body.call(request()).await.unwrap();
    let caught = AssertUnwindSafe(response.into_body().collect())
        .catch_unwind()
        .await;
    assert!(caught.is_err());
    assert_eq!(counts(&registry, "checkout-availability"), (0, 2, 0));
}

#[tokio::test]
async fn the_builder_overrides_routes_and_classifier_and_refuses_bad_input() {
    use slo_tower::LayerError;
    use slo_tower::classify::TowerHttp;
    use tower_http::classify::StatusInRangeAsFailures;

    let registry = registry(SPEC);
    // Typed errors name what is wrong.
    let unknown = SloLayer::builder(&registry).routes("nope", ["/x"]).build();
    assert_eq!(unknown.unwrap_err(), LayerError::UnknownSlo("nope".into()));
    let bad = SloLayer::builder(&registry)
        .routes("cart-availability", ["cart/{id}"])
        .build()
        .unwrap_err();
    assert!(
        matches!(&bad, LayerError::BadRoute { slo, rule, .. } if slo == "cart-availability" && rule == "cart/{id}")
    );
    assert!(bad.to_string().contains("must start with '/'"), "{bad}");
    assert!(matches!(
        SloLayer::builder(&registry).only(["ghost"]).build(),
        Err(LayerError::UnknownSlo(name)) if name == "ghost"
    ));

    // Cart now covers only DELETE; checkout covers every request; search is
    // left out; 4xx count as failures.
    let layer = SloLayer::builder(&registry)
        .routes("cart-availability", ["DELETE /cart/{id}"])
        .every_request("checkout-availability")
        .only(["cart-availability", "checkout-availability"])
        .classifier(TowerHttp(StatusInRangeAsFailures::new(400..=599)))
        .build()
        .unwrap();
    let router = Router::new()
        .route("/checkout", post(answer))
        .route("/cart/{id}", get(answer).delete(answer))
        .route("/search", get(answer))
        .layer(layer);
    let addr = serve(router).await;
    let client = client();
    send(&client, addr, "GET", "/cart/1").await;
    send(&client, addr, "DELETE", "/cart/1?status=404").await;
    send(&client, addr, "DELETE", "/cart/1").await;
    send(&client, addr, "GET", "/search").await;
    wait_for(&registry, "cart-availability", (1, 1, 0)).await;
    wait_for(&registry, "checkout-availability", (3, 1, 0)).await;
    assert_eq!(counts(&registry, "search-latency"), (0, 0, 0));
    assert_eq!(counts(&registry, "everything"), (0, 0, 0));
}

/// A layer over more than 64 SLOs: the ones past the 64th count exactly
/// too, each once, next to the first ones.
#[tokio::test]
async fn a_layer_with_seventy_slos_counts_every_one() {
    let mut yaml = String::from("service: many\nslos:\n");
    for i in 0..70 {
        match i {
            // Every request, past the first 64.
            66 => yaml.push_str("  - name: all\n    objective: 0.9\n"),
            // Latency, past 64, for /r/3 and /r/69.
            69 => yaml.push_str(
                "  - name: s69\n    objective: 0.9\n    sli: {latency: {threshold: 100ms}}\n    \
                 match: {routes: [\"/r/3\", \"GET /r/69\"]}\n",
            ),
            _ => yaml.push_str(&format!(
                "  - name: s{i}\n    objective: 0.9\n    match: {{routes: [\"/r/{i}\"]}}\n"
            )),
        }
    }
    let registry = registry(&yaml);
    let layer = SloLayer::new(&registry);
    let mut router = Router::new();
    for i in 0..70 {
        router = router.route(&format!("/r/{i}"), get(answer));
    }
    let addr = serve(router.layer(layer.clone())).await;
    let client = client();
    for (path, n) in [
        ("/r/3", 5),
        ("/r/65?status=500", 2),
        ("/r/65", 2),
        ("/r/69?sleep_ms=150", 1),
        ("/r/69", 2),
        ("/r/0", 1),
    ] {
        for _ in 0..n {
            send(&client, addr, "GET", path).await;
        }
    }
    wait_for(&registry, "all", (11, 2, 0)).await;
    wait_for(&registry, "s3", (5, 0, 0)).await;
    wait_for(&registry, "s65", (2, 2, 0)).await;
    wait_for(&registry, "s69", (7, 1, 0)).await;
    wait_for(&registry, "s0", (1, 0, 0)).await;
    for quiet in ["s1", "s63", "s64", "s67", "s68"] {
        assert_eq!(counts(&registry, quiet), (0, 0, 0), "{quiet}");
    }
    assert_eq!(layer.unmatched_requests(), 0);
}
