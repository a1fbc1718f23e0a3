//! `slo openslo SPEC`: the SLOs as OpenSLO v1 documents; `--import` reads
//! them back into a spec file.

use std::io;
use std::path::Path;
use std::process::ExitCode;

use slo_prometheus::openslo::{from_openslo, to_openslo};

pub(crate) fn run(input: &Path, import: bool, output: Option<&Path>) -> ExitCode {
    if !import {
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
