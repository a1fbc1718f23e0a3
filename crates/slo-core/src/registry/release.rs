//! Release decisions in code: may a change of some risk go ahead now?

use super::journeys::JourneyEntry;
use super::{Registry, SloEntry};
use crate::clock::Timestamp;
use crate::release::{self, Candidate, ReleaseDecision, Risk};
use crate::spec::UnknownSlo;

impl Registry {
    /// May a change of this risk go ahead now? The strictest decision of
    /// the spec's [release policy](crate::release) over every SLO, and the
    /// SLO that decided it. It reads the windows as [`Registry::status`]
    /// does, without building the status document: cheap enough for a
    /// feature flag, a canary or a batch job to ask before risky work.
    ///
    /// ```
    /// use slo_core::release::{Decision, Risk};
    /// use slo_core::{Registry, SloDefinition, Spec, StatusLevel};
    ///
    /// let registry = Registry::new(Spec::builder("shop")
    ///     .slo(SloDefinition::builder("checkout").objective(0.999))
    ///     .build()?);
    /// let checkout = registry.handle("checkout")?;
    /// checkout.record(true);
    /// assert_eq!(registry.release_decision(Risk::High).decision, Decision::Review);
    /// for _ in 0..10 {
    ///     checkout.record(false); // burning far faster than the budget allows
    /// }
    /// let decision = registry.release_decision(Risk::Low);
    /// assert_eq!(decision.decision, Decision::Defer);
    /// assert_eq!(decision.status, Some(StatusLevel::Critical));
    /// assert_eq!(decision.decided_by.as_deref(), Some("checkout"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn release_decision(&self, risk: Risk) -> ReleaseDecision {
        let now = self.inner.clock.now();
        let journeys = self.journey_entries().iter();
        release::decide(
            risk,
            self.inner
                .slos
                .iter()
                .map(|slo| self.candidate(slo, now))
                .chain(journeys.map(|journey| self.journey_candidate(journey, now))),
        )
    }

    /// [`Registry::release_decision`] over the named SLOs and journeys
    /// only (all of them when `slos` is empty).
    pub fn release_decision_for(
        &self,
        risk: Risk,
        slos: &[&str],
    ) -> Result<ReleaseDecision, UnknownSlo> {
        let now = self.inner.clock.now();
        let journeys = self.journey_entries();
        let names = self.inner.slos.iter().map(|slo| slo.definition.name());
        let journey_names = journeys.iter().map(|journey| journey.definition.name());
        release::decide_for(risk, slos, names.chain(journey_names), |index| match index
            .checked_sub(self.inner.slos.len())
        {
            None => self.candidate(&self.inner.slos[index], now),
            Some(journey) => self.journey_candidate(&journeys[journey], now),
        })
    }

    /// `journey` as a release decision weighs it at `now`.
    fn journey_candidate<'a>(&self, journey: &'a JourneyEntry, now: Timestamp) -> Candidate<'a> {
        let evaluation = self.evaluate_journey(journey, now);
        Candidate {
            name: journey.definition.name(),
            level: evaluation.level,
            decisions: self.inner.spec.release_policy().decisions(evaluation.level),
            remaining: evaluation.remaining,
        }
    }

    /// `slo` as a release decision weighs it at `now`.
    fn candidate<'a>(&self, slo: &'a SloEntry, now: Timestamp) -> Candidate<'a> {
        let evaluation = self.evaluate(slo, now);
        Candidate {
            name: slo.definition.name(),
            level: evaluation.level,
            decisions: self.inner.spec.release_policy().decisions(evaluation.level),
            remaining: evaluation.remaining,
        }
    }
}
