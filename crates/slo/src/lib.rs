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
//! The Tower middleware, the `#[slo::measure]` attribute and the Prometheus
//! and OpenTelemetry exporters arrive as features of this crate as they are
//! built; today it re-exports the engine, [`slo_core`].

pub use slo_core::*;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
