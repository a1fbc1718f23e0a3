//! [`Registry`]: the SLOs of one service, their handles, windows and status.

mod evaluate;
pub(crate) mod restore;

use std::sync::Arc;
use std::time::Duration;

use crate::alerts::{
    ALERTS_PER_SLO, AlertHook, AlertHub, AlertReceiver, AlertTransition, Observed,
};
use crate::clock::{Clock, SystemClock, Timestamp};
use crate::counters::{Counters, Totals};
use crate::handle::{EventTotals, SliCell, SliHandle};
use crate::history::{History, HistoryPoint};
use crate::policy::{EXHAUSTION_WINDOW, PERIOD_WINDOW, Policy, TIERS, WINDOW_COUNT};
use crate::recent::RouteId;
use crate::release::{self, ReleaseDecision, ReleaseDecisions, Risk};
use crate::spec::{Sli, SloDefinition, Spec};
use crate::state::{Backfill, RestoreReport, SOURCE_STATE_FILE, Snapshot, SnapshotData};
use crate::status::RecentBadEvent;
use crate::status::{
    AlertStatus, BurnRates, ErrorBudget, EventCounts, HistoryStatus, ServiceStatus, SliStatus,
    SloStatus, StatusLevel,
};
use crate::sync::{Mutex, lock};
use crate::window::{DEFAULT_RING_LEN, SampleFill, TickState, Windows};
use evaluate::Evaluation;

/// Latency histogram bounds (seconds) every latency SLI gets, plus its threshold.
pub const DEFAULT_LATENCY_BOUNDS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The window whose samples a [`History`] is drawn from (6h for a 30d period).
const HISTORY_WINDOW: usize = 4;
/// The tier whose windows a [`History`]'s burn rate covers: its long
/// window (1h), or its short one (5m) while the process is younger.
const FASTEST_PAGE_TIER: usize = 0;

/// Shards are capped so that memory per SLO stays bounded on big machines.
const MAX_SHARDS: usize = 32;

/// Asked for an SLO the spec does not define.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no SLO named {0:?} in this registry")]
pub struct UnknownSlo(pub String);

struct SloEntry {
    definition: SloDefinition,
    policy: Policy,
    /// Window lengths in ns, in policy order.
    lengths: [i64; WINDOW_COUNT],
    handle: SliHandle,
    windows: Windows,
    tick: Mutex<TickState>,
    /// The earliest instant the windows hold: the registry's start, or
    /// earlier when restored.
    since: Timestamp,
    /// What a restored state had counted before this process: the
    /// windows' cumulative samples include it, the handle's counters do not.
    base: Base,
}

/// Counts carried over from a restored state.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Base {
    pub totals: Totals,
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
}

struct Inner {
    spec: Spec,
    clock: Arc<dyn Clock>,
    start: Timestamp,
    fill: SampleFill,
    slos: Vec<SloEntry>,
    /// Where restored history came from (`/slo`'s `history.sources`).
    sources: Vec<String>,
    report: RestoreReport,
    alerts: AlertHub,
    /// Route templates named by recent bad events ([`Registry::route_id`]).
    routes: Mutex<Vec<Box<str>>>,
}

