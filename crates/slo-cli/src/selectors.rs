//! `--selector LABEL=VALUE`, repeatable: the label matchers `slo rules`,
//! `slo dashboard` and `slo report` all take, read and checked in one place.

use std::fmt::Display;

use slo_fleet::matchers::Matchers;
use slo_fleet::rules::RulesOptions;

/// The `--selector` arguments of a subcommand.
#[derive(clap::Args)]
pub(crate) struct Selectors {
    /// Count only series with this label, as `job=shop`; repeatable.
    #[arg(long = "selector", value_name = "LABEL=VALUE", value_parser = parse_selector)]
    selectors: Vec<(String, String)>,
}

impl Selectors {
    /// The selectors as label matchers, for `slo COMMAND`; `None`, once
    /// said, for one refused.
    pub fn matchers(&self, command: &str) -> Option<Matchers> {
        self.fold(command, Matchers::new(), |m, l, v| m.and_equal(l, v))
            .ok()
    }

    /// The selectors as `slo rules` takes them; `None`, once said, for one
    /// refused.
    pub fn rules_options(&self) -> Option<RulesOptions> {
        self.fold("rules", RulesOptions::new(), |o, l, v| o.selector(l, v))
            .ok()
    }

    /// Adds each selector, in order, to `start` with `add`; the first one
    /// `add` refuses is said (as `slo COMMAND: --selector L=V: why`), and
    /// the command should end in failure.
    fn fold<T, E: Display>(
        &self,
        command: &str,
        start: T,
        add: impl Fn(T, &str, &str) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut folded = start;
        for (label, value) in &self.selectors {
            folded = add(folded, label, value).inspect_err(|e| {
                eprintln!("slo {command}: --selector {label}={value}: {e}");
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
