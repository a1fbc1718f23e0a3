//! SLOs proposed from the history a service already has:
//! what each route (or each SLO) achieved over a range, the objective of
//! the ladder it can keep, a latency threshold 99% of its requests met,
//! what the suggested objective's alert tiers would have fired (and the
//! spec's current objective's), and targets that climb a step a month.
//!
//! - `Source::Http` reads request metrics of the common conventions
//!   ([`CONVENTIONS`]): OpenTelemetry's `http_server_request_duration_seconds`
//!   and axum-prometheus' `axum_http_requests_total` with its duration
//!   histogram. A 5xx is bad; a latency event is bad when it is a 5xx or
//!   slower than the threshold.
//! - `Source::Slo` reads `slo_events_total`, as `slo report` does.
//!
//! Counts are event-weighted over instances and read across counter
//! resets, and the backtest is `slo report`'s incident count on the same
//! grid (a 5m step for the default 30d period), so both agree.
//!
//! ```no_run
//! use slo_fleet::report::ReportRange;
//! use slo_fleet::suggest::{Source, SuggestQuery};
//!
//! let range = ReportRange::between("2026-11-01T00:00:00Z", "2026-11-29T00:00:00Z")?;
//! let suggestions = SuggestQuery::new("http://prometheus:9090")?.run(Source::Http, range, None)?;
//! for slo in &suggestions.slos {
//!     println!("{}: achieved {}, suggest {}", slo.name, slo.achieved, slo.suggested_objective);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod backtest;
mod http;
mod ladder;
mod markdown;
mod model;
mod routes;
mod spec;

use std::time::{Duration, Instant};

use slo_core::spec::Tier;
use slo_core::{Sli, SloDefinition, Spec};

use crate::query::{Matchers, PromQl, QueryError};
use crate::report::ReportRange;
use crate::report::counts::StepCounts;
use crate::report::fetch::{events_selector, step_counts};

pub use http::{CONVENTIONS, Convention};
pub use ladder::{LADDER, suggest_objective};
pub use markdown::markdown;
pub use model::{Backtest, Incidents, LeftOut, Step, SuggestedSlo, Suggestions};
pub use spec::to_spec;

/// The most routes (or SLOs) proposed unless told otherwise.
pub const DEFAULT_MAX_ROUTES: usize = 200;

/// Where the history comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Request metrics of a common convention ([`CONVENTIONS`]).
    Http,
    /// `slo_events_total`, as `slo report` reads it.
    Slo,
}

/// Why nothing was proposed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SuggestError {
    /// A query failed.
    #[error("{url}: the query {query} failed: {error}")]
    Query {
        /// The API's base URL.
        url: String,
        /// The query's text.
        query: String,
        /// Why.
        error: QueryError,
    },
    /// The service's name cannot name a service in a spec.
    #[error("service name {name:?}: {reason} (give another with --service)")]
    ServiceName {
        /// The refused name.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The API holds none of the metrics looked for in the range.
    #[error("{url} holds none of {looked_for} in the range (check --selector and the range)")]
    NothingFound {
        /// The API's base URL.
        url: String,
        /// The metrics looked for.
        looked_for: String,
    },
}

/// Where and how to read the history; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct SuggestQuery {
    api: PromQl,
    matchers: Matchers,
    timeout: Duration,
    max_routes: usize,
    tier: Option<Tier>,
    service: Option<String>,
}

impl SuggestQuery {
    /// Reads from the PromQL API at `url`, within 30 s in all, at most
    /// [`DEFAULT_MAX_ROUTES`] routes.
    pub fn new(url: &str) -> Result<SuggestQuery, QueryError> {
        Ok(SuggestQuery {
            api: PromQl::new(url)?,
            matchers: Matchers::new(),
            timeout: Duration::from_secs(30),
            max_routes: DEFAULT_MAX_ROUTES,
            tier: None,
            service: None,
        })
    }

