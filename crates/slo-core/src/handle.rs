//! [`SliHandle`]: what a service holds to record events, resolved once per SLI.

use std::sync::Arc;
use std::time::Duration;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::clock::{Clock, SystemClock};
use crate::counters::{Counters, thread_writer};
use crate::reasons::{BadReason, BadReasons};
use crate::recent::{BadEvent, KeptBadEvent, RecentBad};

mod totals;

pub use totals::{EventTotals, Exclusion, LatencyHistogram};

/// The counters' tally of events excluded by status (an SLO whose SLI
/// excludes statuses keeps it).
pub(crate) const STATUS_EXCLUDED_TALLY: usize = 0;

/// The recording side of one SLO.
pub(crate) struct SliCell {
    pub counters: Counters,
    /// Latency threshold in ns; `u64::MAX` for availability SLIs.
    pub threshold_nanos: u64,
    /// Histogram upper bounds in ns (latency SLIs only), ascending.
    pub bounds_nanos: Box<[u64]>,
    /// The most recent bad events, as their recorders described them.
    pub recent: RecentBad,
    /// The registry's clock, read only when a bad event is kept.
    pub clock: Arc<dyn Clock>,
    /// Whether a maintenance window holds now: the ticker sets it, and a
    /// record reads it (one relaxed load of a line the record reads anyway).
    pub in_maintenance: AtomicBool,
    /// Events excluded because a maintenance window held. One shared
    /// counter: it only moves during maintenance.
    pub maintenance_excluded: AtomicU64,
    /// Events excluded by status where the counters keep no tally for
    /// them; see [`SliCell::status_excluded`].
    pub status_excluded: AtomicU64,
}

impl SliCell {
    /// Every event excluded by status: the counters' tally, or the shared
    /// counter of an SLO whose SLI excludes no status.
    pub(crate) fn status_excluded(&self) -> u64 {
        self.counters
            .tally(STATUS_EXCLUDED_TALLY)
            .wrapping_add(self.status_excluded.load(Ordering::Relaxed))
    }
}

/// A cheap, cloneable handle on one SLO's counters. Recording is lock-free
/// and allocation-free: one add (three for a latency observation) on a
/// cache-line padded shard that only the calling thread writes, a plain load
/// and store without an atomic read-modify-write; past as many recording
/// threads as shards, one relaxed atomic add on a shared shard.
///
/// ```
/// use std::time::Duration;
/// use slo_core::{Registry, SloDefinition, Spec};
/// let spec = Spec::builder("shop")
///     .slo(SloDefinition::builder("search-latency").objective(0.99).latency(Duration::from_millis(250)))
///     .build()?;
/// let registry = Registry::new(spec);
/// let search = registry.handle("search-latency")?;
/// assert!(search.record_latency(Duration::from_millis(120), true));
/// assert!(!search.record_latency(Duration::from_millis(900), true));
/// assert!(!search.record_latency(Duration::from_millis(5), false));
/// assert_eq!(registry.status().slos[0].events.bad, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SliHandle {
    pub(crate) cell: Arc<SliCell>,
    pub(crate) index: usize,
}

impl SliHandle {
    /// Records one event, good or bad (excluded while a maintenance
    /// window holds). A bad one's reason is `error`; see
    /// [`record_bad_for`](Self::record_bad_for) to give another.
    #[inline]
    pub fn record(&self, good: bool) {
        if self.cell.in_maintenance.load(Ordering::Relaxed) {
            self.exclude_for_maintenance();
            return;
        }
        self.count(thread_writer(), good, BadReason::Error);
    }

