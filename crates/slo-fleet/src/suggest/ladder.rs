//! The objectives a suggestion picks from, and the progressive targets that
//! climb them a month at a time, up to the tier's availability objective.

use slo_core::spec::Tier;

use super::model::Step;

/// The objectives a suggestion picks from, loosest first.
pub use slo_core::spec::OBJECTIVE_LADDER as LADDER;

/// The highest objective of the ladder at or under `achieved`; the
/// loosest (90%) when even that was missed.
///
/// ```
/// use slo_fleet::suggest::suggest_objective;
/// assert_eq!(suggest_objective(0.99949), 0.999);
/// assert_eq!(suggest_objective(0.9995), 0.9995);
/// assert_eq!(suggest_objective(0.5), 0.9);
/// ```
pub fn suggest_objective(achieved: f64) -> f64 {
    // Compared to 1e-12: an SLI read as 0.99949999999 achieved 99.95%
    // only if it is 0.9995 within float noise.
    LADDER
        .iter()
        .rev()
        .copied()
        .find(|objective| *objective <= achieved + 1e-12)
        .unwrap_or(LADDER[0])
}

/// Up the ladder from `suggested` to `tier`'s availability objective, one
/// step a month from the month after `to_month` (`(year, month)` of the
/// range's end); nothing when `suggested` is already there.
pub(crate) fn progressive(suggested: f64, tier: Tier, to_month: (i32, u32)) -> Vec<Step> {
    let target = tier.availability_objective();
    let (mut year, mut month) = to_month;
    LADDER
        .iter()
        .copied()
        .filter(|objective| *objective > suggested + 1e-12 && *objective <= target + 1e-12)
        .map(|objective| {
            (year, month) = if month == 12 {
                (year + 1, 1)
            } else {
                (year, month + 1)
            };
            Step {
                objective,
                from: format!("{year:04}-{month:02}"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ladder_is_climbed_a_month_at_a_time() {
        let steps = progressive(0.99, Tier::Critical, (2026, 11));
        let got: Vec<(f64, &str)> = steps
            .iter()
            .map(|s| (s.objective, s.from.as_str()))
            .collect();
        assert_eq!(
            got,
            [(0.995, "2026-12"), (0.999, "2027-01"), (0.9995, "2027-02")]
        );
        assert!(progressive(0.999, Tier::Essential, (2026, 12)).is_empty());
        assert!(progressive(0.9999, Tier::Standard, (2026, 12)).is_empty());
        for (achieved, suggested) in [
            (0.9, 0.9),
            (0.8999, 0.9),
            (0.95, 0.95),
            (0.989, 0.95),
            (0.99, 0.99),
            (0.9949, 0.99),
            (0.99999, 0.9999),
            (1.0, 0.9999),
        ] {
            assert_eq!(suggest_objective(achieved), suggested, "{achieved}");
        }
    }
}
