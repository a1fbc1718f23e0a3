//! Request metrics of the common conventions, read per route: how many
//! requests and how many failed (5xx) at each evaluation step, and how
//! many finished under each bucket bound over the range.
//!
//! Events per step are counted by `slo report`'s own code: every series is
//! read at each step, its rises taken on their own (a step without a
//! reading, such as a failed scrape's, is bridged), its whole value after
//! a reset or when it first appears (a process that started counts from
//! zero), each reset's step counted from the raw samples; then summed over
//! instances. Each raw sample is read once.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::matchers::Matchers;
use crate::query::{PromQl, QueryError};
use crate::report::fetch::{grid_len, read_series, series_events};
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

/// A route's requests and failed requests per step.
pub(crate) type AllAndFailed = (Vec<f64>, Vec<f64>);

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
    /// per route over `(from, to]`, each series read a day at a time (the
    /// bounds need totals, not steps: a reset loses at most a day of one
    /// process).
    pub fn buckets(
        &self,
        (from, to): (i64, i64),
        routes: &[String],
    ) -> Result<BTreeMap<RouteKey, Vec<(String, f64)>>, Failed> {
        const DAY: i64 = 86_400;
        let start = to - ((to - from) + DAY - 1) / DAY * DAY;
        let selector = self.selector(self.convention.bucket, &self.only(routes));
        let mut sums: BTreeMap<(RouteKey, String), f64> = BTreeMap::new();
        self.events(&selector, (start, to, DAY), false, |labels, events| {
            if let Some(le) = labels.get("le") {
                *sums.entry((self.key(labels), le.clone())).or_default() +=
                    events.iter().sum::<f64>();
            }
        })?;
        let mut buckets: BTreeMap<RouteKey, Vec<(String, f64)>> = BTreeMap::new();
        for ((key, le), count) in sums {
            buckets.entry(key).or_default().push((le, count));
        }
        Ok(buckets)
    }

    /// Per route, the requests and the failed ones (5xx) at each step.
    pub fn requests_per_step(
        &self,
        grid: (i64, i64, i64),
        routes: &[String],
    ) -> Result<BTreeMap<RouteKey, AllAndFailed>, Failed> {
        let len = grid_len(grid.0, grid.1, grid.2);
        let mut out: BTreeMap<RouteKey, AllAndFailed> = BTreeMap::new();
        for batch in batches(routes) {
            let selector = self.selector(self.convention.count, &self.only(batch));
            self.events(&selector, grid, true, |labels, events| {
                let failed = labels
                    .get(self.convention.status)
                    .is_some_and(|status| status.starts_with('5'));
                let (all, bad) = out
                    .entry(self.key(labels))
                    .or_insert_with(|| (vec![0.0; len], vec![0.0; len]));
                for (k, e) in events.iter().enumerate() {
                    all[k] += e;
                    if failed {
                        bad[k] += e;
                    }
                }
            })?;
        }
        Ok(out)
    }

    /// Per route and bound, the requests that did not fail (no 5xx) and
    /// finished under one of `bounds` (`le` values), at each step.
    pub fn fast_per_step(
        &self,
        grid: (i64, i64, i64),
        routes: &[String],
        bounds: &[String],
    ) -> Result<BTreeMap<(RouteKey, String), Vec<f64>>, Failed> {
        let len = grid_len(grid.0, grid.1, grid.2);
        let mut out: BTreeMap<(RouteKey, String), Vec<f64>> = BTreeMap::new();
        for batch in batches(routes) {
            let mut extra = self.only(batch);
            extra.push(format!("le=~{}", quote(&alternatives(bounds))));
            extra.push(format!("{}!~\"5..\"", self.convention.status));
            let selector = self.selector(self.convention.bucket, &extra);
            self.events(&selector, grid, true, |labels, events| {
                let Some(le) = labels.get("le") else {
                    return;
                };
                let slots = out
                    .entry((self.key(labels), le.clone()))
                    .or_insert_with(|| vec![0.0; len]);
                for (k, e) in events.iter().enumerate() {
                    slots[k] += e;
                }
            })?;
        }
        Ok(out)
    }

    /// Each series `selector` names, read at every step of `grid`, as
    /// events per step, exactly as `slo report` counts its own counters
    /// (across resets, gaps bridged; with `refine`, each reset's step
    /// counted from the raw samples), handed to `each` with its labels.
    fn events(
        &self,
        selector: &str,
        (start, end, step): (i64, i64, i64),
        refine: bool,
        mut each: impl FnMut(&BTreeMap<String, String>, &[f64]),
    ) -> Result<(), Failed> {
        let fail = |error| Failed {
            query: selector.to_owned(),
            error,
        };
        let readings =
            read_series(self.api, selector, start, end, step, self.deadline).map_err(fail)?;
        let api = refine.then_some((self.api, self.deadline));
        for (labels, events) in series_events(&readings, start, step, api).map_err(fail)? {
            let labels: BTreeMap<String, String> = labels.iter().cloned().collect();
            each(&labels, &events);
        }
        Ok(())
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

/// Routes read per query: each answer holds every series of its routes at
/// every step, so that a batch of ten keeps answers to tens of MB. No
/// routes (read them all) is one batch.
fn batches(routes: &[String]) -> impl Iterator<Item = &[String]> {
    let empty: &[String] = &[];
    let all = routes.is_empty().then_some(empty);
    all.into_iter().chain(routes.chunks(10))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_and_bounds_are_matched_literally() {
        assert_eq!(
            alternatives(&["/cart/{id}".into(), "/a.b".into(), "0.1".into()]),
            r"/cart/\{id\}|/a\.b|0\.1"
        );
        let routes: Vec<String> = (0..25).map(|i| format!("/r{i}")).collect();
        let sizes: Vec<usize> = batches(&routes).map(<[String]>::len).collect();
        assert_eq!(sizes, [10, 10, 5]);
        assert_eq!(
            batches(&[]).count(),
            1,
            "no routes: one query of every route"
        );
    }
}
