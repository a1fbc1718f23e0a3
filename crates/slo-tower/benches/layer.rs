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
    let request = http::Request::get(path).body(()).unwrap();
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
}

criterion_group!(benches, layer);
criterion_main!(benches);
