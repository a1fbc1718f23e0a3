//! [`PrometheusExporter`]: the SLO series as Prometheus text, written
//! straight from the engine, followed by a metrics-exporter-prometheus
//! recorder of its own for the application's metrics (install it if you
//! want them on the same `/metrics`), upkeep, and a `/metrics` endpoint for
//! the service's own router. It spawns no listener and installs no global
//! recorder behind the user's back.

use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use metrics_exporter_prometheus::{
    BuildError, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use slo_core::Registry;
use slo_http::read_only;

use crate::openmetrics::{self, append_as_openmetrics, wants_openmetrics};
use crate::text::{Format, SloText};

/// The SLO series of a registry and a recorder for the application's own
/// metrics, rendered together as `/metrics`.
///
/// ```
/// use slo_core::{Registry, SloDefinition, Spec};
/// use slo_prometheus::PrometheusExporter;
/// let registry = Registry::new(Spec::builder("shop")
///     .slo(SloDefinition::builder("checkout").objective(0.999))
///     .build()?);
/// let exporter = PrometheusExporter::new(&registry)?;
/// registry.handle("checkout")?.record(true);
/// assert!(exporter.render().contains(r#"slo_events_total{slo="checkout",outcome="good"} 1"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct PrometheusExporter {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
    slos: Arc<SloText>,
}

impl PrometheusExporter {
    /// The SLO series of `registry`, and a fresh recorder for the
    /// application's metrics.
    pub fn new(registry: &Registry) -> Result<PrometheusExporter, BuildError> {
        PrometheusExporter::with_builder(registry, PrometheusBuilder::new())
    }

    /// The same with the application's recorder built from your builder
    /// (its buckets, quantiles and global labels apply to your metrics; the
    /// SLO series carry the labels of their
    /// [series](slo_core::semantics#series) only, and the scraper adds
    /// `job` and `instance`).
    pub fn with_builder(
        registry: &Registry,
        builder: PrometheusBuilder,
    ) -> Result<PrometheusExporter, BuildError> {
        let recorder = Arc::new(builder.build_recorder());
        let handle = recorder.handle();
        Ok(PrometheusExporter {
            recorder,
            handle,
            slos: Arc::new(SloText::new(registry, &[])),
        })
    }

    /// The recorder for the application's own metrics. To put them in the
    /// same output, install it: `metrics::set_global_recorder(exporter.recorder())`
    /// (only if no other recorder is installed; otherwise keep both apart,
    /// or put the SLO series on yours with [`crate::PrometheusBridge`]).
    pub fn recorder(&self) -> Arc<PrometheusRecorder> {
        Arc::clone(&self.recorder)
    }

    /// Moves new latency observations into the exported histograms and runs
    /// the recorder's upkeep (metrics-exporter-prometheus keeps each
    /// histogram sample until upkeep). Call it from the ticker:
    /// `Ticker::spawn_with(&registry, interval, move || exporter.sync())`.
    pub fn sync(&self) {
        self.slos.sync();
        self.handle.run_upkeep();
    }

    /// Syncs, then renders the exposition text.
    pub fn render(&self) -> String {
        self.sync();
        self.render_synced()
    }

    /// Renders the exposition text: the SLO counters and gauges as they
    /// are now, the latency histograms as of the last sync, then the
    /// application's metrics.
    pub fn render_synced(&self) -> String {
        let mut out = String::new();
        self.slos.render(&mut out, Format::Prometheus);
        out.push_str(&self.handle.render());
        out
    }

    /// Syncs, then renders the exposition as OpenMetrics 1.0.0 (what
    /// `/metrics` answers a scraper that asks for it): the same series, with
    /// the trace of a recent bad event as an exemplar on each SLO's
    /// `slo_events_total{outcome="bad"}` and on the latency bucket it fell
    /// in (events without a trace id give none; see
    /// [`RegistryBuilder::recent_bad`](slo_core::RegistryBuilder::recent_bad)).
    /// The application's metrics follow, rewritten as
    /// [`openmetrics::append_as_openmetrics`] says, then `# EOF`.
    ///
    /// ```
    /// use slo_core::recent::{BadEvent, BadReason, TraceId};
    /// use slo_core::{Registry, SloDefinition, Spec};
    /// use slo_prometheus::PrometheusExporter;
    /// let registry = Registry::new(Spec::builder("shop")
    ///     .slo(SloDefinition::builder("checkout").objective(0.999))
    ///     .build()?);
    /// let exporter = PrometheusExporter::new(&registry)?;
    /// let checkout = registry.handle("checkout")?;
    /// checkout.record_bad();
    /// checkout.record_bad_event(BadEvent {
    ///     trace_id: TraceId::from_traceparent(b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    ///     ..BadEvent::new(BadReason::ServerError)
    /// });
    /// let text = exporter.render_openmetrics();
    /// assert!(text.contains(r#"slo_events_total{slo="checkout",outcome="bad"} 1 # {trace_id="4bf92f3577b34da6a3ce929d0e0e4736"} 1 "#));
    /// assert!(text.ends_with("# EOF\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn render_openmetrics(&self) -> String {
        self.sync();
        let mut out = String::new();
        self.slos.render(&mut out, Format::OpenMetrics);
        append_as_openmetrics(&self.handle.render(), &mut out);
        out.push_str("# EOF\n");
        out
    }

    /// Serves `/metrics` (any path) on `listener`, on a listener of its own
    /// rather than the service's router (feature `listener`). Runs until
    /// dropped; a client that stalls sending its request is cut off after
    /// 10 s, and accept errors (out of file descriptors, say) are retried
    /// after a pause instead of ending the loop.
    #[cfg(feature = "listener")]
    pub async fn serve(self, listener: tokio::net::TcpListener) {
        use hyper_util::rt::{TokioIo, TokioTimer};
        use hyper_util::service::TowerToHyperService;
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            let service = TowerToHyperService::new(self.endpoint());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(std::time::Duration::from_secs(10))
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }

    /// `/metrics` as a Tower service (axum: `Router::route_service("/metrics", exporter.endpoint())`).
    pub fn endpoint(&self) -> MetricsEndpoint {
        MetricsEndpoint {
            exporter: self.clone(),
        }
    }
}

impl std::fmt::Debug for PrometheusExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrometheusExporter").finish_non_exhaustive()
    }
}

/// `GET /metrics`: the Prometheus text exposition format, or OpenMetrics
/// with exemplars when the scraper's `Accept` names
/// `application/openmetrics-text` at least as high as `text/plain` (as
/// Prometheus does); HEAD allowed, other methods 405.
#[derive(Clone, Debug)]
pub struct MetricsEndpoint {
    exporter: PrometheusExporter,
}

slo_http::answered_at_once!(MetricsEndpoint, MetricsEndpoint::answer);

impl MetricsEndpoint {
    fn answer<B>(&self, request: &Request<B>) -> Response<Full<Bytes>> {
        let mut response = read_only::respond(request.method(), || {
            Ok(if wants_openmetrics(request.headers()) {
                (
                    self.exporter.render_openmetrics().into_bytes(),
                    openmetrics::CONTENT_TYPE,
                )
            } else {
                (
                    self.exporter.render().into_bytes(),
                    "text/plain; version=0.0.4; charset=utf-8",
                )
            })
        });
        if response.status() == http::StatusCode::OK {
            response
                .headers_mut()
                .insert(http::header::VARY, http::HeaderValue::from_static("accept"));
        }
        response
    }
}
