//! Per-thread sharded, cache-line padded event counters and latency buckets:
//! the hot path.
//!
//! An SLO with `n` shards has `n - 1` owned shards: each belongs to one
//! thread at a time, the holder of the writer id with its number
//! ([`WriterIds`], ids `1..n`). That thread is the only one that writes it,
//! so it adds with a plain relaxed load and store, without the lock prefix
//! of an atomic add (a few ns each on x86). Readers only load, and a
//! released id passes to its next holder with release/acquire, so no add is
//! lost. Threads without an owned shard (id 0, or an id past `n - 1`: more
//! recording threads than shards) add atomically on one of `max(1, n / 4)`
//! shared shards, spread by id so that they do not all fight over one line.
//! Either way: no lock, no allocation.

use std::cell::Cell;

use crate::sync::{AtomicU64, Ordering};

/// Slots of a shard, in `u64`s: good, excluded, the first
/// [`SLOTTED_BAD_KINDS`] kinds of bad event, then (latency SLIs only) the
/// latency sum and the buckets, then the SLO's tallies (counts only some
/// SLOs keep, such as events excluded by status), then as many more bad
/// kinds as the last line has room for.
const GOOD: usize = 0;
const EXCLUDED: usize = 1;
const FIRST_BAD: usize = 2;
const LATENCY_SUM: usize = FIRST_BAD + SLOTTED_BAD_KINDS;
const FIRST_BUCKET: usize = LATENCY_SUM + 1;
const SLOTS_PER_LINE: usize = 8;

/// How many kinds of bad event the counters keep apart (the
/// [bad reasons](crate::recent::BadReason)); a bad count is their sum.
pub(crate) const BAD_KINDS: usize = 9;

/// Bad kinds that always have a slot in every shard: with good and
/// excluded, one line. The rest take the room the last line has left, and
/// past it one shared atomic each (kinds an SLO seldom or never sees).
const SLOTTED_BAD_KINDS: usize = 6;

/// A bad kind without a slot in the shards.
const NO_SLOT: u8 = u8::MAX;

/// One cache line of counters, aligned so shards never share a line.
#[repr(align(64))]
struct Line([AtomicU64; SLOTS_PER_LINE]);

impl Line {
    fn new() -> Line {
        Line(std::array::from_fn(|_| AtomicU64::new(0)))
    }
}

/// Cumulative totals summed over shards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub good: u64,
    pub bad: u64,
}

/// The counters of one SLO: the shared shards first, then the owned ones.
pub(crate) struct Counters {
    lines: Box<[Line]>,
    lines_per_shard: usize,
    /// Shards in all (shared and owned).
    shards: usize,
    /// Writer ids below this own a shard (id `k` the shard `shared + k - 1`).
    owners_end: usize,
    /// Shared shards − 1; their count is a power of two.
    shared_mask: usize,
    bucket_count: usize,
    /// The first tally's slot.
    first_tally: usize,
    tallies: usize,
    /// Each bad kind's slot in a shard, or [`NO_SLOT`].
    bad_slots: [u8; BAD_KINDS],
    /// The bad kinds without a slot, each on one shared atomic.
    unslotted: [AtomicU64; BAD_KINDS],
}

impl Counters {
    /// `shards` is rounded up to a power of two: that many less one owned
    /// shards, plus a quarter as many shared ones (at least one).
    /// `bucket_count` is the number of latency buckets including `+Inf`
    /// (0 for no histogram).
    pub fn new(shards: usize, bucket_count: usize) -> Counters {
        Counters::with_tallies(shards, bucket_count, 0)
    }

    /// [`Counters::new`] with `tallies` more counts per shard
    /// ([`Counters::add_tally`]); an SLO that keeps none pays nothing.
    pub fn with_tallies(shards: usize, bucket_count: usize, tallies: usize) -> Counters {
        Counters::with_layout(
            shards,
            bucket_count,
            tallies,
            std::array::from_fn(|kind| kind),
        )
    }

