//! Journeys: a user's path through several SLOs (search, then cart, then
//! checkout), with an objective of its own for the whole path
//! ([journeys](crate::semantics#journeys)).

use std::sync::Arc;
use std::time::Duration;

use crate::calendar::CalendarPeriod;
use crate::windows::SloWindows;

/// One validated journey: its steps (SLO names, in order), its objective,
/// and the period and windows it shares with them.
///
/// ```
/// use slo_core::{JourneyDefinition, SloDefinition, Spec};
///
/// let spec = Spec::builder("shop")
///     .slo(SloDefinition::builder("search").objective(0.99).route("GET /search"))
///     .slo(SloDefinition::builder("checkout").objective(0.999).route("POST /checkout"))
///     .journey(JourneyDefinition::builder("purchase").objective(0.99).steps(["search", "checkout"]))
///     .build()?;
/// let purchase = spec.journey("purchase").expect("defined above");
/// assert_eq!(purchase.steps(), ["search", "checkout"]);
/// assert_eq!(purchase.period(), spec.slos()[0].period());
/// # Ok::<(), slo_core::SpecErrors>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct JourneyDefinition {
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) objective: f64,
    pub(super) steps: Vec<String>,
    pub(super) period: Duration,
    pub(super) calendar: Option<CalendarPeriod>,
    pub(super) windows: Arc<SloWindows>,
    pub(super) min_events: u64,
    pub(super) ownership: super::Ownership,
}

impl JourneyDefinition {
    /// Starts a journey; see [`JourneyBuilder`].
    pub fn builder(name: impl Into<String>) -> JourneyBuilder {
        JourneyBuilder {
            name: name.into(),
            description: None,
            objective: None,
            steps: Vec::new(),
            ownership: super::draft::OwnershipDraft::default(),
        }
    }

    /// The name, `[A-Za-z0-9_.-]{1,128}`, unique among SLOs and journeys.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The optional human description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The target for the whole path: the product of its steps' SLIs.
    pub fn objective(&self) -> f64 {
        self.objective
    }

    /// The names of its steps, SLOs of the same spec, in the user's order.
    pub fn steps(&self) -> &[String] {
        &self.steps
    }

    /// The period, its steps' (they all have the same one).
    pub fn period(&self) -> Duration {
        self.period
    }

    /// The calendar period, its steps'; `None` for a rolling period.
    pub fn calendar(&self) -> Option<&CalendarPeriod> {
        self.calendar.as_ref()
    }

    /// Its windows: its steps' when they all alert on the same tiers,
    /// else the default four scaled to the period.
    pub fn windows(&self) -> &SloWindows {
        &self.windows
    }

    /// Its owner (its own or the service's), tier and annotations.
    pub fn ownership(&self) -> &super::Ownership {
        &self.ownership
    }

    /// The fewest events, its steps' together, the long window of an alert
    /// tier must hold for the tier to fire: the largest of its steps'.
    pub fn min_events(&self) -> u64 {
        self.min_events
    }

    /// The fraction of journeys allowed to fail: `1 - objective`, rounded
    /// as [`SloDefinition::error_budget`](super::SloDefinition::error_budget).
    pub fn error_budget(&self) -> f64 {
        super::error_budget(self.objective)
    }
}

/// Builds a [`JourneyDefinition`] for [`SpecBuilder::journey`](super::SpecBuilder::journey);
/// the spec's build validates it with the SLOs it names.
#[derive(Debug, Clone)]
#[must_use]
pub struct JourneyBuilder {
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) objective: Option<f64>,
    pub(super) steps: Vec<String>,
    pub(super) ownership: super::draft::OwnershipDraft,
}

impl JourneyBuilder {
    /// The team that owns the journey, instead of the service's.
    pub fn owner(mut self, team: impl Into<String>) -> Self {
        self.ownership = self.ownership.owner(team.into());
        self
    }

    /// How much the journey matters.
    pub fn tier(mut self, tier: super::Tier) -> Self {
        self.ownership = self.ownership.tier(tier);
        self
    }

    /// Adds an annotation (`runbook` and `dashboard` are http or https URLs).
    pub fn annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.ownership = self.ownership.annotation(key.into(), value.into());
        self
    }

    /// A human description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The objective for the whole path, strictly between 0 and 1.
    pub fn objective(mut self, ratio: f64) -> Self {
        self.objective = Some(ratio);
        self
    }

    /// Adds a step: the name of an SLO of the same spec.
    pub fn step(mut self, slo: impl Into<String>) -> Self {
        self.steps.push(slo.into());
        self
    }

    /// Adds steps, in order.
    pub fn steps<S: Into<String>>(mut self, slos: impl IntoIterator<Item = S>) -> Self {
        self.steps.extend(slos.into_iter().map(Into::into));
        self
    }
}
