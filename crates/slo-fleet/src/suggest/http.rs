//! Request metrics of the common conventions, read per route: how many
//! requests and how many failed (5xx) at each evaluation step, and how
//! many finished under each bucket bound over the range.
//!
//! Events per step are counted inside the API, per series and then summed
//! over instances, as `slo report` counts them: a counter's rise since its
//! last reading before the step (a failed scrape's gap is bridged); after
//! a reset (it went down), and for a series new since then, its whole
//! value (a process that started counts from zero). Unlike `slo report`,
//! what an old process counted between its last reading and its end is
//! not read from raw samples: at most a step of one process per restart.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::matchers::Matchers;
use crate::query::{PromQl, QueryError, Series};
use crate::report::fetch::{grid_len, range_all};
use crate::rules::promql::quote;

/// One convention's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Convention {
    /// What `/slo suggest` calls it.
    pub name: &'static str,
    /// The counter of requests.
    pub count: &'static str,
    /// The duration histogram's buckets.
    pub bucket: &'static str,
    /// The route template's label.
    pub route: &'static str,
    /// The method's label.
    pub method: &'static str,
    /// The status code's label.
    pub status: &'static str,
}

/// The conventions read, in the order they are tried: OpenTelemetry's
/// HTTP server semantic conventions as Prometheus exports them, then
/// axum-prometheus'.
pub const CONVENTIONS: [Convention; 2] = [
    Convention {
        name: "opentelemetry",
        count: "http_server_request_duration_seconds_count",
        bucket: "http_server_request_duration_seconds_bucket",
        route: "http_route",
        method: "http_request_method",
        status: "http_response_status_code",
    },
    Convention {
        name: "axum-prometheus",
        count: "axum_http_requests_total",
        bucket: "axum_http_requests_duration_seconds_bucket",
        route: "endpoint",
        method: "method",
        status: "status",
    },
];

/// A route as the metrics name it: its template and method.
pub(crate) type RouteKey = (String, String);

/// A failed query, with its text.
#[derive(Debug)]
pub(crate) struct Failed {
    pub query: String,
    pub error: QueryError,
}

/// Runs `expr`, naming it when it fails.
fn named<T>(expr: &str, result: Result<T, QueryError>) -> Result<T, Failed> {
    result.map_err(|error| Failed {
        query: expr.to_owned(),
        error,
    })
}

/// Reads one convention's metrics between `start` and `end`.
pub(crate) struct HttpReader<'a> {
    pub api: &'a PromQl,
    pub matchers: &'a Matchers,
    pub convention: Convention,
    pub deadline: Instant,
}

