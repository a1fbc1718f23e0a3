//! The `slo` command: check spec files, replay event traces
//! through the SLO engine, generate Prometheus rules and OpenSLO documents,
//! and read a live `/slo`.
//!
//! The command is this library's [`run`], so that the fuzz targets in
//! `fuzz/` can read `/slo` documents exactly as `slo status` and `slo gate`
//! do; nothing here is a stable API.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

mod dashboard;
mod gate;
mod openslo;
mod report;
mod rules;
mod status;

use clap::{Parser, Subcommand};
use slo_core::release::Risk;
use slo_core::replay::{ReplayError, replay};
use slo_core::{Spec, SpecErrors, parse_duration};

/// In-process service level objectives: check specs, replay traces, generate
/// rules, read a live /slo.
#[derive(Parser)]
#[command(name = "slo", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a spec file: exit 0, or 1 with `SPEC:LINE:COL: message` per problem.
    Validate {
        /// The spec file (YAML).
        spec: PathBuf,
    },
    /// Replay JSON Lines events through the engine on a manual clock and print
    /// each SLO's status every interval as JSON Lines.
    Replay {
        /// The spec file (YAML).
        spec: PathBuf,
        /// The events file (JSON Lines, time-ordered); `-` reads standard input.
        events: PathBuf,
        /// How often to print the status, such as 60s, 5m or 1h.
        #[arg(long, default_value = "60s", value_parser = parse_interval)]
        every: Duration,
    },
    /// Write Prometheus recording and alerting rules for the spec's SLOs
    /// (Sloth's naming; event-weighted over every instance).
    Rules {
        /// The spec file (YAML).
        spec: PathBuf,
        /// Write the rules to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Count only series with this label, as `job=shop`; repeatable.
        #[arg(long, value_name = "LABEL=VALUE", value_parser = parse_selector)]
        selector: Vec<(String, String)>,
    },
    /// Write the spec's SLOs as OpenSLO v1 documents, or with --import read
    /// OpenSLO documents back into a spec file.
    Openslo {
        /// The spec file (YAML); with --import, the OpenSLO documents.
        input: PathBuf,
        /// Read OpenSLO v1 documents and write a spec file.
        #[arg(long)]
        import: bool,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print a live /slo as a table: exit 0 when no page alert fires, 1 when
    /// one does, 2 when the URL cannot be read or is not a /slo document.
    Status {
        /// The /slo URL; `host:port` means `http://host:port/slo`.
        url: String,
        /// Give up after this long in all, such as 5s or 500ms.
        #[arg(long, default_value = "5s", value_parser = parse_interval)]
        timeout: Duration,
        /// Colour the table: auto (on a terminal, unless NO_COLOR), always, never.
        #[arg(long, value_enum, default_value = "auto")]
        color: status::ColorChoice,
        /// Also exit 1 when an SLO's error budget is spent (a release gate).
        #[arg(long)]
        fail_on_exhausted: bool,
    },
    /// The release decision of a live /slo for a change of the given risk:
    /// exit 0 approve, 3 review, 1 defer or block, 2 cannot tell.
    Gate {
        /// The /slo URL; `host:port` means `http://host:port/slo`.
        url: String,
        /// How risky the change is: low, medium or high.
        #[arg(long, value_parser = parse_risk)]
        risk: Risk,
        /// Decide over this SLO only; repeatable (default: every SLO).
        #[arg(long = "slo", value_name = "NAME")]
        slos: Vec<String>,
        /// Give up after this long in all, such as 5s or 500ms.
        #[arg(long, default_value = "5s", value_parser = parse_interval)]
        timeout: Duration,
    },
    /// Write a Grafana dashboard (JSON) over the rules of `slo rules`: a row
    /// per SLO on its own period-scaled windows.
    Dashboard {
        /// The spec file (YAML).
        spec: PathBuf,
        /// Write the dashboard to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The selectors given to `slo rules`, as `job=shop`; repeatable.
        #[arg(long, value_name = "LABEL=VALUE", value_parser = parse_selector)]
        selector: Vec<(String, String)>,
    },
    /// An SLO report over a month, a week or any range, from the
    /// slo_events_total a Prometheus (or any PromQL API) holds: exit 0, or
    /// 2 when the API cannot answer.
    Report {
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
        /// Count only series with this label, as `job=shop`; repeatable.
        #[arg(long, value_name = "LABEL=VALUE", value_parser = parse_selector)]
        selector: Vec<(String, String)>,
        /// html (one self-contained page), markdown or json (the report's
        /// fields: service, from, to, and per SLO its events, SLI, budget,
        /// incidents and days).
        #[arg(long, value_enum, default_value = "markdown")]
        format: report::Format,
        /// Write the report to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Give up after this long in all, such as 30s.
        #[arg(long, default_value = "30s", value_parser = parse_interval)]
        timeout: Duration,
    },
}

fn parse_risk(text: &str) -> Result<Risk, String> {
    text.parse()
        .map_err(|e: slo_core::release::UnknownName| e.to_string())
}

