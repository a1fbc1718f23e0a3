//! One request in flight: the SLOs it counts toward and when it started.
//! It records exactly once: when the response ends, when the service fails,
//! or, if the client goes away first, when it is dropped (the
//! [cancellation rule](slo_core::semantics#cancellation)). A bad event is
//! also described, for the SLO's recent bad events, from what the request
//! carried (method, matched rule, trace id) and how it ended.

use slo_core::Exclusion;
use slo_core::classify::{Classification, Verdict};
use slo_core::recent::{BadEvent, BadReason, Method};

use crate::routes::{Matched, RouteTable, Spill};
use crate::trace::Trace;

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
/// and kept only while some SLO of the layer keeps bad events. (Which
/// rules matched, for the route, [`Matched`] keeps anyway.)
#[derive(Debug, Clone)]
pub(crate) struct Description {
    pub method: Method,
    pub trace: Option<Trace>,
}

/// The response head's gRPC code when it had none.
const NO_GRPC: u8 = u8::MAX;

/// [`Pending::flags`]: an SLO it counts toward needs its latency.
const TIMED: u8 = 1;
/// [`Pending::flags`]: the response head already said the server failed.
const FAILED: u8 = 2;
/// [`Pending::flags`]: its bad events are described.
const DESCRIBED: u8 = 4;
/// [`Pending::flags`]: some SLO of the layer has its own classification,
/// so the request keeps its status and gRPC code.
const CLASSIFIES: u8 = 8;
/// [`Pending::flags`]: the response is gRPC.
const GRPC: u8 = 16;
/// [`Pending::flags`]: the handler marked the response
/// [`Degraded`](slo_core::Degraded) (read only for a layer with a
/// `quality` SLO).
const DEGRADED: u8 = 32;
/// [`Pending::flags`]: some SLO of the layer is a `quality` SLI, so the
/// response's degraded mark is read.
const QUALITY: u8 = 64;

/// A request in flight. It travels with every move of the response future
/// and body, the caller's moves too, so a good request pays for each of
/// its bytes: five words, what only a bad event needs folded into them or,
/// rare, on the heap ([`Matched`]).
#[must_use = "a request is recorded when it finishes or is dropped"]
pub(crate) struct Pending {
    table: &'static RouteTable,
    /// [`Matched::slos`].
    slos: u64,
    /// [`Matched::spill`]: SLOs and rules past the bits, and the trace.
    spill: Option<Box<Spill>>,
    /// When the request came in, a raw reading of the table's clock; only
    /// read (twice) when a matched SLO needs latency.
    start: u64,
    /// [`Matched::rules`].
    rules: u16,
    /// The response's HTTP status (0 before the head).
    status: u16,
    /// The response head's gRPC code; [`NO_GRPC`] for none.
    grpc: u8,
    method: Method,
    /// [`TIMED`], [`FAILED`], [`DESCRIBED`].
    flags: u8,
}

impl Pending {
    /// A request toward `matched`, timed from now when `timed`, whose
    /// bad events are not described (yet).
    #[inline(always)]
    pub fn start(table: &'static RouteTable, matched: Matched, timed: bool) -> Pending {
        Pending {
            table,
            slos: matched.slos,
            spill: matched.spill,
            start: if timed { table.clock.raw() } else { 0 },
            rules: matched.rules,
            status: 0,
            grpc: NO_GRPC,
            method: Method::Other,
            // Without branches: the table's byte is in cache already.
            flags: (u8::from(timed) * TIMED)
                | (u8::from(table.classifies) * CLASSIFIES)
                | (u8::from(table.any_quality) * QUALITY),
        }
    }

    /// Whether the request keeps its status and gRPC code for SLOs with
    /// their own classification.
    #[inline(always)]
    pub fn classifies(&self) -> bool {
        self.flags & CLASSIFIES != 0
    }

    /// For SLOs with their own classification: whether the response is
    /// gRPC, and the head's gRPC code (a trailers-only response).
    #[inline]
    pub fn note_head(&mut self, grpc: bool, code: Option<u8>) {
        if grpc {
            self.flags |= GRPC;
        }
        if let Some(code) = code {
            self.grpc = code;
        }
    }

