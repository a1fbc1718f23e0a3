//! One request in flight: the SLOs it counts toward and when it started.
//! It records exactly once: when the response ends, when the service fails,
//! or, if the client goes away first, when it is dropped (DESIGN §3).

use std::time::Duration;

use quanta::Instant;

use slo_core::Exclusion;

use crate::routes::{Matched, RouteTable};

pub(crate) struct Pending {
    table: &'static RouteTable,
    matched: Matched,
    /// When the request came in; `None` when no matched SLO needs latency
    /// (availability only), which saves both clock reads.
    start: Option<Instant>,
    /// The response head already said the server failed.
    failed: bool,
}

impl Pending {
    pub fn new(table: &'static RouteTable, matched: Matched, start: Option<Instant>) -> Pending {
        Pending {
            table,
            matched,
            start,
            failed: false,
        }
    }

    /// The head said the server failed; the end of the body only adds latency.
    pub fn mark_failed(&mut self) {
        self.failed = true;
    }

    fn elapsed(&self) -> Duration {
        self.start.map_or(Duration::ZERO, |start| {
            Instant::now().saturating_duration_since(start)
        })
    }

    /// The response is complete (or failed): records one event per SLO.
    pub fn finish(mut self, succeeded: bool) {
        let elapsed = self.elapsed();
        let succeeded = succeeded && !self.failed;
        for &index in &self.matched {
            if let Some(handle) = self.table.handles.get(index as usize) {
                handle.record_latency(elapsed, succeeded);
            }
        }
        self.matched.clear();
    }
}

/// Records a panic: while it is armed, a panic unwinding through the caller's
/// frame finishes the request as a server failure. Costs no move of the
/// polled value, unlike `catch_unwind`, and lets the panic go on unchanged.
pub(crate) struct PanicGuard<'a>(pub &'a mut Option<Pending>);

impl Drop for PanicGuard<'_> {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some(pending) = self.0.take()
        {
            pending.finish(false);
        }
    }
}

impl Drop for Pending {
    /// Not finished: the client went away (hyper dropped the future or the
    /// body), or the service panicked while this was on its stack. A panic
    /// or a known failure is a failure; a latency SLI whose threshold
    /// already passed is bad (the client waited too long); anything else
    /// says nothing about the service and is excluded.
    fn drop(&mut self) {
        if self.matched.is_empty() {
            return;
        }
        if std::thread::panicking() {
            self.failed = true;
        }
        let elapsed = self.elapsed();
        for &index in &self.matched {
            let Some(handle) = self.table.handles.get(index as usize) else {
                continue;
            };
            let too_slow = handle.latency_threshold().is_some_and(|t| elapsed > t);
            if self.failed || too_slow {
                handle.record_latency(elapsed, false);
            } else {
                handle.record_excluded(Exclusion::ClientCancelled);
            }
        }
    }
}
