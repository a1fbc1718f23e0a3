//! `slo suggest --source http` over what axum-prometheus itself recorded:
//! a real axum app with axum-prometheus' layer, scraped by a real
//! Prometheus, driven over real HTTP; the suggestions read its own metric
//! names and labels (`axum_http_requests_total`, `endpoint`, `method`,
//! `status`) and find the failures and the latency the app was made with.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};
use slo::fleet::report::ReportRange;
use slo::fleet::suggest::{Source, SuggestQuery};
use slo_test_support::Engine;

static CHECKOUTS: AtomicU64 = AtomicU64::new(0);
static SEARCHES: AtomicU64 = AtomicU64::new(0);

/// Every 20th checkout fails: 95% achieved.
async fn checkout() -> StatusCode {
    if CHECKOUTS.fetch_add(1, Ordering::Relaxed) % 20 == 19 {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::CREATED
    }
}

/// Every 50th search takes 30ms: 98% under 5ms, all under 50ms.
async fn search() -> &'static str {
    if SEARCHES.fetch_add(1, Ordering::Relaxed) % 50 == 49 {
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    "found"
}

fn send(addr: &str, method: &str, path: &str) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: app\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn suggestions_read_axum_prometheus_own_names() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    // It spawns its upkeep task on the runtime.
    let (layer, handle) = {
        let _inside = runtime.enter();
        axum_prometheus::PrometheusMetricLayer::pair()
    };
    let app = Router::new()
        .route("/checkout", post(checkout))
        .route("/search", get(search))
        .route("/cart/{id}", get(|| async { "cart" }))
        .layer(layer)
        .route("/metrics", get(move || std::future::ready(handle.render())));
    runtime.spawn(async move { axum::serve(listener, app).await });
    let Some(prometheus) = Engine::prometheus_scraping("app", &addr) else {
        return;
    };
    // On the 5-minute grid the suggestions count on: no step is cut.
    let from = now() - now().rem_euclid(300);
    let mut sent = 0u64;
    for i in 0..1000u64 {
        assert_eq!(send(&addr, "GET", "/search"), 200);
        let status = send(&addr, "POST", "/checkout");
        assert!(status == 201 || status == 500);
        if i % 2 == 0 {
            assert_eq!(send(&addr, "GET", &format!("/cart/{i}")), 200);
            sent += 1;
        }
        sent += 2;
    }
    // Until Prometheus has scraped every request.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let result = prometheus.query(
            "sum(axum_http_requests_total{endpoint!=\"/metrics\"})",
            now(),
        );
        let seen: f64 = result[0]["value"][1]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        if seen as u64 == sent {
            break;
        }
        assert!(Instant::now() < deadline, "scraped {seen} of {sent}");
        std::thread::sleep(Duration::from_millis(500));
    }
    // To the next 5-minute step: the evaluation that sees every request.
    let to = (now() / 300 + 1) * 300;
    let range = ReportRange::new(from, to).unwrap();
    let suggestions = SuggestQuery::new(&prometheus.url())
        .unwrap()
        .selector(slo::fleet::matchers::Matchers::parse("job=\"app\"").unwrap())
        .service("app")
        .run(Source::Http, range, None)
        .unwrap();
    assert_eq!(suggestions.convention.as_deref(), Some("axum-prometheus"));
    let find = |name: &str| {
        suggestions
            .slos
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no {name}: {suggestions:#?}"))
    };
    let checkout = find("post-checkout-availability");
    assert_eq!(checkout.route.as_deref(), Some("POST /checkout"));
    assert_eq!(checkout.events.total, 1000);
    assert_eq!(checkout.events.bad, 50);
    assert_eq!(checkout.achieved, 0.95);
    assert_eq!(checkout.suggested_objective, 0.95);
    let search = find("get-search-latency");
    assert_eq!(
        search.sli,
        slo::status::SliStatus::Latency {
            threshold_seconds: 0.05
        }
    );
    assert_eq!(search.events.total, 1000);
    let cart = find("get-cart-id-availability");
    assert_eq!(cart.route.as_deref(), Some("GET /cart/{id}"));
    assert_eq!(cart.events.total, 500);
    assert_eq!(cart.achieved, 1.0);
    assert_eq!(cart.suggested_objective, 0.9999);
    // An availability and a latency SLO per route; /metrics is outside
    // the layer.
    let mut names: Vec<&str> = suggestions.slos.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "get-cart-id-availability",
            "get-cart-id-latency",
            "get-search-availability",
            "get-search-latency",
            "post-checkout-availability",
            "post-checkout-latency",
        ]
    );
    assert!(
        suggestions.left_out.is_empty(),
        "{:?}",
        suggestions.left_out
    );
}
