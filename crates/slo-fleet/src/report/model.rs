//! The report as data: exactly the JSON `slo report --format json`
//! writes (the field names are a contract), readable back.

use serde::{Deserialize, Serialize};
use slo_core::status::OwnershipStatus;

use super::recommend::{Previous, Recommendation, Trend};

/// A report over one range for every SLO of a spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The spec's service.
    pub service: String,
    /// The range's start, RFC 3339 UTC.
    pub from: String,
    /// The range's end (not included), RFC 3339 UTC.
    pub to: String,
    /// One entry per SLO, in spec order.
    pub slos: Vec<SloReport>,
    /// One entry per journey, in spec order; absent without journeys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub journeys: Vec<JourneyReport>,
}

/// One journey over the range: its SLI is the product of its steps' SLIs
/// over the range ([journeys](slo_core::semantics#journeys)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JourneyReport {
    /// The journey's name.
    pub name: String,
    /// Its owner, tier and annotations, from the spec.
    #[serde(flatten)]
    pub ownership: OwnershipStatus,
    /// Its steps, SLO names in order.
    pub steps: Vec<String>,
    /// Its objective, as a ratio.
    pub objective: f64,
    /// The product of its steps' SLIs over the range (a step without
    /// events counts 1); `None` when no step had events.
    pub sli_value: Option<f64>,
    /// Whether the SLI reached the objective (met without events).
    pub met: bool,
    /// `(1 − SLI) / (1 − objective)`: above 1 when overspent.
    pub budget_consumed_ratio: f64,
    /// Every interval in which one of its tiers' conditions held, over the
    /// product rule on both windows, by start; `bad_events` are its
    /// steps' bad events then.
    pub incidents: Vec<Incident>,
    /// One entry per UTC day of the range.
    pub daily: Vec<JourneyDay>,
}

/// A journey over one UTC day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JourneyDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The product of its steps' SLIs that day; `None` without events.
    pub sli_value: Option<f64>,
}

/// One SLO over the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloReport {
    /// The SLO's name.
    pub name: String,
    /// Its owner, tier and annotations (`runbook`, `dashboard`), from the
    /// spec: `owner`, `tier` and `annotations` in JSON.
    #[serde(flatten)]
    pub ownership: OwnershipStatus,
    /// For an SLO with a calendar period reported over a month or a week
    /// of its own unit: its own period's start in its time zone, RFC 3339
    /// UTC (absent otherwise: the report's range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Its own period's end, with `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Its objective, as a ratio.
    pub objective: f64,
    /// Events over the range, every instance summed.
    pub events: Events,
    /// Good over total; `None` (JSON `null`) when there were no events.
    pub sli_value: Option<f64>,
    /// Whether the SLI reached the objective (a range without events
    /// missed nothing, so it is met).
    pub met: bool,
    /// The error budget of the range's events.
    pub error_budget: ErrorBudget,
    /// Every interval in which a tier's condition held, by start.
    pub incidents: Vec<Incident>,
    /// One entry per UTC day of the range.
    pub daily: Vec<Day>,
    /// The range of the same length just before.
    pub previous: Previous,
    /// How the SLI moved since then.
    pub trend: Trend,
    /// Tighten, keep, or prioritize reliability.
    pub recommendation: Recommendation,
}

/// Event counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Events {
    /// Good events.
    pub good: u64,
    /// Bad events.
    pub bad: u64,
    /// Both.
    pub total: u64,
}

/// The budget of a range: how many bad events the objective allowed among
/// the range's events, and how much of that was used.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorBudget {
    /// `(1 − objective) × total`.
    pub allowed_bad: f64,
    /// `bad / allowed_bad` (0 without events; above 1 when overspent).
    pub consumed_ratio: f64,
    /// `1 − consumed_ratio` (negative when overspent).
    pub remaining_ratio: f64,
}

