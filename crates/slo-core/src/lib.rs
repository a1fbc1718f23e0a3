#![doc = include_str!("../README.md")]
//!
//! # Where to start
//!
//! - [`Spec`] (from a file with [`Spec::from_yaml`], or [`Spec::builder`]),
//!   then a [`Registry`], its [`SliHandle`]s, and a [`Ticker`].
//! - [`Registry::status`]: the [`ServiceStatus`] that `/slo` serves.
//! - [`SloDefinition::windows`]: the windows an SLO keeps, and what each
//!   is for ([`windows`]).
//! - [`semantics`]: the rules, in full.
//! - [`replay`]: recorded traffic through the engine on a manual clock.

pub mod alerts;
mod budget;
pub mod calendar;
pub mod classify;
mod clock;
mod closed_set;
mod counters;
mod duration;
mod export;
mod format;
mod handle;
mod history;
mod level;
pub mod maintenance;
pub mod reasons;
pub mod recent;
mod registry;
pub mod release;
pub mod replay;
mod rings;
pub mod semantics;
pub mod series;
pub mod spec;
pub mod state;
pub mod status;
mod svg;
pub(crate) mod sync;
mod ticker;
pub mod windows;

pub use classify::Degraded;
pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use duration::{
    DurationError, FormattedDuration, format_duration, format_seconds, parse_duration,
};
pub use format::{FormattedPercent, format_percent};
pub use handle::{EventTotals, Exclusion, LatencyHistogram, SliHandle};
pub use history::{History, HistoryPoint};
pub use level::StatusLevel;
pub use registry::{Registry, RegistryBuilder};
pub use rings::SampleFill;
pub use spec::{
    DEFAULT_LATENCY_BOUNDS, JourneyBuilder, JourneyDefinition, Location, RouteRule, RouteRuleError,
    Sli, SloBuilder, SloDefinition, Spec, SpecBuilder, SpecError, SpecErrorKind, SpecErrors,
    SpecWarning, UnknownSlo,
};
pub use status::{ServiceStatus, SloStatus};
pub use ticker::Ticker;

/// For `slo`'s own crates, its tests and benchmarks; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::export::{
        HistogramReplay, JourneyLabels, SeriesLabels, journey_labels, latency_bucket_bounds,
        replay_samples, series_labels,
    };
    pub use crate::format::{escape_html, is_unprintable, json_error, ownership_html, printable};
    pub use crate::registry::inspect::{WindowEvents, memory_per_slo, window_events};

    /// Small server-drawn SVG charts, for the `/slo` page and reports.
    pub mod svg {
        pub use crate::svg::{Anchor, Frame, Svg, nice_ceiling};
    }
}

#[cfg(all(test, loom))]
mod loom_tests;
