//! The weekly review in Markdown: each SLO's status as green,
//! yellow or red with its owner, budget, trend and incidents; the release
//! decisions its level allows per risk; the work to prioritize; and a
//! checklist of what the meeting decides.

use std::fmt::Write as _;

use slo_core::release::Risk;
use slo_core::spec::next_objective;
use slo_core::{Spec, StatusLevel};

use super::markdown::{escape, priorities};
use super::model::{Report, SloReport, percent, sli};
use super::recommend::Recommendation;

/// An SLO's colour in the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStatus {
    /// Met, with more than a quarter of its budget left.
    Green,
    /// Met, but with a quarter of its budget or less left.
    Yellow,
    /// Missed.
    Red,
}

/// The share of the budget whose use turns a met SLO yellow.
const YELLOW_FROM: f64 = 0.75;

impl ReviewStatus {
    /// The status of `slo` in its report.
    pub fn of(slo: &SloReport) -> ReviewStatus {
        if !slo.met {
            ReviewStatus::Red
        } else if slo.error_budget.consumed_ratio >= YELLOW_FROM {
            ReviewStatus::Yellow
        } else {
            ReviewStatus::Green
        }
    }

    fn shown(self) -> &'static str {
        match self {
            ReviewStatus::Green => "🟢 green",
            ReviewStatus::Yellow => "🟡 yellow",
            ReviewStatus::Red => "🔴 red",
        }
    }
}

/// The level an SLO ends the range at: its budget left over the range and
/// its burn rate over the range's last day with events, as `/slo`
/// classifies them; what the release policy reads.
fn level(slo: &SloReport) -> StatusLevel {
    let budget = slo_core::spec::error_budget(slo.objective);
    let burn = slo
        .daily
        .iter()
        .rev()
        .find_map(|day| day.sli_value)
        .map(|sli| (1.0 - sli) / budget);
    StatusLevel::classify(slo.error_budget.remaining_ratio, burn)
}

/// Pages and tickets of an SLO's incidents.
fn incident_counts(slo: &SloReport) -> (usize, usize) {
    let pages = slo
        .incidents
        .iter()
        .filter(|i| i.severity == "page")
        .count();
    (pages, slo.incidents.len() - pages)
}

/// The review of `report`, made with `spec` (its release policy).
pub fn review(report: &Report, spec: &Spec) -> String {
    let mut out = String::with_capacity(4096 + report.slos.len() * 512);
    let _ = writeln!(
        out,
        "# SLO review: {}\n\n{} to {} (UTC). {}\n",
        escape(&report.service),
        escape(&report.from),
        escape(&report.to),
        escape(&super::markdown::headline(report)),
    );
    out.push_str(
        "## Status\n\n🟢 met with more than a quarter of the budget left · 🟡 met, a quarter or less left · 🔴 missed. \
         Trend: the SLI against the range of the same length just before.\n\n\
         | Status | SLO | Owner | Tier | Objective | SLI | Budget left | Trend | Pages | Tickets | Recommendation |\n\
         |---|---|---|---|---:|---:|---:|---|---:|---:|---|\n",
    );
    for slo in &report.slos {
        let (pages, tickets) = incident_counts(slo);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {pages} | {tickets} | {} |",
            ReviewStatus::of(slo).shown(),
            escape(&slo.name),
            slo.ownership
                .owner
                .as_deref()
                .map_or_else(|| "–".to_owned(), escape),
            slo.ownership
                .tier
                .map_or_else(|| "–".to_owned(), |t| escape(t.as_str())),
            percent(slo.objective),
            sli(slo.sli_value),
            percent(slo.error_budget.remaining_ratio),
            slo.trend.as_str(),
            slo.recommendation.as_str().replace('_', " "),
        );
    }
    release_decisions(&mut out, report, spec);
    incidents(&mut out, report);
    priorities(&mut out, report);
    checklist(&mut out, report);
    out
}

