//! `--source http`: per route, an availability SLO at the ladder's
//! objective it kept, and a latency SLO at 99% under the smallest bucket
//! bound 99% of its requests met.

use std::collections::BTreeMap;
use std::time::Duration;

use slo_core::spec::SloNamer;
use slo_core::{Sli, SloDefinition};

use super::http::{CONVENTIONS, Failed, HttpReader, RouteKey};
use super::model::{LeftOut, SuggestedSlo};
use super::{Context, SuggestError};
use crate::report::counts::StepCounts;

/// The share of requests a latency threshold must bound.
const LATENCY_SHARE: f64 = 0.99;

/// The convention read, the SLOs proposed and what was left out.
pub(crate) type Proposals = (Option<String>, Vec<SuggestedSlo>, Vec<LeftOut>);

pub(crate) fn suggest(context: &Context) -> Result<Proposals, SuggestError> {
    let query = context.query;
    let range = context.range;
    let length = range.to() - range.from();
    let fail = |failed: Failed| context.failed(failed.query, failed.error);
    // The first convention with requests in the range is the service's.
    let mut found = None;
    for convention in CONVENTIONS {
        let reader = HttpReader {
            api: &query.api,
            matchers: &query.matchers,
            convention,
            deadline: context.deadline,
        };
        let totals = reader.totals(range.to(), length).map_err(fail)?;
        if !totals.is_empty() {
            found = Some((reader, totals));
            break;
        }
    }
    let Some((reader, totals)) = found else {
        let names: Vec<&str> = CONVENTIONS.iter().map(|c| c.count).collect();
        return Err(SuggestError::NothingFound {
            url: query.api.url().to_owned(),
            looked_for: names.join(" or "),
        });
    };
    let mut left_out = Vec::new();
    let mut kept: Vec<RouteKey> = Vec::new();
    for ((route, method), total) in totals {
        let shown = shown_route(&route, &method);
        if !route.starts_with('/') {
            left_out.push(LeftOut {
                route: shown,
                reason: format!(
                    "{total:.0} requests without a route template (no route matched them)"
                ),
            });
        } else if kept.len() >= query.max_routes {
            left_out.push(LeftOut {
                route: shown,
                reason: format!(
                    "{total:.0} requests: fewer than the {} busiest routes kept",
                    query.max_routes
                ),
            });
        } else {
            kept.push((route, method));
        }
    }
    // Every route's template once, for the queries' matchers.
    let mut templates: Vec<String> = kept.iter().map(|(route, _)| route.clone()).collect();
    templates.sort();
    templates.dedup();
    // When every route is read, no matcher: it is cheaper than a list.
    if left_out.is_empty() {
        templates.clear();
    }
    // The grid of the suggested SLOs: the default period's.
    let grid_slo = context
        .definition("grid", 0.99, Sli::Availability)
        .ok_or_else(|| SuggestError::NothingFound {
            url: query.api.url().to_owned(),
            looked_for: "a valid service name".into(),
        })?;
    // The spec's SLOs of these routes are backtested on the same counts:
    // the grid reaches back as far as any of them looks, at the finest
    // step any of them takes.
    let mut grids = vec![crate::report::grid(&grid_slo, range, 0)];
    for key in &kept {
        for latency in [false, true] {
            if let Some((slo, _)) = current(context, key, latency) {
                grids.push(crate::report::grid(slo, range, 0));
            }
        }
    }
    let step = grids.iter().map(|(_, step)| *step).min().unwrap_or(300);
    let start = grids
        .iter()
        .map(|(start, _)| *start)
        .min()
        .unwrap_or(range.from());
    let start = start.div_euclid(step) * step;
    let grid = (start, range.to(), step);
    let buckets = reader
        .buckets((range.from(), range.to()), &templates)
        .map_err(fail)?;
    // Each route's threshold, and the current spec's, as bounds written.
    let mut thresholds: BTreeMap<RouteKey, (String, f64)> = BTreeMap::new();
    let mut bounds: Vec<String> = Vec::new();
    for key in &kept {
        let Some(route_buckets) = buckets.get(key) else {
            continue;
        };
        if let Some(found) = threshold(route_buckets, LATENCY_SHARE) {
            bounds.push(found.0.clone());
            thresholds.insert(key.clone(), found);
        }
        if let Some((_, Sli::Latency { threshold })) = current(context, key, true)
            && let Some(found) = bound_at(route_buckets, threshold.as_secs_f64())
        {
            bounds.push(found.0);
        }
    }
    bounds.sort();
    bounds.dedup();
    // The requests and the fast ones, at once: the API answers both.
    let (requests, fast) = std::thread::scope(|scope| {
        let fast = scope.spawn(|| {
            if bounds.is_empty() {
                Ok(BTreeMap::new())
            } else {
                reader.fast_per_step(grid, &templates, &bounds)
            }
        });
        let requests = reader.requests_per_step(grid, &templates);
        let fast = fast
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (requests, fast)
    });
    let (requests, fast) = (requests.map_err(fail)?, fast.map_err(fail)?);
    let len = crate::report::fetch::grid_len(grid.0, grid.1, grid.2);
    let zeros = vec![0.0; len];
    let mut names = SloNamer::new();
    let mut slos = Vec::new();
    for key in &kept {
        let (route, method) = key;
        let shown = shown_route(route, method);
        let (all, bad) = requests
            .get(key)
            .map_or((&zeros, &zeros), |(all, bad)| (all, bad));
        let counts = |good: &dyn Fn(usize) -> f64| StepCounts {
            start,
            step,
            good: (0..len).map(good).collect(),
            bad: (0..len).map(|k| (all[k] - good(k)).max(0.0)).collect(),
        };
        let available = counts(&|k| (all[k] - bad[k]).max(0.0));
        let name = match names.name(&shown, "availability") {
            Ok(name) => name,
            Err(e) => {
                left_out.push(LeftOut {
                    route: shown,
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let current_availability = current(context, key, false).map(|(slo, _)| slo);
        match context.propose(
            name,
            Some(shown.clone()),
            Sli::Availability,
            &available,
            None,
            None,
            current_availability,
        ) {
            Some(proposal) => slos.push(proposal),
            None => {
                left_out.push(LeftOut {
                    route: shown,
                    reason: "no requests in the range".into(),
                });
                continue;
            }
        }
        let Some((le, seconds)) = thresholds.get(key) else {
            left_out.push(LeftOut {
                route: format!("{shown} (latency)"),
                reason: format!(
                    "fewer than {}% of its requests finished under the largest bucket bound",
                    LATENCY_SHARE * 100.0
                ),
            });
            continue;
        };
        let under = fast.get(&(key.clone(), le.clone())).unwrap_or(&zeros);
        let slow = counts(&|k| under[k].min(all[k]));
        let name = match names.name(&shown, "latency") {
            Ok(name) => name,
            Err(e) => {
                left_out.push(LeftOut {
                    route: format!("{shown} (latency)"),
                    reason: e.to_string(),
                });
                continue;
            }
        };
        let sli = Sli::Latency {
            threshold: Duration::from_secs_f64(*seconds),
        };
        let current_latency = current(context, key, true).map(|(slo, _)| slo);
        // The current SLO's own threshold, read at its bound.
        let current_counts = current_latency.and_then(|slo| {
            let Sli::Latency { threshold } = slo.sli() else {
                return None;
            };
            let (le, _) = bound_at(buckets.get(key)?, threshold.as_secs_f64())?;
            let under = fast.get(&(key.clone(), le))?;
            Some(counts(&|k| under[k].min(all[k])))
        });
        let mut proposal = context.propose(
            name,
            Some(shown.clone()),
            sli,
            &slow,
            Some(LATENCY_SHARE),
            None,
            None,
        );
        if let (Some(proposal), Some(slo), Some(counts)) =
            (proposal.as_mut(), current_latency, current_counts)
        {
            proposal.current = Some(super::backtest::backtest(slo, context.range, &counts));
        }
        match proposal {
            Some(proposal) => slos.push(proposal),
            None => left_out.push(LeftOut {
                route: format!("{shown} (latency)"),
                reason: "no requests in the range".into(),
            }),
        }
    }
    Ok((Some(reader.convention.name.to_owned()), slos, left_out))
}

/// `METHOD /template`, or the template alone without a method.
fn shown_route(route: &str, method: &str) -> String {
    if method.is_empty() {
        route.to_owned()
    } else {
        format!("{method} {route}")
    }
}

/// The spec's SLO for this route: the first whose routes match it, of
/// the latency kind or of availability (quality counts), with its SLI.
fn current<'a>(
    context: &'a Context,
    (route, method): &RouteKey,
    latency: bool,
) -> Option<(&'a SloDefinition, Sli)> {
    let spec = context.spec?;
    spec.slos()
        .iter()
        .filter(|slo| slo.routes().is_some() || slo.takes_every_request())
        .find(|slo| {
            slo.matches(method, route)
                && match slo.sli() {
                    Sli::Latency { .. } => latency,
                    Sli::Availability | Sli::Quality => !latency,
                    Sli::Freshness { .. } => false,
                }
        })
        .map(|slo| (slo, *slo.sli()))
}

/// The bound's value, `+Inf` included.
fn bound_value(le: &str) -> Option<f64> {
    match le {
        "+Inf" | "Inf" | "inf" => Some(f64::INFINITY),
        // A latency threshold is positive and under a day: a peer's
        // `le="-1"` or `le="1e20"` is no bound to propose.
        text => text
            .parse()
            .ok()
            .filter(|v: &f64| *v > 0.0 && *v <= MAX_THRESHOLD),
    }
}

/// The longest latency threshold proposed, in seconds: a day.
const MAX_THRESHOLD: f64 = 86_400.0;

/// The smallest finite bound under which at least `share` of the
/// requests finished (the buckets count cumulatively), as written and as
/// seconds.
pub(crate) fn threshold(buckets: &[(String, f64)], share: f64) -> Option<(String, f64)> {
    let mut bounds: Vec<(f64, &str, f64)> = buckets
        .iter()
        .filter_map(|(le, count)| Some((bound_value(le)?, le.as_str(), *count)))
        .collect();
    bounds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total = bounds.iter().map(|b| b.2).fold(0.0, f64::max);
    if total <= 0.0 {
        return None;
    }
    bounds
        .iter()
        .find(|(value, _, count)| value.is_finite() && *count >= share * total - 1e-9)
        .map(|(value, le, _)| ((*le).to_owned(), *value))
}

/// The largest finite bound at or under `seconds`, as written.
fn bound_at(buckets: &[(String, f64)], seconds: f64) -> Option<(String, f64)> {
    buckets
        .iter()
        .filter_map(|(le, _)| Some((le.clone(), bound_value(le)?)))
        .filter(|(_, value)| value.is_finite() && *value <= seconds + 1e-12)
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_is_the_smallest_bound_that_holds_99_percent() {
        let buckets: Vec<(String, f64)> = [
            ("0.05", 900.0),
            ("0.1", 989.0),
            ("0.25", 990.0),
            ("0.5", 999.0),
            ("+Inf", 1000.0),
        ]
        .iter()
        .map(|(le, n)| ((*le).to_owned(), *n))
        .collect();
        assert_eq!(threshold(&buckets, 0.99), Some(("0.25".to_owned(), 0.25)));
        assert_eq!(threshold(&buckets, 0.999), Some(("0.5".to_owned(), 0.5)));
        assert_eq!(threshold(&buckets, 0.9999), None);
        assert_eq!(bound_at(&buckets, 0.3), Some(("0.25".to_owned(), 0.25)));
        assert_eq!(bound_at(&buckets, 0.01), None);
    }
}
