//! Export costs: recording an event with and without the Prometheus
//! exporter attached (the hot path must be the same), next to recording the
//! same event with `metrics` directly (macro, and a held handle); and
//! `/metrics` render time for 1, 100 and 1,000 SLOs.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use slo_core::{Registry, SloDefinition, Spec};
use slo_prometheus::PrometheusExporter;

fn registry(slos: usize) -> Registry {
    let mut spec = Spec::builder("bench");
    for i in 0..slos {
        let slo = SloDefinition::builder(format!("slo-{i}")).objective(0.999);
        spec = spec.slo(if i % 2 == 0 {
            slo
        } else {
            slo.latency(Duration::from_millis(250))
        });
    }
    Registry::new(spec.build().unwrap())
}

fn record(c: &mut Criterion) {
    let mut group = c.benchmark_group("record");
    let bare = registry(2);
    let handle = bare.handle("slo-0").unwrap();
    group.bench_function("slo, no exporter", |b| b.iter(|| handle.record(true)));
    let exported = registry(2);
    let exporter = PrometheusExporter::new(&exported).unwrap();
    let handle = exported.handle("slo-0").unwrap();
    group.bench_function("slo, Prometheus exporter attached", |b| {
        b.iter(|| handle.record(true))
    });
    let latency = exported.handle("slo-1").unwrap();
    group.bench_function("slo latency, Prometheus exporter attached", |b| {
        b.iter(|| latency.record_latency(Duration::from_millis(12), true))
    });
    // The same event recorded with `metrics` itself, into the same recorder.
    let recorder = exporter.recorder();
    metrics::with_local_recorder(&*recorder, || {
        group.bench_function("metrics::counter! with labels", |b| {
            b.iter(|| {
                metrics::counter!("app_events_total", "slo" => "slo-0", "outcome" => "good")
                    .increment(1)
            })
        });
        let held = metrics::counter!("app_events_total", "slo" => "slo-0", "outcome" => "good");
        group.bench_function("metrics held Counter", |b| b.iter(|| held.increment(1)));
        let histogram = metrics::histogram!("app_latency_seconds", "slo" => "slo-1");
        group.bench_function("metrics held Histogram", |b| {
            b.iter(|| histogram.record(0.012))
        });
    });
    group.finish();
    // Keep the exporter's samples drained.
    exporter.sync();
}

fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("render");
    group.sample_size(20);
    for slos in [1usize, 100, 1000] {
        let registry = registry(slos);
        let exporter = PrometheusExporter::new(&registry).unwrap();
        for (_, handle) in registry.handles() {
            for i in 0..100 {
                handle.record_latency(Duration::from_millis(i), i % 10 != 0);
            }
        }
        registry.tick();
        group.bench_with_input(
            BenchmarkId::new("PrometheusExporter", slos),
            &exporter,
            |b, exporter| b.iter(|| exporter.render().len()),
        );
        // The same series through the bridge on a metrics-exporter-prometheus
        // recorder (how the preset worked before it wrote them itself).
        let recorder = slo_prometheus::with_slo_buckets(
            metrics_exporter_prometheus::PrometheusBuilder::new(),
            &registry,
        )
        .unwrap()
        .build_recorder();
        let handle = recorder.handle();
        let bridge = slo_prometheus::PrometheusBridge::register(&registry, &recorder);
        group.bench_with_input(
            BenchmarkId::new("bridge + metrics-exporter-prometheus", slos),
            &(bridge, handle),
            |b, (bridge, handle)| {
                b.iter(|| {
                    bridge.sync();
                    handle.run_upkeep();
                    handle.render().len()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, record, render);
criterion_main!(benches);
