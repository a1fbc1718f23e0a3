//! Building a [`Spec`] in code; the result goes through the same validator
//! as a spec file.

use std::time::Duration;

use super::alerting::Alerting;
use super::draft::{
    AlertingDraft, ClassificationDraft, DurationDraft, JourneyDraft, Located, MaintenanceDraft,
    NumberOrText, OwnershipDraft, ReleaseDraft, SliDraft, SloDraft, SpecDraft, TierDraft,
};
use super::{JourneyBuilder, Sli, Spec, SpecErrors, Tier, validate};
use crate::maintenance::MaintenanceWindow;
use crate::release::ReleasePolicy;

/// Builds a [`Spec`]; [`SpecBuilder::build`] validates it.
#[derive(Debug, Clone)]
#[must_use]
pub struct SpecBuilder {
    service: String,
    slos: Vec<SloBuilder>,
    journeys: Vec<JourneyBuilder>,
    release: ReleasePolicy,
    alerting: Alerting,
    timezone: Option<String>,
    maintenance: Vec<MaintenanceWindow>,
    owner: Option<String>,
}

impl SpecBuilder {
    pub(super) fn new(service: impl Into<String>) -> Self {
        SpecBuilder {
            service: service.into(),
            slos: Vec::new(),
            journeys: Vec::new(),
            release: ReleasePolicy::DEFAULT,
            alerting: Alerting::new(),
            timezone: None,
            maintenance: Vec::new(),
            owner: None,
        }
    }

    /// The team that owns every SLO and journey that names no owner of its
    /// own: the `owner` label of their alerts.
    pub fn owner(mut self, team: impl Into<String>) -> Self {
        self.owner = Some(team.into());
        self
    }

    /// The time zone calendar periods are kept in, an IANA name such as
    /// `Europe/Berlin` (default `UTC`); an unknown one fails the build.
    pub fn timezone(mut self, name: impl Into<String>) -> Self {
        self.timezone = Some(name.into());
        self
    }

    /// Adds a service-wide maintenance window: every SLO's events inside
    /// it are excluded.
    pub fn maintenance(mut self, window: MaintenanceWindow) -> Self {
        self.maintenance.push(window);
        self
    }

    /// What every SLO's alerting inherits (`policy.alerting`): each key an
    /// SLO does not set itself.
    pub fn default_alerting(mut self, alerting: Alerting) -> Self {
        self.alerting = alerting;
        self
    }

    /// Adds an SLO.
    pub fn slo(mut self, slo: SloBuilder) -> Self {
        self.slos.push(slo);
        self
    }

    /// Adds a journey over SLOs of this spec.
    pub fn journey(mut self, journey: JourneyBuilder) -> Self {
        self.journeys.push(journey);
        self
    }

    /// The release policy (default [`ReleasePolicy::DEFAULT`]).
    pub fn release_policy(mut self, policy: ReleasePolicy) -> Self {
        self.release = policy;
        self
    }

    /// Validates the spec: every problem is returned, each naming its field.
    pub fn build(self) -> Result<Spec, SpecErrors> {
        validate::validate(SpecDraft {
            service: Located::code(self.service),
            slos: Located::code(self.slos.into_iter().map(SloBuilder::into_draft).collect()),
            journeys: (!self.journeys.is_empty()).then(|| {
                Located::code(
                    self.journeys
                        .into_iter()
                        .map(|journey| JourneyDraft {
                            name: Located::code(journey.name),
                            description: journey.description,
                            // Missing: refused as NaN is, at its field.
                            objective: Located::code(NumberOrText::Number(
                                journey.objective.unwrap_or(f64::NAN),
                            )),
                            steps: Located::code(
                                journey.steps.into_iter().map(Located::code).collect(),
                            ),
                            ownership: journey.ownership,
                        })
                        .collect(),
                )
            }),
            release: ReleaseDraft::Policy(self.release),
            alerting: alerting_draft(self.alerting),
            timezone: self.timezone.map(Located::code),
            maintenance: exact_maintenance(self.maintenance),
            owner: self.owner.map(Located::code),
        })
    }
}

