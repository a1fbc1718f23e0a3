//! Recording with both exporters attached (Prometheus and OpenTelemetry)
//! against none, next to recording the same event with OpenTelemetry
//! instruments directly; and what the OpenTelemetry histogram replay costs
//! per latency event at sync time (off the request path).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider;
use opentelemetry_sdk::metrics::{InMemoryMetricExporterBuilder, PeriodicReader, SdkMeterProvider};
use slo_core::{Registry, SloDefinition, Spec};

fn registry() -> Registry {
    Registry::new(
        Spec::builder("bench")
            .slo(SloDefinition::builder("a").objective(0.999))
            .slo(
                SloDefinition::builder("l")
                    .objective(0.99)
                    .latency(Duration::from_millis(250)),
            )
            .build()
            .unwrap(),
    )
}

fn record(c: &mut Criterion) {
    let mut group = c.benchmark_group("record");
    let bare = registry();
    let handle = bare.handle("a").unwrap();
    group.bench_function("slo, no exporter", |b| b.iter(|| handle.record(true)));

    let both = registry();
    let prometheus = slo_prometheus::PrometheusExporter::new(&both).unwrap();
    let reader = PeriodicReader::builder(InMemoryMetricExporterBuilder::new().build())
        .with_interval(Duration::from_secs(3600))
        .build();
    let provider = SdkMeterProvider::builder().with_reader(reader).build();
    let otel = slo_otel::OtelBridge::register(&both, &provider.meter("slo"));
    let handle = both.handle("a").unwrap();
    group.bench_function("slo, Prometheus and OpenTelemetry attached", |b| {
        b.iter(|| handle.record(true))
    });
    let latency = both.handle("l").unwrap();
    group.bench_function("slo latency, both attached", |b| {
        b.iter(|| latency.record_latency(Duration::from_millis(12), true))
    });

    let meter = provider.meter("direct");
    let counter = meter.u64_counter("app.events").build();
    let attrs = [KeyValue::new("slo", "a"), KeyValue::new("outcome", "good")];
    group.bench_function("OpenTelemetry Counter::add, 2 attributes", |b| {
        b.iter(|| counter.add(1, &attrs))
    });
    let histogram = meter.f64_histogram("app.latency").build();
    let slo = [KeyValue::new("slo", "l")];
    group.bench_function("OpenTelemetry Histogram::record, 1 attribute", |b| {
        b.iter(|| histogram.record(0.012, &slo))
    });
    // Sync: per latency event replayed into the OpenTelemetry histogram.
    group.bench_function(
        "OpenTelemetry sync, per latency event (1,000 events a sync)",
        |b| {
            b.iter_custom(|iters| {
                let batches = iters.div_ceil(1000).max(1);
                let mut total = Duration::ZERO;
                for _ in 0..batches {
                    for i in 0..1000u64 {
                        latency.record_latency(Duration::from_micros(i * 300), true);
                    }
                    let start = std::time::Instant::now();
                    otel.sync();
                    total += start.elapsed();
                }
                // Time per event, times the iterations criterion asked for.
                total.div_f64((batches * 1000) as f64).mul_f64(iters as f64)
            })
        },
    );
    group.finish();
    prometheus.sync();
}

criterion_group!(benches, record);
criterion_main!(benches);
