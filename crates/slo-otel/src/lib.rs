#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Series
//!
//! | OpenTelemetry | kind | attributes |
//! |---|---|---|
//! | `slo.events` | observable counter (cumulative) | `slo`, `outcome` |
//! | `slo.events.excluded` | observable counter | `slo`, `reason` |
//! | `slo.events.bad` | observable counter | `slo`, `reason` |
//! | `slo.latency` (unit `s`) | histogram, explicit bounds incl. every threshold | `slo` |
//! | `slo.objective`, `slo.period` (`s`), `slo.error_budget.remaining`, `slo.window.coverage` | observable gauges | `slo` |
//! | `slo.burn_rate` | observable gauge | `slo`, `window` |
//! | `slo.alert.firing` | observable gauge (0/1) | `slo`, `severity`, `long_window`, `short_window` |
//!
//! Counters and gauges are observed from the engine when the reader
//! collects: recording an event costs the same with or without an
//! exporter. The latency histogram, which OpenTelemetry can only be fed
//! sample by sample, is replayed by [`OtelBridge::sync`] (call it from the
//! ticker: `Ticker::spawn_with`), with bucket counts and sum exact.
//! Callbacks catch panics, so a bug can never stop the reader's exports.
//!
//! # Exemplars and trace ids
//!
//! The OTLP export carries no exemplars. The OpenTelemetry Rust SDK (0.33)
//! has no exemplar reservoir: its aggregations write empty exemplar lists
//! and a data point's exemplars are crate-private, so no instrument or
//! reader of ours can add one (a test fails the day that changes). The
//! traces of recent bad events are on `/slo` and, as exemplars, on the
//! OpenMetrics `/metrics` of `slo-prometheus`.
//!
//! [`trace_id_of`] and [`current_trace_id`] read a trace id from an
//! OpenTelemetry context; with its `otel` feature the `slo-tower` layer and
//! `#[slo::measure]` use them for bad events.

mod bridge;
mod journeys;
/// Push over OTLP (feature `otlp`).
#[cfg(feature = "otlp")]
pub mod otlp;
#[cfg(feature = "otlp")]
mod report;
mod trace_id;

pub use bridge::{OtelBridge, names};
pub use trace_id::{current_trace_id, trace_id_of};
