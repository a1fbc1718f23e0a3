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

/// What a request's bad event is told with, read before the request goes
/// inward (its headers and method are gone by the time it turns out bad)
/// and kept only while some SLO of the layer keeps bad events. It rides in
/// [`Pending`]'s own words and padding, so a good request pays for it
/// only the reads that fill it: nothing is looked at again unless an
/// event turns out bad.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Description {
    /// The bits of the rules that matched (the layer's first 64 rules').
    pub rules: u64,
    pub method: Method,
    pub trace_id: Option<TraceId>,
}

/// The response head's gRPC code when it had none.
const NO_GRPC: u8 = u8::MAX;

#[must_use = "a request is recorded when it finishes or is dropped"]
pub(crate) struct Pending {
    table: &'static RouteTable,
    matched: Matched,
    /// When the request came in, a raw reading of the table's clock; only
    /// read (twice) when a matched SLO needs latency.
    start: u64,
    /// [`Description::rules`]; 0 when undescribed.
    rules: u64,
    /// The trace id's halves; zero for none.
    trace: [u64; 2],
    /// The response's HTTP status (0 before the head).
    status: u16,
    /// The response head's gRPC code; [`NO_GRPC`] for none.
    grpc: u8,
    method: Method,
    timed: bool,
    /// The response head already said the server failed.
    failed: bool,
    /// Whether bad events are described (`rules`, `trace` and `method`
    /// were read).
    described: bool,
}

impl Pending {
    /// A request toward `matched`, timed from now when `timed`, whose
    /// bad events are not described (yet).
    #[inline(always)]
    pub fn start(table: &'static RouteTable, matched: Matched, timed: bool) -> Pending {
        Pending {
            table,
            matched,
            start: if timed { table.clock.raw() } else { 0 },
            rules: 0,
            trace: [0; 2],
            status: 0,
            grpc: NO_GRPC,
            method: Method::Other,
            timed,
            failed: false,
            described: false,
        }
    }

    /// Describes its bad events with what the request said.
    #[inline(always)]
    pub fn describe_with(&mut self, description: Description) {
        let id = description.trace_id.map_or(0, TraceId::as_u128);
        self.rules = description.rules;
        self.trace = [(id >> 64) as u64, id as u64];
        self.method = description.method;
        self.described = true;
    }

    /// The head said the server failed; the end of the body only adds
    /// latency. `grpc` reads the head's gRPC code, only when the failure
    /// is described.
    pub fn mark_failed(&mut self, grpc: impl FnOnce() -> Option<u8>) {
        self.failed = true;
        if self.described {
            self.grpc = grpc().unwrap_or(NO_GRPC);
        }
    }

    /// Whether its bad events are described (so that the caller reads
    /// what only a description needs).
    #[inline(always)]
    pub fn described(&self) -> bool {
        self.described
    }

    /// The response head's status, for the description.
    #[inline(always)]
    pub fn set_status(&mut self, status: u16) {
        self.status = status;
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
    #[inline]
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
        // The first 64 SLOs in a plain loop, each recorded inline; the
        // rare ones beyond, out of line.
        let mut bits = matched.first_64();
        while bits != 0 {
            this.record(bits.trailing_zeros() as usize, outcome, succeeded, elapsed);
            bits &= bits - 1;
        }
        if matched.has_beyond() {
            this.record_beyond(&matched, outcome, succeeded, elapsed);
        }
    }

    /// Records the request's events for the SLOs past the first 64.
    #[cold]
    #[inline(never)]
    fn record_beyond(&self, matched: &Matched, outcome: Outcome, succeeded: bool, elapsed: u64) {
        matched.for_each_beyond(|index| self.record(index, outcome, succeeded, elapsed));
    }

    /// Records the request's event for SLO `index`.
    #[inline(always)]
    fn record(&self, index: usize, outcome: Outcome, succeeded: bool, elapsed: u64) {
        if let Some(handle) = self.table.handles.get(index)
            && !handle.record_latency_nanos(elapsed, succeeded)
        {
            self.finished_bad(index, handle, outcome, succeeded, elapsed);
        }
    }

    /// Describes a finished request's bad event of SLO `index`.
    #[cold]
    #[inline(never)]
    fn finished_bad(
        &self,
        index: usize,
        handle: &slo_core::SliHandle,
        outcome: Outcome,
        succeeded: bool,
        elapsed: u64,
    ) {
        let reason = match outcome {
            Outcome::Error => BadReason::Error,
            Outcome::BodyError => BadReason::BodyError,
            Outcome::Ended { .. } if succeeded => BadReason::Slow,
            Outcome::Ended { .. } => BadReason::ServerError,
        };
        let grpc = match outcome {
            Outcome::Ended { grpc, .. } => grpc.or(self.head_grpc()),
            _ => self.head_grpc(),
        };
        self.describe(index, handle, reason, elapsed, grpc);
    }

    fn head_grpc(&self) -> Option<u8> {
        (self.grpc != NO_GRPC).then_some(self.grpc)
    }

    /// Keeps the bad event of SLO `index`, when bad events are described.
    #[cold]
    fn describe(
        &self,
        index: usize,
        handle: &slo_core::SliHandle,
        reason: BadReason,
        elapsed: u64,
        grpc: Option<u8>,
    ) {
        if !self.described {
            return;
        }
        let id = (u128::from(self.trace[0]) << 64) | u128::from(self.trace[1]);
        handle.record_bad_event(BadEvent {
            method: Some(self.method),
            route: self.table.route_of(index, self.rules),
            status: (self.status != 0).then_some(self.status),
            grpc_status: grpc,
            latency_nanos: self.timed.then_some(elapsed),
            reason,
            trace_id: TraceId::from_bytes(id.to_be_bytes()),
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
            {
                let reason = if panicking {
                    BadReason::Panic
                } else if self.failed {
                    BadReason::ServerError
                } else {
                    BadReason::CancelledLate
                };
                self.describe(index, handle, reason, elapsed, self.head_grpc());
            }
        });
    }
}
