//! `slo validate SPEC`: exit 0, or 1 with `SPEC:LINE:COL: message` per
//! problem; warnings are printed the same way and do not fail.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// What `slo validate` is asked.
#[derive(clap::Args)]
pub(crate) struct ValidateArgs {
    /// The spec file (YAML).
    spec: PathBuf,
}

pub(crate) fn run(args: &ValidateArgs) -> ExitCode {
    let path = &args.spec;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let Some(spec) = crate::load_spec(path, &mut out) else {
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
    let journeys = match spec.journeys().len() {
        0 => String::new(),
        1 => ", 1 journey".to_owned(),
        n => format!(", {n} journeys"),
    };
    let _ = writeln!(
        out,
        "{}: ok: service {:?}, {} SLO{}{journeys}",
        path.display(),
        spec.service(),
        spec.slos().len(),
        if spec.slos().len() == 1 { "" } else { "s" }
    );
    ExitCode::SUCCESS
}
