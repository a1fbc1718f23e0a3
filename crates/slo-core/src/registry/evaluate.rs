//! One SLO's numbers at one instant: window counts, burn rates, budget,
//! the alert tiers and the status level. The status document, the alert
//! transitions and the release decisions all read them from here, so that
//! they can never disagree.

use crate::clock::Timestamp;
use crate::policy::{PERIOD_WINDOW, STATUS_WINDOW, TIERS, WINDOW_COUNT};
use crate::status::StatusLevel;

use super::{Registry, SloEntry, budget_consumed};

/// What an SLO's windows say at one instant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Evaluation {
    /// Good and bad events per window, in policy order.
    pub counts: [(f64, f64); WINDOW_COUNT],
    /// Burn rate per window; `None` for a window without events.
    pub burn: [Option<f64>; WINDOW_COUNT],
    /// How much of the period the windows hold, 0..=1.
    pub coverage: f64,
    /// The error budget left, as a ratio.
    pub remaining: f64,
    /// Whether each tier of [`TIERS`] fires.
    pub firing: [bool; TIERS.len()],
    /// The status level.
    pub level: StatusLevel,
}

impl Registry {
    pub(super) fn evaluate(&self, slo: &SloEntry, now: Timestamp) -> Evaluation {
        let counts = self.window_counts(slo, now);
        let budget = slo.definition.error_budget();
        let burn: [Option<f64>; WINDOW_COUNT] = std::array::from_fn(|i| {
            let (good, bad) = counts[i];
            let total = good + bad;
            (total > 1e-9).then(|| bad / total / budget)
        });
        let period_seconds = slo.definition.period().as_secs_f64();
        let elapsed = now.saturating_duration_since(slo.since).as_secs_f64();
        let coverage = (elapsed / period_seconds).min(1.0);
        let remaining = 1.0 - budget_consumed(burn[PERIOD_WINDOW], coverage);
        let min_events = slo.definition.min_events() as f64;
        let firing = std::array::from_fn(|t| {
            let tier = &TIERS[t];
            let exceeds = |i: usize| burn[i].is_some_and(|b| b > tier.burn_rate);
            let (good, bad) = counts[tier.long];
            exceeds(tier.long) && exceeds(tier.short) && good + bad + 1e-9 >= min_events
        });
        Evaluation {
            counts,
            burn,
            coverage,
            remaining,
            firing,
            level: StatusLevel::classify(remaining, burn[STATUS_WINDOW]),
        }
    }
}
