//! `slo report SPEC --prometheus URL (--month M | --week W | --from T --to T)`:
//! the SLO report over a range, from the events a PromQL API holds.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::ValueEnum;
use slo_fleet::report::{ReportQuery, ReportRange, html, markdown, review};

use crate::selectors::Selectors;

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
    /// The weekly review in Markdown: status per SLO (green, yellow, red),
    /// owner, budget, trend, incidents, release decisions per risk, and a
    /// checklist.
    Review,
}

/// What `slo report` is asked.
#[derive(clap::Args)]
pub(crate) struct ReportArgs {
    /// The spec file (YAML).
    spec: PathBuf,
    /// The PromQL API's base URL, such as http://prometheus:9090.
    #[arg(long, value_name = "URL")]
    prometheus: String,
    /// A calendar month, UTC, such as 2026-11.
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["week", "from", "to"])]
    month: Option<String>,
    /// An ISO week, UTC, such as 2026-W48.
    #[arg(long, value_name = "YYYY-Www", conflicts_with_all = ["month", "from", "to"])]
    week: Option<String>,
    /// The range's start, RFC 3339, such as 2026-11-01T00:00:00Z.
    #[arg(long, value_name = "RFC3339", requires = "to")]
    from: Option<String>,
    /// The range's end (not included), RFC 3339.
    #[arg(long, value_name = "RFC3339", requires = "from")]
    to: Option<String>,
    #[command(flatten)]
    selectors: Selectors,
    /// html (one self-contained page), markdown, json (the report's
    /// fields: service, from, to, and per SLO its events, SLI, budget,
    /// incidents, days, trend and recommendation), or review (the weekly
    /// review in Markdown).
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Give up after this long in all, such as 30s.
    #[arg(long, default_value = "30s", value_parser = crate::parse_interval)]
    timeout: Duration,
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
    let Some(matchers) = args.selectors.matchers("report") else {
        return ExitCode::FAILURE;
    };
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
        Format::Review => review(&report, &spec),
    };
    crate::write_output("report", args.output.as_deref(), &text)
}
