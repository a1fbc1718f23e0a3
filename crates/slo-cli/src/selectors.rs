//! `--selector LABEL=VALUE`, repeatable: the label matchers `slo rules`,
//! `slo dashboard` and `slo report` all take, read and checked in one place.

use slo_fleet::matchers::Matchers;

/// The `--selector` arguments of a subcommand.
#[derive(clap::Args)]
pub(crate) struct Selectors {
    /// Count only series with this label, as `job=shop`; repeatable.
    #[arg(long = "selector", value_name = "LABEL=VALUE", value_parser = parse_selector)]
    selectors: Vec<(String, String)>,
}

impl Selectors {
    /// The selectors as label matchers, for `slo COMMAND`; `None`, once
    /// said (as `slo COMMAND: --selector L=V: why`), for one refused.
    pub fn matchers(&self, command: &str) -> Option<Matchers> {
        let mut matchers = Matchers::new();
        for (label, value) in &self.selectors {
            matchers = matchers
                .and_equal(label, value)
                .inspect_err(|e| eprintln!("slo {command}: --selector {label}={value}: {e}"))
                .ok()?;
        }
        Some(matchers)
    }
}

impl Selectors {
    /// The service a selector names: the value of `job`, `service` or
    /// `service_name`, the first given that can name a service in a spec.
    pub fn service_name(&self) -> Option<String> {
        self.selectors
            .iter()
            .filter(|(label, _)| matches!(label.as_str(), "job" | "service" | "service_name"))
            .find(|(_, value)| slo_core::spec::name_error(value).is_none())
            .map(|(_, value)| value.clone())
    }
}

fn parse_selector(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((label, value)) => Ok((label.to_owned(), value.to_owned())),
        None => Err("expected LABEL=VALUE, such as job=shop".into()),
    }
}
