//! Counts kept over the period beside the windows' good and bad: the
//! excluded events by reason (maintenance, cancelled, status) and the bad
//! events by reason. A ring holds two counts, so `N` counts sit in
//! ⌈N/2⌉ pairs, and a pair's ring is made at the first tick that has
//! anything for it to hold: before then it held nothing, which is what a
//! ring made then says of the time before it. An SLO that never excludes
//! keeps no exclusion ring; one whose bad events all have one reason keeps
//! one ring of reasons.

use std::sync::OnceLock;

use crate::counters::Totals;
use crate::rings::{DEFAULT_RING_LEN, Rings, SampleFill, TickState, spread};
use crate::state::codec::{EncodedRing, SavedTallyRing};
use crate::sync::{Mutex, lock};

/// The most pairs any tallies keep (the nine bad reasons).
const MAX_PAIRS: usize = 5;

/// The exclusions the rings keep, in this order: maintenance, cancelled,
/// status.
pub(crate) type Excluded<T> = [T; 3];

/// Each pair's state before a tick, for a calendar boundary inside it.
pub(super) type PreviousTicks = [TickState; MAX_PAIRS];

/// One pair's ring and where its last tick left it.
struct Pair {
    rings: Rings,
    state: Mutex<TickState>,
}

impl Pair {
    /// A ring over `period` that held nothing until `at`.
    fn empty_until(period: i64, at: i64) -> Pair {
        Pair {
            rings: Rings::new(&[period], DEFAULT_RING_LEN, at),
            state: Mutex::new(TickState {
                at,
                totals: Totals::default(),
            }),
        }
    }
}

/// The rings of `N` counts of one SLO; see the [module docs](self).
pub(super) struct TallyRings<const N: usize> {
    period: i64,
    pairs: Box<[OnceLock<Box<Pair>>]>,
    /// The last tick's time: a pair without a ring held nothing then.
    last_tick: Mutex<i64>,
}

impl<const N: usize> TallyRings<N> {
    /// Rings over the `period` (ns), from `start` (ns).
    pub fn new(period: i64, start: i64) -> TallyRings<N> {
        TallyRings {
            period,
            pairs: (0..N.div_ceil(2).min(MAX_PAIRS))
                .map(|_| OnceLock::new())
                .collect(),
            last_tick: Mutex::new(start),
        }
    }

    /// Pair `p` of `live`.
    fn pair_of(live: &[u64; N], p: usize) -> Totals {
        Totals {
            good: live.get(2 * p).copied().unwrap_or(0),
            bad: live.get(2 * p + 1).copied().unwrap_or(0),
        }
    }

    /// Takes the samples due at `now`; returns each pair's state before.
    pub fn tick(&self, now: i64, live: [u64; N], fill: SampleFill) -> PreviousTicks {
        let mut last = lock(&self.last_tick);
        let mut previous = [TickState {
            at: *last,
            totals: Totals::default(),
        }; MAX_PAIRS];
        for (p, (slot, before)) in self.pairs.iter().zip(previous.iter_mut()).enumerate() {
            let pair_live = Self::pair_of(&live, p);
            let pair = match slot.get() {
                Some(pair) => pair,
                None if pair_live == Totals::default() => continue,
                None => slot.get_or_init(|| Box::new(Pair::empty_until(self.period, *last))),
            };
            let mut state = lock(&pair.state);
            *before = *state;
            *state = pair.rings.tick(now, pair_live, *state, fill);
        }
        *last = (*last).max(now);
        previous
    }

    /// The counts over the `period` (ns) ending at `now`.
    pub fn over_period(&self, now: i64, live: impl Fn() -> [u64; N]) -> [f64; N] {
        let mut counts = Vec::with_capacity(1);
        let mut out = [0.0; N];
        for (p, slot) in self.pairs.iter().enumerate() {
            let (first, second) = match slot.get() {
                Some(pair) => {
                    pair.rings.read_counts(
                        now,
                        &[self.period],
                        || Self::pair_of(&live(), p),
                        &mut counts,
                    );
                    counts.first().copied().unwrap_or_default()
                }
                // Nothing until the last tick, a ring spacing or less ago:
                // all it holds is in the period.
                None => {
                    let pair = Self::pair_of(&live(), p);
                    (pair.good as f64, pair.bad as f64)
                }
            };
            Self::put(&mut out, p, first, second);
        }
        out
    }

    fn put(out: &mut [f64; N], p: usize, first: f64, second: f64) {
        if let Some(slot) = out.get_mut(2 * p) {
            *slot = first;
        }
        if let Some(slot) = out.get_mut(2 * p + 1) {
            *slot = second;
        }
    }

