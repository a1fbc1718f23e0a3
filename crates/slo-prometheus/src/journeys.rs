//! The journeys' gauges in Prometheus text: label sets built and escaped
//! once, one number per series at a scrape, from the same status as the
//! SLOs' series.

use std::fmt::Write as _;

use slo_core::__private::journey_labels;
use slo_core::Registry;
use slo_core::series as names;
use slo_core::status::JourneyStatus;

use crate::lines::{line, series};

/// The label sets of one journey's series, each `name{labels} ` ready
/// for a value.
pub(crate) struct JourneyLines {
    burn: Vec<String>,
    budget: String,
    alerts: Vec<String>,
}

impl JourneyLines {
    /// Every journey's label sets, with `global` (already escaped) on each.
    pub(crate) fn all(registry: &Registry, global: &str) -> Vec<JourneyLines> {
        journey_labels(registry)
            .iter()
            .map(|labels| {
                let journey = labels.journey.as_str();
                JourneyLines {
                    burn: labels
                        .windows
                        .iter()
                        .map(|window| {
                            series(
                                names::JOURNEY_BURN_RATE,
                                global,
                                &[("journey", journey), ("window", window)],
                            )
                        })
                        .collect(),
                    budget: series(
                        names::JOURNEY_BUDGET_REMAINING,
                        global,
                        &[("journey", journey)],
                    ),
                    alerts: labels
                        .alerts
                        .iter()
                        .map(|[severity, long, short]| {
                            series(
                                names::JOURNEY_ALERT_FIRING,
                                global,
                                &[
                                    ("journey", journey),
                                    ("severity", severity),
                                    ("long_window", long),
                                    ("short_window", short),
                                ],
                            )
                        })
                        .collect(),
                }
            })
            .collect()
    }
}

/// Appends the journeys' families (nothing without journeys), each
/// journey's numbers from `statuses`, in the same order as `lines`.
pub(crate) fn render(
    out: &mut String,
    lines: &[JourneyLines],
    statuses: &[JourneyStatus],
    openmetrics: bool,
) {
    if lines.is_empty() {
        return;
    }
    for (name, help) in names::JOURNEY_HELP {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (lines, journey) in lines.iter().zip(statuses) {
            match name {
                names::JOURNEY_BURN_RATE => {
                    for (prefix, (_, rate)) in lines.burn.iter().zip(&journey.burn_rates.0) {
                        line(out, prefix, rate.unwrap_or(f64::NAN));
                    }
                }
                names::JOURNEY_BUDGET_REMAINING => {
                    line(out, &lines.budget, journey.error_budget.remaining_ratio);
                }
                _ => {
                    for (prefix, alert) in lines.alerts.iter().zip(&journey.alerts) {
                        line(out, prefix, u8::from(alert.firing));
                    }
                }
            }
        }
        if !openmetrics {
            out.push('\n');
        }
    }
}
