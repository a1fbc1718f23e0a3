//! `#[slo::measure]`'s registry (feature `macros`): [`install`] one for the
//! whole process, or scope one with [`with_registry`] (a closure) or
//! [`ScopeExt::scoped`] (a future), so that tests running side by side each
//! record into their own.
//!
//! One event per call into each named SLO: `Err` (of any `Result`) is bad,
//! anything else good, unless `good_if = …` decides; a panic is bad; a
//! latency SLI also needs the call to finish within its threshold; a future
//! dropped before it finished follows the
//! [cancellation rule](crate::semantics#cancellation) (bad for a latency
//! SLI whose threshold had passed, otherwise excluded as
//! `client_cancelled`).
//!
//! ```
//! use slo::{Registry, Spec};
//! use slo::measure::with_registry;
//!
//! #[slo::measure("sync-availability")]
//! fn sync_orders(fail: bool) -> Result<u32, String> {
//!     if fail { Err("upstream down".into()) } else { Ok(3) }
//! }
//!
//! let spec = Spec::from_yaml("service: jobs\nslos:\n  - name: sync-availability\n    objective: 0.99\n")?;
//! let registry = Registry::new(spec);
//! with_registry(&registry, || {
//!     let _ = sync_orders(false);
//!     let _ = sync_orders(true);
//! });
//! let totals = registry.totals("sync-availability")?;
//! assert_eq!((totals.good, totals.bad), (1, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod registry;
pub(crate) mod runtime;

pub use registry::{AlreadyInstalled, ScopeExt, Scoped, global, install, with_registry};
