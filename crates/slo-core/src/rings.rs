//! The rings behind an SLO's windows: for each window W, a ring of
//! cumulative (good, bad) samples taken every W/60, so the count over W is
//! `now − sample(now − W)`, interpolated inside one sample spacing. No
//! per-event work.
//!
//! One writer (the tick, serialized by the registry's tick lock) and any
//! number of lock-free readers, which a sequence lock keeps from seeing a
//! half-written tick.

use crate::counters::Totals;
use crate::sync::{AtomicI64, AtomicU32, AtomicU64, Ordering, fence, spin};

/// Samples per window; a window needs 62 (60 spacings plus the two around
/// its start), the rest is slack for a late tick. A power of two.
pub(crate) const DEFAULT_RING_LEN: usize = 64;

/// The sample spacing (ns) of a window of `window` ns in a ring of
/// `ring_len` samples: a sixtieth of the window (fewer spacings in a ring
/// too short for 62 samples).
pub(crate) fn spacing(window: i64, ring_len: usize) -> i64 {
    let ring_len = ring_len.max(4).next_power_of_two();
    let spacings = (ring_len - 2).min(60) as i64;
    (window / spacings).max(1)
}

/// How missed samples are filled when a tick covers several sample times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SampleFill {
    /// Events recorded since the previous tick are spread evenly over the
    /// time since then. Right for a real clock, where events arrive
    /// continuously and a ticker may stall.
    #[default]
    Spread,
    /// Events recorded since the previous tick are taken to have happened at
    /// that tick's time. Exact when the caller ticks before every move of the
    /// clock, as replay and manual-clock tests do.
    Step,
}

/// A ring's samples from `next` to `last`, oldest first; see
/// [`Rings::save_each`].
pub(crate) struct RingSamples<'a> {
    ring: &'a Ring,
    next: i64,
    last: i64,
}

impl Iterator for RingSamples<'_> {
    type Item = Totals;

    #[inline]
    fn next(&mut self) -> Option<Totals> {
        (self.next <= self.last).then(|| {
            let sample = self.ring.load_totals(self.next);
            self.next += 1;
            sample
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = usize::try_from(self.last - self.next + 1).unwrap_or(0);
        (left, Some(left))
    }
}

impl ExactSizeIterator for RingSamples<'_> {}

/// Bits of each count a ring's slot keeps. The low bits and the full count
/// at the newest sample give every sample back exactly while the samples
/// one ring holds (64/60 of its window) are less than 2^48 events apart: a
/// hundred million events a second for a 30-day window, eight million for
/// a year's.
const SAMPLE_BITS: u32 = 48;
const SAMPLE_MASK: u64 = (1 << SAMPLE_BITS) - 1;
/// A sample's words: good's low 32 bits; good's next 16 and bad's low 16;
/// bad's next 32. Twelve bytes rather than sixteen, and good and bad side
/// by side, so that a window's two samples are mostly one cache line.
const WORDS: usize = 3;

/// A ring's header is one cache line: a read touches it and the samples.
#[repr(align(64))]
struct Ring {
    /// Spacing of samples, in ns; sample `j` is taken at time `j × spacing`.
    spacing: i64,
    mask: usize,
    /// The last sample index before the start: it and all before it are 0.
    first: i64,
    /// The newest sample written.
    latest: AtomicI64,
    /// The full counts of the newest sample, which the slots' low bits are
    /// read against.
    latest_good: AtomicU64,
    latest_bad: AtomicU64,
    /// `WORDS` words per sample.
    words: Box<[AtomicU32]>,
}

impl Ring {
    fn new(spacing: i64, len: usize, start: i64) -> Ring {
        let first = (start - 1).div_euclid(spacing);
        Ring {
            spacing,
            mask: len - 1,
            first,
            latest: AtomicI64::new(first),
            latest_good: AtomicU64::new(0),
            latest_bad: AtomicU64::new(0),
            words: (0..len * WORDS).map(|_| AtomicU32::new(0)).collect(),
        }
    }

    fn len(&self) -> i64 {
        (self.mask + 1) as i64
    }

    /// The time of sample `index`.
    fn time_of(&self, index: i64) -> i64 {
        index.saturating_mul(self.spacing)
    }

    /// Writes sample `index`; [`Ring::set_latest`] then makes the newest
    /// of them readable.
    fn store(&self, index: i64, value: Totals) {
        let at = ((index as usize) & self.mask) * WORDS;
        let (good, bad) = (value.good & SAMPLE_MASK, value.bad & SAMPLE_MASK);
        let words = [
            good as u32,
            ((good >> 32) | ((bad & 0xffff) << 16)) as u32,
            (bad >> 16) as u32,
        ];
        for (slot, word) in self.words[at..at + WORDS].iter().zip(words) {
            slot.store(word, Ordering::Relaxed);
        }
    }

    /// Marks sample `index`, already stored with `value`, the newest.
    fn set_latest(&self, index: i64, value: Totals) {
        self.latest_good.store(value.good, Ordering::Relaxed);
        self.latest_bad.store(value.bad, Ordering::Relaxed);
        self.latest.store(index, Ordering::Relaxed);
    }

    /// Sample `index`, which the ring must still hold.
    fn load_totals(&self, index: i64) -> Totals {
        let at = ((index as usize) & self.mask) * WORDS;
        let word = |i: usize| u64::from(self.words[at + i].load(Ordering::Relaxed));
        let (w0, w1, w2) = (word(0), word(1), word(2));
        let good = w0 | ((w1 & 0xffff) << 32);
        let bad = (w1 >> 16) | (w2 << 16);
        // The newest sample's full count, less how far this one is behind
        // it (modulo 2^48).
        let full = |latest: u64, low: u64| {
            latest.wrapping_sub((latest & SAMPLE_MASK).wrapping_sub(low) & SAMPLE_MASK)
        };
        Totals {
            good: full(self.latest_good.load(Ordering::Relaxed), good),
            bad: full(self.latest_bad.load(Ordering::Relaxed), bad),
        }
    }

    fn load(&self, index: i64) -> Point {
        let value = self.load_totals(index);
        Point {
            t: self.time_of(index),
            good: value.good as f64,
            bad: value.bad as f64,
        }
    }
}

/// A cumulative count at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub t: i64,
    pub good: f64,
    pub bad: f64,
}

