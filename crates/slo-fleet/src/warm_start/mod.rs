//! Warm start: a new process fills its error-budget windows from the
//! `slo_events_total` history a PromQL API (Prometheus, Thanos, Mimir,
//! VictoriaMetrics) already holds, so that its long windows and budget
//! are right from the first request instead of after a period.
//!
//! For every sample spacing its windows keep (a sixtieth of each window),
//! one range query asks for `sum by (slo, outcome) (rate(slo_events_total{…}[R]))`
//! at that spacing, as far back as the window's ring reaches (64 samples):
//! eight queries for all SLOs of one period, coarsest first. The events per
//! interval are joined into one cumulative curve per SLO (the finest
//! resolution where it reaches, coarser ones beyond) and handed to
//! [`Backfill`], which the registry restores like a state file.
//!
//! Serving never waits long on it: every query shares one deadline (default
//! 5 s), an API that cannot be reached is not asked again, and whatever was
//! answered by then is used. [`WarmStartReport`] says what was loaded, and
//! its [`warning`](WarmStartReport::warning) what was not.
//!
//! ```no_run
//! use slo_fleet::warm_start::WarmStart;
//! use slo_fleet::query::Matchers;
//! use slo_core::{Clock, Registry, Spec, SystemClock};
//!
//! let spec = Spec::from_yaml("service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n")?;
//! let (backfill, report) = WarmStart::new("http://prometheus:9090")?
//!     .selector(Matchers::parse(r#"job="shop""#)?)
//!     .backfill(&spec, SystemClock::new().now());
//! eprintln!("{}", report.summary());
//! if let Some(warning) = report.warning() {
//!     eprintln!("warning: {warning}");
//! }
//! let registry = Registry::builder(spec).backfill(backfill).build();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What it cannot know: events the API never scraped (after its last
//! scrape of the old process), excluded events and latency buckets (the
//! windows need good and bad only; those totals start at zero), and
//! whether an SLO's definition changed (the series are found by name). The
//! selector decides whose events fill the windows: one instance's
//! (`instance="…"`), or a whole job's, whose windows then hold the fleet's
//! counts.

mod curve;

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use slo_core::state::{Backfill, SOURCE_PROMETHEUS};
use slo_core::{Spec, Timestamp};

use crate::query::{Matchers, PromQl, QueryError, Series};
use curve::{Curve, Intervals};
use slo_core::series as names;

/// Intervals asked per resolution: a window's ring keeps 64 samples.
const INTERVALS: usize = 64;

/// Where and how to fetch history; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct WarmStart {
    api: PromQl,
    matchers: Matchers,
    timeout: Duration,
    min_range: Duration,
}

/// What a warm start loaded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WarmStartReport {
    /// The API's base URL.
    pub url: String,
    /// How many SLOs the spec has.
    pub slos: usize,
    /// The SLOs whose windows were filled, in spec order.
    pub loaded: Vec<String>,
    /// The SLOs the API has no series for under the selector.
    pub without_series: Vec<String>,
    /// How many range queries were answered.
    pub answered: usize,
    /// The queries that failed: the spacing asked for, and why.
    pub failed: Vec<(Duration, QueryError)>,
    /// Queries not asked: the deadline passed or the API was unreachable.
    pub not_asked: usize,
    /// The earliest instant the loaded history holds.
    pub since: Option<Timestamp>,
    /// How long it took.
    pub elapsed: Duration,
}

impl WarmStartReport {
    /// One line: what was loaded, from where, since when.
    pub fn summary(&self) -> String {
        let since = self
            .since
            .map_or(String::new(), |since| format!(", history since {since}"));
        format!(
            "warm start from {}: {} of {} SLOs loaded{since} ({} queries in {})",
            self.url,
            self.loaded.len(),
            self.slos,
            self.answered,
            slo_core::format_duration(self.elapsed)
        )
    }

