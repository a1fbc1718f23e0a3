//! The SLO series pushed over OTLP by [`OtlpPipeline`](crate::otlp::OtlpPipeline) (gRPC or
//! HTTP/protobuf), cumulative, with timeouts everywhere and a flush and a
//! shutdown that return within the time you give them.
//!
//! Why it is built the way it is (ECOSYSTEM.md): the gRPC exporter needs a
//! tokio runtime alive at build and at shutdown, and the SDK's shutdown can
//! deadlock on a current-thread runtime; the blocking HTTP client may not be
//! built or dropped inside an async context. So the pipeline owns a small
//! runtime of its own, and builds, flushes and shuts down on a thread of its
//! own: it works from `main`, from inside any runtime, and from tests.
//! A collector that is down or stalls costs the service nothing but a
//! failed export every interval, logged at most once a minute; with
//! cumulative temporality the next export after it recovers carries every
//! count.

use std::sync::mpsc;
use std::time::Duration;

use opentelemetry::metrics::MeterProvider;
use opentelemetry_otlp::{MetricExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};
use slo_core::Registry;

use crate::OtelBridge;
use crate::report::{Reporter, Reporting};

/// The OTLP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// OTLP/gRPC (the endpoint is `http://host:4317`).
    Grpc,
    /// OTLP/HTTP with protobuf bodies (the endpoint is the full URL,
    /// `http://host:4318/v1/metrics`).
    HttpProtobuf,
}

/// Where and how to push.
#[derive(Debug, Clone)]
pub struct OtlpConfig {
    /// The collector's endpoint; see [`Protocol`].
    pub endpoint: String,
    /// gRPC or HTTP/protobuf.
    pub protocol: Protocol,
    /// How often to export (default 10 s).
    pub interval: Duration,
    /// How long one export may take, retries included (default 5 s).
    pub timeout: Duration,
    /// `service.name` of the resource (default: the spec's service).
    pub service_name: Option<String>,
    /// Failed exports are logged (`tracing`, target `slo_otel`) at most
    /// once per this interval, with the count of the others (default 60 s).
    pub report_every: Duration,
}

impl OtlpConfig {
    /// Defaults for `endpoint` over `protocol`.
    pub fn new(endpoint: impl Into<String>, protocol: Protocol) -> OtlpConfig {
        OtlpConfig {
            endpoint: endpoint.into(),
            protocol,
            interval: Duration::from_secs(10),
            timeout: Duration::from_secs(5),
            service_name: None,
            report_every: Duration::from_secs(60),
        }
    }
}

/// What went wrong with the pipeline.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OtlpError {
    /// The endpoint is not a URL the transport accepts.
    #[error("OTLP endpoint {endpoint:?}: {message}")]
    BadEndpoint {
        /// The endpoint given.
        endpoint: String,
        /// Why it was refused.
        message: String,
    },
    /// The exporter could not be built.
    #[error("cannot build the OTLP exporter: {0}")]
    Build(String),
    /// A flush or shutdown failed (the collector refused or was unreachable).
    #[error("OTLP {operation} failed: {message}")]
    Export {
        /// `flush` or `shutdown`.
        operation: &'static str,
        /// The SDK's message.
        message: String,
    },
    /// A flush or shutdown did not finish in the time given; it goes on in
    /// the background and the service is not held up.
    #[error("OTLP {operation} did not finish within {within:?}")]
    TimedOut {
        /// `flush` or `shutdown`.
        operation: &'static str,
        /// The time given.
        within: Duration,
    },
}

/// The SLO series of a registry, pushed over OTLP. Call
/// [`OtlpPipeline::sync`] from the ticker (it replays the latency
/// histogram), and [`OtlpPipeline::shutdown`] when the service stops.
///
/// ```no_run
/// use std::time::Duration;
/// use slo_core::{Registry, Spec, Ticker};
/// use slo_otel::otlp::{OtlpConfig, OtlpPipeline, Protocol};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let registry = Registry::new(Spec::from_yaml("service: shop\nslos:\n  - name: all\n    objective: 99%\n")?);
/// let otlp = OtlpPipeline::start(&registry, OtlpConfig::new("http://127.0.0.1:4317", Protocol::Grpc))?;
/// let bridge = otlp.bridge().clone();
/// let _ticker = Ticker::spawn_with(&registry, Ticker::default_interval(&registry), move || bridge.sync())?;
/// // ... serve ...
/// otlp.shutdown(Duration::from_secs(5))?;
/// # Ok(())
/// # }
/// ```
#[must_use = "the pipeline shuts down when it is dropped: keep it, and call `shutdown` at exit"]
pub struct OtlpPipeline {
    provider: Option<SdkMeterProvider>,
    bridge: OtelBridge,
    runtime: Option<tokio::runtime::Runtime>,
}