impl Point {
    /// The live count read at `now`.
    fn live(now: i64, totals: Totals) -> Point {
        Point {
            t: now,
            good: totals.good as f64,
            bad: totals.bad as f64,
        }
    }

    fn lerp(self, other: Point, t: i64) -> Point {
        if other.t <= self.t || t <= self.t {
            return self;
        }
        if t >= other.t {
            return other;
        }
        let f = (t - self.t) as f64 / (other.t - self.t) as f64;
        Point {
            t,
            good: self.good + (other.good - self.good) * f,
            bad: self.bad + (other.bad - self.bad) * f,
        }
    }
}

/// One ring's samples as a state file keeps them; see [`Rings::save_each`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SavedRing {
    /// Sample spacing, ns.
    pub spacing: i64,
    /// Index of the newest sample (taken at `latest × spacing`).
    pub latest: i64,
    /// Cumulative counts, oldest first, the last at `latest`.
    pub samples: Vec<Totals>,
}

/// The state a tick carries to the next one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TickState {
    pub at: i64,
    pub totals: Totals,
}

/// The sample rings of one SLO, one per window.
pub(crate) struct Rings {
    seq: AtomicU64,
    start: i64,
    /// The soonest time a tick writes a sample: a tick before it only
    /// compares one number, however many windows there are.
    next_due: AtomicI64,
    rings: Box<[Ring]>,
}

impl Rings {
    /// Rings for windows of these lengths (ns), starting at `start` (ns).
    pub fn new(windows: &[i64], ring_len: usize, start: i64) -> Rings {
        let ring_len = ring_len.max(4).next_power_of_two();
        let rings: Box<[Ring]> = windows
            .iter()
            .map(|w| Ring::new(spacing(*w, ring_len), ring_len, start))
            .collect();
        Rings {
            seq: AtomicU64::new(0),
            start,
            next_due: AtomicI64::new(soonest_sample(&rings)),
            rings,
        }
    }

    /// The soonest time at which a tick would write a new sample.
    /// The instant (ns) at and before which the rings hold nothing.
    pub fn start(&self) -> i64 {
        self.start
    }

    pub fn next_sample_at(&self) -> i64 {
        self.next_due.load(Ordering::Relaxed)
    }

    /// Writes every sample due by `now` (single writer: the caller holds the
    /// tick lock). Returns the new tick state.
    pub fn tick(&self, now: i64, live: Totals, previous: TickState, fill: SampleFill) -> TickState {
        if now < previous.at {
            return previous;
        }
        if now >= self.next_due.load(Ordering::Relaxed) {
            let version = self.seq.load(Ordering::Relaxed);
            self.seq.store(version.wrapping_add(1), Ordering::Relaxed);
            fence(Ordering::Release);
            for ring in self.rings.iter() {
                let latest = ring.latest.load(Ordering::Relaxed);
                if now < ring.time_of(latest + 1) {
                    continue;
                }
                let last = now.div_euclid(ring.spacing);
                let from = (latest + 1).max(last - ring.len() + 1);
                let mut value = live;
                for index in from..=last {
                    value = match fill {
                        SampleFill::Step => live,
                        SampleFill::Spread => spread(previous, now, live, index * ring.spacing),
                    };
                    ring.store(index, value);
                }
                ring.set_latest(last, value);
            }
            self.next_due
                .store(soonest_sample(&self.rings), Ordering::Relaxed);
            self.seq.store(version.wrapping_add(2), Ordering::Release);
        }
        TickState {
            at: now,
            totals: live,
        }
    }

