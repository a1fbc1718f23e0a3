//! `slo dashboard SPEC [-o FILE] [--selector L=V]…`: a Grafana dashboard
//! over the rules `slo rules` writes.

use std::io;
use std::path::Path;
use std::process::ExitCode;

use slo_prometheus::dashboard::{DashboardOptions, dashboard};
use slo_prometheus::matchers::Matchers;

pub(crate) fn run(
    spec_path: &Path,
    output: Option<&Path>,
    selectors: &[(String, String)],
) -> ExitCode {
    let Some(spec) = crate::load_spec(spec_path, &mut io::stderr()) else {
        return ExitCode::FAILURE;
    };
    let mut matchers = Matchers::new();
    for (label, value) in selectors {
        matchers = match matchers.and_equal(label, value) {
            Ok(matchers) => matchers,
            Err(e) => {
                eprintln!("slo dashboard: --selector {label}={value}: {e}");
                return ExitCode::FAILURE;
            }
        };
    }
    let json = dashboard(&spec, &DashboardOptions::new().selector(matchers)).to_json();
    crate::write_output("dashboard", output, &(json + "\n"))
}
