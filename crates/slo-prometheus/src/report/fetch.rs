//! One SLO's raw `slo_events_total` series read at every evaluation step,
//! and turned into events per step: per series, across counter resets,
//! then summed over every series (event-weighted over instances).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::names;
use crate::query::{Matchers, PromQl, QueryError, Series};

use super::compute::StepCounts;

/// Points per query: Prometheus refuses more than 11,000 per series.
const POINTS_PER_QUERY: i64 = 10_000;

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
    let steps = ((end - start) + step - 1) / step;
    let len = steps as usize + 1;
    // Every series' value at each step, by its labels.
    let mut values: BTreeMap<Vec<(String, String)>, (bool, Vec<Option<f64>>)> = BTreeMap::new();
    let mut chunk_start = 0;
    while chunk_start <= steps {
        let chunk_end = (chunk_start + POINTS_PER_QUERY - 1).min(steps);
        let answer = api.range(
            selector,
            (start + chunk_start * step) as f64,
            (start + chunk_end * step) as f64,
            Duration::from_secs(step as u64),
            deadline,
        )?;
        for series in answer {
            place(&mut values, series, start, step, len);
        }
        chunk_start = chunk_end + 1;
    }
    let mut counts = StepCounts {
        start,
        step,
        good: vec![0.0; len],
        bad: vec![0.0; len],
    };
    for (bad, series) in values.values() {
        let into = if *bad {
            &mut counts.bad
        } else {
            &mut counts.good
        };
        for (k, events) in increases(series).into_iter().enumerate() {
            into[k] += events;
        }
    }
    Ok(counts)
}

/// Files a series' points under its labels, at the step each falls on.
fn place(
    values: &mut BTreeMap<Vec<(String, String)>, (bool, Vec<Option<f64>>)>,
    series: Series,
    start: i64,
    step: i64,
    len: usize,
) {
    let bad = match series.labels.get("outcome").map(String::as_str) {
        Some("bad") => true,
        Some("good") => false,
        // Not an outcome this report knows: neither good nor bad.
        _ => return,
    };
    let key: Vec<(String, String)> = series
        .labels
        .into_iter()
        .filter(|(name, _)| name != "__name__")
        .collect();
    let (_, slots) = values.entry(key).or_insert_with(|| (bad, vec![None; len]));
    for (time, value) in series.points {
        let k = ((time - start as f64) / step as f64).round();
        if k >= 0.0 && (k as usize) < len && value.is_finite() && value >= 0.0 {
            slots[k as usize] = Some(value);
        }
    }
}

/// Events per step of one counter read at each step: its increase since the
/// previous reading, or its whole value after a reset (it went down: the
/// process restarted and counted from zero). A series that first appears
/// after the first step is a process that started then, so its first
/// value counts; at the first step it is where the range's history begins.
fn increases(values: &[Option<f64>]) -> Vec<f64> {
    let mut events = vec![0.0; values.len()];
    let mut last: Option<f64> = None;
    for (k, value) in values.iter().enumerate() {
        let Some(value) = *value else { continue };
        events[k] = match last {
            Some(previous) if value >= previous => value - previous,
            Some(_) => value,
            None if k == 0 => 0.0,
            None => value,
        };
        last = Some(value);
    }
    events
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
        assert_eq!(increases(&values), vec![0.0, 5.0, 0.0, 5.0, 3.0, 4.0]);
        // A process that started after the first step counted from zero.
        assert_eq!(
            increases(&[None, None, Some(4.0), Some(6.0)]),
            vec![0.0, 0.0, 4.0, 2.0]
        );
        assert_eq!(increases(&[None, None]), vec![0.0, 0.0]);
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