fn parse_selector(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((label, value)) => Ok((label.to_owned(), value.to_owned())),
        None => Err("expected LABEL=VALUE, such as job=shop".into()),
    }
}

fn parse_interval(text: &str) -> Result<Duration, String> {
    match parse_duration(text) {
        Ok(d) if d.is_zero() => Err("must be greater than zero".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs the `slo` command on the process's arguments.
pub fn run() -> ExitCode {
    match Cli::parse().command {
        Command::Validate { spec } => validate(&spec),
        Command::Replay {
            spec,
            events,
            every,
        } => run_replay(&spec, &events, every),
        Command::Rules {
            spec,
            output,
            selector,
        } => rules::run(&spec, output.as_deref(), &selector),
        Command::Openslo {
            input,
            import,
            output,
        } => openslo::run(&input, import, output.as_deref()),
        Command::Status {
            url,
            timeout,
            color,
            fail_on_exhausted,
        } => status::run(&status::StatusArgs {
            url,
            timeout,
            color,
            fail_on_exhausted,
        }),
        Command::Gate {
            url,
            risk,
            slos,
            timeout,
        } => gate::run(&gate::GateArgs {
            url,
            risk,
            slos,
            timeout,
        }),
        Command::Dashboard {
            spec,
            output,
            selector,
        } => dashboard::run(&spec, output.as_deref(), &selector),
        Command::Report {
            spec,
            prometheus,
            month,
            week,
            from,
            to,
            selector,
            format,
            output,
            timeout,
        } => report::run(&report::ReportArgs {
            spec,
            prometheus,
            month,
            week,
            from,
            to,
            selector,
            format,
            output,
            timeout,
        }),
    }
}

/// Reads and validates a spec, or prints its problems to `out`.
pub(crate) fn load_spec(path: &Path, out: &mut dyn Write) -> Option<Spec> {
    let shown = path.display();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            let _ = writeln!(out, "{shown}:1:1: cannot read the spec: {e}");
            return None;
        }
    };
    match Spec::from_yaml(&text) {
        Ok(spec) => Some(spec),
        Err(SpecErrors(errors)) => {
            for error in errors {
                let (line, column) = error.location.map_or((1, 1), |at| (at.line, at.column));
                let _ = writeln!(out, "{shown}:{line}:{column}: {error}");
            }
            None
        }
    }
}

/// Writes `text` to `output`, or to standard output without one.
pub(crate) fn write_output(command: &str, output: Option<&Path>, text: &str) -> ExitCode {
    let written = match output {
        Some(path) => std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display())),
        None => io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slo {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn validate(path: &Path) -> ExitCode {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let Some(spec) = load_spec(path, &mut out) else {
        return ExitCode::FAILURE;
    };
    for warning in spec.warnings() {
        let (line, column) = warning.location.map_or((1, 1), |at| (at.line, at.column));
        let _ = writeln!(
            out,
            "{}:{line}:{column}: warning: {warning}",
            path.display()
        );
    }
    let _ = writeln!(
        out,
        "{}: ok: service {:?}, {} SLO{}",
        path.display(),
        spec.service(),
        spec.slos().len(),
        if spec.slos().len() == 1 { "" } else { "s" }
    );
    ExitCode::SUCCESS
}

fn run_replay(spec_path: &Path, events_path: &Path, every: Duration) -> ExitCode {
    let Some(spec) = load_spec(spec_path, &mut io::stderr()) else {
        return ExitCode::FAILURE;
    };
    let stdout = io::stdout();
    let out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = if events_path == Path::new("-") {
        replay(&spec, io::stdin().lock(), every, out)
    } else {
        match File::open(events_path) {
            Ok(file) => replay(&spec, BufReader::with_capacity(1 << 16, file), every, out),
            Err(e) => {
                eprintln!("slo replay: {}: {e}", events_path.display());
                return ExitCode::FAILURE;
            }
        }
    };
    match result {
        Ok(summary) => {
            if summary.unmatched > 0 {
                eprintln!(
                    "slo replay: {} of {} events matched no SLO's routes",
                    summary.unmatched, summary.events
                );
            }
            ExitCode::SUCCESS
        }
        // The reader went away (`| head`): nothing is wrong.
        Err(ReplayError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slo replay: {}: {e}", events_path.display());
            ExitCode::FAILURE
        }
    }
}

/// What the fuzz targets drive: the command's readers of outside input.
#[doc(hidden)]
pub mod fuzzing {
    use slo_core::release::{Decision, Risk};

    /// Reads a `/slo` answer's body as `slo status` does and renders its
    /// table, coloured or not.
    pub fn status_table(body: &str, color: bool) -> Result<String, String> {
        crate::status::read_document(body)
            .map(|document| crate::status::table::render(&document, color))
    }

    /// Reads a `/slo` answer's body as `slo gate` does and decides for
    /// `risk` over the SLOs `names` (all when empty).
    pub fn gate(body: &str, risk: Risk, names: &[String]) -> Result<(String, Decision), String> {
        let document = crate::status::read_document(body)?;
        crate::gate::decide(&document, risk, names)
    }
}
