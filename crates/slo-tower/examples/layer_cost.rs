//! Runs N requests for PATH through a service that answers at once, bare or
//! with `SloLayer`, for instruction counting: `valgrind --tool=callgrind
//! --toggle-collect='layer_cost::run*' target/release/examples/layer_cost
//! bare|slo PATH N [SPEC]` counts only the requests (not start-up, whose clock
//! calibration varies). Instructions, unlike time, repeat exactly on a noisy
//! machine: (Ir(slo) − Ir(bare)) / N is the layer's cost per request
//! (`scripts/layer-instructions.sh`).
//!
//! `SLO_STATUS=503` makes the service fail every request, `SLO_TRACEPARENT=1`
//! sends a W3C `traceparent` with each, `SLO_HEADERS=N` (up to 12) sends N
//! other headers a browser sends first, and `SLO_KEEP=N` keeps N recent bad
//! events per SLO (default 20; 0 describes none).

use std::convert::Infallible;

use bytes::Bytes;
use futures_util::FutureExt;
use http_body_util::{BodyExt, Full};
use slo_core::{Registry, Spec};
use slo_tower::SloLayer;
use tower_layer::Layer;
use tower_service::Service;

const SPEC: &str = include_str!("../benches/three-routes.yaml");

/// Headers a request may carry besides its `traceparent` (`SLO_HEADERS=N`
/// sends the first N).
const HEADERS: [(&str, &str); 12] = [
    ("host", "shop.example"),
    ("user-agent", "Mozilla/5.0"),
    ("accept", "text/html"),
    ("accept-language", "en"),
    ("accept-encoding", "gzip"),
    ("cookie", "session=1"),
    ("referer", "https://shop.example/"),
    ("x-request-id", "abc"),
    ("sec-fetch-mode", "navigate"),
    ("sec-fetch-site", "same-origin"),
    ("cache-control", "no-cache"),
    ("connection", "keep-alive"),
];

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

#[inline(never)]
fn run<S, B>(service: &mut S, path: &str, n: u64, traced: bool, extra: usize) -> usize
where
    S: Service<http::Request<()>, Response = http::Response<B>, Error = Infallible>,
    B: http_body::Body,
{
    let mut bytes = 0;
    for _ in 0..n {
        let mut request = http::Request::get(path);
        for (name, value) in HEADERS.iter().take(extra) {
            request = request.header(*name, *value);
        }
        if traced {
            request = request.header("traceparent", TRACEPARENT);
        }
        let request = request.body(()).unwrap_or_default();
        let Some(Ok(response)) = service.call(request).now_or_never() else {
            continue;
        };
        if let Some(Ok(body)) = response.into_body().collect().now_or_never() {
            bytes += body.to_bytes().len();
        }
    }
    bytes
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let variant = args.next().unwrap_or_else(|| "bare".into());
    let path = args.next().unwrap_or_else(|| "/search".into());
    let n: u64 = args.next().map_or(Ok(100_000), |n| n.parse())?;
    // An optional fourth argument names another spec file (say, one with
    // many routes, to see how matching scales).
    let spec = match args.next() {
        Some(path) => std::fs::read_to_string(path)?,
        None => SPEC.to_owned(),
    };
    let env = |name: &str| std::env::var(name).ok();
    let keep: usize = env("SLO_KEEP").map_or(Ok(20), |k| k.parse())?;
    let status = http::StatusCode::from_u16(env("SLO_STATUS").map_or(Ok(200), |s| s.parse())?)?;
    let traced = env("SLO_TRACEPARENT").is_some_and(|t| t == "1");
    let extra: usize = env("SLO_HEADERS").map_or(Ok(0), |h| h.parse())?;
    let registry = Registry::builder(Spec::from_yaml(&spec)?)
        .recent_bad(keep)
        .build();
    let answer = tower::service_fn(move |_: http::Request<()>| async move {
        let mut response = http::Response::new(Full::new(Bytes::from_static(b"ok")));
        *response.status_mut() = status;
        Ok::<_, Infallible>(response)
    });
    let bytes = match variant.as_str() {
        "bare" => run(&mut answer.clone(), &path, n, traced, extra),
        "slo" => run(
            &mut SloLayer::new(&registry).layer(answer),
            &path,
            n,
            traced,
            extra,
        ),
        other => return Err(format!("unknown variant {other}").into()),
    };
    println!(
        "{variant}: {n} requests, {bytes} bytes, {} events",
        registry
            .status()
            .slos
            .iter()
            .map(|s| s.events.total)
            .sum::<u64>()
    );
    Ok(())
}