    /// For each window of length `lengths[i]`, the good and bad events
    /// it holds at `now`: the live count less the cumulative count at
    /// `now − lengths[i]`, into `counts` (cleared first, so a caller can
    /// reuse it). `live` is called inside the read so it is never older
    /// than the samples.
    pub fn read_counts(
        &self,
        now: i64,
        lengths: &[i64],
        live: impl Fn() -> Totals,
        counts: &mut Vec<(f64, f64)>,
    ) {
        self.consistent(|| {
            counts.clear();
            let live = Point::live(now, live());
            counts.extend(lengths.iter().enumerate().map(|(i, length)| {
                let start = match self.rings.get(i) {
                    Some(ring) => self.value_at(ring, now.saturating_sub(*length), live),
                    None => live,
                };
                (
                    (live.good - start.good).max(0.0),
                    (live.bad - start.bad).max(0.0),
                )
            }));
        })
    }

    /// For each `(ring, length)` of `picks`, the good and bad events of the
    /// last `length` ns at `now`, read from that ring (one whose window is
    /// at least `length`, so that it still holds the window's start), into
    /// `counts` (cleared first). A journey reads its windows from its
    /// steps' rings this way.
    pub fn read_picked(
        &self,
        now: i64,
        picks: &[(usize, i64)],
        live: impl Fn() -> Totals,
        counts: &mut Vec<(f64, f64)>,
    ) {
        self.consistent(|| {
            counts.clear();
            let live = Point::live(now, live());
            counts.extend(picks.iter().map(|&(index, length)| {
                let start = match self.rings.get(index) {
                    Some(ring) => self.value_at(ring, now.saturating_sub(length), live),
                    None => live,
                };
                (
                    (live.good - start.good).max(0.0),
                    (live.bad - start.bad).max(0.0),
                )
            }));
        })
    }

    /// The recent past as seen by ring `fine`: for each of its sample times
    /// from `from` on (and then `now`), the cumulative count at that time
    /// and, for each `(ring, length)` in `lookbacks`, the cumulative count
    /// `length` earlier, read from that ring.
    pub fn history<const N: usize>(
        &self,
        now: i64,
        from: i64,
        fine: usize,
        lookbacks: &[(usize, i64); N],
        live: impl Fn() -> Totals,
    ) -> Vec<(Point, [Point; N])> {
        let Some(ring) = self.rings.get(fine) else {
            return Vec::new();
        };
        self.consistent(|| {
            let live_point = Point::live(now, live());
            let latest = ring.latest.load(Ordering::Relaxed);
            let oldest = (latest - ring.len() + 2).max(ring.first + 1);
            let first = from.max(self.start).div_euclid(ring.spacing).max(oldest);
            let times = (first..=latest)
                .map(|j| ring.time_of(j))
                .filter(|t| *t < now && *t > self.start)
                .chain([now]);
            times
                .map(|t| {
                    let at = self.value_at(ring, t, live_point);
                    let back = std::array::from_fn(|i| {
                        let (index, length) = lookbacks[i];
                        match self.rings.get(index) {
                            Some(r) => self.value_at(r, t.saturating_sub(length), live_point),
                            None => at,
                        }
                    });
                    (at, back)
                })
                .collect()
        })
    }

    /// The cumulative count at time `x` (≤ `now`), read from the finest
    /// ring that still holds samples around it: exact when `x` is a sample
    /// time of that ring or nothing happened around it, else interpolated
    /// inside one of its spacings.
    pub fn cumulative_at(&self, now: i64, x: i64, live: impl Fn() -> Totals) -> Point {
        self.consistent(|| {
            let live_point = Point::live(now, live());
            let ring = self.rings.iter().find(|ring| {
                let oldest = ring.latest.load(Ordering::Relaxed) - ring.len() + 1;
                oldest <= ring.first || x >= ring.time_of(oldest)
            });
            match ring.or(self.rings.last()) {
                Some(ring) => self.value_at(ring, x, live_point),
                None => live_point,
            }
        })
    }

    /// Runs `read` until it saw the rings between two ticks: no tick was
    /// in progress when it began, and none began while it ran (the
    /// readers' half of the sequence lock). Returns that run's result.
    fn consistent<T>(&self, mut read: impl FnMut() -> T) -> T {
        let mut attempt = 0;
        loop {
            let before = self.seq.load(Ordering::Acquire);
            if before & 1 == 0 {
                let value = read();
                fence(Ordering::Acquire);
                if self.seq.load(Ordering::Relaxed) == before {
                    return value;
                }
            }
            spin(attempt);
            attempt = attempt.saturating_add(1);
        }
    }

