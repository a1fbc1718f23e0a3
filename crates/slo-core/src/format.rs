//! Text for people: ratios as percentages (the `/slo` page, `slo status`
//! and log lines all show them the same way), HTML escaping, and which
//! characters a peer's text may not bring to a terminal.

use std::fmt;

use crate::spec::is_web_url;
use crate::status::OwnershipStatus;

/// `text` with `& < > " '` escaped, safe in HTML element text and quoted
/// attribute values: the `/slo` page and `slo report`'s HTML both put
/// every name through it.
///
/// ```
/// assert_eq!(slo_core::__private::escape_html("<b a='1'>&\""), "&lt;b a=&#39;1&#39;&gt;&amp;&quot;");
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

/// Whether `c` must not reach a terminal or a log line as it is: a control
/// character (C0, DEL, C1, among them the escape that starts terminal
/// sequences), a bidirectional formatting character (which reorders what a
/// reader sees without changing the bytes, as in CVE-2021-42574), or a
/// line or paragraph separator (a line break to some readers and not to
/// others). `slo status`, `slo gate`, the Alertmanager notifier's log
/// lines and a PromQL API's refusals replace these in text a peer sent
/// (see [`printable`]).
///
/// ```
/// use slo_core::__private::is_unprintable;
/// assert!(is_unprintable('\x1b'));
/// assert!(is_unprintable('\u{202e}')); // right-to-left override
/// assert!(is_unprintable('\u{2028}'));
/// assert!(!is_unprintable('é'));
/// assert!(!is_unprintable('…'));
/// ```
pub fn is_unprintable(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' // Arabic letter mark
                | '\u{200e}'..='\u{200f}' // left-to-right and right-to-left marks
                | '\u{2028}'..='\u{2029}' // line and paragraph separators
                | '\u{202a}'..='\u{202e}' // embeddings and overrides
                | '\u{2066}'..='\u{2069}' // isolates
        )
}

/// A peer's words as they may be shown to people: every unprintable
/// character ([`is_unprintable`]) replaced by `?`, and at most `max_chars`
/// characters, followed by `…` when there were more (a peer must not flood
/// a log line or a terminal either).
///
/// ```
/// use slo_core::__private::printable;
/// assert_eq!(printable("bad\x1b[2Jdata", 80), "bad?[2Jdata");
/// assert_eq!(printable("abcdef", 3), "abc…");
/// ```
pub fn printable(text: &str, max_chars: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max_chars)
        .map(|c| if is_unprintable(c) { '?' } else { c })
        .collect();
    if text.chars().nth(max_chars).is_some() {
        out.push('…');
    }
    out
}

/// serde_json's complaint about a document a peer sent, fit to show:
/// serde_json quotes the offending input (escaped, but as long as the peer
/// made it: a string of a megabyte where a number belongs is quoted whole),
/// so this keeps at most `max_chars` characters of its message,
/// [`printable`], and then the position it names.
///
/// ```
/// let long = format!("[\"{}\"]", "x".repeat(10_000));
/// let error = serde_json::from_str::<Vec<u32>>(&long).unwrap_err();
/// let said = slo_core::__private::json_error(&error, 60);
/// assert!(said.ends_with("… at line 1 column 10003"), "{said}");
/// assert!(said.len() < 100);
/// ```
pub fn json_error(error: &serde_json::Error, max_chars: usize) -> String {
    let text = error.to_string();
    if error.line() == 0 {
        return printable(&text, max_chars);
    }
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = text.strip_suffix(&position).unwrap_or(&text);
    let mut out = printable(message, max_chars);
    out.push_str(&position);
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

/// Who owns an SLO or a journey, its tier, and its annotations, as a
/// paragraph of HTML: `runbook` and `dashboard` (any web URL) as links
/// opened without a referrer, the rest as text, all escaped; empty when
/// the spec gives none. The `/slo` page and `slo report` both show it so.
pub fn ownership_html(ownership: &OwnershipStatus) -> String {
    let mut items: Vec<String> = Vec::new();
    if let Some(owner) = &ownership.owner {
        items.push(format!("owner <b>{}</b>", escape_html(owner)));
    }
    if let Some(tier) = ownership.tier {
        items.push(format!("tier {}", tier.as_str().replace('_', " ")));
    }
    for (key, value) in &ownership.annotations {
        let (key, shown) = (escape_html(key), escape_html(value));
        items.push(if is_web_url(value) {
            let text = match key.as_str() {
                "runbook" | "dashboard" => key.clone(),
                _ => format!("{key}: {shown}"),
            };
            format!("<a href=\"{shown}\" rel=\"noopener noreferrer\">{text}</a>")
        } else {
            format!("{key}: {shown}")
        });
    }
    if items.is_empty() {
        return String::new();
    }
    format!("<p class=\"owner\">{}</p>", items.join(" · "))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{format_percent, ownership_html};
    use crate::spec::Tier;
    use crate::status::OwnershipStatus;

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

    #[test]
    fn ownership_links_only_web_urls_and_escapes_everything() {
        let out = ownership_html(&OwnershipStatus {
            owner: Some("<payments>".into()),
            tier: Some(Tier::BestEffort),
            annotations: BTreeMap::from([
                (
                    "runbook".into(),
                    "https://r.example.com/a?b=1&c=\"2\"".into(),
                ),
                ("chat".into(), "javascript:alert(1)".into()),
                ("docs".into(), "https://docs.example.com/x".into()),
            ]),
        });
        assert_eq!(
            out,
            "<p class=\"owner\">owner <b>&lt;payments&gt;</b> · tier best effort · \
             chat: javascript:alert(1) · \
             <a href=\"https://docs.example.com/x\" rel=\"noopener noreferrer\">docs: https://docs.example.com/x</a> · \
             runbook: https://r.example.com/a?b=1&amp;c=&quot;2&quot;</p>"
        );
        assert_eq!(ownership_html(&OwnershipStatus::default()), "");
    }
}
