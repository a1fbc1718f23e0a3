//! Prometheus recording and alerting rules that evaluate a spec's SLOs over
//! the [series](slo_core::semantics#series) of a whole fleet
//! ([fleet-wide rules](slo_core::semantics#fleet-wide-rules)), in Sloth's naming so that
//! Sloth's published Grafana dashboards work unchanged.
//!
//! Per SLO, three groups:
//!
//! - **SLI recordings**: `slo:sli_error:ratio_rate<W>` for the seven alert
//!   windows (`5m` … `3d` for a 30d period, scaled with the period; `5m` is
//!   recorded for every period, as Sloth's dashboards read it), each an
//!   event-weighted error ratio over every instance:
//!   `sum(increase(bad[W])) / sum(increase(total[W]))`, never an average of
//!   per-instance ratios. The period's ratio is summed from a 5-minute
//!   helper, `slo:sli_events:increase5m{outcome}`, so that Prometheus does not
//!   read 30 days of raw samples at every evaluation; it stays
//!   event-weighted.
//! - **Metadata**: `slo:objective:ratio`, `slo:error_budget:ratio`,
//!   `slo:time_period:days`, `slo:current_burn_rate:ratio`,
//!   `slo:period_burn_rate:ratio`, `slo:period_error_budget_remaining:ratio`
//!   and `sloth_slo_info`.
//! - **Alerts**: `SLOErrorBudgetBurn`, one rule per
//!   [tier](slo_core::semantics#alert-tiers) with
//!   labels `slo`, `severity`, `sloth_severity`, `long_window`, `short_window` (the same as the
//!   live `slo_alert_firing` gauge), honouring `min_events`;
//!   `SLOErrorBudgetExhausted` when the period's budget is spent; and
//!   `SLOMetricsAbsent` when no instance reports the SLO's events; and
//!   the SLO's budget alerts: `SLOErrorBudgetLow`,
//!   `SLOErrorBudgetExhaustionSoon` and `SLONoData`, labelled with their
//!   `condition`.
//!
//! Per journey, one group: `slo:journey_error:ratio_rate<W>` for its
//! windows, `1 − Π (1 − step's ratio)` over its steps' recorded ratios
//! (a step without events counting as none), labelled `journey` and
//! `sloth_service`; and `SLOJourneyErrorBudgetBurn` per tier, with the
//! labels of the live `slo_journey_alert_firing` gauge.
//!
//! Every recorded series carries `sloth_id` (`<service>-<slo>`),
//! `sloth_service` and `sloth_slo`; the SLI ratios also `sloth_window`.
//!
//! ```
//! use slo_core::Spec;
//! use slo_fleet::matchers::Matchers;
//! use slo_fleet::rules::{RulesOptions, rules};
//!
//! let spec = Spec::from_yaml(
//!     "service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n",
//! )?;
//! let options = RulesOptions::new().selector(Matchers::new().and_equal("job", "shop")?);
//! let yaml = rules(&spec, &options).to_yaml()?;
//! assert!(yaml.contains("record: slo:sli_error:ratio_rate5m"));
//! assert!(yaml.contains(r#"slo_events_total{slo="checkout", job="shop", outcome="bad"}[1h]"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod budget;
mod journey;
mod model;
pub(crate) mod promql;

use std::collections::BTreeMap;
use std::time::Duration;

use slo_core::maintenance::MaintenanceWindow;
use slo_core::spec::Ownership;
use slo_core::windows::Severity;
use slo_core::{SloDefinition, Spec, format_duration};

use slo_core::series as names;

use crate::matchers::Matchers;

pub use journey::JOURNEY_RATIO;
pub use model::{AlertingRule, RecordingRule, Rule, RuleFile, RuleGroup};

pub use slo_core::series::{BURN_ALERT, EXHAUSTED_ALERT};
/// The alert for an SLO whose events no instance reports.
pub const ABSENT_ALERT: &str = "SLOMetricsAbsent";
/// The 5-minute event-count helper the period ratio is summed from.
pub const EVENTS_HELPER: &str = "slo:sli_events:increase5m";
/// The window of `slo:current_burn_rate:ratio` (Sloth's), recorded for every
/// period.
pub const SLOTH_CURRENT_WINDOW: &str = "5m";
/// How long no instance may report an SLO before [`ABSENT_ALERT`] fires.
pub const ABSENT_FOR: &str = "10m";

