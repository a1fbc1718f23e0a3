//! SLO definitions: the model, its builder, the YAML spec file, and the one
//! validator both paths share.

mod alerting;
mod builder;
mod draft;
mod error;
mod journey;
mod ownership;
mod route;
mod slo_names;
mod validate;
mod validate_alerting;
mod validate_counts;
mod validate_journeys;
mod validate_ownership;
pub use validate::name_error;
pub use validate_ownership::{annotation_error, owner_error};
mod validate_time;
mod write;
mod yaml;

use std::time::Duration;

use crate::calendar::CalendarPeriod;
use crate::maintenance::MaintenanceWindow;
use crate::release::ReleasePolicy;
use crate::windows::SloWindows;

pub use alerting::{
    Alerting, BudgetCondition, BudgetConditionKind, MAX_TIERS, MIN_TIER_WINDOW, TierSpec,
};
pub use builder::{SloBuilder, SpecBuilder};
pub use error::{Location, SpecError, SpecErrorKind, SpecErrors, SpecWarning};
pub use journey::{JourneyBuilder, JourneyDefinition};
pub use ownership::{
    DASHBOARD, DASHBOARD_URL_ANNOTATION, MAX_OWNERSHIP_TEXT, OBJECTIVE_LADDER, OWNER_LABEL,
    Ownership, RUNBOOK, RUNBOOK_URL_ANNOTATION, TIER_LABEL, Tier, is_web_url, next_objective,
};
pub use route::{RouteRule, RouteRuleError};
pub use slo_names::{SloNameError, SloNamer};

/// The default SLO period: 30 days, rolling.
pub const DEFAULT_PERIOD: Duration = Duration::from_secs(30 * 86_400);
/// The shortest period accepted: one day.
pub const MIN_PERIOD: Duration = Duration::from_secs(86_400);
/// The longest name accepted for a service or an SLO.
pub const MAX_NAME_LEN: usize = 128;
/// Latency histogram bounds (seconds) every latency SLI gets, plus its
/// threshold ([`Sli::histogram_bounds`]).
pub const DEFAULT_LATENCY_BOUNDS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Asked for an SLO the spec does not define.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no SLO named {0:?} in this registry")]
pub struct UnknownSlo(pub String);

/// A validated set of SLOs for one service, built in code with
/// [`Spec::builder`] or read from a spec file with [`Spec::from_yaml`].
///
/// ```
/// use std::time::Duration;
/// use slo_core::{Spec, SloDefinition};
///
/// let spec = Spec::builder("shop")
///     .slo(SloDefinition::builder("checkout-availability").objective(0.999).route("POST /checkout"))
///     .slo(SloDefinition::builder("search-latency").objective(0.99).latency(Duration::from_millis(250)))
///     .build()?;
/// assert_eq!(spec.slos().len(), 2);
///
/// let same = Spec::from_yaml(r#"
/// service: shop
/// slos:
///   - name: checkout-availability
///     objective: 99.9%
///     sli: availability
///     match: {routes: ["POST /checkout"]}
///   - name: search-latency
///     objective: 0.99
///     sli: {latency: {threshold: 250ms}}
/// "#)?;
/// assert_eq!(spec.slos(), same.slos());
/// # Ok::<(), slo_core::SpecErrors>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    service: String,
    timezone: String,
    maintenance: Vec<MaintenanceWindow>,
    slos: Vec<SloDefinition>,
    journeys: Vec<JourneyDefinition>,
    release: ReleasePolicy,
    warnings: Vec<SpecWarning>,
    owner: Option<String>,
}

impl Spec {
    /// Starts a spec for `service`; see [`SpecBuilder`].
    pub fn builder(service: impl Into<String>) -> SpecBuilder {
        SpecBuilder::new(service)
    }

    /// Reads and validates a spec file's text
    /// ([spec file](crate::semantics#spec-file)). Every problem is
    /// reported, each with its field, line and column.
    pub fn from_yaml(text: &str) -> Result<Spec, SpecErrors> {
        validate::validate(yaml::parse(text)?)
    }

