//! One SLO's raw `slo_events_total` series read at every evaluation step,
//! and turned into events per step: per series, across counter resets,
//! then summed over every series (event-weighted over instances).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::query::{Matchers, PromQl, QueryError, Series};
use slo_core::series as names;

use super::counts::StepCounts;

/// Points per query: Prometheus refuses more than 11,000 per series.
const POINTS_PER_QUERY: i64 = 10_000;

/// Each series' readings at every step, by all its labels (`__name__`
/// first when the answer names it).
pub(crate) type Readings = BTreeMap<Vec<(String, String)>, Vec<Option<f64>>>;

/// The selector of one SLO's raw counters.
pub(crate) fn events_selector(slo: &str, matchers: &Matchers) -> String {
    let quoted = crate::rules::promql::quote(slo);
    if matchers.is_empty() {
        format!("{}{{slo={quoted}}}", names::EVENTS)
    } else {
        format!("{}{{slo={quoted}, {matchers}}}", names::EVENTS)
    }
}

/// The counters of `selector` at `start + k·step` up to `end`, as events
/// per step.
pub(crate) fn step_counts(
    api: &PromQl,
    selector: &str,
    start: i64,
    end: i64,
    step: i64,
    deadline: Instant,
) -> Result<StepCounts, QueryError> {
    let values = read_series(api, selector, start, end, step, deadline)?;
    counts(
        &values,
        start,
        step,
        grid_len(start, end, step),
        Some((api, deadline)),
    )
}

/// Every series `selector` names, read at `start + k·step` up to `end`.
pub(crate) fn read_series(
    api: &PromQl,
    selector: &str,
    start: i64,
    end: i64,
    step: i64,
    deadline: Instant,
) -> Result<Readings, QueryError> {
    let len = grid_len(start, end, step);
    let mut values: Readings = BTreeMap::new();
    for series in range_all(api, selector, start, end, step, deadline)? {
        place(&mut values, series, start, step, len);
    }
    Ok(values)
}

/// How many points a grid from `start` to `end` every `step` has.
pub(crate) fn grid_len(start: i64, end: i64, step: i64) -> usize {
    (((end - start) + step - 1) / step) as usize + 1
}

/// `expr` at `start + k·step` up to `end`, in as many range queries as
/// the API's limit on points per series asks; a series answered in
/// several parts comes as several [`Series`] with the same labels.
pub(crate) fn range_all(
    api: &PromQl,
    expr: &str,
    start: i64,
    end: i64,
    step: i64,
    deadline: Instant,
) -> Result<Vec<Series>, QueryError> {
    let steps = ((end - start) + step - 1) / step;
    let mut all = Vec::new();
    let mut chunk_start = 0;
    while chunk_start <= steps {
        let chunk_end = (chunk_start + POINTS_PER_QUERY - 1).min(steps);
        all.extend(api.range(
            expr,
            (start + chunk_start * step) as f64,
            (start + chunk_end * step) as f64,
            Duration::from_secs(step as u64),
            deadline,
        )?);
        chunk_start = chunk_end + 1;
    }
    Ok(all)
}

/// The events per step of `series` read at `start + k·step` (`len` steps),
/// without asking for raw samples around resets.
pub(crate) fn counts_of(series: Vec<Series>, start: i64, step: i64, len: usize) -> StepCounts {
    let mut values: Readings = BTreeMap::new();
    for series in series {
        place(&mut values, series, start, step, len);
    }
    // Without an API nothing fails.
    counts(&values, start, step, len, None).unwrap_or(StepCounts {
        start,
        step,
        good: vec![0.0; len],
        bad: vec![0.0; len],
    })
}

/// Each series' increases per step, summed by outcome (series of no
/// outcome this report knows count neither); with an API, each step
/// holding a reset counted from the series' raw samples.
fn counts(
    values: &Readings,
    start: i64,
    step: i64,
    len: usize,
    api: Option<(&PromQl, Instant)>,
) -> Result<StepCounts, QueryError> {
    let mut counts = StepCounts {
        start,
        step,
        good: vec![0.0; len],
        bad: vec![0.0; len],
    };
    for (labels, events) in series_events(values, start, step, api)? {
        let outcome = labels
            .iter()
            .find(|(name, _)| name == "outcome")
            .map(|(_, value)| value.as_str());
        let into = match outcome {
            Some("bad") => &mut counts.bad,
            Some("good") => &mut counts.good,
            _ => continue,
        };
        for (k, events) in events.into_iter().enumerate() {
            into[k] += events;
        }
    }
    Ok(counts)
}

/// One series' labels and its events per step.
pub(crate) type SeriesEvents<'a> = (&'a [(String, String)], Vec<f64>);

/// Each series' events per step: its increase since its reading before
/// (a step without a reading is bridged), its whole value after a reset
/// or when it first appears after the first step; with an API, each step
/// holding a reset counted from the series' raw samples, so that what
/// the old process counted after its last reading is not lost.
pub(crate) fn series_events<'a>(
    values: &'a Readings,
    start: i64,
    step: i64,
    api: Option<(&PromQl, Instant)>,
) -> Result<Vec<SeriesEvents<'a>>, QueryError> {
    let mut refined = 0;
    let mut all = Vec::with_capacity(values.len());
    for (labels, series) in values {
        let (mut events, resets) = increases(series);
        for reset in resets {
            // Between the readings around a reset the counter also counted
            // in the old process after the earlier reading: only its raw
            // samples tell how much.
            let Some((api, deadline)) = api else { break };
            if refined >= MAX_REFINED || reset.after - reset.before > MAX_REFINED_STEPS {
                continue;
            }
            refined += 1;
            let time = start + reset.after as i64 * step;
            let span = (reset.after - reset.before) as i64 * step;
            let raw = api.raw(
                &series_selector(labels),
                Duration::from_secs(span as u64),
                time as f64,
                deadline,
            )?;
            let from = (start + reset.before as i64 * step) as f64;
            if let Some(exact) = raw
                .first()
                .and_then(|s| increase_within(&s.points, series[reset.before], from))
            {
                events[reset.after] = exact;
            }
        }
        all.push((labels.as_slice(), events));
    }
    Ok(all)
}

