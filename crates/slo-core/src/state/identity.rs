//! What a saved SLO must share with the spec's for its history to apply:
//! the same SLI, routes (as a set) and period, saved less than a period
//! ago, by the same service, and not in the future.

use std::time::Duration;

use super::SnapshotData;
use crate::clock::Timestamp;
use crate::spec::{Sli, SloDefinition, Spec};

/// How far in the future a snapshot may say it was taken and still be
/// used (a wall clock stepped back a little between two runs): beyond
/// this, every SLO starts fresh.
pub(crate) const FUTURE_TOLERANCE: Duration = Duration::from_secs(1);

/// What must not change for an SLO's history to still mean the same thing:
/// its SLI, its routes (as a set) and its period. The objective, the
/// description and `min_events` may change.
pub(crate) fn identity(definition: &SloDefinition) -> String {
    let sli = match definition.sli() {
        Sli::Availability => "availability".to_owned(),
        Sli::Quality => "quality".to_owned(),
        Sli::Freshness { threshold } => format!("freshness {}ns", threshold.as_nanos()),
        Sli::Latency { threshold } => format!("latency {}ns", threshold.as_nanos()),
    };
    let routes = match definition.routes() {
        None => "every request".to_owned(),
        Some(rules) => {
            let mut rules: Vec<String> = rules.iter().map(ToString::to_string).collect();
            rules.sort();
            rules.dedup();
            rules.join(", ")
        }
    };
    format!(
        "sli {sli}; period {}ns; routes {routes}",
        definition.period().as_nanos()
    )
}

/// The SLOs of `spec` that `snapshot` would restore at `now`: same
/// service, not from the future, and per SLO an unchanged SLI, routes and
/// period, saved less than a period ago.
pub(crate) fn restorable(snapshot: &SnapshotData, spec: &Spec, now: Timestamp) -> Vec<String> {
    let taken_at = Timestamp::from_unix_nanos(snapshot.taken_at);
    if snapshot.service != spec.service() || taken_at > now.saturating_add(FUTURE_TOLERANCE) {
        return Vec::new();
    }
    spec.slos()
        .iter()
        .filter(|definition| {
            snapshot.slos.iter().any(|saved| {
                saved.name == definition.name()
                    && saved.identity == identity(definition)
                    && now.saturating_duration_since(taken_at) < definition.period()
            })
        })
        .map(|definition| definition.name().to_owned())
        .collect()
}
