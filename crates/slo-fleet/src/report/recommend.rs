//! What a report recommends: each SLO against the range of
//! the same length just before, the trend between them, whether to tighten
//! its objective, keep it, or put reliability work first; and the missed
//! SLOs ranked by how far over budget they went times their traffic.

use serde::{Deserialize, Serialize};

use super::counts::Cumulative;
use super::range::ReportRange;

/// The share of the budget an SLO must keep, this range and the one
/// before, for its objective to be worth tightening.
pub const TIGHTEN_WHEN_LEFT: f64 = 0.75;

/// The SLO over the range of the same length just before.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Previous {
    /// Good over total then; `None` without events.
    pub sli_value: Option<f64>,
    /// The share of that range's budget its bad events used.
    pub consumed_ratio: f64,
}

/// How the SLI moved since the range before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    /// A higher SLI than before.
    Better,
    /// A lower SLI than before.
    Worse,
    /// The same SLI (or no events, then or now).
    Same,
}

/// What to do about the SLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// Met with at least 75% of the budget left, this range and the one
    /// before: the objective promises less than the service keeps.
    Tighten,
    /// Met, without that margin: the objective fits.
    Keep,
    /// Missed: reliability work comes before features.
    PrioritizeReliability,
}

impl Trend {
    /// Its word: `better`, `worse` or `same`.
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Better => "better",
            Trend::Worse => "worse",
            Trend::Same => "same",
        }
    }
}

impl Recommendation {
    /// Its word: `tighten`, `keep` or `prioritize_reliability`.
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::Tighten => "tighten",
            Recommendation::Keep => "keep",
            Recommendation::PrioritizeReliability => "prioritize_reliability",
        }
    }
}

/// The SLO over the range of `range`'s length just before it, from the
/// counts (which reach back that far).
pub(crate) fn previous(range: ReportRange, budget: f64, cumulative: &Cumulative) -> Previous {
    let length = range.to() - range.from();
    let (good, bad) = cumulative.between(range.from() - length, range.from());
    let (good, bad) = (
        super::counts::count(good) as f64,
        super::counts::count(bad) as f64,
    );
    let total = good + bad;
    Previous {
        sli_value: (total > 0.0).then(|| good / total),
        consumed_ratio: if total > 0.0 && budget > 0.0 {
            bad / (budget * total)
        } else {
            0.0
        },
    }
}

/// Better, worse or the same: SLIs within 1e-9 are the same.
pub(crate) fn trend(now: Option<f64>, before: Option<f64>) -> Trend {
    match (now, before) {
        (Some(now), Some(before)) if now > before + 1e-9 => Trend::Better,
        (Some(now), Some(before)) if now < before - 1e-9 => Trend::Worse,
        _ => Trend::Same,
    }
}

/// Tighten, keep or prioritize reliability, from this range's verdict,
/// events and budget and the previous range's. Without events, now or
/// before, nothing says the margin is real: keep.
pub(crate) fn recommend(
    met: bool,
    had_events: bool,
    consumed: f64,
    previous: &Previous,
) -> Recommendation {
    let kept = |consumed: f64| 1.0 - consumed >= TIGHTEN_WHEN_LEFT - 1e-12;
    if !met {
        Recommendation::PrioritizeReliability
    } else if had_events
        && kept(consumed)
        && previous.sli_value.is_some()
        && kept(previous.consumed_ratio)
    {
        Recommendation::Tighten
    } else {
        Recommendation::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recommendations_follow_the_budget_now_and_before() {
        let before = |sli: Option<f64>, consumed| Previous {
            sli_value: sli,
            consumed_ratio: consumed,
        };
        let calm = before(Some(0.9999), 0.1);
        assert_eq!(recommend(true, true, 0.25, &calm), Recommendation::Tighten);
        assert_eq!(recommend(true, true, 0.2501, &calm), Recommendation::Keep);
        assert_eq!(
            recommend(true, true, 0.1, &before(Some(0.99), 0.3)),
            Recommendation::Keep
        );
        // Without events before, nothing says the margin lasts.
        assert_eq!(
            recommend(true, true, 0.0, &before(None, 0.0)),
            Recommendation::Keep
        );
        assert_eq!(
            recommend(false, true, 1.5, &calm),
            Recommendation::PrioritizeReliability
        );
        // Nothing this range: nothing to tighten on.
        assert_eq!(recommend(true, false, 0.0, &calm), Recommendation::Keep);
        assert_eq!(trend(Some(0.999), Some(0.998)), Trend::Better);
        assert_eq!(trend(Some(0.997), Some(0.998)), Trend::Worse);
        assert_eq!(trend(Some(0.998), Some(0.998)), Trend::Same);
        assert_eq!(trend(None, Some(0.998)), Trend::Same);
    }
}
