//! The `/slo` document as an aligned table, coloured by status on a
//! terminal.

use anstyle::{AnsiColor, Style};
use slo_core::format_percent;

use super::document::{SloDocument, SloEntry};

const HEADERS: [&str; 9] = [
    "SLO",
    "STATUS",
    "SLI",
    "OBJECTIVE",
    "BUDGET LEFT",
    "BURN (page windows)",
    "EVENTS",
    "WHY BAD",
    "FIRING",
];

/// The whole output: a title line, the table, and a verdict line.
pub(crate) fn render(document: &SloDocument, color: bool) -> String {
    let rows: Vec<[String; 9]> = document
        .entries()
        .map(|(slo, journey)| row(slo, journey))
        .collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = format!("{} at {}\n", document.service, document.now);
    out.push_str(&line(
        &HEADERS.map(str::to_owned),
        &widths,
        |_| Style::new().bold(),
        color,
    ));
    for ((slo, _), row) in document.entries().zip(&rows) {
        let status_style = style_for(slo);
        out.push_str(&line(
            row,
            &widths,
            |column| match column {
                1 => status_style,
                8 if slo.pages() => AnsiColor::Red.on_default().bold(),
                _ => Style::new(),
            },
            color,
        ));
    }
    let paging: Vec<&str> = document
        .entries()
        .filter(|(s, _)| s.pages())
        .map(|(s, _)| s.name.as_str())
        .collect();
    if paging.is_empty() {
        out.push_str("no page alert firing\n");
    } else {
        out.push_str(&format!("PAGE: {}\n", paging.join(", ")));
    }
    out
}

fn line(
    cells: &[String; 9],
    widths: &[usize; 9],
    style: impl Fn(usize) -> Style,
    color: bool,
) -> String {
    let mut out = String::new();
    for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
        let pad = width - cell.chars().count();
        let style = if color { style(i) } else { Style::new() };
        // Text columns align left, numbers right.
        let right = matches!(i, 2..=4 | 6);
        if right {
            out.push_str(&" ".repeat(pad));
        }
        out.push_str(&format!("{style}{cell}{style:#}"));
        if i + 1 < cells.len() {
            if !right {
                out.push_str(&" ".repeat(pad));
            }
            out.push_str("  ");
        }
    }
    out.push('\n');
    out
}

fn style_for(slo: &SloEntry) -> Style {
    match slo.status.as_str() {
        "healthy" => AnsiColor::Green.on_default(),
        "attention" | "warning" => AnsiColor::Yellow.on_default(),
        _ => AnsiColor::Red.on_default().bold(),
    }
}

/// One row; a journey's name says that it is one, and it has no events
/// or reasons of its own.
fn row(slo: &SloEntry, journey: bool) -> [String; 9] {
    let burns: Vec<String> = slo
        .alerts
        .iter()
        .filter(|a| a.severity == "page")
        .map(|a| {
            let value = slo
                .burn(&a.long_window)
                .map_or_else(|| "-".to_owned(), |b| format!("{b:.2}"));
            format!("{} {value}", a.long_window)
        })
        .collect();
    let firing: Vec<String> = slo
        .alerts
        .iter()
        .filter(|a| a.firing)
        .map(|a| format!("{} {}/{}", a.severity, a.long_window, a.short_window))
        .chain(
            slo.budget_alerts
                .iter()
                .filter(|a| a.firing)
                .map(|a| format!("{} {}", a.severity, a.condition)),
        )
        .collect();
    [
        if journey {
            format!("{} (journey)", slo.name)
        } else {
            slo.name.clone()
        },
        slo.status.clone(),
        slo.sli_value.map_or_else(|| "-".to_owned(), percent),
        percent(slo.objective),
        budget_left(slo),
        burns.join("  "),
        slo.events
            .as_ref()
            .map_or_else(|| "-".to_owned(), |e| e.total.to_string()),
        slo.why_bad(),
        if firing.is_empty() {
            "-".to_owned()
        } else {
            firing.join(", ")
        },
    ]
}

/// The budget left, and over how long it was computed while the windows
/// hold less than the period: `99.93% (over the 1m25s seen of 30d)`.
fn budget_left(slo: &SloEntry) -> String {
    let Some(remaining) = slo.error_budget.remaining_ratio else {
        return "-".to_owned();
    };
    let (coverage, period) = (slo.coverage_ratio, slo.period_seconds);
    if coverage < 1.0 && period > 0.0 {
        format!(
            "{} (over the {} seen of {})",
            percent(remaining),
            seconds(coverage * period),
            seconds(period)
        )
    } else {
        percent(remaining)
    }
}

fn seconds(value: f64) -> String {
    slo_core::format_seconds(value).map_or_else(|| "-".to_owned(), |d| d.to_string())
}

fn percent(ratio: f64) -> String {
    format_percent(ratio).to_string()
}
