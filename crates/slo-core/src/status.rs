//! The [status document](crate::semantics#the-status-document): what `/slo`,
//! the gauges and replay show.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::level::StatusLevel;
use crate::reasons::BadReasons;
use crate::release::{self, Candidate, ReleaseDecision, ReleaseDecisions, Risk};
use std::collections::BTreeMap;

use crate::spec::{BudgetConditionKind, Ownership, Tier, UnknownSlo};
use crate::windows::Severity;

/// The status of every SLO of a service at one instant (`GET /slo`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceStatus {
    /// The service name from the spec.
    pub service: String,
    /// The instant, RFC 3339 in UTC.
    pub now: String,
    /// Seconds since the registry started counting.
    pub uptime_seconds: f64,
    /// One entry per SLO, in definition order.
    pub slos: Vec<SloStatus>,
    /// One entry per journey, in definition order; empty without any.
    #[serde(default)]
    pub journeys: Vec<JourneyStatus>,
    /// Where the windows' history came from, and how far back it goes.
    pub history: HistoryStatus,
    /// The release decision for each risk: the strictest over the SLOs
    /// and journeys ([release decisions](crate::semantics#release-decisions)).
    pub release: ReleaseDecisions,
}

impl ServiceStatus {
    /// The decision for a change of `risk` over the named SLOs and
    /// journeys (all of them when `slos` is empty): the strictest of their
    /// `release` decisions, and the one that decided it (of those, the one
    /// with the least budget left). The same answer as
    /// [`Registry::release_decision_for`](crate::Registry::release_decision_for)
    /// at the status's instant, for a status read from a `/slo`.
    pub fn release_decision(
        &self,
        risk: Risk,
        slos: &[&str],
    ) -> Result<ReleaseDecision, UnknownSlo> {
        let names = self.slos.iter().map(|slo| slo.name.as_str());
        let journeys = self.journeys.iter().map(|journey| journey.name.as_str());
        release::decide_for(risk, slos, names.chain(journeys), |index| {
            match index.checked_sub(self.slos.len()) {
                None => {
                    let slo = &self.slos[index];
                    Candidate {
                        name: &slo.name,
                        level: slo.status,
                        decisions: slo.release,
                        remaining: slo.error_budget.remaining_ratio,
                    }
                }
                Some(journey) => {
                    let journey = &self.journeys[journey];
                    Candidate {
                        name: &journey.name,
                        level: journey.status,
                        decisions: journey.release,
                        remaining: journey.error_budget.remaining_ratio,
                    }
                }
            }
        })
    }
}

/// The live state of one journey: its SLI over each window is the product
/// of its steps' ([journeys](crate::semantics#journeys)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JourneyStatus {
    /// The journey's name.
    pub name: String,
    /// Its description, when the spec gives one.
    #[serde(default)]
    pub description: Option<String>,
    /// Its owner, tier and annotations.
    #[serde(flatten)]
    pub ownership: OwnershipStatus,
    /// The objective for the whole path.
    pub objective: f64,
    /// Its steps, SLO names in order.
    pub steps: Vec<String>,
    /// The period's length in seconds (a calendar period's current one).
    #[serde(with = "whole_number")]
    pub period_seconds: f64,
    /// How much of the period its least-covered step's windows hold.
    pub coverage_ratio: f64,
    /// The product of the steps' SLIs over the period window; `None`
    /// while no step has events.
    pub sli_value: Option<f64>,
    /// Per window, `(1 − SLI) / (1 − objective)`; `None` for a window
    /// where no step has events.
    pub burn_rates: BurnRates,
    /// Its error budget.
    pub error_budget: ErrorBudget,
    /// Its alert tiers, each firing or not.
    pub alerts: Vec<AlertStatus>,
    /// Its status level.
    pub status: StatusLevel,
    /// What a change of each risk may do at that level.
    pub release: ReleaseDecisions,
}