/// What a rule file is generated for beyond the spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulesOptions {
    matchers: Matchers,
}

/// A refused option or a file that could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// The YAML serialiser failed.
    #[error("cannot write the rules as YAML: {0}")]
    Yaml(String),
}

impl RulesOptions {
    /// No selectors: the rules count every instance that exports the SLO.
    pub fn new() -> RulesOptions {
        RulesOptions::default()
    }

    /// Only series these matchers select count, such as `job="shop"`, for
    /// a Prometheus that scrapes several services with SLOs of the same
    /// name. Values may be any text; they are quoted anew.
    pub fn selector(mut self, matchers: Matchers) -> RulesOptions {
        self.matchers = matchers;
        self
    }
}

impl RuleFile {
    /// The file as YAML, ready for `rule_files:` or `promtool check rules`.
    pub fn to_yaml(&self) -> Result<String, RulesError> {
        let body = serde_saphyr::to_string(self).map_err(|e| RulesError::Yaml(e.to_string()))?;
        let mut text = String::new();
        for note in &self.notes {
            for line in note.lines() {
                text.push_str("# ");
                text.push_str(line);
                text.push('\n');
            }
        }
        text.push_str(&body);
        Ok(text)
    }
}

/// Problems the rules will have in practice, one sentence each: alert
/// windows under a minute (periods under about 6d), whose rates need a
/// scrape interval of a few seconds.
pub fn warnings(spec: &Spec) -> Vec<String> {
    let mut warnings = Vec::new();
    for slo in spec.slos() {
        let shortest = slo.windows().shortest();
        if shortest.duration < Duration::from_secs(60) {
            warnings.push(format!(
                "{}: its shortest alert window is {}; a rate over it needs Prometheus to scrape at least every {} (a quarter of the window)",
                slo.name(),
                shortest.label,
                format_duration(shortest.duration / 4)
            ));
        }
    }
    warnings
}

/// The rule file for every SLO of `spec`.
pub fn rules(spec: &Spec, options: &RulesOptions) -> RuleFile {
    let mut groups = Vec::with_capacity(spec.slos().len() * 3);
    for slo in spec.slos() {
        let slo_rules = SloRules::new(spec, slo, options);
        groups.push(slo_rules.sli_group());
        groups.push(slo_rules.meta_group());
        groups.push(slo_rules.alert_group());
    }
    for journey in spec.journeys() {
        groups.push(journey::JourneyRules::new(spec, journey, &options.matchers).group());
    }
    let notes = spec
        .slos()
        .iter()
        .filter_map(|slo| {
            let calendar = slo.calendar()?;
            Some(format!(
                "{}: its period is the calendar {} in {}. PromQL cannot sum from the start of a\ncalendar {} in a time zone, so these rules evaluate its budget over a rolling {}\n(and keep the rolling alert windows); `slo report` over the calendar period\n(--month, --week, or --from and --to) is the fleet's calendar view.",
                slo.name(),
                calendar.unit(),
                calendar.timezone(),
                calendar.unit(),
                format_duration(slo.period()),
            ))
        })
        .chain(spec.journeys().iter().filter_map(|journey| {
            let calendar = journey.calendar()?;
            Some(format!(
                "journey {}: its steps' period is the calendar {} in {}; these rules evaluate it over\na rolling {}, as they do its steps.",
                journey.name(),
                calendar.unit(),
                calendar.timezone(),
                format_duration(journey.period()),
            ))
        }))
        .collect();
    RuleFile { groups, notes }
}

/// The rules of one SLO.
struct SloRules<'a> {
    service: &'a str,
    slo: &'a SloDefinition,
    id: String,
    /// The user's selectors.
    matchers: &'a Matchers,
    /// The SLO's maintenance windows: the service's and its own.
    maintenance: Vec<&'a MaintenanceWindow>,
}

