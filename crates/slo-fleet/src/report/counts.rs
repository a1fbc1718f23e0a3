//! The counts a report is computed from: events per evaluation step, and
//! their running sums read at any instant. Both the report's numbers and
//! its budget alerts read them.

/// Events of every instance per evaluation step: `good[k]` and `bad[k]`
/// fell in `(t(k−1), t(k)]`, where `t(k) = start + k·step` (nothing is
/// known before `t(0)`, so index 0 holds none).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StepCounts {
    pub start: i64,
    pub step: i64,
    pub good: Vec<f64>,
    pub bad: Vec<f64>,
}

/// Events as whole events: counter increases of whole events are whole;
/// the rounding only hides float noise (and a PromQL engine's own, if any).
pub(crate) fn count(events: f64) -> u64 {
    events.round().max(0.0) as u64
}

/// Cumulative counts since `t(0)`, read at any time.
pub(crate) struct Cumulative {
    /// `t(0)`.
    pub(super) start: i64,
    /// The step, at least 1.
    pub(super) step: i64,
    good: Vec<f64>,
    bad: Vec<f64>,
}

impl Cumulative {
    pub(crate) fn new(counts: &StepCounts) -> Cumulative {
        let running = |events: &[f64]| {
            let mut sum = 0.0;
            events
                .iter()
                .map(|e| {
                    sum += e;
                    sum
                })
                .collect::<Vec<f64>>()
        };
        Cumulative {
            start: counts.start,
            step: counts.step.max(1),
            good: running(&counts.good),
            bad: running(&counts.bad),
        }
    }

    /// `(good, bad)` from `t(0)` to `time`, linear within a step.
    pub(super) fn at(&self, time: i64) -> (f64, f64) {
        let read = |values: &[f64]| {
            let Some(last) = values.len().checked_sub(1) else {
                return 0.0;
            };
            let offset = (time - self.start).max(0) as f64 / self.step as f64;
            let i = (offset.floor() as usize).min(last);
            if i == last {
                return values[last];
            }
            values[i] + (values[i + 1] - values[i]) * (offset - i as f64)
        };
        (read(&self.good), read(&self.bad))
    }

    /// `(good, bad)` in `(from, to]`.
    pub(crate) fn between(&self, from: i64, to: i64) -> (f64, f64) {
        let (g0, b0) = self.at(from);
        let (g1, b1) = self.at(to);
        ((g1 - g0).max(0.0), (b1 - b0).max(0.0))
    }
}
