//! In-process service level objectives for Rust services.
//!
//! Define SLOs in code or in a spec file, resolve a [`SliHandle`] once per
//! SLI, record events on it (a few nanoseconds, lock-free), and read live burn
//! rates, error budget and alert state from the [`Registry`].
//!
//! ```
//! use std::time::Duration;
//! use slo::{Registry, SloDefinition, Spec};
//!
//! let spec = Spec::builder("shop")
//!     .slo(SloDefinition::builder("checkout-availability").objective(0.999))
//!     .build()?;
//! let registry = Registry::new(spec);
//! let checkout = registry.handle("checkout-availability").expect("defined above");
//! checkout.record(true);
//! checkout.record(false);
//! let status = registry.status();
//! assert_eq!(status.slos[0].events.total, 2);
//! # Ok::<(), slo::SpecErrors>(())
//! ```
//!
//! Features:
//! - `tower`: [`tower::SloLayer`], the middleware that counts every HTTP or
//!   gRPC request toward the SLOs its route matches, and
//!   [`tower::SloEndpoint`], the `/slo` page and JSON (`slo-tower`).
//! - `axum`: with `tower`, route templates from axum's `MatchedPath` and an
//!   axum handler for `/slo`.
//!
//! - `prometheus`: [`prometheus::PrometheusExporter`], the §5 series through
//!   the `metrics` facade and `/metrics` (`slo-prometheus`).
//! - `otel`: [`otel::OtelBridge`], the same series on an OpenTelemetry
//!   `MeterProvider`; `otlp` adds [`otel::otlp::OtlpPipeline`] (`slo-otel`).
//!
//! - `macros`: the [`measure`](macro@measure) attribute, one event per call
//!   of a function or method, and [`measure`](mod@measure), the registry it
//!   records into (`slo-macros`).

pub use slo_core::*;

/// The Tower middleware and the `/slo` endpoint (feature `tower`).
#[cfg(feature = "tower")]
pub use slo_tower as tower;

/// Prometheus export through `metrics` (feature `prometheus`).
#[cfg(feature = "prometheus")]
pub use slo_prometheus as prometheus;

#[cfg(feature = "macros")]
pub mod measure;

#[cfg(feature = "macros")]
pub use slo_macros::measure;

/// OpenTelemetry export (feature `otel`; OTLP push with `otlp`).
#[cfg(feature = "otel")]
pub use slo_otel as otel;

/// The README's examples, compiled and run as doctests (they use the `axum`,
/// `prometheus`, `otlp` and `macros` features).
#[cfg(all(
    doctest,
    feature = "axum",
    feature = "prometheus",
    feature = "otlp",
    feature = "macros"
))]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
