//! Journeys in a registry ([journeys](crate::semantics#journeys)): over
//! each window, the product of the steps' SLIs, read from the steps' own
//! rings when asked, so that a journey costs a request nothing.

use std::collections::HashMap;

use super::evaluate::Evaluation;
use super::{Registry, Roles, SloEntry};
use crate::budget;
use crate::clock::Timestamp;
use crate::spec::JourneyDefinition;
use crate::status::{AlertStatus, BurnRates, ErrorBudget, JourneyStatus};
use crate::windows::Window;

/// One journey in a registry: its definition, and where each of its
/// windows is read in each step's rings.
pub(super) struct JourneyEntry {
    pub definition: JourneyDefinition,
    steps: Vec<Step>,
    pub roles: Roles,
}

/// One step as its journey reads it.
struct Step {
    /// Its place among the registry's SLOs.
    index: usize,
    /// Per window of the journey (in its order), the step's ring to read
    /// it from and the window's length in ns.
    picks: Vec<(usize, i64)>,
}

impl JourneyEntry {
    pub fn new(
        definition: &JourneyDefinition,
        slos: &[SloEntry],
        by_name: &HashMap<String, usize>,
    ) -> JourneyEntry {
        let lengths: Vec<i64> = definition
            .windows()
            .all()
            .iter()
            .map(Window::nanos)
            .collect();
        let steps = definition
            .steps()
            .iter()
            .filter_map(|name| {
                let index = *by_name.get(name)?;
                let slo = slos.get(index)?;
                let picks = lengths
                    .iter()
                    .map(|&length| (ring_for(&slo.lengths, length), length))
                    .collect();
                Some(Step { index, picks })
            })
            .collect();
        JourneyEntry {
            definition: definition.clone(),
            steps,
            roles: Roles::of(definition.windows()),
        }
    }
}

/// Which of rings of `lengths` (ns) to read a window of `length` from:
/// one of that length, else the shortest longer one (it still holds the
/// window's start, interpolated inside its spacing), else the longest.
fn ring_for(lengths: &[i64], length: i64) -> usize {
    let exact = lengths.iter().position(|&l| l == length);
    let longer = || {
        (0..lengths.len())
            .filter(|&i| lengths[i] >= length)
            .min_by_key(|&i| lengths[i])
    };
    let longest = || (0..lengths.len()).max_by_key(|&i| lengths[i]);
    exact.or_else(longer).or_else(longest).unwrap_or(0)
}

impl Registry {
    /// The journeys, in spec order.
    pub(super) fn journey_entries(&self) -> &[JourneyEntry] {
        &self.inner.journeys
    }

    /// What `journey`'s windows say at `now`, into `out`: per window, the
    /// product of its steps' good ratios (a step without events counts 1),
    /// held as counts (`total × product` good of the steps' events
    /// together) so that it is judged exactly as an SLO is. Its coverage
    /// is its least-covered step's.
    pub(super) fn evaluate_journey_into(
        &self,
        journey: &JourneyEntry,
        now: Timestamp,
        out: &mut Evaluation,
        step_counts: &mut Vec<(f64, f64)>,
    ) {
        let windows = journey.roles_len();
        // Per window: the sum of ln(good ratio) over the steps, and the
        // steps' events together. Logarithms keep a product of ratios near
        // 1 exact where `1 − product` is all that matters.
        out.counts.clear();
        out.counts.resize(windows, (0.0, 0.0));
        out.coverage = 1.0;
        out.period_seconds = journey.definition.period().as_secs_f64();
        for step in &journey.steps {
            let Some(slo) = self.inner.slos.get(step.index) else {
                continue;
            };
            slo.rings
                .read_picked(now.as_unix_nanos(), &step.picks, || slo.live(), step_counts);
            let calendar = slo.calendar_now();
            slo.calendar_period_counts(calendar, journey.roles.period, step_counts);
            let (coverage, period_seconds) = self.coverage(slo, now, calendar);
            out.coverage = out.coverage.min(coverage);
            out.period_seconds = period_seconds;
            for (sum, &(good, bad)) in out.counts.iter_mut().zip(step_counts.iter()) {
                let events = good + bad;
                if events > budget::NO_EVENTS {
                    sum.0 += (-(bad / events)).ln_1p();
                    sum.1 += events;
                }
            }
        }
        for window in &mut out.counts {
            let (log_good, events) = *window;
            let bad = -log_good.exp_m1() * events;
            *window = ((events - bad).max(0.0), bad);
        }
        out.judge(
            journey.definition.error_budget(),
            &journey.roles,
            journey.definition.min_events(),
        );
        out.budget_firing.clear();
    }

    /// [`Registry::evaluate_journey_into`] into a new evaluation.
    pub(super) fn evaluate_journey(&self, journey: &JourneyEntry, now: Timestamp) -> Evaluation {
        let mut evaluation = Evaluation::default();
        self.evaluate_journey_into(journey, now, &mut evaluation, &mut Vec::new());
        evaluation
    }

    /// Every journey's status at `now` (the windows ticked up to then),
    /// in spec order.
    pub(crate) fn journey_statuses(&self, now: Timestamp) -> Vec<JourneyStatus> {
        self.inner
            .journeys
            .iter()
            .map(|journey| self.journey_status(journey, now))
            .collect()
    }

    /// `/slo`'s entry for `journey` at `now`.
    pub(super) fn journey_status(&self, journey: &JourneyEntry, now: Timestamp) -> JourneyStatus {
        let definition = &journey.definition;
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
            ..
        } = self.evaluate_journey(journey, now);
        let (good, bad) = counts[journey.roles.period];
        let period_label = definition.calendar().map(|c| c.unit().as_str().to_owned());
        JourneyStatus {
            name: definition.name().to_owned(),
            description: definition.description().map(str::to_owned),
            ownership: crate::status::OwnershipStatus::of(definition.ownership()),
            objective: definition.objective(),
            steps: definition.steps().to_vec(),
            period_seconds,
            coverage_ratio: coverage,
            sli_value: (good + bad > budget::NO_EVENTS).then(|| good / (good + bad)),
            burn_rates: BurnRates(
                windows
                    .all()
                    .iter()
                    .zip(burn)
                    .enumerate()
                    .map(|(i, (window, rate))| {
                        let label = match (&period_label, i == journey.roles.period) {
                            (Some(unit), true) => unit.clone(),
                            _ => window.label.clone(),
                        };
                        (label, rate)
                    })
                    .collect(),
            ),
            error_budget: ErrorBudget {
                remaining_ratio: remaining,
                consumed_ratio: 1.0 - remaining,
                exhaustion_seconds,
            },
            alerts: windows
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
                .collect(),
            status: level,
            release: self.inner.spec.release_policy().decisions(level),
        }
    }
}

impl JourneyEntry {
    /// How many windows the journey keeps.
    fn roles_len(&self) -> usize {
        self.definition.windows().all().len()
    }
}
