//! Real servers on loopback and a real HTTP client, for the layer's tests.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use slo_core::{Registry, SloStatus, Spec};

pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

pub fn registry(yaml: &str) -> Registry {
    Registry::new(Spec::from_yaml(yaml).expect("test spec is valid"))
}

/// Serves `router` on an ephemeral loopback port until the test ends.
pub async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    addr
}

pub fn client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// Sends one request and reads the whole answer: status and body.
pub async fn send(client: &HttpClient, addr: SocketAddr, method: &str, path: &str) -> (u16, Bytes) {
    let request = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body)
}

pub fn slo(registry: &Registry, name: &str) -> SloStatus {
    registry
        .status()
        .slos
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no SLO {name}"))
}

/// (good, bad, excluded) of an SLO.
pub fn counts(registry: &Registry, name: &str) -> (u64, u64, u64) {
    let status = slo(registry, name);
    (
        status.events.good,
        status.events.bad,
        registry.totals(name).unwrap().excluded,
    )
}

/// Waits (up to 5 s) until `counts` of `name` equal `want`, then checks
/// that they stay there for 200 ms: recording happens when the server
/// finishes, which may be after the client has read, and a late extra
/// event (an over-count) must fail the test, not slip in after it.
pub async fn wait_for(registry: &Registry, name: &str, want: (u64, u64, u64)) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let got = counts(registry, name);
        if got == want {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{name}: want (good, bad, excluded) {want:?}, got {got:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let settled = Instant::now() + Duration::from_millis(200);
    while Instant::now() < settled {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let got = counts(registry, name);
        assert_eq!(
            got, want,
            "{name}: (good, bad, excluded) reached {want:?}, then moved on to {got:?}"
        );
    }
}

/// The bad events of `name` by reason, those with any, in the reasons'
/// order: as the counters have them, after checking that they sum to the
/// bad count and that `/slo`'s `bad_reasons` (the period) says the same.
pub fn bad_reasons(registry: &Registry, name: &str) -> Vec<(&'static str, u64)> {
    let totals = registry.totals(name).unwrap();
    assert_eq!(totals.bad_reasons.total(), totals.bad, "{name}");
    assert_eq!(
        slo(registry, name).bad_reasons,
        totals.bad_reasons,
        "{name}"
    );
    totals
        .bad_reasons
        .nonzero()
        .map(|(reason, count)| (reason.as_str(), count))
        .collect()
}

/// Sends a raw request and hangs up after `after` without reading.
pub async fn hang_up(addr: std::net::SocketAddr, path: &str, after: Duration) {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(after).await;
    drop(stream);
}

/// A Chromium to render pages with, if one is installed.
pub fn chromium() -> Option<String> {
    slo_test_support::find_program(&["chromium", "chromium-browser", "google-chrome"])
}

/// Chromium run headless with its own profile in `profile`.
pub fn headless(chromium: &str, profile: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(chromium);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1280,1000",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}
