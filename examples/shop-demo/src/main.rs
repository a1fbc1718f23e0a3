//! `shop-demo`: an axum shop API whose SLOs are measured in-process by
//! `slo`. It serves `POST /checkout`, `GET /search` and `GET /cart/{id}`,
//! shows its SLOs on `/slo` and `/metrics`, generates its own traffic with an incident that
//! makes a page alert fire within minutes, and prints each SLO's status
//! every few seconds.

/// `println!` that never panics: a closed stdout (a pipe whose reader went
/// away) must not take the service down.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod alerts;
mod app;
mod faults;
mod history;
mod load;
mod report;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use slo::otel::otlp::{OtlpConfig, OtlpPipeline, Protocol};
use slo::prometheus::PrometheusExporter;
use slo::state::{Backfill, StateFile, StateWriter};
use slo::{Clock, Registry, Spec, SystemClock, Ticker};

use crate::faults::Faults;

/// The SLOs used when no `--spec` is given.
const DEFAULT_SPEC: &str = include_str!("../shop.yaml");

/// An axum shop whose SLOs are measured in-process.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:3000")]
    listen: SocketAddr,
    /// Serve only: no built-in traffic.
    #[arg(long)]
    no_load: bool,
    /// Share of requests that fail with 503, on every route (0 to 1; spread evenly).
    #[arg(long, default_value_t = 0.0, value_parser = ratio)]
    error_rate: f64,
    /// Share of requests that take 400ms, well above the latency thresholds (0 to 1; spread evenly).
    #[arg(long, default_value_t = 0.0, value_parser = ratio)]
    slow_rate: f64,
    /// Share of searches answered from the stale cache, marked `slo::Degraded`: bad for search-quality only (0 to 1; spread evenly).
    #[arg(long, default_value_t = 0.0, value_parser = ratio)]
    degraded_rate: f64,
    /// Let each request name its own fault in the `x-shop-fault` header
    /// (`429`, `500`, `503`, `degraded`, `slow`): for tests that need every
    /// kind of answer. Off by default: no client chooses how the shop fails.
    #[arg(long)]
    fault_header: bool,
    /// An SLO spec file whose `match` routes use the shop's routes.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Requests per second from the built-in traffic.
    #[arg(long, default_value_t = 200.0)]
    rate: f64,
    /// When the incident starts.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    incident_after: Duration,
    /// How long the incident lasts.
    #[arg(long, default_value = "3m", value_parser = humantime::parse_duration)]
    incident_for: Duration,
    /// How often to print the SLOs.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    report_every: Duration,
    /// Also push the SLO series over OTLP to this collector
    /// (gRPC: `http://127.0.0.1:4317`; HTTP: `http://127.0.0.1:4318/v1/metrics`).
    #[arg(long)]
    otlp_endpoint: Option<String>,
    /// The OTLP transport for `--otlp-endpoint`.
    #[arg(long, value_enum, default_value = "grpc")]
    otlp_protocol: OtlpTransport,
    /// How often to push over OTLP.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    otlp_interval: Duration,
    /// Stop after this long (default: run until Ctrl-C or SIGTERM).
    #[arg(long, value_parser = humantime::parse_duration)]
    exit_after: Option<Duration>,
    /// Keep the SLO windows in this file across restarts (default: a file
    /// named after the service under the OS temp dir).
    #[arg(long, conflicts_with = "no_state")]
    state_file: Option<PathBuf>,
    /// How often to write the state file.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    state_every: Duration,
    /// Keep no state: every start begins with empty windows.
    #[arg(long)]
    no_state: bool,
    /// Fill the windows at start from this PromQL API's `slo_events_total`
    /// history (Prometheus, Thanos, Mimir, VictoriaMetrics), such as
    /// `http://127.0.0.1:9090`. A state file's SLOs keep the file's history;
    /// the warm start fills the others.
    #[arg(long)]
    warm_start: Option<String>,
    /// PromQL label matchers, without braces, that select this service's
    /// series for `--warm-start`, such as `job="shop"`.
    #[arg(long, requires = "warm_start")]
    warm_start_selector: Option<String>,
    /// The longest `--warm-start` may hold up serving.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration, requires = "warm_start")]
    warm_start_timeout: Duration,
    /// Start with this long of simulated steady traffic plus one small past
    /// incident (labelled "simulated" on /slo), as if the shop had run that
    /// long; it replaces what the state file held.
    #[arg(long, value_parser = humantime::parse_duration, conflicts_with = "warm_start")]
    prefill: Option<Duration>,
    /// Deliver the in-process alerts to the Alertmanager at this URL (API
    /// v2), labelled as the generated rules' plus `instance`; repeatable.
    #[arg(long, value_name = "URL")]
    alertmanager: Vec<String>,
    /// How often firing alerts are re-sent to `--alertmanager`.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    alertmanager_interval: Duration,
    /// How many of the most recent bad events each SLO keeps for /slo (0
    /// keeps none).
    #[arg(long, default_value_t = 20)]
    recent_bad: usize,
    /// Links the trace ids of /slo's recent bad events to a trace viewer:
    /// a URL with `{trace_id}` in it, such as
    /// `http://127.0.0.1:16686/trace/{trace_id}` (Jaeger).
    #[arg(long, value_name = "URL")]
    trace_url: Option<String>,
}