/// A maximal interval in which one alert's condition held at every
/// evaluation step: a tier's (both of its windows over its burn rate), or
/// a budget alert's (`condition` names it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// The first evaluation at which it held, RFC 3339 UTC.
    pub start: String,
    /// The first evaluation at which it no longer held (the range's end
    /// when it still held then), RFC 3339 UTC.
    pub end: String,
    /// `page` or `ticket`.
    pub severity: String,
    /// The tier's long window, as the rules label it; for a budget alert,
    /// the window it reads (the period, the exhaustion window, or the
    /// no-data span).
    pub long_window: String,
    /// The tier's short window; empty for a budget alert.
    pub short_window: String,
    /// For a budget alert: `remaining_below`, `exhausted_within` or
    /// `no_data`; absent for a tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// The highest burn rate over the long window while it held (for a
    /// budget alert: over the window it reads; for `no_data`, 0).
    pub peak_burn_rate: f64,
    /// Bad events between its start and its end.
    pub bad_events: u64,
}

/// A ratio as the reports write it.
pub(crate) fn percent(ratio: f64) -> String {
    slo_core::format_percent(ratio).to_string()
}

/// An SLI as the reports write it: a percentage, or `no events`.
pub(crate) fn sli(value: Option<f64>) -> String {
    value.map_or_else(|| "no events".to_owned(), percent)
}

impl SloReport {
    /// Its figures as the Markdown and HTML reports show them: objective,
    /// SLI, good, bad and total events, bad events allowed, budget used
    /// and budget left.
    pub(crate) fn figures(&self) -> [String; 8] {
        [
            percent(self.objective),
            sli(self.sli_value),
            self.events.good.to_string(),
            self.events.bad.to_string(),
            self.events.total.to_string(),
            format!("{:.1}", self.error_budget.allowed_bad),
            percent(self.error_budget.consumed_ratio),
            percent(self.error_budget.remaining_ratio),
        ]
    }
}

impl Incident {
    /// Its cells as the Markdown and HTML reports show them: start, end,
    /// severity, windows, peak burn rate and bad events, the words
    /// through `escape`.
    pub(crate) fn cells(&self, escape: impl Fn(&str) -> String) -> [String; 6] {
        [
            escape(&self.start),
            escape(&self.end),
            escape(&self.severity),
            match &self.condition {
                Some(condition) => format!("{} ({})", escape(condition), escape(&self.long_window)),
                None => format!(
                    "{} / {}",
                    escape(&self.long_window),
                    escape(&self.short_window)
                ),
            },
            format!("{:.1}", self.peak_burn_rate),
            self.bad_events.to_string(),
        ]
    }
}

impl Day {
    /// Its cells as the Markdown and HTML reports show them: date, good,
    /// bad and SLI, the date through `escape`.
    pub(crate) fn cells(&self, escape: impl Fn(&str) -> String) -> [String; 4] {
        [
            escape(&self.date),
            self.good.to_string(),
            self.bad.to_string(),
            sli(self.sli_value),
        ]
    }
}

/// One UTC day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Day {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Good events that day.
    pub good: u64,
    /// Bad events that day.
    pub bad: u64,
    /// Good over total; `None` on a day without events.
    pub sli_value: Option<f64>,
}

impl Report {
    /// The report as its JSON, pretty-printed.
    pub fn to_json(&self) -> String {
        // Plain data of strings and finite numbers: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// How many SLOs met their objective.
    pub fn met(&self) -> usize {
        self.slos.iter().filter(|slo| slo.met).count()
    }

    /// The missed SLOs, the most urgent first: ranked by how far over
    /// budget they went (`consumed_ratio − 1`) times their events, with
    /// that score.
    pub fn priorities(&self) -> Vec<(&SloReport, f64)> {
        let mut missed: Vec<(&SloReport, f64)> = self
            .slos
            .iter()
            .filter(|slo| !slo.met)
            .map(|slo| {
                let overspent = (slo.error_budget.consumed_ratio - 1.0).max(0.0);
                (slo, overspent * slo.events.total as f64)
            })
            .collect();
        missed.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.name.cmp(&b.0.name)));
        missed
    }
}

impl SloReport {
    /// The day with the lowest SLI, if any day had events.
    pub fn worst_day(&self) -> Option<&Day> {
        self.daily
            .iter()
            .filter(|day| day.sli_value.is_some())
            .min_by(|a, b| {
                a.sli_value
                    .partial_cmp(&b.sli_value)
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
    }
}