/// Builds one SLO: an availability SLI with a 30d period unless told otherwise.
#[derive(Debug, Clone)]
#[must_use]
pub struct SloBuilder {
    name: String,
    description: Option<String>,
    objective: Option<f64>,
    period: Option<DurationDraft>,
    sli: Sli,
    classification: crate::classify::Classification,
    routes: Option<Vec<String>>,
    exclude: Vec<String>,
    alerting: Alerting,
    maintenance: Vec<MaintenanceWindow>,
    ownership: OwnershipDraft,
}

impl SloBuilder {
    pub(super) fn new(name: impl Into<String>) -> Self {
        SloBuilder {
            name: name.into(),
            description: None,
            objective: None,
            period: None,
            sli: Sli::Availability,
            classification: crate::classify::Classification::default(),
            routes: None,
            exclude: Vec::new(),
            alerting: Alerting::new(),
            maintenance: Vec::new(),
            ownership: OwnershipDraft::default(),
        }
    }

    /// The team that owns the SLO, instead of the service's
    /// ([`SpecBuilder::owner`]).
    pub fn owner(mut self, team: impl Into<String>) -> Self {
        self.ownership = self.ownership.owner(team.into());
        self
    }

    /// How much the SLO matters.
    pub fn tier(mut self, tier: Tier) -> Self {
        self.ownership = self.ownership.tier(tier);
        self
    }

    /// Adds an annotation; `runbook` and `dashboard` must be http or https
    /// URLs, and reach every alert as `runbook_url` and `dashboard_url`.
    pub fn annotation(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.ownership = self.ownership.annotation(key.into(), value.into());
        self
    }

    /// A human description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The target ratio of good events, strictly between 0 and 1 (required).
    pub fn objective(mut self, ratio: f64) -> Self {
        self.objective = Some(ratio);
        self
    }

    /// The rolling period (default 30 days, at least 1 day).
    pub fn period(mut self, period: Duration) -> Self {
        self.period = Some(DurationDraft::Exact(period));
        self
    }

    /// A calendar period instead: the current week, month or quarter in
    /// the spec's [time zone](SpecBuilder::timezone).
    pub fn calendar(mut self, unit: crate::calendar::CalendarUnit) -> Self {
        self.period = Some(DurationDraft::Calendar(unit));
        self
    }

    /// Sets the SLI.
    pub fn sli(mut self, sli: Sli) -> Self {
        self.sli = sli;
        self
    }

    /// An availability SLI (the default).
    pub fn availability(self) -> Self {
        self.sli(Sli::Availability)
    }

    /// A quality SLI: good unless the server failed or the handler marked
    /// the response [`Degraded`](crate::Degraded).
    pub fn quality(self) -> Self {
        self.sli(Sli::Quality)
    }

    /// A freshness SLI: good when the data recorded with
    /// [`SliHandle::record_freshness`](crate::SliHandle::record_freshness)
    /// is no older than `threshold`.
    pub fn freshness(self, threshold: Duration) -> Self {
        self.sli(Sli::Freshness { threshold })
    }

    /// A latency SLI: good when complete within `threshold`.
    pub fn latency(self, threshold: Duration) -> Self {
        self.sli(Sli::Latency { threshold })
    }

    /// Adds a route rule, `"[METHOD ]/template"`; without any, the SLO covers
    /// every request.
    pub fn route(mut self, rule: impl Into<String>) -> Self {
        self.routes.get_or_insert_with(Vec::new).push(rule.into());
        self
    }

    /// Leaves requests matching `rule` (`"[METHOD ]/template"`) out of the
    /// SLO altogether, like `match.exclude`: a health check under a route
    /// the SLO covers.
    pub fn exclude_route(mut self, rule: impl Into<String>) -> Self {
        self.exclude.push(rule.into());
        self
    }

