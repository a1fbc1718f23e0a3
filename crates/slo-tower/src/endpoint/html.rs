//! The `/slo` page: one self-contained document (no scripts, fonts or
//! images from elsewhere) that an on-call engineer reads in seconds. Every
//! name from a spec goes through [`escape`].

use std::fmt::Write;
use std::time::Duration;

use slo_core::status::{SliStatus, SloStatus};
use slo_core::{History, ServiceStatus, StatusLevel, format_duration};

use super::chart;
use super::parts::{burn_table, colour, firing_alerts, humane, ownership, percent, releases};
use slo_core::__private::escape_html as escape;

fn severity_rank(level: StatusLevel) -> u8 {
    match level {
        StatusLevel::Healthy => 0,
        StatusLevel::Attention => 1,
        StatusLevel::Warning => 2,
        StatusLevel::Critical => 3,
        StatusLevel::Exhausted => 4,
    }
}

/// `25 days`, `1 day`, or under a day its hours and minutes.
fn days_to_go(seconds: f64) -> String {
    let days = (seconds / 86_400.0).floor();
    match days {
        d if d >= 2.0 => format!("{d:.0} days"),
        d if d >= 1.0 => "1 day".to_owned(),
        _ => humane((seconds / 60.0).floor() * 60.0),
    }
}

const STYLE: &str = "\
body{font:15px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#f6f8fa;color:#1f2328}\
header{padding:14px 24px;background:#fff;border-bottom:1px solid #d0d7de;display:flex;gap:24px;align-items:baseline;flex-wrap:wrap}\
h1{font-size:20px;margin:0}.meta,.release{color:#59636e}\
.overall{font-weight:700;padding:2px 10px;border-radius:12px;color:#fff}\
main{padding:16px 24px;display:flex;flex-direction:column;gap:14px}\
.slo{background:#fff;border:1px solid #d0d7de;border-left:8px solid var(--c);border-radius:6px;padding:12px 16px;display:grid;grid-template-columns:minmax(260px,1fr) minmax(300px,620px);gap:8px 24px}\
.slo>div{min-width:0}.scroll{overflow-x:auto;max-width:100%}\
.recent{grid-column:1/-1}.recent summary{cursor:pointer;color:#59636e;font-size:13px}\
.recent td,.recent th{text-align:left;white-space:nowrap;font-size:13px}.recent code{font-size:12px}\
.name{font-size:17px;font-weight:700;margin:0}.desc,.owner{color:#59636e;margin:0}\
.level{color:var(--c);font-weight:700;text-transform:uppercase;font-size:13px;letter-spacing:.04em}\
.sli{font-size:22px;font-weight:700}.sli small{font-size:14px;font-weight:400;color:#59636e}\
.bar{height:12px;background:#eaeef2;border-radius:6px;overflow:hidden;margin:4px 0}\
.bar span{display:block;height:100%;background:var(--c)}\
table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin-top:6px}\
th,td{padding:2px 8px;text-align:right;border-bottom:1px solid #eaeef2}th{color:#59636e;font-weight:600}\
td.hot{color:#cf222e;font-weight:700}td.warm{color:#9a6700}\
.alerts{margin:6px 0 0;padding:0;list-style:none;display:flex;gap:6px;flex-wrap:wrap}\
.alerts li{padding:2px 8px;border-radius:10px;font-size:13px;font-weight:700}\
.page{background:#cf222e;color:#fff}.ticket{background:#fff8c5;color:#6b4c00;border:1px solid #d4a72c}\
.quiet,.seen{color:#59636e;font-size:13px}\
svg{width:100%;height:auto;font:11px system-ui,sans-serif}\
footer{padding:0 24px 16px;color:#59636e;font-size:13px}\
@media (max-width:720px){header{padding:12px;gap:8px 16px}main{padding:12px 8px}\
.slo{grid-template-columns:minmax(0,1fr);padding:10px 12px}footer{padding:0 12px 12px}}";

