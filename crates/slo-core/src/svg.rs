//! Small charts as inline SVG, drawn on the server: no script, no font or
//! file to fetch. The `/slo` page (`slo-tower`) and `slo report`'s HTML
//! (`slo-fleet`) draw theirs with it (through `slo_core::__private`; not a
//! stable API): one plot area with margins for labels, and lines, bars,
//! points and text placed in it. Every text is escaped.

use std::fmt::Write as _;

use crate::format::escape_html;

/// Where a chart draws: its size and the margins around the plot area,
/// in SVG user units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// The whole chart's width.
    pub width: f64,
    /// The whole chart's height.
    pub height: f64,
    /// Room left of the plot area (for the left axis' labels).
    pub left: f64,
    /// Room right of it.
    pub right: f64,
    /// Room above it.
    pub top: f64,
    /// Room below it (for the time axis).
    pub bottom: f64,
}

impl Frame {
    /// A chart of `width` × `height` with `margins` around its plot area:
    /// left, right, top and bottom.
    pub const fn new(width: f64, height: f64, margins: [f64; 4]) -> Frame {
        let [left, right, top, bottom] = margins;
        Frame {
            width,
            height,
            left,
            right,
            top,
            bottom,
        }
    }

    /// The plot area's width.
    pub fn plot_width(&self) -> f64 {
        self.width - self.left - self.right
    }

    /// The plot area's height.
    pub fn plot_height(&self) -> f64 {
        self.height - self.top - self.bottom
    }

    /// The x of `fraction` (0 to 1, clamped) of the way across the plot.
    pub fn x(&self, fraction: f64) -> f64 {
        self.left + fraction.clamp(0.0, 1.0) * self.plot_width()
    }

    /// The y of `fraction` (0 to 1, clamped) of the way up the plot.
    pub fn y(&self, fraction: f64) -> f64 {
        self.top + (1.0 - fraction.clamp(0.0, 1.0)) * self.plot_height()
    }

    /// The y of `value` on an axis from `low` (the bottom) to `high`.
    pub fn y_of(&self, value: f64, low: f64, high: f64) -> f64 {
        self.y((value - low) / (high - low).max(f64::EPSILON))
    }
}

/// How a text is anchored at its x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// It starts there.
    Start,
    /// It is centred there.
    Middle,
    /// It ends there.
    End,
}

/// A chart being drawn; [`Svg::finish`] closes it.
#[derive(Debug)]
pub struct Svg {
    out: String,
    frame: Frame,
}

impl Svg {
    /// A chart in `frame`, named `title` for assistive technology (and as
    /// a tooltip); `class` for the page's CSS, if any.
    pub fn open(frame: Frame, class: Option<&str>, title: &str) -> Svg {
        let mut out = String::with_capacity(4096);
        let title = escape_html(title);
        let class = class.map_or_else(String::new, |c| format!(" class=\"{}\"", escape_html(c)));
        let _ = write!(
            out,
            "<svg{class} viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{title}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{title}</title>",
            frame.width, frame.height
        );
        Svg { out, frame }
    }

    /// The chart's frame.
    pub fn frame(&self) -> Frame {
        self.frame
    }

