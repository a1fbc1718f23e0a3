//! `slo replay SPEC EVENTS [--every 60s]`: recorded events through the
//! real engine on a manual clock, each SLO's status every interval as JSON
//! Lines.

use std::fs::File;
use std::io::{self, BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use slo_core::replay::{ReplayError, replay};

/// What `slo replay` is asked.
#[derive(clap::Args)]
pub(crate) struct ReplayArgs {
    /// The spec file (YAML).
    spec: PathBuf,
    /// The events file (JSON Lines, time-ordered); `-` reads standard input.
    events: PathBuf,
    /// How often to print the status, such as 60s, 5m or 1h.
    #[arg(long, default_value = "60s", value_parser = crate::parse_interval)]
    every: Duration,
}

pub(crate) fn run(args: &ReplayArgs) -> ExitCode {
    let Some(spec) = crate::load_spec(&args.spec, &mut io::stderr()) else {
        return ExitCode::FAILURE;
    };
    let events_path = &args.events;
    let stdout = io::stdout();
    let out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = if events_path == Path::new("-") {
        replay(&spec, io::stdin().lock(), args.every, out)
    } else {
        match File::open(events_path) {
            Ok(file) => replay(
                &spec,
                BufReader::with_capacity(1 << 16, file),
                args.every,
                out,
            ),
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