/// The whole page for `status`, with each SLO's history (same order).
pub(crate) fn page(
    status: &ServiceStatus,
    histories: &[Option<History>],
    trace_url: Option<&str>,
) -> String {
    let mut out = String::with_capacity(4096 + status.slos.len() * 4096);
    let journeys = status.journeys.iter();
    let worst = status
        .slos
        .iter()
        .map(|s| s.status)
        .chain(journeys.clone().map(|j| j.status))
        .max_by_key(|l| severity_rank(*l))
        .unwrap_or(StatusLevel::Healthy);
    let firing = status
        .slos
        .iter()
        .flat_map(|s| &s.alerts)
        .chain(journeys.flat_map(|j| &j.alerts))
        .filter(|a| a.firing)
        .count();
    let service = escape(&status.service);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"15\">\
         <title>{service} — SLOs: {worst}</title><style>{STYLE}</style></head><body>\
         <header><h1>{service}</h1>\
         <span class=\"overall\" style=\"background:{bg}\">{worst_up}</span>\
         <span class=\"meta\">{firing} alert{s} firing · {n} SLO{ns}{journeys} · {now} · up {uptime}{history}</span>\
         <span class=\"release\">releases: {release}</span></header><main>",
        worst = worst.as_str(),
        release = releases(&status.release),
        bg = colour(worst),
        worst_up = worst.as_str().to_uppercase(),
        s = if firing == 1 { "" } else { "s" },
        n = status.slos.len(),
        ns = if status.slos.len() == 1 { "" } else { "s" },
        journeys = match status.journeys.len() {
            0 => String::new(),
            1 => " · 1 journey".to_owned(),
            n => format!(" · {n} journeys"),
        },
        now = escape(&status.now),
        uptime = humane(status.uptime_seconds),
        history = if status.history.sources.is_empty() {
            String::new()
        } else {
            format!(
                " · history since {} from {}",
                escape(&status.history.since),
                escape(&status.history.sources.join(", ").replace('_', " "))
            )
        },
    );
    if status.slos.is_empty() {
        out.push_str("<p class=\"quiet\">No SLOs are defined.</p>");
    }
    super::journeys::render(&mut out, &status.journeys);
    for (i, slo) in status.slos.iter().enumerate() {
        slo_row(
            &mut out,
            slo,
            &status.now,
            histories.get(i).and_then(Option::as_ref),
            trace_url,
        );
    }
    out.push_str(
        "</main><footer>Numbers cover what the windows hold: this process's events since it \
         started, plus any history restored at start (coverage shows how much \
         of each period it has seen). Refreshes every 15 s. \
         <a href=\"?format=json\">JSON</a></footer></body></html>\n",
    );
    out
}

fn slo_row(
    out: &mut String,
    slo: &SloStatus,
    now: &str,
    history: Option<&History>,
    trace_url: Option<&str>,
) {
    let c = colour(slo.status);
    let name = escape(&slo.name);
    let sli_kind = match slo.sli {
        SliStatus::Availability => "availability".to_owned(),
        SliStatus::Quality => "quality".to_owned(),
        SliStatus::Freshness { threshold_seconds } => format!(
            "freshness ≤ {}",
            format_duration(Duration::from_secs_f64(threshold_seconds.max(0.0)))
        ),
        SliStatus::Latency { threshold_seconds } => format!(
            "latency ≤ {}",
            format_duration(Duration::from_secs_f64(threshold_seconds.max(0.0)))
        ),
    };
    let _ = write!(
        out,
        "<section class=\"slo\" style=\"--c:{c}\" id=\"slo-{name}\"><div>\
         <p class=\"level\">{level}</p><h2 class=\"name\">{name}</h2>",
        level = slo.status.as_str(),
    );
    if let Some(description) = &slo.description {
        let _ = write!(out, "<p class=\"desc\">{}</p>", escape(description));
    }
    ownership(out, &slo.ownership);
    let sli_value = slo.sli_value.map_or("no events yet".to_owned(), percent);
    let _ = write!(
        out,
        "<p class=\"sli\">{sli_value} <small>{sli_kind} · objective {objective} over {period}</small></p>",
        objective = percent(slo.objective),
        period = humane(slo.period_seconds),
    );
    let remaining = slo.error_budget.remaining_ratio;
    // A calendar period says which one it is and how long it has to go.
    if let Some(calendar) = &slo.calendar
        && let (Some(name), Some(left)) = (calendar.name(), calendar.seconds_left(now))
    {
        let _ = write!(
            out,
            "<p class=\"calendar\">{}: {} of the budget left, {} to go</p>",
            escape(&name),
            percent(remaining),
            days_to_go(left),
        );
    }
    let width = (remaining.clamp(0.0, 1.0) * 100.0).round();
    let _ = write!(
        out,
        "<div>Error budget left: <b>{left}</b>{seen}{eta}</div>\
         <div class=\"bar\" title=\"error budget remaining\"><span style=\"width:{width}%\"></span></div>\
         <div class=\"quiet\">{good} good · {bad} bad · {coverage} of the period seen</div>\
         <div class=\"quiet release\">releases: {release}</div>",
        left = percent(remaining),
        // Before a whole period is seen, say over how long the budget was
        // computed (semantics: error budget).
        seen = if slo.coverage_ratio < 1.0 {
            format!(
                " <span class=\"seen\">over the {} seen of {}</span>",
                humane(slo.coverage_ratio * slo.period_seconds),
                humane(slo.period_seconds)
            )
        } else {
            String::new()
        },
        eta = match (slo.error_budget.exhaustion_seconds, slo.alerts.first()) {
            (Some(s), Some(fastest)) => format!(
                " · runs out in {} at the {} burn rate",
                humane(s),
                escape(&fastest.long_window)
            ),
            _ => String::new(),
        },
        good = slo.events.good,
        bad = slo.events.bad,
        coverage = percent(slo.coverage_ratio),
        release = releases(&slo.release),
    );
    why_bad(out, slo);
    burn_table(out, &slo.burn_rates, &slo.alerts);
    firing_alerts(out, &slo.alerts);
    out.push_str("</div><div>");
    match history {
        Some(history) => chart::render(out, history, c),
        None => out.push_str("<p class=\"quiet\">No history.</p>"),
    }
    out.push_str("</div>");
    recent_bad(out, slo, trace_url);
    out.push_str("</section>");
}

