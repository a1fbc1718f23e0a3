//! Replay throughput on a ~600k-event trace, JSON parsing included.
#![allow(missing_docs, clippy::expect_used, clippy::unwrap_used)]

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use slo_core::Spec;
use slo_core::replay::replay;

const SPEC: &str = r#"service: shop
slos:
  - name: checkout-availability
    objective: 99.9%
    match: {routes: ["POST /checkout"]}
  - name: cart-availability
    objective: 0.995
    match: {routes: ["GET /cart/{id}"]}
  - name: search-latency
    objective: 0.99
    sli: {latency: {threshold: 250ms}}
    match: {routes: ["GET /search"]}
"#;

/// 600,000 requests over a week (one a second), deterministic.
fn trace() -> Vec<u8> {
    let mut out = Vec::with_capacity(600_000 * 80);
    let mut x = 88172645463325252u64;
    for i in 0..600_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let (method, route) = match x % 3 {
            0 => ("POST", "/checkout"),
            1 => ("GET", "/cart/{id}"),
            _ => ("GET", "/search"),
        };
        let status = if x.is_multiple_of(1000) { 503 } else { 200 };
        let latency = (x >> 20) % 400;
        out.extend_from_slice(
            format!(
                "{{\"t\": {}.{:03}, \"method\": \"{method}\", \"route\": \"{route}\", \"status\": {status}, \"latency_ms\": {latency}.5}}\n",
                i,
                (x >> 40) % 1000
            )
            .as_bytes(),
        );
    }
    out
}

fn bench(c: &mut Criterion) {
    let spec = Spec::from_yaml(SPEC).expect("valid spec");
    let data = trace();
    let mut g = c.benchmark_group("replay");
    g.sample_size(10);
    g.throughput(Throughput::Elements(600_000));
    g.bench_function("600k-events", |b| {
        b.iter(|| {
            replay(&spec, &data[..], Duration::from_secs(60), std::io::sink()).expect("replays")
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
