//! Peers shared by the tests of `slo status` and `slo gate`: a live `/slo`
//! over a real registry, and a raw peer that answers what it is told.
#![allow(dead_code, clippy::unwrap_used)]

use axum::Router;
use axum::routing::get;
use slo_core::Registry;

/// Serves `/slo` for the registry on a real socket; returns `host:port`.
pub fn serve(registry: Registry) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let app = Router::new()
                .route("/slo", get(slo_tower::axum::slo_handler))
                .with_state(registry);
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    addr
}

pub use slo_test_support::raw_peer;
