//! The report's numbers from per-step event counts: totals, the budget,
//! days and incidents. Pure arithmetic, so that it is tested apart from any
//! API.

use slo_core::SloDefinition;
use slo_core::maintenance::MaintenanceWindow;
use slo_core::status::OwnershipStatus;

use super::budget_watch::BudgetWatch;
use super::counts::{Cumulative, StepCounts, count};

use super::model::{Day, ErrorBudget, Events, Incident, SloReport};
use super::range::{ReportRange, format_date, format_time};
use super::recommend;

const DAY: i64 = 86_400;

fn sli(good: u64, bad: u64) -> Option<f64> {
    let total = good.saturating_add(bad);
    (total > 0).then(|| good as f64 / total as f64)
}

/// The report of one SLO over `range` from its step counts.
pub(crate) fn slo_report(
    slo: &SloDefinition,
    service_maintenance: &[MaintenanceWindow],
    range: ReportRange,
    counts: &StepCounts,
) -> SloReport {
    let cumulative = Cumulative::new(counts);
    let (good, bad) = cumulative.between(range.from(), range.to());
    let (good, bad) = (count(good), count(bad));
    let total = good.saturating_add(bad);
    let sli_value = sli(good, bad);
    let budget = slo.error_budget();
    let allowed_bad = budget * total as f64;
    let consumed_ratio = if allowed_bad > 0.0 {
        bad as f64 / allowed_bad
    } else {
        0.0
    };
    let previous = recommend::previous(range, budget, &cumulative);
    // Compared on counts, not on a rounded ratio: bad ≤ budget × total.
    let met = sli_value.is_none_or(|v| v >= slo.objective() - 1e-12);
    let own = slo
        .calendar()
        .is_some()
        .then(|| (format_time(range.from()), format_time(range.to())));
    SloReport {
        name: slo.name().to_owned(),
        ownership: OwnershipStatus::of(slo.ownership()),
        from: own.as_ref().map(|(from, _)| from.clone()),
        to: own.map(|(_, to)| to),
        objective: slo.objective(),
        events: Events { good, bad, total },
        sli_value,
        met,
        error_budget: ErrorBudget {
            allowed_bad,
            consumed_ratio,
            remaining_ratio: 1.0 - consumed_ratio,
        },
        incidents: incidents(slo, service_maintenance, range, &cumulative),
        daily: daily(range, &cumulative),
        trend: recommend::trend(sli_value, previous.sli_value),
        recommendation: recommend::recommend(met, sli_value.is_some(), consumed_ratio, &previous),
        previous,
    }
}

fn daily(range: ReportRange, cumulative: &Cumulative) -> Vec<Day> {
    let mut days = Vec::new();
    let mut start = range.from();
    while start < range.to() {
        let end = ((start.div_euclid(DAY) + 1) * DAY).min(range.to());
        let (good, bad) = cumulative.between(start, end);
        let (good, bad) = (count(good), count(bad));
        days.push(Day {
            date: format_date(start),
            good,
            bad,
            sli_value: sli(good, bad),
        });
        start = end;
    }
    days
}

