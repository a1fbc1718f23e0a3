//! What a handle's counts say: why events were left out, and every event
//! an SLO has recorded.

use crate::reasons::BadReasons;

/// Why an event was left out of its SLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Exclusion {
    /// The client went away before the latency threshold passed, so the
    /// request says nothing about the service
    /// ([cancellation](crate::semantics#cancellation)).
    ClientCancelled,
    /// A maintenance window held when it was recorded.
    Maintenance,
    /// Its status is in the SLI's `excluded` list
    /// ([classification](crate::semantics#classification)). `/slo`
    /// reports these over the period for an SLO whose SLI has such a
    /// list; the counter counts every one.
    Status,
}

impl Exclusion {
    /// Every reason, in the order the exporters write them.
    pub const ALL: [Exclusion; 3] = [
        Exclusion::ClientCancelled,
        Exclusion::Maintenance,
        Exclusion::Status,
    ];

    /// The label value used in `slo_excluded_events_total{reason}`.
    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::ClientCancelled => "client_cancelled",
            Exclusion::Maintenance => "maintenance",
            Exclusion::Status => "status",
        }
    }
}

/// Every event one SLO has recorded; see [`SliHandle::totals`](crate::SliHandle::totals).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventTotals {
    /// Good events.
    pub good: u64,
    /// Bad events.
    pub bad: u64,
    /// Bad events by reason; they sum to `bad`.
    pub bad_reasons: BadReasons,
    /// Events left out of the SLI because their clients went away in time.
    pub excluded: u64,
    /// Events left out of the SLI because a maintenance window held.
    pub maintenance: u64,
    /// Events left out of the SLI because their status is in its
    /// `excluded` list.
    pub status: u64,
}

impl EventTotals {
    /// The events excluded for `reason`.
    pub fn excluded_for(&self, reason: Exclusion) -> u64 {
        match reason {
            Exclusion::ClientCancelled => self.excluded,
            Exclusion::Maintenance => self.maintenance,
            Exclusion::Status => self.status,
        }
    }
}

/// A latency histogram snapshot; see [`SliHandle::latency_histogram`](crate::SliHandle::latency_histogram).
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyHistogram {
    /// Upper bounds (inclusive), seconds, ascending; one fewer than buckets.
    pub bounds_seconds: Vec<f64>,
    /// Per-bucket counts; the last is the `+Inf` bucket.
    pub counts: Vec<u64>,
    /// Sum of all observed latencies, seconds.
    pub sum_seconds: f64,
}