    /// The service the SLOs belong to.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The service's `owner`: every SLO's and journey's that names none
    /// of its own.
    pub fn owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }

    /// The time zone calendar periods are kept in: an IANA name, `UTC`
    /// unless the spec says otherwise.
    pub fn timezone(&self) -> &str {
        &self.timezone
    }

    /// The service-wide maintenance windows: every SLO's events inside
    /// one are excluded.
    pub fn maintenance(&self) -> &[MaintenanceWindow] {
        &self.maintenance
    }

    /// The SLOs, in definition order.
    pub fn slos(&self) -> &[SloDefinition] {
        &self.slos
    }

    /// The SLO with this name.
    pub fn slo(&self, name: &str) -> Result<&SloDefinition, UnknownSlo> {
        self.slos
            .iter()
            .find(|slo| slo.name == name)
            .ok_or_else(|| UnknownSlo(name.to_owned()))
    }

    /// The journeys, in definition order.
    pub fn journeys(&self) -> &[JourneyDefinition] {
        &self.journeys
    }

    /// The journey with this name.
    pub fn journey(&self, name: &str) -> Option<&JourneyDefinition> {
        self.journeys.iter().find(|journey| journey.name == name)
    }

    /// The release policy: what a change of each risk may do at each
    /// status level (`policy.release`; [`ReleasePolicy::DEFAULT`] unless
    /// the spec changes it).
    pub fn release_policy(&self) -> &ReleasePolicy {
        &self.release
    }

    /// This spec with the objective of the SLO `slo` replaced, checked as
    /// a spec's objectives are (strictly between 0 and 1).
    ///
    /// ```
    /// use slo_core::Spec;
    /// let spec = Spec::from_yaml("service: shop\nslos:\n  - {name: a, objective: 99%}\n")?;
    /// let tighter = spec.with_objective("a", 0.999)?;
    /// assert_eq!(tighter.slos()[0].objective(), 0.999);
    /// assert!(spec.with_objective("a", 1.0).is_err());
    /// assert!(spec.with_objective("b", 0.9).is_err());
    /// # Ok::<(), slo_core::SpecErrors>(())
    /// ```
    pub fn with_objective(&self, slo: &str, objective: f64) -> Result<Spec, SpecErrors> {
        let index = self.slos.iter().position(|d| d.name == slo);
        let error = |field: String, kind| {
            SpecErrors(vec![SpecError {
                field,
                location: None,
                kind,
            }])
        };
        let Some(index) = index else {
            return Err(error(
                "slos".into(),
                SpecErrorKind::NoSuchSlo(slo.to_owned()),
            ));
        };
        if !(objective > 0.0 && objective < 1.0) {
            return Err(error(
                format!("slos[{index}].objective"),
                SpecErrorKind::ObjectiveOutOfRange {
                    value: objective,
                    hint: "",
                },
            ));
        }
        let mut spec = self.clone();
        spec.slos[index].objective = objective;
        Ok(spec)
    }

    /// Legal but suspicious settings, such as an alert tier that can never fire.
    pub fn warnings(&self) -> &[SpecWarning] {
        &self.warnings
    }
}

/// One validated SLO: an SLI, an objective over a rolling period, the
/// requests it covers, and its alerting options.
#[derive(Debug, Clone, PartialEq)]
pub struct SloDefinition {
    name: String,
    description: Option<String>,
    objective: f64,
    period: Duration,
    sli: Sli,
    /// The SLI's `bad`, `excluded` and `grpc_bad` (the default when the
    /// spec says none). Shared: most SLOs have the default, one for all.
    classification: std::sync::Arc<crate::classify::Classification>,
    routes: Option<Vec<RouteRule>>,
    /// `match.exclude`: requests matching any are no event of the SLO.
    exclude: Vec<RouteRule>,
    min_events: u64,
    /// Whether the tiers are the SLO's own (`alerting.tiers`) rather than
    /// the default four scaled to the period.
    own_tiers: bool,
    /// Shared with every copy of the definition (a registry keeps one per
    /// SLO): with its own tiers it is most of the definition.
    windows: std::sync::Arc<SloWindows>,
    budget_alerts: Vec<BudgetCondition>,
    maintenance: Vec<MaintenanceWindow>,
    /// The calendar period, for `period: calendar …`.
    calendar: Option<CalendarPeriod>,
    ownership: Ownership,
}

impl SloDefinition {
    /// Starts an SLO definition; see [`SloBuilder`].
    pub fn builder(name: impl Into<String>) -> SloBuilder {
        SloBuilder::new(name)
    }

    /// The name, `[A-Za-z0-9_.-]{1,128}`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The optional human description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// Its owner (its own or the service's), tier and annotations.
    pub fn ownership(&self) -> &Ownership {
        &self.ownership
    }

    /// The target ratio of good events, strictly between 0 and 1.
    pub fn objective(&self) -> f64 {
        self.objective
    }

    /// The rolling period the objective applies to; for a calendar
    /// period, its nominal length (7d, 30d, 90d), which the default alert
    /// windows are scaled for ([`SloDefinition::calendar`] has the real
    /// bounds).
    pub fn period(&self) -> Duration {
        self.period
    }

    /// The calendar period (`period: calendar month`), kept in the spec's
    /// time zone; `None` for a rolling period.
    pub fn calendar(&self) -> Option<&CalendarPeriod> {
        self.calendar.as_ref()
    }

    /// The windows the SLO keeps, each with its role: its alert tiers'
    /// windows, the status, exhaustion and chart windows, and the period.
    pub fn windows(&self) -> &SloWindows {
        &self.windows
    }