    /// Records one bad event with `reason` (excluded while a maintenance
    /// window holds), as `/slo`'s `bad_reasons` and
    /// `slo_bad_events_total{reason}` count it.
    ///
    /// ```
    /// use slo_core::reasons::BadReason;
    /// # use slo_core::{Registry, SloDefinition, Spec};
    /// # let spec = Spec::builder("shop").slo(SloDefinition::builder("api").objective(0.99)).build()?;
    /// # let registry = Registry::new(spec);
    /// let api = registry.handle("api")?;
    /// api.record_bad_for(BadReason::ServerError);
    /// api.record_bad(); // an `error`
    /// let totals = api.totals();
    /// assert_eq!(totals.bad, 2);
    /// assert_eq!(totals.bad_reasons.get(BadReason::ServerError), 1);
    /// assert_eq!(totals.bad_reasons.get(BadReason::Error), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn record_bad_for(&self, reason: BadReason) {
        if self.cell.in_maintenance.load(Ordering::Relaxed) {
            self.exclude_for_maintenance();
            return;
        }
        self.count_bad(thread_writer(), reason);
    }

    /// Counts one event for `writer`: good, or bad with `reason`.
    #[inline(always)]
    fn count(&self, writer: usize, good: bool, reason: BadReason) {
        if good {
            self.cell.counters.add_good(writer);
        } else {
            self.count_bad(writer, reason);
        }
    }

    /// Counts one bad event with `reason`: out of line, so that the good
    /// path of a record stays small.
    #[cold]
    #[inline(never)]
    fn count_bad(&self, writer: usize, reason: BadReason) {
        self.cell.counters.add_bad(writer, reason.index(), 1);
    }

    /// Counts an event excluded by status on an SLO whose SLI excludes
    /// none (so its counters keep no tally for it): code that says so
    /// itself. One shared counter: such calls are rare.
    #[cold]
    #[inline(never)]
    fn exclude_by_status_untallied(&self) {
        self.cell.status_excluded.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an event recorded while a maintenance window held.
    #[cold]
    #[inline(never)]
    fn exclude_for_maintenance(&self) {
        self.cell
            .maintenance_excluded
            .fetch_add(1, Ordering::Relaxed);
    }

    /// Records `good` good and `bad` bad events at once: a batch job's
    /// records, a queue consumer's messages. It costs one atomic add per
    /// count, whatever the counts, where a loop of [`SliHandle::record`]
    /// costs one per event. A latency SLI counts them without latencies
    /// (its histogram is untouched). The bad ones' reason is `error`.
    /// While a maintenance window holds, all of them are excluded instead.
    ///
    /// ```
    /// use slo_core::{Registry, SloDefinition, Spec};
    /// let spec = Spec::builder("exports")
    ///     .slo(SloDefinition::builder("export-completeness").objective(0.9995))
    ///     .build()?;
    /// let registry = Registry::new(spec);
    /// let completeness = registry.handle("export-completeness")?;
    /// // A nightly export: 9,995 records written, 5 dropped.
    /// completeness.record_batch(9_995, 5);
    /// let events = &registry.status().slos[0].events;
    /// assert_eq!((events.good, events.bad), (9_995, 5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn record_batch(&self, good: u64, bad: u64) {
        if self.cell.in_maintenance.load(Ordering::Relaxed) {
            self.cell
                .maintenance_excluded
                .fetch_add(good.saturating_add(bad), Ordering::Relaxed);
            return;
        }
        self.cell
            .counters
            .add_events(thread_writer(), good, bad, BadReason::Error.index());
    }

    /// Records one observation of data that was `age` old (a freshness
    /// SLI's event): good when `age` is within the SLI's threshold, else
    /// bad with reason `stale`; excluded while a maintenance window holds
    /// (it returns `true` then, as the event is not bad). Returns whether
    /// it was good. Meant for freshness SLIs; on another SLI the threshold
    /// is its latency threshold, and an availability SLI has none (every
    /// age is good).
    ///
    /// ```
    /// use std::time::Duration;
    /// use slo_core::{Registry, SloDefinition, Spec};
    /// let spec = Spec::builder("exports")
    ///     .slo(SloDefinition::builder("export-freshness").objective(0.99).freshness(Duration::from_secs(1800)))
    ///     .build()?;
    /// let registry = Registry::new(spec);
    /// let freshness = registry.handle("export-freshness")?;
    /// assert!(freshness.record_freshness(Duration::from_secs(90)));
    /// assert!(!freshness.record_freshness(Duration::from_secs(3600))); // stale
    /// let status = &registry.status().slos[0];
    /// assert_eq!((status.events.good, status.events.bad), (1, 1));
    /// assert_eq!(serde_json::to_value(&status.bad_reasons)?, serde_json::json!({"stale": 1}));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn record_freshness(&self, age: Duration) -> bool {
        let cell = &*self.cell;
        if cell.in_maintenance.load(Ordering::Relaxed) {
            self.exclude_for_maintenance();
            return true;
        }
        let fresh = u64::try_from(age.as_nanos()).unwrap_or(u64::MAX) <= cell.threshold_nanos;
        self.count(thread_writer(), fresh, BadReason::Stale);
        fresh
    }

    /// Records one good event.
    #[inline]
    pub fn record_good(&self) {
        self.record(true);
    }

    /// Records one bad event.
    #[inline]
    pub fn record_bad(&self) {
        self.record(false);
    }

    /// Records one event that took `latency` and `succeeded` (was not a
    /// server failure). For a latency SLI it is good when it succeeded within
    /// the threshold, and the latency lands in the histogram; for an
    /// availability SLI, good when it succeeded. Returns whether it was good.
    /// A bad one's reason is `slow` when it succeeded, `error` when not
    /// (see [`record_failure_nanos`](Self::record_failure_nanos) for another).
    /// While a maintenance window holds, the event is excluded instead (and
    /// its latency left out of the histogram); it returns `true` then, as
    /// the event is not bad.
    #[inline]
    pub fn record_latency(&self, latency: Duration, succeeded: bool) -> bool {
        self.record_latency_nanos(
            u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX),
            succeeded,
        )
    }

    /// [`record_latency`](Self::record_latency) with the latency in
    /// nanoseconds, for callers that time with raw clock readings and would
    /// otherwise build a `Duration` only for it to be taken apart again.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use slo_core::{Registry, SloDefinition, Spec};
    /// # let spec = Spec::builder("shop")
    /// #     .slo(SloDefinition::builder("search-latency").objective(0.99).latency(Duration::from_millis(250)))
    /// #     .build()?;
    /// # let search = Registry::new(spec).handle("search-latency")?;
    /// assert!(search.record_latency_nanos(120_000_000, true));
    /// assert!(!search.record_latency_nanos(250_000_001, true));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline(always)]
    pub fn record_latency_nanos(&self, nanos: u64, succeeded: bool) -> bool {
        let cell = &*self.cell;
        if cell.in_maintenance.load(Ordering::Relaxed) {
            self.exclude_for_maintenance();
            return true;
        }
        let writer = thread_writer();
        if cell.bounds_nanos.is_empty() {
            self.count(writer, succeeded, BadReason::Error);
            return succeeded;
        }
        let good = succeeded && nanos <= cell.threshold_nanos;
        let shard = cell.counters.shard(writer);
        if good {
            shard.add_good();
        } else {
            self.count_bad(
                writer,
                if succeeded {
                    BadReason::Slow
                } else {
                    BadReason::Error
                },
            );
        }
        shard.add_latency(bucket_of(&cell.bounds_nanos, nanos), nanos);
        good
    }

    /// Records one failed event that took `nanos`, bad with `reason` (a
    /// latency SLI's histogram counts its latency, as
    /// [`record_latency_nanos`](Self::record_latency_nanos) does); excluded
    /// while a maintenance window holds. Returns whether it was counted
    /// bad (`false`: excluded).
    #[cold]
    pub fn record_failure_nanos(&self, nanos: u64, reason: BadReason) -> bool {
        let cell = &*self.cell;
        if cell.in_maintenance.load(Ordering::Relaxed) {
            self.exclude_for_maintenance();
            return false;
        }
        let writer = thread_writer();
        cell.counters.add_bad(writer, reason.index(), 1);
        if !cell.bounds_nanos.is_empty() {
            cell.counters
                .shard(writer)
                .add_latency(bucket_of(&cell.bounds_nanos, nanos), nanos);
        }
        true
    }

    /// Counts an event left out of the SLI, such as a request the client
    /// abandoned before the latency threshold. Each reason has a counter of
    /// its own.
    pub fn record_excluded(&self, reason: Exclusion) {
        match reason {
            Exclusion::ClientCancelled => self.cell.counters.add_excluded(thread_writer()),
            Exclusion::Maintenance => self.exclude_for_maintenance(),
            // A maintenance window excludes everything as maintenance.
            Exclusion::Status if self.cell.in_maintenance.load(Ordering::Relaxed) => {
                self.exclude_for_maintenance();
            }
            Exclusion::Status => {
                if !self
                    .cell
                    .counters
                    .add_tally(thread_writer(), STATUS_EXCLUDED_TALLY)
                {
                    self.exclude_by_status_untallied();
                }
            }
        }
    }

    /// Records an event that ended without an outcome, `elapsed_nanos`
    /// after it began: a request whose client went away, a measured future
    /// dropped before it finished, or one that panicked (`failed`). The
    /// [cancellation rule](crate::semantics#cancellation): bad when it had
    /// `failed` (reason `error`) or, for a latency SLI, when its threshold
    /// had passed (`cancelled_late`); otherwise excluded. Returns whether
    /// it was counted as bad.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use slo_core::{Registry, SloDefinition, Spec};
    /// # let spec = Spec::builder("shop")
    /// #     .slo(SloDefinition::builder("search-latency").objective(0.99).latency(Duration::from_millis(250)))
    /// #     .build()?;
    /// # let registry = Registry::new(spec);
    /// let search = registry.handle("search-latency")?;
    /// assert!(!search.record_unfinished(10_000_000, false)); // gone after 10 ms: excluded
    /// assert!(search.record_unfinished(300_000_000, false)); // gone after 300 ms: too slow
    /// assert!(search.record_unfinished(10_000_000, true)); // it had failed
    /// let totals = search.totals();
    /// assert_eq!((totals.good, totals.bad, totals.excluded), (0, 2, 1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cold]
    pub fn record_unfinished(&self, elapsed_nanos: u64, failed: bool) -> bool {
        self.record_unfinished_for(elapsed_nanos, failed.then_some(BadReason::Error))
            .is_some()
    }

    /// [`record_unfinished`](Self::record_unfinished) of an event that had
    /// failed with `failure` (a panic, a failed response head), or had not
    /// (`None`). Returns the reason it was counted bad with: `failure`, or
    /// `cancelled_late` when the threshold had passed; `None` when it was
    /// excluded.
    #[cold]
    pub fn record_unfinished_for(
        &self,
        elapsed_nanos: u64,
        failure: Option<BadReason>,
    ) -> Option<BadReason> {
        if self.cell.in_maintenance.load(Ordering::Relaxed) {
            self.exclude_for_maintenance();
            return None;
        }
        let reason = failure.or_else(|| {
            (elapsed_nanos > self.cell.threshold_nanos).then_some(BadReason::CancelledLate)
        });
        match reason {
            Some(reason) => {
                self.record_failure_nanos(elapsed_nanos, reason);
            }
            None => self.record_excluded(Exclusion::ClientCancelled),
        }
        reason
    }

    /// Keeps `event` among the SLO's most recent bad events (see
    /// [`crate::recent`]), stamped with the registry's clock. It adds
    /// nothing to the counts: record the event as usual too. Never blocks
    /// or allocates; does nothing when the registry keeps none
    /// ([`RegistryBuilder::recent_bad`](crate::RegistryBuilder::recent_bad)).
    ///
    /// ```
    /// use slo_core::recent::{BadEvent, BadReason, Method};
    /// # use slo_core::{Registry, SloDefinition, Spec};
    /// # let spec = Spec::builder("shop").slo(SloDefinition::builder("api").objective(0.99)).build()?;
    /// # let registry = Registry::new(spec);
    /// let api = registry.handle("api")?;
    /// api.record_bad();
    /// api.record_bad_event(BadEvent { method: Some(Method::Post), status: Some(503), ..BadEvent::new(BadReason::ServerError) });
    /// assert_eq!(api.recent_bad()[0].event.status, Some(503));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cold]
    pub fn record_bad_event(&self, event: BadEvent) {
        let cell = &*self.cell;
        if cell.recent.capacity() > 0 {
            cell.recent.push(cell.clock.now(), &event);
        }
    }

    /// Whether bad events are kept ([`record_bad_event`](Self::record_bad_event)
    /// does anything): callers can skip describing them otherwise.
    #[inline]
    pub fn keeps_bad_events(&self) -> bool {
        self.cell.recent.capacity() > 0
    }

    /// Bad events given to [`record_bad_event`](Self::record_bad_event)
    /// that were not kept because their slot was being written at that
    /// moment (a flood of failures on more threads than slots).
    pub fn bad_events_not_kept(&self) -> u64 {
        self.cell.recent.skipped()
    }

    /// The most recent bad events kept, newest first.
    pub fn recent_bad(&self) -> Vec<KeptBadEvent> {
        self.cell.recent.read()
    }

    /// Every event recorded on this SLO since its registry was built:
    /// cumulative and exact, as a counter exports them.
    pub fn totals(&self) -> EventTotals {
        let counters = &self.cell.counters;
        // One read: the reasons sum to the bad count.
        let (good, by_reason) = counters.counts();
        let bad_reasons = BadReasons::from_counts(by_reason);
        EventTotals {
            good,
            bad: bad_reasons.total(),
            bad_reasons,
            excluded: counters.excluded(),
            maintenance: self.cell.maintenance_excluded.load(Ordering::Relaxed),
            status: self.cell.status_excluded(),
        }
    }

    /// The latency histogram since the registry was built; `None` for an
    /// availability SLI.
    pub fn latency_histogram(&self) -> Option<LatencyHistogram> {
        let cell = &*self.cell;
        if cell.bounds_nanos.is_empty() {
            return None;
        }
        let (counts, sum) = cell.counters.histogram();
        Some(LatencyHistogram {
            bounds_seconds: cell.bounds_nanos.iter().map(|b| *b as f64 / 1e9).collect(),
            counts,
            sum_seconds: sum as f64 / 1e9,
        })
    }

    /// The latency threshold, for latency SLIs.
    pub fn latency_threshold(&self) -> Option<Duration> {
        (!self.cell.bounds_nanos.is_empty())
            .then(|| Duration::from_nanos(self.cell.threshold_nanos))
    }

    /// The position of this SLO in its registry's spec (`usize::MAX` for
    /// a [`noop`](Self::noop) handle).
    pub fn index(&self) -> usize {
        self.index
    }

    /// A handle that belongs to no registry: recording on it costs what it
    /// always does, and nothing reads it. For tests, and for code paths
    /// whose SLO is turned off, so that they need no `Option`.
    ///
    /// ```
    /// let handle = slo_core::SliHandle::noop();
    /// handle.record(false);
    /// assert_eq!(handle.index(), usize::MAX);
    /// ```
    pub fn noop() -> SliHandle {
        SliHandle {
            cell: Arc::new(SliCell {
                // One owned shard for the first thread to record; the rest
                // add atomically on the one shared shard.
                counters: Counters::new(2, 0),
                threshold_nanos: u64::MAX,
                bounds_nanos: Box::new([]),
                recent: RecentBad::new(0),
                clock: Arc::new(SystemClock::new()),
                in_maintenance: AtomicBool::new(false),
                maintenance_excluded: AtomicU64::new(0),
                status_excluded: AtomicU64::new(0),
            }),
            index: usize::MAX,
        }
    }
}

/// The latency bucket of `nanos` among ascending `bounds`: the number of
/// bounds below it. Counting them all is a dozen independent compares,
/// where a binary search over 12 bounds is 4 loads that each wait on the
/// last (about a third of a record in a profile).
#[inline(always)]
fn bucket_of(bounds: &[u64], nanos: u64) -> usize {
    bounds.iter().filter(|&&bound| bound < nanos).count()
}

impl std::fmt::Debug for SliHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SliHandle")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}
