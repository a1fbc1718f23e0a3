//! [`PrometheusBridge`]: the [series](slo_core::semantics#series) of a [`Registry`] on a `metrics`
//! recorder. Handles are registered once; [`PrometheusBridge::sync`] copies
//! the engine's counters and live status into them (at scrape time and from
//! the ticker), so recording an event costs exactly what it costs without
//! an exporter.

use std::sync::Arc;

use metrics::{
    Counter, Gauge, Histogram, Key, KeyName, Label, Level, Metadata, Recorder, SharedString, Unit,
};
use slo_core::__private::{HistogramReplay, journey_labels, series_labels};
use slo_core::reasons::BadReason;
use slo_core::{Exclusion, Registry, SliHandle};

use slo_core::series as names;

static METADATA: Metadata<'static> =
    Metadata::new(module_path!(), Level::INFO, Some(module_path!()));

/// The series of one SLO.
struct SloSeries {
    handle: SliHandle,
    good: Counter,
    bad: Counter,
    /// Per reason, in [`Exclusion::ALL`]'s order.
    excluded: Vec<(Exclusion, Counter)>,
    /// Per reason, in [`BadReason::ALL`]'s order.
    bad_reasons: Vec<Counter>,
    latency: Option<Histogram>,
    objective: Gauge,
    period: Gauge,
    budget: Gauge,
    coverage: Gauge,
    /// Per window, in policy order.
    burn: Vec<Gauge>,
    /// Per alert tier, in the order of the SLO's tiers.
    alerts: Vec<Gauge>,
    budget_alerts: Vec<Gauge>,
}

/// The gauges of one journey.
struct JourneySeries {
    /// Per window, in the order of its `burn_rates`.
    burn: Vec<Gauge>,
    budget: Gauge,
    /// Per alert tier.
    alerts: Vec<Gauge>,
}

struct Inner {
    registry: Registry,
    slos: Vec<SloSeries>,
    journeys: Vec<JourneySeries>,
    replay: HistogramReplay,
}

/// Exports a [`Registry`]'s SLOs as the
/// [series](slo_core::semantics#series) through the `metrics` facade.
/// Cheap to clone.
///
/// ```
/// use slo_core::{Registry, SloDefinition, Spec};
/// use slo_prometheus::PrometheusBridge;
/// let registry = Registry::new(Spec::builder("shop")
///     .slo(SloDefinition::builder("checkout").objective(0.999))
///     .build()?);
/// let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
/// let handle = recorder.handle();
/// let bridge = PrometheusBridge::register(&registry, &recorder);
/// registry.handle("checkout")?.record(false);
/// bridge.sync();
/// assert!(handle.render().contains(r#"slo_events_total{slo="checkout",outcome="bad"} 1"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct PrometheusBridge {
    inner: Arc<Inner>,
}

fn label(key: &'static str, value: &str) -> Label {
    Label::new(key, value.to_owned())
}

