//! The cost of `#[slo::measure]` on an empty function, next to the bare
//! function and to autometrics' `#[autometrics(objective = ...)]` on the
//! same function, in one run:
//! `cargo bench -p slo-integration-tests --bench measure`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use autometrics::autometrics;
use autometrics::objectives::{Objective, ObjectivePercentile};
use criterion::{Criterion, criterion_group, criterion_main};
use slo::{Registry, Spec};

const SPEC: &str = r#"
service: bench
slos:
  - name: job-availability
    objective: 0.999
  - name: job-latency
    objective: 0.99
    sli: {latency: {threshold: 250ms}}
"#;

const JOB: Objective = Objective::new("job").success_rate(ObjectivePercentile::P99_9);

#[inline(never)]
fn bare(x: u64) -> Result<u64, String> {
    if x == u64::MAX {
        Err("never".into())
    } else {
        Ok(x)
    }
}

#[slo::measure("job-availability")]
#[inline(never)]
fn measured(x: u64) -> Result<u64, String> {
    if x == u64::MAX {
        Err("never".into())
    } else {
        Ok(x)
    }
}

#[slo::measure("job-availability", "job-latency")]
#[inline(never)]
fn measured_with_latency(x: u64) -> Result<u64, String> {
    if x == u64::MAX {
        Err("never".into())
    } else {
        Ok(x)
    }
}

#[autometrics(objective = JOB)]
#[inline(never)]
fn autometrics_measured(x: u64) -> Result<u64, String> {
    if x == u64::MAX {
        Err("never".into())
    } else {
        Ok(x)
    }
}

fn measure(c: &mut Criterion) {
    let mut group = c.benchmark_group("measure");
    group.bench_function("bare fn", |b| b.iter(|| bare(black_box(7))));
    // Before any registry is installed: the attribute's cost when unused.
    group.bench_function("#[slo::measure], no registry", |b| {
        b.iter(|| measured(black_box(7)))
    });
    let registry = Registry::new(Spec::from_yaml(SPEC).unwrap());
    slo::measure::install(registry.clone()).unwrap();
    // autometrics records into the process' `metrics` recorder: a
    // Prometheus one, as its users install.
    let _prometheus = axum_prometheus::metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .unwrap();
    group.bench_function("#[slo::measure] availability", |b| {
        b.iter(|| measured(black_box(7)))
    });
    group.bench_function("#[slo::measure] availability + latency", |b| {
        b.iter(|| measured_with_latency(black_box(7)))
    });
    group.bench_function("#[autometrics(objective)]", |b| {
        b.iter(|| autometrics_measured(black_box(7)))
    });
    group.finish();
    // The events were recorded (and nothing else).
    let totals = registry.totals("job-availability").unwrap();
    assert!(totals.good > 0 && totals.bad == 0);
}

criterion_group!(benches, measure);
criterion_main!(benches);
