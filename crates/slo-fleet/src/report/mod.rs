//! SLO reports over a range (a calendar month, an ISO week, any range)
//! from the `slo_events_total` a PromQL API (Prometheus, Thanos, Mimir,
//! VictoriaMetrics) holds: per SLO the objective against the attained SLI,
//! the events, the error budget, every incident and a per-day series; as
//! JSON ([`Report`]'s fields), Markdown, or one self-contained HTML file. What
//! `slo report` writes, for a job that mails it too.
//!
//! How the numbers are made, so that they can be checked:
//!
//! - Each SLO's raw counters, every instance's series, are read at each
//!   evaluation step (one range query, split at 10,000 points), from the
//!   longest alert window before the range to its end. Each series' increase
//!   per step is taken on its own, across counter resets, and only then
//!   summed: the counts are event-weighted over instances, never an average
//!   of ratios. A reading lower than the one before is a restart; the step
//!   it falls in is then counted from that series' raw samples (one more
//!   query, `selector[step]`), so that what the old process counted after
//!   the earlier reading is not lost. With a sample at every step, the
//!   counts are exact.
//! - The step is the largest of 1m, 2m, 3m, 4m, 5m, 6m, 8m, 10m, 12m, 15m,
//!   20m, 30m, 1h that is no longer than the SLO's shortest alert window
//!   (5m for a 30d period): it divides a day, so the days are exact.
//! - An incident is a maximal run of evaluation steps at which one tier's
//!   condition held, as the generated alerting rules evaluate it: the error
//!   ratios over both of its (period-scaled) windows above its burn rate
//!   times the budget, with `min_events` in the long window. Its bad events
//!   are those of the steps at which it held; its peak, the long window's
//!   highest burn rate then.
//!
//! ```no_run
//! use slo_core::{SloDefinition, Spec};
//! use slo_fleet::report::{ReportQuery, ReportRange};
//!
//! let spec = Spec::from_yaml("service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n")?;
//! let report = ReportQuery::new("http://prometheus:9090")?
//!     .run(&spec, ReportRange::month("2026-11")?)?;
//! println!("{} of {} SLOs met", report.met(), report.slos.len());
//! let page: String = slo_fleet::report::html(&report);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod budget_watch;
pub(crate) mod compute;
pub(crate) mod counts;
pub(crate) mod fetch;
mod html;
mod journey;
mod markdown;
mod model;
pub(crate) mod range;
mod recommend;
mod review;

use slo_core::spec::BudgetCondition;
mod svg;

use std::time::{Duration, Instant};

use slo_core::maintenance::MaintenanceWindow;
use slo_core::windows::SloWindows;
use slo_core::{SloDefinition, Spec};

use crate::query::{Matchers, PromQl, QueryError, Series};
use counts::StepCounts;

pub use html::html;
pub(crate) use markdown::escape as markdown_escape;
pub use markdown::markdown;
pub use model::{Day, ErrorBudget, Events, Incident, JourneyDay, JourneyReport, Report, SloReport};
pub use range::{MAX_DAYS, RangeError, ReportRange};
pub use recommend::{Previous, Recommendation, TIGHTEN_WHEN_LEFT, Trend};
pub use review::{ReviewStatus, review};

/// Steps that divide a day, in seconds.
const STEPS: [i64; 13] = [
    60, 120, 180, 240, 300, 360, 480, 600, 720, 900, 1200, 1800, 3600,
];

/// Why no report was made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A query failed.
    #[error("{url}: the query for {slo} failed: {error}")]
    Query {
        /// The API's base URL.
        url: String,
        /// The SLO it was for.
        slo: String,
        /// Why.
        error: QueryError,
    },
}

/// Where and how to read the history; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct ReportQuery {
    api: PromQl,
    matchers: Matchers,
    timeout: Duration,
}

impl ReportQuery {
    /// Reads from the PromQL API at `url` (such as `http://prometheus:9090`),
    /// every series of each SLO, within 30 s in all.
    pub fn new(url: &str) -> Result<ReportQuery, QueryError> {
        Ok(ReportQuery {
            api: PromQl::new(url)?,
            matchers: Matchers::new(),
            timeout: Duration::from_secs(30),
        })
    }

    /// Only series matching these count, such as `job="shop"`.
    pub fn selector(mut self, matchers: Matchers) -> ReportQuery {
        self.matchers = matchers;
        self
    }

    /// The most all queries together may take.
    pub fn timeout(mut self, timeout: Duration) -> ReportQuery {
        self.timeout = timeout;
        self
    }