impl<'a> SloRules<'a> {
    fn new(spec: &'a Spec, slo: &'a SloDefinition, options: &'a RulesOptions) -> SloRules<'a> {
        SloRules {
            service: spec.service(),
            slo,
            id: slo_core::series::sloth_id(spec.service(), slo.name()),
            matchers: &options.matchers,
            maintenance: spec.maintenance().iter().chain(slo.maintenance()).collect(),
        }
    }

    /// `sloth_id`, `sloth_service`, `sloth_slo`.
    fn sloth_labels(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("sloth_id".to_owned(), self.id.clone()),
            ("sloth_service".to_owned(), self.service.to_owned()),
            ("sloth_slo".to_owned(), self.slo.name().to_owned()),
        ])
    }

    /// A selector of recorded series of this SLO, with `extra` matchers.
    fn recorded(&self, name: &str, extra: &[(&str, &str)]) -> String {
        let mut labels = vec![
            ("sloth_id", self.id.as_str()),
            ("sloth_service", self.service),
            ("sloth_slo", self.slo.name()),
        ];
        labels.extend_from_slice(extra);
        format!("{name}{}", promql::selector(labels))
    }

    /// `slo_events_total{slo="…", <selectors>[, outcome="bad"]}`.
    fn events(&self, bad_only: bool) -> String {
        self.matchers.events_of(self.slo.name(), bad_only)
    }

    /// `slo:sli_error:ratio_rate<window>` over the raw counters.
    fn ratio_rule(&self, window: &str) -> Rule {
        let mut labels = self.sloth_labels();
        labels.insert("sloth_window".into(), window.to_owned());
        Rule::Record(RecordingRule {
            record: format!("slo:sli_error:ratio_rate{window}"),
            expr: format!(
                "(sum(increase({bad}[{window}])) or vector(0))\n/\nsum(increase({all}[{window}]))",
                bad = self.events(true),
                all = self.events(false),
            ),
            labels,
        })
    }

    fn budget(&self) -> f64 {
        self.slo.error_budget()
    }

    fn sli_group(&self) -> RuleGroup {
        let mut rules = Vec::new();
        let mut labels: Vec<&str> = self
            .slo
            .windows()
            .alerting()
            .iter()
            .map(|w| w.label.as_str())
            .collect();
        // Sloth's dashboards and most hand-written queries read the 5m ratio
        // whatever the period; a period other than 30d scales its windows
        // away from 5m, so record it as well.
        if !labels.contains(&SLOTH_CURRENT_WINDOW) {
            labels.push(SLOTH_CURRENT_WINDOW);
        }
        for window in labels {
            rules.push(self.ratio_rule(window));
        }
        // Event counts per outcome over 5m, recorded at every evaluation: the
        // period sums them, counting each event (evaluation interval ≤ 5m)
        // as often in the numerator as in the denominator.
        let mut labels = self.sloth_labels();
        labels.insert("sloth_window".into(), "5m".into());
        rules.push(Rule::Record(RecordingRule {
            record: EVENTS_HELPER.into(),
            expr: format!("sum by (outcome) (increase({}[5m]))", self.events(false)),
            labels,
        }));
        let period = self.slo.windows().period();
        let mut labels = self.sloth_labels();
        labels.insert("sloth_window".into(), period.label.clone());
        rules.push(Rule::Record(RecordingRule {
            record: format!("slo:sli_error:ratio_rate{}", period.label),
            expr: format!(
                "(sum(sum_over_time({bad}[{w}])) or vector(0))\n/\nsum(sum_over_time({all}[{w}]))",
                bad = self.recorded(EVENTS_HELPER, &[("outcome", "bad")]),
                all = self.recorded(EVENTS_HELPER, &[]),
                w = period.label
            ),
            labels,
        }));
        RuleGroup {
            name: format!("slo-sli-recordings-{}", self.id),
            rules,
        }
    }

    fn meta_group(&self) -> RuleGroup {
        let period = &self.slo.windows().period().label;
        let record = |name: &str, expr: String| {
            Rule::Record(RecordingRule {
                record: name.into(),
                expr,
                labels: self.sloth_labels(),
            })
        };
        let over_budget = |ratio: String| {
            format!(
                "{ratio}\n/ on (sloth_id, sloth_slo, sloth_service) group_left\n{}",
                self.recorded("slo:error_budget:ratio", &[])
            )
        };
        let mut info = self.sloth_labels();
        info.insert("sloth_mode".into(), "slo-cli".into());
        info.insert("sloth_spec".into(), "slo/v1".into());
        info.insert("sloth_version".into(), env!("CARGO_PKG_VERSION").into());
        info.insert("sloth_objective".into(), percent(self.slo.objective()));
        let days = self.slo.period().as_secs_f64() / 86_400.0;
        RuleGroup {
            name: format!("slo-meta-recordings-{}", self.id),
            rules: vec![
                record(
                    "slo:objective:ratio",
                    format!("vector({})", self.slo.objective()),
                ),
                record(
                    "slo:error_budget:ratio",
                    format!("vector({})", self.budget()),
                ),
                record("slo:time_period:days", format!("vector({days})")),
                record(
                    "slo:current_burn_rate:ratio",
                    over_budget(self.recorded(
                        &format!("slo:sli_error:ratio_rate{SLOTH_CURRENT_WINDOW}"),
                        &[],
                    )),
                ),
                record(
                    "slo:period_burn_rate:ratio",
                    over_budget(self.recorded(&format!("slo:sli_error:ratio_rate{period}"), &[])),
                ),
                record(
                    "slo:period_error_budget_remaining:ratio",
                    format!("1 - {}", self.recorded("slo:period_burn_rate:ratio", &[])),
                ),
                Rule::Record(RecordingRule {
                    record: "sloth_slo_info".into(),
                    expr: "vector(1)".into(),
                    labels: info,
                }),
            ],
        }
    }

    fn alert_group(&self) -> RuleGroup {
        let windows = self.slo.windows();
        let period = &windows.period().label;
        let mut rules = Vec::new();
        for tier in windows.tiers() {
            let (long, short) = (&tier.long, &tier.short);
            let threshold = format!("({} * {})", tier.burn_rate, self.budget());
            let mut expr = format!(
                "(\n  max without (sloth_window) ({long_ratio} > {threshold})\n  and\n  max without (sloth_window) ({short_ratio} > {threshold})\n)",
                long_ratio = self.recorded(&format!("slo:sli_error:ratio_rate{}", long.label), &[]),
                short_ratio =
                    self.recorded(&format!("slo:sli_error:ratio_rate{}", short.label), &[]),
            );
            if self.slo.min_events() > 1 {
                expr.push_str(&format!(
                    "\nand on ()\n(sum(increase({}[{}])) >= {})",
                    self.events(false),
                    long.label,
                    self.slo.min_events()
                ));
            }
            let mut labels = self.alert_labels(tier.severity);
            labels.insert("long_window".into(), long.label.clone());
            labels.insert("short_window".into(), short.label.clone());
            let ratio = tier.burn_rate * self.budget();
            rules.push(Rule::Alert(AlertingRule {
                alert: BURN_ALERT.into(),
                expr,
                for_duration: None,
                labels,
                annotations: self.annotations(
                    format!(
                        "{} {} is burning its error budget {}x too fast ({} and {} windows)",
                        self.service,
                        self.slo.name(),
                        tier.burn_rate,
                        long.label,
                        short.label
                    ),
                    format!(
                        "The error ratio over both the last {} and the last {} is above {}% (burn rate {} against an objective of {}% over {}).",
                        long.label,
                        short.label,
                        percent(ratio),
                        tier.burn_rate,
                        percent(self.slo.objective()),
                        period
                    ),
                ),
            }));
        }
        rules.push(Rule::Alert(AlertingRule {
            alert: EXHAUSTED_ALERT.into(),
            expr: format!(
                "max without (sloth_window) ({} <= 0)",
                self.recorded("slo:period_error_budget_remaining:ratio", &[])
            ),
            for_duration: None,
            labels: self.alert_labels(Severity::Ticket),
            annotations: self.annotations(
                format!(
                    "{} {} has spent its error budget for the last {}",
                    self.service,
                    self.slo.name(),
                    period
                ),
                format!(
                    "More than {}% of the events of the last {} were bad (objective {}%).",
                    percent(self.budget()),
                    period,
                    percent(self.slo.objective())
                ),
            ),
        }));
        let mut labels = self.alert_labels(Severity::Ticket);
        labels.extend(self.sloth_labels());
        rules.push(Rule::Alert(AlertingRule {
            alert: ABSENT_ALERT.into(),
            expr: format!("absent({})", self.events(false)),
            for_duration: Some(ABSENT_FOR.into()),
            labels,
            annotations: self.annotations(
                format!(
                    "No instance of {} reports events for {}",
                    self.service,
                    self.slo.name()
                ),
                format!(
                    "{} has had no series for {ABSENT_FOR}: the service is down, not scraped, or no longer measures this SLO, and its burn-rate alerts cannot fire.",
                    names::EVENTS
                ),
            ),
        }));
        rules.extend(self.budget_alerts());
        RuleGroup {
            name: format!("slo-alerts-{}", self.id),
            rules,
        }
    }

    /// `slo`, `severity` and Sloth's `sloth_severity` (the same value),
    /// and the spec's `owner` and `tier`: the labels the in-process
    /// notifier sends too.
    fn alert_labels(&self, severity: Severity) -> BTreeMap<String, String> {
        let mut labels = BTreeMap::from([
            ("slo".to_owned(), self.slo.name().to_owned()),
            ("severity".to_owned(), severity.as_str().to_owned()),
            ("sloth_severity".to_owned(), severity.as_str().to_owned()),
        ]);
        add_owner_labels(&mut labels, self.slo.ownership());
        labels
    }

    /// `summary` and `description`, the spec's description first; all text
    /// escaped for Prometheus' Go templates.
    fn annotations(&self, summary: String, detail: String) -> BTreeMap<String, String> {
        let description = match self.slo.description() {
            Some(text) => format!("{text}\n{detail}"),
            None => detail,
        };
        alert_annotations(&summary, &description, self.slo.ownership())
    }
}

