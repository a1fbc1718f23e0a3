//! A journey's report from its steps' step counts: over the range, each
//! day and each evaluation's windows, the product of the steps' SLIs
//! ([journeys](slo_core::semantics#journeys)), judged as the generated
//! `SLOJourneyErrorBudgetBurn` rules judge it.

use slo_core::JourneyDefinition;

use super::compute::{evaluations, runs};
use super::counts::{Cumulative, StepCounts, count};
use super::model::{Incident, JourneyDay, JourneyReport};
use super::range::{ReportRange, format_date, format_time};

const DAY: i64 = 86_400;

/// The steps' counts, read together.
struct Steps(Vec<Cumulative>);

impl Steps {
    /// Over `(from, to]`: the journey's error ratio (`1 − Π good/total`,
    /// a step without events counting 1), and the steps' events together;
    /// `None` when no step had events.
    fn error_between(&self, from: i64, to: i64) -> Option<(f64, f64)> {
        let mut log_good = 0.0;
        let mut events = 0.0;
        for step in &self.0 {
            let (good, bad) = step.between(from, to);
            if good + bad > 0.0 {
                log_good += (-(bad / (good + bad))).ln_1p();
                events += good + bad;
            }
        }
        (events > 0.0).then(|| (-log_good.exp_m1(), events))
    }

    fn bad_between(&self, from: i64, to: i64) -> f64 {
        self.0.iter().map(|step| step.between(from, to).1).sum()
    }
}

/// The report of `journey` over `range` (its steps' own range) from each
/// step's counts, in its order.
pub(crate) fn journey_report(
    journey: &JourneyDefinition,
    range: ReportRange,
    counts: &[&StepCounts],
) -> JourneyReport {
    let steps = Steps(counts.iter().map(|c| Cumulative::new(c)).collect());
    let budget = journey.error_budget();
    let error = steps.error_between(range.from(), range.to());
    let sli_value = error.map(|(ratio, _)| 1.0 - ratio);
    let mut daily = Vec::new();
    let mut start = range.from();
    while start < range.to() {
        let end = ((start.div_euclid(DAY) + 1) * DAY).min(range.to());
        daily.push(JourneyDay {
            date: format_date(start),
            sli_value: steps
                .error_between(start, end)
                .map(|(ratio, _)| 1.0 - ratio),
        });
        start = end;
    }
    JourneyReport {
        name: journey.name().to_owned(),
        ownership: slo_core::status::OwnershipStatus::of(journey.ownership()),
        steps: journey.steps().to_vec(),
        objective: journey.objective(),
        sli_value,
        met: sli_value.is_none_or(|v| v >= journey.objective() - 1e-12),
        budget_consumed_ratio: error.map_or(0.0, |(ratio, _)| ratio / budget),
        incidents: incidents(journey, range, &steps, counts),
        daily,
    }
}

