//! The alerts of an SLO's `alerting.budget` and `alerting.no_data`:
//! `SLOErrorBudgetLow`, `SLOErrorBudgetExhaustionSoon` and `SLONoData`,
//! firing on the conditions of the in-process evaluation over the fleet's
//! recorded series. Each carries the SLO's alert labels plus `condition`,
//! and no window labels. `SLONoData` is silent while one of the spec's
//! maintenance windows holds, as the process is: the windows are written
//! into its expression on `time()` (a window added at run time with
//! `Registry::maintenance` is the process's alone). One difference: the
//! fleet's budget is not weighted by coverage (its series span the
//! period), so a process younger than its period reaches a budget alert
//! later than the fleet's rules do.

use slo_core::maintenance::MaintenanceWindow;
use slo_core::spec::BudgetCondition;
use slo_core::{format_duration, format_percent};

use super::model::{AlertingRule, Rule};
use super::{SloRules, percent};

/// The labels a recorded series of one SLO is matched on.
const ON_SLO: &str = "on (sloth_id, sloth_slo, sloth_service)";

impl SloRules<'_> {
    /// One alerting rule per budget alert of the SLO, in its order.
    pub(super) fn budget_alerts(&self) -> Vec<Rule> {
        self.slo
            .budget_alerts()
            .iter()
            .map(|condition| self.budget_alert(condition))
            .collect()
    }

    fn budget_alert(&self, condition: &BudgetCondition) -> Rule {
        let kind = condition.kind();
        let mut labels = self.alert_labels(condition.severity());
        labels.insert("condition".into(), kind.as_str().into());
        let period = &self.slo.windows().period().label;
        let remaining = self.recorded("slo:period_error_budget_remaining:ratio", &[]);
        let (expr, summary, detail) = match *condition {
            BudgetCondition::RemainingBelow(share) => (
                format!("max without (sloth_window) ({remaining} <= {share})"),
                format!(
                    "{} {} has {} or less of its error budget left",
                    self.service,
                    self.slo.name(),
                    format_percent(share)
                ),
                format!(
                    "At most {}% of the error budget over the last {period} is left (objective {}%).",
                    percent(share),
                    percent(self.slo.objective())
                ),
            ),
            BudgetCondition::ExhaustedWithin(within) => {
                // remaining × period / burn ≤ within, with burn the
                // exhaustion window's error ratio over the budget: the
                // in-process `exhaustion_seconds`, null once spent.
                let exhaustion = self.slo.windows().exhaustion();
                let ratio = self.recorded(
                    &format!("slo:sli_error:ratio_rate{}", exhaustion.label),
                    &[],
                );
                let budget = self.recorded("slo:error_budget:ratio", &[]);
                (
                    format!(
                        "max without (sloth_window) (\n  ({remaining} > 0)\n  and {ON_SLO}\n  ({remaining} * {period_seconds}\n    <= {ON_SLO}\n  ({within_seconds} * max without (sloth_window) ({ratio} > 0)\n    / {ON_SLO} group_left\n  {budget}))\n)",
                        period_seconds = self.slo.period().as_secs_f64(),
                        within_seconds = within.as_secs_f64(),
                    ),
                    format!(
                        "{} {} will spend its error budget within {}",
                        self.service,
                        self.slo.name(),
                        format_duration(within)
                    ),
                    format!(
                        "At the burn rate of the last {}, what is left of the error budget over the last {period} runs out within {} (objective {}%).",
                        exhaustion.label,
                        format_duration(within),
                        percent(self.slo.objective())
                    ),
                )
            }
            BudgetCondition::NoData(quiet) => {
                // Only once the SLO was reported `quiet` ago, as the
                // in-process alert waits `quiet` after start.
                labels.extend(self.sloth_labels());
                let quiet = format_duration(quiet).to_string();
                let quiet_expr = format!(
                    "(\n  (sum(increase({events}[{quiet}])) or vector(0))\n  +\n  (sum(increase({excluded}[{quiet}])) or vector(0))\n) == 0\nand on ()\ncount({events} offset {quiet}) > 0",
                    events = self.events(false),
                    excluded = self.matchers.excluded_of(self.slo.name()),
                );
                (
                    match maintenance_now(&self.maintenance) {
                        Some(holds) => format!("(\n{quiet_expr}\n)\nunless on ()\n{holds}"),
                        None => quiet_expr,
                    },
                    format!(
                        "{} {} recorded no events for {quiet}",
                        self.service,
                        self.slo.name()
                    ),
                    format!(
                        "No instance recorded an event, good, bad or excluded, for {quiet}: traffic stopped, or the service no longer measures this SLO."
                    ),
                )
            }
        };
        Rule::Alert(AlertingRule {
            alert: kind.alert_name().into(),
            expr,
            for_duration: None,
            labels,
            annotations: self.annotations(summary, detail),
        })
    }
}

/// A PromQL expression that holds one sample (no labels) while one of
/// `windows` holds, and none otherwise; `None` without windows. A window
/// that repeats holds while `(time() − start) mod every < duration`, from
/// its start on.
fn maintenance_now(windows: &[&MaintenanceWindow]) -> Option<String> {
    let each: Vec<String> = windows
        .iter()
        .map(|window| {
            let start = window.start().as_unix_nanos() as f64 / 1e9;
            let duration = window.duration().as_secs_f64();
            match window.every() {
                Some(every) => format!(
                    "((vector(time()) - {start}) % {every} < {duration} and vector(time()) >= {start})",
                    every = every.as_secs_f64()
                ),
                None => format!(
                    "(vector(time()) >= {start} and vector(time()) < {end})",
                    end = start + duration
                ),
            }
        })
        .collect();
    (!each.is_empty()).then(|| format!("(\n  {}\n)", each.join("\n  or\n  ")))
}
