//! One request in flight: the SLOs it counts toward and when it started.
//! It records exactly once: when the response ends, when the service fails,
//! or, if the client goes away first, when it is dropped (the
//! [cancellation rule](slo_core::semantics#cancellation)).

use crate::routes::{Matched, RouteTable};

#[must_use = "a request is recorded when it finishes or is dropped"]
pub(crate) struct Pending {
    table: &'static RouteTable,
    matched: Matched,
    /// When the request came in, a raw reading of the table's clock; only
    /// read (twice) when a matched SLO needs latency.
    start: u64,
    timed: bool,
    /// The response head already said the server failed.
    failed: bool,
}

impl Pending {
    /// A request toward `matched`, timed from now when `timed`.
    #[inline(always)]
    pub fn start(table: &'static RouteTable, matched: Matched, timed: bool) -> Pending {
        Pending {
            table,
            matched,
            start: if timed { table.clock.raw() } else { 0 },
            timed,
            failed: false,
        }
    }

    /// The head said the server failed; the end of the body only adds latency.
    pub fn mark_failed(&mut self) {
        self.failed = true;
    }

    /// Nanoseconds since the start; 0 when untimed.
    fn elapsed_nanos(&self) -> u64 {
        if self.timed {
            let clock = &self.table.clock;
            clock.delta_as_nanos(self.start, clock.raw())
        } else {
            0
        }
    }

    /// The response is complete (or failed): records one event per SLO.
    pub fn finish(self, succeeded: bool) {
        // Recorded here, so `Drop` (the unfinished path) has nothing to do.
        let mut this = std::mem::ManuallyDrop::new(self);
        let matched = this.matched.take();
        let elapsed = this.elapsed_nanos();
        let succeeded = succeeded && !this.failed;
        matched.for_each(|index| {
            if let Some(handle) = this.table.handles.get(index) {
                handle.record_latency_nanos(elapsed, succeeded);
            }
        });
    }
}

/// Records a panic: `f` runs with `pending` armed, and if it unwinds, the
/// request finishes as a server failure and the panic goes on unchanged.
/// Costs nothing when `f` returns (the guard is forgotten, not dropped, so
/// no `thread::panicking` check), and moves nothing, unlike `catch_unwind`.
#[inline(always)]
pub(crate) fn on_panic_fail<T>(pending: &mut Option<Pending>, f: impl FnOnce() -> T) -> T {
    struct Armed<'a>(&'a mut Option<Pending>);
    impl Drop for Armed<'_> {
        fn drop(&mut self) {
            // Only reached while unwinding out of `f`.
            if let Some(pending) = self.0.take() {
                pending.finish(false);
            }
        }
    }
    let armed = Armed(pending);
    let value = f();
    std::mem::forget(armed);
    value
}

impl Drop for Pending {
    /// Not finished: the client went away (hyper dropped the future or the
    /// body), or the service panicked while this was on its stack. Each
    /// SLO applies the cancellation rule, with a panic or a failed head as
    /// a failure.
    fn drop(&mut self) {
        if self.matched.is_empty() {
            return;
        }
        let failed = self.failed || std::thread::panicking();
        let elapsed = self.elapsed_nanos();
        self.matched.for_each(|index| {
            if let Some(handle) = self.table.handles.get(index) {
                handle.record_unfinished(elapsed, failed);
            }
        });
    }
}
