//! OpenMetrics text (1.0.0): when a scraper asks for it, and how the
//! exporter writes it.
//!
//! It differs from the Prometheus text format in what this crate writes in
//! four ways: a counter's family is named without `_total` (its samples
//! keep it); there are no blank lines; the exposition ends with `# EOF`;
//! and samples may carry an exemplar, `… # {trace_id="…"} value timestamp`,
//! which Prometheus stores (`--enable-feature=exemplar-storage`) only from
//! OpenMetrics scrapes. The application's metrics, which
//! metrics-exporter-prometheus renders as Prometheus text only, are
//! rewritten line by line ([`append_as_openmetrics`]).

use std::collections::HashSet;
use std::fmt::Write as _;

use slo_core::recent::KeptBadEvent;
use slo_http::accept;

/// The content type of an OpenMetrics answer.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Whether `headers` rank OpenMetrics (1.0.0 or 0.0.1, which this format
/// also is) at least as high as the Prometheus text format. Only an
/// explicit `application/openmetrics-text` counts: `*/*` and no `Accept`
/// get the text format, as before.
pub fn wants_openmetrics(headers: &http::HeaderMap) -> bool {
    let mut openmetrics = 0.0_f32;
    let mut text = 0.0_f32;
    for range in accept::media_ranges(headers) {
        if range.is("application/openmetrics-text") {
            if matches!(range.param("version"), None | Some("1.0.0" | "0.0.1")) {
                openmetrics = openmetrics.max(range.q);
            }
        } else if range.is("text/plain") || range.is("text/*") || range.is("*/*") {
            text = text.max(range.q);
        }
    }
    openmetrics > 0.0 && openmetrics >= text
}

/// The family name OpenMetrics gives a counter named `name`.
pub(crate) fn counter_family(name: &str) -> &str {
    name.strip_suffix("_total").unwrap_or(name)
}

/// An exemplar: the trace of one recent bad event.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Exemplar {
    trace_id: slo_core::recent::TraceId,
    value: f64,
    at_seconds: f64,
}

impl Exemplar {
    /// ` # {trace_id="…"} value timestamp`, appended to a sample's value.
    pub(crate) fn write(&self, out: &mut String) {
        let _ = write!(
            out,
            " # {{trace_id=\"{}\"}} {} {:.3}",
            self.trace_id, self.value, self.at_seconds
        );
    }
}

/// The exemplars of one SLO, from its kept bad events (newest first).
#[derive(Debug, Default)]
pub(crate) struct Exemplars {
    /// For `slo_events_total{outcome="bad"}`: the newest event with a trace id.
    pub bad: Option<Exemplar>,
    /// For each latency bucket (`bounds.len() + 1`, the last `+Inf`): the
    /// newest timed event with a trace id whose latency falls in it.
    pub buckets: Vec<Option<Exemplar>>,
}

impl Exemplars {
    /// Picks them from `kept` (newest first) for buckets bounded by `bounds`
    /// (seconds, ascending; empty for an SLO without a histogram).
    pub(crate) fn pick(kept: &[KeptBadEvent], bounds: &[f64], histogram: bool) -> Exemplars {
        let mut exemplars = Exemplars {
            bad: None,
            buckets: if histogram {
                vec![None; bounds.len() + 1]
            } else {
                Vec::new()
            },
        };
        for kept in kept {
            let Some(trace_id) = kept.event.trace_id else {
                continue;
            };
            let at_seconds = kept.at.as_secs_f64();
            exemplars.bad.get_or_insert(Exemplar {
                trace_id,
                value: 1.0,
                at_seconds,
            });
            let Some(nanos) = kept.event.latency_nanos else {
                continue;
            };
            let value = nanos as f64 / 1e9;
            // The bucket the histogram put it in: the first bound not below it.
            let bucket = bounds.partition_point(|bound| *bound < value);
            if let Some(slot @ None) = exemplars.buckets.get_mut(bucket) {
                *slot = Some(Exemplar {
                    trace_id,
                    value,
                    at_seconds,
                });
            }
        }
        exemplars
    }
}