    /// Only series matching these count, such as `job="shop"`.
    pub fn selector(mut self, matchers: Matchers) -> SuggestQuery {
        self.matchers = matchers;
        self
    }

    /// The most all queries together may take.
    pub fn timeout(mut self, timeout: Duration) -> SuggestQuery {
        self.timeout = timeout;
        self
    }

    /// The most routes (or SLOs) proposed, the busiest; the rest are
    /// [left out](Suggestions::left_out), each said.
    pub fn max_routes(mut self, max: usize) -> SuggestQuery {
        self.max_routes = max.max(1);
        self
    }

    /// The tier the progressive targets climb to (else an SLO's own in
    /// the spec, else essential).
    pub fn tier(mut self, tier: Tier) -> SuggestQuery {
        self.tier = Some(tier);
        self
    }

    /// The service's name (else the spec's, else `service`).
    pub fn service(mut self, name: impl Into<String>) -> SuggestQuery {
        self.service = Some(name.into());
        self
    }

    /// SLOs proposed from `source` over `range`; with `spec`, each is
    /// also backtested at the spec's current objective.
    pub fn run(
        &self,
        source: Source,
        range: ReportRange,
        spec: Option<&Spec>,
    ) -> Result<Suggestions, SuggestError> {
        let deadline = Instant::now() + self.timeout;
        let service = self
            .service
            .clone()
            .or_else(|| spec.map(|s| s.service().to_owned()))
            .unwrap_or_else(|| "service".to_owned());
        if let Some(reason) = slo_core::spec::name_error(&service) {
            return Err(SuggestError::ServiceName {
                name: service,
                reason,
            });
        }
        let context = Context {
            query: self,
            service: &service,
            range,
            spec,
            deadline,
        };
        let (convention, slos, left_out) = match source {
            Source::Http => routes::suggest(&context)?,
            Source::Slo => {
                let (slos, left_out) = from_slo_events(&context)?;
                (None, slos, left_out)
            }
        };
        Ok(Suggestions {
            service,
            from: crate::report::range::format_time(range.from()),
            to: crate::report::range::format_time(range.to()),
            source: match source {
                Source::Http => "http",
                Source::Slo => "slo",
            }
            .to_owned(),
            convention,
            slos,
            left_out,
        })
    }
}

/// What every part of one run shares.
pub(crate) struct Context<'a> {
    pub query: &'a SuggestQuery,
    pub service: &'a str,
    pub range: ReportRange,
    pub spec: Option<&'a Spec>,
    pub deadline: Instant,
}

impl Context<'_> {
    fn failed(&self, query: String, error: QueryError) -> SuggestError {
        SuggestError::Query {
            url: self.query.api.url().to_owned(),
            query,
            error,
        }
    }

    /// The tier the targets climb to: the one asked for, the spec SLO's,
    /// or essential.
    fn tier(&self, current: Option<&SloDefinition>) -> Tier {
        self.query
            .tier
            .or_else(|| current.and_then(|slo| slo.ownership().tier()))
            .unwrap_or(Tier::Essential)
    }

    /// The range's last month, `(year, month)`.
    fn last_month(&self) -> (i32, u32) {
        let date = crate::report::range::format_date(self.range.to() - 1);
        let year = date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970);
        let month = date.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
        (year, month)
    }

    /// A suggested SLO's definition, for its backtest: the default period
    /// and tiers (its routes do not matter there).
    fn definition(&self, name: &str, objective: f64, sli: Sli) -> Option<SloDefinition> {
        let slo = SloDefinition::builder(name).objective(objective).sli(sli);
        let spec = Spec::builder(self.service).slo(slo).build().ok()?;
        spec.slos().first().cloned()
    }

    /// One proposal from its counts: achieved, suggested, backtests and
    /// targets. `objective` is the suggested one when the SLI fixes it
    /// (latency: 99%).
    #[allow(clippy::too_many_arguments, reason = "one proposal's parts")]
    fn propose(
        &self,
        name: String,
        route: Option<String>,
        sli: Sli,
        counts: &StepCounts,
        fixed_objective: Option<f64>,
        suggested: Option<SloDefinition>,
        current: Option<&SloDefinition>,
    ) -> Option<SuggestedSlo> {
        let (good, bad) = backtest::events_in(self.range, counts);
        let total = good + bad;
        if total == 0 {
            return None;
        }
        let achieved = good as f64 / total as f64;
        let objective = fixed_objective.unwrap_or_else(|| suggest_objective(achieved));
        let definition = match suggested {
            Some(definition) => definition,
            None => self.definition(&name, objective, sli)?,
        };
        let progressive = match (sli, fixed_objective) {
            (Sli::Availability | Sli::Quality, None) => {
                ladder::progressive(objective, self.tier(current), self.last_month())
            }
            _ => Vec::new(),
        };
        Some(SuggestedSlo {
            name,
            route,
            sli: slo_core::status::SliStatus::of(&sli),
            events: slo_core::status::EventCounts { good, bad, total },
            achieved,
            suggested_objective: objective,
            backtest: backtest::backtest(&definition, self.range, counts),
            current: current.map(|slo| backtest::backtest(slo, self.range, counts)),
            progressive,
        })
    }
}

