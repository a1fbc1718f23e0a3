#![doc = include_str!("../README.md")]
//!
//! # Where to start
//!
//! - [`Spec`] (from a file with [`Spec::from_yaml`], or [`Spec::builder`]),
//!   then a [`Registry`], its [`SliHandle`]s, and a [`Ticker`].
//! - [`Registry::status`]: the [`ServiceStatus`] that `/slo` serves.
//! - [`semantics`]: the rules, in full.
//! - [`replay`]: recorded traffic through the engine on a manual clock.

pub mod alerts;
pub mod classify;
mod clock;
mod counters;
mod duration;
#[doc(hidden)]
pub mod export;
mod format;
mod handle;
mod history;
pub mod policy;
pub mod recent;
mod registry;
pub mod release;
pub mod replay;
pub mod semantics;
pub mod spec;
pub mod state;
pub mod status;
pub(crate) mod sync;
mod ticker;
mod window;

pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use duration::{
    DurationError, FormattedDuration, format_duration, format_seconds, parse_duration,
};
pub use format::{
    FormattedPercent, escape_html, format_percent, is_unprintable, json_error, printable,
};
pub use handle::{EventTotals, Exclusion, LatencyHistogram, SliHandle};
pub use history::{History, HistoryPoint};
pub use registry::{DEFAULT_LATENCY_BOUNDS, Registry, RegistryBuilder, UnknownSlo, WindowEvents};
pub use spec::{
    Location, RouteRule, RouteRuleError, Sli, SloBuilder, SloDefinition, Spec, SpecBuilder,
    SpecError, SpecErrorKind, SpecErrors, SpecWarning,
};
pub use status::{ServiceStatus, SloStatus, StatusLevel};
pub use ticker::Ticker;
pub use window::SampleFill;

#[cfg(all(test, loom))]
mod loom_tests;