/// Appends `text`, as metrics-exporter-prometheus renders it, to `out` as
/// OpenMetrics: counter families lose `_total` and their samples gain it
/// where they lack it (as the Prometheus Go client names them), `untyped`
/// becomes `unknown`, quotes in help texts are escaped, and blank lines and
/// other comments are dropped. Every sample line is kept.
pub fn append_as_openmetrics(text: &str, out: &mut String) {
    let counters: HashSet<&str> = text
        .lines()
        .filter_map(|line| {
            let (name, kind) = line.strip_prefix("# TYPE ")?.split_once(' ')?;
            (kind.trim() == "counter").then_some(name)
        })
        .collect();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or((rest, ""));
            let family = if counters.contains(name) {
                counter_family(name)
            } else {
                name
            };
            let _ = write!(out, "# HELP {family} ");
            escape_help(help, out);
            out.push('\n');
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, "unknown"));
            let (family, kind) = match kind.trim() {
                "counter" => (counter_family(name), "counter"),
                "gauge" | "histogram" | "summary" => (name, kind.trim()),
                _ => (name, "unknown"),
            };
            let _ = writeln!(out, "# TYPE {family} {kind}");
        } else if line.starts_with('#') {
            continue;
        } else {
            let end = line.find(['{', ' ']).unwrap_or(line.len());
            let (name, rest) = line.split_at(end);
            if counters.contains(name) && !name.ends_with("_total") {
                let _ = writeln!(out, "{name}_total{rest}");
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
}

/// A help text written as the Prometheus format escapes it (`\\`, `\n`)
/// with quotes escaped too, as OpenMetrics requires.
fn escape_help(help: &str, out: &mut String) {
    let mut chars = help.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push('\\');
                match chars.next() {
                    Some(next @ ('\\' | 'n' | '"')) => out.push(next),
                    // A lone backslash: escape it, keep what follows.
                    Some(next) => {
                        out.push('\\');
                        out.push(next);
                    }
                    None => out.push('\\'),
                }
            }
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderValue, header};

    fn accepts(value: &'static str) -> bool {
        let mut headers = http::HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_static(value));
        wants_openmetrics(&headers)
    }

    #[test]
    fn openmetrics_only_when_the_scraper_names_it_first() {
        // Prometheus 2.42's scrape header, and Prometheus 3's.
        assert!(accepts(
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        ));
        assert!(accepts(
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,text/plain;version=0.0.4;q=0.3,*/*;q=0.1"
        ));
        assert!(accepts("application/openmetrics-text"));
        assert!(!wants_openmetrics(&http::HeaderMap::new()));
        assert!(!accepts("*/*"));
        assert!(!accepts("text/plain;version=0.0.4"));
        assert!(!accepts("text/plain,application/openmetrics-text;q=0.5"));
        assert!(!accepts("application/openmetrics-text;q=0"));
        assert!(!accepts("application/openmetrics-text;version=2.0.0"));
        assert!(!accepts("application/openmetrics-text;q=abc"));
    }

    #[test]
    fn rewrites_the_application_text() {
        let text = "# HELP requests Requests \"served\" \\\\ and\\nmore.\n# TYPE requests counter\nrequests{path=\"/a\"} 3\n\n# TYPE sent_total counter\nsent_total 2\n\n# TYPE queue gauge\nqueue 1\n\n# TYPE odd untyped\nodd 4\n# a comment\n";
        let mut out = String::new();
        append_as_openmetrics(text, &mut out);
        assert_eq!(
            out,
            "# HELP requests Requests \\\"served\\\" \\\\ and\\nmore.\n# TYPE requests counter\nrequests_total{path=\"/a\"} 3\n# TYPE sent counter\nsent_total 2\n# TYPE queue gauge\nqueue 1\n# TYPE odd unknown\nodd 4\n"
        );
    }
}