    /// [`Counters::with_tallies`], the bad kinds given slots in the order
    /// of `bad_order` (a permutation of the kinds, the likeliest first):
    /// the first [`SLOTTED_BAD_KINDS`] always, the next while the last
    /// line has room.
    pub fn with_layout(
        shards: usize,
        bucket_count: usize,
        tallies: usize,
        bad_order: [usize; BAD_KINDS],
    ) -> Counters {
        let owners_end = shards.max(1).next_power_of_two();
        let shared = (owners_end / 4).max(1);
        let total = shared + owners_end - 1;
        let first_tally = if bucket_count == 0 {
            LATENCY_SUM
        } else {
            FIRST_BUCKET + bucket_count
        };
        let used = first_tally + tallies;
        let lines_per_shard = used.div_ceil(SLOTS_PER_LINE);
        let room = lines_per_shard * SLOTS_PER_LINE - used;
        let mut bad_slots = [NO_SLOT; BAD_KINDS];
        for (rank, &kind) in bad_order.iter().enumerate() {
            let slot = if rank < SLOTTED_BAD_KINDS {
                Some(FIRST_BAD + rank)
            } else {
                let extra = rank - SLOTTED_BAD_KINDS;
                (extra < room).then_some(used + extra)
            };
            if let (Some(place), Some(slot)) = (bad_slots.get_mut(kind), slot) {
                // Past 254 slots (hundreds of buckets) the kind counts on
                // its shared atomic instead.
                *place = u8::try_from(slot).unwrap_or(NO_SLOT);
            }
        }
        Counters {
            lines: (0..total * lines_per_shard).map(|_| Line::new()).collect(),
            lines_per_shard,
            shards: total,
            owners_end,
            shared_mask: shared - 1,
            bucket_count,
            first_tally,
            tallies,
            bad_slots,
            unslotted: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    #[inline(always)]
    fn slot(&self, shard: usize, slot: usize) -> &AtomicU64 {
        let line = shard * self.lines_per_shard + slot / SLOTS_PER_LINE;
        &self.lines[line].0[slot % SLOTS_PER_LINE]
    }

    /// The shard `writer` (a writer id; 0 for none) adds to. A record makes
    /// two or three adds: finding the shard once saves recomputing (and
    /// reloading, since the adds are atomic) its place for each.
    #[inline(always)]
    pub fn shard(&self, writer: usize) -> Shard<'_> {
        let owned = writer != 0 && writer < self.owners_end;
        let index = if owned {
            self.shared_mask + writer
        } else {
            writer & self.shared_mask
        };
        Shard {
            lines: &self.lines,
            first_line: index * self.lines_per_shard,
            owned,
            bucket_count: self.bucket_count,
        }
    }

    /// Counts one good event for `writer`: the id the calling thread holds
    /// ([`thread_writer`]), or 0.
    #[inline(always)]
    pub fn add_good(&self, writer: usize) {
        self.shard(writer).add(GOOD, 1);
    }

    /// Counts `count` bad events of `kind` (below [`BAD_KINDS`]; others
    /// are ignored) for `writer`.
    #[inline]
    pub fn add_bad(&self, writer: usize, kind: usize, count: u64) {
        match self.bad_slots.get(kind) {
            Some(&NO_SLOT) => {
                if let Some(shared) = self.unslotted.get(kind) {
                    shared.fetch_add(count, Ordering::Relaxed);
                }
            }
            Some(&slot) => self.shard(writer).add(usize::from(slot), count),
            None => {}
        }
    }

    /// Counts `good` good events and `bad` bad ones of `kind` for
    /// `writer`: one add per count that is not zero.
    #[inline(always)]
    pub fn add_events(&self, writer: usize, good: u64, bad: u64, kind: usize) {
        if good > 0 {
            self.shard(writer).add(GOOD, good);
        }
        if bad > 0 {
            self.add_bad(writer, kind, bad);
        }
    }

    /// Counts one latency observation into `bucket` (the tests' shorthand;
    /// a record finds its shard once, for the event and the latency).
    #[cfg(test)]
    pub fn add_latency(&self, writer: usize, bucket: usize, nanos: u64) {
        self.shard(writer).add_latency(bucket, nanos);
    }

    /// Counts one event left out of the SLI.
    pub fn add_excluded(&self, writer: usize) {
        self.shard(writer).add(EXCLUDED, 1);
    }

    /// Adds one to tally `which`; `false` (nothing added) past the SLO's
    /// tallies.
    #[inline(always)]
    pub fn add_tally(&self, writer: usize, which: usize) -> bool {
        let kept = which < self.tallies;
        if kept {
            self.shard(writer).add(self.first_tally + which, 1);
        }
        kept
    }

    /// Tally `which` so far (0 past the SLO's tallies).
    pub fn tally(&self, which: usize) -> u64 {
        if which < self.tallies {
            self.sum(self.first_tally + which)
        } else {
            0
        }
    }

    fn sum(&self, slot: usize) -> u64 {
        (0..self.shards)
            .map(|shard| self.slot(shard, slot).load(Ordering::Relaxed))
            .fold(0u64, u64::wrapping_add)
    }

    /// Bad events of each kind so far.
    pub fn bad_by_kind(&self) -> [u64; BAD_KINDS] {
        std::array::from_fn(|kind| match self.bad_slots[kind] {
            NO_SLOT => self.unslotted[kind].load(Ordering::Relaxed),
            slot => self.sum(usize::from(slot)),
        })
    }

    /// Good events so far, and bad ones by kind: the bad count is their
    /// sum, so that counts by kind always add up to it.
    pub fn counts(&self) -> (u64, [u64; BAD_KINDS]) {
        (self.sum(GOOD), self.bad_by_kind())
    }

    /// Good and bad events so far.
    pub fn totals(&self) -> Totals {
        let (good, bad) = self.counts();
        Totals {
            good,
            bad: bad.iter().fold(0u64, |sum, n| sum.wrapping_add(*n)),
        }
    }

    /// Excluded events so far.
    pub fn excluded(&self) -> u64 {
        self.sum(EXCLUDED)
    }

    /// Per-bucket (not cumulative) latency counts and the latency sum in ns.
    pub fn histogram(&self) -> (Vec<u64>, u64) {
        if self.bucket_count == 0 {
            return (Vec::new(), 0);
        }
        let buckets = (0..self.bucket_count)
            .map(|b| self.sum(FIRST_BUCKET + b))
            .collect();
        (buckets, self.sum(LATENCY_SUM))
    }

    /// Bytes held by this SLO's counters.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(&*self.lines)
    }
}