/// `--source slo`: every SLO `slo_events_total` names, busiest first.
fn from_slo_events(context: &Context) -> Result<(Vec<SuggestedSlo>, Vec<LeftOut>), SuggestError> {
    let query = context.query;
    let range = context.range;
    let length = range.to() - range.from();
    let selector = query.matchers.selector(slo_core::series::EVENTS);
    let expr = format!(
        "max_over_time((sum by (slo) ({selector}))[{length}s:{}s])",
        http::ranking_resolution(length)
    );
    let answer = query
        .api
        .instant(&expr, range.to() as f64, context.deadline)
        .map_err(|error| context.failed(expr.clone(), error))?;
    let mut names: Vec<(String, f64)> = answer
        .into_iter()
        .filter_map(|s| Some((s.labels.get("slo")?.clone(), s.points.last()?.1)))
        .filter(|(_, total)| total.is_finite() && *total > 0.0)
        .collect();
    if names.is_empty() {
        return Err(SuggestError::NothingFound {
            url: query.api.url().to_owned(),
            looked_for: slo_core::series::EVENTS.to_owned(),
        });
    }
    names.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut left_out = Vec::new();
    for (name, total) in names.iter().skip(query.max_routes) {
        left_out.push(LeftOut {
            route: name.clone(),
            reason: format!(
                "{total:.0} events: fewer than the {} busiest kept",
                query.max_routes
            ),
        });
    }
    let mut slos = Vec::new();
    for (name, _) in names.iter().take(query.max_routes) {
        let current = context.spec.and_then(|spec| spec.slo(name).ok());
        let sli = current.map_or(Sli::Availability, |slo| *slo.sli());
        let Some(grid_slo) = current
            .cloned()
            .or_else(|| context.definition(name, 0.99, sli))
        else {
            left_out.push(LeftOut {
                route: name.clone(),
                reason: "not a valid SLO name".into(),
            });
            continue;
        };
        let (start, step) = crate::report::grid(&grid_slo, range, 0);
        let selector = events_selector(name, &query.matchers);
        let counts = step_counts(
            &query.api,
            &selector,
            start,
            range.to(),
            step,
            context.deadline,
        )
        .map_err(|error| context.failed(selector.clone(), error))?;
        let achieved = {
            let (good, bad) = backtest::events_in(range, &counts);
            good as f64 / (good + bad).max(1) as f64
        };
        let suggested = current.and_then(|slo| {
            let spec = context.spec?;
            let changed = spec
                .with_objective(slo.name(), suggest_objective(achieved))
                .ok()?;
            changed.slo(name).ok().cloned()
        });
        if let Some(proposal) =
            context.propose(name.clone(), None, sli, &counts, None, suggested, current)
        {
            slos.push(proposal);
        }
    }
    Ok((slos, left_out))
}
