//! An SLO's alerting as written: its own burn-rate tiers, its budget
//! alerts and its no-data alert ([`Alerting`], for an SLO or, as
//! `policy.alerting`, for every SLO of a spec), and what they become once
//! validated ([`BudgetCondition`]).

use std::time::Duration;

use crate::closed_set::closed_set;
use crate::windows::Severity;

/// The most alert tiers one SLO may have.
pub const MAX_TIERS: usize = 8;

/// The shortest window an alert tier may read: a 1d period's fastest
/// default tier reads 10s; anything shorter is finer than the rings can
/// say (a window is sampled in sixtieths).
pub const MIN_TIER_WINDOW: Duration = Duration::from_secs(10);

/// Which budget condition an alert watches.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum BudgetConditionKind {
    /// The remaining error budget is at or below a share.
    RemainingBelow,
    /// At the current burn rate the budget is gone within a duration.
    ExhaustedWithin,
    /// No event at all (good, bad or excluded) was recorded for a while.
    NoData,
}

closed_set! {
    /// Every condition, in the order `/slo` lists them.
    BudgetConditionKind as "budget condition" {
        RemainingBelow = "remaining_below",
        ExhaustedWithin = "exhausted_within",
        NoData = "no_data",
    }
}

impl BudgetConditionKind {
    /// The severity every alert of this condition has: `ticket` for a low
    /// budget and for no data, `page` for a budget about to run out.
    pub fn severity(self) -> Severity {
        match self {
            BudgetConditionKind::ExhaustedWithin => Severity::Page,
            BudgetConditionKind::RemainingBelow | BudgetConditionKind::NoData => Severity::Ticket,
        }
    }

    /// The alert's name, in the generated rules and in Alertmanager.
    pub fn alert_name(self) -> &'static str {
        match self {
            BudgetConditionKind::RemainingBelow => crate::series::BUDGET_LOW_ALERT,
            BudgetConditionKind::ExhaustedWithin => crate::series::EXHAUSTION_SOON_ALERT,
            BudgetConditionKind::NoData => crate::series::NO_DATA_ALERT,
        }
    }
}

/// A budget condition with its threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BudgetCondition {
    /// Fires while the remaining budget (a ratio) is at or below this.
    RemainingBelow(f64),
    /// Fires while the budget, at the exhaustion window's burn rate, is
    /// gone within this long; once it is gone, `SLOErrorBudgetExhausted`
    /// says so instead.
    ExhaustedWithin(Duration),
    /// Fires while no event was recorded for this long; never during the
    /// first this-long after start.
    NoData(Duration),
}

impl BudgetCondition {
    /// Which condition it is.
    pub fn kind(&self) -> BudgetConditionKind {
        match self {
            BudgetCondition::RemainingBelow(_) => BudgetConditionKind::RemainingBelow,
            BudgetCondition::ExhaustedWithin(_) => BudgetConditionKind::ExhaustedWithin,
            BudgetCondition::NoData(_) => BudgetConditionKind::NoData,
        }
    }

    /// The severity of its alert ([`BudgetConditionKind::severity`]).
    pub fn severity(&self) -> Severity {
        self.kind().severity()
    }
}

/// One tier as written: severity, long and short windows, burn rate. The
/// windows are taken as written, not scaled with the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TierSpec {
    /// Page or ticket.
    pub severity: Severity,
    /// The long window.
    pub long: Duration,
    /// The short window; shorter than the long one.
    pub short: Duration,
    /// Both windows must burn faster than this; above 0.
    pub burn_rate: f64,
}

/// An SLO's `alerting`, or a spec's `policy.alerting` (the defaults every
/// SLO's own keys override, key by key). Every key is optional.
///
/// ```
/// use std::time::Duration;
/// use slo_core::spec::{Alerting, TierSpec};
/// use slo_core::windows::Severity;
/// use slo_core::{SloDefinition, Spec};
///
/// let hour = Duration::from_secs(3600);
/// let spec = Spec::builder("shop")
///     .default_alerting(Alerting::new().min_events(10).no_data(hour))
///     .slo(SloDefinition::builder("checkout").objective(0.999).alerting(
///         Alerting::new()
///             .tier(TierSpec { severity: Severity::Page, long: hour, short: hour / 12, burn_rate: 14.4 })
///             .remaining_below(0.25),
///     ))
///     .build()?;
/// let checkout = spec.slo("checkout")?;
/// assert_eq!(checkout.min_events(), 10);
/// assert_eq!(checkout.windows().tiers().len(), 1);
/// assert_eq!(checkout.budget_alerts().len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct Alerting {
    pub(crate) min_events: Option<u64>,
    pub(crate) tiers: Option<Vec<TierSpec>>,
    pub(crate) remaining_below: Option<f64>,
    pub(crate) exhausted_within: Option<Duration>,
    pub(crate) no_data: Option<Duration>,
}

impl Alerting {
    /// Nothing set: every key is inherited or defaults.
    pub fn new() -> Alerting {
        Alerting::default()
    }

    /// The fewest events a tier's long window must hold for it to fire.
    pub fn min_events(mut self, min_events: u64) -> Alerting {
        self.min_events = Some(min_events);
        self
    }

    /// Adds a tier; the tiers given replace the default four.
    pub fn tier(mut self, tier: TierSpec) -> Alerting {
        self.tiers.get_or_insert_with(Vec::new).push(tier);
        self
    }

    /// Alerts (ticket) while the remaining budget is at or below `ratio`.
    pub fn remaining_below(mut self, ratio: f64) -> Alerting {
        self.remaining_below = Some(ratio);
        self
    }

    /// Alerts (page) while the budget runs out within `within` at the
    /// current burn rate.
    pub fn exhausted_within(mut self, within: Duration) -> Alerting {
        self.exhausted_within = Some(within);
        self
    }

    /// Alerts (ticket) while no event was recorded for `quiet`.
    pub fn no_data(mut self, quiet: Duration) -> Alerting {
        self.no_data = Some(quiet);
        self
    }
}
