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
//! - [`rules`]: recording and alerting rules that evaluate the same SLOs
//!   over a whole fleet in Prometheus (what `slo rules` writes).
//! - `query` and `warm_start` (feature `query`): a PromQL HTTP API client,
//!   and windows filled at start from the history a Prometheus, Thanos,
//!   Mimir or VictoriaMetrics holds.
//! - `report` (feature `query`): SLO reports over a calendar month, an ISO
//!   week or any range from the same history, as JSON, Markdown or HTML
//!   (what `slo report` writes).
//! - [`dashboard`]: a Grafana dashboard over those rules, every SLO on its
//!   own period-scaled windows (what `slo dashboard` writes).
//! - [`openslo`]: the SLOs as OpenSLO v1 documents whose indicators query
//!   these series, and the way back (what `slo openslo` writes and reads).

mod bridge;
pub mod dashboard;
mod exporter;
pub mod matchers;
pub mod names;
pub mod openmetrics;
pub mod openslo;
#[cfg(feature = "query")]
#[cfg_attr(docsrs, doc(cfg(feature = "query")))]
pub mod query;
#[cfg(feature = "query")]
#[cfg_attr(docsrs, doc(cfg(feature = "query")))]
pub mod report;
pub mod rules;
mod text;
#[cfg(feature = "query")]
#[cfg_attr(docsrs, doc(cfg(feature = "query")))]
pub mod warm_start;

pub use bridge::PrometheusBridge;
pub use exporter::{MetricsEndpoint, PrometheusExporter};
pub use metrics_exporter_prometheus;
/// The latency bucket bounds (seconds) for a registry: the defaults plus
/// every latency threshold, ascending.
pub use slo_core::export::latency_bucket_bounds as latency_buckets;

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
