#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Series
//!
//! | OpenTelemetry | kind | attributes |
//! |---|---|---|
//! | `slo.events` | observable counter (cumulative) | `slo`, `outcome` |
//! | `slo.events.excluded` | observable counter | `slo`, `reason` |
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

mod bridge;
/// Push over OTLP (feature `otlp`).
#[cfg(feature = "otlp")]
pub mod otlp;
#[cfg(feature = "otlp")]
mod report;

pub use bridge::{OtelBridge, names};