impl HttpReader<'_> {
    /// `metric{extra…, selectors…}`.
    fn selector(&self, metric: &str, extra: &[String]) -> String {
        let mut parts: Vec<String> = extra.to_vec();
        if !self.matchers.is_empty() {
            parts.push(self.matchers.to_string());
        }
        format!("{metric}{{{}}}", parts.join(", "))
    }

    /// `sum by (route, method[, more])`.
    fn by(&self, more: &str) -> String {
        let c = self.convention;
        if more.is_empty() {
            format!("sum by ({}, {})", c.route, c.method)
        } else {
            format!("sum by ({}, {}, {more})", c.route, c.method)
        }
    }

    /// Routes with requests in the range ending at `end` (`range` seconds
    /// long), busiest first. Ranked by their counters' highest sum over
    /// series, read at about a thousand instants of the range (cheap: no
    /// raw sample read twice), and present even for a process whose
    /// counters never rose while scraped; the counts themselves come per
    /// step.
    pub fn totals(&self, end: i64, range: i64) -> Result<Vec<(RouteKey, f64)>, Failed> {
        let expr = format!(
            "max_over_time(({} ({}))[{range}s:{}s])",
            self.by(""),
            self.selector(self.convention.count, &[]),
            ranking_resolution(range)
        );
        let answer = named(&expr, self.api.instant(&expr, end as f64, self.deadline))?;
        let mut totals: Vec<(RouteKey, f64)> = answer
            .into_iter()
            .filter_map(|series| {
                let value = series.points.last()?.1;
                Some((self.key(&series.labels), value))
            })
            .filter(|(_, value)| value.is_finite() && *value > 0.0)
            .collect();
        totals.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(totals)
    }

    /// Requests under each bucket bound (`le`, as the metrics write it)
    /// per route over `(from, to]`, counted as the steps' events are but
    /// an hour at a time (the bounds need totals, not steps).
    pub fn buckets(
        &self,
        (from, to): (i64, i64),
        routes: &[String],
    ) -> Result<BTreeMap<RouteKey, Vec<(String, f64)>>, Failed> {
        const HOUR: i64 = 3600;
        let start = to - ((to - from) + HOUR - 1) / HOUR * HOUR;
        let selector = self.selector(self.convention.bucket, &self.only(routes));
        let expr = format!("{} ({})", self.by("le"), events_per_step(&selector, HOUR));
        let answer = named(
            &expr,
            range_all(self.api, &expr, start, to, HOUR, self.deadline),
        )?;
        let mut sums: BTreeMap<(RouteKey, String), f64> = BTreeMap::new();
        for series in answer {
            let Some(le) = series.labels.get("le") else {
                continue;
            };
            // The first point is where the counts begin.
            let events: f64 = series
                .points
                .iter()
                .filter(|(time, value)| *time > start as f64 && value.is_finite() && *value > 0.0)
                .map(|(_, value)| value)
                .sum();
            *sums
                .entry((self.key(&series.labels), le.clone()))
                .or_default() += events;
        }
        let mut buckets: BTreeMap<RouteKey, Vec<(String, f64)>> = BTreeMap::new();
        for ((key, le), count) in sums {
            buckets.entry(key).or_default().push((le, count));
        }
        Ok(buckets)
    }

    /// Per route, the requests (`failed_only`: the 5xx) at each step.
    pub fn requests_per_step(
        &self,
        grid: (i64, i64, i64),
        routes: &[String],
        failed_only: bool,
    ) -> Result<BTreeMap<RouteKey, Vec<f64>>, Failed> {
        let mut extra = self.only(routes);
        if failed_only {
            extra.push(format!("{}=~\"5..\"", self.convention.status));
        }
        let selector = self.selector(self.convention.count, &extra);
        self.per_step(&selector, "", grid)
    }

    /// Per route and bound, the requests that did not fail (no 5xx) and
    /// finished under one of `bounds` (`le` values), at each step.
    pub fn fast_per_step(
        &self,
        grid: (i64, i64, i64),
        routes: &[String],
        bounds: &[String],
    ) -> Result<BTreeMap<(RouteKey, String), Vec<f64>>, Failed> {
        let mut extra = self.only(routes);
        extra.push(format!("le=~{}", quote(&alternatives(bounds))));
        extra.push(format!("{}!~\"5..\"", self.convention.status));
        let selector = self.selector(self.convention.bucket, &extra);
        let (start, end, step) = grid;
        let expr = format!("{} ({})", self.by("le"), events_per_step(&selector, step));
        let answer = named(
            &expr,
            range_all(self.api, &expr, start, end, step, self.deadline),
        )?;
        let len = grid_len(start, end, step);
        let mut out: BTreeMap<(RouteKey, String), Vec<f64>> = BTreeMap::new();
        for series in answer {
            let Some(le) = series.labels.get("le").cloned() else {
                continue;
            };
            let slots = out
                .entry((self.key(&series.labels), le))
                .or_insert_with(|| vec![0.0; len]);
            place(slots, &series, start, step);
        }
        Ok(out)
    }

    fn per_step(
        &self,
        selector: &str,
        more: &str,
        (start, end, step): (i64, i64, i64),
    ) -> Result<BTreeMap<RouteKey, Vec<f64>>, Failed> {
        let expr = format!("{} ({})", self.by(more), events_per_step(selector, step));
        let answer = named(
            &expr,
            range_all(self.api, &expr, start, end, step, self.deadline),
        )?;
        let len = grid_len(start, end, step);
        let mut out: BTreeMap<RouteKey, Vec<f64>> = BTreeMap::new();
        for series in answer {
            let slots = out
                .entry(self.key(&series.labels))
                .or_insert_with(|| vec![0.0; len]);
            place(slots, &series, start, step);
        }
        Ok(out)
    }

    /// A matcher keeping only `routes` (none: every route).
    fn only(&self, routes: &[String]) -> Vec<String> {
        if routes.is_empty() {
            return Vec::new();
        }
        vec![format!(
            "{}=~{}",
            self.convention.route,
            quote(&alternatives(routes))
        )]
    }

    fn key(&self, labels: &BTreeMap<String, String>) -> RouteKey {
        let get = |name: &str| labels.get(name).cloned().unwrap_or_default();
        (get(self.convention.route), get(self.convention.method))
    }
}

/// The resolution of the ranking's subquery: about a thousand instants
/// over the range, at least a minute and at most an hour apart.
pub(crate) fn ranking_resolution(range: i64) -> i64 {
    (range / 1000).clamp(60, 3600)
}

/// A regular expression matching exactly one of `values`.
fn alternatives(values: &[String]) -> String {
    let escaped: Vec<String> = values.iter().map(|v| regex_escape(v)).collect();
    escaped.join("|")
}

/// `text` matched literally by a RE2 expression.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if "\\.+*?()|[]{}^$".contains(ch) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// How far before a step's start a counter's last reading is looked for:
/// a failed scrape leaves a gap (Prometheus marks the series stale), which
/// must not read as a series that is new.
const BRIDGE: i64 = 300;

/// The events of the counters `selector` names in each step ending at
/// the evaluation time: the rise since the counter's last reading before
/// the step (within [`BRIDGE`] of its start); after a reset (it went
/// down), or for a series with no reading then (a process that started),
/// its whole value, as `slo report` counts them. Arithmetic drops the
/// metric name, so that `or` matches the two by their labels. Each
/// evaluation reads a few minutes of samples per series, whatever the step.
fn events_per_step(selector: &str, step: i64) -> String {
    format!(
        "(({selector} - last_over_time({selector}[{BRIDGE}s] offset {step}s)) >= 0) or ({selector} + 0)"
    )
}

/// Files a series' values at their steps (the first step holds nothing:
/// it is where the counts begin).
fn place(slots: &mut [f64], series: &Series, start: i64, step: i64) {
    for &(time, value) in &series.points {
        let k = ((time - start as f64) / step as f64).round();
        if k >= 1.0 && (k as usize) < slots.len() && value.is_finite() && value > 0.0 {
            slots[k as usize] += value;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_bounds_are_matched_literally() {
        assert_eq!(
            alternatives(&["/cart/{id}".into(), "/a.b".into(), "0.1".into()]),
            r"/cart/\{id\}|/a\.b|0\.1"
        );
        assert_eq!(
            events_per_step("x{a=\"1\"}", 3600),
            "((x{a=\"1\"} - last_over_time(x{a=\"1\"}[300s] offset 3600s)) >= 0) or (x{a=\"1\"} + 0)"
        );
    }
}