/// Why the period's bad events were bad: each reason with its count and
/// share, most first, so that someone on call sees at once whether the
/// budget goes to errors, slowness or clients.
fn why_bad(out: &mut String, slo: &SloStatus) {
    let total = slo.bad_reasons.total();
    if total == 0 {
        return;
    }
    let mut reasons: Vec<_> = slo.bad_reasons.nonzero().collect();
    // Most first; a tie in the reasons' own order (the sort is stable).
    reasons.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    out.push_str("<div class=\"quiet reasons\">bad by reason: ");
    for (i, (reason, count)) in reasons.iter().enumerate() {
        if i > 0 {
            out.push_str(" · ");
        }
        let _ = write!(
            out,
            "<span data-reason=\"{name}\">{label} <b>{count}</b> ({share})</span>",
            name = reason.as_str(),
            label = reason.as_str().replace('_', " "),
            share = percent(*count as f64 / total as f64),
        );
    }
    out.push_str("</div>");
}

/// The SLO's most recent bad events, newest first: a compact table under
/// both columns, open while any is listed.
fn recent_bad(out: &mut String, slo: &SloStatus, trace_url: Option<&str>) {
    if slo.recent_bad.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<details class=\"recent\" open><summary>Recent bad events ({})</summary>\
         <div class=\"scroll\"><table><tr><th>time</th><th>request</th><th>status</th>\
         <th>latency</th><th>reason</th><th>trace</th></tr>",
        slo.recent_bad.len()
    );
    for event in &slo.recent_bad {
        // The time of day; the date is in the page's header.
        let time = event
            .at
            .split_once('T')
            .map_or(event.at.as_str(), |(_, t)| t);
        let request = match (&event.method, &event.route) {
            (Some(m), Some(r)) => format!("{} {}", escape(m), escape(r)),
            (Some(m), None) => escape(m),
            (None, Some(r)) => escape(r),
            (None, None) => "–".into(),
        };
        let status = match (event.status, event.grpc_status) {
            (Some(s), Some(g)) => format!("{s} · grpc {g}"),
            (Some(s), None) => s.to_string(),
            (None, Some(g)) => format!("grpc {g}"),
            (None, None) => "–".into(),
        };
        let latency = event
            .latency_seconds
            .map_or_else(|| "–".into(), |s| format!("{:.1} ms", s * 1e3));
        let trace = match (&event.trace_id, trace_url) {
            (Some(id), Some(template)) => format!(
                "<a href=\"{}\"><code>{}</code></a>",
                escape(&template.replace("{trace_id}", id)),
                escape(id)
            ),
            (Some(id), None) => format!("<code>{}</code>", escape(id)),
            (None, _) => "–".into(),
        };
        let _ = write!(
            out,
            "<tr><td>{time}</td><td>{request}</td><td>{status}</td><td>{latency}</td><td>{reason}</td><td>{trace}</td></tr>",
            time = escape(time.trim_end_matches('Z')),
            reason = escape(&event.reason.replace('_', " ")),
        );
    }
    out.push_str("</table></div></details>");
}
