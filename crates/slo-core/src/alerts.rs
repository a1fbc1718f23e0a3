//! Alert transitions as they happen: every tier's firing and resolved, and
//! the error budget's exhausted and recovered, delivered to subscribers of
//! a [`Registry`](crate::Registry) without ever blocking it.
//!
//! While anyone subscribes, each [`Registry::tick`](crate::Registry::tick)
//! (a [`Ticker`](crate::Ticker) ticks every couple of seconds) evaluates
//! every SLO's alert tiers and budget, the same evaluation `/slo` shows,
//! and sends each change as an [`AlertTransition`] to every subscriber's
//! own bounded queue. A subscriber that does not keep up loses transitions
//! from its queue, never slows the ticker, the requests or the other
//! subscribers, and can see how many it lost
//! ([`AlertReceiver::dropped`]) and read the current state again
//! ([`Registry::firing_alerts`](crate::Registry::firing_alerts)). Without
//! subscribers a tick evaluates nothing.
//!
//! ```
//! use std::time::Duration;
//! use slo_core::alerts::AlertState;
//! use slo_core::{ManualClock, Registry, SloDefinition, Spec, Timestamp};
//!
//! let clock = ManualClock::new(Timestamp::EPOCH);
//! let registry = Registry::builder(Spec::builder("shop")
//!     .slo(SloDefinition::builder("checkout").objective(0.999))
//!     .build()?)
//!     .clock(clock.clone())
//!     .build();
//! let alerts = registry.subscribe_alerts(64);
//! let checkout = registry.handle("checkout")?;
//! for i in 0..1000 {
//!     checkout.record(i % 10 != 0); // 10% bad: burning 100 times too fast
//! }
//! clock.advance(Duration::from_secs(60));
//! registry.tick();
//! let first = alerts.try_recv().expect("a transition");
//! assert_eq!(first.state, AlertState::Firing);
//! assert_eq!(first.alert.slo, "checkout");
//! assert_eq!(first.alert.long_window.as_deref(), Some("1h"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::time::Duration;

use crate::clock::Timestamp;
use crate::spec::{BudgetConditionKind, JourneyDefinition, SloDefinition};
use crate::sync::{Mutex, lock};
use crate::windows::Severity;

/// Which alert of an SLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AlertKind {
    /// A burn-rate tier, by its place among the SLO's
    /// [tiers](crate::windows::SloWindows::tiers).
    Burn {
        /// The tier's place among the SLO's tiers.
        tier: usize,
    },
    /// A burn-rate tier of a journey ([`Alert::slo`] is then the
    /// journey's name), by its place among the journey's tiers.
    JourneyBurn {
        /// The tier's place among the journey's tiers.
        tier: usize,
    },
    /// The error budget over the period is spent.
    BudgetExhausted,
    /// One of the SLO's budget or no-data alerts
    /// ([`SloDefinition::budget_alerts`]).
    Budget {
        /// Which condition.
        condition: BudgetConditionKind,
    },
}

impl AlertKind {
    /// The alert's name, as the generated rules and Alertmanager name it:
    /// `SLOErrorBudgetBurn`, `SLOJourneyErrorBudgetBurn`,
    /// `SLOErrorBudgetExhausted`, `SLOErrorBudgetLow`,
    /// `SLOErrorBudgetExhaustionSoon` or `SLONoData`.
    pub fn alert_name(self) -> &'static str {
        match self {
            AlertKind::Burn { .. } => crate::series::BURN_ALERT,
            AlertKind::JourneyBurn { .. } => crate::series::JOURNEY_BURN_ALERT,
            AlertKind::BudgetExhausted => crate::series::EXHAUSTED_ALERT,
            AlertKind::Budget { condition } => condition.alert_name(),
        }
    }

    /// The budget condition of a budget alert (its `condition` label).
    pub fn condition(self) -> Option<BudgetConditionKind> {
        match self {
            AlertKind::Budget { condition } => Some(condition),
            _ => None,
        }
    }
}

/// One alert: what it is about, as the generated Prometheus rules name it.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// The SLO, or the journey for [`AlertKind::JourneyBurn`].
    pub slo: String,
    /// Which of its alerts.
    pub kind: AlertKind,
    /// `page` for the fast tiers and a budget about to run out, `ticket`
    /// for the slow tiers, a spent or low budget, and no data.
    pub severity: Severity,
    /// The tier's long window (`1h`), scaled with the period; `None` for
    /// the budget.
    pub long_window: Option<String>,
    /// The tier's short window (`5m`); `None` for the budget.
    pub short_window: Option<String>,
    /// The burn rate both windows must exceed; `None` for the budget.
    pub burn_rate_threshold: Option<f64>,
    /// The SLO's period label (`30d`).
    pub period: String,
    /// For a budget alert: its condition with the threshold; `None` for
    /// the tiers and the spent budget.
    pub condition: Option<crate::spec::BudgetCondition>,
}

