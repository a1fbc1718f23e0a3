//! The alerts as Alertmanager's API v2 takes them (`POST /api/v2/alerts`,
//! a JSON list of `{labels, annotations, startsAt, endsAt, generatorURL}`),
//! with exactly the labels of the `ALERTS` series the generated Prometheus
//! rules produce, so that routing, grouping, inhibition and silences treat
//! in-process and fleet alerts alike.

use std::collections::BTreeMap;

use serde::Serialize;
use slo_core::Timestamp;
use slo_core::alerts::{Alert, AlertKind};
use slo_core::series::sloth_id;
use slo_core::spec::{BudgetCondition, Ownership};
use slo_core::{format_duration, format_percent};

/// Labels the notifier sets itself; a static label may not replace them.
/// (A static `owner` or `tier` is a default: the spec's, when it names
/// one, wins.)
pub(crate) const OWN_LABELS: [&str; 11] = [
    "alertname",
    "condition",
    "slo",
    "journey",
    "severity",
    "sloth_severity",
    "long_window",
    "short_window",
    "sloth_id",
    "sloth_service",
    "sloth_slo",
];

/// One alert in Alertmanager's API v2 shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PostableAlert {
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    #[serde(rename = "startsAt")]
    pub starts_at: String,
    #[serde(rename = "endsAt")]
    pub ends_at: String,
    #[serde(rename = "generatorURL", skip_serializing_if = "Option::is_none")]
    pub generator_url: Option<String>,
}

/// What an alert's text says besides its identity.
pub(crate) struct Numbers {
    pub long_burn_rate: Option<f64>,
    pub short_burn_rate: Option<f64>,
    pub budget_remaining: f64,
}

/// The labels of `alert` of `service`, plus the static ones.
pub(crate) fn labels(
    service: &str,
    alert: &Alert,
    ownership: Option<&Ownership>,
    extra: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut labels = extra.clone();
    // The spec's `owner` and `tier`, as the generated rules add them.
    for (name, value) in ownership.into_iter().flat_map(Ownership::alert_labels) {
        labels.insert(name.to_owned(), value.to_owned());
    }
    let severity = alert.severity.as_str().to_owned();
    if let Some(condition) = alert.kind.condition() {
        labels.insert("condition".into(), condition.as_str().into());
    }
    labels.insert("alertname".into(), alert.kind.alert_name().into());
    labels.insert("severity".into(), severity.clone());
    labels.insert("sloth_severity".into(), severity);
    if let (Some(long), Some(short)) = (&alert.long_window, &alert.short_window) {
        labels.insert("long_window".into(), long.clone());
        labels.insert("short_window".into(), short.clone());
    }
    labels.insert("sloth_service".into(), service.to_owned());
    // A journey's alert names its journey, as the generated rules do.
    if matches!(alert.kind, AlertKind::JourneyBurn { .. }) {
        labels.insert("journey".into(), alert.slo.clone());
        return labels;
    }
    labels.insert("slo".into(), alert.slo.clone());
    labels.insert("sloth_id".into(), sloth_id(service, &alert.slo));
    labels.insert("sloth_slo".into(), alert.slo.clone());
    labels
}

/// `summary` and `description`: the generated rules' sentences, with the
/// burn rates of both windows now. Alertmanager puts annotations into its
/// templates as data, never as template text, so a description with
/// `{{ … }}` in it arrives as written.
pub(crate) fn annotations(
    service: &str,
    alert: &Alert,
    ownership: Option<&Ownership>,
    objective: f64,
    description: Option<&str>,
    numbers: &Numbers,
) -> BTreeMap<String, String> {
    let mut annotations = text_annotations(service, alert, objective, description, numbers);
    // `runbook_url` and `dashboard_url`, as the generated rules add them.
    if let Some(ownership) = ownership {
        for (name, url) in ownership.alert_annotations() {
            annotations.insert(name.to_owned(), url.to_owned());
        }
    }
    annotations
}

/// `summary` and `description`.
fn text_annotations(
    service: &str,
    alert: &Alert,
    objective: f64,
    description: Option<&str>,
    numbers: &Numbers,
) -> BTreeMap<String, String> {
    let rate = |r: Option<f64>| r.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}"));
    let budget = slo_core::format_percent(numbers.budget_remaining);
    let objective = slo_core::format_percent(objective);
    if let Some(condition) = &alert.condition {
        let (summary, detail) =
            budget_text(service, alert, condition, &objective.to_string(), numbers);
        return text(summary, detail, description);
    }
    let (summary, detail) = match (&alert.kind, &alert.long_window, &alert.short_window) {
        (
            kind @ (AlertKind::Burn { .. } | AlertKind::JourneyBurn { .. }),
            Some(long),
            Some(short),
        ) => {
            let threshold = alert.burn_rate_threshold.unwrap_or(0.0);
            let what = match kind {
                AlertKind::JourneyBurn { .. } => "journey ",
                _ => "",
            };
            (
                format!(
                    "{service} {what}{} is burning its error budget {threshold}x too fast ({long} and {short} windows)",
                    alert.slo
                ),
                format!(
                    "Burn rate {} over the last {long} and {} over the last {short}, both above {threshold} (objective {objective} over {}); {budget} of the budget left.",
                    rate(numbers.long_burn_rate),
                    rate(numbers.short_burn_rate),
                    alert.period
                ),
            )
        }
        _ => (
            format!(
                "{service} {} has spent its error budget for the last {}",
                alert.slo, alert.period
            ),
            format!(
                "Burn rate {} over the last {} (objective {objective}); {budget} of the budget left.",
                rate(numbers.long_burn_rate),
                alert.period
            ),
        ),
    };
    text(summary, detail, description)
}

/// A budget alert's sentences, the generated rules' words.
fn budget_text(
    service: &str,
    alert: &Alert,
    condition: &BudgetCondition,
    objective: &str,
    numbers: &Numbers,
) -> (String, String) {
    let slo = &alert.slo;
    let budget = format_percent(numbers.budget_remaining);
    let rate = numbers
        .long_burn_rate
        .map_or_else(|| "-".to_owned(), |r| format!("{r:.2}"));
    match *condition {
        BudgetCondition::RemainingBelow(share) => (
            format!(
                "{service} {slo} has {} or less of its error budget left",
                format_percent(share)
            ),
            format!(
                "{budget} of the error budget over {} is left (objective {objective}).",
                alert.period
            ),
        ),
        BudgetCondition::ExhaustedWithin(within) => (
            format!(
                "{service} {slo} will spend its error budget within {}",
                format_duration(within)
            ),
            format!(
                "At burn rate {rate}, the {budget} of the budget left over {} runs out within {} (objective {objective}).",
                alert.period,
                format_duration(within)
            ),
        ),
        BudgetCondition::NoData(quiet) => (
            format!(
                "{service} {slo} recorded no events for {}",
                format_duration(quiet)
            ),
            format!(
                "No event, good, bad or excluded, was recorded for {}: traffic stopped, or the service no longer measures this SLO.",
                format_duration(quiet)
            ),
        ),
    }
}

/// `summary` and `description`, the SLO's own description first.
fn text(summary: String, detail: String, description: Option<&str>) -> BTreeMap<String, String> {
    let description = match description {
        Some(text) => format!("{text}\n{detail}"),
        None => detail,
    };
    BTreeMap::from([
        ("summary".to_owned(), summary),
        ("description".to_owned(), description),
    ])
}

/// RFC 3339 in UTC, as Alertmanager reads it.
pub(crate) fn time(at: Timestamp) -> String {
    at.to_string()
}
