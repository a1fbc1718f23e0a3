//! The report's two charts as inline SVG, drawn on the server: no script,
//! no font or file to fetch.

use std::fmt::Write as _;

use super::model::SloReport;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 180.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 24.0;

struct Frame {
    low: f64,
    high: f64,
    columns: usize,
}

impl Frame {
    fn y(&self, value: f64) -> f64 {
        let span = (self.high - self.low).max(f64::EPSILON);
        let fraction = ((value - self.low) / span).clamp(0.0, 1.0);
        TOP + (1.0 - fraction) * (HEIGHT - TOP - BOTTOM)
    }

    fn column_width(&self) -> f64 {
        (WIDTH - LEFT - RIGHT) / self.columns.max(1) as f64
    }

    fn x(&self, column: f64) -> f64 {
        LEFT + column * self.column_width()
    }
}

fn open(out: &mut String, label: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}" xmlns="http://www.w3.org/2000/svg">"#
    );
}

fn axis_label(out: &mut String, frame: &Frame, value: f64, text: &str) {
    let y = frame.y(value);
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#ccc" stroke-width="0.5"/><text x="{}" y="{:.1}" text-anchor="end" font-size="10" fill="#555">{text}</text>"##,
        WIDTH - RIGHT,
        LEFT - 4.0,
        y + 3.0
    );
}

fn dates(out: &mut String, slo: &SloReport) {
    if let (Some(first), Some(last)) = (slo.daily.first(), slo.daily.last()) {
        let _ = write!(
            out,
            r##"<text x="{LEFT}" y="{}" font-size="10" fill="#555">{}</text><text x="{}" y="{}" font-size="10" fill="#555" text-anchor="end">{}</text>"##,
            HEIGHT - 8.0,
            super::html::escape(&first.date),
            WIDTH - RIGHT,
            HEIGHT - 8.0,
            super::html::escape(&last.date)
        );
    }
}

fn percent(ratio: f64) -> String {
    slo_core::format_percent(ratio).to_string()
}

/// Each day's SLI as a bar against the objective (a dashed line): red
/// where the day fell short, a gap where it had no events.
pub(crate) fn daily_sli(slo: &SloReport) -> String {
    let lowest = slo
        .daily
        .iter()
        .filter_map(|d| d.sli_value)
        .fold(slo.objective, f64::min);
    // Room below the objective of at least one budget, so that the line
    // never sits on the floor.
    let budget = 1.0 - slo.objective;
    let frame = Frame {
        low: (lowest - budget * 0.5).min(slo.objective - budget).max(0.0),
        high: 1.0,
        columns: slo.daily.len(),
    };
    let mut out = String::with_capacity(4096);
    open(&mut out, "daily SLI against the objective");
    axis_label(&mut out, &frame, 1.0, "100%");
    axis_label(&mut out, &frame, frame.low, &percent(frame.low));
    let width = frame.column_width();
    for (i, day) in slo.daily.iter().enumerate() {
        let Some(value) = day.sli_value else { continue };
        let y = frame.y(value);
        let colour = if value >= slo.objective {
            "#2e7d32"
        } else {
            "#c62828"
        };
        let _ = write!(
            out,
            r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>{} {}</title></rect>"#,
            frame.x(i as f64) + width * 0.1,
            (width * 0.8).max(0.5),
            (HEIGHT - BOTTOM - y).max(0.5),
            super::html::escape(&day.date),
            percent(value)
        );
    }
    // The objective's line, and its label in the top margin where no bar
    // can cover it.
    let y = frame.y(slo.objective);
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#1565c0" stroke-dasharray="4 3"/><text x="{}" y="8" text-anchor="end" font-size="10" fill="#1565c0">- - objective {}</text>"##,
        WIDTH - RIGHT,
        WIDTH - RIGHT,
        percent(slo.objective)
    );
    dates(&mut out, slo);
    out.push_str("</svg>");
    out
}

/// The error budget left at the end of each day, as a share of what the
/// whole range's events allowed: from 100% down to where the range ended.
pub(crate) fn burn_down(slo: &SloReport) -> String {
    let allowed = slo.error_budget.allowed_bad;
    let mut spent = 0.0;
    let mut left = Vec::with_capacity(slo.daily.len() + 1);
    left.push(1.0);
    for day in &slo.daily {
        spent += day.bad as f64;
        left.push(if allowed > 0.0 {
            1.0 - spent / allowed
        } else {
            1.0
        });
    }
    let frame = Frame {
        low: left.iter().copied().fold(0.0, f64::min),
        high: 1.0,
        columns: slo.daily.len(),
    };
    let mut out = String::with_capacity(2048);
    open(&mut out, "error budget remaining over the range");
    axis_label(&mut out, &frame, 1.0, "100%");
    axis_label(&mut out, &frame, 0.0, "0%");
    if frame.low < 0.0 {
        axis_label(&mut out, &frame, frame.low, &percent(frame.low));
    }
    let points: Vec<String> = left
        .iter()
        .enumerate()
        .map(|(i, value)| format!("{:.1},{:.1}", frame.x(i as f64), frame.y(*value)))
        .collect();
    let colour = if left.last().is_some_and(|l| *l < 0.0) {
        "#c62828"
    } else {
        "#1565c0"
    };
    let _ = write!(
        out,
        r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"#,
        points.join(" ")
    );
    dates(&mut out, slo);
    out.push_str("</svg>");
    out
}
