//! The parts of a `/slo` document
//! ([status document](slo_core::semantics#the-status-document)) the table shows; anything
//! else in the answer is ignored, anything missing makes it not a `/slo`.

use std::collections::BTreeMap;

use serde::Deserialize;
use slo_core::__private::is_unprintable;

#[derive(Debug, Deserialize)]
pub(crate) struct SloDocument {
    pub service: String,
    pub now: String,
    pub slos: Vec<SloEntry>,
    /// The journeys, read as SLOs are (they have no events or reasons);
    /// absent from older services' documents.
    #[serde(default)]
    pub journeys: Vec<SloEntry>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SloEntry {
    pub name: String,
    pub objective: f64,
    /// How much of the period the windows hold.
    pub coverage_ratio: f64,
    /// The period, in seconds.
    pub period_seconds: f64,
    /// A journey has none.
    #[serde(default)]
    pub events: Option<Events>,
    /// The period's bad events by reason; absent from older services'
    /// documents.
    #[serde(default)]
    pub bad_reasons: BTreeMap<String, u64>,
    pub sli_value: Option<f64>,
    pub error_budget: Budget,
    pub burn_rates: BTreeMap<String, Option<f64>>,
    pub alerts: Vec<Alert>,
    /// Budget and no-data alerts; absent from older services' documents.
    #[serde(default)]
    pub budget_alerts: Vec<BudgetAlert>,
    pub status: String,
    /// The release decision per risk.
    pub release: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Events {
    pub total: u64,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Budget {
    pub remaining_ratio: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Alert {
    pub severity: String,
    pub long_window: String,
    pub short_window: String,
    pub firing: bool,
}

#[derive(Debug, Deserialize)]
pub(crate) struct BudgetAlert {
    pub condition: String,
    pub severity: String,
    pub firing: bool,
}

impl SloDocument {
    /// The SLOs, then the journeys, each with whether it is a journey.
    pub fn entries(&self) -> impl Iterator<Item = (&SloEntry, bool)> {
        let slos = self.slos.iter().map(|slo| (slo, false));
        slos.chain(self.journeys.iter().map(|journey| (journey, true)))
    }

    /// The document with every unprintable character
    /// (controls, bidirectional overrides and isolates, line and paragraph
    /// separators) in what gets printed replaced by `?`:
    /// a peer's words must not drive the terminal (escape sequences),
    /// reorder what it shows (bidirectional overrides) or forge lines of
    /// output.
    pub fn printable(mut self) -> SloDocument {
        clean(&mut self.service);
        clean(&mut self.now);
        for slo in self.slos.iter_mut().chain(&mut self.journeys) {
            clean(&mut slo.name);
            clean(&mut slo.status);
            for alert in &mut slo.alerts {
                clean(&mut alert.severity);
                clean(&mut alert.long_window);
                clean(&mut alert.short_window);
            }
            for alert in &mut slo.budget_alerts {
                clean(&mut alert.condition);
                clean(&mut alert.severity);
            }
            slo.bad_reasons = std::mem::take(&mut slo.bad_reasons)
                .into_iter()
                .map(|(mut reason, count)| {
                    clean(&mut reason);
                    (reason, count)
                })
                .collect();
            slo.burn_rates = std::mem::take(&mut slo.burn_rates)
                .into_iter()
                .map(|(mut window, rate)| {
                    clean(&mut window);
                    (window, rate)
                })
                .collect();
        }
        self
    }
}

/// Replaces every unprintable character of `text` by `?`.
pub(crate) fn clean(text: &mut String) {
    if text.chars().any(is_unprintable) {
        *text = slo_core::__private::printable(text, usize::MAX);
    }
}

impl SloEntry {
    /// Whether a page alert fires: a tier's, or a budget alert's.
    pub fn pages(&self) -> bool {
        self.alerts.iter().any(|a| a.firing && a.severity == "page")
            || self
                .budget_alerts
                .iter()
                .any(|a| a.firing && a.severity == "page")
    }

    /// The bad events by reason, most first (a tie in the reasons' own
    /// order, and names this version does not know after those it does):
    /// `server_error 12, slow 3`; `-` for none.
    pub fn why_bad(&self) -> String {
        let mut reasons: Vec<(&String, &u64)> =
            self.bad_reasons.iter().filter(|(_, n)| **n > 0).collect();
        let rank = |name: &str| {
            slo_core::reasons::BadReason::from_name(name).map_or(usize::MAX, |r| r.index())
        };
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(rank(a.0).cmp(&rank(b.0))));
        if reasons.is_empty() {
            return "-".to_owned();
        }
        reasons
            .iter()
            .map(|(name, count)| format!("{name} {count}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The burn rate over a window, by label.
    pub fn burn(&self, window: &str) -> Option<f64> {
        self.burn_rates.get(window).copied().flatten()
    }
}
