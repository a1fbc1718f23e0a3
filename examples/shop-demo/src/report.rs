//! The live one-line status of every SLO, printed every few seconds.

use slo::status::{AlertStatus, BurnRates, JourneyStatus};
use slo::{Registry, SloStatus, format_percent, format_seconds};

fn percent(ratio: f64) -> String {
    format_percent(ratio).to_string()
}

/// What a line shows of an SLO or a journey.
struct Row<'a> {
    name: String,
    level: &'static str,
    sli: Option<f64>,
    objective: f64,
    remaining: f64,
    coverage: f64,
    period_seconds: f64,
    burn_rates: &'a BurnRates,
    alerts: &'a [AlertStatus],
}

/// The budget left, and over how long it was computed while the windows
/// hold less than the period: `99.93% (over the 1m25s seen of 30d)`.
fn budget_left(row: &Row) -> String {
    let remaining = percent(row.remaining);
    if row.coverage >= 1.0 {
        return remaining;
    }
    match (
        format_seconds(row.coverage * row.period_seconds),
        format_seconds(row.period_seconds),
    ) {
        (Some(seen), Some(period)) => format!("{remaining} (over the {seen} seen of {period})"),
        _ => remaining,
    }
}

/// One line: name, level, SLI against objective, budget left, the burn
/// rates of the fastest page tier's windows, and any firing alerts.
pub fn line(slo: &SloStatus) -> String {
    row_line(&Row {
        name: slo.name.clone(),
        level: slo.status.as_str(),
        sli: slo.sli_value,
        objective: slo.objective,
        remaining: slo.error_budget.remaining_ratio,
        coverage: slo.coverage_ratio,
        period_seconds: slo.period_seconds,
        burn_rates: &slo.burn_rates,
        alerts: &slo.alerts,
    })
}

/// A journey's line, its name saying that it is one.
pub fn journey_line(journey: &JourneyStatus) -> String {
    row_line(&Row {
        name: format!("{} (journey)", journey.name),
        level: journey.status.as_str(),
        sli: journey.sli_value,
        objective: journey.objective,
        remaining: journey.error_budget.remaining_ratio,
        coverage: journey.coverage_ratio,
        period_seconds: journey.period_seconds,
        burn_rates: &journey.burn_rates,
        alerts: &journey.alerts,
    })
}

fn row_line(row: &Row) -> String {
    let rates: Vec<String> = ["5m", "1h"]
        .iter()
        .map(|w| match row.burn_rates.get(w) {
            Some(rate) => format!("{w} {rate:>6.2}"),
            None => format!("{w}      -"),
        })
        .collect();
    let firing: Vec<String> = row
        .alerts
        .iter()
        .filter(|a| a.firing)
        .map(|a| {
            format!(
                "{} {}/{}",
                a.severity.as_str().to_uppercase(),
                a.long_window,
                a.short_window
            )
        })
        .collect();
    format!(
        "{name:<22} {level:<9} sli {sli:>8} (objective {objective})  budget {budget:>9}  burn {rates}  {alerts}",
        name = row.name,
        level = row.level,
        sli = row.sli.map_or("-".to_owned(), percent),
        objective = percent(row.objective),
        budget = budget_left(row),
        rates = rates.join(" "),
        alerts = if firing.is_empty() {
            "ok".to_owned()
        } else {
            format!("FIRING {}", firing.join(", "))
        },
    )
}

/// Prints every SLO's line, then every journey's.
pub fn print(registry: &Registry) {
    let status = registry.status();
    crate::say!("-- {} up {:.0}s", status.now, status.uptime_seconds);
    for slo in &status.slos {
        crate::say!("{}", line(slo));
    }
    for journey in &status.journeys {
        crate::say!("{}", journey_line(journey));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use slo::{ManualClock, Registry, Spec, Timestamp};

    use super::line;

    fn line_after(seen: Duration) -> String {
        let spec = Spec::from_yaml(
            "service: shop\nslos:\n  - name: checkout\n    objective: 99%\n    period: 1d\n",
        )
        .unwrap();
        let clock = ManualClock::new(Timestamp::from_unix_nanos(1_000_000_000_000));
        let registry = Registry::builder(spec).clock(clock.clone()).build();
        let handle = registry.handle("checkout").unwrap();
        for i in 0..1000 {
            handle.record(i % 500 != 0);
        }
        clock.advance(seen);
        registry.tick();
        line(&registry.status().slos[0])
    }

    #[test]
    fn the_budget_says_over_how_long_it_was_computed() {
        let young = line_after(Duration::from_secs(85));
        assert!(young.contains("(over the 1m25s seen of 1d)"), "{young}");
        let old = line_after(Duration::from_secs(2 * 86_400));
        assert!(!old.contains("seen of"), "{old}");
    }
}