    /// The cumulative counts at `at` (≤ `now`).
    pub fn cumulative_at(&self, now: i64, at: i64, live: impl Fn() -> [u64; N]) -> [f64; N] {
        let last = *lock(&self.last_tick);
        let mut out = [0.0; N];
        for (p, slot) in self.pairs.iter().enumerate() {
            let point = match slot.get() {
                Some(pair) => {
                    let point = pair
                        .rings
                        .cumulative_at(now, at, || Self::pair_of(&live(), p));
                    (point.good, point.bad)
                }
                None if at <= last || now <= last => (0.0, 0.0),
                // Spread over the time since the last tick.
                None => {
                    let pair = Self::pair_of(&live(), p);
                    let f = (at.min(now) - last) as f64 / (now - last) as f64;
                    (pair.good as f64 * f, pair.bad as f64 * f)
                }
            };
            Self::put(&mut out, p, point.0, point.1);
        }
        out
    }

    /// The cumulative counts at `boundary`, between the tick before
    /// (`previous`) and `now` (whose count is `live`): spread over the
    /// time between, or all at the tick before with `Step`.
    pub fn at_boundary(
        previous: &PreviousTicks,
        now: i64,
        live: [u64; N],
        boundary: i64,
        fill: SampleFill,
    ) -> [f64; N] {
        let mut out = [0.0; N];
        for (p, previous) in previous.iter().enumerate().take(N.div_ceil(2)) {
            let pair = Self::pair_of(&live, p);
            let at = match fill {
                SampleFill::Step => pair,
                SampleFill::Spread => spread(*previous, now, pair, boundary),
            };
            Self::put(&mut out, p, at.good as f64, at.bad as f64);
        }
        out
    }

    /// Each pair's ring for a state file (`None` for one not made), the
    /// caller holding the ticks off.
    pub fn save(&self) -> Vec<Option<SavedTallyRing>> {
        self.pairs
            .iter()
            .map(|slot| {
                slot.get().and_then(|pair| {
                    let state = lock(&pair.state);
                    let since = pair.rings.start();
                    let ring = pair
                        .rings
                        .save_each(|spacing, latest, samples| {
                            EncodedRing::from_samples(spacing, latest, samples)
                        })
                        .pop()?;
                    Some(SavedTallyRing {
                        since,
                        at: state.at,
                        ring,
                    })
                })
            })
            .collect()
    }

    /// Puts saved rings back into fresh tallies (nothing reads them yet),
    /// each continued with `counts` (the cumulative counts when saved)
    /// from the time it was saved to `now`, with no events between.
    /// Returns `false`, leaving the tallies as they were, when the saved
    /// rings do not fit (another count or spacing).
    pub fn restore(&self, saved: &[Option<SavedTallyRing>], counts: &[u64; N], now: i64) -> bool {
        if saved.len() != self.pairs.len() {
            return false;
        }
        let mut made = Vec::with_capacity(saved.len());
        for (p, saved) in saved.iter().enumerate() {
            let Some(saved) = saved else {
                made.push(None);
                continue;
            };
            let Ok(ring) = saved.ring.decode() else {
                return false;
            };
            let pair = Pair::empty_until(self.period, saved.since);
            if !pair.rings.restore(std::slice::from_ref(&ring)) {
                return false;
            }
            let totals = Self::pair_of(counts, p);
            let at = saved.at.min(now);
            let state = pair
                .rings
                .tick(now, totals, TickState { at, totals }, SampleFill::Step);
            *lock(&pair.state) = state;
            made.push(Some(pair));
        }
        for (slot, pair) in self.pairs.iter().zip(made) {
            if let Some(pair) = pair {
                let _ = slot.set(Box::new(pair));
            }
        }
        let mut last = lock(&self.last_tick);
        *last = (*last).max(now);
        true
    }

    /// Bytes its rings hold.
    pub fn heap_bytes(&self) -> usize {
        self.pairs.len() * std::mem::size_of::<OnceLock<Box<Pair>>>()
            + self
                .pairs
                .iter()
                .filter_map(OnceLock::get)
                .map(|pair| std::mem::size_of::<Pair>() + pair.rings.heap_bytes())
                .sum::<usize>()
    }
}

/// `live` as the counts a calendar base keeps.
pub(super) fn as_base<const N: usize>(live: [u64; N]) -> [f64; N] {
    live.map(|count| count as f64)
}
