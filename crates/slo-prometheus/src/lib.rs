#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # In this crate
//!
//! The engine keeps its own sharded counters; the exporters read them at
//! scrape time (and, for the bridge, whenever you call
//! [`PrometheusBridge::sync`]): recording an event costs the same with or
//! without an exporter.
//!
//! - [`PrometheusExporter`]: the preset. The SLO series written straight
//!   from the engine (label sets built once, so 1,000 SLOs render in a few
//!   milliseconds), then a metrics-exporter-prometheus recorder of its own
//!   for the application's metrics (not installed globally, no listener),
//!   upkeep on render, and `/metrics` as a Tower service for your router.
//! - [`PrometheusBridge`]: the series on any `metrics` recorder you hold,
//!   or on the current one (`metrics::with_local_recorder` in tests).
//! - [`openmetrics`]: the OpenMetrics 1.0.0 answer Prometheus asks for,
//!   with the trace ids of recent bad events as exemplars.
//!
//! The rules, dashboards, OpenSLO documents, reports and warm start that
//! read these series across a fleet are in `slo-fleet`.

mod bridge;
mod exporter;
mod journeys;
mod lines;
pub mod openmetrics;
mod text;

pub use bridge::PrometheusBridge;
pub use exporter::{MetricsEndpoint, PrometheusExporter};
pub use metrics_exporter_prometheus;
/// The latency bucket bounds (seconds) for a registry: the defaults plus
/// every latency threshold, ascending.
pub use slo_core::__private::latency_bucket_bounds as latency_buckets;
/// The series' names and help texts (`slo_events_total`, …).
pub use slo_core::series as names;

/// Sets [`latency_buckets`] on a metrics-exporter-prometheus builder for
/// `slo_latency_seconds`, so that a [`PrometheusBridge`] on the recorder it
/// builds exports a histogram whose buckets include every threshold (the
/// preset, [`PrometheusExporter`], needs no builder for that).
pub fn with_slo_buckets(
    builder: metrics_exporter_prometheus::PrometheusBuilder,
    registry: &slo_core::Registry,
) -> Result<metrics_exporter_prometheus::PrometheusBuilder, metrics_exporter_prometheus::BuildError>
{
    builder.set_buckets_for_metric(
        metrics_exporter_prometheus::Matcher::Full(names::LATENCY.to_owned()),
        &latency_buckets(registry),
    )
}