/// `--otlp-protocol`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum OtlpTransport {
    Grpc,
    Http,
}

fn ratio(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(r) if (0.0..=1.0).contains(&r) => Ok(r),
        _ => Err(format!(
            "{text:?} is not a ratio between 0 and 1 (0.05 means 5%)"
        )),
    }
}

fn load_spec(path: Option<&PathBuf>) -> Result<Spec, String> {
    let Some(path) = path else {
        return Spec::from_yaml(DEFAULT_SPEC).map_err(|e| format!("built-in spec: {e}"));
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Spec::from_yaml(&text).map_err(|errors| {
        errors
            .iter()
            .map(|e| {
                let (line, column) = e.location.map_or((1, 1), |at| (at.line, at.column));
                format!("{}:{line}:{column}: {e}", path.display())
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("shop-demo: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The state file used when `--state-file` is not given.
fn default_state_file(service: &str) -> PathBuf {
    std::env::temp_dir().join(format!("{service}.slo-state"))
}

/// The history given besides the state file: `--warm-start` or `--prefill`.
/// A warm start is skipped when the state file at `state` restores every
/// SLO (it would win for each of them anyway).
fn outside_history(
    args: &Args,
    spec: &Spec,
    state: Option<&StateFile>,
) -> Result<Option<Backfill>, String> {
    let now = SystemClock::new().now();
    if let Some(url) = &args.warm_start {
        let held = state
            .and_then(|file| file.read().ok().flatten())
            .map(|snapshot| snapshot.restorable(spec, now))
            .unwrap_or_default();
        if spec
            .slos()
            .iter()
            .all(|slo| held.iter().any(|h| h == slo.name()))
        {
            say!("warm start skipped: the state file holds every SLO's history ({url} not asked)");
            return Ok(None);
        }
        return history::warm_start(
            url,
            args.warm_start_selector.as_deref(),
            args.warm_start_timeout,
            spec,
            now,
        )
        .map(Some);
    }
    Ok(args.prefill.map(|span| {
        say!(
            "prefill: windows start with {} of simulated traffic (one small incident), labelled simulated on /slo",
            humantime::format_duration(span)
        );
        history::prefill(spec, span, args.rate, now)
    }))
}

/// The registry, restored from the state file (first) and the outside
/// history, and kept in the state file unless `--no-state`.
fn open_registry(args: &Args, spec: Spec) -> Result<(Registry, Option<StateWriter>), String> {
    let path = args
        .state_file
        .clone()
        .unwrap_or_else(|| default_state_file(spec.service()));
    let file = StateFile::new(&path)
        .every(args.state_every)
        .on_error(|path, error| {
            eprintln!(
                "shop-demo: cannot write state file {}: {error}",
                path.display()
            );
        });
    let outside = outside_history(args, &spec, (!args.no_state).then_some(&file))?;
    let mut builder = Registry::builder(spec.clone()).recent_bad(args.recent_bad);
    if let Some(backfill) = outside {
        builder = builder.backfill(backfill);
    }
    if args.no_state {
        let registry = builder.build();
        for warning in registry.restore_report().warnings() {
            eprintln!("shop-demo: {warning}");
        }
        return Ok((registry, None));
    }
    if args.prefill.is_some() {
        // The simulation replaces what the file held: it would win otherwise.
        if let Err(e) = std::fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            return Err(format!("--prefill: cannot replace {}: {e}", path.display()));
        }
    }
    let (registry, writer) = file
        .open(builder)
        .map_err(|e| format!("cannot start the state writer: {e}"))?;
    for warning in writer.report().warnings() {
        eprintln!("shop-demo: {warning}");
    }
    let restored = &writer.report().restored;
    say!(
        "state file {} (written every {}; --no-state for none): {}",
        path.display(),
        humantime::format_duration(args.state_every),
        if restored.is_empty() {
            "nothing restored, windows start empty".to_owned()
        } else {
            format!(
                "history of {} since {} (from {})",
                restored.join(", "),
                registry.since(),
                registry.status().history.sources.join(", ")
            )
        }
    );
    Ok((registry, Some(writer)))
}

async fn run(args: Args) -> Result<(), String> {
    let spec = load_spec(args.spec.as_ref())?;
    let (registry, state) = open_registry(&args, spec)?;
    let exporter = PrometheusExporter::new(&registry).map_err(|e| format!("metrics: {e}"))?;
    let otlp = match &args.otlp_endpoint {
        None => None,
        Some(endpoint) => {
            let protocol = match args.otlp_protocol {
                OtlpTransport::Grpc => Protocol::Grpc,
                OtlpTransport::Http => Protocol::HttpProtobuf,
            };
            let mut config = OtlpConfig::new(endpoint.clone(), protocol);
            config.interval = args.otlp_interval;
            let pipeline = OtlpPipeline::start(&registry, config).map_err(|e| e.to_string())?;
            say!(
                "pushing OTLP ({protocol:?}) to {endpoint} every {}",
                humantime::format_duration(args.otlp_interval)
            );
            Some(pipeline)
        }
    };
    let ticker = {
        let exporter = exporter.clone();
        let otel = otlp.as_ref().map(|p| p.bridge().clone());
        Ticker::spawn_with(&registry, Ticker::default_interval(&registry), move || {
            exporter.sync();
            if let Some(otel) = &otel {
                otel.sync();
            }
        })
        .map_err(|e| format!("cannot start the ticker: {e}"))?
    };
    let faults = Arc::new(
        Faults::new(args.error_rate, args.slow_rate, args.degraded_rate)
            .with_fault_header(args.fault_header),
    );
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    crate::say!(
        "shop-demo listening on http://{addr}  (SLOs: http://{addr}/slo, metrics: http://{addr}/metrics)"
    );
    if args.fault_header {
        crate::say!(
            "--fault-header: a request may name its own fault in {} (a status, degraded or slow)",
            faults::FAULT_HEADER
        );
    }
    let notifier = alerts::start(
        &registry,
        &args.alertmanager,
        args.alertmanager_interval,
        addr,
    )?;
    let router = app::router(
        &registry,
        Arc::clone(&faults),
        &exporter,
        args.trace_url.as_deref(),
    )?;
    let server =
        tokio::spawn(async move { axum::serve(listener, router.into_make_service()).await });

    let load = (!args.no_load).then(|| {
        let plan = load::LoadPlan {
            rate: args.rate,
            incident_after: args.incident_after,
            incident_for: args.incident_for,
            incident_errors: 0.10,
            incident_slow: 0.10,
            incident_degraded: 0.10,
        };
        crate::say!(
            "traffic: {} requests/s; incident in {}",
            args.rate,
            humantime::format_duration(args.incident_after)
        );
        tokio::spawn(load::run(addr, plan, Arc::clone(&faults)))
    });

    let reporter = {
        let registry = registry.clone();
        let every = args.report_every.max(Duration::from_millis(100));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                report::print(&registry);
            }
        })
    };

    let stop = async {
        match args.exit_after {
            Some(after) => tokio::time::sleep(after).await,
            None => shutdown_signal().await,
        }
    };
    tokio::select! {
        () = stop => {}
        result = server => {
            return Err(format!("server stopped: {result:?}"));
        }
    }
    if let Some(load) = load {
        load.abort();
    }
    reporter.abort();
    report::print(&registry);
    ticker.stop();
    if let Some((notifier, hook)) = notifier {
        hook.stop();
        // Bounded (2 s): an Alertmanager that hangs cannot hold up the exit.
        let _ = tokio::task::spawn_blocking(move || notifier.shutdown()).await;
    }
    if let Some(state) = state
        && let Err(e) = state.shutdown()
    {
        eprintln!("shop-demo: the last state write failed: {e}");
    }
    if let Some(otlp) = otlp {
        // Bounded: a collector that is down or stalls cannot hold up the exit.
        if let Err(e) = tokio::task::spawn_blocking(move || otlp.shutdown(Duration::from_secs(5)))
            .await
            .unwrap_or(Ok(()))
        {
            eprintln!("shop-demo: {e}");
        }
    }
    Ok(())
}

/// Ctrl-C, or SIGTERM where there is one (what `kill` and service managers
/// send): both end the demo gracefully, with a last state write.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