    /// What makes an event good.
    pub fn sli(&self) -> &Sli {
        &self.sli
    }

    /// What fails its SLI and what is left out
    /// ([classification](crate::semantics#classification)): the default
    /// unless the spec says otherwise.
    pub fn classification(&self) -> &crate::classify::Classification {
        &self.classification
    }

    /// The requests this SLO covers; `None` means every request (but
    /// those [`excluded_routes`](Self::excluded_routes) names).
    pub fn routes(&self) -> Option<&[RouteRule]> {
        self.routes.as_deref()
    }

    /// `match.exclude`: requests matching any of these are no event of
    /// this SLO, whatever [`routes`](Self::routes) says.
    pub fn excluded_routes(&self) -> &[RouteRule] {
        &self.exclude
    }

    /// Whether a request with this method and route counts towards the SLO.
    pub fn matches(&self, method: &str, route: &str) -> bool {
        let included = match &self.routes {
            None => self.takes_every_request(),
            Some(rules) => rules.iter().any(|rule| rule.matches(method, route)),
        };
        included && !self.exclude.iter().any(|rule| rule.matches(method, route))
    }

    /// Whether, without `match.routes`, the SLO takes every request: all
    /// but a freshness SLI, which measures data, not requests, and takes
    /// none then.
    pub fn takes_every_request(&self) -> bool {
        !matches!(self.sli, Sli::Freshness { .. })
    }

    /// The fewest events the long window of an alert tier must hold for the
    /// tier to fire (default 1).
    pub fn min_events(&self) -> u64 {
        self.min_events
    }

    /// Whether its alert tiers are its own (`alerting.tiers`, windows as
    /// written) rather than the default four scaled to the period.
    pub fn has_own_tiers(&self) -> bool {
        self.own_tiers
    }

    /// Its budget alerts (`alerting.budget`, `alerting.no_data`), in the
    /// order `remaining_below`, `exhausted_within`, `no_data`; only those
    /// it has.
    pub fn budget_alerts(&self) -> &[BudgetCondition] {
        &self.budget_alerts
    }

    /// Its own maintenance windows, besides the service's
    /// ([`Spec::maintenance`]).
    pub fn maintenance(&self) -> &[MaintenanceWindow] {
        &self.maintenance
    }

    /// The fraction of events allowed to be bad: `1 - objective`, rounded to
    /// 12 decimal places so that an objective written as 0.9 has a budget of
    /// exactly 0.1 rather than 0.09999999999999998.
    pub fn error_budget(&self) -> f64 {
        error_budget(self.objective)
    }
}

/// The fraction of events an objective allows to be bad: `1 - objective`,
/// rounded to 12 decimal places (0.9 allows exactly 0.1).
///
/// ```
/// assert_eq!(slo_core::spec::error_budget(0.9), 0.1);
/// ```
pub fn error_budget(objective: f64) -> f64 {
    ((1.0 - objective) * 1e12).round() / 1e12
}

/// The service level indicator of an SLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sli {
    /// Good unless the server failed (5xx, an error, a panic).
    Availability,
    /// Good when not a server failure and complete within `threshold`.
    Latency {
        /// The slowest a good event may be.
        threshold: Duration,
    },
    /// Good unless the server failed (as availability) or the handler
    /// marked the response [`Degraded`](crate::Degraded): a search served
    /// from a stale cache, a page without its recommendations.
    Quality,
    /// Good when the data is no older than `threshold`, recorded with
    /// [`SliHandle::record_freshness`](crate::SliHandle::record_freshness):
    /// an export, a feed, a replica. Without `match` it takes no requests.
    Freshness {
        /// The oldest good data may be.
        threshold: Duration,
    },
}

impl Sli {
    /// The upper bounds, in seconds and ascending, of this SLI's latency
    /// histogram: [`DEFAULT_LATENCY_BOUNDS`] plus its threshold, so that
    /// the threshold is always a bucket bound; none for availability.
    ///
    /// ```
    /// use std::time::Duration;
    /// use slo_core::Sli;
    /// let bounds = Sli::Latency { threshold: Duration::from_millis(300) }.histogram_bounds();
    /// assert_eq!(bounds[5..8], [0.25, 0.3, 0.5]);
    /// assert!(Sli::Availability.histogram_bounds().is_empty());
    /// ```
    pub fn histogram_bounds(&self) -> Vec<f64> {
        match self {
            Sli::Availability | Sli::Quality | Sli::Freshness { .. } => Vec::new(),
            Sli::Latency { threshold } => {
                let mut bounds: Vec<f64> = DEFAULT_LATENCY_BOUNDS
                    .iter()
                    .copied()
                    .chain([threshold.as_secs_f64()])
                    .collect();
                bounds.sort_by(f64::total_cmp);
                bounds.dedup();
                bounds
            }
        }
    }
}
