//! [`OtelBridge`]: a registry's SLO series on an OpenTelemetry `Meter`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use opentelemetry::KeyValue;
use opentelemetry::metrics::{
    AsyncInstrument, Histogram, Meter, ObservableCounter, ObservableGauge,
};
use slo_core::__private::{HistogramReplay, latency_bucket_bounds, series_labels};

use slo_core::reasons::BadReason;
use slo_core::status::AlertStatus;
use slo_core::{EventTotals, Exclusion, Registry, ServiceStatus, SliHandle, SloStatus, Timestamp};

/// OpenTelemetry instrument names ([series](slo_core::semantics#series)).
pub mod names {
    /// Classified events, attributes `slo`, `outcome`.
    pub const EVENTS: &str = "slo.events";
    /// Events left out of the SLI, attributes `slo`, `reason`.
    pub const EXCLUDED: &str = "slo.events.excluded";
    /// Bad events by reason, attributes `slo`, `reason`; they sum to the
    /// events with `outcome` `bad`.
    pub const BAD_EVENTS: &str = "slo.events.bad";
    /// Latency of latency SLIs, seconds, attribute `slo`.
    pub const LATENCY: &str = "slo.latency";
    /// The objective, attribute `slo`.
    pub const OBJECTIVE: &str = "slo.objective";
    /// The period, seconds, attribute `slo`.
    pub const PERIOD: &str = "slo.period";
    /// Live burn rate, attributes `slo`, `window`.
    pub const BURN_RATE: &str = "slo.burn_rate";
    /// Live error budget remaining, attribute `slo`.
    pub const BUDGET_REMAINING: &str = "slo.error_budget.remaining";
    /// Alert tier firing (0/1), attributes `slo`, `severity`, `long_window`, `short_window`.
    pub const ALERT_FIRING: &str = "slo.alert.firing";
    /// How much of the period this process has seen, attribute `slo`.
    pub const COVERAGE: &str = "slo.window.coverage";
    /// Budget alert firing (0/1), attributes `slo`, `condition`, `severity`.
    pub const BUDGET_ALERT_FIRING: &str = "slo.budget_alert.firing";
    /// A journey's live burn rate, attributes `journey`, `window`.
    pub const JOURNEY_BURN_RATE: &str = "slo.journey.burn_rate";
    /// A journey's live error budget remaining, attribute `journey`.
    pub const JOURNEY_BUDGET_REMAINING: &str = "slo.journey.error_budget.remaining";
    /// A journey's alert tier firing (0/1), attributes `journey`,
    /// `severity`, `long_window`, `short_window`.
    pub const JOURNEY_ALERT_FIRING: &str = "slo.journey.alert.firing";
}

/// The attributes of each SLO, built once.
struct Attributes {
    handle: SliHandle,
    slo: KeyValue,
    good: [KeyValue; 2],
    bad: [KeyValue; 2],
    /// Per reason, in [`Exclusion::ALL`]'s order.
    excluded: Vec<(Exclusion, [KeyValue; 2])>,
    /// Per reason, in [`BadReason::ALL`]'s order.
    bad_reasons: Vec<[KeyValue; 2]>,
    /// Per window, in policy order.
    windows: Vec<[KeyValue; 2]>,
    /// Per tier, in the order of the SLO's tiers.
    tiers: Vec<[KeyValue; 4]>,
    /// Per budget alert, in the SLO's order.
    budget_alerts: Vec<[KeyValue; 3]>,
}

pub(crate) struct Inner {
    registry: Registry,
    attributes: Vec<Attributes>,
    /// Each journey's attributes, in spec order.
    pub(crate) journeys: Vec<crate::journeys::JourneyAttributes>,
    latency: Histogram<f64>,
    replay: HistogramReplay,
    /// The last status computed and the registry instant it was for: one
    /// collection calls six gauge callbacks back to back, and they share one
    /// status instead of computing it six times.
    recent: Mutex<Option<(Timestamp, Arc<ServiceStatus>)>>,
    /// Every SLO's counts, read once for the counters of one collection.
    counts: Mutex<Option<(Timestamp, Arc<Vec<EventTotals>>)>>,
}