/// One writer's shard of an SLO's [`Counters`].
pub(crate) struct Shard<'a> {
    /// All the SLO's lines (not a subslice: slicing would add a bounds
    /// check to a record that makes a single add).
    lines: &'a [Line],
    first_line: usize,
    /// Written only by the thread holding its writer id: plain adds.
    owned: bool,
    bucket_count: usize,
}

impl Shard<'_> {
    /// Adds `value` to `slot`.
    #[inline(always)]
    fn add(&self, slot: usize, value: u64) {
        let cell = &self.lines[self.first_line + slot / SLOTS_PER_LINE].0[slot % SLOTS_PER_LINE];
        if self.owned {
            // Only this thread writes the shard: no read-modify-write.
            cell.store(
                cell.load(Ordering::Relaxed).wrapping_add(value),
                Ordering::Relaxed,
            );
        } else {
            cell.fetch_add(value, Ordering::Relaxed);
        }
    }

    /// Counts one good event.
    #[inline(always)]
    pub fn add_good(&self) {
        self.add(GOOD, 1);
    }

    /// Counts one latency observation into `bucket`.
    #[inline(always)]
    pub fn add_latency(&self, bucket: usize, nanos: u64) {
        if bucket < self.bucket_count {
            self.add(FIRST_BUCKET + bucket, 1);
            self.add(LATENCY_SUM, nanos);
        }
    }
}

/// Writer ids, each held by at most one thread at a time; the lowest free
/// one is handed out, so ids stay as small as the number of threads that
/// record at once. Id 0 is never handed out: it means "none, add atomically".
pub(crate) struct WriterIds {
    /// Bit `i` of word `w` set: id `64 * w + i` is held.
    words: Box<[AtomicU64]>,
}

impl WriterIds {
    /// Ids below `64 * words`.
    pub fn new(words: usize) -> WriterIds {
        WriterIds {
            words: (0..words.max(1))
                .map(|w| AtomicU64::new(u64::from(w == 0)))
                .collect(),
        }
    }

    /// The lowest free id, now held by the caller; 0 when all are held.
    pub fn claim(&self) -> usize {
        for (w, word) in self.words.iter().enumerate() {
            let mut held = word.load(Ordering::Relaxed);
            while held != u64::MAX {
                let bit = (!held).trailing_zeros();
                // Acquire: the previous holder's adds on this id's shards
                // happen before ours.
                match word.compare_exchange(
                    held,
                    held | (1 << bit),
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return w * 64 + bit as usize,
                    Err(now) => held = now,
                }
            }
        }
        0
    }

    /// Gives back `id`, after the caller's last add under it (release).
    pub fn release(&self, id: usize) {
        if id != 0
            && let Some(word) = self.words.get(id / 64)
        {
            word.fetch_and(!(1 << (id % 64)), Ordering::Release);
        }
    }
}

/// Enough ids for the largest shard count a registry takes (1,024).
#[cfg(not(loom))]
fn writer_ids() -> &'static WriterIds {
    static IDS: std::sync::OnceLock<WriterIds> = std::sync::OnceLock::new();
    IDS.get_or_init(|| WriterIds::new(16))
}

/// This thread's writer id: claimed on its first event, given back when
/// the thread exits.
struct ThreadWriter(Cell<usize>);

const UNCLAIMED: usize = usize::MAX;

impl Drop for ThreadWriter {
    fn drop(&mut self) {
        #[cfg(not(loom))]
        if self.0.get() != UNCLAIMED {
            writer_ids().release(self.0.get());
        }
    }
}

thread_local! {
    static WRITER: ThreadWriter = const { ThreadWriter(Cell::new(UNCLAIMED)) };
}

/// The writer id of this thread (claimed on first use), or 0: when every id
/// is held, when the thread is exiting (its id may already be someone
/// else's), and under loom (whose models pass ids explicitly).
#[inline(always)]
pub(crate) fn thread_writer() -> usize {
    WRITER
        .try_with(|writer| match writer.0.get() {
            UNCLAIMED => claim(writer),
            id => id,
        })
        .unwrap_or(0)
}

/// A thread's first event: claims its id (off the hot path).
#[cold]
fn claim(writer: &ThreadWriter) -> usize {
    #[cfg(not(loom))]
    let id = writer_ids().claim();
    #[cfg(loom)]
    let id = 0;
    writer.0.set(id);
    id
}

#[cfg(all(test, not(loom)))]
mod tests;
