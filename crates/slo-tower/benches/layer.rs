//! The layer's own cost, on a service that answers at once: one request in,
//! the response body read to its end; bare, and with `SloLayer`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::convert::Infallible;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::FutureExt;
use http_body_util::{BodyExt, Full};
use slo_core::{Registry, Spec};
use slo_tower::SloLayer;
use tower::{Layer, Service};

const SPEC: &str = include_str!("three-routes.yaml");
const MANY: &str = include_str!("many-routes.yaml");
const MANY_CLASSIFIED: &str = include_str!("many-routes-classified.yaml");

/// Requests in a block of a paired run.
const BLOCK: u64 = 64;

/// `iters` requests for `path` through `with` minus as many through
/// `without`, in alternating blocks (which goes first alternates too), so
/// that both see the same machine: what `with` adds per request. Floored
/// at 1 ns, since criterion rejects a zero.
fn paired<S, T, B, C>(iters: u64, with: &mut S, without: &mut T, path: &str) -> Duration
where
    S: Service<http::Request<()>, Response = http::Response<B>, Error = Infallible>,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
    T: Service<http::Request<()>, Response = http::Response<C>, Error = Infallible>,
    C: http_body::Body,
    C::Error: std::fmt::Debug,
{
    let (mut spent_with, mut spent_without) = (Duration::ZERO, Duration::ZERO);
    let mut done = 0;
    let mut with_first = true;
    while done < iters {
        let n = BLOCK.min(iters - done);
        for turn in [with_first, !with_first] {
            let start = Instant::now();
            for _ in 0..n {
                if turn {
                    std::hint::black_box(one(with, path));
                } else {
                    std::hint::black_box(one(without, path));
                }
            }
            if turn {
                spent_with += start.elapsed();
            } else {
                spent_without += start.elapsed();
            }
        }
        with_first = !with_first;
        done += n;
    }
    spent_with
        .saturating_sub(spent_without)
        .max(Duration::from_nanos(1))
}

fn one<S, B>(service: &mut S, path: &str) -> usize
where
    S: Service<http::Request<()>, Response = http::Response<B>, Error = Infallible>,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    call(service, http::Request::get(path).body(()).unwrap())
}

/// A request carrying a W3C `traceparent`.
fn traced(path: &str) -> http::Request<()> {
    http::Request::get(path)
        .header(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        )
        .body(())
        .unwrap()
}

fn call<S, B>(service: &mut S, request: http::Request<()>) -> usize
where
    S: Service<http::Request<()>, Response = http::Response<B>, Error = Infallible>,
    B: http_body::Body,
    B::Error: std::fmt::Debug,
{
    let response = service.call(request).now_or_never().unwrap().unwrap();
    let body = response
        .into_body()
        .collect()
        .now_or_never()
        .unwrap()
        .unwrap();
    body.to_bytes().len()
}

fn layer(c: &mut Criterion) {
    let registry = Registry::new(Spec::from_yaml(SPEC).unwrap());
    let answer = || {
        tower::service_fn(|_: http::Request<()>| async {
            Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(b"ok"))))
        })
    };
    let mut group = c.benchmark_group("service");
    let mut bare = answer();
    group.bench_function("bare", |b| b.iter(|| one(&mut bare, "/search")));
    let mut layered = SloLayer::new(&registry).layer(answer());
    for path in ["/search", "/cart/42", "/unmatched/path"] {
        group.bench_function(format!("slo {path}"), |b| {
            b.iter(|| one(&mut layered, path))
        });
    }
    group.finish();

    // Bad requests (a 503) with a traceparent, on a registry that keeps no
    // bad events (the layer describes nothing: the cost before recent bad
    // events) and on one that keeps 20 (the default).
    let failing = || {
        tower::service_fn(|_: http::Request<()>| async {
            let mut response = http::Response::new(Full::new(Bytes::from_static(b"no")));
            *response.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
            Ok::<_, Infallible>(response)
        })
    };
    let mut group = c.benchmark_group("bad request with traceparent");
    for keep in [0, 20] {
        let registry = Registry::builder(Spec::from_yaml(SPEC).unwrap())
            .recent_bad(keep)
            .build();
        let mut layered = SloLayer::new(&registry).layer(failing());
        group.bench_function(format!("keeping {keep}"), |b| {
            b.iter(|| call(&mut layered, traced("/search")))
        });
        let mut good = SloLayer::new(&registry).layer(answer());
        group.bench_function(format!("good request, keeping {keep}"), |b| {
            b.iter(|| call(&mut good, traced("/search")))
        });
    }
    group.finish();
}

/// What classification in the spec (`bad`, `excluded`) and `match.exclude`
/// add on 97 routes: the same requests through a layer of
/// `many-routes-classified.yaml` paired with one of `many-routes.yaml`.
fn classified(c: &mut Criterion) {
    let answer = || {
        tower::service_fn(|_: http::Request<()>| async {
            Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(b"ok"))))
        })
    };
    let plain = Registry::new(Spec::from_yaml(MANY).unwrap());
    let classified = Registry::new(Spec::from_yaml(MANY_CLASSIFIED).unwrap());
    let mut plain = SloLayer::new(&plain).layer(answer());
    let mut classified = SloLayer::new(&classified).layer(answer());
    let mut group = c.benchmark_group("classified over plain, 97 routes");
    for path in [
        "/search",
        "/api/v1/resource47",
        "/api/v1/resource3/9/action",
        "/unmatched/path",
    ] {
        group.bench_function(path, |b| {
            b.iter_custom(|iters| paired(iters, &mut classified, &mut plain, path))
        });
    }
    group.finish();
}

criterion_group!(benches, layer, classified);
criterion_main!(benches);
