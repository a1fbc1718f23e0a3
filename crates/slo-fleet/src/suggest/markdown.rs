//! The suggestions as a table a person reads: per SLO its route, what it
//! achieved, the objective suggested, the pages and tickets the backtest
//! fired, the same for the current objective, and the targets to climb.

use std::fmt::Write as _;

use slo_core::status::SliStatus;

use super::model::{Backtest, Suggestions, precise_percent};
use crate::report::markdown_escape as escape;

fn percent(ratio: f64) -> String {
    slo_core::format_percent(ratio).to_string()
}

fn fired(backtest: &Backtest) -> String {
    format!(
        "{} / {}",
        backtest.incidents.page, backtest.incidents.ticket
    )
}

/// The suggestions as Markdown.
pub fn markdown(suggestions: &Suggestions) -> String {
    let mut out = String::with_capacity(1024 + suggestions.slos.len() * 256);
    let _ = writeln!(
        out,
        "# Suggested SLOs: {}\n\n{} to {} (UTC), from {}{}.\n\n\
         Each objective is the highest of 90, 95, 99, 99.5, 99.9, 99.95 and 99.99% \
         the SLO achieved; a latency SLO's threshold is the smallest bucket bound under \
         which 99% of its requests finished. *Pages / tickets*: the incidents its alert \
         tiers would have fired over the range, counted as `slo report` counts them.\n",
        escape(&suggestions.service),
        escape(&suggestions.from),
        escape(&suggestions.to),
        match suggestions.source.as_str() {
            "slo" => "slo_events_total".to_owned(),
            _ => "request metrics".to_owned(),
        },
        suggestions
            .convention
            .as_ref()
            .map_or_else(String::new, |c| format!(" ({})", escape(c))),
    );
    out.push_str(
        "| SLO | Route | SLI | Events | Achieved | Suggested | Pages / tickets | Current | Pages / tickets at current | Then |\n\
         |---|---|---|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for slo in &suggestions.slos {
        let sli = match slo.sli {
            SliStatus::Latency { threshold_seconds } => {
                match std::time::Duration::try_from_secs_f64(threshold_seconds) {
                    Ok(threshold) => {
                        format!("latency ≤ {}", slo_core::format_duration(threshold))
                    }
                    Err(_) => format!("latency ≤ {threshold_seconds}s"),
                }
            }
            SliStatus::Availability => "availability".to_owned(),
            SliStatus::Quality => "quality".to_owned(),
            SliStatus::Freshness { .. } => "freshness".to_owned(),
        };
        let then: Vec<String> = slo
            .progressive
            .iter()
            .map(|step| format!("{} from {}", percent(step.objective), step.from))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            escape(&slo.name),
            slo.route.as_deref().map_or_else(|| "–".to_owned(), escape),
            escape(&sli),
            slo.events.total,
            precise_percent(slo.achieved),
            percent(slo.suggested_objective),
            fired(&slo.backtest),
            slo.current
                .as_ref()
                .map_or_else(|| "–".to_owned(), |c| percent(c.objective)),
            slo.current.as_ref().map_or_else(|| "–".to_owned(), fired),
            if then.is_empty() {
                "–".to_owned()
            } else {
                escape(&then.join(", "))
            },
        );
    }
    if !suggestions.left_out.is_empty() {
        let _ = writeln!(
            out,
            "\n## Left out ({})\n\n| Route | Why |\n|---|---|",
            suggestions.left_out.len()
        );
        for left in &suggestions.left_out {
            let _ = writeln!(
                out,
                "| {} | {} |",
                escape(&left.route),
                escape(&left.reason)
            );
        }
    }
    out
}
