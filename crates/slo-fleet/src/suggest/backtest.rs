//! What an objective's alert tiers would have fired over the history: the
//! incidents `slo report` finds, from the same counts and the same code,
//! counted per severity.

use slo_core::SloDefinition;

use super::model::{Backtest, Incidents};
use crate::report::ReportRange;
use crate::report::compute::incidents;
use crate::report::counts::{Cumulative, StepCounts};

/// The incidents per severity of `slo` over `range` from `counts`.
pub(crate) fn backtest(slo: &SloDefinition, range: ReportRange, counts: &StepCounts) -> Backtest {
    let cumulative = Cumulative::new(counts);
    let mut found = Incidents::default();
    for incident in incidents(slo, &[], range, &cumulative) {
        // Budget alerts are the spec's own; a suggestion tests the tiers.
        if incident.condition.is_some() {
            continue;
        }
        match incident.severity.as_str() {
            "page" => found.page += 1,
            _ => found.ticket += 1,
        }
    }
    Backtest {
        objective: slo.objective(),
        incidents: found,
    }
}

/// `(good, bad)` events in `range`, whole.
pub(crate) fn events_in(range: ReportRange, counts: &StepCounts) -> (u64, u64) {
    let (good, bad) = Cumulative::new(counts).between(range.from(), range.to());
    (good.round().max(0.0) as u64, bad.round().max(0.0) as u64)
}