/// Per SLO, the level it ends at and what a change of each risk may do.
fn release_decisions(out: &mut String, report: &Report, spec: &Spec) {
    out.push_str(
        "\n## Release decisions\n\nWhat the release policy allows a change of each risk, at the level each SLO ends the range at.\n\n| SLO | Level | low | medium | high |\n|---|---|---|---|---|\n",
    );
    let policy = spec.release_policy();
    let mut strictest = [slo_core::release::Decision::Approve; 3];
    for slo in &report.slos {
        let level = level(slo);
        let decisions = policy.decisions(level);
        let cells: Vec<String> = Risk::ALL
            .iter()
            .enumerate()
            .map(|(i, risk)| {
                let decision = decisions.get(*risk);
                strictest[i] = strictest[i].max(decision);
                decision.as_str().to_owned()
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            escape(&slo.name),
            level.as_str(),
            cells.join(" | ")
        );
    }
    let _ = writeln!(
        out,
        "| **the service** | | **{}** | **{}** | **{}** |",
        strictest[0].as_str(),
        strictest[1].as_str(),
        strictest[2].as_str()
    );
}

/// Every incident of the range, by SLO.
fn incidents(out: &mut String, report: &Report) {
    let count: usize = report.slos.iter().map(|s| s.incidents.len()).sum();
    let _ = writeln!(out, "\n## Incidents ({count})\n");
    if count == 0 {
        out.push_str("No alert tier's condition held this range.\n");
        return;
    }
    out.push_str("| SLO | Start | End | Severity | Windows | Peak burn rate | Bad events |\n|---|---|---|---|---|---:|---:|\n");
    for slo in &report.slos {
        for incident in &slo.incidents {
            let _ = writeln!(
                out,
                "| {} | {} |",
                escape(&slo.name),
                incident.cells(escape).join(" | ")
            );
        }
    }
}

/// What the meeting decides, one box each.
fn checklist(out: &mut String, report: &Report) {
    out.push_str("\n## Checklist\n\n");
    for (slo, _) in report.priorities() {
        let owner = slo
            .ownership
            .owner
            .as_deref()
            .map_or_else(|| "no owner yet".to_owned(), escape);
        let _ = writeln!(
            out,
            "- [ ] **{}** ({owner}) missed its objective, {} of its budget used: agree on the reliability work that comes before new features.",
            escape(&slo.name),
            percent(slo.error_budget.consumed_ratio)
        );
    }
    for slo in &report.slos {
        let name = escape(&slo.name);
        if slo.recommendation == Recommendation::Tighten {
            let next = next_objective(slo.objective)
                .map_or_else(String::new, |n| format!(" to {}", percent(n)));
            let _ = writeln!(
                out,
                "- [ ] **{name}** kept at least 75% of its budget two ranges running: decide whether to tighten it from {}{next}.",
                percent(slo.objective)
            );
        }
        if slo.met && ReviewStatus::of(slo) == ReviewStatus::Yellow {
            let _ = writeln!(
                out,
                "- [ ] **{name}** met its objective with {} of its budget left (trend: {}): decide whether to slow down risky changes.",
                percent(slo.error_budget.remaining_ratio),
                slo.trend.as_str()
            );
        }
        let (pages, _) = incident_counts(slo);
        if pages > 0 {
            let _ = writeln!(
                out,
                "- [ ] **{name}** paged {pages} time{}: link each postmortem, and check its runbook{}.",
                if pages == 1 { "" } else { "s" },
                slo.ownership
                    .runbook()
                    .filter(|url| slo_core::spec::is_web_url(url))
                    .map_or_else(String::new, |url| format!(" (<{url}>)"))
            );
        }
        if slo.ownership.owner.is_none() {
            let _ = writeln!(
                out,
                "- [ ] **{name}** has no owner: name the team its pages go to (`owner` in the spec)."
            );
        }
    }
    out.push_str("- [ ] Check next week's planned releases against the release decisions above.\n");
}
