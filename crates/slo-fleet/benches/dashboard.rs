//! `slo dashboard` for 100 SLOs: the Grafana JSON built and written.
//! `cargo bench -p slo-prometheus --bench dashboard`.
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use slo_core::{SloDefinition, Spec};
use slo_fleet::dashboard::{DashboardOptions, dashboard};
use slo_fleet::matchers::Matchers;

fn bench(c: &mut Criterion) {
    let mut spec = Spec::builder("bench");
    for i in 0..100u64 {
        // Three periods, so that windows are scaled as in real specs.
        let days = [30, 28, 7][(i % 3) as usize];
        spec = spec.slo(
            SloDefinition::builder(format!("slo-{i}"))
                .objective(0.999)
                .period(Duration::from_secs(days * 86_400)),
        );
    }
    let spec = spec.build().unwrap();
    let options = DashboardOptions::new().selector(Matchers::parse(r#"job="bench""#).unwrap());
    c.bench_function("dashboard: 100 SLOs, built and written as JSON", |b| {
        b.iter(|| dashboard(&spec, &options).to_json())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
