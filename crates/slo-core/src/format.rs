//! Ratios as percentages for people: the `/slo` page, `slo status` and
//! log lines all show them the same way.

use std::fmt;

/// `text` with `& < > " '` escaped, safe in HTML element text and quoted
/// attribute values: the `/slo` page and `slo report`'s HTML both put
/// every name through it.
///
/// ```
/// assert_eq!(slo_core::escape_html("<b a='1'>&\""), "&lt;b a=&#39;1&#39;&gt;&amp;&quot;");
/// ```
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Formats a ratio as a percentage with the digits that matter: one
/// decimal, except between 99% and 100%, where objectives live and 99.9%
/// must not read as 99.95% or 100%: there at least three, and as many more
/// (up to six) as it takes not to round to 100%. Trailing zeros are
/// dropped; a value that is not finite shows as `-`.
///
/// ```
/// use slo_core::format_percent;
/// assert_eq!(format_percent(0.999).to_string(), "99.9%");
/// assert_eq!(format_percent(0.99751).to_string(), "99.751%");
/// assert_eq!(format_percent(0.999999).to_string(), "99.9999%");
/// assert_eq!(format_percent(0.4166).to_string(), "41.7%");
/// assert_eq!(format_percent(-1.49).to_string(), "-149%");
/// assert_eq!(format_percent(f64::NAN).to_string(), "-");
/// ```
pub fn format_percent(ratio: f64) -> FormattedPercent {
    FormattedPercent(ratio)
}

/// A ratio that displays as a percentage; see [`format_percent`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FormattedPercent(f64);

impl fmt::Display for FormattedPercent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.0 * 100.0;
        if !p.is_finite() {
            return f.pad("-");
        }
        let near_whole = (99.0..100.0).contains(&p.abs());
        let mut text = String::new();
        for digits in if near_whole { 3..=6 } else { 1..=1 } {
            text = format!("{p:.digits$}");
            if !text.trim_start_matches('-').starts_with("100") {
                break;
            }
        }
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        let number = if trimmed == "-0" { "0" } else { trimmed };
        f.pad(&format!("{number}%"))
    }
}

#[cfg(test)]
mod tests {
    use super::format_percent;

    fn percent(ratio: f64) -> String {
        format_percent(ratio).to_string()
    }

    #[test]
    fn percentages_keep_the_digits_that_matter() {
        assert_eq!(percent(0.999), "99.9%");
        assert_eq!(percent(0.99751), "99.751%");
        assert_eq!(percent(0.995), "99.5%");
        assert_eq!(percent(0.99999), "99.999%");
        assert_eq!(percent(0.999999), "99.9999%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.5), "50%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(-0.0000001), "0%");
        assert_eq!(percent(-10.111), "-1011.1%");
        assert_eq!(percent(0.004166), "0.4%");
        assert_eq!(percent(f64::INFINITY), "-");
    }

    #[test]
    fn widths_pad_the_whole_text() {
        assert_eq!(format!("{:>8}", format_percent(0.999)), "   99.9%");
    }
}