/// How long a computed status serves further gauge callbacks.
const STATUS_REUSE: Duration = Duration::from_millis(100);

impl Inner {
    /// The registry's status, reused for callbacks within [`STATUS_REUSE`]
    /// (on the registry's clock) of the one that computed it.
    pub(crate) fn status(&self) -> Arc<ServiceStatus> {
        reused(&self.recent, self.registry.clock().now(), || {
            self.registry.status()
        })
    }

    /// Every SLO's counts, read now and kept for [`Inner::counts`]: the
    /// events' callback, which the SDK runs first in a collection (it was
    /// registered first), so that a collection never reports old counts.
    fn fresh_counts(&self) -> Arc<Vec<EventTotals>> {
        let counts: Arc<Vec<EventTotals>> =
            Arc::new(self.attributes.iter().map(|a| a.handle.totals()).collect());
        *self.counts.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((self.registry.clock().now(), Arc::clone(&counts)));
        counts
    }

    /// The counts the events' callback just read (a fresh read when it
    /// did not, within [`STATUS_REUSE`]): the events, exclusions and bad
    /// reasons of one collection are one read, so that the reasons sum to
    /// the bad events.
    fn counts(&self) -> Arc<Vec<EventTotals>> {
        reused(&self.counts, self.registry.clock().now(), || {
            self.attributes.iter().map(|a| a.handle.totals()).collect()
        })
    }
}

/// What `slot` holds when it was computed within [`STATUS_REUSE`] before
/// `now`, else `compute`'s value, kept there.
fn reused<T>(
    slot: &Mutex<Option<(Timestamp, Arc<T>)>>,
    now: Timestamp,
    compute: impl FnOnce() -> T,
) -> Arc<T> {
    let mut kept = slot.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((at, value)) = &*kept
        && now >= *at
        && now.saturating_duration_since(*at) < STATUS_REUSE
    {
        return Arc::clone(value);
    }
    let value = Arc::new(compute());
    *kept = Some((now, Arc::clone(&value)));
    value
}

/// Exports a [`Registry`]'s SLOs on an OpenTelemetry `Meter`. Keep it (and
/// the provider) alive as long as the export should run; cheap to clone.
///
/// ```
/// use opentelemetry::metrics::MeterProvider;
/// use slo_core::{Registry, SloDefinition, Spec};
/// let registry = Registry::new(Spec::builder("shop")
///     .slo(SloDefinition::builder("checkout").objective(0.999))
///     .build()?);
/// let provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder().build();
/// let bridge = slo_otel::OtelBridge::register(&registry, &provider.meter("slo"));
/// bridge.sync(); // from the ticker, so the latency histogram follows
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct OtelBridge {
    inner: Arc<Inner>,
    // The observable instruments live as long as the bridge; their
    // callbacks are registered once, here.
    _observers: Arc<Observers>,
}

/// The observable instruments, kept alive with the bridge.
struct Observers {
    _counters: Vec<ObservableCounter<u64>>,
    _gauges: Vec<ObservableGauge<f64>>,
}

/// What a gauge's callback observes, from the bridge and one status.
type Read = dyn Fn(&Inner, &ServiceStatus, &dyn AsyncInstrument<f64>) + Send + Sync;

/// A gauge with one value per SLO, `value` of its status, attribute `slo`.
fn per_slo(value: fn(&SloStatus) -> f64) -> Box<Read> {
    Box::new(move |inner, status, o| {
        for (a, s) in inner.attributes.iter().zip(&status.slos) {
            o.observe(value(s), std::slice::from_ref(&a.slo));
        }
    })
}

