//! A server-rendered SVG chart of one SLO's recent hours: the burn rate over
//! the fastest page tier's long window (left axis, with the page threshold)
//! and the error budget remaining (right axis).

use std::fmt::Write;
use std::time::Duration;

use slo_core::{History, format_duration};

use super::escape::escape;

const W: f64 = 600.0;
const H: f64 = 170.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 48.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 22.0;

/// A round axis maximum at or above `value`.
fn nice_ceiling(value: f64) -> f64 {
    let value = value.max(1.0);
    let magnitude = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|v| *v >= value)
        .unwrap_or(value)
}

pub(crate) fn render(out: &mut String, history: &History, colour: &str) {
    let Some(last) = history.points.last() else {
        out.push_str("<p class=\"quiet\">No history yet.</p>");
        return;
    };
    let end = last.at.as_unix_nanos() as f64;
    let span = history.span.as_nanos() as f64;
    let start = end - span;
    let burn_max = history
        .points
        .iter()
        .filter_map(|p| p.burn_rate)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let page = history.page_burn_rate;
    let y_max = nice_ceiling((burn_max * 1.1).max(if burn_max > 3.0 { page * 1.1 } else { 2.0 }));
    let budget_min = history
        .points
        .iter()
        .map(|p| p.budget_remaining)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::min)
        .max(-10.0);
    let (plot_w, plot_h) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let x = |t: f64| LEFT + ((t - start) / span).clamp(0.0, 1.0) * plot_w;
    let y_burn = |v: f64| TOP + (1.0 - (v / y_max).clamp(0.0, 1.0)) * plot_h;
    let y_budget =
        |v: f64| TOP + (1.0 - ((v - budget_min) / (1.0 - budget_min)).clamp(0.0, 1.0)) * plot_h;
    let window = escape(&history.burn_window);
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {W} {H}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title>Burn rate over {window} and error budget remaining, last {span}</title>\
         <rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{plot_w}\" height=\"{plot_h}\" fill=\"#fbfcfd\" stroke=\"#d0d7de\"/>\
         <text x=\"{LEFT}\" y=\"14\" fill=\"{colour}\">burn rate ({window})</text>\
         <text x=\"{rx}\" y=\"14\" fill=\"#0969da\" text-anchor=\"end\">budget left</text>",
        span = format_duration(history.span),
        rx = W - 4.0,
    );
    // Axes: burn rate ticks on the left, budget on the right, time below.
    for k in 0..=4 {
        let v = y_max * f64::from(k) / 4.0;
        let _ = write!(
            out,
            "<text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\" fill=\"#59636e\">{v}</text>",
            tx = LEFT - 4.0,
            ty = y_burn(v) + 4.0,
            v = if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            },
        );
        let b = budget_min + (1.0 - budget_min) * f64::from(k) / 4.0;
        let _ = write!(
            out,
            "<text x=\"{tx}\" y=\"{ty:.1}\" fill=\"#0969da\">{p:.0}%</text>",
            tx = W - RIGHT + 4.0,
            ty = y_budget(b) + 4.0,
            p = b * 100.0,
        );
    }
    for k in 0..=5 {
        let ago = history.span.mul_f64(f64::from(5 - k) / 5.0);
        let tx = LEFT + plot_w * f64::from(k) / 5.0;
        let label = if k == 5 {
            "now".to_owned()
        } else {
            format!("−{}", format_duration(Duration::from_secs(ago.as_secs())))
        };
        let _ = write!(
            out,
            "<text x=\"{tx:.1}\" y=\"{ty}\" text-anchor=\"middle\" fill=\"#59636e\">{label}</text>",
            ty = H - 6.0,
        );
    }
    let page_label = format!("page {page}");
    for (value, label, stroke) in [
        (1.0, "1", "#8c959f"),
        (page, page_label.as_str(), "#cf222e"),
    ] {
        if value <= y_max {
            let _ = write!(
                out,
                "<line x1=\"{LEFT}\" x2=\"{x2}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{stroke}\" stroke-dasharray=\"4 3\"/>\
                 <text x=\"{tx}\" y=\"{ty:.1}\" fill=\"{stroke}\">{label}</text>",
                x2 = W - RIGHT,
                y = y_burn(value),
                tx = LEFT + 4.0,
                ty = y_burn(value) - 3.0,
            );
        }
    }
    // Budget remaining: a line on the right axis.
    let budget: Vec<String> = history
        .points
        .iter()
        .filter(|p| p.budget_remaining.is_finite())
        .map(|p| {
            format!(
                "{:.1},{:.1}",
                x(p.at.as_unix_nanos() as f64),
                y_budget(p.budget_remaining)
            )
        })
        .collect();
    if !budget.is_empty() {
        let _ = write!(
            out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\"/>",
            budget.join(" ")
        );
    }
    // Burn rate: one line per run of points that have events.
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut String| {
        if run.len() == 1 {
            let _ = write!(
                out,
                "<circle cx=\"{}\" r=\"2\" fill=\"{colour}\"/>",
                run[0].replace(',', "\" cy=\"")
            );
        } else if run.len() > 1 {
            let _ = write!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
                run.join(" ")
            );
        }
        run.clear();
    };
    for point in &history.points {
        match point.burn_rate.filter(|v| v.is_finite()) {
            Some(v) => run.push(format!(
                "{:.1},{:.1}",
                x(point.at.as_unix_nanos() as f64),
                y_burn(v)
            )),
            None => flush(&mut run, out),
        }
    }
    flush(&mut run, out);
    out.push_str("</svg>");
}

#[cfg(test)]
mod tests {
    use super::nice_ceiling;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_ceiling(0.3), 1.0);
        assert_eq!(nice_ceiling(1.7), 2.0);
        assert_eq!(nice_ceiling(15.84), 20.0);
        assert_eq!(nice_ceiling(30.0), 50.0);
        assert_eq!(nice_ceiling(120.0), 200.0);
    }
}
