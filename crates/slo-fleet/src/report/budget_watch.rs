//! The report's budget alerts (`remaining_below`, `exhausted_within`,
//! `no_data`), evaluated over its step counts as the process evaluates
//! them.

use slo_core::maintenance::MaintenanceWindow;
use slo_core::spec::BudgetCondition;
use slo_core::{SloDefinition, Timestamp};

use super::counts::Cumulative;

/// One budget alert of an SLO, evaluated over the report's counts as the
/// process evaluates it: the budget over the period (a calendar period's
/// since it began, weighted by how much of it has passed; a rolling one's
/// over the period before), the exhaustion window's burn rate, and whether
/// any event came in the quiet span (once some came before it), unless a
/// maintenance window held in it. The report reads `slo_events_total`
/// only, not the excluded events that keep the process and the rules
/// silent: a quiet span that a window overlapped is taken as not quiet
/// (its requests were excluded, not missing), and a span with nothing but
/// cancelled requests counts as quiet here.
pub(super) struct BudgetWatch<'a> {
    slo: &'a SloDefinition,
    /// The service's maintenance windows (the SLO's own are its).
    service_maintenance: &'a [MaintenanceWindow],
    condition: BudgetCondition,
    cumulative: &'a Cumulative,
    /// The window it reads, as the incident names it.
    pub(super) window: String,
}

impl<'a> BudgetWatch<'a> {
    pub(super) fn new(
        slo: &'a SloDefinition,
        service_maintenance: &'a [MaintenanceWindow],
        condition: &BudgetCondition,
        cumulative: &'a Cumulative,
    ) -> BudgetWatch<'a> {
        let windows = slo.windows();
        let window = match condition {
            BudgetCondition::RemainingBelow(_) => match slo.calendar() {
                Some(calendar) => calendar.unit().as_str().to_owned(),
                None => windows.period().label.clone(),
            },
            BudgetCondition::ExhaustedWithin(_) => windows.exhaustion().label.clone(),
            BudgetCondition::NoData(quiet) => slo_core::format_duration(*quiet).to_string(),
        };
        BudgetWatch {
            slo,
            service_maintenance,
            condition: *condition,
            cumulative,
            window,
        }
    }

    /// The burn rate over `(from, to]`; `None` without events.
    fn burn(&self, from: i64, to: i64) -> Option<f64> {
        let (good, bad) = self.cumulative.between(from, to);
        (good + bad > 0.0).then(|| bad / (good + bad) / self.slo.error_budget())
    }

    /// The budget left at `time`, the period's length in seconds, and the
    /// burn rate over the period so far.
    fn remaining(&self, time: i64) -> (f64, f64, f64) {
        match self.slo.calendar().and_then(|calendar| {
            calendar
                .bounds_at(Timestamp::from_unix_nanos(
                    time.saturating_mul(1_000_000_000),
                ))
                .ok()
        }) {
            Some(bounds) => {
                let start = bounds.start.as_unix_nanos().div_euclid(1_000_000_000);
                let length = bounds.length().as_secs_f64();
                let coverage = ((time - start) as f64 / length).clamp(0.0, 1.0);
                let burn = self.burn(start, time).unwrap_or(0.0);
                (1.0 - burn * coverage, length, burn)
            }
            None => {
                let period = self.slo.period().as_secs() as i64;
                let burn = self.burn(time - period, time).unwrap_or(0.0);
                (1.0 - burn, period as f64, burn)
            }
        }
    }

    /// What the alert shows at `time` when it holds: the burn rate over
    /// the window it reads (0 for no data).
    pub(super) fn holds(&self, time: i64) -> Option<f64> {
        match self.condition {
            BudgetCondition::RemainingBelow(share) => {
                let (remaining, _, burn) = self.remaining(time);
                (remaining <= share).then_some(burn)
            }
            BudgetCondition::ExhaustedWithin(within) => {
                let (remaining, period, _) = self.remaining(time);
                let window = self.slo.windows().exhaustion().duration.as_secs() as i64;
                let burn = self.burn(time - window, time)?;
                (burn > 0.0 && remaining > 0.0 && remaining * period / burn <= within.as_secs_f64())
                    .then_some(burn)
            }
            // Only once the SLO was reporting `quiet` earlier, as the
            // rules and the process wait their first `quiet`.
            BudgetCondition::NoData(quiet) => {
                let since = time - quiet.as_secs() as i64;
                let (good, bad) = self.cumulative.between(since, time);
                let (good_before, bad_before) = self.cumulative.at(since);
                (good + bad <= 0.0
                    && good_before + bad_before > 0.0
                    && !self.maintenance_in(since, time))
                .then_some(0.0)
            }
        }
    }

    /// Whether one of the SLO's maintenance windows (the service's or its
    /// own) held at some time in `(from, to]` (seconds).
    fn maintenance_in(&self, from: i64, to: i64) -> bool {
        let instant = |s: i64| Timestamp::from_unix_nanos(s.saturating_mul(1_000_000_000));
        let (from, to) = (instant(from), instant(to));
        self.service_maintenance
            .iter()
            .chain(self.slo.maintenance())
            .any(|window| {
                window.active_at(from).is_some()
                    || window.next_start(from).is_some_and(|start| start <= to)
            })
    }
}
