//! The SLO engine of `slo`: definitions and spec files, lock-free recording,
//! error-budget windows, burn rates and alert state.
//!
//! Most users depend on the `slo` facade, which re-exports this crate.
//!
//! ```
//! use std::time::Duration;
//! use slo_core::{ManualClock, Registry, SampleFill, Spec, Timestamp};
//!
//! let spec = Spec::from_yaml("service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n")?;
//! let clock = ManualClock::new(Timestamp::EPOCH);
//! let registry = Registry::builder(spec).clock(clock.clone()).sample_fill(SampleFill::Step).build();
//! let checkout = registry.handle("checkout")?;
//! for i in 0..1000 {
//!     checkout.record(i % 100 != 0); // 1% bad: 10× the budget
//! }
//! clock.advance(Duration::from_secs(60));
//! registry.tick();
//! let status = registry.status();
//! let slo = &status.slos[0];
//! assert_eq!(slo.events.bad, 10);
//! assert!((slo.burn_rates.get("5m").unwrap() - 10.0).abs() < 1e-9);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
mod registry;
pub mod replay;
pub mod semantics;
pub mod spec;
pub mod status;
pub(crate) mod sync;
mod ticker;
mod window;

pub use clock::{Clock, ManualClock, SystemClock, Timestamp};
pub use duration::{DurationError, FormattedDuration, format_duration, parse_duration};
pub use format::{FormattedPercent, format_percent};
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
