//! [`RegistryBuilder`]: a registry's settings, and the registry made from
//! them (restored from snapshots and backfills, when given).

use std::collections::HashMap;
use std::sync::Arc;

use super::journeys::JourneyEntry;
use super::{Activity, Base, Inner, Registry, Roles, SloEntry, restore, window_lengths};
use crate::alerts::AlertHub;
use crate::clock::{Clock, SystemClock};
use crate::counters::{Counters, Totals};
use crate::handle::{SliCell, SliHandle};
use crate::recent::{DEFAULT_RECENT_BAD, MAX_RECENT_BAD, RecentBad};
use crate::rings::{DEFAULT_RING_LEN, Rings, SampleFill, TickState};
use crate::spec::{SloDefinition, Spec};
use crate::state::{Backfill, SOURCE_STATE_FILE, Snapshot, SnapshotData};
use crate::sync::Mutex;

/// Shards are capped so that memory per SLO stays bounded on big machines.
const MAX_SHARDS: usize = 32;

/// Configures a [`Registry`].
#[must_use]
pub struct RegistryBuilder {
    spec: Spec,
    clock: Arc<dyn Clock>,
    fill: SampleFill,
    shards: usize,
    /// Bad events kept per SLO.
    recent_bad: usize,
    /// Snapshots to restore from, in order of precedence; `true` for a
    /// saved state (whose missing SLOs are worth a note), `false` for a
    /// backfill (whose source reports what it lacks).
    restores: Vec<(SnapshotData, bool)>,
}

impl RegistryBuilder {
    pub(super) fn new(spec: Spec) -> RegistryBuilder {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        RegistryBuilder {
            spec,
            clock: Arc::new(SystemClock::new()),
            fill: SampleFill::default(),
            shards: cpus.saturating_mul(2).min(MAX_SHARDS),
            recent_bad: DEFAULT_RECENT_BAD,
            restores: Vec::new(),
        }
    }

    /// The clock the windows follow (default: [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How a tick fills the samples it missed; see [`SampleFill`]. Default
    /// [`SampleFill::Spread`]; use [`SampleFill::Step`] when you tick before
    /// every move of a manual clock.
    pub fn sample_fill(mut self, fill: SampleFill) -> Self {
        self.fill = fill;
        self
    }

    /// Counter shards per SLO (rounded up to a power of two; default: twice
    /// the number of CPUs, at most 32). `shards - 1` of them are each
    /// written by one recording thread at a time, without atomic
    /// read-modify-writes; threads beyond those add atomically on
    /// `shards / 4` (at least one) shared shards, spread by thread. More
    /// shards, more memory (64 bytes a shard for availability, 128 with a
    /// histogram).
    pub fn shards(mut self, shards: usize) -> Self {
        self.shards = shards.clamp(1, 1024);
        self
    }

    /// How many of the most recent bad events each SLO keeps for `/slo`
    /// (default [`DEFAULT_RECENT_BAD`](crate::recent::DEFAULT_RECENT_BAD),
    /// at most [`MAX_RECENT_BAD`](crate::recent::MAX_RECENT_BAD); 0 keeps
    /// none, and recording one then costs a load and a branch).
    pub fn recent_bad(mut self, count: usize) -> Self {
        self.recent_bad = count.min(MAX_RECENT_BAD);
        self
    }

    /// Continues from `snapshot` (see [`crate::state`]): each SLO whose
    /// SLI, routes and period are unchanged keeps its windows, and the time
    /// since the snapshot reads as no events. What was not restored, and
    /// why, is in [`Registry::restore_report`].
    ///
    /// It may be given with other snapshots or a [`Backfill`]: for each SLO
    /// the first one given that can restore it wins, and later ones fill
    /// only the SLOs earlier ones could not. ([`StateFile::open`](crate::state::StateFile::open)
    /// puts its file first.)
    pub fn restore(mut self, snapshot: Snapshot) -> Self {
        self.restores.push((saved_state(snapshot), true));
        self
    }

    /// Fills the windows from history an outside source gives (a PromQL
    /// API's warm start, a simulation), through the same path as
    /// [`restore`](RegistryBuilder::restore) and with the same precedence:
    /// the first snapshot or backfill given that can restore an SLO wins.
    pub fn backfill(mut self, backfill: Backfill) -> Self {
        self.restores.push((backfill.into_data(), false));
        self
    }

    /// Puts `snapshot` ahead of everything else given to restore from.
    pub(crate) fn restore_first(mut self, snapshot: Snapshot) -> Self {
        self.restores.insert(0, (saved_state(snapshot), true));
        self
    }

