//! `#[slo::measure]`'s registry (feature `macros`): [`install`] one for the
//! whole process, or scope one with [`with_registry`] (a closure) or
//! [`ScopeExt::scoped`] (a future), so that tests running side by side each
//! record into their own. The attribute's expansion also lives here: a
//! static call site per measured function, which resolves its SLO handles
//! from the global registry once, and a guard per call.
//!
//! One event per call into each named SLO: `Err` (of any `Result`) is bad,
//! anything else good, unless `good_if = …` decides; a panic is bad; a
//! latency SLI also needs the call to finish within its threshold; a future
//! dropped before it finished follows DESIGN §3's cancellation rule (bad
//! for a latency SLI whose threshold had passed, otherwise excluded as
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
//! assert_eq!(registry.event_totals(0), Some((1, 1)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod registry;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use slo_core::{Exclusion, Registry, SliHandle};

pub use registry::{AlreadyInstalled, ScopeExt, Scoped, global, install, with_registry};

/// One measured function: its SLO names, where it is, and the handles
/// resolved from the global registry the first time it ran.
#[doc(hidden)]
pub struct CallSite {
    names: &'static [&'static str],
    function: &'static str,
    global: OnceLock<Resolved>,
    reported: AtomicBool,
}

/// The handles of a call site's SLOs in one registry.
struct Resolved {
    handles: Box<[SliHandle]>,
    /// Whether any of them is a latency SLI (then the call is timed).
    timed: bool,
}

impl CallSite {
    /// A call site measuring `names`; `function` names it in reports.
    pub const fn new(names: &'static [&'static str], function: &'static str) -> CallSite {
        CallSite {
            names,
            function,
            global: OnceLock::new(),
            reported: AtomicBool::new(false),
        }
    }

    fn resolve(&self, registry: &Registry) -> Resolved {
        let mut handles = Vec::with_capacity(self.names.len());
        let mut unknown = Vec::new();
        for name in self.names {
            match registry.handle(name) {
                Ok(handle) => handles.push(handle),
                Err(_) => unknown.push(*name),
            }
        }
        if !unknown.is_empty() && !self.reported.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                target: "slo::measure",
                function = self.function,
                unknown = ?unknown,
                service = registry.spec().service(),
                "#[slo::measure] on {} names SLOs the registry does not define: {}; calls are not recorded for them (reported once)",
                self.function,
                unknown.join(", ")
            );
        }
        let timed = handles.iter().any(|h| h.latency_threshold().is_some());
        Resolved {
            handles: handles.into_boxed_slice(),
            timed,
        }
    }
}

enum Handles {
    Global(&'static Resolved),
    Scoped(Resolved),
}

impl Handles {
    fn get(&self) -> &Resolved {
        match self {
            Handles::Global(resolved) => resolved,
            Handles::Scoped(resolved) => resolved,
        }
    }
}

/// One call in progress. [`Measure::finish`] records its outcome; dropped
/// unfinished, it records a panic as bad or applies the cancellation rule.
#[doc(hidden)]
pub struct Measure {
    handles: Handles,
    started: Option<quanta::Instant>,
    finished: bool,
}

impl Measure {
    /// Starts measuring a call at `site`; `None` (and nothing else done)
    /// when no registry is installed or scoped.
    #[inline]
    pub fn start(site: &'static CallSite) -> Option<Measure> {
        let handles = if registry::any_scoped() {
            let registry = registry::scoped()?;
            Handles::Scoped(site.resolve(&registry))
        } else {
            let registry = registry::global()?;
            Handles::Global(site.global.get_or_init(|| site.resolve(registry)))
        };
        let started = handles.get().timed.then(quanta::Instant::now);
        Some(Measure {
            handles,
            started,
            finished: false,
        })
    }

    /// Records the call's outcome into every SLO of the call site.
    #[inline]
    pub fn finish(mut self, good: bool) {
        self.finished = true;
        self.record(good);
    }

    #[inline]
    fn record(&self, good: bool) {
        let resolved = self.handles.get();
        match self.started {
            None => {
                for handle in resolved.handles.iter() {
                    handle.record(good);
                }
            }
            Some(started) => {
                let elapsed = started.elapsed();
                for handle in resolved.handles.iter() {
                    handle.record_latency(elapsed, good);
                }
            }
        }
    }
}

impl Drop for Measure {
    /// Unfinished: the function panicked (bad), or its future was dropped
    /// before it completed (DESIGN §3: bad for a latency SLI whose threshold
    /// had passed, otherwise excluded).
    #[inline]
    fn drop(&mut self) {
        if !self.finished {
            self.unfinished();
        }
    }
}

impl Measure {
    #[cold]
    fn unfinished(&mut self) {
        if std::thread::panicking() {
            self.record(false);
            return;
        }
        let elapsed = self.started.map(|started| started.elapsed());
        for handle in self.handles.get().handles.iter() {
            match (handle.latency_threshold(), elapsed) {
                (Some(threshold), Some(elapsed)) if elapsed > threshold => {
                    handle.record_latency(elapsed, false);
                }
                _ => handle.record_excluded(Exclusion::ClientCancelled),
            }
        }
    }
}

/// Wraps a call's result for [`IsGoodResult`] / [`IsGoodAny`]: method
/// resolution picks the `Result` rule when the type is a `Result` (any
/// `Result`, whatever its alias), and "good" otherwise.
#[doc(hidden)]
pub struct Outcome<'a, T>(pub &'a T);

/// `Result` outcomes: `Err` is bad.
#[doc(hidden)]
pub trait IsGoodResult {
    /// Whether the call was good.
    fn slo_is_good(&self) -> bool;
}

impl<T, E> IsGoodResult for Outcome<'_, Result<T, E>> {
    #[inline]
    fn slo_is_good(&self) -> bool {
        self.0.is_ok()
    }
}

/// Any other outcome: the call returned, so it was good.
#[doc(hidden)]
pub trait IsGoodAny {
    /// Whether the call was good.
    fn slo_is_good(&self) -> bool;
}

impl<T> IsGoodAny for &Outcome<'_, T> {
    #[inline]
    fn slo_is_good(&self) -> bool {
        true
    }
}

/// `good_if = predicate`: the predicate decides (its argument's type comes
/// from the function's return type, so a closure needs no annotation).
#[doc(hidden)]
#[inline]
pub fn good_if<R>(result: &R, predicate: impl FnOnce(&R) -> bool) -> bool {
    predicate(result)
}
