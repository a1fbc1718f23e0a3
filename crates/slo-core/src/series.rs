//! The names of what `slo` exports and generates, fixed: dashboards,
//! rules, Alertmanager routes and tests depend on them. The Prometheus
//! names of the [series](crate::semantics#series) with their help texts
//! (the exporters write them; the generated rules, dashboards, reports
//! and warm start query them), and the alerts the generated rules and the
//! in-process alerts both raise.

/// `slo_events_total{slo, outcome}`: classified events.
pub const EVENTS: &str = "slo_events_total";
/// `slo_excluded_events_total{slo, reason}`: events left out of the SLI.
pub const EXCLUDED: &str = "slo_excluded_events_total";
/// `slo_bad_events_total{slo, reason}`: bad events by reason; they sum
/// to `slo_events_total{outcome="bad"}`.
pub const BAD_EVENTS: &str = "slo_bad_events_total";
/// `slo_latency_seconds{slo}`: latency histogram of latency SLIs.
pub const LATENCY: &str = "slo_latency_seconds";
/// `slo_objective_ratio{slo}`.
pub const OBJECTIVE: &str = "slo_objective_ratio";
/// `slo_period_seconds{slo}`.
pub const PERIOD: &str = "slo_period_seconds";
/// `slo_burn_rate{slo, window}`: live, computed in-process.
pub const BURN_RATE: &str = "slo_burn_rate";
/// `slo_error_budget_remaining_ratio{slo}`: live, over the period.
pub const BUDGET_REMAINING: &str = "slo_error_budget_remaining_ratio";
/// `slo_alert_firing{slo, severity, long_window, short_window}`: 0 or 1.
pub const ALERT_FIRING: &str = "slo_alert_firing";
/// `slo_window_coverage_ratio{slo}`: how much of the period this process has seen.
pub const COVERAGE: &str = "slo_window_coverage_ratio";
/// `slo_budget_alert_firing{slo, condition, severity}`: 0 or 1.
pub const BUDGET_ALERT_FIRING: &str = "slo_budget_alert_firing";
/// `slo_journey_burn_rate{journey, window}`: a journey's live burn rate.
pub const JOURNEY_BURN_RATE: &str = "slo_journey_burn_rate";
/// `slo_journey_error_budget_remaining_ratio{journey}`: over the period.
pub const JOURNEY_BUDGET_REMAINING: &str = "slo_journey_error_budget_remaining_ratio";
/// `slo_journey_alert_firing{journey, severity, long_window, short_window}`: 0 or 1.
pub const JOURNEY_ALERT_FIRING: &str = "slo_journey_alert_firing";

/// The journeys' gauges with their help texts, in exposition order,
/// written after [`HELP`]'s only when the spec has journeys.
pub const JOURNEY_HELP: [(&str, &str); 3] = [
    (
        JOURNEY_BURN_RATE,
        "How fast the journey spends its error budget over the window: (1 - product of its steps' SLIs) / (1 - objective).",
    ),
    (
        JOURNEY_BUDGET_REMAINING,
        "Share of the journey's error budget left over its period.",
    ),
    (
        JOURNEY_ALERT_FIRING,
        "1 when the journey's burn-rate alert tier fires in-process, else 0.",
    ),
];

/// Every name with its help text, in exposition order.
pub const HELP: [(&str, &str); 11] = [
    (
        EVENTS,
        "Events classified for each SLO, by outcome (good or bad).",
    ),
    (EXCLUDED, "Events left out of an SLO's SLI, by reason."),
    (
        BAD_EVENTS,
        "Bad events of each SLO, by reason; they sum to its slo_events_total{outcome=\"bad\"}.",
    ),
    (
        LATENCY,
        "Latency of the events of latency SLOs, in seconds; every SLO threshold is a bucket bound.",
    ),
    (OBJECTIVE, "The SLO's objective, as a ratio."),
    (PERIOD, "The SLO's rolling period, in seconds."),
    (
        BURN_RATE,
        "Live burn rate of the SLO's error budget over each window, computed in-process (NaN for a window without events).",
    ),
    (
        BUDGET_REMAINING,
        "Live error budget remaining over the period, computed in-process (negative when overspent).",
    ),
    (
        ALERT_FIRING,
        "1 when the multi-window burn-rate alert tier fires in-process, else 0.",
    ),
    (
        COVERAGE,
        "How much of the SLO's period this process has seen (0 to 1).",
    ),
    (
        BUDGET_ALERT_FIRING,
        "1 when the SLO's budget alert (remaining_below, exhausted_within or no_data) fires in-process, else 0.",
    ),
];

/// The alert of the burn-rate tiers.
pub const BURN_ALERT: &str = "SLOErrorBudgetBurn";
/// The alert a journey's burn-rate tiers raise.
pub const JOURNEY_BURN_ALERT: &str = "SLOJourneyErrorBudgetBurn";
/// The alert for a spent error budget.
pub const EXHAUSTED_ALERT: &str = "SLOErrorBudgetExhausted";
/// The alert `alerting.budget.remaining_below` raises.
pub const BUDGET_LOW_ALERT: &str = "SLOErrorBudgetLow";
/// The alert `alerting.budget.exhausted_within` raises.
pub const EXHAUSTION_SOON_ALERT: &str = "SLOErrorBudgetExhaustionSoon";
/// The alert `alerting.no_data` raises.
pub const NO_DATA_ALERT: &str = "SLONoData";

/// The `sloth_id` label of an SLO's recorded series and alerts:
/// `<service>-<slo>`.
pub fn sloth_id(service: &str, slo: &str) -> String {
    format!("{service}-{slo}")
}
