//! Why events were bad: the [`BadReason`] of each bad event, and the
//! [`BadReasons`] counts that `/slo`, the exporters and replay show. The
//! rule that picks a reason is in [`semantics`](crate::semantics#bad-reasons);
//! this is where the reasons are counted apart, in the per-shard counters
//! of each SLO, so that their sum is the bad count at every read.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::counters::BAD_KINDS;
use crate::spec::Sli;

/// Why an event was bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BadReason {
    /// The response said the server failed: a listed status of 500 or
    /// more (any 5xx by default), or a listed gRPC code.
    ServerError,
    /// A listed status below 500 (an SLI's own `bad`, such as 429).
    Status,
    /// The service returned an error instead of a response (and a
    /// batch's bad events).
    Error,
    /// The service panicked.
    Panic,
    /// The response body failed while streaming.
    BodyError,
    /// It succeeded, but slower than the latency threshold.
    Slow,
    /// The client went away after the latency threshold had passed.
    CancelledLate,
    /// The handler marked the response degraded (`quality` SLIs only).
    Degraded,
    /// The data was older than the freshness threshold.
    Stale,
}

impl BadReason {
    /// Every reason, in the order they are applied: a bad event has the
    /// first that holds ([bad reasons](crate::semantics#bad-reasons)).
    pub const ALL: [BadReason; 9] = [
        BadReason::ServerError,
        BadReason::Status,
        BadReason::Error,
        BadReason::Panic,
        BadReason::BodyError,
        BadReason::Slow,
        BadReason::CancelledLate,
        BadReason::Degraded,
        BadReason::Stale,
    ];

    /// Its place in [`BadReason::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The reason named `name` ([`BadReason::as_str`]).
    pub fn from_name(name: &str) -> Option<BadReason> {
        BadReason::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The name `/slo` and the `reason` label use: `server_error`,
    /// `status`, `error`, `panic`, `body_error`, `slow`, `cancelled_late`,
    /// `degraded`, `stale`.
    pub fn as_str(self) -> &'static str {
        match self {
            BadReason::ServerError => "server_error",
            BadReason::Status => "status",
            BadReason::Error => "error",
            BadReason::Panic => "panic",
            BadReason::BodyError => "body_error",
            BadReason::Slow => "slow",
            BadReason::CancelledLate => "cancelled_late",
            BadReason::Degraded => "degraded",
            BadReason::Stale => "stale",
        }
    }
}

// The counters keep one kind of bad event per reason.
const _: () = assert!(BadReason::ALL.len() == BAD_KINDS);

/// Bad events by reason: a count for each [`BadReason`], whose sum is the
/// bad count they break down. `/slo`'s `bad_reasons` writes the reasons
/// that have any, in [`BadReason::ALL`]'s order:
/// `{"server_error": 12, "slow": 3}`.
///
/// ```
/// use slo_core::reasons::{BadReason, BadReasons};
/// let mut reasons = BadReasons::default();
/// reasons.add(BadReason::Slow, 3);
/// reasons.add(BadReason::ServerError, 12);
/// assert_eq!(reasons.total(), 15);
/// assert_eq!(reasons.get(BadReason::Slow), 3);
/// assert_eq!(serde_json::to_string(&reasons)?, r#"{"server_error":12,"slow":3}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BadReasons([u64; BAD_KINDS]);

impl BadReasons {
    /// The counts in [`BadReason::ALL`]'s order.
    pub fn from_counts(counts: [u64; BAD_KINDS]) -> BadReasons {
        BadReasons(counts)
    }

    /// The counts in [`BadReason::ALL`]'s order.
    pub fn counts(&self) -> [u64; BAD_KINDS] {
        self.0
    }

    /// The bad events with `reason`.
    pub fn get(&self, reason: BadReason) -> u64 {
        self.0[reason.index()]
    }

    /// Adds `count` bad events with `reason`.
    pub fn add(&mut self, reason: BadReason, count: u64) {
        let slot = &mut self.0[reason.index()];
        *slot = slot.wrapping_add(count);
    }

    /// Every bad event, whatever its reason.
    pub fn total(&self) -> u64 {
        self.0.iter().fold(0u64, |sum, n| sum.wrapping_add(*n))
    }

    /// Each reason with its count, those with none too, in
    /// [`BadReason::ALL`]'s order.
    pub fn iter(&self) -> impl Iterator<Item = (BadReason, u64)> + '_ {
        BadReason::ALL.into_iter().zip(self.0)
    }

    /// Each reason that has bad events, with their count.
    pub fn nonzero(&self) -> impl Iterator<Item = (BadReason, u64)> + '_ {
        self.iter().filter(|(_, count)| *count > 0)
    }
}