/// Runs `work` on a thread of its own and waits for it at most `within`.
fn bounded<T: Send + 'static>(
    operation: &'static str,
    within: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, OtlpError> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name(format!("slo-otlp-{operation}"))
        .spawn(move || {
            let _ = tx.send(work());
        })
        .map_err(|e| OtlpError::Export {
            operation,
            message: format!("cannot start a thread: {e}"),
        })?;
    rx.recv_timeout(within)
        .map_err(|_| OtlpError::TimedOut { operation, within })
}

impl OtlpPipeline {
    /// Builds the exporter and the periodic reader and registers the SLO
    /// series. Nothing is sent until the first interval passes; a collector
    /// that is not there yet is not an error here.
    pub fn start(registry: &Registry, config: OtlpConfig) -> Result<OtlpPipeline, OtlpError> {
        let url_ok =
            config.endpoint.starts_with("http://") || config.endpoint.starts_with("https://");
        if !url_ok {
            return Err(OtlpError::BadEndpoint {
                endpoint: config.endpoint,
                message: "must start with http:// or https://".into(),
            });
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("slo-otlp")
            .enable_all()
            .build()
            .map_err(|e| OtlpError::Build(format!("cannot start its runtime: {e}")))?;
        let handle = runtime.handle().clone();
        let service = config
            .service_name
            .clone()
            .unwrap_or_else(|| registry.spec().service().to_owned());
        let build = move || -> Result<SdkMeterProvider, OtlpError> {
            let _entered = handle.enter();
            let exporter = match config.protocol {
                Protocol::Grpc => MetricExporter::builder()
                    .with_tonic()
                    .with_endpoint(config.endpoint.clone())
                    .with_timeout(config.timeout)
                    .with_temporality(Temporality::Cumulative)
                    .build(),
                Protocol::HttpProtobuf => MetricExporter::builder()
                    .with_http()
                    .with_endpoint(config.endpoint.clone())
                    .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                    .with_timeout(config.timeout)
                    .with_temporality(Temporality::Cumulative)
                    .build(),
            }
            .map_err(|e| OtlpError::Build(e.to_string()))?;
            let exporter = Reporting {
                inner: exporter,
                reporter: Reporter::new(config.endpoint.clone(), config.report_every),
            };
            let reader = PeriodicReader::builder(exporter)
                .with_interval(config.interval)
                .build();
            Ok(SdkMeterProvider::builder()
                .with_resource(Resource::builder().with_service_name(service).build())
                .with_reader(reader)
                .build())
        };
        let provider = bounded("start", Duration::from_secs(30), build)??;
        let bridge = OtelBridge::register(registry, &provider.meter("slo"));
        Ok(OtlpPipeline {
            provider: Some(provider),
            bridge,
            runtime: Some(runtime),
        })
    }

    /// The bridge, to sync from the ticker.
    pub fn bridge(&self) -> &OtelBridge {
        &self.bridge
    }

    /// Replays new latency observations into the histogram.
    pub fn sync(&self) {
        self.bridge.sync();
    }

    /// Syncs and exports now, waiting at most `within`.
    pub fn flush(&self, within: Duration) -> Result<(), OtlpError> {
        self.bridge.sync();
        let Some(provider) = self.provider.clone() else {
            return Ok(());
        };
        bounded("flush", within, move || provider.force_flush())?.map_err(|e| OtlpError::Export {
            operation: "flush",
            message: e.to_string(),
        })
    }

    /// Exports what is left and stops, returning within about `within`
    /// whatever the collector does.
    pub fn shutdown(mut self, within: Duration) -> Result<(), OtlpError> {
        self.stop(within)
    }

    fn stop(&mut self, within: Duration) -> Result<(), OtlpError> {
        self.bridge.sync();
        let Some(provider) = self.provider.take() else {
            return Ok(());
        };
        let runtime = self.runtime.take();
        let result = bounded("shutdown", within, move || {
            let result = provider.shutdown_with_timeout(within);
            drop(provider);
            // The runtime goes last, after the exporter that used it.
            if let Some(runtime) = runtime {
                runtime.shutdown_background();
            }
            result
        });
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(OtlpError::Export {
                operation: "shutdown",
                message: e.to_string(),
            }),
            Err(timed_out) => Err(timed_out),
        }
    }
}

impl Drop for OtlpPipeline {
    /// Dropped without `shutdown`: stop anyway, giving it 5 s.
    fn drop(&mut self) {
        let _ = self.stop(Duration::from_secs(5));
    }
}

impl std::fmt::Debug for OtlpPipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OtlpPipeline")
            .field("bridge", &self.bridge)
            .finish_non_exhaustive()
    }
}
