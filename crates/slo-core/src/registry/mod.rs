//! [`Registry`]: the SLOs of one service, their handles, windows and status.
//! Each file here does one job: [`builder`] makes a registry (and restores
//! it, with [`restore`]), [`routes`] names route templates, [`tick`] moves
//! the windows and dispatches alerts, [`evaluate`] reads one SLO's numbers,
//! [`document`] writes the status document, [`history`] the chart's
//! points, [`release`] the release decisions, and [`snapshot`] the state
//! to persist.

mod builder;
mod calendar;
mod document;
mod evaluate;
mod history;
pub(crate) mod inspect;
mod journeys;
mod maintenance;
mod release;
pub(crate) mod restore;
mod routes;
mod snapshot;
mod tallies;
mod tick;

use std::collections::HashMap;
use std::sync::Arc;

pub use builder::RegistryBuilder;

use crate::alerts::AlertHub;
use crate::clock::{Clock, Timestamp};
use crate::counters::{BAD_KINDS, Totals};
use crate::handle::{EventTotals, SliHandle};
use crate::maintenance::MaintenanceWindow;
use crate::rings::SampleFill;
use crate::rings::{Rings, TickState};
use crate::spec::{SloDefinition, Spec, UnknownSlo};
use crate::state::RestoreReport;
use crate::sync::Mutex;
use crate::windows::Window;

/// One SLO in a registry: its definition, its handle and its rings.
struct SloEntry {
    definition: SloDefinition,
    /// Which ring serves each role of the definition's windows.
    roles: Roles,
    /// Each ring's window length in ns, in the order of
    /// [`SloWindows::all`](crate::windows::SloWindows::all).
    lengths: Vec<i64>,
    handle: SliHandle,
    rings: Rings,
    tick: Mutex<TickState>,
    /// The earliest instant the windows hold: the registry's start, or
    /// earlier when restored.
    since: Timestamp,
    /// What a restored state had counted before this process: the
    /// windows' cumulative samples include it, the handle's counters do not.
    base: Base,
    /// When an event was last seen, for the no-data alert.
    activity: Mutex<Activity>,
    /// Whether the SLO has a no-data alert: only then do ticks look at
    /// its activity.
    watches_activity: bool,
    /// Its maintenance windows: the service's and its own.
    maintenance: Vec<MaintenanceWindow>,
    /// The excluded events over the period, by reason.
    excluded: tallies::TallyRings<3>,
    /// The bad events over the period, by reason.
    reasons: tallies::TallyRings<BAD_KINDS>,
    /// For a calendar period: the current period and the counts at its
    /// start (`None` inside until the first tick or read sets it).
    calendar: Option<Mutex<Option<calendar::CalendarState>>>,
    /// When the snapshot its history was restored from was taken.
    restored_from: Option<Timestamp>,
    /// The calendar period that snapshot was in, with its counts at start.
    restored_calendar: Option<crate::state::codec::SavedCalendar>,
}

/// When an SLO last recorded anything, as the ticks (or replay) saw it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Activity {
    /// Every event ever counted (good, bad, excluded) when last looked at.
    pub total: u64,
    /// When that count last changed; the registry's start before any.
    pub changed_at: Timestamp,
}

/// Where each role of an SLO's windows stands among its rings.
#[derive(Debug, Clone)]
struct Roles {
    /// Per tier, its windows' rings and its threshold.
    tiers: Vec<TierRoles>,
    status: usize,
    exhaustion: usize,
    chart: usize,
    period: usize,
}

/// One tier as a tick reads it: side by side, so that evaluating every
/// tier touches a few bytes rather than each tier's definition.
#[derive(Debug, Clone, Copy)]
struct TierRoles {
    /// The long window's ring.
    long: usize,
    /// The short window's ring.
    short: usize,
    /// Both must burn faster than this.
    burn_rate: f64,
}

