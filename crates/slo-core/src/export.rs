//! Helpers for `slo`'s own exporters (`slo-prometheus`, `slo-otel`),
//! through `slo_core::__private`; not a stable API: the label values of every SLO's series, the
//! latency bucket bounds of a registry, and the replay of the engine's bucketed latency histograms into instruments that
//! only take samples (`metrics` and OpenTelemetry histograms). Each sync
//! records, for every bucket, as many samples as the bucket gained, at values
//! inside that bucket chosen so that their sum equals the true sum of the new
//! latencies: bucket counts (at the SLO's own bounds) and the sum come out
//! exact, and recording events costs nothing extra.

use std::sync::{Mutex, PoisonError};

use crate::calendar::CalendarPeriod;
use crate::handle::SliHandle;
use crate::registry::Registry;
use crate::spec::DEFAULT_LATENCY_BOUNDS;
use crate::windows::SloWindows;

/// The label values of one SLO's [series](crate::semantics#series), in
/// the order every exporter writes them.
#[derive(Debug, Clone)]
pub struct SeriesLabels {
    /// The SLO's handle, to read its counts from.
    pub handle: SliHandle,
    /// `slo`.
    pub slo: String,
    /// `window` of each `slo_burn_rate` series: the SLO's windows, shortest
    /// first, then the period (the order of the status' `burn_rates`).
    pub windows: Vec<String>,
    /// `severity`, `long_window`, `short_window` of each `slo_alert_firing`
    /// series, one per alert tier (the order of the status' `alerts`).
    pub alerts: Vec<[String; 3]>,
    /// `condition`, `severity` of each `slo_budget_alert_firing` series,
    /// one per budget alert (the order of the status' `budget_alerts`).
    pub budget_alerts: Vec<[String; 2]>,
    /// Whether the SLO has a latency histogram (a latency SLI).
    pub latency: bool,
}

/// The label values of every SLO of `registry`, in spec order.
pub fn series_labels(registry: &Registry) -> Vec<SeriesLabels> {
    registry
        .handles()
        .map(|(definition, handle)| SeriesLabels {
            handle: handle.clone(),
            slo: definition.name().to_owned(),
            windows: window_labels(definition.windows(), definition.calendar()),
            alerts: alert_labels(definition.windows()),
            budget_alerts: definition
                .budget_alerts()
                .iter()
                .map(|condition| {
                    [
                        condition.kind().as_str().to_owned(),
                        condition.severity().as_str().to_owned(),
                    ]
                })
                .collect(),
            latency: handle.latency_threshold().is_some(),
        })
        .collect()
}

/// The label values of one journey's series
/// (`slo_journey_burn_rate`, `slo_journey_error_budget_remaining_ratio`,
/// `slo_journey_alert_firing`), in the order every exporter writes them.
#[derive(Debug, Clone)]
pub struct JourneyLabels {
    /// `journey`.
    pub journey: String,
    /// `window` of each burn-rate series, in the order of the status'
    /// `burn_rates`.
    pub windows: Vec<String>,
    /// `severity`, `long_window`, `short_window` of each alert series,
    /// in the order of the status' `alerts`.
    pub alerts: Vec<[String; 3]>,
}

/// The label values of every journey of `registry`, in spec order.
pub fn journey_labels(registry: &Registry) -> Vec<JourneyLabels> {
    registry
        .spec()
        .journeys()
        .iter()
        .map(|journey| JourneyLabels {
            journey: journey.name().to_owned(),
            windows: window_labels(journey.windows(), journey.calendar()),
            alerts: alert_labels(journey.windows()),
        })
        .collect()
}

/// The `window` labels of `windows`, shortest first, then the period,
/// which a calendar period names by its unit, as `/slo` does.
fn window_labels(windows: &SloWindows, calendar: Option<&CalendarPeriod>) -> Vec<String> {
    let mut labels: Vec<String> = windows.all().iter().map(|w| w.label.clone()).collect();
    if let (Some(calendar), Some(last)) = (calendar, labels.last_mut()) {
        *last = calendar.unit().as_str().to_owned();
    }
    labels
}

/// `severity`, `long_window`, `short_window` of each tier of `windows`.
fn alert_labels(windows: &SloWindows) -> Vec<[String; 3]> {
    windows
        .tiers()
        .iter()
        .map(|tier| {
            [
                tier.severity.as_str().to_owned(),
                tier.long.label.clone(),
                tier.short.label.clone(),
            ]
        })
        .collect()
}

/// The latency bucket bounds (seconds) to configure on an exporter's one
/// histogram for `registry`: the defaults plus every latency threshold,
/// ascending (every SLO's [`Sli::histogram_bounds`](crate::Sli::histogram_bounds)).
pub fn latency_bucket_bounds(registry: &Registry) -> Vec<f64> {
    let mut bounds: Vec<f64> = DEFAULT_LATENCY_BOUNDS.to_vec();
    for (definition, _) in registry.handles() {
        bounds.extend(definition.sli().histogram_bounds());
    }
    bounds.sort_by(f64::total_cmp);
    bounds.dedup();
    bounds
}

/// What a [`HistogramReplay`] last copied of one SLO.
#[derive(Debug, Default, Clone)]
struct Copied {
    counts: Vec<u64>,
    sum: f64,
}

