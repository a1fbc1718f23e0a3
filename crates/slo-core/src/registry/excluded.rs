//! The excluded events over the period, by reason. The windows' rings hold
//! good and bad; these hold the exclusions as pairs: (maintenance,
//! cancelled), and, only for an SLO whose SLI excludes statuses, (status,
//! nothing), so that an SLO without an `excluded` list keeps one ring.

use crate::counters::Totals;
use crate::rings::{DEFAULT_RING_LEN, Rings, SampleFill, TickState, spread};
use crate::sync::{Mutex, lock};

/// The exclusions the rings keep, in this order: maintenance, cancelled,
/// status.
pub(crate) type Excluded<T> = [T; 3];

/// The rings of one SLO's exclusions; see the [module docs](self).
pub(super) struct ExcludedRings {
    /// (maintenance, cancelled), then (status, 0) when kept.
    pairs: Box<[(Rings, Mutex<TickState>)]>,
}

/// Each pair's state before a tick, for a calendar boundary inside it.
pub(super) type PreviousTicks = [TickState; 2];

impl ExcludedRings {
    /// Rings over the `period` (ns) from `start` (ns); the status pair
    /// only when `by_status`.
    pub fn new(period: i64, start: i64, by_status: bool) -> ExcludedRings {
        let pairs = if by_status { 2 } else { 1 };
        ExcludedRings {
            pairs: (0..pairs)
                .map(|_| {
                    (
                        Rings::new(&[period], DEFAULT_RING_LEN, start),
                        Mutex::new(TickState {
                            at: start,
                            totals: Totals::default(),
                        }),
                    )
                })
                .collect(),
        }
    }

    /// `live` as pairs.
    fn pairs_of(live: Excluded<u64>) -> [Totals; 2] {
        let [maintenance, cancelled, status] = live;
        [
            Totals {
                good: maintenance,
                bad: cancelled,
            },
            Totals {
                good: status,
                bad: 0,
            },
        ]
    }

    /// Takes the samples due at `now`; returns each pair's state before.
    pub fn tick(&self, now: i64, live: Excluded<u64>, fill: SampleFill) -> PreviousTicks {
        let lives = Self::pairs_of(live);
        let mut previous = [TickState {
            at: now,
            totals: Totals::default(),
        }; 2];
        for ((rings, state), (live, before)) in self
            .pairs
            .iter()
            .zip(lives.into_iter().zip(previous.iter_mut()))
        {
            let mut state = lock(state);
            *before = *state;
            *state = rings.tick(now, live, *state, fill);
        }
        previous
    }

    /// The exclusions over the `period` (ns) ending at `now`.
    pub fn over_period(
        &self,
        now: i64,
        period: i64,
        live: impl Fn() -> Excluded<u64>,
    ) -> Excluded<f64> {
        let mut counts = Vec::with_capacity(1);
        let mut out = [0.0; 3];
        for (i, (rings, _)) in self.pairs.iter().enumerate() {
            rings.read_counts(now, &[period], || Self::pairs_of(live())[i], &mut counts);
            let (first, second) = counts.first().copied().unwrap_or_default();
            match i {
                0 => (out[0], out[1]) = (first, second),
                _ => out[2] = first,
            }
        }
        out
    }

    /// The cumulative exclusions at `at` (≤ `now`).
    pub fn cumulative_at(
        &self,
        now: i64,
        at: i64,
        live: impl Fn() -> Excluded<u64>,
    ) -> Excluded<f64> {
        let mut out = [0.0; 3];
        for (i, (rings, _)) in self.pairs.iter().enumerate() {
            let point = rings.cumulative_at(now, at, || Self::pairs_of(live())[i]);
            match i {
                0 => (out[0], out[1]) = (point.good, point.bad),
                _ => out[2] = point.good,
            }
        }
        out
    }

    /// The cumulative exclusions at `boundary`, between the tick before
    /// (`previous`) and `now` (whose count is `live`): spread over the
    /// time between, or all at the tick before with `Step`.
    pub fn at_boundary(
        previous: PreviousTicks,
        now: i64,
        live: Excluded<u64>,
        boundary: i64,
        fill: SampleFill,
    ) -> Excluded<f64> {
        let lives = Self::pairs_of(live);
        let at = |i: usize| match fill {
            SampleFill::Step => lives[i],
            SampleFill::Spread => spread(previous[i], now, lives[i], boundary),
        };
        let (first, second) = (at(0), at(1));
        [first.good as f64, first.bad as f64, second.good as f64]
    }

    /// Bytes its rings hold.
    pub fn heap_bytes(&self) -> usize {
        self.pairs.iter().map(|(rings, _)| rings.heap_bytes()).sum()
    }
}

/// `live` as the counts a calendar base keeps.
pub(super) fn as_base(live: Excluded<u64>) -> Excluded<f64> {
    live.map(|count| count as f64)
}
