//! `slo report SPEC --prometheus URL (--month M | --week W | --from T --to T)`:
//! the SLO report over a range, from the events a PromQL API holds.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::ValueEnum;
use slo_prometheus::query::Matchers;
use slo_prometheus::report::{ReportQuery, ReportRange, html, markdown};

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// One self-contained page: inline CSS, SVG charts, no script.
    Html,
    /// Tables for a pull request or a wiki.
    Markdown,
    /// The report's fields as JSON: service, range, and per SLO its
    /// events, SLI, budget, incidents and days.
    Json,
}

pub(crate) struct ReportArgs {
    pub spec: PathBuf,
    pub prometheus: String,
    pub month: Option<String>,
    pub week: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub selector: Vec<(String, String)>,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub timeout: Duration,
}

/// Exit 2: the report could not be made from the API.
const CANNOT_TELL: u8 = 2;

pub(crate) fn run(args: &ReportArgs) -> ExitCode {
    let Some(spec) = crate::load_spec(&args.spec, &mut io::stderr()) else {
        return ExitCode::FAILURE;
    };
    let range = match (&args.month, &args.week, &args.from, &args.to) {
        (Some(month), None, None, None) => ReportRange::month(month),
        (None, Some(week), None, None) => ReportRange::week(week),
        (None, None, Some(from), Some(to)) => ReportRange::between(from, to),
        _ => {
            eprintln!("slo report: give one of --month, --week, or --from with --to");
            return ExitCode::FAILURE;
        }
    };
    let range = match range {
        Ok(range) => range,
        Err(e) => {
            eprintln!("slo report: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut matchers = Matchers::new();
    for (label, value) in &args.selector {
        matchers = match matchers.and_equal(label, value) {
            Ok(matchers) => matchers,
            Err(e) => {
                eprintln!("slo report: --selector {label}={value}: {e}");
                return ExitCode::FAILURE;
            }
        };
    }
    let query = match ReportQuery::new(&args.prometheus) {
        Ok(query) => query.selector(matchers).timeout(args.timeout),
        Err(e) => {
            eprintln!("slo report: --prometheus: {e}");
            return ExitCode::FAILURE;
        }
    };
    let report = match query.run(&spec, range) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("slo report: {e}");
            return ExitCode::from(CANNOT_TELL);
        }
    };
    let text = match args.format {
        Format::Html => html(&report),
        Format::Markdown => markdown(&report),
        Format::Json => report.to_json() + "\n",
    };
    crate::write_output("report", args.output.as_deref(), &text)
}
