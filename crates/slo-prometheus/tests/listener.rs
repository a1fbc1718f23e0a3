//! `/metrics` on a listener of its own, over real TCP.
#![cfg(feature = "listener")]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use slo_core::{Registry, SloDefinition, Spec};
use slo_prometheus::PrometheusExporter;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn ask(addr: std::net::SocketAddr, method: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("{method} /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer
}

#[tokio::test]
async fn metrics_on_its_own_listener() {
    let registry = Registry::new(
        Spec::builder("shop")
            .slo(SloDefinition::builder("checkout").objective(0.999))
            .build()
            .unwrap(),
    );
    let exporter = PrometheusExporter::new(&registry).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(exporter.clone().serve(listener));
    // A client that connects and says nothing does not block others.
    let _silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    registry.handle("checkout").unwrap().record(true);
    let answer = ask(addr, "GET").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("text/plain; version=0.0.4"), "{answer}");
    assert!(
        answer.contains(r#"slo_events_total{slo="checkout",outcome="good"} 1"#),
        "{answer}"
    );
    let refused = ask(addr, "POST").await;
    assert!(refused.starts_with("HTTP/1.1 405"), "{refused}");
    let head = ask(addr, "HEAD").await;
    assert!(
        head.starts_with("HTTP/1.1 200") && !head.contains("slo_events_total"),
        "{head}"
    );
}
