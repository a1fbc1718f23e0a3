//! `slo suggest --prometheus URL [--selector L=V]… (--days N | --from T --to T)
//! [--source http|slo] [--spec SPEC] [--format markdown|json|yaml] [-o FILE]`:
//! SLOs proposed from the history a PromQL API already holds, backtested.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::ValueEnum;
use slo_core::spec::Tier;
use slo_fleet::report::ReportRange;
use slo_fleet::suggest::{DEFAULT_MAX_ROUTES, Source, SuggestQuery, markdown, to_spec};

use crate::selectors::Selectors;

/// Where the history comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SourceArg {
    /// Request metrics: OpenTelemetry's http_server_request_duration_seconds
    /// or axum-prometheus' axum_http_requests_total.
    Http,
    /// Our own slo_events_total.
    Slo,
}

/// How the suggestions are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A table to read.
    Markdown,
    /// The suggestions' fields.
    Json,
    /// A spec file `slo validate` accepts.
    Yaml,
}

/// What `slo suggest` is asked.
#[derive(clap::Args)]
pub(crate) struct SuggestArgs {
    /// The PromQL API's base URL, such as http://prometheus:9090.
    #[arg(long, value_name = "URL")]
    prometheus: String,
    #[command(flatten)]
    selectors: Selectors,
    /// The days up to now to read (28 unless --from and --to say otherwise).
    #[arg(long, value_name = "N", conflicts_with_all = ["from", "to"])]
    days: Option<u32>,
    /// The range's start, RFC 3339.
    #[arg(long, value_name = "RFC3339", requires = "to")]
    from: Option<String>,
    /// The range's end (not included), RFC 3339.
    #[arg(long, value_name = "RFC3339", requires = "from")]
    to: Option<String>,
    /// http (request metrics of a common convention) or slo (slo_events_total).
    #[arg(long, value_enum, default_value = "http")]
    source: SourceArg,
    /// A spec whose current objectives are backtested beside the suggested ones.
    #[arg(long, value_name = "SPEC")]
    spec: Option<PathBuf>,
    /// markdown (a table), json, or yaml (a spec `slo validate` accepts).
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Give up after this long in all, such as 30s.
    #[arg(long, default_value = "30s", value_parser = crate::parse_interval)]
    timeout: Duration,
    /// The most routes (or SLOs) proposed, the busiest; the rest are listed
    /// as left out.
    #[arg(long, default_value_t = DEFAULT_MAX_ROUTES)]
    max_routes: usize,
    /// The tier the progressive targets climb to (default: the spec SLO's,
    /// else essential); also written into the yaml spec.
    #[arg(long, value_parser = crate::parse_tier)]
    tier: Option<Tier>,
    /// The service's name (default: the spec's, else a --selector's job,
    /// service or service_name, else "service").
    #[arg(long)]
    service: Option<String>,
}

/// Exit 2: nothing could be read from the API.
const CANNOT_TELL: u8 = 2;

pub(crate) fn run(args: &SuggestArgs) -> ExitCode {
    let spec = match &args.spec {
        Some(path) => match crate::load_spec(path, &mut io::stderr()) {
            Some(spec) => Some(spec),
            None => return ExitCode::FAILURE,
        },
        None => None,
    };
    let range = match (&args.from, &args.to) {
        (Some(from), Some(to)) => ReportRange::between(from, to),
        _ => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            // On the 5-minute grid the counts are read on, so that no
            // step is cut at either end.
            let to = now - now.rem_euclid(300);
            let days = i64::from(args.days.unwrap_or(28));
            ReportRange::new(to - days * 86_400, to)
        }
    };
    let range = match range {
        Ok(range) => range,
        Err(e) => {
            eprintln!("slo suggest: {e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(matchers) = args.selectors.matchers("suggest") else {
        return ExitCode::FAILURE;
    };
    let mut query = match SuggestQuery::new(&args.prometheus) {
        Ok(query) => query
            .selector(matchers)
            .timeout(args.timeout)
            .max_routes(args.max_routes),
        Err(e) => {
            eprintln!("slo suggest: --prometheus: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(tier) = args.tier {
        query = query.tier(tier);
    }
    let service = args.service.clone().or_else(|| {
        spec.is_none()
            .then(|| args.selectors.service_name())
            .flatten()
    });
    if let Some(service) = service {
        query = query.service(service);
    }
    let source = match args.source {
        SourceArg::Http => Source::Http,
        SourceArg::Slo => Source::Slo,
    };
    let suggestions = match query.run(source, range, spec.as_ref()) {
        Ok(suggestions) => suggestions,
        Err(e) => {
            eprintln!("slo suggest: {e}");
            return ExitCode::from(CANNOT_TELL);
        }
    };
    if !suggestions.left_out.is_empty() {
        eprintln!(
            "slo suggest: left out {} route{} (listed in the output)",
            suggestions.left_out.len(),
            if suggestions.left_out.len() == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    let text = match args.format {
        Format::Markdown => markdown(&suggestions),
        Format::Json => suggestions.to_json() + "\n",
        Format::Yaml => match to_spec(&suggestions, spec.as_ref(), args.tier) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("slo suggest: the suggested spec does not validate: {e}");
                return ExitCode::FAILURE;
            }
        },
    };
    crate::write_output("suggest", args.output.as_deref(), &text)
}