    /// One line on what could not be loaded; `None` when everything was.
    pub fn warning(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some((_, first)) = self.failed.first() {
            parts.push(format!(
                "{} of {} queries failed (first: {first})",
                self.failed.len(),
                self.failed.len() + self.answered + self.not_asked
            ));
        }
        if self.not_asked > 0 {
            parts.push(format!("{} not asked in time", self.not_asked));
        }
        if !self.without_series.is_empty() {
            parts.push(format!(
                "no series for {}",
                self.without_series
                    .iter()
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        (!parts.is_empty()).then(|| {
            format!(
                "warm start from {}: {}; those windows start with what this process sees",
                self.url,
                parts.join("; ")
            )
        })
    }
}

impl WarmStart {
    /// How long a warm start may take, unless told otherwise.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
    /// The shortest rate range asked for, unless told otherwise: a range
    /// needs two scrapes in it, and 2m holds two at a 1m scrape interval.
    pub const DEFAULT_MIN_RANGE: Duration = Duration::from_secs(120);

    /// A warm start from the PromQL API at `url` (no selector: every
    /// series of the SLOs' names counts).
    pub fn new(url: &str) -> Result<WarmStart, QueryError> {
        Ok(WarmStart {
            api: PromQl::new(url)?,
            matchers: Matchers::new(),
            timeout: WarmStart::DEFAULT_TIMEOUT,
            min_range: WarmStart::DEFAULT_MIN_RANGE,
        })
    }

    /// Only series these matchers select count, such as `job="shop"`.
    #[must_use]
    pub fn selector(mut self, matchers: Matchers) -> WarmStart {
        self.matchers = matchers;
        self
    }

    /// The most the whole warm start may take (default 5 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> WarmStart {
        self.timeout = timeout;
        self
    }

    /// The shortest rate range asked for (default 2m): at least twice the
    /// scrape interval of the series.
    #[must_use]
    pub fn min_range(mut self, range: Duration) -> WarmStart {
        self.min_range = range.max(Duration::from_millis(1));
        self
    }

    /// The query for one spacing.
    fn expr(&self, spacing: Duration) -> String {
        let range = spacing.max(self.min_range);
        format!(
            "sum by (slo, outcome) (rate({}[{}ms]))",
            self.matchers.selector(names::EVENTS),
            range.as_millis().max(1)
        )
    }

    /// Fetches the history of `spec`'s SLOs up to `now` and returns it as
    /// a [`Backfill`] for [`RegistryBuilder::backfill`](slo_core::RegistryBuilder::backfill),
    /// with a report of what was loaded. Never fails: what could not be
    /// fetched is in the report, and those SLOs are left out of the backfill.
    pub fn backfill(&self, spec: &Spec, now: Timestamp) -> (Backfill, WarmStartReport) {
        let started = Instant::now();
        let deadline = started + self.timeout;
        let mut backfill = Backfill::new(spec, now, SOURCE_PROMETHEUS);
        let plans: Vec<(String, Vec<i64>)> = spec
            .slos()
            .iter()
            .map(|slo| {
                let spacings = backfill
                    .resolutions(slo.name())
                    .map(|rs| rs.iter().map(|r| nanos(r.spacing)).collect())
                    .unwrap_or_default();
                (slo.name().to_owned(), spacings)
            })
            .collect();
        let spacings: BTreeSet<i64> = plans.iter().flat_map(|(_, s)| s.iter().copied()).collect();
        let mut report = WarmStartReport {
            url: self.api.url().to_owned(),
            slos: plans.len(),
            loaded: Vec::new(),
            without_series: Vec::new(),
            answered: 0,
            failed: Vec::new(),
            not_asked: 0,
            since: None,
            elapsed: Duration::ZERO,
        };
        // Coarsest first: the period's window (the budget) matters most.
        let mut fetched: HashMap<i64, HashMap<(String, String), Intervals>> = HashMap::new();
        let mut unreachable = false;
        for &spacing in spacings.iter().rev() {
            if unreachable || Instant::now() >= deadline {
                report.not_asked += 1;
                continue;
            }
            let step = Duration::from_nanos(u64::try_from(spacing).unwrap_or(1));
            // On the windows' own grid (multiples of the spacing), which is
            // also where VictoriaMetrics aligns a range query.
            let newest = now
                .as_unix_nanos()
                .div_euclid(spacing)
                .saturating_mul(spacing);
            let oldest = newest.saturating_sub((INTERVALS as i64 - 1).saturating_mul(spacing));
            match self.api.range(
                &self.expr(step),
                seconds(oldest),
                seconds(newest),
                step,
                deadline,
            ) {
                Ok(series) => {
                    report.answered += 1;
                    let lead = now.as_unix_nanos() - newest;
                    fetched.insert(spacing, intervals(&series, newest, lead, spacing));
                }
                Err(error) => {
                    unreachable = error.is_unreachable();
                    report.failed.push((step, error));
                }
            }
        }
        for (name, spacings) in &plans {
            let mut good = Vec::new();
            let mut bad = Vec::new();
            for spacing in spacings {
                let Some(by_series) = fetched.get(spacing) else {
                    continue;
                };
                if let Some(i) = by_series.get(&(name.clone(), "good".to_owned())) {
                    good.push(i);
                }
                if let Some(i) = by_series.get(&(name.clone(), "bad".to_owned())) {
                    bad.push(i);
                }
            }
            let reach = curve::reach(&good).max(curve::reach(&bad));
            let Some(reach) = reach else {
                if !fetched.is_empty() {
                    report.without_series.push(name.clone());
                }
                continue;
            };
            let (good, bad) = (Curve::new(&good), Curve::new(&bad));
            let since = Timestamp::from_unix_nanos(now.as_unix_nanos().saturating_sub(reach));
            let (total_good, total_bad) = (good.back(reach), bad.back(reach));
            let filled = backfill.fill(name, since, |t| {
                let back = now.as_unix_nanos().saturating_sub(t.as_unix_nanos());
                (total_good - good.back(back), total_bad - bad.back(back))
            });
            if filled.is_ok() {
                report.loaded.push(name.clone());
                report.since = Some(report.since.map_or(since, |s| s.min(since)));
            }
        }
        report.elapsed = started.elapsed();
        (backfill, report)
    }
}

/// Each series' events per interval back from `newest` (`lead` before
/// now), keyed by its `slo` and `outcome` labels; samples off the query's
/// grid are ignored.
fn intervals(
    series: &[Series],
    newest: i64,
    lead: i64,
    spacing: i64,
) -> HashMap<(String, String), Intervals> {
    let mut out = HashMap::new();
    let step = spacing as f64 / 1e9;
    for s in series {
        let (Some(slo), Some(outcome)) = (s.labels.get("slo"), s.labels.get("outcome")) else {
            continue;
        };
        let entry = out
            .entry((slo.clone(), outcome.clone()))
            .or_insert_with(|| Intervals {
                spacing,
                lead,
                events: vec![None; INTERVALS],
            });
        for &(t, rate) in &s.points {
            let back = (newest as f64 / 1e9 - t) / step;
            let k = back.round();
            if !(0.0..INTERVALS as f64).contains(&k) || (back - k).abs() > 0.25 {
                continue;
            }
            if rate.is_finite() && rate >= 0.0 {
                entry.events[k as usize] = Some(rate * step);
            }
        }
    }
    out
}

fn nanos(d: Duration) -> i64 {
    i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
}

fn seconds(ns: i64) -> f64 {
    ns as f64 / 1e9
}
