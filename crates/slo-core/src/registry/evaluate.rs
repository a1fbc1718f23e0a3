//! One SLO's numbers at one instant: window counts, burn rates, budget,
//! the alert tiers and the status level. The status document, the alert
//! transitions and the release decisions all read them from here, so that
//! they can never disagree.

use super::{Registry, SloEntry};
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
        // A calendar period's window holds the events since its start.
        if let (Some(state), Some(period)) = (calendar, out.counts.get_mut(slo.roles.period)) {
            let live = slo.live();
            *period = (
                (live.good as f64 - state.base.0).max(0.0),
                (live.bad as f64 - state.base.1).max(0.0),
            );
        }
        let error_budget = slo.definition.error_budget();
        out.burn.clear();
        out.burn.extend(
            out.counts
                .iter()
                .map(|&(good, bad)| budget::burn_rate(good, bad, error_budget)),
        );
        let (counts, burn) = (&out.counts, &out.burn);
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
        let coverage = (elapsed / period_seconds).min(1.0);
        let remaining = 1.0 - budget::consumed(burn[slo.roles.period], coverage);
        let min_events = slo.definition.min_events() as f64;
        out.firing.clear();
        out.firing.extend(slo.roles.tiers.iter().map(|tier| {
            let exceeds = |i: usize| burn[i].is_some_and(|b| b > tier.burn_rate);
            let (good, bad) = counts[tier.long];
            exceeds(tier.long)
                && exceeds(tier.short)
                && good + bad + budget::NO_EVENTS >= min_events
        }));
        let exhaustion_seconds =
            budget::exhaustion_seconds(remaining, period_seconds, burn[slo.roles.exhaustion]);
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
        out.level = StatusLevel::classify(remaining, burn[slo.roles.status]);
        out.coverage = coverage;
        out.period_seconds = period_seconds;
        out.remaining = remaining;
        out.exhaustion_seconds = exhaustion_seconds;
    }
}