/// Every maximal run of evaluations at which a tier held: the journey's
/// error ratio over both of its windows above its burn rate times the
/// budget, with `min_events` of the steps' events in the long window.
fn incidents(
    journey: &JourneyDefinition,
    range: ReportRange,
    steps: &Steps,
    counts: &[&StepCounts],
) -> Vec<Incident> {
    let Some(first) = counts.first() else {
        return Vec::new();
    };
    let step = first.step.max(1);
    let times = evaluations(range, first.start, step);
    let budget = journey.error_budget();
    let mut found = Vec::new();
    for (order, tier) in journey.windows().tiers().iter().enumerate() {
        let long = tier.long.duration.as_secs() as i64;
        let short = tier.short.duration.as_secs() as i64;
        let threshold = tier.burn_rate * budget;
        let holds = |time: i64| {
            let (long_ratio, events) = steps.error_between(time - long, time)?;
            let (short_ratio, _) = steps.error_between(time - short, time)?;
            (long_ratio > threshold
                && short_ratio > threshold
                && events >= journey.min_events() as f64)
                .then_some(long_ratio / budget)
        };
        for held in runs(&times, range.to(), holds) {
            let bad = steps.bad_between(held.start - step, held.last);
            found.push((
                held.start,
                order,
                Incident {
                    start: format_time(held.start),
                    end: format_time(held.end),
                    severity: tier.severity.as_str().to_owned(),
                    long_window: tier.long.label.clone(),
                    short_window: tier.short.label.clone(),
                    condition: None,
                    peak_burn_rate: held.peak,
                    bad_events: count(bad),
                },
            ));
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    found.into_iter().map(|(_, _, incident)| incident).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use slo_core::Spec;

    fn spec() -> Spec {
        Spec::from_yaml(
            "service: shop
slos:
  - {name: search, objective: 99.9%}
  - {name: checkout, objective: 99.9%}
  - {name: idle, objective: 99.9%}
journeys:
  - {name: purchase, objective: 99.9%, steps: [search, checkout, idle]}
",
        )
        .unwrap()
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

    /// Two steps, each good but for six hours on one day at 0.5% bad
    /// (burn 5, under both pages): the journey's SLI is their product
    /// (the idle step counts 1) over the month and each day, and it pages
    /// on the 6h/30m tier during those hours (about 10 over both
    /// windows), which neither step does alone.
    #[test]
    fn a_journey_is_the_product_of_its_steps_and_pages_on_their_sum() {
        let spec = spec();
        let journey = &spec.journeys()[0];
        let range = ReportRange::month("2026-11").unwrap();
        let start = range.from() - 3 * DAY;
        let len = (33 * 288) as usize + 1;
        let mut search = steady(start, len, 1000.0, 0.0);
        let mut checkout = steady(start, len, 1000.0, 0.0);
        let idle = steady(start, len, 0.0, 0.0);
        // 2026-11-12 from 03:00 to 09:00.
        let from = ((range.from() + 11 * DAY + 3 * 3600 - start) / 300) as usize;
        for k in from + 1..=from + 72 {
            for counts in [&mut search, &mut checkout] {
                counts.good[k] = 995.0;
                counts.bad[k] = 5.0;
            }
        }
        let report = journey_report(journey, range, &[&search, &checkout, &idle]);
        assert_eq!(report.steps, ["search", "checkout", "idle"]);
        // Over the month: each step's bad share, then their product.
        let step_sli = 1.0 - 360.0 / (30.0 * 288.0 * 1000.0);
        let sli = report.sli_value.unwrap();
        assert!((sli - step_sli * step_sli).abs() < 1e-12, "{sli}");
        assert!(report.met);
        assert!((report.budget_consumed_ratio - (1.0 - sli) / 0.001).abs() < 1e-9);
        assert_eq!(report.daily.len(), 30);
        assert_eq!(report.daily[0].sli_value, Some(1.0));
        let day = report.daily[11].sli_value.unwrap();
        let day_sli = 1.0 - 360.0 / 288_000.0;
        assert!((day - day_sli * day_sli).abs() < 1e-12, "{day}");
        // The one incident: the 6h/30m page, on that morning.
        assert_eq!(report.incidents.len(), 1, "{:?}", report.incidents);
        let page = &report.incidents[0];
        assert_eq!(
            (page.severity.as_str(), page.long_window.as_str()),
            ("page", "6h")
        );
        assert!(page.start.starts_with("2026-11-12T0"), "{page:?}");
        let peak = (1.0 - 0.995f64 * 0.995) / 0.001;
        assert!((page.peak_burn_rate - peak).abs() < 1e-9, "{page:?}");
        assert!(page.bad_events > 0);
        // Neither step alone reaches 6 over 6h: 5 at most.
        let one = journey_report(
            &Spec::from_yaml(
                "service: shop\nslos:\n  - {name: search, objective: 99.9%}\njourneys:\n  - {name: alone, objective: 99.9%, steps: [search]}\n",
            )
            .unwrap()
            .journeys()[0],
            range,
            &[&search],
        );
        assert!(one.incidents.is_empty(), "{:?}", one.incidents);
    }
}