    /// The plot area's background and border.
    pub fn plot_area(&mut self, fill: &str, stroke: &str) {
        let f = self.frame;
        let _ = write!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\"/>",
            f.left,
            f.top,
            f.plot_width(),
            f.plot_height()
        );
    }

    /// `text` at (`x`, `y`) in `fill`, anchored by `anchor`, in the
    /// chart's font size or `size`.
    pub fn text(
        &mut self,
        x: f64,
        y: f64,
        anchor: Anchor,
        fill: &str,
        size: Option<f64>,
        text: &str,
    ) {
        let anchor = match anchor {
            Anchor::Start => "",
            Anchor::Middle => " text-anchor=\"middle\"",
            Anchor::End => " text-anchor=\"end\"",
        };
        let size = size.map_or_else(String::new, |s| format!(" font-size=\"{s}\""));
        let _ = write!(
            self.out,
            "<text x=\"{x:.1}\" y=\"{y:.1}\"{anchor}{size} fill=\"{fill}\">{}</text>",
            escape_html(text)
        );
    }

    /// A horizontal line across the plot at `y`, dashed or solid.
    pub fn rule(&mut self, y: f64, stroke: &str, width: f64, dashed: bool) {
        let f = self.frame;
        let dash = if dashed {
            " stroke-dasharray=\"4 3\""
        } else {
            ""
        };
        let _ = write!(
            self.out,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{stroke}\" stroke-width=\"{width}\"{dash}/>",
            f.left,
            f.width - f.right
        );
    }

    /// A line through `points`; a single point is drawn as a dot of the
    /// same colour, none as nothing.
    pub fn line(&mut self, points: &[(f64, f64)], stroke: &str, width: f64) {
        match points {
            [] => {}
            [(x, y)] => {
                let _ = write!(
                    self.out,
                    "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{width}\" fill=\"{stroke}\"/>"
                );
            }
            _ => {
                let points: Vec<String> = points
                    .iter()
                    .map(|(x, y)| format!("{x:.1},{y:.1}"))
                    .collect();
                let _ = write!(
                    self.out,
                    "<polyline points=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>",
                    points.join(" ")
                );
            }
        }
    }

    /// A bar from (`x`, `y`) down to the plot's floor, `width` wide, with
    /// `tooltip` as its title.
    pub fn bar(&mut self, x: f64, y: f64, width: f64, fill: &str, tooltip: &str) {
        let floor = self.frame.height - self.frame.bottom;
        let _ = write!(
            self.out,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"><title>{}</title></rect>",
            width.max(0.5),
            (floor - y).max(0.5),
            escape_html(tooltip)
        );
    }

    /// The chart's SVG.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// A round axis maximum at or above `value` (and at least 1): 1, 2, 2.5
/// or 5 times a power of ten.
pub fn nice_ceiling(value: f64) -> f64 {
    let value = value.max(1.0);
    let magnitude = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|v| *v >= value)
        .unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: Frame = Frame::new(100.0, 50.0, [10.0, 10.0, 5.0, 5.0]);

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_ceiling(0.3), 1.0);
        assert_eq!(nice_ceiling(1.7), 2.0);
        assert_eq!(nice_ceiling(15.84), 20.0);
        assert_eq!(nice_ceiling(30.0), 50.0);
        assert_eq!(nice_ceiling(120.0), 200.0);
    }

    #[test]
    fn the_plot_maps_fractions_inside_its_margins() {
        assert_eq!(FRAME.x(0.0), 10.0);
        assert_eq!(FRAME.x(2.0), 90.0);
        assert_eq!(FRAME.y(0.0), 45.0);
        assert_eq!(FRAME.y(1.0), 5.0);
        assert_eq!(FRAME.y_of(0.5, 0.0, 1.0), 25.0);
    }

    #[test]
    fn every_text_is_escaped_and_one_point_is_a_dot() {
        let mut svg = Svg::open(FRAME, Some("chart"), "<b>\"x\"</b>");
        svg.text(1.0, 2.0, Anchor::End, "#000", None, "a<b>&");
        svg.bar(10.0, 20.0, 5.0, "#c00", "<day>");
        svg.line(&[(1.0, 1.0)], "#00f", 2.0);
        svg.line(&[(1.0, 1.0), (2.0, 2.0)], "#00f", 2.0);
        let out = svg.finish();
        assert!(!out.contains("<b>") && !out.contains("<day>"), "{out}");
        assert!(out.contains("a&lt;b&gt;&amp;"), "{out}");
        assert!(out.contains("<circle cx=\"1.0\" cy=\"1.0\""), "{out}");
        assert!(
            out.contains("<polyline points=\"1.0,1.0 2.0,2.0\""),
            "{out}"
        );
        assert!(out.starts_with("<svg class=\"chart\"") && out.ends_with("</svg>"));
    }
}
