//! The layer's own cost, on a service that answers at once: one request in,
//! the response body read to its end; bare, and with `SloLayer`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::convert::Infallible;

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::FutureExt;
use http_body_util::{BodyExt, Full};
use slo_core::{Registry, Spec};
use slo_tower::SloLayer;
use tower::{Layer, Service};

const SPEC: &str = include_str!("three-routes.yaml");

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

criterion_group!(benches, layer);
criterion_main!(benches);
