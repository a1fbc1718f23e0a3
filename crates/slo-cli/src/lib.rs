//! The `slo` command: check spec files, replay event traces through the
//! SLO engine, generate the fleet's Prometheus rules, dashboards and
//! OpenSLO documents, write SLO reports, and read a live `/slo`.
//!
//! The command is this library's [`run`]; each subcommand's arguments are
//! the `clap` struct of its own module. Nothing here is a stable API.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

mod dashboard;
mod gate;
mod init;
mod openslo;
mod replay;
mod report;
mod rules;
mod selectors;
mod status;
mod suggest;
mod validate;

use clap::{Parser, Subcommand};
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
    Validate(validate::ValidateArgs),
    /// Replay JSON Lines events through the engine on a manual clock and print
    /// each SLO's status every interval as JSON Lines.
    Replay(replay::ReplayArgs),
    /// Write Prometheus recording and alerting rules for the spec's SLOs
    /// (Sloth's naming; event-weighted over every instance).
    Rules(rules::RulesArgs),
    /// Write the spec's SLOs as OpenSLO v1 documents, or with --import read
    /// OpenSLO documents back into a spec file.
    Openslo(openslo::OpensloArgs),
    /// Print a live /slo as a table: exit 0 when no page alert fires, 1 when
    /// one does, 2 when the URL cannot be read or is not a /slo document.
    Status(status::StatusArgs),
    /// The release decision of a live /slo for a change of the given risk:
    /// exit 0 approve, 3 review, 1 defer or block, 2 cannot tell.
    Gate(gate::GateArgs),
    /// Write a Grafana dashboard (JSON) over the rules of `slo rules`: a row
    /// per SLO on its own period-scaled windows.
    Dashboard(dashboard::DashboardArgs),
    /// An SLO report over a month, a week or any range, from the
    /// slo_events_total a Prometheus (or any PromQL API) holds: exit 0, or
    /// 2 when the API cannot answer.
    Report(report::ReportArgs),
    /// Write a commented spec from a template (api, web, batch, streaming,
    /// pipeline) at a tier's objectives; `slo validate` accepts it.
    Init(init::InitArgs),
    /// Propose SLOs from the history a PromQL API already holds (request
    /// metrics, or slo_events_total), backtested against their alert tiers:
    /// exit 0, or 2 when the API cannot answer.
    Suggest(suggest::SuggestArgs),
}

/// Runs the `slo` command on the process's arguments.
pub fn run() -> ExitCode {
    match Cli::parse().command {
        Command::Validate(args) => validate::run(&args),
        Command::Replay(args) => replay::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Openslo(args) => openslo::run(&args),
        Command::Status(args) => status::run(&args),
        Command::Gate(args) => gate::run(&args),
        Command::Dashboard(args) => dashboard::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Suggest(args) => suggest::run(&args),
    }
}

/// A positive duration such as `5s` or `500ms`, for clap.
pub(crate) fn parse_interval(text: &str) -> Result<Duration, String> {
    match parse_duration(text) {
        Ok(d) if d.is_zero() => Err("must be greater than zero".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

/// A tier's name, for clap: critical, essential, standard or best_effort.
pub(crate) fn parse_tier(text: &str) -> Result<slo_core::spec::Tier, String> {
    text.parse()
        .map_err(|e: slo_core::release::UnknownName| e.to_string())
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

/// What the fuzz targets drive, the command's readers of outside input;
/// not a stable API.
#[doc(hidden)]
pub mod __private {
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
