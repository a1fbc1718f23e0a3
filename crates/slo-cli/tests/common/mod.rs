//! Peers shared by the tests of `slo status` and `slo gate`: a live `/slo`
//! over a real registry, and a raw peer that answers what it is told.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::Duration;

use axum::Router;
use axum::routing::get;
use slo_core::{ManualClock, Registry, Spec, Timestamp};

/// Two SLOs, `checkout` and `search`, both at 99.9%.
pub const SPEC: &str = "service: shop
slos:
  - name: checkout
    objective: 99.9%
  - name: search
    objective: 99.9%
";

/// A registry of `spec` (whose SLOs are `checkout` and `search`) that
/// lived 50 minutes after `days` of 1,000 events a day each: 30,000 events
/// each in those minutes, every `n`th of them bad (none for `None`) by
/// `checkout_bad_every` and `search_bad_every`.
pub fn registry(
    spec: &str,
    days: u64,
    checkout_bad_every: Option<u64>,
    search_bad_every: Option<u64>,
) -> Registry {
    let clock = ManualClock::new(Timestamp::from_secs_f64(1_790_000_000.0).unwrap());
    let registry = Registry::builder(Spec::from_yaml(spec).unwrap())
        .clock(clock.clone())
        .build();
    let checkout = registry.handle("checkout").unwrap();
    let search = registry.handle("search").unwrap();
    let good = |every: Option<u64>, i: u64| every.is_none_or(|n| !(i + 1).is_multiple_of(n));
    for _ in 0..days {
        for i in 0..1000u64 {
            checkout.record(good(checkout_bad_every, i));
            search.record(good(search_bad_every, i));
        }
        clock.advance(Duration::from_secs(86_400));
        registry.tick();
    }
    for tick in 0..300u64 {
        for j in 0..100u64 {
            let i = tick * 100 + j;
            checkout.record(good(checkout_bad_every, i));
            search.record(good(search_bad_every, i));
        }
        clock.advance(Duration::from_secs(10));
        registry.tick();
    }
    registry
}

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
