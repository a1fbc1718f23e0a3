//! The status document ([`ServiceStatus`]): what `/slo`, the gauges and
//! replay show, read from each SLO's [evaluation](super::evaluate).

use super::Registry;
use super::evaluate::Evaluation;
use crate::budget;
use crate::clock::Timestamp;
use crate::reasons::{BadReason, apportion};
use crate::release::ReleaseDecisions;
use crate::spec::{BudgetCondition, UnknownSlo};
use crate::status::{
    AlertStatus, BudgetAlertStatus, BurnRates, ErrorBudget, EventCounts, ExcludedCounts,
    HistoryStatus, OwnershipStatus, RecentBadEvent, ServiceStatus, SliStatus, SloStatus,
};

impl Registry {
    /// The status of every SLO at the clock's current time.
    pub fn status(&self) -> ServiceStatus {
        let now = self.inner.clock.now();
        let slos: Vec<SloStatus> = (0..self.inner.slos.len())
            .map(|index| self.status_of(index, now))
            .collect();
        let journeys = self.journey_statuses(now);
        ServiceStatus {
            service: self.inner.spec.service().to_owned(),
            now: now.to_string(),
            uptime_seconds: (now
                .saturating_duration_since(self.inner.start)
                .as_secs_f64()
                * 1e3)
                .round()
                / 1e3,
            release: ReleaseDecisions::strictest_of(
                slos.iter()
                    .map(|slo| slo.release)
                    .chain(journeys.iter().map(|journey| journey.release)),
            ),
            slos,
            journeys,
            history: HistoryStatus {
                sources: self.inner.sources.clone(),
                since: self.since().to_string(),
            },
        }
    }

    /// The status of the SLO named `name` at time `now` (normally the
    /// clock's time; the windows must have been ticked up to about then).
    pub fn slo_status(&self, name: &str, now: Timestamp) -> Result<SloStatus, UnknownSlo> {
        let index = self
            .inner
            .by_name
            .get(name)
            .copied()
            .ok_or_else(|| UnknownSlo(name.to_owned()))?;
        Ok(self.status_of(index, now))
    }

    /// The status of the SLO at `index` in spec order.
    fn status_of(&self, index: usize, now: Timestamp) -> SloStatus {
        let slo = &self.inner.slos[index];
        let definition = &slo.definition;
        let windows = definition.windows();
        let Evaluation {
            counts,
            burn,
            coverage,
            period_seconds,
            remaining,
            firing,
            level,
            exhaustion_seconds,
            budget_firing,
        } = self.evaluate(slo, now);
        let calendar = Registry::calendar_status(slo);
        let (period_good, period_bad) = counts[slo.roles.period];
        // Rounded each on its own, then summed: interpolated counts are
        // fractional, and rounding the total apart from its parts could
        // make good + bad differ from it by one.
        let events = {
            let (good, bad) = (period_good.round() as u64, period_bad.round() as u64);
            EventCounts {
                good,
                bad,
                total: good + bad,
            }
        };
        let alerts = windows
            .tiers()
            .iter()
            .zip(firing)
            .map(|(tier, firing)| AlertStatus {
                severity: tier.severity,
                long_window: tier.long.label.clone(),
                short_window: tier.short.label.clone(),
                burn_rate_threshold: tier.burn_rate,
                firing,
            })
            .collect();
        SloStatus {
            name: definition.name().to_owned(),
            description: definition.description().map(str::to_owned),
            ownership: OwnershipStatus::of(definition.ownership()),
            sli: SliStatus::of(definition.sli()),
            objective: definition.objective(),
            period_seconds,
            coverage_ratio: coverage,
            events,
            bad_reasons: {
                let shares = match slo.calendar_now() {
                    Some(state) => {
                        let live = slo.reasons_live();
                        std::array::from_fn(|i| live[i] as f64 - state.reasons_base[i])
                    }
                    None => slo
                        .reasons
                        .over_period(now.as_unix_nanos(), || slo.reasons_live()),
                };
                // Bad events whose reason no record kept (history from
                // before reasons were counted) read as `error`.
                apportion(shares, events.bad, BadReason::Error)
            },
            sli_value: (period_good + period_bad > budget::NO_EVENTS)
                .then(|| period_good / (period_good + period_bad)),
            error_budget: ErrorBudget {
                remaining_ratio: remaining,
                consumed_ratio: 1.0 - remaining,
                exhaustion_seconds,
            },
            burn_rates: BurnRates(
                windows
                    .all()
                    .iter()
                    .zip(burn)
                    .enumerate()
                    .map(|(i, (w, b))| {
                        // A calendar period is named by its unit.
                        let label = match (&calendar, i == slo.roles.period) {
                            (Some(calendar), true) => calendar.unit.clone(),
                            _ => w.label.clone(),
                        };
                        (label, b)
                    })
                    .collect(),
            ),
            calendar,
            alerts,
            budget_alerts: definition
                .budget_alerts()
                .iter()
                .zip(budget_firing)
                .map(|(condition, firing)| budget_alert_status(condition, firing))
                .collect(),
            maintenance: self.maintenance_status(slo, self.wall_at(now)),
            excluded: {
                let [maintenance, cancelled, status] = match slo.calendar_now() {
                    // A calendar period's: since its start.
                    Some(state) => {
                        let live = slo.excluded_live();
                        std::array::from_fn(|i| live[i] as f64 - state.excluded_base[i])
                    }
                    None => slo
                        .excluded
                        .over_period(now.as_unix_nanos(), || slo.excluded_live()),
                };
                let count = |n: f64| n.max(0.0).round() as u64;
                ExcludedCounts {
                    maintenance: count(maintenance),
                    cancelled: count(cancelled),
                    status: count(status),
                }
            },
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
        }
    }
}

/// One budget alert's entry in the status document.
fn budget_alert_status(condition: &BudgetCondition, firing: bool) -> BudgetAlertStatus {
    let (threshold, threshold_seconds) = match *condition {
        BudgetCondition::RemainingBelow(share) => (Some(share), None),
        BudgetCondition::ExhaustedWithin(span) | BudgetCondition::NoData(span) => {
            (None, Some(span.as_secs_f64()))
        }
    };
    BudgetAlertStatus {
        condition: condition.kind(),
        threshold,
        threshold_seconds,
        severity: condition.severity(),
        firing,
    }
}