    /// The cumulative count at time `x`, from the ring's samples, the start
    /// (nothing counted) and the live count at `now`.
    fn value_at(&self, ring: &Ring, x: i64, live: Point) -> Point {
        let origin = Point {
            t: self.start,
            good: 0.0,
            bad: 0.0,
        };
        if x <= self.start {
            return origin;
        }
        if x >= live.t {
            return live;
        }
        let latest = ring.latest.load(Ordering::Relaxed);
        if latest <= ring.first {
            return origin.lerp(live, x);
        }
        if x >= ring.time_of(latest) {
            return ring.load(latest).lerp(live, x);
        }
        let j0 = x.div_euclid(ring.spacing);
        let oldest = latest - ring.len() + 1;
        let left = if j0 <= ring.first {
            origin
        } else if j0 < oldest {
            // Older than the ring keeps: only reachable when a window is
            // asked about beyond its length; the oldest sample is the best
            // bound there is.
            return ring.load(oldest.max(ring.first + 1));
        } else {
            ring.load(j0)
        };
        let right = ring.load(j0 + 1);
        left.lerp(right, x)
    }

    /// The rings' samples, for a state file: calls `save` with each ring's
    /// spacing, the index of its newest sample, and the samples it holds,
    /// oldest first, so that the caller encodes them without copying them
    /// first. The caller holds the tick lock, so no tick writes meanwhile.
    pub fn save_each<R>(&self, mut save: impl FnMut(i64, i64, RingSamples<'_>) -> R) -> Vec<R> {
        self.rings
            .iter()
            .map(|ring| {
                let latest = ring.latest.load(Ordering::Relaxed);
                let oldest = (latest - ring.len() + 1).max(ring.first + 1);
                let samples = RingSamples {
                    ring,
                    next: oldest,
                    last: latest,
                };
                save(ring.spacing, latest, samples)
            })
            .collect()
    }

    /// Puts saved samples back into freshly made rings (nothing reads
    /// them yet). Samples at or before this windows' start are skipped.
    /// Returns `false`, and leaves the rings unusable, when the saved rings
    /// do not fit (another count, spacing or length): the caller starts
    /// fresh then.
    pub fn restore(&self, saved: &[SavedRing]) -> bool {
        if saved.len() != self.rings.len() {
            return false;
        }
        for (ring, saved) in self.rings.iter().zip(saved) {
            let count = i64::try_from(saved.samples.len()).unwrap_or(i64::MAX);
            if saved.spacing != ring.spacing || count > ring.len() {
                return false;
            }
            if count == 0 || saved.latest <= ring.first {
                continue;
            }
            let oldest = saved.latest - (count - 1);
            // A ring holds every sample since its start, or a full ring:
            // a gap would read as zero counts.
            if count != ring.len() && oldest != ring.first + 1 {
                return false;
            }
            for (j, value) in (oldest..=saved.latest).zip(&saved.samples) {
                if j > ring.first {
                    ring.store(j, *value);
                }
            }
            if let Some(newest) = saved.samples.last() {
                ring.set_latest(saved.latest, *newest);
            }
        }
        self.next_due
            .store(soonest_sample(&self.rings), Ordering::Relaxed);
        true
    }

    /// Bytes held by the rings.
    pub fn heap_bytes(&self) -> usize {
        self.rings.len() * std::mem::size_of::<Ring>()
            + self
                .rings
                .iter()
                .map(|r| r.words.len() * std::mem::size_of::<u32>())
                .sum::<usize>()
    }
}

/// The soonest time any of `rings` takes its next sample.
fn soonest_sample(rings: &[Ring]) -> i64 {
    rings
        .iter()
        .map(|r| r.time_of(r.latest.load(Ordering::Relaxed) + 1))
        .min()
        .unwrap_or(i64::MAX)
}

/// The cumulative count at `t`, assuming the events since the previous tick
/// arrived evenly between it and `now`.
pub(crate) fn spread(previous: TickState, now: i64, live: Totals, t: i64) -> Totals {
    if now <= previous.at || t >= now {
        return live;
    }
    let f = ((t - previous.at).max(0) as f64) / ((now - previous.at) as f64);
    let part = |old: u64, new: u64| old + ((new.saturating_sub(old)) as f64 * f) as u64;
    Totals {
        good: part(previous.totals.good, live.good),
        bad: part(previous.totals.bad, live.bad),
    }
}

#[cfg(all(test, not(loom)))]
mod tests;
