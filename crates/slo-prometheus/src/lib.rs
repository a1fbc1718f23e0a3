//! Prometheus export for `slo`, through the `metrics` facade: the series of
//! DESIGN §5 (raw counters, a true latency histogram whose buckets include
//! every SLO threshold, and live burn-rate, budget, alert and coverage
//! gauges computed in-process).
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
//! - [`rules`]: recording and alerting rules that evaluate the same SLOs
//!   over a whole fleet in Prometheus (what `slo rules` writes).

mod bridge;
mod exporter;
pub mod names;
pub mod rules;
mod text;

pub use bridge::PrometheusBridge;
pub use exporter::{MetricsEndpoint, PrometheusExporter};
pub use metrics_exporter_prometheus;
/// The latency bucket bounds (seconds) for a registry: the defaults plus
/// every latency threshold, ascending.
pub use slo_core::export::latency_bucket_bounds as latency_buckets;