    /// Whether some SLO reads more of the response head than the layer's
    /// classifier: its own classification, or a `quality` SLI.
    #[inline(always)]
    pub fn judges_head(&self) -> bool {
        self.flags & (CLASSIFIES | QUALITY) != 0
    }

    /// Whether the response's degraded mark matters (a `quality` SLO).
    #[inline(always)]
    pub fn judges_quality(&self) -> bool {
        self.flags & QUALITY != 0
    }

    /// The handler marked the response degraded.
    #[inline]
    pub fn mark_degraded(&mut self) {
        self.flags |= DEGRADED;
    }

    /// Whether SLO `index` counts this response bad as degraded: a
    /// `quality` SLI, and the handler said so.
    fn degraded_for(&self, index: usize) -> bool {
        self.flags & DEGRADED != 0 && self.table.judges_quality(index)
    }

    /// Describes its bad events with what the request said.
    #[inline(always)]
    pub fn describe_with(&mut self, description: Description) {
        self.method = description.method;
        self.flags |= DESCRIBED;
        if let Some(trace) = description.trace {
            self.spill.get_or_insert_with(Box::default).trace = Some(trace);
        }
    }

    /// The head said the server failed; the end of the body only adds
    /// latency. `grpc` reads the head's gRPC code, only when the failure
    /// is described.
    pub fn mark_failed(&mut self, grpc: impl FnOnce() -> Option<u8>) {
        self.flags |= FAILED;
        if self.described() {
            self.grpc = grpc().unwrap_or(NO_GRPC);
        }
    }

    /// Whether its bad events are described (so that the caller reads
    /// what only a description needs).
    #[inline(always)]
    pub fn described(&self) -> bool {
        self.flags & DESCRIBED != 0
    }

    #[inline(always)]
    fn timed(&self) -> bool {
        self.flags & TIMED != 0
    }

    #[inline(always)]
    fn failed(&self) -> bool {
        self.flags & FAILED != 0
    }

    /// The response head's status, for the description.
    #[inline(always)]
    pub fn set_status(&mut self, status: u16) {
        self.status = status;
    }

    /// Nanoseconds since the start; 0 when untimed.
    fn elapsed_nanos(&self) -> u64 {
        if self.timed() {
            let clock = &self.table.clock;
            clock.delta_as_nanos(self.start, clock.raw())
        } else {
            0
        }
    }

    /// What the request matched, taken out (so that it is recorded once).
    #[inline(always)]
    fn take_matched(&mut self) -> Matched {
        Matched {
            slos: std::mem::take(&mut self.slos),
            rules: self.rules,
            spill: self.spill.take(),
        }
    }

    /// The response is complete (or failed): records one event per SLO.
    #[inline]
    pub fn finish(self, outcome: Outcome) {
        // Recorded here, so `Drop` (the unfinished path) has nothing to do.
        let mut this = std::mem::ManuallyDrop::new(self);
        let matched = this.take_matched();
        let elapsed = this.elapsed_nanos();
        // A quality SLI judges differently only a degraded response.
        if this.flags & (CLASSIFIES | DEGRADED) != 0 {
            this.finish_classified(&matched, outcome, elapsed);
            return;
        }
        let succeeded = matches!(
            outcome,
            Outcome::Ended {
                succeeded: true,
                ..
            }
        ) && !this.failed();
        // The first 64 SLOs in a plain loop, each recorded inline; the
        // rare ones beyond, out of line.
        let mut bits = matched.slos;
        while bits != 0 {
            let index = bits.trailing_zeros() as usize;
            this.record(index, &matched, outcome, succeeded, elapsed);
            bits &= bits - 1;
        }
        if matched.spilled_slos() {
            this.record_beyond(&matched, outcome, succeeded, elapsed);
        }
    }

    /// Records the request's events for the SLOs past the first 64.
    #[cold]
    #[inline(never)]
    fn record_beyond(&self, matched: &Matched, outcome: Outcome, succeeded: bool, elapsed: u64) {
        if let Some(spill) = &matched.spill {
            for &slo in &spill.slos {
                self.record(slo as usize, matched, outcome, succeeded, elapsed);
            }
        }
    }