impl Roles {
    fn of(windows: &crate::windows::SloWindows) -> Roles {
        // Every role's window is one of `all()` by construction.
        let at = |window: &Window| windows.position(window).unwrap_or(0);
        Roles {
            tiers: windows
                .tiers()
                .iter()
                .map(|tier| TierRoles {
                    long: at(&tier.long),
                    short: at(&tier.short),
                    burn_rate: tier.burn_rate,
                })
                .collect(),
            status: at(windows.status()),
            exhaustion: at(windows.exhaustion()),
            chart: at(windows.chart()),
            period: at(windows.period()),
        }
    }
}

/// The window lengths of `definition` in ns, in ring order.
pub(crate) fn window_lengths(definition: &SloDefinition) -> Vec<i64> {
    definition
        .windows()
        .all()
        .iter()
        .map(Window::nanos)
        .collect()
}

/// Counts carried over from a restored state.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Base {
    pub totals: Totals,
    /// Its bad events by reason (summing to `totals.bad`).
    pub bad_reasons: [u64; BAD_KINDS],
    pub excluded: u64,
    /// Per latency bucket; empty when none was carried.
    pub buckets: Vec<u64>,
    pub sum_nanos: u64,
}

impl SloEntry {
    /// The cumulative good and bad events the windows sample: the
    /// restored base plus this process's counters.
    fn live(&self) -> Totals {
        let counted = self.handle.cell.counters.totals();
        Totals {
            good: self.base.totals.good.wrapping_add(counted.good),
            bad: self.base.totals.bad.wrapping_add(counted.bad),
        }
    }

    /// Every event ever counted, good, bad or excluded, restored ones
    /// included: what the no-data alert watches.
    fn events_ever(&self) -> u64 {
        let live = self.live();
        self.excluded_live()
            .into_iter()
            .fold(live.good.wrapping_add(live.bad), u64::wrapping_add)
            .wrapping_add(self.base.excluded)
    }

    /// The cumulative bad events by reason, restored ones included.
    fn reasons_live(&self) -> [u64; BAD_KINDS] {
        let counted = self.handle.cell.counters.bad_by_kind();
        std::array::from_fn(|i| self.base.bad_reasons[i].wrapping_add(counted[i]))
    }

    /// This process's excluded events by reason: maintenance, cancelled,
    /// status.
    fn excluded_live(&self) -> tallies::Excluded<u64> {
        let cell = &self.handle.cell;
        [
            cell.maintenance_excluded
                .load(std::sync::atomic::Ordering::Relaxed),
            cell.counters.excluded(),
            cell.status_excluded(),
        ]
    }

    /// Notes the count of events at `now`: a change moves `changed_at`.
    /// Nothing for an SLO without a no-data alert.
    fn observe_activity(&self, now: Timestamp) {
        if !self.watches_activity {
            return;
        }
        let total = self.events_ever();
        let mut activity = crate::sync::lock(&self.activity);
        if total != activity.total {
            activity.total = total;
            activity.changed_at = activity.changed_at.max(now);
        }
    }
}

struct Inner {
    spec: Spec,
    clock: Arc<dyn Clock>,
    start: Timestamp,
    fill: SampleFill,
    slos: Vec<SloEntry>,
    /// The journeys, in spec order.
    journeys: Vec<journeys::JourneyEntry>,
    /// Each SLO's place in `slos`, by name.
    by_name: HashMap<String, usize>,
    /// Where restored history came from (`/slo`'s `history.sources`).
    sources: Vec<String>,
    report: RestoreReport,
    alerts: AlertHub,
    /// Route templates named by recent bad events ([`Registry::route_id`]).
    routes: Mutex<Vec<Box<str>>>,
    /// Maintenance windows added at run time ([`Registry::maintenance`]),
    /// for every SLO.
    maintenance: Mutex<Vec<MaintenanceWindow>>,
}

/// The SLOs of one service: hands out [`SliHandle`]s, keeps their windows
/// (advanced by [`Registry::tick`], usually from a [`crate::Ticker`]) and
/// computes their [`ServiceStatus`](crate::ServiceStatus). Cheap to clone;
/// clones share state. Every method that is about one SLO names it by its
/// name.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

