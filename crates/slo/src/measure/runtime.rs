//! What `#[slo::measure]` expands to calls (reached through
//! `slo::__private`, not a stable API): a static call site per measured
//! function, which resolves its SLO handles from the global registry once,
//! and a guard per call.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use slo_core::recent::{BadEvent, BadReason, TraceId};
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
    /// Whether any of them keeps recent bad events (then, with `otel`, the
    /// call's trace id is read when it starts).
    #[cfg_attr(not(feature = "otel"), allow(dead_code))]
    keeps_bad: bool,
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
        let keeps_bad = handles.iter().any(SliHandle::keeps_bad_events);
        Resolved {
            handles: handles.into_boxed_slice(),
            timed,
            keeps_bad,
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
    /// The trace the call runs in, for its bad events.
    trace_id: Option<TraceId>,
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
        let trace_id = trace_id(handles.get());
        Some(Measure {
            handles,
            started,
            finished: false,
            trace_id,
        })
    }

    /// Records the call's outcome into every SLO of the call site.
    #[inline]
    pub fn finish(mut self, good: bool) {
        self.finished = true;
        self.record(good);
    }

    /// Records the call's batch, `good` and `bad` events, into every SLO
    /// of the call site (a latency SLI's histogram is left alone, as
    /// [`SliHandle::record_batch`] leaves it); a batch with bad events is
    /// kept among the recent bad events once, as an `error`.
    #[inline]
    pub fn finish_batch(mut self, good: u64, bad: u64) {
        self.finished = true;
        for handle in self.handles.get().handles.iter() {
            handle.record_batch(good, bad);
            if bad > 0 {
                self.keep(handle, BadReason::Error, None);
            }
        }
    }

    #[inline]
    fn record(&self, good: bool) {
        let resolved = self.handles.get();
        match self.started {
            None => {
                for handle in resolved.handles.iter() {
                    handle.record(good);
                    if !good {
                        self.keep(handle, BadReason::Error, None);
                    }
                }
            }
            Some(started) => {
                let elapsed = started.elapsed();
                for handle in resolved.handles.iter() {
                    if !handle.record_latency(elapsed, good) {
                        let reason = if good {
                            BadReason::Slow
                        } else {
                            BadReason::Error
                        };
                        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
                        self.keep(handle, reason, Some(nanos));
                    }
                }
            }
        }
    }

    /// Keeps a bad event of the call among `handle`'s recent ones: no
    /// method, route or status (a function has none), the latency when
    /// the call was timed, the trace it ran in.
    #[cold]
    fn keep(&self, handle: &SliHandle, reason: BadReason, latency_nanos: Option<u64>) {
        if handle.keeps_bad_events() {
            handle.record_bad_event(BadEvent {
                latency_nanos,
                trace_id: self.trace_id,
                ..BadEvent::new(reason)
            });
        }
    }
}

/// With `otel`, the trace id of the current OpenTelemetry context when the
/// call's SLOs keep bad events (read at the start: an async call's later
/// polls may run under another context).
#[inline]
fn trace_id(resolved: &Resolved) -> Option<TraceId> {
    #[cfg(feature = "otel")]
    if resolved.keeps_bad {
        return slo_otel::current_trace_id();
    }
    let _ = resolved;
    None
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
        let failure = std::thread::panicking().then_some(BadReason::Panic);
        let elapsed = self.started.map_or(0, |started| {
            u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX)
        });
        let timed = self.started.is_some();
        for handle in self.handles.get().handles.iter() {
            if let Some(reason) = handle.record_unfinished_for(elapsed, failure) {
                self.keep(handle, reason, timed.then_some(elapsed));
            }
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

/// `batch = …`: the (good, bad) counts of a call's result.
#[inline]
pub fn batch_of<R>(result: &R, counts: impl FnOnce(&R) -> (u64, u64)) -> (u64, u64) {
    counts(result)
}