    /// What fails the SLI and what is left out (`bad`, `excluded`,
    /// `grpc_bad`); see [`Classification`](crate::classify::Classification).
    ///
    /// ```
    /// use slo_core::classify::{Classification, StatusMatch};
    /// use slo_core::{SloDefinition, Spec};
    /// let spec = Spec::builder("shop")
    ///     .slo(SloDefinition::builder("checkout").objective(0.999).classification(
    ///         Classification::default().with_bad([StatusMatch::Class(5), StatusMatch::Status(429)]),
    ///     ))
    ///     .build()?;
    /// assert!(!spec.slos()[0].classification().is_default());
    /// # Ok::<(), slo_core::SpecErrors>(())
    /// ```
    pub fn classification(mut self, classification: crate::classify::Classification) -> Self {
        self.classification = classification;
        self
    }

    /// The fewest events an alert tier's long window must hold to fire.
    pub fn min_events(mut self, min_events: u64) -> Self {
        self.alerting.min_events = Some(min_events);
        self
    }

    /// Adds a maintenance window of this SLO's own, besides the service's.
    pub fn maintenance(mut self, window: MaintenanceWindow) -> Self {
        self.maintenance.push(window);
        self
    }

    /// Its alerting: own tiers, budget alerts, no data; each key it sets
    /// overrides the spec's [default](SpecBuilder::default_alerting). The
    /// `min_events` given here replaces one set with
    /// [`SloBuilder::min_events`] before, and the other way round.
    pub fn alerting(mut self, alerting: Alerting) -> Self {
        let min_events = alerting.min_events.or(self.alerting.min_events);
        self.alerting = Alerting {
            min_events,
            ..alerting
        };
        self
    }

    fn into_draft(self) -> SloDraft {
        SloDraft {
            name: Located::code(self.name),
            description: self.description,
            objective: Located::code(NumberOrText::Number(self.objective.unwrap_or(f64::NAN))),
            period: self.period.map(Located::code),
            sli: Located::code(match self.sli {
                Sli::Availability => SliDraft::Availability,
                Sli::Quality => SliDraft::Quality,
                Sli::Freshness { threshold } => SliDraft::Freshness {
                    threshold: Located::code(DurationDraft::Exact(threshold)),
                },
                Sli::Latency { threshold } => SliDraft::Latency {
                    threshold: Located::code(DurationDraft::Exact(threshold)),
                },
            }),
            classification: ClassificationDraft::Exact(self.classification),
            routes: self
                .routes
                .map(|routes| Located::code(routes.into_iter().map(Located::code).collect())),
            exclude: (!self.exclude.is_empty())
                .then(|| Located::code(self.exclude.into_iter().map(Located::code).collect())),
            alerting: alerting_draft(self.alerting),
            maintenance: exact_maintenance(self.maintenance),
            ownership: self.ownership,
        }
    }
}

fn exact_maintenance(windows: Vec<MaintenanceWindow>) -> Option<Located<Vec<MaintenanceDraft>>> {
    (!windows.is_empty())
        .then(|| Located::code(windows.into_iter().map(MaintenanceDraft::Exact).collect()))
}

fn alerting_draft(alerting: Alerting) -> AlertingDraft {
    let exact = |d: std::time::Duration| Located::code(DurationDraft::Exact(d));
    AlertingDraft {
        min_events: alerting.min_events.map(Located::code),
        tiers: alerting.tiers.map(|tiers| {
            Located::code(
                tiers
                    .into_iter()
                    .map(|tier| TierDraft {
                        severity: Located::code(tier.severity.as_str().to_owned()),
                        long: exact(tier.long),
                        short: exact(tier.short),
                        burn_rate: Located::code(NumberOrText::Number(tier.burn_rate)),
                    })
                    .collect(),
            )
        }),
        remaining_below: alerting
            .remaining_below
            .map(|r| Located::code(NumberOrText::Number(r))),
        exhausted_within: alerting.exhausted_within.map(exact),
        no_data: alerting.no_data.map(exact),
    }
}
