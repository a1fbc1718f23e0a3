//! One SLO's numbers at one instant: window counts, burn rates, budget,
//! the alert tiers and the status level. The status document, the alert
//! transitions and the release decisions all read them from here, so that
//! they can never disagree.

use super::{Registry, Roles, SloEntry};
use crate::budget;
use crate::clock::Timestamp;
use crate::level::StatusLevel;
use crate::spec::BudgetCondition;
use crate::sync::lock;

/// What an SLO's windows say at one instant. A tick evaluates every SLO
/// into one of these in turn ([`Registry::evaluate_into`]), so that its
/// vectors are allocated once a tick, not once an SLO.
#[derive(Debug, Clone)]
pub(super) struct Evaluation {
    /// Good and bad events per window, in ring order.
    pub counts: Vec<(f64, f64)>,
    /// Burn rate per window; `None` for a window without events.
    pub burn: Vec<Option<f64>>,
    /// How much of the period the windows hold, 0..=1.
    pub coverage: f64,
    /// The period's length in seconds: a calendar period's current one.
    pub period_seconds: f64,
    /// The error budget left, as a ratio.
    pub remaining: f64,
    /// Whether each of the SLO's tiers fires, in their order.
    pub firing: Vec<bool>,
    /// At the exhaustion window's burn rate, seconds until the budget is
    /// gone.
    pub exhaustion_seconds: Option<f64>,
    /// Whether each of the SLO's budget alerts fires, in their order.
    pub budget_firing: Vec<bool>,
    /// The status level.
    pub level: StatusLevel,
}

impl Default for Evaluation {
    /// Nothing evaluated yet: no windows, the whole budget.
    fn default() -> Evaluation {
        Evaluation {
            counts: Vec::new(),
            burn: Vec::new(),
            coverage: 0.0,
            period_seconds: 0.0,
            remaining: 1.0,
            firing: Vec::new(),
            exhaustion_seconds: None,
            budget_firing: Vec::new(),
            level: StatusLevel::Healthy,
        }
    }
}

impl Registry {
    pub(super) fn evaluate(&self, slo: &SloEntry, now: Timestamp) -> Evaluation {
        let mut evaluation = Evaluation::default();
        self.evaluate_into(slo, now, &mut evaluation);
        evaluation
    }

    /// Evaluates `slo` at `now` into `out`, reusing its vectors.
    pub(super) fn evaluate_into(&self, slo: &SloEntry, now: Timestamp, out: &mut Evaluation) {
        self.window_counts_into(slo, now, &mut out.counts);
        let calendar = slo.calendar_now();
        slo.calendar_period_counts(calendar, slo.roles.period, &mut out.counts);
        let (coverage, period_seconds) = self.coverage(slo, now, calendar);
        out.coverage = coverage;
        out.period_seconds = period_seconds;
        out.judge(
            slo.definition.error_budget(),
            &slo.roles,
            slo.definition.min_events(),
        );
        let (remaining, exhaustion_seconds) = (out.remaining, out.exhaustion_seconds);
        out.budget_firing.clear();
        out.budget_firing
            .extend(slo.definition.budget_alerts().iter().map(|condition| {
                match *condition {
                    BudgetCondition::RemainingBelow(share) => remaining <= share,
                    BudgetCondition::ExhaustedWithin(within) => {
                        exhaustion_seconds.is_some_and(|left| left <= within.as_secs_f64())
                    }
                    // The last change is the start until an event is seen, so
                    // this never fires during the first `quiet` either.
                    // Nor while a maintenance window holds.
                    BudgetCondition::NoData(quiet) => {
                        let changed_at = lock(&slo.activity).changed_at;
                        now.saturating_duration_since(changed_at) >= quiet
                            && !self.in_maintenance_at(slo, self.wall_at(now))
                    }
                }
            }));
    }

    /// How much of its period `slo`'s windows hold at `now` (0..=1), and
    /// the period's length in seconds: a calendar period's current one.
    pub(super) fn coverage(
        &self,
        slo: &SloEntry,
        now: Timestamp,
        calendar: Option<super::calendar::CalendarState>,
    ) -> (f64, f64) {
        let elapsed = match calendar {
            // The period's bounds are on the wall clock: so is the time
            // seen of it.
            Some(state) => {
                let wall = self.wall_at(now);
                let since = Timestamp::from_unix_nanos(
                    slo.since.as_unix_nanos().saturating_add(self.wall_offset()),
                );
                wall.saturating_duration_since(since.max(state.bounds.start))
            }
            None => now.saturating_duration_since(slo.since),
        }
        .as_secs_f64();
        let period_seconds = match calendar {
            Some(state) => state.bounds.length().as_secs_f64(),
            None => slo.definition.period().as_secs_f64(),
        };
        ((elapsed / period_seconds).min(1.0), period_seconds)
    }
}

impl SloEntry {
    /// A calendar period's window holds the events since its start: puts
    /// them at `period` of `counts`. Nothing for a rolling period.
    pub(super) fn calendar_period_counts(
        &self,
        calendar: Option<super::calendar::CalendarState>,
        period: usize,
        counts: &mut [(f64, f64)],
    ) {
        if let (Some(state), Some(period)) = (calendar, counts.get_mut(period)) {
            let live = self.live();
            *period = (
                (live.good as f64 - state.base.0).max(0.0),
                (live.bad as f64 - state.base.1).max(0.0),
            );
        }
    }
}

impl Evaluation {
    /// From the counts, coverage and period already in place: the burn
    /// rates, the budget left, each tier's firing, the exhaustion time and
    /// the status level. An SLO and a journey are judged alike.
    pub(super) fn judge(&mut self, error_budget: f64, roles: &Roles, min_events: u64) {
        self.burn.clear();
        self.burn.extend(
            self.counts
                .iter()
                .map(|&(good, bad)| budget::burn_rate(good, bad, error_budget)),
        );
        let (counts, burn) = (&self.counts, &self.burn);
        self.remaining = 1.0 - budget::consumed(burn[roles.period], self.coverage);
        let min_events = min_events as f64;
        self.firing.clear();
        self.firing.extend(roles.tiers.iter().map(|tier| {
            let exceeds = |i: usize| burn[i].is_some_and(|b| b > tier.burn_rate);
            let (good, bad) = counts[tier.long];
            exceeds(tier.long)
                && exceeds(tier.short)
                && good + bad + budget::NO_EVENTS >= min_events
        }));
        self.exhaustion_seconds =
            budget::exhaustion_seconds(self.remaining, self.period_seconds, burn[roles.exhaustion]);
        self.level = StatusLevel::classify(self.remaining, burn[roles.status]);
    }
}
