//! The report's two charts as inline SVG, drawn on the server: no script,
//! no font or file to fetch.

use slo_core::__private::svg::{Anchor, Frame, Svg};

use super::model::{SloReport, percent};

/// 640 × 180, with room for percentages on the left and dates below.
const FRAME: Frame = Frame::new(640.0, 180.0, [56.0, 8.0, 10.0, 24.0]);

const LABEL: &str = "#555";
const RED: &str = "#c62828";
const BLUE: &str = "#1565c0";

/// A chart of one value a column (a day), on an axis from `low` to 1.
struct Columns {
    svg: Svg,
    low: f64,
    columns: usize,
}

impl Columns {
    fn open(title: &str, low: f64, columns: usize) -> Columns {
        Columns {
            svg: Svg::open(FRAME, Some("chart"), title),
            low,
            columns,
        }
    }

    fn y(&self, value: f64) -> f64 {
        FRAME.y_of(value, self.low, 1.0)
    }

    fn width(&self) -> f64 {
        FRAME.plot_width() / self.columns.max(1) as f64
    }

    fn x(&self, column: f64) -> f64 {
        FRAME.left + column * self.width()
    }

    /// A grid line at `value`, labelled on the left.
    fn axis_label(&mut self, value: f64, text: &str) {
        let y = self.y(value);
        self.svg.rule(y, "#ccc", 0.5, false);
        self.svg.text(
            FRAME.left - 4.0,
            y + 3.0,
            Anchor::End,
            LABEL,
            Some(10.0),
            text,
        );
    }

    /// The first and last day under the plot, and the chart's SVG.
    fn finish(mut self, slo: &SloReport) -> String {
        if let (Some(first), Some(last)) = (slo.daily.first(), slo.daily.last()) {
            let y = FRAME.height - 8.0;
            self.svg
                .text(FRAME.left, y, Anchor::Start, LABEL, Some(10.0), &first.date);
            self.svg.text(
                FRAME.width - FRAME.right,
                y,
                Anchor::End,
                LABEL,
                Some(10.0),
                &last.date,
            );
        }
        self.svg.finish()
    }
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
    let low = (lowest - budget * 0.5).min(slo.objective - budget).max(0.0);
    let mut chart = Columns::open("daily SLI against the objective", low, slo.daily.len());
    chart.axis_label(1.0, "100%");
    chart.axis_label(low, &percent(low));
    let width = chart.width();
    for (i, day) in slo.daily.iter().enumerate() {
        let Some(value) = day.sli_value else { continue };
        let colour = if value >= slo.objective {
            "#2e7d32"
        } else {
            RED
        };
        let (x, y) = (chart.x(i as f64) + width * 0.1, chart.y(value));
        chart.svg.bar(
            x,
            y,
            width * 0.8,
            colour,
            &format!("{} {}", day.date, percent(value)),
        );
    }
    // The objective's line, and its label in the top margin where no bar
    // can cover it.
    let y = chart.y(slo.objective);
    chart.svg.rule(y, BLUE, 1.0, true);
    chart.svg.text(
        FRAME.width - FRAME.right,
        8.0,
        Anchor::End,
        BLUE,
        Some(10.0),
        &format!("- - objective {}", percent(slo.objective)),
    );
    chart.finish(slo)
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
    let low = left.iter().copied().fold(0.0, f64::min);
    let mut chart = Columns::open(
        "error budget remaining over the range",
        low,
        slo.daily.len(),
    );
    chart.axis_label(1.0, "100%");
    chart.axis_label(0.0, "0%");
    if low < 0.0 {
        chart.axis_label(low, &percent(low));
    }
    let points: Vec<(f64, f64)> = left
        .iter()
        .enumerate()
        .map(|(i, value)| (chart.x(i as f64), chart.y(*value)))
        .collect();
    let colour = if left.last().is_some_and(|l| *l < 0.0) {
        RED
    } else {
        BLUE
    };
    chart.svg.line(&points, colour, 2.0);
    chart.finish(slo)
}
