//! Export failures, reported without flooding: the first failure is logged
//! at once (`tracing`, target `slo_otel`, level WARN), later ones at most
//! once per interval with the count of those not logged, and a recovery
//! once (INFO). A collector that is down for a day costs a line a minute.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;

#[derive(Debug, Default)]
struct State {
    last_logged: Option<Instant>,
    /// Failures since the last line logged.
    unlogged: u64,
    /// Failures since the last success.
    failing: u64,
}

/// Rate-limited reports of one pipeline's export results.
#[derive(Debug)]
pub(crate) struct Reporter {
    endpoint: String,
    every: Duration,
    state: Mutex<State>,
}

impl Reporter {
    pub fn new(endpoint: String, every: Duration) -> Arc<Reporter> {
        Arc::new(Reporter {
            endpoint,
            every,
            state: Mutex::new(State::default()),
        })
    }

    pub fn observe(&self, result: &OTelSdkResult) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match result {
            Ok(()) => {
                if state.failing > 0 {
                    tracing::info!(
                        target: "slo_otel",
                        endpoint = %self.endpoint,
                        failures = state.failing,
                        "OTLP export recovered; cumulative counts carry what the failed exports held"
                    );
                }
                *state = State::default();
            }
            Err(error) => {
                state.failing += 1;
                state.unlogged += 1;
                let due = state
                    .last_logged
                    .is_none_or(|at| at.elapsed() >= self.every);
                if due {
                    tracing::warn!(
                        target: "slo_otel",
                        endpoint = %self.endpoint,
                        error = %error,
                        failures = state.unlogged,
                        "OTLP export failed"
                    );
                    state.last_logged = Some(Instant::now());
                    state.unlogged = 0;
                }
            }
        }
    }
}

/// An exporter that reports its results to a [`Reporter`].
#[derive(Debug)]
pub(crate) struct Reporting<E> {
    pub inner: E,
    pub reporter: Arc<Reporter>,
}

impl<E: PushMetricExporter> PushMetricExporter for Reporting<E> {
    fn export(
        &self,
        metrics: &ResourceMetrics,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        let export = self.inner.export(metrics);
        let reporter = Arc::clone(&self.reporter);
        async move {
            let result = export.await;
            reporter.observe(&result);
            result
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn temporality(&self) -> Temporality {
        self.inner.temporality()
    }
}