/// A gauge with one value per part of each SLO (a window, a tier): the
/// `values` of its status beside the `parts`' attributes, in order; a part
/// without a finite value is not observed.
fn per_part<const N: usize>(
    parts: fn(&Attributes) -> &[[KeyValue; N]],
    values: fn(&SloStatus) -> Vec<Option<f64>>,
) -> Box<Read> {
    Box::new(move |inner, status, o| {
        for (a, s) in inner.attributes.iter().zip(&status.slos) {
            for (attrs, value) in parts(a).iter().zip(values(s)) {
                if let Some(value) = value.filter(|v| v.is_finite()) {
                    o.observe(value, attrs);
                }
            }
        }
    })
}

/// Runs `f`, swallowing a panic: a callback that panics would stop the
/// reader's exports for good.
pub(crate) fn guarded(f: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(f));
}

impl OtelBridge {
    /// Creates the instruments on `meter` and registers their callbacks.
    pub fn register(registry: &Registry, meter: &Meter) -> OtelBridge {
        let attributes: Vec<Attributes> = series_labels(registry)
            .into_iter()
            .map(|labels| {
                let slo = KeyValue::new("slo", labels.slo);
                Attributes {
                    handle: labels.handle,
                    good: [slo.clone(), KeyValue::new("outcome", "good")],
                    bad: [slo.clone(), KeyValue::new("outcome", "bad")],
                    excluded: Exclusion::ALL
                        .iter()
                        .map(|&reason| {
                            (
                                reason,
                                [slo.clone(), KeyValue::new("reason", reason.as_str())],
                            )
                        })
                        .collect(),
                    bad_reasons: BadReason::ALL
                        .iter()
                        .map(|reason| [slo.clone(), KeyValue::new("reason", reason.as_str())])
                        .collect(),
                    windows: labels
                        .windows
                        .into_iter()
                        .map(|window| [slo.clone(), KeyValue::new("window", window)])
                        .collect(),
                    tiers: labels
                        .alerts
                        .into_iter()
                        .map(|[severity, long, short]| {
                            [
                                slo.clone(),
                                KeyValue::new("severity", severity),
                                KeyValue::new("long_window", long),
                                KeyValue::new("short_window", short),
                            ]
                        })
                        .collect(),
                    budget_alerts: labels
                        .budget_alerts
                        .into_iter()
                        .map(|[condition, severity]| {
                            [
                                slo.clone(),
                                KeyValue::new("condition", condition),
                                KeyValue::new("severity", severity),
                            ]
                        })
                        .collect(),
                    slo,
                }
            })
            .collect();
        let latency = meter
            .f64_histogram(names::LATENCY)
            .with_unit("s")
            .with_description(
                "Latency of the events of latency SLOs; every SLO threshold is a bucket bound.",
            )
            .with_boundaries(latency_bucket_bounds(registry))
            .build();
        let inner = Arc::new(Inner {
            registry: registry.clone(),
            replay: HistogramReplay::new(attributes.len()),
            attributes,
            journeys: crate::journeys::attributes(registry),
            latency,
            recent: Mutex::new(None),
            counts: Mutex::new(None),
        });

        let counters = vec![
            {
                let inner = Arc::clone(&inner);
                meter
                    .u64_observable_counter(names::EVENTS)
                    .with_description("Events classified for each SLO, by outcome.")
                    .with_callback(move |observer| guarded(|| observe_events(&inner, observer)))
                    .build()
            },
            {
                let inner = Arc::clone(&inner);
                meter
                    .u64_observable_counter(names::EXCLUDED)
                    .with_description("Events left out of an SLO's SLI, by reason.")
                    .with_callback(move |observer| {
                        guarded(|| {
                            let counts = inner.counts();
                            for (a, totals) in inner.attributes.iter().zip(counts.iter()) {
                                for (reason, attributes) in &a.excluded {
                                    observer.observe(totals.excluded_for(*reason), attributes);
                                }
                            }
                        })
                    })
                    .build()
            },
            {
                let inner = Arc::clone(&inner);
                meter
                    .u64_observable_counter(names::BAD_EVENTS)
                    .with_description(
                        "Bad events of each SLO, by reason; they sum to its bad events.",
                    )
                    .with_callback(move |observer| {
                        guarded(|| {
                            let counts = inner.counts();
                            for (a, totals) in inner.attributes.iter().zip(counts.iter()) {
                                for (attributes, (_, count)) in
                                    a.bad_reasons.iter().zip(totals.bad_reasons.iter())
                                {
                                    observer.observe(count, attributes);
                                }
                            }
                        })
                    })
                    .build()
            },
        ];
        let gauge = |name: &'static str,
                     unit: Option<&'static str>,
                     help: &'static str,
                     read: Box<Read>| {
            let inner = Arc::clone(&inner);
            let builder = meter.f64_observable_gauge(name).with_description(help);
            let builder = match unit {
                Some(unit) => builder.with_unit(unit),
                None => builder,
            };
            builder
                .with_callback(move |observer| guarded(|| read(&inner, &inner.status(), observer)))
                .build()
        };
        let gauges = vec![
            gauge(
                names::OBJECTIVE,
                None,
                "The SLO's objective, as a ratio.",
                per_slo(|s| s.objective),
            ),
            gauge(
                names::PERIOD,
                Some("s"),
                "The SLO's rolling period.",
                per_slo(|s| s.period_seconds),
            ),
            gauge(
                names::BUDGET_REMAINING,
                None,
                "Live error budget remaining over the period.",
                per_slo(|s| s.error_budget.remaining_ratio),
            ),
            gauge(
                names::COVERAGE,
                None,
                "How much of the SLO's period this process has seen.",
                per_slo(|s| s.coverage_ratio),
            ),
            gauge(
                names::BURN_RATE,
                None,
                "Live burn rate over each window (not observed for a window without events).",
                per_part(
                    |a| &a.windows,
                    |s| s.burn_rates.0.iter().map(|(_, rate)| *rate).collect(),
                ),
            ),
            gauge(
                names::ALERT_FIRING,
                None,
                "1 when the burn-rate alert tier fires in-process, else 0.",
                per_part(
                    |a| &a.tiers,
                    |s| {
                        let firing = |alert: &AlertStatus| if alert.firing { 1.0 } else { 0.0 };
                        s.alerts.iter().map(|alert| Some(firing(alert))).collect()
                    },
                ),
            ),
            gauge(
                names::BUDGET_ALERT_FIRING,
                None,
                "1 when the budget alert (remaining_below, exhausted_within or no_data) fires in-process, else 0.",
                per_part(
                    |a| &a.budget_alerts,
                    |s| {
                        s.budget_alerts
                            .iter()
                            .map(|alert| Some(if alert.firing { 1.0 } else { 0.0 }))
                            .collect()
                    },
                ),
            ),
        ];
        let gauges = gauges
            .into_iter()
            .chain(crate::journeys::gauges(&inner, meter))
            .collect();
        OtelBridge {
            inner,
            _observers: Arc::new(Observers {
                _counters: counters,
                _gauges: gauges,
            }),
        }
    }

    /// Replays the latency observations since the last sync into the
    /// `slo.latency` histogram. Call it from the ticker and before a flush.
    pub fn sync(&self) {
        let inner = &*self.inner;
        for a in &inner.attributes {
            for (value, count) in inner.replay.take(&a.handle) {
                for _ in 0..count {
                    inner.latency.record(value, std::slice::from_ref(&a.slo));
                }
            }
        }
    }

    /// The registry this bridge exports.
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }
}

fn observe_events(inner: &Inner, observer: &dyn AsyncInstrument<u64>) {
    let counts = inner.fresh_counts();
    for (a, totals) in inner.attributes.iter().zip(counts.iter()) {
        observer.observe(totals.good, &a.good);
        observer.observe(totals.bad, &a.bad);
    }
}

impl std::fmt::Debug for OtelBridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtelBridge")
            .field("slos", &self.inner.attributes.len())
            .finish_non_exhaustive()
    }
}