/// Whether an alert started or stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertState {
    /// The condition holds: a tier's windows both burn too fast, or the
    /// budget is spent.
    Firing,
    /// It no longer holds (for the budget: recovered).
    Resolved,
}

/// One alert changing state, with the numbers that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertTransition {
    /// The alert.
    pub alert: Arc<Alert>,
    /// Firing or resolved.
    pub state: AlertState,
    /// When the tick that saw the change ran.
    pub at: Timestamp,
    /// When the alert started firing (for a resolution: the firing it ends).
    pub firing_since: Timestamp,
    /// The burn rate over the tier's long window (for the budget and
    /// `remaining_below`: over the period; for `exhausted_within`: over the
    /// exhaustion window; `None` for `no_data`); `None` when the window
    /// holds no events.
    pub long_burn_rate: Option<f64>,
    /// The burn rate over the tier's short window; `None` for the budget
    /// and for a window without events.
    pub short_burn_rate: Option<f64>,
    /// The SLO's error budget remaining, as a ratio.
    pub budget_remaining: f64,
}

/// A subscription to a registry's alert transitions; see the
/// [module](self). Dropping it unsubscribes.
#[derive(Debug)]
pub struct AlertReceiver {
    receiver: Receiver<AlertTransition>,
    shared: Arc<Shared>,
    /// The hub's count of live subscribers, which this one leaves on drop.
    live: Arc<AtomicUsize>,
}

/// What a subscriber and the hub both see.
#[derive(Debug, Default)]
struct Shared {
    dropped: AtomicU64,
    gone: AtomicBool,
}

impl Drop for AlertReceiver {
    fn drop(&mut self) {
        self.shared.gone.store(true, Ordering::Relaxed);
        self.live.fetch_sub(1, Ordering::Relaxed);
    }
}

impl AlertReceiver {
    /// The next transition, waiting for it.
    pub fn recv(&self) -> Option<AlertTransition> {
        self.receiver.recv().ok()
    }

    /// The next transition, waiting at most `timeout`; `Err(true)` when
    /// the registry is gone, `Err(false)` on timeout.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<AlertTransition, bool> {
        self.receiver.recv_timeout(timeout).map_err(|e| match e {
            RecvTimeoutError::Timeout => false,
            RecvTimeoutError::Disconnected => true,
        })
    }

    /// The next transition if one is queued.
    pub fn try_recv(&self) -> Option<AlertTransition> {
        self.receiver.try_recv().ok()
    }

    /// How many transitions were dropped because this subscriber's queue
    /// was full. When it grows, read the current state again with
    /// [`Registry::firing_alerts`](crate::Registry::firing_alerts).
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }
}

struct Subscriber {
    sender: SyncSender<AlertTransition>,
    shared: Arc<Shared>,
}

/// What the last evaluation saw of one alert.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    /// When it started firing; `None` while it does not fire.
    firing_since: Option<Timestamp>,
    long_burn_rate: Option<f64>,
    short_burn_rate: Option<f64>,
    budget_remaining: f64,
}

/// A registry's subscribers and the alert state they were last told.
pub(crate) struct AlertHub {
    /// How many subscribers there are: a tick without any evaluates
    /// nothing.
    live: Arc<AtomicUsize>,
    state: Mutex<HubState>,
    /// Every alert of every SLO, SLO by SLO in spec order: its tiers, its
    /// budget, then its budget alerts.
    alerts: Vec<Arc<Alert>>,
    /// Where each SLO's alerts begin in `alerts`.
    first: Vec<usize>,
}

struct HubState {
    subscribers: Vec<Subscriber>,
    seen: Vec<Seen>,
    /// The instant of the last evaluation: an older one (two tickers, a
    /// manual tick racing the ticker) is ignored.
    last: Option<Timestamp>,
}

/// One SLO's numbers an evaluation hands the hub. The hub lends one to
/// every SLO's evaluation in turn, so that a tick allocates nothing per SLO.
#[derive(Default)]
pub(crate) struct Observed {
    /// Per tier, in the SLO's tier order: whether it fires.
    pub firing: Vec<bool>,
    /// Per tier: the long and short windows' burn rates.
    pub burn: Vec<(Option<f64>, Option<f64>)>,
    /// Whether the budget is spent.
    pub exhausted: bool,
    /// The burn rate over the period.
    pub period_burn: Option<f64>,
    /// Per budget alert, in the SLO's order: whether it fires, and the
    /// burn rate it reports ([`Observed::budget_alert_burn`]).
    pub budget: Vec<(bool, Option<f64>)>,
    /// The error budget left, as a ratio.
    pub remaining: f64,
}