/// The SLOs of one service: hands out [`SliHandle`]s, keeps their windows
/// (advanced by [`Registry::tick`], usually from a [`crate::Ticker`]) and
/// computes their [`ServiceStatus`]. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

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
        self.recent_bad = count.min(crate::recent::MAX_RECENT_BAD);
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
        let mut slos: Vec<SloEntry> = self
            .spec
            .slos()
            .iter()
            .enumerate()
            .map(|(index, definition)| {
                let policy = Policy::for_period(definition.period());
                let lengths = window_lengths(&policy);
                let (threshold_nanos, bounds_nanos) = latency_bounds(definition.sli());
                let counters = Counters::new(
                    self.shards,
                    if bounds_nanos.is_empty() {
                        0
                    } else {
                        bounds_nanos.len() + 1
                    },
                );
                SloEntry {
                    windows: Windows::new(&lengths, DEFAULT_RING_LEN, start.as_unix_nanos()),
                    handle: SliHandle {
                        cell: Arc::new(SliCell {
                            counters,
                            threshold_nanos,
                            bounds_nanos,
                            recent: crate::recent::RecentBad::new(self.recent_bad),
                            clock: Arc::clone(&self.clock),
                        }),
                        index,
                    },
                    tick: Mutex::new(TickState {
                        at: start.as_unix_nanos(),
                        totals: Totals::default(),
                    }),
                    lengths,
                    policy,
                    definition: definition.clone(),
                    since: start,
                    base: Base::default(),
                }
            })
            .collect();
        let (sources, report) =
            restore::apply(&mut slos, self.spec.service(), self.restores, start);
        let alerts = AlertHub::new(slos.iter().map(|slo| (slo.definition.name(), &slo.policy)));
        Registry {
            inner: Arc::new(Inner {
                alerts,
                spec: self.spec,
                clock: self.clock,
                start,
                fill: self.fill,
                slos,
                sources,
                report,
                routes: Mutex::new(Vec::new()),
            }),
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

/// The share of the period's error budget spent: the burn rate over what
/// the period window holds, times the share of the period it holds. With
/// the whole period seen that is the burn rate over the period; before,
/// it is what was spent of a period's budget at the rate of events seen
/// ([semantics](crate::semantics#burn-rate-and-error-budget)), never minutes of data
/// read as a whole period.
fn budget_consumed(period_burn: Option<f64>, coverage: f64) -> f64 {
    period_burn.unwrap_or(0.0) * coverage.clamp(0.0, 1.0)
}

/// The policy's window lengths in ns, in policy order.
pub(crate) fn window_lengths(policy: &Policy) -> [i64; WINDOW_COUNT] {
    std::array::from_fn(|i| {
        policy.windows().get(i).map_or(i64::MAX, |w| {
            i64::try_from(w.duration.as_nanos()).unwrap_or(i64::MAX)
        })
    })
}

/// The threshold and the histogram bounds (ns, ascending, threshold included)
/// of an SLI; no bounds for availability.
fn latency_bounds(sli: &Sli) -> (u64, Box<[u64]>) {
    match sli {
        Sli::Availability => (u64::MAX, Box::new([])),
        Sli::Latency { threshold } => {
            let threshold = u64::try_from(threshold.as_nanos()).unwrap_or(u64::MAX);
            let mut bounds: Vec<u64> = DEFAULT_LATENCY_BOUNDS
                .iter()
                .map(|s| (s * 1e9).round() as u64)
                .chain([threshold])
                .collect();
            bounds.sort_unstable();
            bounds.dedup();
            (threshold, bounds.into_boxed_slice())
        }
    }
}

impl Registry {
    /// A registry on the system clock with default settings.
    pub fn new(spec: Spec) -> Registry {
        Registry::builder(spec).build()
    }

    /// Configures a registry for `spec`.
    pub fn builder(spec: Spec) -> RegistryBuilder {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        RegistryBuilder {
            spec,
            clock: Arc::new(SystemClock::new()),
            fill: SampleFill::default(),
            shards: cpus.saturating_mul(2).min(MAX_SHARDS),
            recent_bad: crate::recent::DEFAULT_RECENT_BAD,
            restores: Vec::new(),
        }
    }

    /// The id under which a recent bad event names the route template
    /// `template` (what a layer's rule matched; never a raw path): the same
    /// id for the same template. `None` once [`MAX_ROUTES`](crate::recent::MAX_ROUTES)
    /// distinct templates have been named. Meant for setting up a layer,
    /// not for each request: it takes a lock.
    pub fn route_id(&self, template: &str) -> Option<RouteId> {
        let mut routes = crate::sync::lock(&self.inner.routes);
        if let Some(i) = routes.iter().position(|r| &**r == template) {
            return Some(RouteId(i as u16));
        }
        if routes.len() >= crate::recent::MAX_ROUTES {
            return None;
        }
        routes.push(template.into());
        Some(RouteId((routes.len() - 1) as u16))
    }

    /// The template of a route id.
    fn route_template(&self, id: RouteId) -> Option<String> {
        crate::sync::lock(&self.inner.routes)
            .get(usize::from(id.0))
            .map(|r| r.to_string())
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

    /// The handle of the SLO with this name; resolve it once and keep it.
    pub fn handle(&self, name: &str) -> Result<SliHandle, UnknownSlo> {
        self.inner
            .slos
            .iter()
            .find(|slo| slo.definition.name() == name)
            .map(|slo| slo.handle.clone())
            .ok_or_else(|| UnknownSlo(name.to_owned()))
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
        self.handle(name).map(|handle| handle.totals())
    }

    /// Every SLO's definition and handle, in spec order.
    pub fn handles(&self) -> impl Iterator<Item = (&SloDefinition, &SliHandle)> {
        self.inner
            .slos
            .iter()
            .map(|slo| (&slo.definition, &slo.handle))
    }

    /// The windows of the SLO at `index` (labels and lengths).
    pub fn policy(&self, index: usize) -> Option<&Policy> {
        self.inner.slos.get(index).map(|slo| &slo.policy)
    }

    /// Takes the window samples due at the clock's current time. Cheap when
    /// none is due; a tick that comes late fills every sample it missed.
    pub fn tick(&self) {
        self.tick_at(self.inner.clock.now());
    }

    /// Takes the window samples due at `now` (normally the clock's time).
    pub fn tick_at(&self, now: Timestamp) {
        for slo in &self.inner.slos {
            let mut state = lock(&slo.tick);
            let live = slo.live();
            *state = slo
                .windows
                .tick(now.as_unix_nanos(), live, *state, self.inner.fill);
        }
        if self.inner.alerts.is_active() {
            self.inner
                .alerts
                .update(now, self.inner.slos.len(), |index| {
                    let evaluation = self.evaluate(&self.inner.slos[index], now);
                    let mut firing = [false; ALERTS_PER_SLO];
                    firing[..TIERS.len()].copy_from_slice(&evaluation.firing);
                    firing[TIERS.len()] = evaluation.level == StatusLevel::Exhausted;
                    Observed {
                        firing,
                        burn: evaluation.burn,
                        remaining: evaluation.remaining,
                    }
                });
        }
    }

    /// Subscribes to the alert transitions: every tier's firing and
    /// resolved, and the budget's exhausted and recovered, as each tick
    /// sees them ([`alerts`](crate::alerts)). The subscriber has a queue of
    /// `capacity` transitions of its own; when it falls behind, what does
    /// not fit is dropped (and counted), and nothing else waits. It is told
    /// at once of every alert firing now.
    pub fn subscribe_alerts(&self, capacity: usize) -> AlertReceiver {
        self.inner.alerts.subscribe(capacity)
    }

    /// Calls `callback` with every alert transition, on a thread of its
    /// own fed by a queue of 1,024: a slow or panicking callback never
    /// delays a tick, a request or another subscriber.
    pub fn on_alert(
        &self,
        callback: impl FnMut(AlertTransition) + Send + 'static,
    ) -> std::io::Result<AlertHook> {
        AlertHook::spawn(self.subscribe_alerts(1024), callback)
    }

    /// Every alert firing as of the last tick, each as the transition that
    /// started it; empty while nobody subscribes (ticks evaluate nothing
    /// then, and a new subscriber starts from nothing known).
    pub fn firing_alerts(&self) -> Vec<AlertTransition> {
        self.inner.alerts.firing_now()
    }

    /// The soonest time at which a tick would take a new sample.
    pub fn next_sample_at(&self) -> Timestamp {
        Timestamp::from_unix_nanos(
            self.inner
                .slos
                .iter()
                .map(|slo| slo.windows.next_sample_at())
                .min()
                .unwrap_or(i64::MAX),
        )
    }

    /// The shortest sample spacing of any window: how often a ticker should tick.
    pub fn finest_spacing(&self) -> Duration {
        self.inner
            .slos
            .iter()
            .filter_map(|slo| slo.policy.windows().first())
            .map(|w| w.duration / 60)
            .min()
            .unwrap_or(Duration::from_secs(1))
    }

    /// The status of every SLO at the clock's current time.
    pub fn status(&self) -> ServiceStatus {
        let now = self.inner.clock.now();
        let slos: Vec<SloStatus> = (0..self.inner.slos.len())
            .filter_map(|i| self.slo_status_at(i, now))
            .collect();
        ServiceStatus {
            service: self.inner.spec.service().to_owned(),
            now: now.to_string(),
            uptime_seconds: (now
                .saturating_duration_since(self.inner.start)
                .as_secs_f64()
                * 1e3)
                .round()
                / 1e3,
            release: slos
                .iter()
                .map(|slo| slo.release)
                .fold(ReleaseDecisions::APPROVE_ALL, ReleaseDecisions::strictest),
            slos,
            history: HistoryStatus {
                sources: self.inner.sources.clone(),
                since: self.since().to_string(),
            },
        }
    }

    /// May a change of this risk go ahead now? The strictest decision of
    /// the spec's [release policy](crate::release) over every SLO, and the
    /// SLO that decided it. It reads the windows as [`Registry::status`]
    /// does, without building the status document: cheap enough for a
    /// feature flag, a canary or a batch job to ask before risky work.
    ///
    /// ```
    /// use slo_core::release::{Decision, Risk};
    /// use slo_core::{Registry, SloDefinition, Spec, StatusLevel};
    ///
    /// let registry = Registry::new(Spec::builder("shop")
    ///     .slo(SloDefinition::builder("checkout").objective(0.999))
    ///     .build()?);
    /// let checkout = registry.handle("checkout")?;
    /// checkout.record(true);
    /// assert_eq!(registry.release_decision(Risk::High).decision, Decision::Review);
    /// for _ in 0..10 {
    ///     checkout.record(false); // burning far faster than the budget allows
    /// }
    /// let decision = registry.release_decision(Risk::Low);
    /// assert_eq!(decision.decision, Decision::Defer);
    /// assert_eq!(decision.status, Some(StatusLevel::Critical));
    /// assert_eq!(decision.decided_by.as_deref(), Some("checkout"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn release_decision(&self, risk: Risk) -> ReleaseDecision {
        self.decide_among(risk, |_| true)
    }

    /// [`Registry::release_decision`] over the named SLOs only (all of
    /// them when `slos` is empty).
    pub fn release_decision_for(
        &self,
        risk: Risk,
        slos: &[&str],
    ) -> Result<ReleaseDecision, UnknownSlo> {
        if let Some(unknown) = slos.iter().find(|name| self.handle(name).is_err()) {
            return Err(UnknownSlo((*unknown).to_owned()));
        }
        Ok(self.decide_among(risk, |name| slos.is_empty() || slos.contains(&name)))
    }

    fn decide_among(&self, risk: Risk, include: impl Fn(&str) -> bool) -> ReleaseDecision {
        let now = self.inner.clock.now();
        let policy = self.inner.spec.release_policy();
        release::decide(
            risk,
            self.inner
                .slos
                .iter()
                .filter(|slo| include(slo.definition.name()))
                .map(|slo| {
                    let evaluation = self.evaluate(slo, now);
                    (
                        slo.definition.name(),
                        evaluation.level,
                        policy.decisions(evaluation.level),
                        evaluation.remaining,
                    )
                }),
        )
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

    /// What restoring this registry's state did (empty when it was not
    /// restored); see [`RegistryBuilder::restore`].
    pub fn restore_report(&self) -> &RestoreReport {
        &self.inner.report
    }

    /// The state of every SLO now (its windows ticked up to now first), to
    /// write to a [`StateFile`](crate::state::StateFile) and restore in a
    /// later process. Takes each SLO's tick lock in turn; recording never
    /// waits for it.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.inner.clock.now();
        let slos = self
            .inner
            .slos
            .iter()
            .map(|slo| {
                let mut state = lock(&slo.tick);
                *state = slo
                    .windows
                    .tick(now.as_unix_nanos(), slo.live(), *state, self.inner.fill);
                restore::save(slo, *state)
            })
            .collect();
        Snapshot(SnapshotData {
            service: self.inner.spec.service().to_owned(),
            taken_at: now.as_unix_nanos(),
            sources: self.inner.sources.clone(),
            slos,
        })
    }

    /// The status of the SLO at `index` at time `now` (normally the clock's
    /// time; the windows must have been ticked up to about then).
    pub fn slo_status_at(&self, index: usize, now: Timestamp) -> Option<SloStatus> {
        let slo = self.inner.slos.get(index)?;
        let windows = slo.policy.windows();
        let evaluation = self.evaluate(slo, now);
        let Evaluation {
            counts,
            burn,
            coverage,
            remaining,
            firing,
            level,
        } = evaluation;
        let (period_good, period_bad) = counts[PERIOD_WINDOW];
        let period_total = period_good + period_bad;
        let period_seconds = slo.definition.period().as_secs_f64();
        let exhaustion_seconds = match burn[EXHAUSTION_WINDOW] {
            Some(rate) if rate > 0.0 && remaining > 0.0 => Some(remaining * period_seconds / rate),
            _ => None,
        };
        let alerts = TIERS
            .iter()
            .zip(firing)
            .map(|(tier, firing)| AlertStatus {
                severity: tier.severity,
                long_window: windows[tier.long].label.clone(),
                short_window: windows[tier.short].label.clone(),
                burn_rate_threshold: tier.burn_rate,
                firing,
            })
            .collect();
        Some(SloStatus {
            name: slo.definition.name().to_owned(),
            description: slo.definition.description().map(str::to_owned),
            sli: match slo.definition.sli() {
                Sli::Availability => SliStatus::Availability,
                Sli::Latency { threshold } => SliStatus::Latency {
                    threshold_seconds: threshold.as_secs_f64(),
                },
            },
            objective: slo.definition.objective(),
            period_seconds,
            coverage_ratio: coverage,
            // Rounded each on its own, then summed: interpolated counts are
            // fractional, and rounding the total apart from its parts could
            // make good + bad differ from it by one.
            events: {
                let (good, bad) = (period_good.round() as u64, period_bad.round() as u64);
                EventCounts {
                    good,
                    bad,
                    total: good + bad,
                }
            },
            sli_value: (period_total > 1e-9).then(|| period_good / period_total),
            error_budget: ErrorBudget {
                remaining_ratio: remaining,
                consumed_ratio: 1.0 - remaining,
                exhaustion_seconds,
            },
            burn_rates: BurnRates(
                windows
                    .iter()
                    .zip(burn)
                    .map(|(w, b)| (w.label.clone(), b))
                    .collect(),
            ),
            alerts,
            status: level,
            release: self.inner.spec.release_policy().decisions(level),
            recent_bad: slo
                .handle
                .recent_bad()
                .iter()
                .map(|kept| {
                    RecentBadEvent::of(kept, kept.event.route.and_then(|r| self.route_template(r)))
                })
                .collect(),
        })
    }

    /// How the burn rate (over the fastest page tier's long window, `1h` for
    /// a 30d period) and the remaining error budget of the SLO at `index`
    /// moved over the hours before `now`: one point per sample of the 6h
    /// window (every 6 minutes for a 30d period), covering 5h, or since the
    /// start when that is more recent. A process younger than the long
    /// window (1h) gets the last 55 minutes at the 1h window's resolution
    /// (a point a minute), with the burn rate over the short window (5m).
    pub fn history(&self, index: usize, now: Timestamp) -> Option<History> {
        let slo = self.inner.slos.get(index)?;
        let windows = slo.policy.windows();
        let age = now
            .as_unix_nanos()
            .saturating_sub(slo.since.as_unix_nanos());
        let tier = &TIERS[FASTEST_PAGE_TIER];
        let young = age < slo.lengths[tier.long];
        let (fine, burn_window) = if young {
            (tier.long, tier.short)
        } else {
            (HISTORY_WINDOW, tier.long)
        };
        let burn_len = slo.lengths[burn_window];
        let span = slo.lengths[fine].saturating_sub(burn_len);
        let now_nanos = now.as_unix_nanos();
        let raw = slo.windows.history(
            now_nanos,
            now_nanos.saturating_sub(span),
            fine,
            &[
                (fine, burn_len),
                (PERIOD_WINDOW, slo.lengths[PERIOD_WINDOW]),
            ],
            || slo.live(),
        );
        let budget = slo.definition.error_budget();
        let burn = |good: f64, bad: f64| {
            let total = good + bad;
            (total > 1e-9).then(|| bad / total / budget)
        };
        let period_nanos = slo.lengths[PERIOD_WINDOW] as f64;
        let points = raw
            .into_iter()
            .map(|(at, [hour, period])| HistoryPoint {
                at: Timestamp::from_unix_nanos(at.t),
                burn_rate: burn((at.good - hour.good).max(0.0), (at.bad - hour.bad).max(0.0)),
                budget_remaining: 1.0
                    - budget_consumed(
                        burn(
                            (at.good - period.good).max(0.0),
                            (at.bad - period.bad).max(0.0),
                        ),
                        (at.t.saturating_sub(slo.since.as_unix_nanos()) as f64 / period_nanos)
                            .clamp(0.0, 1.0),
                    ),
            })
            .collect();
        Some(History {
            burn_window: windows[burn_window].label.clone(),
            page_burn_rate: tier.burn_rate,
            span: Duration::from_nanos(u64::try_from(span).unwrap_or(0)),
            points,
        })
    }

    /// Good and bad events in each window of the SLO at `index`, ending at
    /// `now` (interpolated inside one sample spacing at the window's start).
    pub fn window_events(&self, index: usize, now: Timestamp) -> Option<Vec<WindowEvents>> {
        let slo = self.inner.slos.get(index)?;
        let counts = self.window_counts(slo, now);
        Some(
            slo.policy
                .windows()
                .iter()
                .zip(counts)
                .map(|(w, (good, bad))| WindowEvents {
                    label: w.label.clone(),
                    duration: w.duration,
                    good,
                    bad,
                })
                .collect(),
        )
    }

    fn window_counts(&self, slo: &SloEntry, now: Timestamp) -> [(f64, f64); WINDOW_COUNT] {
        let (starts, live) = slo
            .windows
            .read(now.as_unix_nanos(), &slo.lengths, || slo.live());
        std::array::from_fn(|i| {
            (
                (live.good - starts[i].good).max(0.0),
                (live.bad - starts[i].bad).max(0.0),
            )
        })
    }

    /// Approximate bytes of memory held per SLO (counters, windows, handle),
    /// the definition's strings aside.
    pub fn memory_per_slo(&self, index: usize) -> Option<usize> {
        let slo = self.inner.slos.get(index)?;
        Some(
            std::mem::size_of::<SloEntry>()
                + std::mem::size_of::<SliCell>()
                + slo.handle.cell.counters.heap_bytes()
                + slo.handle.cell.bounds_nanos.len() * 8
                + slo.windows.heap_bytes()
                + slo
                    .policy
                    .windows()
                    .iter()
                    .map(|w| w.label.capacity() + 48)
                    .sum::<usize>(),
        )
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

/// The events in one window; see [`Registry::window_events`].
#[derive(Debug, Clone, PartialEq)]
pub struct WindowEvents {
    /// The window's label, such as `5m`.
    pub label: String,
    /// The window's length.
    pub duration: Duration,
    /// Good events (fractional where the window's start is interpolated).
    pub good: f64,
    /// Bad events.
    pub bad: f64,
}
