//! The live one-line status of every SLO, printed every few seconds.

use slo::{Registry, SloStatus, format_percent};

fn percent(ratio: f64) -> String {
    format_percent(ratio).to_string()
}

/// One line: name, level, SLI against objective, budget left, the burn
/// rates of the fastest page tier's windows, and any firing alerts.
pub fn line(slo: &SloStatus) -> String {
    let rates: Vec<String> = ["5m", "1h"]
        .iter()
        .map(|w| match slo.burn_rates.get(w) {
            Some(rate) => format!("{w} {rate:>6.2}"),
            None => format!("{w}      -"),
        })
        .collect();
    let firing: Vec<String> = slo
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
        name = slo.name,
        level = slo.status.as_str(),
        sli = slo.sli_value.map_or("-".to_owned(), percent),
        objective = percent(slo.objective),
        budget = percent(slo.error_budget.remaining_ratio),
        rates = rates.join(" "),
        alerts = if firing.is_empty() {
            "ok".to_owned()
        } else {
            format!("FIRING {}", firing.join(", "))
        },
    )
}

/// Prints every SLO's line.
pub fn print(registry: &Registry) {
    let status = registry.status();
    crate::say!("-- {} up {:.0}s", status.now, status.uptime_seconds);
    for slo in &status.slos {
        crate::say!("{}", line(slo));
    }
}