impl Observed {
    /// The burn rate a budget alert of `kind` reports: the period's for
    /// the remaining budget, the exhaustion window's for the time left,
    /// none for no data.
    pub fn budget_alert_burn(
        kind: BudgetConditionKind,
        period_burn: Option<f64>,
        exhaustion_burn: Option<f64>,
    ) -> Option<f64> {
        match kind {
            BudgetConditionKind::RemainingBelow => period_burn,
            BudgetConditionKind::ExhaustedWithin => exhaustion_burn,
            BudgetConditionKind::NoData => None,
        }
    }

    /// Whether each alert fires, with its long and short burn rates, in
    /// the hub's order: the tiers, the budget, the budget alerts.
    fn each(&self) -> impl Iterator<Item = (bool, (Option<f64>, Option<f64>))> + '_ {
        let budget = (self.exhausted, (self.period_burn, None));
        let budget_alerts = self
            .budget
            .iter()
            .map(|&(firing, long)| (firing, (long, None)));
        self.firing
            .iter()
            .copied()
            .zip(self.burn.iter().copied())
            .chain([budget])
            .chain(budget_alerts)
    }
}

impl AlertHub {
    pub fn new<'a>(
        slos: impl Iterator<Item = &'a SloDefinition>,
        journeys: impl Iterator<Item = &'a JourneyDefinition>,
    ) -> AlertHub {
        let mut alerts = Vec::new();
        let mut first = Vec::new();
        for slo in slos {
            first.push(alerts.len());
            let windows = slo.windows();
            let period = windows.period().label.clone();
            for (index, tier) in windows.tiers().iter().enumerate() {
                alerts.push(Arc::new(Alert {
                    slo: slo.name().to_owned(),
                    kind: AlertKind::Burn { tier: index },
                    severity: tier.severity,
                    long_window: Some(tier.long.label.clone()),
                    short_window: Some(tier.short.label.clone()),
                    burn_rate_threshold: Some(tier.burn_rate),
                    period: period.clone(),
                    condition: None,
                }));
            }
            alerts.push(Arc::new(Alert {
                slo: slo.name().to_owned(),
                kind: AlertKind::BudgetExhausted,
                severity: Severity::Ticket,
                long_window: None,
                short_window: None,
                burn_rate_threshold: None,
                period: period.clone(),
                condition: None,
            }));
            for condition in slo.budget_alerts() {
                alerts.push(Arc::new(Alert {
                    slo: slo.name().to_owned(),
                    kind: AlertKind::Budget {
                        condition: condition.kind(),
                    },
                    severity: condition.severity(),
                    long_window: None,
                    short_window: None,
                    burn_rate_threshold: None,
                    period: period.clone(),
                    condition: Some(*condition),
                }));
            }
        }
        // A journey has its burn tiers only.
        for journey in journeys {
            first.push(alerts.len());
            let windows = journey.windows();
            let period = windows.period().label.clone();
            for (index, tier) in windows.tiers().iter().enumerate() {
                alerts.push(Arc::new(Alert {
                    slo: journey.name().to_owned(),
                    kind: AlertKind::JourneyBurn { tier: index },
                    severity: tier.severity,
                    long_window: Some(tier.long.label.clone()),
                    short_window: Some(tier.short.label.clone()),
                    burn_rate_threshold: Some(tier.burn_rate),
                    period: period.clone(),
                    condition: None,
                }));
            }
        }
        AlertHub {
            live: Arc::new(AtomicUsize::new(0)),
            state: Mutex::new(HubState {
                subscribers: Vec::new(),
                seen: vec![Seen::default(); alerts.len()],
                last: None,
            }),
            alerts,
            first,
        }
    }

    /// Whether a tick should evaluate.
    pub fn is_active(&self) -> bool {
        self.live.load(Ordering::Relaxed) > 0
    }

    /// A new subscriber, told at once of every alert firing now.
    pub fn subscribe(&self, capacity: usize) -> AlertReceiver {
        // A channel allocates all of its capacity up front.
        let (sender, receiver) = mpsc::sync_channel(capacity.clamp(1, 65_536));
        let shared = Arc::new(Shared::default());
        let subscriber = Subscriber {
            sender,
            shared: Arc::clone(&shared),
        };
        let mut state = lock(&self.state);
        if !self.is_active() {
            // Nobody listened, so nothing was evaluated: what was seen
            // last is stale. The next tick says what fires.
            state
                .seen
                .iter_mut()
                .for_each(|seen| *seen = Seen::default());
            state.last = None;
        }
        for transition in self.firing(&state.seen) {
            send(&subscriber, transition);
        }
        state
            .subscribers
            .retain(|s| !s.shared.gone.load(Ordering::Relaxed));
        state.subscribers.push(subscriber);
        self.live.fetch_add(1, Ordering::Relaxed);
        AlertReceiver {
            receiver,
            shared,
            live: Arc::clone(&self.live),
        }
    }

    /// Every alert firing as of the last evaluation; nothing while nobody
    /// subscribes (nothing is evaluated then).
    pub fn firing_now(&self) -> Vec<AlertTransition> {
        if !self.is_active() {
            return Vec::new();
        }
        let state = lock(&self.state);
        self.firing(&state.seen).collect()
    }

    fn firing<'a>(&'a self, seen: &'a [Seen]) -> impl Iterator<Item = AlertTransition> + 'a {
        self.alerts.iter().zip(seen).filter_map(|(alert, seen)| {
            seen.firing_since.map(|since| AlertTransition {
                alert: Arc::clone(alert),
                state: AlertState::Firing,
                at: since,
                firing_since: since,
                long_burn_rate: seen.long_burn_rate,
                short_burn_rate: seen.short_burn_rate,
                budget_remaining: seen.budget_remaining,
            })
        })
    }

    /// Compares what `observe` says of each SLO (it fills in the SLO at
    /// that place in spec order) now with what was seen last, and sends
    /// every change to every subscriber.
    pub fn update(&self, now: Timestamp, mut observe: impl FnMut(usize, &mut Observed)) {
        let mut state = lock(&self.state);
        if state.last.is_some_and(|last| now < last) {
            return;
        }
        state.last = Some(now);
        let HubState {
            subscribers, seen, ..
        } = &mut *state;
        let mut observed = Observed::default();
        for (slo, &first) in self.first.iter().enumerate() {
            observe(slo, &mut observed);
            // A journey's entry has fewer alerts than `each` yields.
            let end = self
                .first
                .get(slo + 1)
                .copied()
                .unwrap_or(self.alerts.len());
            for (offset, (firing, (long, short))) in observed.each().enumerate() {
                let index = first + offset;
                if index >= end {
                    break;
                }
                let (Some(alert), Some(seen)) = (self.alerts.get(index), seen.get_mut(index))
                else {
                    continue;
                };
                let was = seen.firing_since;
                seen.long_burn_rate = long;
                seen.short_burn_rate = short;
                seen.budget_remaining = observed.remaining;
                let state = match (was, firing) {
                    (None, true) => {
                        seen.firing_since = Some(now);
                        AlertState::Firing
                    }
                    (Some(_), false) => {
                        seen.firing_since = None;
                        AlertState::Resolved
                    }
                    _ => continue,
                };
                let transition = AlertTransition {
                    alert: Arc::clone(alert),
                    state,
                    at: now,
                    firing_since: was.unwrap_or(now),
                    long_burn_rate: long,
                    short_burn_rate: short,
                    budget_remaining: observed.remaining,
                };
                subscribers.retain(|subscriber| send(subscriber, transition.clone()));
            }
        }
        subscribers.retain(|s| !s.shared.gone.load(Ordering::Relaxed));
    }
}