/// Resets refined from raw samples per SLO, at most: a counter that resets
/// at every step would otherwise cost a query a step.
const MAX_REFINED: usize = 256;
/// The longest gap (in steps) a reset is refined over.
const MAX_REFINED_STEPS: usize = 288;

/// A selector naming exactly one series by all its labels: `name{…}`
/// (`slo_events_total` when the labels do not name it).
fn series_selector(labels: &[(String, String)]) -> String {
    let name = labels
        .iter()
        .find(|(label, _)| label == "__name__")
        .map_or(names::EVENTS, |(_, value)| value.as_str());
    let inner: Vec<String> = labels
        .iter()
        .filter(|(label, _)| label != "__name__")
        .map(|(label, value)| format!("{label}={}", crate::rules::promql::quote(value)))
        .collect();
    format!("{name}{{{}}}", inner.join(", "))
}

/// The increase of a counter from `previous` (its reading at `from`)
/// through its raw `points` after `from`, across every reset among them.
fn increase_within(points: &[(f64, f64)], previous: Option<f64>, from: f64) -> Option<f64> {
    let mut last = previous?;
    let mut total = 0.0;
    let mut any = false;
    for &(time, value) in points {
        if time <= from || !value.is_finite() || value < 0.0 {
            continue;
        }
        total += if value >= last { value - last } else { value };
        last = value;
        any = true;
    }
    any.then_some(total)
}

/// Files a series' points under its labels, at the step each falls on.
fn place(values: &mut Readings, series: Series, start: i64, step: i64, len: usize) {
    let key: Vec<(String, String)> = series.labels.into_iter().collect();
    let slots = values.entry(key).or_insert_with(|| vec![None; len]);
    for (time, value) in series.points {
        let k = ((time - start as f64) / step as f64).round();
        if k >= 0.0 && (k as usize) < len && value.is_finite() && value >= 0.0 {
            slots[k as usize] = Some(value);
        }
    }
}

/// A reading lower than the one before it, at step `after`; the one
/// before was at step `before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reset {
    before: usize,
    after: usize,
}

/// Events per step of one counter read at each step: its increase since the
/// previous reading, or its whole value after a reset (it went down: the
/// process restarted and counted from zero), with where each reset is so
/// that the caller can refine it. A series that first appears after the
/// first step is a process that started then, so its first value counts;
/// at the first step it is where the range's history begins.
fn increases(values: &[Option<f64>]) -> (Vec<f64>, Vec<Reset>) {
    let mut events = vec![0.0; values.len()];
    let mut resets = Vec::new();
    let mut last: Option<(usize, f64)> = None;
    for (k, value) in values.iter().enumerate() {
        let Some(value) = *value else { continue };
        events[k] = match last {
            Some((_, previous)) if value >= previous => value - previous,
            Some((before, _)) => {
                resets.push(Reset { before, after: k });
                value
            }
            None if k == 0 => 0.0,
            None => value,
        };
        last = Some((k, value));
    }
    (events, resets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resets_gaps_and_late_series() {
        let values = [
            Some(10.0),
            Some(15.0),
            None,
            Some(20.0),
            Some(3.0),
            Some(7.0),
        ];
        assert_eq!(
            increases(&values),
            (
                vec![0.0, 5.0, 0.0, 5.0, 3.0, 4.0],
                vec![Reset {
                    before: 3,
                    after: 4
                }]
            )
        );
        // A process that started after the first step counted from zero.
        assert_eq!(
            increases(&[None, None, Some(4.0), Some(6.0)]).0,
            vec![0.0, 0.0, 4.0, 2.0]
        );
        assert_eq!(increases(&[None, None]), (vec![0.0, 0.0], vec![]));
    }

    #[test]
    fn raw_samples_count_what_the_old_process_counted_before_its_reset() {
        // Read 100 at 0; the old process counted to 130, the new one to 7.
        let points = [
            (0.0, 100.0),
            (60.0, 120.0),
            (120.0, 130.0),
            (180.0, 2.0),
            (240.0, 7.0),
        ];
        assert_eq!(increase_within(&points, Some(100.0), 0.0), Some(37.0));
        assert_eq!(increase_within(&points, None, 0.0), None);
        assert_eq!(increase_within(&[(0.0, 100.0)], Some(100.0), 0.0), None);
    }

    #[test]
    fn one_series_is_named_by_all_its_labels() {
        let labels = vec![
            ("instance".to_owned(), "a:1".to_owned()),
            ("outcome".to_owned(), "bad".to_owned()),
            ("slo".to_owned(), "x\"y".to_owned()),
        ];
        assert_eq!(
            series_selector(&labels),
            r#"slo_events_total{instance="a:1", outcome="bad", slo="x\"y"}"#
        );
    }

    #[test]
    fn selectors_quote_the_name_and_keep_the_matchers() {
        assert_eq!(
            events_selector("a\"b", &Matchers::new()),
            r#"slo_events_total{slo="a\"b"}"#
        );
        let matchers = Matchers::parse(r#"job="shop", env!~"dev|test""#).unwrap();
        assert_eq!(
            events_selector("api", &matchers),
            r#"slo_events_total{slo="api", job="shop", env!~"dev|test"}"#
        );
    }
}
