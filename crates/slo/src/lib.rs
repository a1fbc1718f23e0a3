#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! # Features
//!
//! - `tower`: [`tower::SloLayer`], the middleware that counts every HTTP or
//!   gRPC request toward the SLOs its route matches, and
//!   [`tower::SloEndpoint`], the `/slo` page and JSON (`slo-tower`).
//! - `axum`: with `tower`, route templates from axum's `MatchedPath`, an
//!   axum handler for `/slo`, and [`tower::axum::around`] for `axum::serve`.
//! - `prometheus`: [`prometheus::PrometheusExporter`], the series through
//!   the `metrics` facade and `/metrics` (`slo-prometheus`).
//! - `fleet`: the same SLOs across a fleet, from the spec:
//!   [`fleet::rules`] for Prometheus, [`fleet::dashboard`] for Grafana,
//!   [`fleet::openslo`]; `warm-start` adds windows filled at start from a
//!   PromQL API's history, and `report` SLO reports from it (`slo-fleet`).
//! - `otel`: [`otel::OtelBridge`], the same series on an OpenTelemetry
//!   `MeterProvider`; `otlp` adds [`otel::otlp::OtlpPipeline`] (`slo-otel`).
//! - `macros`: the [`measure`](macro@measure) attribute, one event per call
//!   of a function or method, and [`measure`](mod@measure), the registry it
//!   records into (`slo-macros`).
//!
//! The rules every part follows are in [`semantics`].

pub use slo_core::{
    Clock, DEFAULT_LATENCY_BOUNDS, Degraded, DurationError, EventTotals, Exclusion,
    FormattedDuration, FormattedPercent, History, HistoryPoint, JourneyBuilder, JourneyDefinition,
    LatencyHistogram, Location, ManualClock, Registry, RegistryBuilder, RouteRule, RouteRuleError,
    SampleFill, ServiceStatus, Sli, SliHandle, SloBuilder, SloDefinition, SloStatus, Spec,
    SpecBuilder, SpecError, SpecErrorKind, SpecErrors, SpecWarning, StatusLevel, SystemClock,
    Ticker, Timestamp, UnknownSlo, alerts, classify, format_duration, format_percent,
    format_seconds, parse_duration, reasons, recent, release, replay, semantics, series, spec,
    state, status, windows,
};

/// Alert delivery to Alertmanager (feature `alertmanager`).
#[cfg(feature = "alertmanager")]
pub use slo_alertmanager as alertmanager;

/// The Tower middleware and the `/slo` endpoint (feature `tower`).
#[cfg(feature = "tower")]
pub use slo_tower as tower;

/// Prometheus export through `metrics`, and `/metrics` (feature
/// `prometheus`).
#[cfg(feature = "prometheus")]
pub use slo_prometheus as prometheus;

/// Fleet-wide rules, dashboards and OpenSLO from the spec; reports and
/// warm start from a PromQL API's history (features `fleet`, `report`,
/// `warm-start`).
#[cfg(feature = "fleet")]
pub use slo_fleet as fleet;

#[cfg(feature = "macros")]
pub mod measure;

#[cfg(feature = "macros")]
pub use slo_macros::measure;

/// OpenTelemetry export (feature `otel`; OTLP push with `otlp`).
#[cfg(feature = "otel")]
pub use slo_otel as otel;

/// What `#[slo::measure]` expands to, not a stable API.
#[cfg(feature = "macros")]
#[doc(hidden)]
pub mod __private {
    pub use crate::measure::runtime::{
        CallSite, IsGoodAny, IsGoodResult, Measure, Outcome, batch_of, good_if,
    };
}