impl Registry {
    /// A registry on the system clock with default settings.
    pub fn new(spec: Spec) -> Registry {
        Registry::builder(spec).build()
    }

    /// Configures a registry for `spec`.
    pub fn builder(spec: Spec) -> RegistryBuilder {
        RegistryBuilder::new(spec)
    }

    /// The spec the registry was built from.
    pub fn spec(&self) -> &Spec {
        &self.inner.spec
    }

    /// The clock the windows follow.
    pub fn clock(&self) -> &dyn Clock {
        &*self.inner.clock
    }

    /// When counting started.
    pub fn start(&self) -> Timestamp {
        self.inner.start
    }

    /// The earliest instant any SLO's windows hold: the registry's start,
    /// or earlier when history was restored.
    pub fn since(&self) -> Timestamp {
        self.inner
            .slos
            .iter()
            .map(|slo| slo.since)
            .min()
            .unwrap_or(self.inner.start)
    }

    /// The SLO with this name.
    fn slo(&self, name: &str) -> Result<&SloEntry, UnknownSlo> {
        self.inner
            .by_name
            .get(name)
            .and_then(|&index| self.inner.slos.get(index))
            .ok_or_else(|| UnknownSlo(name.to_owned()))
    }

    /// The handle of the SLO with this name; resolve it once and keep it.
    pub fn handle(&self, name: &str) -> Result<SliHandle, UnknownSlo> {
        self.slo(name).map(|slo| slo.handle.clone())
    }

    /// Every event the SLO with this name has recorded since the registry
    /// was built: the same as `self.handle(name)?.totals()`.
    ///
    /// ```
    /// use slo_core::{Registry, SloDefinition, Spec};
    /// let registry = Registry::new(Spec::builder("shop")
    ///     .slo(SloDefinition::builder("checkout").objective(0.999))
    ///     .build()?);
    /// registry.handle("checkout")?.record(false);
    /// assert_eq!(registry.totals("checkout")?.bad, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn totals(&self, name: &str) -> Result<EventTotals, UnknownSlo> {
        self.slo(name).map(|slo| slo.handle.totals())
    }

    /// Every SLO's definition and handle, in spec order.
    pub fn handles(&self) -> impl Iterator<Item = (&SloDefinition, &SliHandle)> {
        self.inner
            .slos
            .iter()
            .map(|slo| (&slo.definition, &slo.handle))
    }

    /// What restoring this registry's state did (empty when it was not
    /// restored); see [`RegistryBuilder::restore`].
    pub fn restore_report(&self) -> &RestoreReport {
        &self.inner.report
    }

    /// How far the clock's wall reading is ahead of its engine time, in ns
    /// (negative when behind): calendar periods and maintenance windows
    /// follow the wall clock, the windows the engine's.
    pub(crate) fn wall_offset(&self) -> i64 {
        let clock = &self.inner.clock;
        clock
            .wall()
            .as_unix_nanos()
            .saturating_sub(clock.now().as_unix_nanos())
    }

    /// The wall clock's reading at the engine's instant `now`.
    pub(crate) fn wall_at(&self, now: Timestamp) -> Timestamp {
        Timestamp::from_unix_nanos(now.as_unix_nanos().saturating_add(self.wall_offset()))
    }

    /// Good and bad events in each window of `slo` (in ring order), ending
    /// at `now`, interpolated inside one sample spacing at each window's
    /// start.
    fn window_counts(&self, slo: &SloEntry, now: Timestamp) -> Vec<(f64, f64)> {
        let mut counts = Vec::with_capacity(slo.lengths.len());
        self.window_counts_into(slo, now, &mut counts);
        counts
    }

    /// [`Registry::window_counts`] into a vector the caller reuses.
    fn window_counts_into(&self, slo: &SloEntry, now: Timestamp, counts: &mut Vec<(f64, f64)>) {
        slo.rings
            .read_counts(now.as_unix_nanos(), &slo.lengths, || slo.live(), counts);
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("service", &self.inner.spec.service())
            .field("slos", &self.inner.slos.len())
            .finish_non_exhaustive()
    }
}