/// Every maximal run of evaluation steps in the range at which a tier's
/// long and short error ratios were both above its burn rate times the
/// budget (and its long window held at least `min_events`), as the
/// generated alerting rules evaluate it; then each run in which one of the
/// SLO's budget alerts held.
pub(crate) fn incidents(
    slo: &SloDefinition,
    service_maintenance: &[MaintenanceWindow],
    range: ReportRange,
    cumulative: &Cumulative,
) -> Vec<Incident> {
    let budget = slo.error_budget();
    let times = evaluations(range, cumulative.start, cumulative.step);
    let ratio = |time: i64, window: i64| {
        let (good, bad) = cumulative.between(time - window, time);
        let total = good + bad;
        (total > 0.0).then(|| (bad / total, total))
    };
    let mut found = Vec::new();
    for (order, tier) in slo.windows().tiers().iter().enumerate() {
        let long_s = tier.long.duration.as_secs() as i64;
        let short_s = tier.short.duration.as_secs() as i64;
        let threshold = tier.burn_rate * budget;
        let holds = |time: i64| match (ratio(time, long_s), ratio(time, short_s)) {
            (Some((long, events)), Some((short, _)))
                if long > threshold && short > threshold && events >= slo.min_events() as f64 =>
            {
                Some(long / budget)
            }
            _ => None,
        };
        for held in runs(&times, range.to(), holds) {
            found.push(held.incident(
                cumulative,
                order,
                tier.severity.as_str(),
                (&tier.long.label, &tier.short.label),
                None,
            ));
        }
    }
    let tiers = slo.windows().tiers().len();
    for (offset, condition) in slo.budget_alerts().iter().enumerate() {
        let watch = BudgetWatch::new(slo, service_maintenance, condition, cumulative);
        for held in runs(&times, range.to(), |time| watch.holds(time)) {
            found.push(held.incident(
                cumulative,
                tiers + offset,
                condition.severity().as_str(),
                (&watch.window, ""),
                Some(condition.kind().as_str()),
            ));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    found.into_iter().map(|(_, _, incident)| incident).collect()
}

/// The evaluations in `range` of a grid from `start` every `step`: every
/// step after the range's start, and its end.
pub(super) fn evaluations(range: ReportRange, start: i64, step: i64) -> Vec<i64> {
    let first = range.from() + step - (range.from() - start).rem_euclid(step);
    let mut times: Vec<i64> = (0..)
        .map(|k| first + k * step)
        .take_while(|t| *t < range.to())
        .collect();
    times.push(range.to());
    times
}

/// The maximal runs of `times` at which `holds` gives a value (the peak
/// is the largest it gave), each ending at the first time it no longer
/// held, or at `end`.
pub(super) fn runs(times: &[i64], end: i64, holds: impl Fn(i64) -> Option<f64>) -> Vec<Held> {
    let mut found = Vec::new();
    // (first evaluation that held, last one, peak)
    let mut open: Option<(i64, i64, f64)> = None;
    for &time in times {
        open = match (open, holds(time)) {
            (None, Some(value)) => Some((time, time, value)),
            (Some((start, _, peak)), Some(value)) => Some((start, time, peak.max(value))),
            (Some((start, last, peak)), None) => {
                found.push(Held {
                    start,
                    last,
                    end: time,
                    peak,
                });
                None
            }
            (None, None) => None,
        };
    }
    if let Some((start, last, peak)) = open {
        found.push(Held {
            start,
            last,
            end,
            peak,
        });
    }
    found
}

/// A run of evaluations at which an alert held.
pub(super) struct Held {
    pub(super) start: i64,
    pub(super) last: i64,
    pub(super) end: i64,
    pub(super) peak: f64,
}

impl Held {
    /// The incident, with the bad events of the steps at which it held
    /// (each evaluation accounts for the step that ends at it), and its
    /// alert's place (`order`) for sorting.
    fn incident(
        &self,
        cumulative: &Cumulative,
        order: usize,
        severity: &str,
        (long, short): (&str, &str),
        condition: Option<&str>,
    ) -> (i64, usize, Incident) {
        let (_, bad) = cumulative.between(self.start - cumulative.step, self.last);
        (
            self.start,
            order,
            Incident {
                start: format_time(self.start),
                end: format_time(self.end),
                severity: severity.to_owned(),
                long_window: long.to_owned(),
                short_window: short.to_owned(),
                condition: condition.map(str::to_owned),
                peak_burn_rate: self.peak,
                bad_events: count(bad),
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use slo_core::Spec;

    fn spec() -> Spec {
        Spec::from_yaml("service: shop\nslos:\n  - name: api\n    objective: 99%\n").unwrap()
    }

    /// Steps of 5m from `start`, `good` and `bad` events in each.
    fn steady(start: i64, steps: usize, good: f64, bad: f64) -> StepCounts {
        let mut counts = StepCounts {
            start,
            step: 300,
            good: vec![good; steps],
            bad: vec![bad; steps],
        };
        counts.good[0] = 0.0;
        counts.bad[0] = 0.0;
        counts
    }

    #[test]
    fn totals_days_and_budget_of_a_steady_month() {
        let spec = spec();
        let range = ReportRange::month("2026-11").unwrap();
        let start = range.from() - 3 * DAY;
        let counts = steady(start, (33 * 288) as usize + 1, 99.5, 0.5);
        let report = slo_report(&spec.slos()[0], spec.maintenance(), range, &counts);
        assert_eq!(report.events.total, 30 * 288 * 100);
        assert_eq!(report.events.bad, 30 * 144);
        assert_eq!(report.sli_value, Some(0.995));
        assert!(report.met);
        assert!((report.error_budget.consumed_ratio - 0.5).abs() < 1e-12);
        assert_eq!(report.daily.len(), 30);
        assert_eq!(report.daily[0].date, "2026-11-01");
        assert_eq!(report.daily[29].date, "2026-11-30");
        assert!(report.daily.iter().all(|d| d.good + d.bad == 28_800));
        // Half the budget at a steady rate never burns at 1x.
        assert!(report.incidents.is_empty(), "{:?}", report.incidents);
    }

    #[test]
    fn a_burst_is_one_page_incident_per_tier_it_trips() {
        let spec = spec();
        let range = ReportRange::month("2026-11").unwrap();
        let start = range.from() - 3 * DAY;
        let mut counts = steady(start, (33 * 288) as usize + 1, 100.0, 0.0);
        // 20 minutes at 50% bad on 2026-11-12 03:00.
        let burst = ((range.from() + 11 * DAY + 3 * 3600 - start) / 300) as usize;
        for k in burst + 1..=burst + 4 {
            counts.good[k] = 50.0;
            counts.bad[k] = 50.0;
        }
        let report = slo_report(&spec.slos()[0], spec.maintenance(), range, &counts);
        let fast: Vec<_> = report
            .incidents
            .iter()
            .filter(|i| i.long_window == "1h")
            .collect();
        assert_eq!(fast.len(), 1, "{:?}", report.incidents);
        assert_eq!(fast[0].severity, "page");
        // The hour's ratio passes 14.4% only with the burst's last step,
        // and the 5m window clears one step after it.
        assert_eq!(fast[0].start, "2026-11-12T03:20:00Z");
        assert_eq!(fast[0].end, "2026-11-12T03:25:00Z");
        assert_eq!(fast[0].bad_events, 50);
        // 200 bad of 1,200 in the hour: 16.7% over a 1% budget.
        assert!((fast[0].peak_burn_rate - 200.0 / 1200.0 / 0.01).abs() < 1e-9);
        assert_eq!(report.daily[11].bad, 200);
    }

    #[test]
    fn counts_beyond_u64_saturate_instead_of_overflowing() {
        // Found by the `report` fuzz target: an API answering counters near
        // 1e19 made `good + bad` overflow.
        let spec = spec();
        let range = ReportRange::week("2026-W48").unwrap();
        let counts = steady(range.from() - 3 * DAY, 10 * 288 + 1, 1e19, 1e19);
        let report = slo_report(&spec.slos()[0], spec.maintenance(), range, &counts);
        assert_eq!(report.events.good, u64::MAX);
        assert_eq!(report.events.total, u64::MAX);
        assert!(report.sli_value.is_some_and(f64::is_finite));
        assert!(report.error_budget.consumed_ratio.is_finite());
    }

    #[test]
    fn a_calendar_month_is_reported_over_its_own_month_with_its_own_tiers() {
        let spec = Spec::from_yaml(
            "service: shop\ntimezone: Europe/Berlin\nslos:\n  - name: api\n    objective: 99%\n    period: calendar month\n    alerting:\n      tiers:\n        - {severity: page, long: 30m, short: 5m, burn_rate: 20}\n",
        )
        .unwrap();
        let slo = &spec.slos()[0];
        // October in Berlin: 2026-09-30T22:00Z to 2026-10-31T23:00Z, 745h.
        let range = ReportRange::month("2026-10").unwrap().for_slo(slo);
        assert_eq!(format_time(range.from()), "2026-09-30T22:00:00Z");
        assert_eq!(format_time(range.to()), "2026-10-31T23:00:00Z");
        let start = range.from() - 3 * DAY;
        let mut counts = steady(start, 40 * 288, 99.0, 1.0);
        // 30 minutes at 30% bad on the 15th at noon.
        let burst = ((range.from() + 14 * DAY + 14 * 3600 - start) / 300) as usize;
        for k in burst + 1..=burst + 6 {
            counts.good[k] = 70.0;
            counts.bad[k] = 30.0;
        }
        let report = slo_report(slo, spec.maintenance(), range, &counts);
        // The month's own events: 745 hours of 12 steps of 100.
        assert_eq!(report.events.total, 745 * 12 * 100);
        assert_eq!(report.error_budget.allowed_bad, 0.01 * (745 * 1200) as f64);
        // Incidents follow the SLO's own tier, and only it.
        assert!(!report.incidents.is_empty());
        assert!(
            report
                .incidents
                .iter()
                .all(|i| (i.long_window.as_str(), i.short_window.as_str()) == ("30m", "5m")),
            "{:?}",
            report.incidents
        );
    }

    #[test]
    fn budget_alerts_are_incidents_of_their_own() {
        let spec = Spec::from_yaml(
            "service: shop\nslos:\n  - name: api\n    objective: 99%\n    period: 7d\n    alerting:\n      budget: {remaining_below: 50%, exhausted_within: 2d}\n      no_data: 1h\n",
        )
        .unwrap();
        let slo = &spec.slos()[0];
        let range = ReportRange::week("2026-W48").unwrap();
        let start = range.from() - 8 * DAY;
        // A week before at 0.2% bad, then the reported week at 0.2% bad
        // but for a silent afternoon (no events) and a bad day (6%).
        let mut counts = steady(start, 15 * 288 + 1, 99.8, 0.2);
        let step_of = |t: i64| ((t - start) / 300) as usize;
        let silent = step_of(range.from() + DAY + 12 * 3600);
        for k in silent + 1..=silent + 36 {
            counts.good[k] = 0.0;
            counts.bad[k] = 0.0;
        }
        let bad_day = step_of(range.from() + 3 * DAY);
        for k in bad_day + 1..=bad_day + 288 {
            counts.good[k] = 94.0;
            counts.bad[k] = 6.0;
        }
        let report = slo_report(slo, spec.maintenance(), range, &counts);
        let of = |condition: &str| -> Vec<&Incident> {
            report
                .incidents
                .iter()
                .filter(|i| i.condition.as_deref() == Some(condition))
                .collect()
        };
        // Three hours without events: no data from an hour in until the
        // events come back.
        let quiet = of("no_data");
        assert_eq!(quiet.len(), 1, "{:?}", report.incidents);
        assert_eq!(quiet[0].start, "2026-11-24T13:00:00Z");
        assert_eq!(quiet[0].end, "2026-11-24T15:05:00Z");
        assert_eq!(
            (quiet[0].severity.as_str(), quiet[0].long_window.as_str()),
            ("ticket", "1h")
        );
        // The bad day spends more than half of the 7d budget (6% over a day
        // is 0.86 budgets; the week's 0.2% adds 0.17), and the budget stays
        // low to the range's end.
        let low = of("remaining_below");
        assert_eq!(low.len(), 1, "{:?}", report.incidents);
        assert!(low[0].start.starts_with("2026-11-26"), "{:?}", low[0]);
        assert_eq!(low[0].end, "2026-11-30T00:00:00Z");
        assert_eq!(low[0].long_window, "7d");
        // At burn 6 the rest runs out within two days: a page while the
        // bad day lasts.
        let soon = of("exhausted_within");
        assert!(!soon.is_empty(), "{:?}", report.incidents);
        assert!(
            soon.iter()
                .all(|i| i.severity == "page" && i.start.starts_with("2026-11-26"))
        );
        assert!(soon.iter().all(|i| i.peak_burn_rate > 5.0));
    }

    #[test]
    fn no_data_is_silent_inside_a_maintenance_window() {
        // A service-wide window in the middle of three silent hours.
        let spec = Spec::from_yaml(
            "service: shop\nmaintenance:\n  - {start: \"2026-11-24T13:30:00Z\", duration: 1h}\nslos:\n  - name: api\n    objective: 99%\n    period: 7d\n    alerting:\n      no_data: 1h\n",
        )
        .unwrap();
        let slo = &spec.slos()[0];
        let range = ReportRange::week("2026-W48").unwrap();
        let start = range.from() - 8 * DAY;
        let mut counts = steady(start, 15 * 288 + 1, 99.8, 0.2);
        let silent = ((range.from() + DAY + 12 * 3600 - start) / 300) as usize;
        for k in silent + 1..=silent + 36 {
            counts.good[k] = 0.0;
            counts.bad[k] = 0.0;
        }
        let quiet: Vec<(String, String)> = slo_report(slo, spec.maintenance(), range, &counts)
            .incidents
            .into_iter()
            .filter(|i| i.condition.as_deref() == Some("no_data"))
            .map(|i| (i.start, i.end))
            .collect();
        // Quiet from 13:00 until the window starts. After it, every quiet
        // hour overlaps it (its requests were excluded, not missing) until
        // the events come back at 15:00.
        assert_eq!(
            quiet,
            [("2026-11-24T13:00:00Z", "2026-11-24T13:30:00Z")]
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
        );
        // Without the service's windows it is one incident.
        let without = slo_report(slo, &[], range, &counts).incidents;
        assert_eq!(
            without
                .iter()
                .filter(|i| i.condition.as_deref() == Some("no_data"))
                .count(),
            1
        );
    }

    #[test]
    fn a_range_without_events_is_met_with_nothing_to_say() {
        let spec = spec();
        let range = ReportRange::week("2026-W48").unwrap();
        let counts = steady(range.from() - 3 * DAY, 10 * 288, 0.0, 0.0);
        let report = slo_report(&spec.slos()[0], spec.maintenance(), range, &counts);
        assert_eq!(report.sli_value, None);
        assert!(report.met);
        assert_eq!(report.error_budget.consumed_ratio, 0.0);
        assert_eq!(report.daily.len(), 7);
        assert!(report.daily.iter().all(|d| d.sli_value.is_none()));
    }
}
