//! The SLO series written straight into Prometheus text, from the engine:
//! every label set is built and escaped once, when the exporter is made, so
//! a scrape is the registry's status plus one line copy and one number per
//! series (metrics-exporter-prometheus rebuilds and rehashes every label set
//! at each render, about 1 µs a series: 26 ms for 1,000 SLOs).
//!
//! The numbers are the bridge's: counters and gauges from the same status,
//! and the latency histogram replayed from the engine's buckets into the
//! exporter's bounds (every threshold) exactly as a `metrics` histogram
//! would bucket the replayed samples.

use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};

use slo_core::__private::{HistogramReplay, latency_bucket_bounds, series_labels};
use slo_core::reasons::BadReason;
use slo_core::{EventTotals, Exclusion, Registry, SliHandle};

use crate::journeys::JourneyLines;
use crate::lines::{escape, line, series};
use crate::openmetrics::{Exemplar, Exemplars, counter_family};
use slo_core::series as names;

/// Which text format to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// The Prometheus text format, 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0.0, with exemplars (the caller writes `# EOF`).
    OpenMetrics,
}

/// The label sets of one SLO's series, each `name{labels} ` ready for a value.
struct SloLines {
    handle: SliHandle,
    good: String,
    bad: String,
    /// Per reason, in [`Exclusion::ALL`]'s order.
    excluded: Vec<(Exclusion, String)>,
    /// Per reason, in [`BadReason::ALL`]'s order.
    bad_reasons: Vec<String>,
    objective: String,
    period: String,
    burn: Vec<String>,
    budget: String,
    alerts: Vec<String>,
    budget_alerts: Vec<String>,
    coverage: String,
    /// `…_bucket{…,le="b"} ` per bound, then `+Inf`, `_sum`, `_count`.
    latency: Option<LatencyLines>,
}

struct LatencyLines {
    buckets: Vec<String>,
    infinite: String,
    sum: String,
    count: String,
}

/// What the exported latency histogram of one SLO holds so far.
#[derive(Clone, Default)]
struct Histogram {
    /// Observations per bucket (not cumulative); the last is above every bound.
    counts: Vec<u64>,
    sum: f64,
}

/// The SLO series of a registry as exposition text.
pub(crate) struct SloText {
    registry: Registry,
    slos: Vec<SloLines>,
    journeys: Vec<JourneyLines>,
    bounds: Vec<f64>,
    replay: HistogramReplay,
    histograms: Mutex<Vec<Histogram>>,
}

