//! Per-request overhead on an axum router (`Router::call`, one thread, the
//! body read to its end): bare, with `slo`'s layer, with axum-prometheus,
//! and with autometrics on the handler, in one run.
//!
//! Two groups per request. `router/…` times each variant on its own, one
//! after another. `over bare/…` times each variant *paired* with the bare
//! router: short blocks of requests alternate between the two, and the
//! bench reports the difference per request. On a shared machine the bare
//! router's own time drifts by more than `slo`'s overhead between two
//! benchmarks taken a minute apart; paired blocks some tens of microseconds
//! long see the same machine, so the difference (and the ratio of two
//! differences) is what drift leaves alone.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::{Duration, Instant};

use axum::body::Body;
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::FutureExt;
use http_body_util::BodyExt;
use slo::tower::SloLayer;
use slo::{Registry, Spec};
use slo_integration_tests as apps;
use tower::{Layer, Service};

fn request(method: &str, path: &str) -> http::Request<Body> {
    http::Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty())
        .unwrap()
}

/// One request through `service`, body read to the end. Every handler here
/// is ready at once, so no executor is needed.
fn one<S, B>(service: &mut S, method: &str, path: &str) -> usize
where
    S: Service<http::Request<Body>, Response = http::Response<B>, Error = std::convert::Infallible>,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let response = service
        .call(request(method, path))
        .now_or_never()
        .expect("ready")
        .unwrap();
    let body = response
        .into_body()
        .collect()
        .now_or_never()
        .expect("ready");
    body.map(|b| b.to_bytes().len()).unwrap_or(0)
}

/// Requests per block of a paired measurement: long enough that the two
/// clock reads around a block are noise (~64 × 0.5 µs), short enough that
/// the machine does not change between a block and its pair.
const BLOCK: u64 = 64;

/// `iters` requests through `variant` minus `iters` through `bare`, in
/// alternating blocks (which of the two goes first alternates too, so
/// neither always finds the caches warmed by the other). A sample the
/// machine disturbed on the bare side can come out at or below zero; it is
/// floored at 1 ns, since criterion rejects a zero; next to a sample of
/// many blocks the floor is negligible.
fn over_bare<S, B, T, C>(
    iters: u64,
    variant: &mut S,
    bare: &mut T,
    method: &str,
    path: &str,
) -> Duration
where
    S: Service<http::Request<Body>, Response = http::Response<B>, Error = std::convert::Infallible>,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
    T: Service<http::Request<Body>, Response = http::Response<C>, Error = std::convert::Infallible>,
    C: http_body::Body,
    C::Error: std::fmt::Debug,
{
    let (mut with, mut without) = (Duration::ZERO, Duration::ZERO);
    let mut done = 0;
    let mut variant_first = true;
    while done < iters {
        let n = BLOCK.min(iters - done);
        for turn in [variant_first, !variant_first] {
            let start = Instant::now();
            for _ in 0..n {
                if turn {
                    std::hint::black_box(one(variant, method, path));
                } else {
                    std::hint::black_box(one(bare, method, path));
                }
            }
            let took = start.elapsed();
            if turn {
                with += took;
            } else {
                without += took;
            }
        }
        variant_first = !variant_first;
        done += n;
    }
    with.saturating_sub(without).max(Duration::from_nanos(1))
}

fn overhead(c: &mut Criterion) {
    let registry = Registry::new(Spec::from_yaml(apps::SPEC).unwrap());
    // axum-prometheus spawns its upkeep task on a tokio runtime.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let _entered = runtime.enter();
    let _handle = apps::install_prometheus_recorder();
    let mut variants = [
        ("bare", apps::bare()),
        ("slo", apps::with_slo(&registry)),
        ("axum-prometheus", apps::with_axum_prometheus()),
        ("autometrics", apps::with_autometrics()),
    ];
    for (method, path, label) in [
        ("GET", "/search", "latency SLO"),
        ("POST", "/checkout", "availability SLO"),
    ] {
        let mut group = c.benchmark_group(format!("router/{label}"));
        for (name, router) in &mut variants {
            group.bench_function(*name, |b| b.iter(|| one(router, method, path)));
        }
        // The layer around the whole router (matching paths, not templates).
        let mut around = SloLayer::new(&registry).layer(apps::bare());
        group.bench_function("slo around the router", |b| {
            b.iter(|| one(&mut around, method, path))
        });
        // The same as `axum::serve` takes it: `slo::tower::axum::around`.
        let mut served = slo::tower::axum::around(&SloLayer::new(&registry), apps::bare());
        group.bench_function("slo::tower::axum::around", |b| {
            b.iter(|| one(&mut served, method, path))
        });
        // What axum's per-route layering costs by itself: a layer that does nothing.
        let mut identity = apps::bare().layer(tower::layer::util::Identity::new());
        group.bench_function("bare + no-op Router::layer", |b| {
            b.iter(|| one(&mut identity, method, path))
        });
        group.finish();

        // The same variants, each paired with the bare router.
        let mut bare = apps::bare();
        let mut group = c.benchmark_group(format!("over bare/{label}"));
        group.bench_function("slo around the router", |b| {
            b.iter_custom(|iters| over_bare(iters, &mut around, &mut bare, method, path))
        });
        group.bench_function("slo::tower::axum::around", |b| {
            b.iter_custom(|iters| over_bare(iters, &mut served, &mut bare, method, path))
        });
        group.bench_function("bare + no-op Router::layer", |b| {
            b.iter_custom(|iters| over_bare(iters, &mut identity, &mut bare, method, path))
        });
        for (name, router) in variants.iter_mut().skip(1) {
            group.bench_function(*name, |b| {
                b.iter_custom(|iters| over_bare(iters, router, &mut bare, method, path))
            });
        }
        group.finish();
    }
    // Every request reached the SLOs.
    let status = registry.status();
    assert!(status.slos.iter().any(|s| s.events.total > 0));
}

criterion_group!(benches, overhead);
criterion_main!(benches);
