//! The journeys' gauges on an OpenTelemetry `Meter`: attributes built
//! once, values read from the same status as the SLOs' gauges.

use std::sync::Arc;

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Meter, ObservableGauge};
use slo_core::__private::journey_labels;
use slo_core::Registry;

use crate::bridge::{Inner, guarded, names};

/// The attributes of one journey's gauges.
pub(crate) struct JourneyAttributes {
    journey: KeyValue,
    /// Per window, in the order of its `burn_rates`.
    windows: Vec<[KeyValue; 2]>,
    /// Per alert tier.
    tiers: Vec<[KeyValue; 4]>,
}

/// Every journey's attributes, in spec order.
pub(crate) fn attributes(registry: &Registry) -> Vec<JourneyAttributes> {
    journey_labels(registry)
        .into_iter()
        .map(|labels| {
            let journey = KeyValue::new("journey", labels.journey);
            JourneyAttributes {
                windows: labels
                    .windows
                    .into_iter()
                    .map(|window| [journey.clone(), KeyValue::new("window", window)])
                    .collect(),
                tiers: labels
                    .alerts
                    .into_iter()
                    .map(|[severity, long, short]| {
                        [
                            journey.clone(),
                            KeyValue::new("severity", severity),
                            KeyValue::new("long_window", long),
                            KeyValue::new("short_window", short),
                        ]
                    })
                    .collect(),
                journey,
            }
        })
        .collect()
}

/// The three journey gauges; none when the spec has no journeys.
pub(crate) fn gauges(inner: &Arc<Inner>, meter: &Meter) -> Vec<ObservableGauge<f64>> {
    if inner.journeys.is_empty() {
        return Vec::new();
    }
    let burn = Arc::clone(inner);
    let budget = Arc::clone(inner);
    let alerts = Arc::clone(inner);
    vec![
        meter
            .f64_observable_gauge(names::JOURNEY_BURN_RATE)
            .with_description(
                "Live burn rate of each journey over each window (not observed for a window where no step has events).",
            )
            .with_callback(move |o| {
                guarded(|| {
                    let status = burn.status();
                    for (a, journey) in burn.journeys.iter().zip(&status.journeys) {
                        for (attributes, (_, rate)) in a.windows.iter().zip(&journey.burn_rates.0) {
                            if let Some(rate) = rate.filter(|r| r.is_finite()) {
                                o.observe(rate, attributes);
                            }
                        }
                    }
                })
            })
            .build(),
        meter
            .f64_observable_gauge(names::JOURNEY_BUDGET_REMAINING)
            .with_description("Live error budget remaining of each journey over its period.")
            .with_callback(move |o| {
                guarded(|| {
                    let status = budget.status();
                    for (a, journey) in budget.journeys.iter().zip(&status.journeys) {
                        let remaining = journey.error_budget.remaining_ratio;
                        o.observe(remaining, std::slice::from_ref(&a.journey));
                    }
                })
            })
            .build(),
        meter
            .f64_observable_gauge(names::JOURNEY_ALERT_FIRING)
            .with_description("1 when the journey's burn-rate alert tier fires in-process, else 0.")
            .with_callback(move |o| {
                guarded(|| {
                    let status = alerts.status();
                    for (a, journey) in alerts.journeys.iter().zip(&status.journeys) {
                        for (attributes, alert) in a.tiers.iter().zip(&journey.alerts) {
                            o.observe(if alert.firing { 1.0 } else { 0.0 }, attributes);
                        }
                    }
                })
            })
            .build(),
    ]
}