impl SloText {
    /// Label sets for every series of `registry`, with `global_labels` on each.
    pub(crate) fn new(registry: &Registry, global_labels: &[(String, String)]) -> SloText {
        let global: Vec<String> = global_labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
            .collect();
        let global = global.join(",");
        let bounds = latency_bucket_bounds(registry);
        let slos = series_labels(registry)
            .iter()
            .map(|labels| {
                let slo = labels.slo.as_str();
                let one = |name: &str| series(name, &global, &[("slo", slo)]);
                SloLines {
                    handle: labels.handle.clone(),
                    good: series(names::EVENTS, &global, &[("slo", slo), ("outcome", "good")]),
                    bad: series(names::EVENTS, &global, &[("slo", slo), ("outcome", "bad")]),
                    excluded: Exclusion::ALL
                        .iter()
                        .map(|&reason| {
                            (
                                reason,
                                series(
                                    names::EXCLUDED,
                                    &global,
                                    &[("slo", slo), ("reason", reason.as_str())],
                                ),
                            )
                        })
                        .collect(),
                    bad_reasons: BadReason::ALL
                        .iter()
                        .map(|reason| {
                            series(
                                names::BAD_EVENTS,
                                &global,
                                &[("slo", slo), ("reason", reason.as_str())],
                            )
                        })
                        .collect(),
                    objective: one(names::OBJECTIVE),
                    period: one(names::PERIOD),
                    burn: labels
                        .windows
                        .iter()
                        .map(|window| {
                            series(
                                names::BURN_RATE,
                                &global,
                                &[("slo", slo), ("window", window)],
                            )
                        })
                        .collect(),
                    budget: one(names::BUDGET_REMAINING),
                    alerts: labels
                        .alerts
                        .iter()
                        .map(|[severity, long, short]| {
                            series(
                                names::ALERT_FIRING,
                                &global,
                                &[
                                    ("slo", slo),
                                    ("severity", severity),
                                    ("long_window", long),
                                    ("short_window", short),
                                ],
                            )
                        })
                        .collect(),
                    budget_alerts: labels
                        .budget_alerts
                        .iter()
                        .map(|[condition, severity]| {
                            series(
                                names::BUDGET_ALERT_FIRING,
                                &global,
                                &[
                                    ("slo", slo),
                                    ("condition", condition),
                                    ("severity", severity),
                                ],
                            )
                        })
                        .collect(),
                    coverage: one(names::COVERAGE),
                    latency: labels.latency.then(|| {
                        let bucket = format!("{}_bucket", names::LATENCY);
                        LatencyLines {
                            buckets: bounds
                                .iter()
                                .map(|b| {
                                    series(
                                        &bucket,
                                        &global,
                                        &[("slo", slo), ("le", &b.to_string())],
                                    )
                                })
                                .collect(),
                            infinite: series(&bucket, &global, &[("slo", slo), ("le", "+Inf")]),
                            sum: series(
                                &format!("{}_sum", names::LATENCY),
                                &global,
                                &[("slo", slo)],
                            ),
                            count: series(
                                &format!("{}_count", names::LATENCY),
                                &global,
                                &[("slo", slo)],
                            ),
                        }
                    }),
                }
            })
            .collect::<Vec<_>>();
        let histograms = vec![
            Histogram {
                counts: vec![0; bounds.len() + 1],
                sum: 0.0,
            };
            slos.len()
        ];
        SloText {
            registry: registry.clone(),
            replay: HistogramReplay::new(slos.len()),
            histograms: Mutex::new(histograms),
            journeys: JourneyLines::all(registry, &global),
            bounds,
            slos,
        }
    }

    /// Moves the latency observations recorded since the last sync into the
    /// exported histograms.
    pub(crate) fn sync(&self) {
        let mut histograms = self
            .histograms
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for (lines, histogram) in self.slos.iter().zip(histograms.iter_mut()) {
            if lines.latency.is_none() {
                continue;
            }
            for (value, count) in self.replay.take(&lines.handle) {
                let bucket = self.bounds.partition_point(|bound| *bound < value);
                histogram.counts[bucket] += count;
                histogram.sum += value * count as f64;
            }
        }
    }

