//! The journeys on the `/slo` page, above the SLOs: a user's path is what
//! someone on call is asked about first, and each names the steps (links
//! to their sections) that make it up.

use std::fmt::Write;

use slo_core::__private::escape_html as escape;
use slo_core::status::JourneyStatus;

use super::parts::{burn_table, colour, firing_alerts, humane, ownership, percent, releases};

/// Every journey's section; nothing without journeys.
pub(super) fn render(out: &mut String, journeys: &[JourneyStatus]) {
    for journey in journeys {
        section(out, journey);
    }
}

fn section(out: &mut String, journey: &JourneyStatus) {
    let name = escape(&journey.name);
    let _ = write!(
        out,
        "<section class=\"slo journey\" style=\"--c:{c}\" id=\"journey-{name}\"><div>\
         <p class=\"level\">{level} · journey</p><h2 class=\"name\">{name}</h2>",
        c = colour(journey.status),
        level = journey.status.as_str(),
    );
    if let Some(description) = &journey.description {
        let _ = write!(out, "<p class=\"desc\">{}</p>", escape(description));
    }
    ownership(out, &journey.ownership);
    let steps: Vec<String> = journey
        .steps
        .iter()
        .map(|step| {
            let step = escape(step);
            format!("<a href=\"#slo-{step}\">{step}</a>")
        })
        .collect();
    let sli = journey
        .sli_value
        .map_or("no events yet".to_owned(), percent);
    let remaining = journey.error_budget.remaining_ratio;
    let _ = write!(
        out,
        "<p class=\"sli\">{sli} <small>every step good · objective {objective} over {period}</small></p>\
         <p class=\"steps\">steps: {steps}</p>\
         <div>Error budget left: <b>{left}</b>{seen}</div>\
         <div class=\"bar\" title=\"error budget remaining\"><span style=\"width:{width}%\"></span></div>\
         <div class=\"quiet release\">releases: {release}</div>",
        objective = percent(journey.objective),
        period = humane(journey.period_seconds),
        steps = steps.join(" → "),
        left = percent(remaining),
        seen = if journey.coverage_ratio < 1.0 {
            format!(
                " <span class=\"seen\">over the {} seen of {}</span>",
                humane(journey.coverage_ratio * journey.period_seconds),
                humane(journey.period_seconds)
            )
        } else {
            String::new()
        },
        width = (remaining.clamp(0.0, 1.0) * 100.0).round(),
        release = releases(&journey.release),
    );
    burn_table(out, &journey.burn_rates, &journey.alerts);
    firing_alerts(out, &journey.alerts);
    out.push_str("</div></section>");
}
