//! The `slo` command: check spec files and replay event traces through the
//! SLO engine (DESIGN §7).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use slo_core::replay::{ReplayError, replay};
use slo_core::{Spec, SpecErrors, parse_duration};

/// In-process service level objectives: check specs, replay traces.
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
}

fn parse_interval(text: &str) -> Result<Duration, String> {
    match parse_duration(text) {
        Ok(d) if d.is_zero() => Err("must be greater than zero".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(e.to_string()),
    }
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Validate { spec } => validate(&spec),
        Command::Replay {
            spec,
            events,
            every,
        } => run_replay(&spec, &events, every),
    }
}

/// Reads and validates a spec, or prints its problems to `out`.
fn load_spec(path: &Path, out: &mut dyn Write) -> Option<Spec> {
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
