//! `--alertmanager`: the in-process alerts delivered to Alertmanager, and
//! each transition said on the terminal.

use std::net::SocketAddr;
use std::time::Duration;

use slo::Registry;
use slo::alertmanager::Notifier;
use slo::alerts::{AlertHook, AlertKind, AlertState};

/// Starts delivering to `urls` (none: nothing starts, nothing is said).
pub fn start(
    registry: &Registry,
    urls: &[String],
    interval: Duration,
    addr: SocketAddr,
) -> Result<Option<(Notifier, AlertHook)>, String> {
    if urls.is_empty() {
        return Ok(None);
    }
    let mut builder = Notifier::builder(registry)
        .interval(interval)
        .generator_url(format!("http://{addr}/slo"))
        .on_error(|error| eprintln!("shop-demo: {error}"));
    for url in urls {
        builder = builder
            .alertmanager(url)
            .map_err(|e| format!("--alertmanager: {e}"))?;
    }
    let notifier = builder
        .label("instance", &addr.to_string())
        .map_err(|e| e.to_string())?
        .build()
        .map_err(|e| format!("--alertmanager: {e}"))?;
    let hook = registry
        .on_alert(|t| {
            let which = match t.alert.kind {
                AlertKind::Burn { .. } => format!(
                    "{} {}/{}",
                    t.alert.severity.as_str(),
                    t.alert.long_window.as_deref().unwrap_or("-"),
                    t.alert.short_window.as_deref().unwrap_or("-")
                ),
                AlertKind::BudgetExhausted => "budget exhausted".to_owned(),
                AlertKind::Budget { condition } => {
                    format!("{} {condition}", t.alert.severity.as_str())
                }
                _ => "alert".to_owned(),
            };
            let rate = |r: Option<f64>| r.map_or("-".to_owned(), |r| format!("{r:.2}"));
            crate::say!(
                "alert {}: {} {which} (burn {} / {})",
                match t.state {
                    AlertState::Firing => "FIRING",
                    AlertState::Resolved => "resolved",
                },
                t.alert.slo,
                rate(t.long_burn_rate),
                rate(t.short_burn_rate)
            );
        })
        .map_err(|e| format!("cannot start the alert hook: {e}"))?;
    crate::say!(
        "alerts: delivering to Alertmanager {} (re-sent every {}, labelled instance=\"{addr}\")",
        urls.join(", "),
        humantime::format_duration(interval)
    );
    Ok(Some((notifier, hook)))
}
