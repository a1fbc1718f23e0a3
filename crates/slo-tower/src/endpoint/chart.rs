//! A server-rendered SVG chart of one SLO's recent hours: the burn rate over
//! the fastest page tier's long window (left axis, with the page threshold)
//! and the error budget remaining (right axis).

use std::time::Duration;

use slo_core::__private::svg::{Anchor, Frame, Svg, nice_ceiling};
use slo_core::{History, format_duration};

/// 600 × 170, with room for both axes' labels and the time below.
const FRAME: Frame = Frame::new(600.0, 170.0, [40.0, 48.0, 22.0, 22.0]);

const GREY: &str = "#59636e";
const BLUE: &str = "#0969da";

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
    let x = |t: f64| FRAME.x((t - start) / span);
    let y_burn = |v: f64| FRAME.y_of(v, 0.0, y_max);
    let y_budget = |v: f64| FRAME.y_of(v, budget_min, 1.0);
    let window = &history.burn_window;
    let mut svg = Svg::open(
        FRAME,
        None,
        &format!(
            "Burn rate over {window} and error budget remaining, last {}",
            format_duration(history.span)
        ),
    );
    svg.plot_area("#fbfcfd", "#d0d7de");
    svg.text(
        FRAME.left,
        14.0,
        Anchor::Start,
        colour,
        None,
        &format!("burn rate ({window})"),
    );
    svg.text(
        FRAME.width - 4.0,
        14.0,
        Anchor::End,
        BLUE,
        None,
        "budget left",
    );
    // Axes: burn rate ticks on the left, budget on the right, time below.
    for k in 0..=4 {
        let v = y_max * f64::from(k) / 4.0;
        let label = if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        };
        svg.text(
            FRAME.left - 4.0,
            y_burn(v) + 4.0,
            Anchor::End,
            GREY,
            None,
            &label,
        );
        let b = budget_min + (1.0 - budget_min) * f64::from(k) / 4.0;
        svg.text(
            FRAME.width - FRAME.right + 4.0,
            y_budget(b) + 4.0,
            Anchor::Start,
            BLUE,
            None,
            &format!("{:.0}%", b * 100.0),
        );
    }
    for k in 0..=5 {
        let ago = history.span.mul_f64(f64::from(5 - k) / 5.0);
        let label = if k == 5 {
            "now".to_owned()
        } else {
            format!("−{}", format_duration(Duration::from_secs(ago.as_secs())))
        };
        svg.text(
            FRAME.x(f64::from(k) / 5.0),
            FRAME.height - 6.0,
            Anchor::Middle,
            GREY,
            None,
            &label,
        );
    }
    let page_label = format!("page {page}");
    for (value, label, stroke) in [
        (1.0, "1", "#8c959f"),
        (page, page_label.as_str(), "#cf222e"),
    ] {
        if value <= y_max {
            svg.rule(y_burn(value), stroke, 1.0, true);
            svg.text(
                FRAME.left + 4.0,
                y_burn(value) - 3.0,
                Anchor::Start,
                stroke,
                None,
                label,
            );
        }
    }
    // Budget remaining: a line on the right axis.
    let budget: Vec<(f64, f64)> = history
        .points
        .iter()
        .filter(|p| p.budget_remaining.is_finite())
        .map(|p| (x(p.at.as_unix_nanos() as f64), y_budget(p.budget_remaining)))
        .collect();
    svg.line(&budget, BLUE, 1.5);
    // Burn rate: one line per run of points that have events.
    let mut run: Vec<(f64, f64)> = Vec::new();
    for point in &history.points {
        match point.burn_rate.filter(|v| v.is_finite()) {
            Some(v) => run.push((x(point.at.as_unix_nanos() as f64), y_burn(v))),
            None => svg.line(&std::mem::take(&mut run), colour, 2.0),
        }
    }
    svg.line(&run, colour, 2.0);
    out.push_str(&svg.finish());
}