/// Who owns an SLO or a journey, how much it matters, and where its
/// runbook and dashboard are: `/slo`'s `owner`, `tier` and `annotations`,
/// always present (`null`, `null` and `{}` when the spec gives none).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OwnershipStatus {
    /// The owning team.
    #[serde(default)]
    pub owner: Option<String>,
    /// The tier.
    #[serde(default)]
    pub tier: Option<Tier>,
    /// The annotations (`runbook` and `dashboard` are web URLs).
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

impl OwnershipStatus {
    /// The status document's view of a definition's ownership.
    pub fn of(ownership: &Ownership) -> OwnershipStatus {
        OwnershipStatus {
            owner: ownership.owner().map(str::to_owned),
            tier: ownership.tier(),
            annotations: ownership.annotations().clone(),
        }
    }

    /// The runbook's URL, when the spec gives one.
    pub fn runbook(&self) -> Option<&str> {
        self.annotations
            .get(crate::spec::RUNBOOK)
            .map(String::as_str)
    }

    /// The dashboard's URL, when the spec gives one.
    pub fn dashboard(&self) -> Option<&str> {
        self.annotations
            .get(crate::spec::DASHBOARD)
            .map(String::as_str)
    }
}

/// Where the windows' history came from (`/slo`'s `history`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoryStatus {
    /// What filled the windows besides this process: `state_file`,
    /// `prometheus`, `simulated`; empty when nothing did.
    pub sources: Vec<String>,
    /// The earliest instant the windows hold, RFC 3339 in UTC.
    pub since: String,
}

/// The live state of one SLO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloStatus {
    /// The SLO name.
    pub name: String,
    /// The optional description.
    pub description: Option<String>,
    /// Its owner, tier and annotations.
    #[serde(flatten)]
    pub ownership: OwnershipStatus,
    /// The SLI.
    pub sli: SliStatus,
    /// The target ratio of good events.
    pub objective: f64,
    /// The period, in seconds: for a calendar period, the current one's
    /// length (28 to 31 days for a month, an hour apart where the clocks
    /// change).
    #[serde(with = "whole_number")]
    pub period_seconds: f64,
    /// The calendar period now; `null` for a rolling period.
    #[serde(default)]
    pub calendar: Option<CalendarStatus>,
    /// How much of the period this process has seen, 0..=1.
    pub coverage_ratio: f64,
    /// Events over the period (since start while coverage is below 1).
    pub events: EventCounts,
    /// The period's bad events by reason, summing to `events.bad`
    /// ([bad reasons](crate::semantics#bad-reasons)); only reasons with
    /// events are written.
    #[serde(default)]
    pub bad_reasons: BadReasons,
    /// good / total over the period; `null` without events.
    pub sli_value: Option<f64>,
    /// The error budget over the period.
    pub error_budget: ErrorBudget,
    /// Burn rate per window, shortest first, the period last; `null` for a
    /// window without events.
    pub burn_rates: BurnRates,
    /// The SLO's alert tiers (the default four, or its own) and whether
    /// each fires.
    pub alerts: Vec<AlertStatus>,
    /// Its budget and no-data alerts and whether each fires; only those
    /// the SLO has (empty in documents from before they existed).
    #[serde(default)]
    pub budget_alerts: Vec<BudgetAlertStatus>,
    /// Its maintenance windows now; `null` for an SLO without any.
    #[serde(default)]
    pub maintenance: Option<MaintenanceStatus>,
    /// Events left out of the SLI over the period window, by reason.
    #[serde(default)]
    pub excluded: ExcludedCounts,
    /// The overall level.
    pub status: StatusLevel,
    /// The release decision for each risk at this level, by the spec's
    /// release policy.
    pub release: ReleaseDecisions,
    /// The most recent bad events, newest first (at most the registry's
    /// [`recent_bad`](crate::RegistryBuilder::recent_bad)).
    pub recent_bad: Vec<RecentBadEvent>,
}

