//! The report as Markdown that pastes into a pull request or a wiki:
//! tables only (GitHub, GitLab and most wikis render them), each SLO's
//! days folded away.

use std::fmt::Write as _;

use slo_core::spec::is_web_url;
use slo_core::status::OwnershipStatus;

use super::model::{JourneyReport, Report, SloReport, percent, sli};

/// `text` with Markdown's markup characters escaped, and `|` so that it
/// stays in its table cell; line breaks become spaces.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

/// One sentence on the whole report: how many met, the worst, the pages.
pub(crate) fn headline(report: &Report) -> String {
    let total = report.slos.len();
    let met = report.met();
    let incidents = |severity: &str| {
        report
            .slos
            .iter()
            .flat_map(|s| &s.incidents)
            .filter(|i| i.severity == severity)
            .count()
    };
    let (pages, tickets) = (incidents("page"), incidents("ticket"));
    let mut text = format!("{met} of {total} SLOs met their objective.");
    let worst = report.slos.iter().max_by(|a, b| {
        a.error_budget
            .consumed_ratio
            .total_cmp(&b.error_budget.consumed_ratio)
    });
    if let Some(worst) = worst.filter(|w| w.error_budget.consumed_ratio > 0.0) {
        let _ = write!(
            text,
            " Most budget used: {} ({} of its budget, SLI {}).",
            worst.name,
            percent(worst.error_budget.consumed_ratio),
            sli(worst.sli_value)
        );
    }
    let _ = write!(
        text,
        " {pages} paging and {tickets} ticket incident{}.",
        if pages + tickets == 1 { "" } else { "s" }
    );
    text
}

/// The report as Markdown.
pub fn markdown(report: &Report) -> String {
    let mut out = String::with_capacity(4096 + report.slos.len() * 4096);
    let _ = writeln!(
        out,
        "# SLO report: {}\n\n{} to {} (UTC)\n\n{}\n",
        escape(&report.service),
        escape(&report.from),
        escape(&report.to),
        escape(&headline(report))
    );
    out.push_str("| SLO | Objective | SLI | Result | Budget used | Events | Incidents | Trend | Recommendation |\n|---|---:|---:|---|---:|---:|---:|---|---|\n");
    for slo in &report.slos {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            escape(&slo.name),
            percent(slo.objective),
            sli(slo.sli_value),
            verdict(slo.met),
            percent(slo.error_budget.consumed_ratio),
            slo.events.total,
            slo.incidents.len(),
            slo.trend.as_str(),
            slo.recommendation.as_str().replace('_', " "),
        );
    }
    priorities(&mut out, report);
    for slo in &report.slos {
        section(&mut out, slo);
    }
    if !report.journeys.is_empty() {
        out.push_str("\n## Journeys\n\nA journey's SLI is the product of its steps' SLIs: every step must succeed.\n\n| Journey | Steps | Objective | SLI | Result | Budget used | Incidents |\n|---|---|---:|---:|---|---:|---:|\n");
        for journey in &report.journeys {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                escape(&journey.name),
                escape(&journey.steps.join(" → ")),
                percent(journey.objective),
                sli(journey.sli_value),
                verdict(journey.met),
                percent(journey.budget_consumed_ratio),
                journey.incidents.len()
            );
        }
        for journey in &report.journeys {
            journey_section(&mut out, journey);
        }
    }
    out
}

/// The missed SLOs, ranked by budget overspent times traffic.
pub(crate) fn priorities(out: &mut String, report: &Report) {
    let priorities = report.priorities();
    if priorities.is_empty() {
        return;
    }
    out.push_str("\n## Prioritize reliability work\n\nThe missed SLOs, by how far over budget they went times their traffic.\n\n| Rank | SLO | Owner | Budget used | Events | Overspent × events |\n|---:|---|---|---:|---:|---:|\n");
    for (rank, (slo, score)) in priorities.iter().enumerate() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {score:.0} |",
            rank + 1,
            escape(&slo.name),
            slo.ownership
                .owner
                .as_deref()
                .map_or_else(|| "–".to_owned(), escape),
            percent(slo.error_budget.consumed_ratio),
            slo.events.total,
        );
    }
}

fn journey_section(out: &mut String, journey: &JourneyReport) {
    let _ = writeln!(
        out,
        "\n### Journey {}: {}\n{}",
        escape(&journey.name),
        verdict(journey.met),
        ownership(&journey.ownership)
    );
    if journey.incidents.is_empty() {
        out.push_str("\nNo incidents: no alert tier's condition held in this range.\n");
    } else {
        let _ = writeln!(
            out,
            "\n| Start | End | Severity | Windows | Peak burn rate | Steps' bad events |\n|---|---|---|---|---:|---:|"
        );
        for incident in &journey.incidents {
            let _ = writeln!(out, "| {} |", incident.cells(escape).join(" | "));
        }
    }
    out.push_str("\n<details><summary>Each day</summary>\n\n| Date | SLI |\n|---|---:|\n");
    for day in &journey.daily {
        let _ = writeln!(out, "| {} | {} |", escape(&day.date), sli(day.sli_value));
    }
    out.push_str("\n</details>\n");
}

/// `Owner payments · tier critical · [runbook](<url>) · …` and a blank
/// line; nothing when the spec gives none. Only web URLs become links.
fn ownership(ownership: &OwnershipStatus) -> String {
    let mut items: Vec<String> = Vec::new();
    if let Some(owner) = &ownership.owner {
        items.push(format!("Owner **{}**", escape(owner)));
    }
    if let Some(tier) = ownership.tier {
        items.push(format!("tier {}", escape(tier.as_str())));
    }
    for (key, value) in &ownership.annotations {
        // A web URL has no spaces, quotes or angle brackets: it fits in
        // `<…>` as a link destination whatever else it holds.
        items.push(match key.as_str() {
            "runbook" | "dashboard" if is_web_url(value) => format!("[{key}](<{value}>)"),
            _ if is_web_url(value) => format!("{}: <{value}>", escape(key)),
            _ => format!("{}: {}", escape(key), escape(value)),
        });
    }
    if items.is_empty() {
        String::new()
    } else {
        format!("\n{}\n", items.join(" · "))
    }
}

fn section(out: &mut String, slo: &SloReport) {
    let _ = writeln!(
        out,
        "\n## {}: {}\n{}\n| Objective | SLI | Good | Bad | Total | Bad allowed | Budget used | Budget left |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n| {} |",
        escape(&slo.name),
        verdict(slo.met),
        ownership(&slo.ownership),
        slo.figures().join(" | "),
    );
    if slo.incidents.is_empty() {
        out.push_str("\nNo incidents: no alert tier's condition held in this range.\n");
    } else {
        let _ = writeln!(
            out,
            "\n### Incidents ({})\n\n| Start | End | Severity | Windows | Peak burn rate | Bad events |\n|---|---|---|---|---:|---:|",
            slo.incidents.len()
        );
        for incident in &slo.incidents {
            let _ = writeln!(out, "| {} |", incident.cells(escape).join(" | "));
        }
    }
    out.push_str("\n<details><summary>Each day</summary>\n\n| Date | Good | Bad | SLI |\n|---|---:|---:|---:|\n");
    for day in &slo.daily {
        let _ = writeln!(out, "| {} |", day.cells(escape).join(" | "));
    }
    out.push_str("\n</details>\n");
}
