//! A worker process whose SLOs are measured in-process: a queue consumer
//! (`#[slo::measure]` on its async `process`) and a batch pipeline
//! (freshness and completeness through SLO handles). It feeds itself work
//! with injected failures, prints one status line per SLO every few
//! seconds, and at the end a JSON summary of what it did next to what the
//! SLOs counted.

mod pipeline;
mod queue;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use slo::{Registry, Spec, Ticker};
use tokio::sync::mpsc;

use pipeline::{Batch, Pipeline};
use queue::Job;

/// The worker's SLOs, unless `--spec` names another file.
const SPEC: &str = include_str!("../background-job.yaml");

/// A queue consumer and a batch pipeline with SLOs.
#[derive(Parser)]
#[command(name = "background-job", version, about)]
struct Args {
    /// Jobs queued per second.
    #[arg(long, default_value_t = 200)]
    jobs_per_second: u32,
    /// Fraction of jobs that fail, 0..1 (spread evenly).
    #[arg(long, default_value_t = 0.002)]
    failure_rate: f64,
    /// Fraction of jobs that take 80ms (over the 50ms latency threshold).
    #[arg(long, default_value_t = 0.005)]
    slow_rate: f64,
    /// Fraction of batches that arrive 3s after they were produced (over the
    /// 2s freshness threshold).
    #[arg(long, default_value_t = 0.0)]
    late_rate: f64,
    /// Fraction of records rejected by the pipeline's load, 0..1.
    #[arg(long, default_value_t = 0.001)]
    reject_rate: f64,
    /// Stop after this long, such as 30s (default: run until interrupted).
    #[arg(long, value_parser = humantime::parse_duration)]
    exit_after: Option<Duration>,
    /// Print the status lines this often.
    #[arg(long, default_value = "5s", value_parser = humantime::parse_duration)]
    report_every: Duration,
    /// An SLO spec file with the same SLO names.
    #[arg(long)]
    spec: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    for (flag, value) in [
        ("--failure-rate", args.failure_rate),
        ("--slow-rate", args.slow_rate),
        ("--reject-rate", args.reject_rate),
        ("--late-rate", args.late_rate),
    ] {
        if !(0.0..=1.0).contains(&value) {
            eprintln!("background-job: {flag} must be between 0 and 1, got {value}");
            return ExitCode::FAILURE;
        }
    }
    let text = match &args.spec {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("background-job: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        },
        None => SPEC.to_owned(),
    };
    let spec = match Spec::from_yaml(&text) {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("background-job: the spec: {e}");
            return ExitCode::FAILURE;
        }
    };
    let registry = Registry::new(spec);
    let pipeline = match Pipeline::new(&registry) {
        Ok(pipeline) => pipeline,
        Err(e) => {
            eprintln!("background-job: the spec lacks an SLO the pipeline needs: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Every #[slo::measure] in the process records here.
    if let Err(e) = slo::measure::install(registry.clone()) {
        eprintln!("background-job: {e}");
        return ExitCode::FAILURE;
    }
    let _ticker = match Ticker::spawn(&registry) {
        Ok(ticker) => ticker,
        Err(e) => {
            eprintln!("background-job: cannot start the ticker: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("background-job: cannot start tokio: {e}");
            return ExitCode::FAILURE;
        }
    };
    let summary = runtime.block_on(run(&args, &registry, pipeline));
    println!("{summary}");
    ExitCode::SUCCESS
}

/// Every `1/rate`-th of a sequence, spread evenly: whether item `i` is one.
fn every(rate: f64, i: u64) -> bool {
    rate > 0.0 && ((i + 1) as f64 * rate).floor() > (i as f64 * rate).floor()
}

async fn run(args: &Args, registry: &Registry, pipeline: Pipeline) -> serde_json::Value {
    let started = Instant::now();
    let deadline = args.exit_after.map(|d| started + d);
    let (sender, receiver) = mpsc::channel(1024);
    let consumers = tokio::spawn(queue::consume(receiver, 8));
    let interval = Duration::from_secs_f64(1.0 / f64::from(args.jobs_per_second.max(1)));
    let mut next_job = tokio::time::interval(interval);
    next_job.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut next_batch = tokio::time::interval(Duration::from_millis(500));
    let mut next_report = tokio::time::interval(args.report_every);
    let (mut queued, mut batches, mut records, mut rejected) = (0u64, 0u64, 0u64, 0u64);
    loop {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        tokio::select! {
            _ = next_job.tick() => {
                let job = Job {
                    id: queued,
                    fails: every(args.failure_rate, queued),
                    work: if every(args.slow_rate, queued) { Duration::from_millis(80) } else { Duration::from_millis(2) },
                };
                if sender.send(job).await.is_err() {
                    break;
                }
                queued += 1;
            }
            _ = next_batch.tick() => {
                // A late batch sat upstream for 3s before it reached us.
                let age = if every(args.late_rate, batches) { Duration::from_secs(3) } else { Duration::ZERO };
                let now = Instant::now();
                let batch = Batch {
                    id: batches,
                    produced: now.checked_sub(age).unwrap_or(now),
                    records: (0..500u64).map(|r| !every(args.reject_rate, records + r)).collect(),
                };
                let loaded = pipeline.run(&batch);
                batches += 1;
                records += loaded.accepted + loaded.rejected;
                rejected += loaded.rejected;
                let _ = batch.id;
            }
            _ = next_report.tick() => print_status(registry),
        }
    }
    drop(sender);
    let processed = consumers.await.unwrap_or(0);
    registry.tick();
    print_status(registry);
    let counted = |name: &str| {
        let totals = registry.totals(name).unwrap_or_default();
        let reasons: serde_json::Map<String, serde_json::Value> = totals
            .bad_reasons
            .nonzero()
            .map(|(reason, count)| (reason.as_str().to_owned(), count.into()))
            .collect();
        serde_json::json!({"good": totals.good, "bad": totals.bad, "bad_reasons": reasons})
    };
    serde_json::json!({
        "jobs": {"queued": queued, "processed": processed},
        "batches": batches,
        "records": {"loaded": records - rejected, "rejected": rejected},
        "counted": {
            "queue-availability": counted("queue-availability"),
            "queue-latency": counted("queue-latency"),
            "pipeline-freshness": counted("pipeline-freshness"),
            "pipeline-completeness": counted("pipeline-completeness"),
            "pipeline-runs": counted("pipeline-runs"),
        },
    })
}

fn print_status(registry: &Registry) {
    let status = registry.status();
    println!("-- {} up {:.0}s", status.now, status.uptime_seconds);
    for slo in &status.slos {
        let firing: Vec<String> = slo
            .alerts
            .iter()
            .filter(|a| a.firing)
            .map(|a| {
                format!(
                    "{} {}/{}",
                    a.severity.as_str(),
                    a.long_window,
                    a.short_window
                )
            })
            .collect();
        println!(
            "{:<22} {:<9} sli {:>9} (objective {:.3}%)  events {:>7}  {}",
            slo.name,
            slo.status.as_str(),
            slo.sli_value
                .map_or_else(|| "-".to_owned(), |v| format!("{:.3}%", v * 100.0)),
            slo.objective * 100.0,
            slo.events.total,
            if firing.is_empty() {
                "ok".to_owned()
            } else {
                format!("FIRING {}", firing.join(", "))
            }
        );
    }
}