    /// Records the request's event for SLO `index`: a success inline (bad
    /// only when slow), a failure out of line, with its reason.
    #[inline(always)]
    fn record(
        &self,
        index: usize,
        matched: &Matched,
        outcome: Outcome,
        succeeded: bool,
        elapsed: u64,
    ) {
        if let Some(handle) = self.table.handles.get(index) {
            if !succeeded {
                self.finished_bad(index, matched, handle, outcome, false, elapsed);
            } else if !handle.record_latency_nanos(elapsed, true) {
                self.finished_bad(index, matched, handle, outcome, true, elapsed);
            }
        }
    }

    /// A finished request's bad event of SLO `index`: a failure (not
    /// `succeeded`) is recorded here with its reason; a slow success was
    /// recorded already. Either is then described.
    #[cold]
    #[inline(never)]
    fn finished_bad(
        &self,
        index: usize,
        matched: &Matched,
        handle: &slo_core::SliHandle,
        outcome: Outcome,
        succeeded: bool,
        elapsed: u64,
    ) {
        let grpc = self.code_at(outcome);
        // The first reason that holds (slo_core::semantics#bad-reasons):
        // a failed head before the body's error.
        let own = self.own_verdict(index, grpc);
        let reason = own
            .and_then(Verdict::failure)
            .unwrap_or(match (own, outcome) {
                (None, _) if self.failed() => BadReason::ServerError,
                (_, Outcome::Error) => BadReason::Error,
                (_, Outcome::BodyError) => BadReason::BodyError,
                // A quality SLI has no threshold: succeeded, it was degraded.
                (_, Outcome::Ended { .. }) if self.degraded_for(index) => BadReason::Degraded,
                (Some(_), Outcome::Ended { .. }) => BadReason::Slow,
                (None, Outcome::Ended { .. }) if succeeded => BadReason::Slow,
                (None, Outcome::Ended { .. }) => BadReason::ServerError,
            });
        // A maintenance window leaves a failure out: nothing to describe.
        if !succeeded && !handle.record_failure_nanos(elapsed, reason) {
            return;
        }
        self.describe(index, matched, handle, reason, elapsed, grpc);
    }

    /// [`Pending::finish`] for a layer where some SLO has its own
    /// classification or is a `quality` SLI: each SLO with a
    /// classification judges the status and gRPC code itself (and may
    /// leave the request out), the rest take what the layer's classifier
    /// said, and a quality SLI fails a degraded response. Either way the
    /// event is recorded as [`Pending::finish`] records it.
    #[inline]
    fn finish_classified(&self, matched: &Matched, outcome: Outcome, elapsed: u64) {
        let layer_succeeded = matches!(
            outcome,
            Outcome::Ended {
                succeeded: true,
                ..
            }
        ) && !self.failed();
        let code = self.code_at(outcome);
        let ended = matches!(outcome, Outcome::Ended { .. });
        let mut bits = matched.slos;
        while bits != 0 {
            let index = bits.trailing_zeros() as usize;
            self.record_classified(
                index,
                matched,
                outcome,
                layer_succeeded,
                ended,
                code,
                elapsed,
            );
            bits &= bits - 1;
        }
        if let Some(spill) = &matched.spill {
            for &slo in &spill.slos {
                let index = slo as usize;
                self.record_classified(
                    index,
                    matched,
                    outcome,
                    layer_succeeded,
                    ended,
                    code,
                    elapsed,
                );
            }
        }
    }