    /// Builds the registry; counting starts now on its clock.
    pub fn build(self) -> Registry {
        let start = self.clock.now();
        let wall = self.clock.wall();
        let mut slos: Vec<SloEntry> = self
            .spec
            .slos()
            .iter()
            .enumerate()
            .map(|(index, definition)| self.entry(index, definition, start.as_unix_nanos()))
            .collect();
        let (sources, report) =
            restore::apply(&mut slos, self.spec.service(), self.restores, start);
        for slo in &slos {
            if let (Some(calendar), Some(state)) = (slo.definition.calendar(), &slo.calendar) {
                *crate::sync::lock(state) = slo.calendar_state_at(calendar, start, wall);
            }
            // Restored events are history, not activity since the start.
            *crate::sync::lock(&slo.activity) = Activity {
                total: slo.events_ever(),
                changed_at: start,
            };
        }
        let by_name = slos
            .iter()
            .enumerate()
            .map(|(index, slo)| (slo.definition.name().to_owned(), index))
            .collect::<HashMap<_, _>>();
        let journeys: Vec<JourneyEntry> = self
            .spec
            .journeys()
            .iter()
            .map(|journey| JourneyEntry::new(journey, &slos, &by_name))
            .collect();
        let alerts = AlertHub::new(
            slos.iter().map(|slo| &slo.definition),
            journeys.iter().map(|journey| &journey.definition),
        );
        Registry {
            inner: Arc::new(Inner {
                alerts,
                spec: self.spec,
                clock: self.clock,
                start,
                fill: self.fill,
                slos,
                journeys,
                by_name,
                sources,
                report,
                routes: Mutex::new(Vec::new()),
                maintenance: Mutex::new(Vec::new()),
            }),
        }
    }

    /// A fresh entry for the SLO at `index`, starting at `start` (ns).
    fn entry(&self, index: usize, definition: &SloDefinition, start: i64) -> SloEntry {
        let lengths = window_lengths(definition);
        let mut bounds_nanos: Vec<u64> = definition
            .sli()
            .histogram_bounds()
            .iter()
            .map(|s| (s * 1e9).round() as u64)
            .collect();
        bounds_nanos.dedup();
        let threshold_nanos = match definition.sli() {
            crate::Sli::Availability | crate::Sli::Quality => u64::MAX,
            crate::Sli::Latency { threshold } | crate::Sli::Freshness { threshold } => {
                u64::try_from(threshold.as_nanos()).unwrap_or(u64::MAX)
            }
        };
        // Only an SLO whose SLI excludes statuses counts them.
        let by_status = !definition.classification().excluded().is_empty();
        let buckets = if bounds_nanos.is_empty() {
            0
        } else {
            bounds_nanos.len() + 1
        };
        SloEntry {
            rings: Rings::new(&lengths, DEFAULT_RING_LEN, start),
            handle: SliHandle {
                cell: Arc::new(SliCell {
                    counters: Counters::with_layout(
                        self.shards,
                        buckets,
                        usize::from(by_status),
                        crate::reasons::slot_order(definition.sli()),
                    ),
                    threshold_nanos,
                    bounds_nanos: bounds_nanos.into_boxed_slice(),
                    recent: RecentBad::new(self.recent_bad),
                    clock: Arc::clone(&self.clock),
                    in_maintenance: std::sync::atomic::AtomicBool::new(false),
                    maintenance_excluded: std::sync::atomic::AtomicU64::new(0),
                    status_excluded: std::sync::atomic::AtomicU64::new(0),
                }),
                index,
            },
            tick: Mutex::new(TickState {
                at: start,
                totals: Totals::default(),
            }),
            lengths,
            roles: Roles::of(definition.windows()),
            definition: definition.clone(),
            since: crate::clock::Timestamp::from_unix_nanos(start),
            base: Base::default(),
            activity: Mutex::new(Activity {
                total: 0,
                changed_at: crate::clock::Timestamp::from_unix_nanos(start),
            }),
            watches_activity: definition
                .budget_alerts()
                .iter()
                .any(|c| matches!(c, crate::spec::BudgetCondition::NoData(_))),
            maintenance: self
                .spec
                .maintenance()
                .iter()
                .chain(definition.maintenance())
                .copied()
                .collect(),
            excluded: super::tallies::TallyRings::new(definition.windows().period().nanos(), start),
            reasons: super::tallies::TallyRings::new(definition.windows().period().nanos(), start),
            calendar: definition.calendar().map(|_| Mutex::new(None)),
            restored_from: None,
            restored_calendar: None,
        }
    }
}

/// A saved state's data, its sources naming the state file.
fn saved_state(snapshot: Snapshot) -> SnapshotData {
    let mut data = snapshot.0;
    if !data.sources.iter().any(|s| s == SOURCE_STATE_FILE) {
        data.sources.push(SOURCE_STATE_FILE.to_owned());
    }
    data
}
