//! What `slo suggest` answers: per SLO proposed, what was achieved, the
//! objective suggested, what its alert tiers would have fired (and the
//! spec's current objective's), and the targets to climb to.

use serde::{Deserialize, Serialize};
use slo_core::status::{EventCounts, SliStatus};

/// Every SLO proposed for a service over a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestions {
    /// The service the SLOs are for.
    pub service: String,
    /// The range's start, RFC 3339 UTC.
    pub from: String,
    /// The range's end (not included), RFC 3339 UTC.
    pub to: String,
    /// `http` (request metrics of a common convention) or `slo`
    /// (`slo_events_total`).
    pub source: String,
    /// Which convention's metrics were read (`--source http`):
    /// `opentelemetry` or `axum-prometheus`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convention: Option<String>,
    /// The SLOs proposed, busiest route first.
    pub slos: Vec<SuggestedSlo>,
    /// What was read but not proposed, and why (a route over the limit,
    /// one without a template, a latency nobody could bound).
    #[serde(default)]
    pub left_out: Vec<LeftOut>,
}

/// One SLO proposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedSlo {
    /// A valid SLO name, made from the route when there is one.
    pub name: String,
    /// The route it covers, `METHOD /template` as the metrics name it;
    /// `null` for `--source slo`.
    pub route: Option<String>,
    /// The SLI, as `/slo` writes it.
    pub sli: SliStatus,
    /// Events over the range, every instance summed.
    pub events: EventCounts,
    /// Good over total over the range.
    pub achieved: f64,
    /// The objective proposed: the ladder's highest at or under
    /// `achieved` (99% for latency, whose threshold is chosen instead).
    pub suggested_objective: f64,
    /// What the suggested objective's alert tiers would have fired.
    pub backtest: Backtest,
    /// The same for the spec's current objective (with `--spec`, for an
    /// SLO the spec has); `null` otherwise.
    pub current: Option<Backtest>,
    /// Up the ladder to the tier's objective, a step a month.
    pub progressive: Vec<Step>,
}

/// Incidents per severity an objective's tiers would have fired over the
/// range, counted as `slo report` counts them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    /// The objective tested.
    pub objective: f64,
    /// Incidents by severity.
    pub incidents: Incidents,
}

/// Incidents by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incidents {
    /// Paging incidents.
    pub page: u64,
    /// Ticket incidents.
    pub ticket: u64,
}

/// One step of the progressive targets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The objective from then on.
    pub objective: f64,
    /// The month it starts, `YYYY-MM`.
    pub from: String,
}

/// Something read but not proposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeftOut {
    /// The route (or SLO name) as the metrics name it.
    pub route: String,
    /// Why.
    pub reason: String,
}

/// An achieved SLI to a thousandth of a percent: 98.98% must not read as
/// the 99% it missed.
pub(crate) fn precise_percent(ratio: f64) -> String {
    let text = format!("{:.3}", ratio * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

impl Suggestions {
    /// The suggestions as pretty JSON.
    pub fn to_json(&self) -> String {
        // Strings, numbers, lists and maps: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