/// One recent bad event as `/slo` shows it: what the request was, never
/// what it carried (no raw path, query or header but a valid trace id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentBadEvent {
    /// When, RFC 3339 UTC with milliseconds.
    pub at: String,
    /// The request's method (standard methods by name, others `OTHER`).
    pub method: Option<String>,
    /// The template of the SLO's route rule that matched.
    pub route: Option<String>,
    /// The HTTP status.
    pub status: Option<u16>,
    /// The gRPC status code.
    pub grpc_status: Option<u8>,
    /// How long it took, in seconds.
    pub latency_seconds: Option<f64>,
    /// Why it was bad: `server_error`, `error`, `panic`, `body_error`,
    /// `slow` or `cancelled_late`.
    pub reason: String,
    /// The W3C trace id, 32 lowercase hex digits.
    pub trace_id: Option<String>,
}

impl RecentBadEvent {
    /// The entry of a kept event whose route template is `route`.
    pub fn of(kept: &crate::recent::KeptBadEvent, route: Option<String>) -> RecentBadEvent {
        let event = &kept.event;
        RecentBadEvent {
            at: format_millis(kept.at),
            method: event.method.map(|m| m.as_str().to_owned()),
            route,
            status: event.status,
            grpc_status: event.grpc_status,
            latency_seconds: event.latency_nanos.map(|n| n as f64 / 1e9),
            reason: event.reason.as_str().to_owned(),
            trace_id: event.trace_id.map(|t| t.to_string()),
        }
    }
}

/// `2026-12-01T19:40:25.123Z`: always with milliseconds.
fn format_millis(at: crate::Timestamp) -> String {
    match at.to_system_time() {
        Some(time) => humantime::format_rfc3339_millis(time).to_string(),
        None => at.to_string(),
    }
}

/// The SLI of an SLO as shown in the status.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SliStatus {
    /// Availability.
    Availability,
    /// Latency with its threshold.
    Latency {
        /// The threshold, seconds.
        threshold_seconds: f64,
    },
    /// Quality: availability, and not degraded.
    Quality,
    /// Freshness with its threshold.
    Freshness {
        /// The threshold, seconds.
        threshold_seconds: f64,
    },
}

impl SliStatus {
    /// How the status document shows `sli`.
    pub fn of(sli: &crate::spec::Sli) -> SliStatus {
        use crate::spec::Sli;
        match *sli {
            Sli::Availability => SliStatus::Availability,
            Sli::Quality => SliStatus::Quality,
            Sli::Freshness { threshold } => SliStatus::Freshness {
                threshold_seconds: threshold.as_secs_f64(),
            },
            Sli::Latency { threshold } => SliStatus::Latency {
                threshold_seconds: threshold.as_secs_f64(),
            },
        }
    }
}

/// Good, bad and total event counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EventCounts {
    /// Good events.
    pub good: u64,
    /// Bad events.
    pub bad: u64,
    /// good + bad.
    pub total: u64,
}

/// How much of the error budget is left.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ErrorBudget {
    /// 1 − burn rate over the period; negative once overspent.
    pub remaining_ratio: f64,
    /// 1 − remaining.
    pub consumed_ratio: f64,
    /// At the current 1h (scaled) burn rate, seconds until the remaining
    /// budget is gone; `null` when not being consumed or already gone.
    pub exhaustion_seconds: Option<f64>,
}

/// One alert tier and its state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertStatus {
    /// Page or ticket.
    pub severity: Severity,
    /// The long window's label.
    pub long_window: String,
    /// The short window's label.
    pub short_window: String,
    /// Both windows must burn faster than this to fire.
    pub burn_rate_threshold: f64,
    /// Whether the tier fires now.
    pub firing: bool,
}

/// An SLO's calendar period now (`/slo`'s `calendar`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarStatus {
    /// `week`, `month` or `quarter`.
    pub unit: String,
    /// The IANA time zone it is kept in.
    pub timezone: String,
    /// Its first instant, RFC 3339 with the zone's offset.
    pub start: String,
    /// The next period's first instant, RFC 3339 with the zone's offset.
    pub end: String,
}

