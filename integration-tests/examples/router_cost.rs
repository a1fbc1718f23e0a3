//! Runs N requests through the benchmark router, bare or with `slo`, for
//! instruction counting under callgrind (exact and repeatable on a shared
//! machine, unlike time): `scripts/router-instructions.sh` runs it.
//!
//! `router_cost VARIANT METHOD PATH N`, VARIANT one of `bare`, `noop-layer`
//! (a `Router::layer` that does nothing: axum's own cost of layering),
//! `slo-layer` (`Router::layer(SloLayer)`), `slo-around` (`SloLayer` around
//! the router) and `slo-axum-around` (`slo::tower::axum::around`). Only
//! `run` is meant to be counted (`--toggle-collect='router_cost::run*'`).

use std::convert::Infallible;

use axum::body::Body;
use futures_util::FutureExt;
use http_body_util::BodyExt;
use slo::tower::SloLayer;
use slo::{Registry, Spec};
use slo_integration_tests as apps;
use tower::{Layer, Service};

#[inline(never)]
fn run<S, B>(service: &mut S, method: &http::Method, path: &str, n: u64) -> usize
where
    S: Service<http::Request<Body>, Response = http::Response<B>, Error = Infallible>,
    B: http_body::Body,
{
    let mut bytes = 0;
    for _ in 0..n {
        let Ok(request) = http::Request::builder()
            .method(method.clone())
            .uri(path)
            .body(Body::empty())
        else {
            continue;
        };
        let Some(Ok(response)) = service.call(request).now_or_never() else {
            continue;
        };
        if let Some(Ok(body)) = response.into_body().collect().now_or_never() {
            bytes += body.to_bytes().len();
        }
    }
    bytes
}

#[derive(Clone)]
struct Noop;

impl<S> Layer<S> for Noop {
    type Service = S;
    fn layer(&self, inner: S) -> S {
        inner
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let variant = args.next().unwrap_or_else(|| "bare".into());
    let method: http::Method = args.next().unwrap_or_else(|| "GET".into()).parse()?;
    let path = args.next().unwrap_or_else(|| "/search".into());
    let n: u64 = args.next().map_or(Ok(100_000), |n| n.parse())?;
    let registry = Registry::new(Spec::from_yaml(apps::SPEC)?);
    let layer = SloLayer::new(&registry);
    let bytes = match variant.as_str() {
        "bare" => run(&mut apps::bare(), &method, &path, n),
        "noop-layer" => run(&mut apps::bare().layer(Noop), &method, &path, n),
        "slo-layer" => run(&mut apps::with_slo(&registry), &method, &path, n),
        "slo-around" => run(&mut layer.layer(apps::bare()), &method, &path, n),
        "slo-axum-around" => run(
            &mut slo::tower::axum::around(&layer, apps::bare()),
            &method,
            &path,
            n,
        ),
        other => return Err(format!("unknown variant {other}").into()),
    };
    let events: u64 = registry.status().slos.iter().map(|s| s.events.total).sum();
    println!("{variant}: {n} requests, {bytes} bytes, {events} events");
    Ok(())
}
