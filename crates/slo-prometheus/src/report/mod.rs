//! SLO reports over a range (a calendar month, an ISO week, any range)
//! from the `slo_events_total` a PromQL API (Prometheus, Thanos, Mimir,
//! VictoriaMetrics) holds: per SLO the objective against the attained SLI,
//! the events, the error budget, every incident and a per-day series; as
//! the JSON of DESIGN §12, Markdown, or one self-contained HTML file. What
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
//! use slo_core::Spec;
//! use slo_prometheus::report::{ReportQuery, ReportRange};
//!
//! let spec = Spec::from_yaml("service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n")?;
//! let report = ReportQuery::new("http://prometheus:9090")?
//!     .run(&spec, ReportRange::month("2026-11")?)?;
//! println!("{} of {} SLOs met", report.met(), report.slos.len());
//! let page: String = slo_prometheus::report::html(&report);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compute;
mod fetch;
mod html;
mod markdown;
mod model;
mod range;
mod svg;

use std::time::{Duration, Instant};

use slo_core::Spec;
use slo_core::policy::{PERIOD_WINDOW, Policy};

use crate::query::{Matchers, PromQl, QueryError};

pub use html::html;
pub use markdown::markdown;
pub use model::{Day, ErrorBudget, Events, Incident, Report, SloReport};
pub use range::{RangeError, ReportRange};

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
        let mut reports: Vec<Option<Result<SloReport, ReportError>>> = vec![None; slos.len()];
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results = std::sync::Mutex::new(&mut reports);
        std::thread::scope(|scope| {
            for _ in 0..slos.len().min(4) {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(slo) = slos.get(i) else { break };
                        let result = self.slo_report(slo, range, deadline);
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
        Ok(Report {
            service: spec.service().to_owned(),
            from: range::format_time(range.from()),
            to: range::format_time(range.to()),
            slos: done,
        })
    }

    fn slo_report(
        &self,
        slo: &slo_core::SloDefinition,
        range: ReportRange,
        deadline: Instant,
    ) -> Result<SloReport, ReportError> {
        let policy = Policy::for_period(slo.period());
        let step = evaluation_step(&policy);
        // The longest alert window before the range, so that its first
        // evaluations see whole windows.
        let lookback = policy.windows()[PERIOD_WINDOW - 1].duration.as_secs() as i64;
        let start = (range.from() - lookback).div_euclid(step) * step;
        let selector = fetch::events_selector(slo.name(), &self.matchers);
        let counts = fetch::step_counts(&self.api, &selector, start, range.to(), step, deadline)
            .map_err(|error| ReportError::Query {
                url: self.api.url().to_owned(),
                slo: slo.name().to_owned(),
                error,
            })?;
        Ok(compute::slo_report(slo, range, &counts))
    }
}

/// The evaluation step of an SLO's report; see the [module docs](self).
pub fn evaluation_step(policy: &Policy) -> i64 {
    let shortest = policy.windows()[0].duration.as_secs() as i64;
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
    fn steps_divide_a_day_and_fit_the_shortest_window() {
        let step =
            |days: u64| evaluation_step(&Policy::for_period(Duration::from_secs(days * 86_400)));
        assert_eq!(step(30), 300);
        assert_eq!(step(28), 240);
        assert_eq!(step(7), 60);
        assert_eq!(step(1), 60);
        assert_eq!(step(90), 900);
        assert_eq!(step(365), 3600);
    }
}