impl CalendarStatus {
    /// How people name the period: the month (`December`), the quarter
    /// (`Q4 2026`), or the week by its first day (`the week of 2026-11-30`);
    /// `None` when `start` does not read as RFC 3339.
    pub fn name(&self) -> Option<String> {
        let date = self.start.get(..10)?;
        let month: usize = date.get(5..7)?.parse().ok()?;
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        match self.unit.as_str() {
            "month" => MONTHS.get(month.checked_sub(1)?).map(|m| (*m).to_owned()),
            "quarter" => Some(format!("Q{} {}", month.div_ceil(3), date.get(..4)?)),
            _ => Some(format!("the week of {date}")),
        }
    }

    /// Seconds from `now` (RFC 3339, as `/slo`'s `now`) to the period's
    /// end; `None` when either does not read.
    pub fn seconds_left(&self, now: &str) -> Option<f64> {
        let now: jiff::Timestamp = now.parse().ok()?;
        let end: jiff::Timestamp = self.end.parse().ok()?;
        Some(end.duration_since(now).as_secs_f64().max(0.0))
    }
}

/// An SLO's maintenance windows at one instant (`/slo`'s `maintenance`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintenanceStatus {
    /// Whether one holds now: events are excluded.
    pub active: bool,
    /// When the one holding now ends, RFC 3339 UTC; `null` when none holds.
    pub until: Option<String>,
    /// When the next one begins, RFC 3339 UTC; `null` when none will.
    pub next_start: Option<String>,
}

/// Events left out of the SLI over the period window, by reason
/// (`/slo`'s `excluded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExcludedCounts {
    /// Recorded while a maintenance window held.
    pub maintenance: u64,
    /// Clients that went away before the outcome was known.
    pub cancelled: u64,
    /// Statuses in the SLI's `excluded` list.
    #[serde(default)]
    pub status: u64,
}

/// One budget or no-data alert and its state (`/slo`'s `budget_alerts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetAlertStatus {
    /// `remaining_below`, `exhausted_within` or `no_data`.
    pub condition: BudgetConditionKind,
    /// For `remaining_below`: the share of the budget it fires at or below.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// For `exhausted_within` and `no_data`: the duration, in seconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_whole_number"
    )]
    pub threshold_seconds: Option<f64>,
    /// `ticket` for `remaining_below` and `no_data`, `page` for
    /// `exhausted_within`.
    pub severity: Severity,
    /// Whether it fires now.
    pub firing: bool,
}

/// Writes a whole number of an `Option<f64>` as a JSON integer.
mod optional_whole_number {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => super::whole_number::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<f64>, D::Error> {
        Option::<f64>::deserialize(deserializer)
    }
}

/// Burn rates keyed by window label, in window order (a JSON object).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BurnRates(pub Vec<(String, Option<f64>)>);

impl BurnRates {
    /// The burn rate of the window with this label.
    pub fn get(&self, label: &str) -> Option<f64> {
        self.0
            .iter()
            .find(|(l, _)| l == label)
            .and_then(|(_, b)| *b)
    }
}

impl Serialize for BurnRates {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (label, rate) in &self.0 {
            map.serialize_entry(label, rate)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for BurnRates {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RatesVisitor;
        impl<'de> Visitor<'de> for RatesVisitor {
            type Value = BurnRates;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map from window label to burn rate or null")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BurnRates, A::Error> {
                let mut rates = Vec::new();
                while let Some(entry) = map.next_entry::<String, Option<f64>>()? {
                    rates.push(entry);
                }
                Ok(BurnRates(rates))
            }
        }
        deserializer.deserialize_map(RatesVisitor)
    }
}

/// Writes whole numbers as JSON integers (`2592000`, not `2592000.0`).
pub(crate) mod whole_number {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        if value.fract() == 0.0 && value.abs() < 9.0e15 {
            serializer.serialize_i64(*value as i64)
        } else {
            serializer.serialize_f64(*value)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        f64::deserialize(deserializer)
    }
}
