//! `slo gate URL --risk R [--slo NAME]...`: the release decision of a live
//! `/slo` as an exit code, for a deploy pipeline
//! ([release decisions](slo_core::semantics#release-decisions)): 0
//! approve, 3 review, 1 defer or block, 2 cannot tell (unreachable, timed
//! out, not a `/slo`, an SLO it does not have).

use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use slo_core::release::{Decision, Risk, UnknownName, strictest};

use crate::status::document::{SloDocument, SloEntry};
use crate::status::{UNREACHABLE, fetch, normalise};

/// Exit code for `review`.
const REVIEW: u8 = 3;
/// Exit code for `defer` and `block`.
const HOLD: u8 = 1;

/// What `slo gate` is asked.
#[derive(clap::Args)]
pub(crate) struct GateArgs {
    /// The /slo URL; `host:port` means `http://host:port/slo`.
    url: String,
    /// How risky the change is: low, medium or high.
    #[arg(long, value_parser = parse_risk)]
    risk: Risk,
    /// Decide over this SLO only; repeatable (default: every SLO).
    #[arg(long = "slo", value_name = "NAME")]
    slos: Vec<String>,
    /// Give up after this long in all, such as 5s or 500ms.
    #[arg(long, default_value = "5s", value_parser = crate::parse_interval)]
    timeout: Duration,
}

fn parse_risk(text: &str) -> Result<Risk, String> {
    text.parse().map_err(|e: UnknownName| e.to_string())
}

/// One SLO's decision, as the document gives it.
struct Judged<'a> {
    slo: &'a SloEntry,
    decision: Decision,
}

pub(crate) fn run(args: &GateArgs) -> ExitCode {
    let url = normalise(&args.url);
    let cannot_tell = |message: String| {
        eprintln!("slo gate: {url}: {message}; cannot tell");
        ExitCode::from(UNREACHABLE)
    };
    let document = match fetch(&url, args.timeout) {
        Ok(document) => document,
        Err(message) => return cannot_tell(message),
    };
    let (text, decision) = match decide(&document, args.risk, &args.slos) {
        Ok(decided) => decided,
        Err(message) => return cannot_tell(message),
    };
    let _ = io::stdout().lock().write_all(text.as_bytes());
    match decision {
        Decision::Approve => ExitCode::SUCCESS,
        Decision::Review => ExitCode::from(REVIEW),
        Decision::Defer | Decision::Block => ExitCode::from(HOLD),
    }
}

/// The gate's words and decision for `risk` over a document: the
/// strictest decision of the SLOs `names` (all when empty), or why there is
/// none to give.
pub(crate) fn decide(
    document: &SloDocument,
    risk: Risk,
    names: &[String],
) -> Result<(String, Decision), String> {
    let judged = judge(document, risk, names)?;
    let remaining = |j: &Judged| j.slo.error_budget.remaining_ratio.unwrap_or(f64::INFINITY);
    let (decider, decision) = strictest(judged.iter().map(|j| (j, j.decision, remaining(j))))
        .ok_or("the document has no SLO")?;
    Ok((report(document, risk, decider, &judged), decision))
}

/// Each asked-about SLO's decision for `risk`: the document's `release`.
fn judge<'a>(
    document: &'a SloDocument,
    risk: Risk,
    names: &[String],
) -> Result<Vec<Judged<'a>>, String> {
    if let Some(missing) = names
        .iter()
        .find(|name| !document.entries().any(|(slo, _)| &slo.name == *name))
    {
        return Err(format!(
            "{} has no SLO or journey named {missing:?}",
            document.service
        ));
    }
    document
        .entries()
        .map(|(slo, _)| slo)
        .filter(|slo| names.is_empty() || names.contains(&slo.name))
        .map(|slo| {
            let decision = slo
                .release
                .get(risk.as_str())
                .ok_or_else(|| {
                    format!("SLO {:?} has no release decision for {risk} risk", slo.name)
                })?
                .parse::<Decision>()
                .map_err(|e| format!("SLO {:?}: {e}", slo.name))?;
            Ok(Judged { slo, decision })
        })
        .collect()
}

fn report(document: &SloDocument, risk: Risk, decider: &Judged, judged: &[Judged]) -> String {
    let slo = decider.slo;
    let budget = slo.error_budget.remaining_ratio.map_or_else(
        || "-".to_owned(),
        |r| slo_core::format_percent(r).to_string(),
    );
    let burn: Vec<String> = ["1h", "1d"]
        .iter()
        .filter_map(|w| slo.burn(w).map(|b| format!("{w} {b:.2}")))
        .collect();
    let mut out = format!(
        "{}: {risk}-risk change to {}: decided by {} ({}, budget {budget} left, burn {})\n",
        decider.decision.as_str().to_uppercase(),
        document.service,
        slo.name,
        slo.status,
        if burn.is_empty() {
            "-".to_owned()
        } else {
            burn.join(", ")
        },
    );
    let width = judged.iter().map(|j| j.slo.name.len()).max().unwrap_or(0);
    for j in judged {
        out.push_str(&format!(
            "  {:<width$}  {:<9}  {}\n",
            j.slo.name,
            j.slo.status,
            j.decision.as_str()
        ));
    }
    out
}
