//! What `#[slo::measure]` expands to calls (reached through
//! `slo::__private`, not a stable API): a static call site per measured
//! function, which resolves its SLO handles from the global registry once,
//! and a guard per call.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use slo_core::{Registry, SliHandle};

use super::registry;

/// One measured function: its SLO names, where it is, and the handles
/// resolved from the global registry the first time it ran.
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
#[must_use = "a call is recorded when its guard finishes or drops"]
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
    /// before it completed (the cancellation rule: bad for a latency SLI
    /// whose threshold had passed, otherwise excluded).
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
        let failed = std::thread::panicking();
        let elapsed = self.started.map_or(0, |started| {
            u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX)
        });
        for handle in self.handles.get().handles.iter() {
            handle.record_unfinished(elapsed, failed);
        }
    }
}

/// Wraps a call's result for [`IsGoodResult`] / [`IsGoodAny`]: method
/// resolution picks the `Result` rule when the type is a `Result` (any
/// `Result`, whatever its alias), and "good" otherwise.
pub struct Outcome<'a, T>(pub &'a T);

/// `Result` outcomes: `Err` is bad.
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
#[inline]
pub fn good_if<R>(result: &R, predicate: impl FnOnce(&R) -> bool) -> bool {
    predicate(result)
}