/// Remembers what each SLO's latency histogram held at the last sync, to
/// hand out only the new observations.
#[derive(Debug)]
pub struct HistogramReplay {
    copied: Mutex<Vec<Copied>>,
}

impl HistogramReplay {
    /// Nothing copied yet, for a registry of `slos` SLOs.
    pub fn new(slos: usize) -> HistogramReplay {
        HistogramReplay {
            copied: Mutex::new(vec![Copied::default(); slos]),
        }
    }

    /// The `(value, count)` samples to record for `handle`'s SLO since
    /// the last call (none for availability SLIs). Concurrent calls are
    /// serialized, so no observation is handed out twice.
    pub fn take(&self, handle: &SliHandle) -> Vec<(f64, u64)> {
        let mut copied = self.copied.lock().unwrap_or_else(PoisonError::into_inner);
        let (Some(snapshot), Some(last)) =
            (handle.latency_histogram(), copied.get_mut(handle.index()))
        else {
            return Vec::new();
        };
        let deltas: Vec<u64> = snapshot
            .counts
            .iter()
            .enumerate()
            .map(|(j, n)| n.saturating_sub(last.counts.get(j).copied().unwrap_or(0)))
            .collect();
        let sum = (snapshot.sum_seconds - last.sum).max(0.0);
        last.counts = snapshot.counts;
        last.sum = snapshot.sum_seconds;
        replay_samples(&snapshot.bounds_seconds, &deltas, sum)
    }
}

/// Sample values for new observations: `deltas[j]` new events in bucket `j`
/// (upper bounds `bounds`, the last bucket unbounded), whose latencies sum
/// to `sum`. Returns `(value, count)` per non-empty bucket, each value inside
/// its bucket (greater than the bucket below's bound, at most its own).
pub fn replay_samples(bounds: &[f64], deltas: &[u64], sum: f64) -> Vec<(f64, u64)> {
    let finite = bounds.len().min(deltas.len());
    let lower = |j: usize| if j == 0 { 0.0 } else { bounds[j - 1] };
    let (mut low, mut high) = (0.0, 0.0);
    for (j, &n) in deltas.iter().enumerate().take(finite) {
        low += n as f64 * lower(j);
        high += n as f64 * bounds[j];
    }
    let overflow = deltas.get(finite).copied().unwrap_or(0);
    let last = bounds.last().copied().unwrap_or(0.0);
    // Values strictly above a bucket's lower bound, or they would fall in
    // the bucket below (bounds are inclusive upper bounds).
    let nudge = |x: f64| x + x.abs() * 1e-12 + 1e-15;
    let (fraction, overflow_value) = if overflow == 0 {
        let f = if high > low {
            (sum - low) / (high - low)
        } else {
            1.0
        };
        (f.clamp(0.0, 1.0), 0.0)
    } else {
        // Give the unbounded bucket what the finite ones cannot hold.
        let at_most = (sum - high) / overflow as f64;
        if at_most > last {
            (1.0, at_most)
        } else {
            let v = nudge(last);
            let rest = sum - v * overflow as f64;
            let f = if high > low {
                (rest - low) / (high - low)
            } else {
                1.0
            };
            (f.clamp(0.0, 1.0), v)
        }
    };
    let mut out = Vec::new();
    for (j, &n) in deltas.iter().enumerate() {
        if n == 0 {
            continue;
        }
        let value = if j < finite {
            let lo = lower(j);
            let v = lo + fraction * (bounds[j] - lo);
            if j > 0 && v <= lo {
                nudge(lo).min(bounds[j])
            } else {
                v
            }
        } else {
            overflow_value
        };
        out.push((value, n));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::replay_samples;

    fn bucket_of(bounds: &[f64], value: f64) -> usize {
        bounds.partition_point(|b| *b < value)
    }

    /// Buckets and sum from real samples, replayed: same buckets, same sum.
    #[test]
    fn replayed_samples_keep_buckets_and_sum() {
        let bounds = [
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ];
        let mut seed = 7u64;
        for case in 0..2000 {
            let mut deltas = vec![0u64; bounds.len() + 1];
            let mut sum = 0.0;
            let n = 1 + case % 40;
            for _ in 0..n {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = (seed >> 11) as f64 / (1u64 << 53) as f64;
                // Mostly fast, sometimes exactly on a bound, sometimes huge.
                let value = match case % 5 {
                    0 => r * 0.2,
                    1 => bounds[(seed as usize) % bounds.len()],
                    2 => r * 30.0,
                    3 => 0.0,
                    _ => r.powi(4) * 12.0,
                };
                deltas[bucket_of(&bounds, value)] += 1;
                sum += value;
            }
            let replay = replay_samples(&bounds, &deltas, sum);
            let mut got = vec![0u64; bounds.len() + 1];
            let mut got_sum = 0.0;
            for (value, count) in &replay {
                got[bucket_of(&bounds, *value)] += count;
                got_sum += value * *count as f64;
            }
            assert_eq!(got, deltas, "case {case}: {replay:?}");
            assert!(
                (got_sum - sum).abs() <= 1e-9 * sum.max(1.0),
                "case {case}: {got_sum} vs {sum}"
            );
        }
    }
}