/// Sends without waiting; `false` when the subscriber is gone.
fn send(subscriber: &Subscriber, transition: AlertTransition) -> bool {
    match subscriber.sender.try_send(transition) {
        Ok(()) => true,
        Err(TrySendError::Full(_)) => {
            subscriber.shared.dropped.fetch_add(1, Ordering::Relaxed);
            true
        }
        Err(TrySendError::Disconnected(_)) => false,
    }
}

/// A callback that receives a registry's alert transitions on a thread of
/// its own (see [`Registry::on_alert`](crate::Registry::on_alert)): a slow
/// or panicking callback delays only itself. Dropping it (or
/// [`AlertHook::stop`]) stops the thread.
#[derive(Debug)]
#[must_use = "the hook stops when it is dropped"]
pub struct AlertHook {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    dropped: Arc<Shared>,
}

impl AlertHook {
    /// How often the thread looks at its stop flag while nothing comes.
    const POLL: Duration = Duration::from_millis(50);

    pub(crate) fn spawn(
        receiver: AlertReceiver,
        mut callback: impl FnMut(AlertTransition) + Send + 'static,
    ) -> std::io::Result<AlertHook> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let dropped = Arc::clone(&receiver.shared);
        let thread = std::thread::Builder::new()
            .name("slo-alert-hook".into())
            .spawn(move || {
                while !flag.load(Ordering::Acquire) {
                    match receiver.recv_timeout(AlertHook::POLL) {
                        Ok(transition) => {
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                callback(transition)
                            }));
                        }
                        Err(false) => {}
                        Err(true) => break,
                    }
                }
            })?;
        Ok(AlertHook {
            stop,
            thread: Some(thread),
            dropped,
        })
    }

    /// How many transitions the callback missed because it fell behind.
    pub fn dropped(&self) -> u64 {
        self.dropped.dropped.load(Ordering::Relaxed)
    }

    /// Stops the thread once the callback it is in (if any) returns.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for AlertHook {
    fn drop(&mut self) {
        self.shutdown();
    }
}
