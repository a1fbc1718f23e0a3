//! What the page's SLO and journey sections share: colours, numbers as
//! people read them, the burn table, the firing tiers, the release line,
//! and who owns the section with its links. Every name from a spec goes
//! through [`escape`].

use std::fmt::Write;

use slo_core::__private::escape_html as escape;
use slo_core::release::{ReleaseDecisions, Risk};
use slo_core::status::{AlertStatus, BurnRates, OwnershipStatus};
use slo_core::windows::Severity;
use slo_core::{StatusLevel, format_percent, format_seconds};

/// Colour of a status level (text on white, and the row's marker).
pub(super) fn colour(level: StatusLevel) -> &'static str {
    match level {
        StatusLevel::Healthy => "#1a7f37",
        StatusLevel::Attention => "#9a6700",
        StatusLevel::Warning => "#bc4c00",
        StatusLevel::Critical => "#cf222e",
        StatusLevel::Exhausted => "#82071e",
    }
}

/// A ratio as a percentage ([`format_percent`]), with a typographic minus.
pub(super) fn percent(ratio: f64) -> String {
    format_percent(ratio).to_string().replace('-', "−")
}

pub(super) fn rate(value: Option<f64>) -> String {
    match value {
        None => "–".into(),
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
    }
}

pub(super) fn humane(seconds: f64) -> String {
    format_seconds(seconds).map_or_else(|| "–".into(), |d| d.to_string())
}

/// `low approve · medium review · high defer`.
pub(super) fn releases(release: &ReleaseDecisions) -> String {
    Risk::ALL
        .iter()
        .map(|risk| format!("{risk} {}", release.get(*risk)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The burn rates of every window: hot where they cross a page tier's
/// rate, warm where they spend budget faster than the period allows.
pub(super) fn burn_table(out: &mut String, burn_rates: &BurnRates, alerts: &[AlertStatus]) {
    let page_rate = alerts
        .iter()
        .filter(|a| a.severity == Severity::Page)
        .map(|a| a.burn_rate_threshold)
        .fold(f64::INFINITY, f64::min);
    out.push_str("<div class=\"scroll\"><table><tr><th>burn</th>");
    for (label, _) in &burn_rates.0 {
        let _ = write!(out, "<th>{}</th>", escape(label));
    }
    out.push_str("</tr><tr><th>rate</th>");
    for (_, value) in &burn_rates.0 {
        let class = match value {
            Some(v) if *v > page_rate => " class=\"hot\"",
            Some(v) if *v > 1.0 => " class=\"warm\"",
            _ => "",
        };
        let _ = write!(out, "<td{class}>{}</td>", rate(*value));
    }
    out.push_str("</tr></table></div>");
}

/// The tiers firing now, or that none is.
pub(super) fn firing_alerts(out: &mut String, alerts: &[AlertStatus]) {
    let firing: Vec<_> = alerts.iter().filter(|a| a.firing).collect();
    if firing.is_empty() {
        out.push_str("<p class=\"quiet\">No alert firing.</p>");
        return;
    }
    out.push_str("<ul class=\"alerts\">");
    for alert in firing {
        let class = match alert.severity {
            Severity::Page => "page",
            Severity::Ticket => "ticket",
        };
        let _ = write!(
            out,
            "<li class=\"{class}\">{sev} {long}/{short} &gt; {thr}</li>",
            sev = alert.severity.as_str().to_uppercase(),
            long = escape(&alert.long_window),
            short = escape(&alert.short_window),
            thr = alert.burn_rate_threshold,
        );
    }
    out.push_str("</ul>");
}

/// Who owns the section, its tier, and its links; nothing without them.
pub(super) fn ownership(out: &mut String, ownership: &OwnershipStatus) {
    out.push_str(&slo_core::__private::ownership_html(ownership));
}

#[cfg(test)]
mod tests {
    use slo_core::release::{Decision, ReleaseDecisions};

    use super::{percent, releases};

    #[test]
    fn release_decisions_read_by_risk() {
        let release = ReleaseDecisions {
            low: Decision::Approve,
            medium: Decision::Review,
            high: Decision::Block,
        };
        assert_eq!(
            releases(&release),
            "low approve · medium review · high block"
        );
    }

    #[test]
    fn negative_percentages_get_a_typographic_minus() {
        assert_eq!(percent(-10.111), "−1011.1%");
        assert_eq!(percent(0.999), "99.9%");
    }
}
