//! Building a [`Spec`] in code; the result goes through the same validator
//! as a spec file.

use std::time::Duration;

use super::draft::{
    DurationDraft, Located, NumberOrText, ReleaseDraft, SliDraft, SloDraft, SpecDraft,
};
use super::{Sli, Spec, SpecErrors, validate};
use crate::release::ReleasePolicy;

/// Builds a [`Spec`]; [`SpecBuilder::build`] validates it.
#[derive(Debug, Clone)]
#[must_use]
pub struct SpecBuilder {
    service: String,
    slos: Vec<SloBuilder>,
    release: ReleasePolicy,
}

impl SpecBuilder {
    pub(super) fn new(service: impl Into<String>) -> Self {
        SpecBuilder {
            service: service.into(),
            slos: Vec::new(),
            release: ReleasePolicy::DEFAULT,
        }
    }

    /// Adds an SLO.
    pub fn slo(mut self, slo: SloBuilder) -> Self {
        self.slos.push(slo);
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
            release: ReleaseDraft::Policy(self.release),
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
    period: Option<Duration>,
    sli: Sli,
    routes: Option<Vec<String>>,
    min_events: Option<u64>,
}

impl SloBuilder {
    pub(super) fn new(name: impl Into<String>) -> Self {
        SloBuilder {
            name: name.into(),
            description: None,
            objective: None,
            period: None,
            sli: Sli::Availability,
            routes: None,
            min_events: None,
        }
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
        self.period = Some(period);
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

    /// The fewest events an alert tier's long window must hold to fire.
    pub fn min_events(mut self, min_events: u64) -> Self {
        self.min_events = Some(min_events);
        self
    }

    fn into_draft(self) -> SloDraft {
        SloDraft {
            name: Located::code(self.name),
            description: self.description,
            objective: Located::code(NumberOrText::Number(self.objective.unwrap_or(f64::NAN))),
            period: self.period.map(|p| Located::code(DurationDraft::Exact(p))),
            sli: Located::code(match self.sli {
                Sli::Availability => SliDraft::Availability,
                Sli::Latency { threshold } => SliDraft::Latency {
                    threshold: Located::code(DurationDraft::Exact(threshold)),
                },
            }),
            routes: self
                .routes
                .map(|routes| Located::code(routes.into_iter().map(Located::code).collect())),
            min_events: self.min_events,
        }
    }
}
