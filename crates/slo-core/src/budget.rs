//! The arithmetic of burn rates and error budgets
//! ([semantics](crate::semantics#burn-rate-and-error-budget)), in one place
//! for the status document, the alerts, the release decisions and the
//! chart of recent hours.

/// Fewer events than this in a window count as none. Window counts are
/// interpolated inside one sample spacing, so they are fractional: a
/// window whose start falls just before its only event holds a sliver of
/// it, and a burn rate over a sliver would be noise.
pub(crate) const NO_EVENTS: f64 = 1e-9;

/// The burn rate over a window holding `good` and `bad` events, for an SLO
/// whose error budget (`1 − objective`) is `budget`: `(bad / total) /
/// budget`; `None` for a window without events.
pub(crate) fn burn_rate(good: f64, bad: f64, budget: f64) -> Option<f64> {
    let total = good + bad;
    (total > NO_EVENTS).then(|| bad / total / budget)
}

/// The share of the period's error budget spent: the burn rate over what
/// the period window holds, times the share of the period it holds. With
/// the whole period seen that is the burn rate over the period; before,
/// it is what was spent of a period's budget at the rate of events seen,
/// never minutes of data read as a whole period.
pub(crate) fn consumed(period_burn: Option<f64>, coverage: f64) -> f64 {
    period_burn.unwrap_or(0.0) * coverage.clamp(0.0, 1.0)
}

/// At `burn` (the exhaustion window's burn rate), the seconds until a
/// `remaining` share of a `period_seconds` budget is gone; `None` when it
/// is not being spent or is already gone.
pub(crate) fn exhaustion_seconds(
    remaining: f64,
    period_seconds: f64,
    burn: Option<f64>,
) -> Option<f64> {
    match burn {
        Some(rate) if rate > 0.0 && remaining > 0.0 => Some(remaining * period_seconds / rate),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_without_events_has_no_burn_rate() {
        assert_eq!(burn_rate(0.0, 0.0, 0.001), None);
        assert_eq!(burn_rate(1e-12, 0.0, 0.001), None);
        assert_eq!(burn_rate(999.0, 1.0, 0.001), Some(1.0));
    }

    #[test]
    fn minutes_of_data_spend_only_their_share() {
        // 85 s at burn rate 22 spend 0.07% of a 30d budget, not 2111%.
        let coverage = 85.0 / (30.0 * 86_400.0);
        assert!((consumed(Some(22.0), coverage) - 0.000_721).abs() < 1e-6);
        assert_eq!(consumed(None, 1.0), 0.0);
        assert_eq!(consumed(Some(2.0), 3.0), 2.0);
    }

    #[test]
    fn exhaustion_needs_a_budget_being_spent() {
        assert_eq!(exhaustion_seconds(0.5, 100.0, Some(2.0)), Some(25.0));
        assert_eq!(exhaustion_seconds(0.5, 100.0, Some(0.0)), None);
        assert_eq!(exhaustion_seconds(0.0, 100.0, Some(2.0)), None);
        assert_eq!(exhaustion_seconds(0.5, 100.0, None), None);
    }
}
