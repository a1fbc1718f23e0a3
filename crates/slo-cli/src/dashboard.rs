//! `slo dashboard SPEC [-o FILE] [--selector L=V]…`: a Grafana dashboard
//! over the rules `slo rules` writes.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use slo_fleet::dashboard::{DashboardOptions, dashboard};

use crate::selectors::Selectors;

/// What `slo dashboard` is asked.
#[derive(clap::Args)]
pub(crate) struct DashboardArgs {
    /// The spec file (YAML).
    spec: PathBuf,
    /// Write the dashboard to this file instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The selectors given to `slo rules`.
    #[command(flatten)]
    selectors: Selectors,
}

pub(crate) fn run(args: &DashboardArgs) -> ExitCode {
    let Some(spec) = crate::load_spec(&args.spec, &mut io::stderr()) else {
        return ExitCode::FAILURE;
    };
    let Some(matchers) = args.selectors.matchers("dashboard") else {
        return ExitCode::FAILURE;
    };
    let json = dashboard(&spec, &DashboardOptions::new().selector(matchers)).to_json();
    crate::write_output("dashboard", args.output.as_deref(), &(json + "\n"))
}