    /// One SLO's event of [`Pending::finish_classified`]: judged by its
    /// own classification if it has one (`ended`: the response ended), by
    /// the layer's (`layer_succeeded`) if not.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn record_classified(
        &self,
        index: usize,
        matched: &Matched,
        outcome: Outcome,
        layer_succeeded: bool,
        ended: bool,
        code: Option<u8>,
        elapsed: u64,
    ) {
        let succeeded = match self.table.classification(index) {
            None => layer_succeeded,
            Some(classification) => match self.verdict(classification, code) {
                Verdict::Excluded => {
                    if let Some(handle) = self.table.handles.get(index) {
                        handle.record_excluded(Exclusion::Status);
                    }
                    return;
                }
                Verdict::Failed { .. } => false,
                Verdict::Succeeded => ended,
            },
        };
        // A degraded response fails a quality SLI (reason `degraded`).
        let succeeded = succeeded && !self.degraded_for(index);
        self.record(index, matched, outcome, succeeded, elapsed);
    }

    /// What `classification` makes of the response head, when one came.
    #[inline]
    fn verdict(&self, classification: &Classification, code: Option<u8>) -> Verdict {
        if self.status == 0 {
            Verdict::Succeeded
        } else if self.flags & GRPC != 0 {
            classification.grpc_verdict(self.status, code)
        } else {
            classification.http_verdict(self.status)
        }
    }

    /// SLO `index`'s own verdict on the response, when it has its own
    /// classification; `None` when the layer's classifier decides.
    fn own_verdict(&self, index: usize, code: Option<u8>) -> Option<Verdict> {
        if !self.classifies() {
            return None;
        }
        self.table
            .classification(index)
            .map(|classification| self.verdict(classification, code))
    }

    /// The unfinished request of SLO `index`, which has its own
    /// `classification`: excluded by its status, or the cancellation rule
    /// with a failed head as `classification` judges it.
    fn drop_own(
        &self,
        index: usize,
        matched: &Matched,
        classification: &Classification,
        panicking: bool,
        elapsed: u64,
    ) {
        let Some(handle) = self.table.handles.get(index) else {
            return;
        };
        let code = self.head_grpc();
        let verdict = self.verdict(classification, code);
        if verdict == Verdict::Excluded {
            handle.record_excluded(Exclusion::Status);
            return;
        }
        let failure = self.unfinished_failure(index, verdict.failure(), panicking);
        if let Some(reason) = handle.record_unfinished_for(elapsed, failure) {
            self.describe(index, matched, handle, reason, elapsed, code);
        }
    }

    /// Why the unfinished request failed SLO `index`, the first reason
    /// that holds: its head's failure (`head`), a panic, a degraded head;
    /// `None` when nothing failed it (the cancellation rule decides then).
    fn unfinished_failure(
        &self,
        index: usize,
        head: Option<BadReason>,
        panicking: bool,
    ) -> Option<BadReason> {
        head.or(panicking.then_some(BadReason::Panic))
            .or(self.degraded_for(index).then_some(BadReason::Degraded))
    }

    /// The gRPC code the request ended with: the trailers', else the
    /// head's.
    fn code_at(&self, outcome: Outcome) -> Option<u8> {
        match outcome {
            Outcome::Ended { grpc, .. } => grpc.or(self.head_grpc()),
            _ => self.head_grpc(),
        }
    }

    fn head_grpc(&self) -> Option<u8> {
        (self.grpc != NO_GRPC).then_some(self.grpc)
    }

    /// Keeps the bad event of SLO `index`, when bad events are described.
    #[cold]
    fn describe(
        &self,
        index: usize,
        matched: &Matched,
        handle: &slo_core::SliHandle,
        reason: BadReason,
        elapsed: u64,
        grpc: Option<u8>,
    ) {
        if !self.described() {
            return;
        }
        handle.record_bad_event(BadEvent {
            method: Some(self.method),
            route: self.table.route_of(index, matched),
            status: (self.status != 0).then_some(self.status),
            grpc_status: grpc,
            latency_nanos: self.timed().then_some(elapsed),
            reason,
            trace_id: matched.trace_id(),
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
        let matched = self.take_matched();
        if matched.is_empty() {
            return;
        }
        let panicking = std::thread::panicking();
        let head = self.failed().then_some(BadReason::ServerError);
        let elapsed = self.elapsed_nanos();
        matched.for_each(|index| {
            if self.classifies()
                && let Some(classification) = self.table.classification(index)
            {
                self.drop_own(index, &matched, classification, panicking, elapsed);
            } else if let Some(handle) = self.table.handles.get(index)
                && let Some(reason) = handle
                    .record_unfinished_for(elapsed, self.unfinished_failure(index, head, panicking))
            {
                self.describe(index, &matched, handle, reason, elapsed, self.head_grpc());
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte of a request's state is moved with the response future
    /// and body, the caller's moves too: five words, as before bad events
    /// were described (their description folds into those words, or goes
    /// to the heap).
    #[test]
    fn a_request_in_flight_is_five_words() {
        assert_eq!(std::mem::size_of::<Pending>(), 40);
        assert_eq!(std::mem::size_of::<Option<Pending>>(), 40);
    }
}
