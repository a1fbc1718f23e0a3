//! One request in flight: the SLOs it counts toward and when it started.
//! It records exactly once: when the response ends, when the service fails,
//! or, if the client goes away first, when it is dropped (the
//! [cancellation rule](slo_core::semantics#cancellation)). A bad event is
//! also described, for the SLO's recent bad events, from what the request
//! carried (method, matched rule, trace id) and how it ended.

use slo_core::recent::{BadEvent, BadReason, Method, TraceId};

use crate::routes::{Matched, RouteTable};

/// How a request ended, as far as the layer saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The response ended; `succeeded` by the classifier (the head, or the
    /// trailers, whose gRPC code is `grpc`).
    Ended { succeeded: bool, grpc: Option<u8> },
    /// The service returned an error.
    Error,
    /// The body failed while streaming.
    BodyError,
}

/// What describes a request's bad event, kept only when some SLO of the
/// layer keeps bad events. Compact (32 bytes, no 16-byte alignment): it
/// travels with every request, moved from the future to the body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Description {
    pub rules: u64,
    /// The trace id's halves; zero for none.
    trace: [u64; 2],
    /// The response's HTTP status (0 before the head).
    status: u16,
    /// The response head's gRPC code; `NO_GRPC` for none.
    grpc: u8,
    pub method: Method,
}

const NO_GRPC: u8 = u8::MAX;

impl Description {
    pub fn new(method: Method, rules: u64, trace_id: Option<TraceId>) -> Description {
        let id = trace_id.map_or(0, TraceId::as_u128);
        Description {
            rules,
            trace: [(id >> 64) as u64, id as u64],
            status: 0,
            grpc: NO_GRPC,
            method,
        }
    }

    fn trace_id(&self) -> Option<TraceId> {
        let id = (u128::from(self.trace[0]) << 64) | u128::from(self.trace[1]);
        TraceId::from_bytes(id.to_be_bytes())
    }

    fn grpc(&self) -> Option<u8> {
        (self.grpc != NO_GRPC).then_some(self.grpc)
    }
}

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
    description: Option<Description>,
}

impl Pending {
    /// A request toward `matched`, timed from now when `timed`.
    #[inline(always)]
    pub fn start(
        table: &'static RouteTable,
        matched: Matched,
        timed: bool,
        description: Option<Description>,
    ) -> Pending {
        Pending {
            table,
            matched,
            start: if timed { table.clock.raw() } else { 0 },
            timed,
            failed: false,
            description,
        }
    }

    /// The head said the server failed; the end of the body only adds
    /// latency. `grpc` reads the head's gRPC code, only when the failure
    /// is described.
    pub fn mark_failed(&mut self, grpc: impl FnOnce() -> Option<u8>) {
        self.failed = true;
        if let Some(description) = &mut self.description {
            description.grpc = grpc().unwrap_or(NO_GRPC);
        }
    }

    /// Whether its bad events are described (so that the caller reads
    /// what only a description needs).
    #[inline(always)]
    pub fn described(&self) -> bool {
        self.description.is_some()
    }

    /// The response head's status, for the description.
    #[inline(always)]
    pub fn set_status(&mut self, status: u16) {
        if let Some(description) = &mut self.description {
            description.status = status;
        }
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
    pub fn finish(self, outcome: Outcome) {
        // Recorded here, so `Drop` (the unfinished path) has nothing to do.
        let mut this = std::mem::ManuallyDrop::new(self);
        let matched = this.matched.take();
        let elapsed = this.elapsed_nanos();
        let succeeded = matches!(
            outcome,
            Outcome::Ended {
                succeeded: true,
                ..
            }
        ) && !this.failed;
        matched.for_each(|index| {
            if let Some(handle) = this.table.handles.get(index)
                && !handle.record_latency_nanos(elapsed, succeeded)
                && this.description.is_some()
            {
                let reason = match outcome {
                    Outcome::Error => BadReason::Error,
                    Outcome::BodyError => BadReason::BodyError,
                    Outcome::Ended { .. } if succeeded => BadReason::Slow,
                    Outcome::Ended { .. } => BadReason::ServerError,
                };
                let head = this.description.and_then(|d| d.grpc());
                let grpc = match outcome {
                    Outcome::Ended { grpc, .. } => grpc.or(head),
                    _ => head,
                };
                this.describe(index, handle, reason, elapsed, grpc);
            }
        });
    }

    /// Keeps the bad event of SLO `index` (on the cold path only).
    #[cold]
    fn describe(
        &self,
        index: usize,
        handle: &slo_core::SliHandle,
        reason: BadReason,
        elapsed: u64,
        grpc: Option<u8>,
    ) {
        let Some(description) = self.description else {
            return;
        };
        handle.record_bad_event(BadEvent {
            method: Some(description.method),
            route: self.table.route_of(index, description.rules),
            status: (description.status != 0).then_some(description.status),
            grpc_status: grpc,
            latency_nanos: self.timed.then_some(elapsed),
            reason,
            trace_id: description.trace_id(),
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
            // Only reached while unwinding out of `f`: `pending` is
            // dropped, and its `Drop` records the panic.
            drop(self.0.take());
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
        let panicking = std::thread::panicking();
        let failed = self.failed || panicking;
        let elapsed = self.elapsed_nanos();
        let matched = self.matched.take();
        matched.for_each(|index| {
            if let Some(handle) = self.table.handles.get(index)
                && handle.record_unfinished(elapsed, failed)
                && self.description.is_some()
            {
                let reason = if panicking {
                    BadReason::Panic
                } else if self.failed {
                    BadReason::ServerError
                } else {
                    BadReason::CancelledLate
                };
                let grpc = self.description.and_then(|d| d.grpc());
                self.describe(index, handle, reason, elapsed, grpc);
            }
        });
    }
}