    /// The report of every SLO of `spec` over `range`.
    pub fn run(&self, spec: &Spec, range: ReportRange) -> Result<Report, ReportError> {
        let deadline = Instant::now() + self.timeout;
        // One SLO's queries at a time per thread, four threads: the API
        // answers several at once, and the report waits on it, not on CPU.
        let slos = spec.slos();
        type Done = Result<(SloReport, StepCounts, ReportRange), ReportError>;
        let mut reports: Vec<Option<Done>> = vec![None; slos.len()];
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results = std::sync::Mutex::new(&mut reports);
        std::thread::scope(|scope| {
            for _ in 0..slos.len().min(4) {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(slo) = slos.get(i) else { break };
                        // A journey of this step may look further back.
                        let journeys = spec.journeys().iter();
                        let lookback = journeys
                            .filter(|j| j.steps().iter().any(|s| s == slo.name()))
                            .map(|j| j.windows().longest_alerting().duration.as_secs() as i64)
                            .max()
                            .unwrap_or(0);
                        let result =
                            self.slo_report(slo, spec.maintenance(), range, deadline, lookback);
                        let failed = result.is_err();
                        if let Ok(mut results) = results.lock() {
                            results[i] = Some(result);
                        }
                        if failed {
                            // The others would only wait on the same API.
                            next.store(slos.len(), std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        let mut done = Vec::with_capacity(slos.len());
        for report in reports.into_iter().flatten() {
            done.push(report?);
        }
        // A journey's steps share their period, so their range too.
        let journeys = spec
            .journeys()
            .iter()
            .filter_map(|journey| {
                let steps: Vec<&(SloReport, StepCounts, ReportRange)> = journey
                    .steps()
                    .iter()
                    .filter_map(|step| done.iter().find(|(report, _, _)| &report.name == step))
                    .collect();
                let (_, _, range) = steps.first()?;
                let counts: Vec<&StepCounts> = steps.iter().map(|(_, counts, _)| counts).collect();
                Some(journey::journey_report(journey, *range, &counts))
            })
            .collect();
        Ok(Report {
            service: spec.service().to_owned(),
            from: range::format_time(range.from()),
            to: range::format_time(range.to()),
            slos: done.into_iter().map(|(report, _, _)| report).collect(),
            journeys,
        })
    }

    fn slo_report(
        &self,
        slo: &SloDefinition,
        service_maintenance: &[MaintenanceWindow],
        asked: ReportRange,
        deadline: Instant,
        journey_lookback: i64,
    ) -> Result<(SloReport, StepCounts, ReportRange), ReportError> {
        let range = asked.for_slo(slo);
        // Back as far as the range before, for the recommendation.
        let (start, step) = grid(slo, range, journey_lookback.max(range.len()));
        let selector = fetch::events_selector(slo.name(), &self.matchers);
        let counts = fetch::step_counts(&self.api, &selector, start, range.to(), step, deadline)
            .map_err(|error| ReportError::Query {
                url: self.api.url().to_owned(),
                slo: slo.name().to_owned(),
                error,
            })?;
        let report = own_range(
            compute::slo_report(slo, service_maintenance, range, &counts),
            asked,
            range,
        );
        Ok((report, counts, range))
    }
}

/// The first evaluation step of an SLO's report (the longest alert window
/// before the range, its own or that of a journey it is a step of,
/// `journey_lookback`, so that its first evaluations see whole windows)
/// and the step.
pub(crate) fn grid(slo: &SloDefinition, range: ReportRange, journey_lookback: i64) -> (i64, i64) {
    let windows = slo.windows();
    let step = evaluation_step(windows);
    let lookback = slo
        .budget_alerts()
        .iter()
        .map(|condition| budget_lookback(slo, condition, range))
        .fold(
            (windows.longest_alerting().duration.as_secs() as i64).max(journey_lookback),
            i64::max,
        );
    ((range.from() - lookback).div_euclid(step) * step, step)
}

/// How far before the range a budget alert reads at its first evaluation:
/// a rolling period, the start of a calendar period, or the no-data span.
fn budget_lookback(slo: &SloDefinition, condition: &BudgetCondition, range: ReportRange) -> i64 {
    match condition {
        BudgetCondition::NoData(quiet) => quiet.as_secs() as i64,
        _ => match slo.calendar() {
            Some(calendar) => calendar
                .bounds_at(slo_core::Timestamp::from_unix_nanos(
                    range.from().saturating_mul(1_000_000_000),
                ))
                .map_or(0, |bounds| {
                    range.from() - bounds.start.as_unix_nanos().div_euclid(1_000_000_000)
                }),
            None => slo.period().as_secs() as i64,
        },
    }
}

/// One SLO's report over `range` from its raw `slo_events_total` series
/// as a range query at its evaluation steps answers them (`series`, from
/// [`report_query`]`(…).0` at [`report_query`]`(…).1`), without the raw
/// samples [`ReportQuery`] asks for around counter resets: for counts
/// fetched another way, and for tests. `service_maintenance` are the
/// spec's own windows ([`Spec::maintenance`]); the SLO's are read from it.
pub fn slo_report_from_series(
    slo: &SloDefinition,
    service_maintenance: &[MaintenanceWindow],
    range: ReportRange,
    series: Vec<Series>,
) -> SloReport {
    let (asked, range) = (range, range.for_slo(slo));
    let (start, step) = grid(slo, range, range.len());
    let len = ((range.to() - start + step - 1) / step) as usize + 1;
    let counts = fetch::counts_of(series, start, step, len);
    let report = compute::slo_report(slo, service_maintenance, range, &counts);
    own_range(report, asked, range)
}

/// The report with its own `from` and `to` when it covers its SLO's own
/// calendar period rather than the range asked for.
fn own_range(mut report: SloReport, asked: ReportRange, own: ReportRange) -> SloReport {
    if own != asked {
        report.from = Some(range::format_time(own.from()));
        report.to = Some(range::format_time(own.to()));
    }
    report
}

/// The range query a report of `slo` over `range` makes: its expression,
/// start, end and step (seconds since the epoch, seconds).
pub fn report_query(
    slo: &SloDefinition,
    range: ReportRange,
    matchers: &Matchers,
) -> (String, i64, i64, i64) {
    let range = range.for_slo(slo);
    let (start, step) = grid(slo, range, range.len());
    (
        fetch::events_selector(slo.name(), matchers),
        start,
        range.to(),
        step,
    )
}

/// The evaluation step of an SLO's report; see the [module docs](self).
pub fn evaluation_step(windows: &SloWindows) -> i64 {
    let shortest = windows.shortest().duration.as_secs() as i64;
    STEPS
        .iter()
        .copied()
        .filter(|step| *step <= shortest)
        .max()
        .unwrap_or(STEPS[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_of_two_instances_are_summed_across_a_restart() {
        let spec = Spec::from_yaml("service: s\nslos:\n  - name: a\n    objective: 99%\n").unwrap();
        let slo = &spec.slos()[0];
        let range = ReportRange::week("2026-W48").unwrap();
        let (expr, start, end, step) = report_query(slo, range, &Matchers::new());
        assert_eq!(expr, r#"slo_events_total{slo="a"}"#);
        assert_eq!((end, step), (range.to(), 300));
        let series = |instance: &str, outcome: &str, per_step: f64, restart: Option<i64>| {
            let mut value = 0.0;
            let points = (0..)
                .map(|k| start + k * step)
                .take_while(|t| *t <= end)
                .map(|t| {
                    if Some(t) == restart {
                        value = 0.0;
                    }
                    let point = (t as f64, value);
                    value += per_step;
                    point
                })
                .collect();
            Series {
                labels: [("instance", instance), ("outcome", outcome), ("slo", "a")]
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect(),
                points,
            }
        };
        let restart = range.from() + 2 * 86_400;
        let report = slo_report_from_series(
            slo,
            &[],
            range,
            vec![
                series("x", "good", 99.0, None),
                series("x", "bad", 1.0, None),
                series("y", "good", 49.0, Some(restart)),
                series("y", "bad", 1.0, Some(restart)),
                // Neither good nor bad: left out.
                series("y", "excluded", 1000.0, None),
            ],
        );
        let steps = 7 * 288;
        // The restart's step read 0: its events are lost, as they were to
        // a Prometheus that never scraped them.
        assert_eq!(report.events.good, steps * 99 + steps * 49 - 49);
        assert_eq!(report.events.bad, steps * 2 - 1);
        assert_eq!(report.daily.len(), 7);
        assert_eq!(
            report.daily.iter().map(|d| d.good + d.bad).sum::<u64>(),
            report.events.total
        );
    }

    #[test]
    fn steps_divide_a_day_and_fit_the_shortest_window() {
        let step = |days: u64| {
            evaluation_step(&SloWindows::for_period(Duration::from_secs(days * 86_400)))
        };
        assert_eq!(step(30), 300);
        assert_eq!(step(28), 240);
        assert_eq!(step(7), 60);
        assert_eq!(step(1), 60);
        assert_eq!(step(90), 900);
        assert_eq!(step(365), 3600);
    }
}