    /// Appends every SLO series to `out` in `format`, family by family in
    /// the [series](slo_core::semantics#series) table's order.
    pub(crate) fn render(&self, out: &mut String, format: Format) {
        let status = self.registry.status();
        // Each SLO's counts read once, so that its reasons sum to its bad
        // events in the same scrape.
        let totals: Vec<EventTotals> = self.slos.iter().map(|l| l.handle.totals()).collect();
        let histograms = self
            .histograms
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let openmetrics = format == Format::OpenMetrics;
        // Exemplars only where a scraper can take them, and only from SLOs
        // that keep bad events (reading a ring is a copy of its slots).
        let exemplars: Vec<Exemplars> = self
            .slos
            .iter()
            .map(|lines| {
                if openmetrics && lines.handle.keeps_bad_events() {
                    Exemplars::pick(
                        &lines.handle.recent_bad(),
                        &self.bounds,
                        lines.latency.is_some(),
                    )
                } else {
                    Exemplars::default()
                }
            })
            .collect();
        out.reserve(self.slos.len() * 2_000);
        for (name, help) in names::HELP {
            let kind = match name {
                names::EVENTS | names::EXCLUDED | names::BAD_EVENTS => "counter",
                names::LATENCY => "histogram",
                _ => "gauge",
            };
            if name == names::LATENCY && self.slos.iter().all(|s| s.latency.is_none()) {
                continue;
            }
            if name == names::BUDGET_ALERT_FIRING
                && self.slos.iter().all(|s| s.budget_alerts.is_empty())
            {
                continue;
            }
            let family = if openmetrics && kind == "counter" {
                counter_family(name)
            } else {
                name
            };
            let _ = writeln!(out, "# HELP {family} {help}\n# TYPE {family} {kind}");
            if openmetrics && name.ends_with("_seconds") {
                let _ = writeln!(out, "# UNIT {family} seconds");
            }
            for (index, (lines, slo)) in self.slos.iter().zip(&status.slos).enumerate() {
                let exemplars = &exemplars[index];
                match name {
                    names::EVENTS => {
                        let totals = &totals[index];
                        line(out, &lines.good, totals.good);
                        line_with(out, &lines.bad, totals.bad, exemplars.bad.as_ref());
                    }
                    names::EXCLUDED => {
                        let totals = &totals[index];
                        for (reason, prefix) in &lines.excluded {
                            line(out, prefix, totals.excluded_for(*reason));
                        }
                    }
                    names::BAD_EVENTS => {
                        for (prefix, (_, count)) in lines
                            .bad_reasons
                            .iter()
                            .zip(totals[index].bad_reasons.iter())
                        {
                            line(out, prefix, count);
                        }
                    }
                    names::LATENCY => {
                        if let (Some(latency), Some(histogram)) =
                            (&lines.latency, histograms.get(index))
                        {
                            let mut cumulative = 0;
                            for (bucket, (prefix, count)) in
                                latency.buckets.iter().zip(&histogram.counts).enumerate()
                            {
                                cumulative += count;
                                let exemplar =
                                    exemplars.buckets.get(bucket).and_then(Option::as_ref);
                                line_with(out, prefix, cumulative, exemplar);
                            }
                            let total: u64 = histogram.counts.iter().sum();
                            let above = exemplars.buckets.last().and_then(Option::as_ref);
                            line_with(out, &latency.infinite, total, above);
                            line(out, &latency.sum, histogram.sum);
                            line(out, &latency.count, total);
                        }
                    }
                    names::OBJECTIVE => line(out, &lines.objective, slo.objective),
                    names::PERIOD => line(out, &lines.period, slo.period_seconds),
                    names::BURN_RATE => {
                        for (prefix, (_, rate)) in lines.burn.iter().zip(&slo.burn_rates.0) {
                            line(out, prefix, rate.unwrap_or(f64::NAN));
                        }
                    }
                    names::BUDGET_REMAINING => {
                        line(out, &lines.budget, slo.error_budget.remaining_ratio);
                    }
                    names::ALERT_FIRING => {
                        for (prefix, alert) in lines.alerts.iter().zip(&slo.alerts) {
                            line(out, prefix, if alert.firing { 1 } else { 0 });
                        }
                    }
                    names::BUDGET_ALERT_FIRING => {
                        for (prefix, alert) in lines.budget_alerts.iter().zip(&slo.budget_alerts) {
                            line(out, prefix, if alert.firing { 1 } else { 0 });
                        }
                    }
                    _ => line(out, &lines.coverage, slo.coverage_ratio),
                }
            }
            if !openmetrics {
                out.push('\n');
            }
        }
        crate::journeys::render(out, &self.journeys, &status.journeys, openmetrics);
    }
}

/// `prefix value`, then the exemplar if any, then a line break.
fn line_with(
    out: &mut String,
    prefix: &str,
    value: impl std::fmt::Display,
    exemplar: Option<&Exemplar>,
) {
    out.push_str(prefix);
    let _ = write!(out, "{value}");
    if let Some(exemplar) = exemplar {
        exemplar.write(out);
    }
    out.push('\n');
}
