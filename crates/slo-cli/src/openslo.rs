//! `slo openslo SPEC`: the SLOs as OpenSLO v1 documents; `--import` reads
//! them back into a spec file.

use std::io;
use std::path::PathBuf;
use std::process::ExitCode;

use slo_fleet::openslo::{from_openslo, to_openslo};

/// What `slo openslo` is asked.
#[derive(clap::Args)]
pub(crate) struct OpensloArgs {
    /// The spec file (YAML); with --import, the OpenSLO documents.
    input: PathBuf,
    /// Read OpenSLO v1 documents and write a spec file.
    #[arg(long)]
    import: bool,
    /// Write to this file instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub(crate) fn run(args: &OpensloArgs) -> ExitCode {
    let (input, output) = (&args.input, args.output.as_deref());
    if !args.import {
        let Some(spec) = crate::load_spec(input, &mut io::stderr()) else {
            return ExitCode::FAILURE;
        };
        return crate::write_output("openslo", output, &to_openslo(&spec));
    }
    let text = match std::fs::read_to_string(input) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("slo openslo: {}: {e}", input.display());
            return ExitCode::FAILURE;
        }
    };
    match from_openslo(&text) {
        Ok(read) => {
            for note in &read.notes {
                eprintln!("{}: note: {note}", input.display());
            }
            crate::write_output("openslo", output, &read.spec.to_yaml())
        }
        Err(e) => {
            eprintln!("{}: {e}", input.display());
            ExitCode::FAILURE
        }
    }
}
