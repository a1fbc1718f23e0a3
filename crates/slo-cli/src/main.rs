//! The `slo` command; see the `slo_cli` library.

fn main() -> std::process::ExitCode {
    slo_cli::run()
}
