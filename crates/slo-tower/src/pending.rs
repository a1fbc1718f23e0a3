//! One request in flight: the SLOs it counts toward and when it started.
//! It records exactly once: when the response ends, when the service fails,
//! or, if the client goes away first, when it is dropped (DESIGN §3).

use std::sync::Arc;
use std::time::Instant;

use slo_core::Exclusion;

use crate::routes::{Matched, RouteTable};

pub(crate) struct Pending {
    table: Arc<RouteTable>,
    matched: Matched,
    start: Instant,
    /// The response head already said the server failed.
    failed: bool,
}

impl Pending {
    pub fn new(table: Arc<RouteTable>, matched: Matched, start: Instant) -> Pending {
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

    /// The response is complete (or failed): records one event per SLO.
    pub fn finish(mut self, succeeded: bool) {
        let elapsed = self.start.elapsed();
        let succeeded = succeeded && !self.failed;
        for &index in &self.matched {
            if let Some(handle) = self.table.handles.get(index as usize) {
                handle.record_latency(elapsed, succeeded);
            }
        }
        self.matched.clear();
    }
}

impl Drop for Pending {
    /// Not finished: the client went away (hyper dropped the future or the
    /// body). A known failure stays a failure; a latency SLI whose threshold
    /// already passed is bad (the client waited too long); anything else
    /// says nothing about the service and is excluded.
    fn drop(&mut self) {
        if self.matched.is_empty() {
            return;
        }
        let elapsed = self.start.elapsed();
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