impl PrometheusBridge {
    /// Registers every series of `registry` on `recorder` (a recorder you
    /// hold, such as the preset's; it need not be the global one).
    pub fn register(registry: &Registry, recorder: &dyn Recorder) -> PrometheusBridge {
        describe(recorder);
        let counter = |name: &'static str, labels: Vec<Label>| {
            recorder.register_counter(&Key::from_parts(name, labels), &METADATA)
        };
        let gauge = |name: &'static str, labels: Vec<Label>| {
            recorder.register_gauge(&Key::from_parts(name, labels), &METADATA)
        };
        let slos = series_labels(registry)
            .iter()
            .map(|labels| {
                let slo = labels.slo.as_str();
                SloSeries {
                    handle: labels.handle.clone(),
                    good: counter(
                        names::EVENTS,
                        vec![label("slo", slo), label("outcome", "good")],
                    ),
                    bad: counter(
                        names::EVENTS,
                        vec![label("slo", slo), label("outcome", "bad")],
                    ),
                    excluded: Exclusion::ALL
                        .iter()
                        .map(|&reason| {
                            (
                                reason,
                                counter(
                                    names::EXCLUDED,
                                    vec![label("slo", slo), label("reason", reason.as_str())],
                                ),
                            )
                        })
                        .collect(),
                    bad_reasons: BadReason::ALL
                        .iter()
                        .map(|reason| {
                            counter(
                                names::BAD_EVENTS,
                                vec![label("slo", slo), label("reason", reason.as_str())],
                            )
                        })
                        .collect(),
                    latency: labels.latency.then(|| {
                        recorder.register_histogram(
                            &Key::from_parts(names::LATENCY, vec![label("slo", slo)]),
                            &METADATA,
                        )
                    }),
                    objective: gauge(names::OBJECTIVE, vec![label("slo", slo)]),
                    period: gauge(names::PERIOD, vec![label("slo", slo)]),
                    budget: gauge(names::BUDGET_REMAINING, vec![label("slo", slo)]),
                    coverage: gauge(names::COVERAGE, vec![label("slo", slo)]),
                    burn: labels
                        .windows
                        .iter()
                        .map(|window| {
                            gauge(
                                names::BURN_RATE,
                                vec![label("slo", slo), label("window", window)],
                            )
                        })
                        .collect(),
                    alerts: labels
                        .alerts
                        .iter()
                        .map(|[severity, long, short]| {
                            gauge(
                                names::ALERT_FIRING,
                                vec![
                                    label("slo", slo),
                                    label("severity", severity),
                                    label("long_window", long),
                                    label("short_window", short),
                                ],
                            )
                        })
                        .collect(),
                    budget_alerts: labels
                        .budget_alerts
                        .iter()
                        .map(|[condition, severity]| {
                            gauge(
                                names::BUDGET_ALERT_FIRING,
                                vec![
                                    label("slo", slo),
                                    label("condition", condition),
                                    label("severity", severity),
                                ],
                            )
                        })
                        .collect(),
                }
            })
            .collect::<Vec<_>>();
        let journeys = journey_labels(registry)
            .iter()
            .map(|labels| {
                let journey = labels.journey.as_str();
                JourneySeries {
                    burn: labels
                        .windows
                        .iter()
                        .map(|window| {
                            gauge(
                                names::JOURNEY_BURN_RATE,
                                vec![label("journey", journey), label("window", window)],
                            )
                        })
                        .collect(),
                    budget: gauge(
                        names::JOURNEY_BUDGET_REMAINING,
                        vec![label("journey", journey)],
                    ),
                    alerts: labels
                        .alerts
                        .iter()
                        .map(|[severity, long, short]| {
                            gauge(
                                names::JOURNEY_ALERT_FIRING,
                                vec![
                                    label("journey", journey),
                                    label("severity", severity),
                                    label("long_window", long),
                                    label("short_window", short),
                                ],
                            )
                        })
                        .collect(),
                }
            })
            .collect();
        let bridge = PrometheusBridge {
            inner: Arc::new(Inner {
                registry: registry.clone(),
                replay: HistogramReplay::new(slos.len()),
                journeys,
                slos,
            }),
        };
        bridge.sync();
        bridge
    }

    /// Registers on the recorder `metrics` would use here: the thread's
    /// local recorder (`metrics::with_local_recorder`), else the global one.
    pub fn register_current(registry: &Registry) -> PrometheusBridge {
        metrics::with_recorder(|recorder| PrometheusBridge::register(registry, recorder))
    }

    /// The registry this bridge exports.
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// Copies the engine's counts and live status into the series. Call it
    /// before rendering (the preset does) and from a timer; concurrent calls
    /// are serialized.
    pub fn sync(&self) {
        let inner = &*self.inner;
        let status = inner.registry.status();
        for (series, slo) in inner.slos.iter().zip(&status.slos) {
            let totals = series.handle.totals();
            series.good.absolute(totals.good);
            series.bad.absolute(totals.bad);
            for (reason, counter) in &series.excluded {
                counter.absolute(totals.excluded_for(*reason));
            }
            for (counter, (_, count)) in series.bad_reasons.iter().zip(totals.bad_reasons.iter()) {
                counter.absolute(count);
            }
            if let Some(histogram) = &series.latency {
                for (value, count) in inner.replay.take(&series.handle) {
                    histogram.record_many(value, usize::try_from(count).unwrap_or(usize::MAX));
                }
            }
            series.objective.set(slo.objective);
            series.period.set(slo.period_seconds);
            series.budget.set(slo.error_budget.remaining_ratio);
            series.coverage.set(slo.coverage_ratio);
            for (gauge, (_, rate)) in series.burn.iter().zip(&slo.burn_rates.0) {
                gauge.set(rate.unwrap_or(f64::NAN));
            }
            for (gauge, alert) in series.alerts.iter().zip(&slo.alerts) {
                gauge.set(if alert.firing { 1.0 } else { 0.0 });
            }
            for (gauge, alert) in series.budget_alerts.iter().zip(&slo.budget_alerts) {
                gauge.set(if alert.firing { 1.0 } else { 0.0 });
            }
        }
        for (series, journey) in inner.journeys.iter().zip(&status.journeys) {
            for (gauge, (_, rate)) in series.burn.iter().zip(&journey.burn_rates.0) {
                gauge.set(rate.unwrap_or(f64::NAN));
            }
            series.budget.set(journey.error_budget.remaining_ratio);
            for (gauge, alert) in series.alerts.iter().zip(&journey.alerts) {
                gauge.set(if alert.firing { 1.0 } else { 0.0 });
            }
        }
    }
}

impl std::fmt::Debug for PrometheusBridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrometheusBridge")
            .field("slos", &self.inner.slos.len())
            .finish_non_exhaustive()
    }
}

fn describe(recorder: &dyn Recorder) {
    for (name, help) in names::JOURNEY_HELP {
        let key = KeyName::from_const_str(name);
        recorder.describe_gauge(key, None, SharedString::const_str(help));
    }
    for (name, help) in names::HELP {
        let key = KeyName::from_const_str(name);
        let help = SharedString::const_str(help);
        match name {
            names::EVENTS | names::EXCLUDED | names::BAD_EVENTS => {
                recorder.describe_counter(key, None, help);
            }
            names::LATENCY => recorder.describe_histogram(key, Some(Unit::Seconds), help),
            _ => recorder.describe_gauge(key, None, help),
        }
    }
}
