//! A journey's rules: `slo:journey_error:ratio_rate<W>` per window, built
//! from its steps' recorded error ratios by the product rule
//! ([journeys](slo_core::semantics#journeys)), and an
//! `SLOJourneyErrorBudgetBurn` alert per tier.

use std::collections::BTreeMap;

use slo_core::series::JOURNEY_BURN_ALERT;
use slo_core::{JourneyDefinition, SloDefinition, Spec};

use super::model::{AlertingRule, RecordingRule, Rule, RuleGroup};
use super::{SLOTH_CURRENT_WINDOW, add_owner_labels, alert_annotations, percent, promql};
use crate::matchers::Matchers;

/// The recorded error ratio of a journey over a window.
pub const JOURNEY_RATIO: &str = "slo:journey_error:ratio_rate";

/// The rules of one journey.
pub(super) struct JourneyRules<'a> {
    service: &'a str,
    journey: &'a JourneyDefinition,
    steps: Vec<&'a SloDefinition>,
    matchers: &'a Matchers,
}

impl<'a> JourneyRules<'a> {
    pub fn new(
        spec: &'a Spec,
        journey: &'a JourneyDefinition,
        matchers: &'a Matchers,
    ) -> JourneyRules<'a> {
        JourneyRules {
            service: spec.service(),
            journey,
            // Every step is an SLO of the spec: the spec is validated.
            steps: journey
                .steps()
                .iter()
                .filter_map(|step| spec.slo(step).ok())
                .collect(),
            matchers,
        }
    }

    /// One group: the ratios, then the alerts that read them.
    pub fn group(&self) -> RuleGroup {
        let windows = self.journey.windows();
        let mut labels: Vec<&str> = windows
            .alerting()
            .iter()
            .map(|w| w.label.as_str())
            .collect();
        labels.push(windows.period().label.as_str());
        let mut rules: Vec<Rule> = labels.iter().map(|w| self.ratio_rule(w)).collect();
        rules.extend(self.alerts());
        RuleGroup {
            name: format!("slo-journey-{}-{}", self.service, self.journey.name()),
            rules,
        }
    }

    /// `journey`, `sloth_service`: on every recorded ratio and alert.
    fn labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("journey".to_owned(), self.journey.name().to_owned()),
            ("sloth_service".to_owned(), self.service.to_owned()),
        ])
    }

    /// `1 − Π (1 − step's error ratio over W)`: a step whose ratio is
    /// missing or NaN (no events over W) counts as no error, as in process;
    /// while no step has events, nothing is recorded (in process: no SLI).
    fn ratio_rule(&self, window: &str) -> Rule {
        let ratios: Vec<String> = self
            .steps
            .iter()
            .map(|step| format!("{} >= 0", self.step_ratio(step, window)))
            .collect();
        let factors: Vec<String> = ratios
            .iter()
            .map(|ratio| format!("(1 - (max({ratio}) or on () vector(0)))"))
            .collect();
        let mut labels = self.labels();
        labels.insert("sloth_window".into(), window.to_owned());
        Rule::Record(RecordingRule {
            record: format!("{JOURNEY_RATIO}{window}"),
            expr: format!(
                "1 - (\n  {}\n)\nand on ()\n(count(\n  {}\n) > 0)",
                factors.join("\n  *\n  "),
                ratios.join("\n  or\n  ")
            ),
            labels,
        })
    }

    /// A step's error ratio over `window`: its own recording where it
    /// keeps one (its alert windows, 5m, its period), else computed from
    /// the raw counters the same way.
    fn step_ratio(&self, step: &SloDefinition, window: &str) -> String {
        let windows = step.windows();
        let recorded = window == SLOTH_CURRENT_WINDOW
            || windows.period().label == window
            || windows.alerting().iter().any(|w| w.label == window);
        if recorded {
            let id = slo_core::series::sloth_id(self.service, step.name());
            let selector = promql::selector([
                ("sloth_id", id.as_str()),
                ("sloth_service", self.service),
                ("sloth_slo", step.name()),
            ]);
            format!("slo:sli_error:ratio_rate{window}{selector}")
        } else {
            format!(
                "((sum(increase({bad}[{window}])) or vector(0)) / sum(increase({all}[{window}])))",
                bad = self.matchers.events_of(step.name(), true),
                all = self.matchers.events_of(step.name(), false),
            )
        }
    }

    /// The recorded ratio of this journey over `window`.
    fn recorded(&self, window: &str) -> String {
        let selector = promql::selector([
            ("journey", self.journey.name()),
            ("sloth_service", self.service),
        ]);
        format!("{JOURNEY_RATIO}{window}{selector}")
    }

    /// `SLOJourneyErrorBudgetBurn`, one per tier; with `min_events` above
    /// 1, only while the steps' events over the long window reach it.
    fn alerts(&self) -> Vec<Rule> {
        let windows = self.journey.windows();
        let budget = self.journey.error_budget();
        windows
            .tiers()
            .iter()
            .map(|tier| {
                let (long, short) = (&tier.long.label, &tier.short.label);
                let threshold = format!("({} * {budget})", tier.burn_rate);
                let mut expr = format!(
                    "(\n  max without (sloth_window) ({} > {threshold})\n  and\n  max without (sloth_window) ({} > {threshold})\n)",
                    self.recorded(long),
                    self.recorded(short),
                );
                if self.journey.min_events() > 1 {
                    let events: Vec<String> = self
                        .steps
                        .iter()
                        .map(|step| {
                            format!(
                                "(sum(increase({}[{long}])) or vector(0))",
                                self.matchers.events_of(step.name(), false)
                            )
                        })
                        .collect();
                    expr.push_str(&format!(
                        "\nand on ()\n({} >= {})",
                        events.join(" + "),
                        self.journey.min_events()
                    ));
                }
                let severity = tier.severity.as_str();
                let mut labels = self.labels();
                labels.insert("severity".into(), severity.to_owned());
                labels.insert("sloth_severity".into(), severity.to_owned());
                labels.insert("long_window".into(), long.clone());
                labels.insert("short_window".into(), short.clone());
                add_owner_labels(&mut labels, self.journey.ownership());
                let summary = format!(
                    "{} journey {} is burning its error budget {}x too fast ({long} and {short} windows)",
                    self.service,
                    self.journey.name(),
                    tier.burn_rate,
                );
                let detail = format!(
                    "The journey's error ratio (1 - the product of its steps' SLIs: {}) over both the last {long} and the last {short} is above {}% (burn rate {} against an objective of {}% over {}).",
                    self.journey.steps().join(", "),
                    percent(tier.burn_rate * budget),
                    tier.burn_rate,
                    percent(self.journey.objective()),
                    windows.period().label,
                );
                let description = match self.journey.description() {
                    Some(text) => format!("{text}\n{detail}"),
                    None => detail,
                };
                Rule::Alert(AlertingRule {
                    alert: JOURNEY_BURN_ALERT.into(),
                    expr,
                    for_duration: None,
                    labels,
                    annotations: alert_annotations(
                        &summary,
                        &description,
                        self.journey.ownership(),
                    ),
                })
            })
            .collect()
    }
}