/// The spec's `owner` and `tier`, added to an alert's labels: the
/// in-process notifier sends the same ones, from the same place.
pub(crate) fn add_owner_labels(labels: &mut BTreeMap<String, String>, ownership: &Ownership) {
    // Prometheus expands alert label values as templates: an owner with
    // `{{` in it must render as written.
    for (name, value) in ownership.alert_labels() {
        labels.insert(name.to_owned(), template_literal(value));
    }
}

/// `summary`, `description`, and the spec's `runbook_url` and
/// `dashboard_url`; all text escaped for Prometheus' Go templates.
pub(crate) fn alert_annotations(
    summary: &str,
    description: &str,
    ownership: &Ownership,
) -> BTreeMap<String, String> {
    let mut annotations = BTreeMap::from([
        ("summary".to_owned(), template_literal(summary)),
        ("description".to_owned(), template_literal(description)),
    ]);
    for (name, url) in ownership.alert_annotations() {
        annotations.insert(name.to_owned(), template_literal(url));
    }
    annotations
}

/// `text` as a Go template that renders exactly `text`: every `{{` becomes
/// an action printing `{{`.
fn template_literal(text: &str) -> String {
    text.replace("{{", "{{ \"{{\" }}")
}

/// A ratio as a percentage without float noise: 0.999 → `99.9`. Not the
/// people's formatter (`slo_core::format_percent`): Sloth's
/// `sloth_objective` label and the alert annotations carry the exact
/// number, without a sign, as Sloth writes it.
fn percent(ratio: f64) -> String {
    let value = (ratio * 100.0 * 1e9).round() / 1e9;
    format!("{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_text_renders_literally() {
        assert_eq!(
            template_literal("a {{ $value }} b"),
            "a {{ \"{{\" }} $value }} b"
        );
        assert_eq!(template_literal("no braces } {"), "no braces } {");
    }

    #[test]
    fn percentages_have_no_float_noise() {
        assert_eq!(percent(0.999), "99.9");
        assert_eq!(percent(14.4 * 0.001), "1.44");
        assert_eq!(percent(0.99999), "99.999");
    }
}
