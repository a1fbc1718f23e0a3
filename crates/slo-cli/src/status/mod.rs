//! `slo status URL`: fetch a live `/slo` and print it as a table.
//! Exit 0 when no page alert fires, 1 when one does (or, with
//! `--fail-on-exhausted`, when an error budget is spent), 2 when the URL
//! cannot be read or does not answer a `/slo` document: a deploy gate.

pub(crate) mod document;
pub(crate) mod table;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::ValueEnum;
use ureq::Agent;

use document::SloDocument;

/// The most a `/slo` answer may weigh; a larger one is not a `/slo` page.
const MAX_BODY: u64 = 8 << 20;

/// When to colour the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// What `slo status` is asked.
#[derive(clap::Args)]
pub(crate) struct StatusArgs {
    /// The /slo URL; `host:port` means `http://host:port/slo`.
    url: String,
    /// Give up after this long in all, such as 5s or 500ms.
    #[arg(long, default_value = "5s", value_parser = crate::parse_interval)]
    timeout: Duration,
    /// Colour the table: auto (on a terminal, unless NO_COLOR), always, never.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Also exit 1 when an SLO's error budget is spent (a release gate).
    #[arg(long)]
    fail_on_exhausted: bool,
}

/// The exit code for "cannot tell": unreachable, timed out, not a `/slo`.
pub(crate) const UNREACHABLE: u8 = 2;

pub(crate) fn run(args: &StatusArgs) -> ExitCode {
    let url = normalise(&args.url);
    let document = match fetch(&url, args.timeout) {
        Ok(document) => document,
        Err(message) => {
            eprintln!("slo status: {url}: {message}");
            return ExitCode::from(UNREACHABLE);
        }
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let text = table::render(&document, color);
    let _ = io::stdout().lock().write_all(text.as_bytes());
    let paging = document.entries().any(|(slo, _)| slo.pages());
    let exhausted = document.entries().any(|(slo, _)| slo.status == "exhausted");
    if paging || (args.fail_on_exhausted && exhausted) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `host:port` → `http://host:port/slo`; a URL with a path is kept as given.
pub(crate) fn normalise(url: &str) -> String {
    let with_scheme = if url.contains("://") {
        url.to_owned()
    } else {
        format!("http://{url}")
    };
    let after_scheme = with_scheme.split_once("://").map_or("", |(_, rest)| rest);
    match after_scheme.find('/') {
        None => format!("{with_scheme}/slo"),
        Some(i) if after_scheme[i..] == *"/" => format!("{}slo", with_scheme),
        Some(_) => with_scheme,
    }
}

/// GET the document, within `timeout` in all.
pub(crate) fn fetch(url: &str, timeout: Duration) -> Result<SloDocument, String> {
    let agent: Agent = Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .get(url)
        .header("Accept", "application/json")
        .call()
        .map_err(|e| describe(&e, timeout))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("answered HTTP {status}, not a /slo document"));
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_BODY)
        .read_to_string()
        .map_err(|e| describe(&e, timeout))?;
    read_document(&body)
}

/// A `/slo` answer's body as a document fit to print, or why it is not one.
pub(crate) fn read_document(body: &str) -> Result<SloDocument, String> {
    let refuse = |reason: String| {
        let start: String = body.chars().take(80).collect();
        let mut reason =
            format!("the answer is not a /slo document ({reason}); it begins {start:?}");
        document::clean(&mut reason);
        reason
    };
    // serde's words quote the peer's field names and values, as long as
    // the peer made them.
    let document: SloDocument =
        serde_json::from_str(body).map_err(|e| refuse(slo_core::__private::json_error(&e, 200)))?;
    // Only a journey goes without events.
    if document.slos.iter().any(|slo| slo.events.is_none()) {
        return Err(refuse("an SLO without `events`".to_owned()));
    }
    Ok(document.printable())
}

fn describe(error: &ureq::Error, timeout: Duration) -> String {
    match error {
        ureq::Error::Timeout(_) => format!(
            "no complete answer within {}",
            slo_core::format_duration(timeout)
        ),
        ureq::Error::Io(e) => format!("cannot connect: {e}"),
        ureq::Error::ConnectionFailed => "cannot connect".into(),
        ureq::Error::BodyExceedsLimit(_) => {
            format!(
                "the answer is larger than {} MiB, not a /slo document",
                MAX_BODY >> 20
            )
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{normalise, read_document};

    #[test]
    fn a_refusal_quotes_the_peer_printably_and_briefly() {
        // serde_json quotes a string where a number belongs, all of it.
        let long = "x".repeat(100_000);
        let body = format!(r#"{{"service":"shop","slos":"\u001b]0;{long}"}}"#);
        let said = read_document(&body).expect_err("not a document");
        assert!(said.chars().count() < 1_000, "{} characters", said.len());
        assert!(
            !said.chars().any(slo_core::__private::is_unprintable),
            "{said:?}"
        );
        assert!(said.contains("at line 1 column"), "{said}");
    }

    #[test]
    fn bare_addresses_get_a_scheme_and_the_slo_path() {
        assert_eq!(normalise("127.0.0.1:3000"), "http://127.0.0.1:3000/slo");
        assert_eq!(normalise("http://shop:3000/"), "http://shop:3000/slo");
        assert_eq!(normalise("https://shop"), "https://shop/slo");
        assert_eq!(normalise("http://shop/api/slo"), "http://shop/api/slo");
        assert_eq!(
            normalise("http://shop/slo?format=json"),
            "http://shop/slo?format=json"
        );
    }
}
