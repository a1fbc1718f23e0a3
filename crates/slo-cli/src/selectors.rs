//! `--selector LABEL=VALUE`, repeatable: the label matchers `slo rules`,
//! `slo dashboard` and `slo report` all take, read and checked in one place.

use std::fmt::Display;
use std::process::ExitCode;

/// The `--selector` arguments of a subcommand.
#[derive(clap::Args)]
pub(crate) struct Selectors {
    /// Count only series with this label, as `job=shop`; repeatable.
    #[arg(long = "selector", value_name = "LABEL=VALUE", value_parser = parse_selector)]
    selectors: Vec<(String, String)>,
}

impl Selectors {
    /// Adds each selector, in order, to `start` with `add`; the first one
    /// `add` refuses is said (as `slo COMMAND: --selector L=V: why`) and
    /// ends the command.
    pub fn fold<T, E: Display>(
        &self,
        command: &str,
        start: T,
        add: impl Fn(T, &str, &str) -> Result<T, E>,
    ) -> Result<T, ExitCode> {
        let mut folded = start;
        for (label, value) in &self.selectors {
            folded = add(folded, label, value).map_err(|e| {
                eprintln!("slo {command}: --selector {label}={value}: {e}");
                ExitCode::FAILURE
            })?;
        }
        Ok(folded)
    }
}

fn parse_selector(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((label, value)) => Ok((label.to_owned(), value.to_owned())),
        None => Err("expected LABEL=VALUE, such as job=shop".into()),
    }
}