impl Serialize for BadReasons {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (reason, count) in self.nonzero() {
            map.serialize_entry(reason.as_str(), &count)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for BadReasons {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ReasonsVisitor;
        impl<'de> Visitor<'de> for ReasonsVisitor {
            type Value = BadReasons;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map from bad reason to count")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BadReasons, A::Error> {
                let mut reasons = BadReasons::default();
                while let Some((name, count)) = map.next_entry::<String, u64>()? {
                    let reason = BadReason::from_name(&name).ok_or_else(|| {
                        serde::de::Error::unknown_variant(
                            &name,
                            &[
                                "server_error",
                                "status",
                                "error",
                                "panic",
                                "body_error",
                                "slow",
                                "cancelled_late",
                                "degraded",
                                "stale",
                            ],
                        )
                    })?;
                    reasons.add(reason, count);
                }
                Ok(reasons)
            }
        }
        deserializer.deserialize_map(ReasonsVisitor)
    }
}

/// The reasons an SLO with `sli` sees most, first: the counters give
/// these a slot in every shard, and the rarest share atomics.
pub(crate) fn slot_order(sli: &Sli) -> [usize; BAD_KINDS] {
    use BadReason::*;
    let order = match sli {
        Sli::Latency { .. } => [
            Slow,
            ServerError,
            Status,
            Error,
            BodyError,
            CancelledLate,
            Panic,
            Degraded,
            Stale,
        ],
        Sli::Freshness { .. } => [
            Stale,
            Error,
            ServerError,
            Status,
            Panic,
            BodyError,
            Slow,
            CancelledLate,
            Degraded,
        ],
        Sli::Quality => [
            ServerError,
            Status,
            Degraded,
            Error,
            BodyError,
            Panic,
            CancelledLate,
            Slow,
            Stale,
        ],
        Sli::Availability => [
            ServerError,
            Status,
            Error,
            BodyError,
            Panic,
            Degraded,
            CancelledLate,
            Slow,
            Stale,
        ],
    };
    order.map(BadReason::index)
}

/// Whole counts for `shares` (each reason's bad events over a window, read
/// from interpolated samples, so fractional) that sum to `total` exactly:
/// each share scaled to `total`, rounded down, and what is left given one
/// at a time to the largest remainders (the earlier reason on a tie). With
/// no shares at all, `total` is `fallback`'s.
pub(crate) fn apportion(shares: [f64; BAD_KINDS], total: u64, fallback: BadReason) -> BadReasons {
    let shares = shares.map(|s| if s.is_finite() { s.max(0.0) } else { 0.0 });
    let sum: f64 = shares.iter().sum();
    let mut counts = [0u64; BAD_KINDS];
    if total == 0 {
        return BadReasons(counts);
    }
    if sum <= 0.0 {
        counts[fallback.index()] = total;
        return BadReasons(counts);
    }
    let scale = total as f64 / sum;
    let mut remainders = [0.0f64; BAD_KINDS];
    let mut given = 0u64;
    for (i, share) in shares.iter().enumerate() {
        let exact = share * scale;
        let whole = (exact.floor() as u64).min(total - given);
        counts[i] = whole;
        given += whole;
        remainders[i] = exact - whole as f64;
    }
    let mut order: Vec<usize> = (0..BAD_KINDS).filter(|i| shares[*i] > 0.0).collect();
    order.sort_by(|a, b| remainders[*b].total_cmp(&remainders[*a]).then(a.cmp(b)));
    for i in order
        .into_iter()
        .cycle()
        .take(usize::try_from(total - given).unwrap_or(0))
    {
        counts[i] += 1;
    }
    BadReasons(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_order() {
        for (i, reason) in BadReason::ALL.into_iter().enumerate() {
            assert_eq!(reason.index(), i);
            assert_eq!(BadReason::from_name(reason.as_str()), Some(reason));
        }
        assert_eq!(BadReason::from_name("teapot"), None);
    }

    #[test]
    fn apportioned_counts_sum_to_the_total() {
        let mut shares = [0.0; BAD_KINDS];
        shares[0] = 2.2;
        shares[5] = 1.3;
        shares[6] = 0.5;
        let counts = apportion(shares, 4, BadReason::Error);
        assert_eq!(counts.get(BadReason::ServerError), 2);
        assert_eq!(counts.get(BadReason::Slow), 1);
        assert_eq!(counts.get(BadReason::CancelledLate), 1);
        assert_eq!(counts.total(), 4);
        // Shares that read a little more than the total, and none at all.
        assert_eq!(apportion([1.0; BAD_KINDS], 4, BadReason::Error).total(), 4);
        assert_eq!(
            apportion([0.0; BAD_KINDS], 3, BadReason::Error).get(BadReason::Error),
            3
        );
        assert_eq!(
            apportion([f64::NAN; BAD_KINDS], 0, BadReason::Error).total(),
            0
        );
        // Exact shares stay exact.
        let exact = std::array::from_fn(|i| i as f64);
        assert_eq!(
            apportion(exact, 36, BadReason::Error).counts(),
            std::array::from_fn(|i| i as u64)
        );
    }

    #[test]
    fn the_document_names_only_reasons_with_events() {
        let reasons: BadReasons =
            serde_json::from_str(r#"{"slow": 3, "server_error": 12}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&reasons).unwrap(),
            r#"{"server_error":12,"slow":3}"#
        );
        assert!(serde_json::from_str::<BadReasons>(r#"{"teapot": 1}"#).is_err());
    }
}
