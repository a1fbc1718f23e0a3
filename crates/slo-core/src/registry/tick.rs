//! Moving the windows on, and telling alert subscribers what changed.

use std::time::Duration;

use super::Registry;
use super::evaluate::Evaluation;
use crate::alerts::{AlertHook, AlertReceiver, AlertTransition, Observed};
use crate::clock::Timestamp;
use crate::level::StatusLevel;
use crate::sync::lock;

impl Registry {
    /// Takes the window samples due at the clock's current time. Cheap when
    /// none is due; a tick that comes late fills every sample it missed.
    pub fn tick(&self) {
        self.tick_at(self.inner.clock.now());
    }

    /// Takes the window samples due at `now` (normally the clock's time).
    pub fn tick_at(&self, now: Timestamp) {
        let offset = self.wall_offset();
        let wall = Timestamp::from_unix_nanos(now.as_unix_nanos().saturating_add(offset));
        self.apply_maintenance_at(wall);
        for slo in &self.inner.slos {
            let excluded_previous =
                slo.excluded
                    .tick(now.as_unix_nanos(), slo.excluded_live(), self.inner.fill);
            let reasons_previous =
                slo.reasons
                    .tick(now.as_unix_nanos(), slo.reasons_live(), self.inner.fill);
            let mut state = lock(&slo.tick);
            let previous = *state;
            let live = slo.live();
            *state = slo
                .rings
                .tick(now.as_unix_nanos(), live, previous, self.inner.fill);
            drop(state);
            slo.roll_calendar(
                now,
                offset,
                previous,
                [excluded_previous, reasons_previous],
                self.inner.fill,
            );
            slo.observe_activity(now);
        }
        if self.inner.alerts.is_active() {
            let mut evaluation = Evaluation::default();
            let mut step_counts = Vec::new();
            self.inner.alerts.update(now, |index, observed| {
                if let Some(journey) = index
                    .checked_sub(self.inner.slos.len())
                    .and_then(|journey| self.inner.journeys.get(journey))
                {
                    self.evaluate_journey_into(journey, now, &mut evaluation, &mut step_counts);
                    observed.burn.clear();
                    observed.burn.extend(
                        journey
                            .roles
                            .tiers
                            .iter()
                            .map(|tier| (evaluation.burn[tier.long], evaluation.burn[tier.short])),
                    );
                    observed.firing.clone_from(&evaluation.firing);
                    observed.exhausted = false;
                    observed.period_burn = evaluation.burn[journey.roles.period];
                    observed.budget.clear();
                    observed.remaining = evaluation.remaining;
                    return;
                }
                let Some(slo) = self.inner.slos.get(index) else {
                    // Never: the hub is built from the same SLOs. Nothing
                    // of the SLO before is carried over, though.
                    *observed = Observed::default();
                    return;
                };
                self.evaluate_into(slo, now, &mut evaluation);
                let burn = &evaluation.burn;
                observed.burn.clear();
                observed.burn.extend(
                    slo.roles
                        .tiers
                        .iter()
                        .map(|tier| (burn[tier.long], burn[tier.short])),
                );
                observed.firing.clone_from(&evaluation.firing);
                let (period_burn, exhaustion_burn) =
                    (burn[slo.roles.period], burn[slo.roles.exhaustion]);
                observed.exhausted = evaluation.level == StatusLevel::Exhausted;
                observed.period_burn = period_burn;
                observed.budget.clear();
                observed.budget.extend(
                    slo.definition
                        .budget_alerts()
                        .iter()
                        .zip(&evaluation.budget_firing)
                        .map(|(condition, &firing)| {
                            let burn = Observed::budget_alert_burn(
                                condition.kind(),
                                period_burn,
                                exhaustion_burn,
                            );
                            (firing, burn)
                        }),
                );
                observed.remaining = evaluation.remaining;
            });
        }
    }

    /// Notes that the SLO at `index` (spec order) recorded an event at
    /// `at`, for replay: its no-data alert then counts from the event
    /// itself rather than from the next tick.
    pub(crate) fn observe_activity_at(&self, index: usize, at: Timestamp) {
        if let Some(slo) = self.inner.slos.get(index) {
            slo.observe_activity(at);
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

    /// The soonest time at which a tick would take a new sample, or start
    /// a calendar SLO's next period.
    pub fn next_sample_at(&self) -> Timestamp {
        let offset = self.wall_offset();
        Timestamp::from_unix_nanos(
            self.inner
                .slos
                .iter()
                .map(|slo| {
                    // The boundary is on the wall clock.
                    let boundary = slo.calendar_now().map_or(i64::MAX, |state| {
                        state.bounds.end.as_unix_nanos().saturating_sub(offset)
                    });
                    slo.rings.next_sample_at().min(boundary)
                })
                .min()
                .unwrap_or(i64::MAX),
        )
    }

    /// The shortest sample spacing of any window: how often a ticker should tick.
    pub fn finest_spacing(&self) -> Duration {
        self.inner
            .slos
            .iter()
            .map(|slo| slo.definition.windows().shortest().duration / 60)
            .min()
            .unwrap_or(Duration::from_secs(1))
    }
}
