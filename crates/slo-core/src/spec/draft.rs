//! The unvalidated form of a spec that both the builder and the YAML reader
//! produce, so that one validator checks both.

use std::time::Duration;

use super::Location;
use crate::release::ReleasePolicy;

/// A value and where it came from (`None` when built in code).
#[derive(Debug, Clone)]
pub(crate) struct Located<T> {
    pub value: T,
    pub at: Option<Location>,
}

impl<T> Located<T> {
    pub fn code(value: T) -> Self {
        Located { value, at: None }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct SpecDraft {
    pub service: Located<String>,
    pub slos: Located<Vec<SloDraft>>,
    /// `journeys`, absent when the spec has none.
    pub journeys: Option<Located<Vec<JourneyDraft>>>,
    pub release: ReleaseDraft,
    /// `policy.alerting`: what every SLO's `alerting` inherits.
    pub alerting: AlertingDraft,
    /// `timezone`, an IANA name; UTC when absent.
    pub timezone: Option<Located<String>>,
    /// The service-wide `maintenance` list.
    pub maintenance: Option<Located<Vec<MaintenanceDraft>>>,
    /// `owner`: every SLO's and journey's unless it names its own.
    pub owner: Option<Located<String>>,
}

/// `owner`, `tier` and `annotations` of an SLO or a journey, as written.
#[derive(Debug, Clone, Default)]
pub(crate) struct OwnershipDraft {
    pub owner: Option<Located<String>>,
    pub tier: Option<Located<String>>,
    /// Each key and value with its place, in file order.
    pub annotations: Vec<(Located<String>, Located<String>)>,
}

impl OwnershipDraft {
    /// With this owner, as given in code.
    pub fn owner(self, team: String) -> Self {
        OwnershipDraft {
            owner: Some(Located::code(team)),
            ..self
        }
    }

    /// With this tier, as given in code.
    pub fn tier(self, tier: super::Tier) -> Self {
        OwnershipDraft {
            tier: Some(Located::code(tier.as_str().to_owned())),
            ..self
        }
    }

    /// With one more annotation, as given in code.
    pub fn annotation(mut self, key: String, value: String) -> Self {
        self.annotations
            .push((Located::code(key), Located::code(value)));
        self
    }
}

/// One maintenance window: typed when built in code, text with its
/// places when read from a file.
#[derive(Debug, Clone)]
pub(crate) enum MaintenanceDraft {
    Exact(crate::maintenance::MaintenanceWindow),
    Written {
        start: Located<String>,
        duration: Located<DurationDraft>,
        every: Option<Located<DurationDraft>>,
    },
}

/// `policy.release`: typed when built in code, words with their places
/// when read from a file.
#[derive(Debug, Clone)]
pub(crate) enum ReleaseDraft {
    Policy(ReleasePolicy),
    Cells(Vec<ReleaseCellDraft>),
}

/// One cell of `policy.release`: `<level>: {<risk>: <decision>}`.
#[derive(Debug, Clone)]
pub(crate) struct ReleaseCellDraft {
    pub level: Located<String>,
    pub risk: Located<String>,
    pub decision: Located<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct SloDraft {
    pub name: Located<String>,
    pub description: Option<String>,
    pub objective: Located<NumberOrText>,
    pub period: Option<Located<DurationDraft>>,
    pub sli: Located<SliDraft>,
    /// The SLI's `bad`, `excluded` and `grpc_bad`.
    pub classification: ClassificationDraft,
    pub routes: Option<Located<Vec<Located<String>>>>,
    /// `match.exclude`: requests matching these are no event of the SLO.
    pub exclude: Option<Located<Vec<Located<String>>>>,
    pub alerting: AlertingDraft,
    /// The SLO's own `maintenance` list, besides the service's.
    pub maintenance: Option<Located<Vec<MaintenanceDraft>>>,
    pub ownership: OwnershipDraft,
}

/// One journey as written.
#[derive(Debug, Clone)]
pub(crate) struct JourneyDraft {
    pub name: Located<String>,
    pub description: Option<String>,
    pub objective: Located<NumberOrText>,
    pub steps: Located<Vec<Located<String>>>,
    pub ownership: OwnershipDraft,
}

/// An `alerting` map (an SLO's, or `policy.alerting`); each key optional.
#[derive(Debug, Clone, Default)]
pub(crate) struct AlertingDraft {
    pub min_events: Option<Located<u64>>,
    pub tiers: Option<Located<Vec<TierDraft>>>,
    pub remaining_below: Option<Located<NumberOrText>>,
    pub exhausted_within: Option<Located<DurationDraft>>,
    pub no_data: Option<Located<DurationDraft>>,
}

/// Where each key of a merged [`AlertingDraft`] came from: `true` for
/// `policy.alerting`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct AlertingOrigin {
    pub tiers: bool,
    pub remaining_below: bool,
    pub exhausted_within: bool,
    pub no_data: bool,
}

impl AlertingDraft {
    /// This SLO's keys, each missing one taken from `policy`.
    pub fn merged(self, policy: &AlertingDraft) -> (AlertingDraft, AlertingOrigin) {
        fn pick<T: Clone>(
            own: Option<Located<T>>,
            policy: &Option<Located<T>>,
        ) -> (Option<Located<T>>, bool) {
            match own {
                Some(own) => (Some(own), false),
                None => (policy.clone(), policy.is_some()),
            }
        }
        let (min_events, _) = pick(self.min_events, &policy.min_events);
        let (tiers, o2) = pick(self.tiers, &policy.tiers);
        let (remaining_below, o3) = pick(self.remaining_below, &policy.remaining_below);
        let (exhausted_within, o4) = pick(self.exhausted_within, &policy.exhausted_within);
        let (no_data, o5) = pick(self.no_data, &policy.no_data);
        (
            AlertingDraft {
                min_events,
                tiers,
                remaining_below,
                exhausted_within,
                no_data,
            },
            AlertingOrigin {
                tiers: o2,
                remaining_below: o3,
                exhausted_within: o4,
                no_data: o5,
            },
        )
    }
}

/// One tier as written.
#[derive(Debug, Clone)]
pub(crate) struct TierDraft {
    pub severity: Located<String>,
    pub long: Located<DurationDraft>,
    pub short: Located<DurationDraft>,
    pub burn_rate: Located<NumberOrText>,
}

#[derive(Debug, Clone)]
pub(crate) enum NumberOrText {
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone)]
pub(crate) enum DurationDraft {
    Text(String),
    Number(f64),
    Exact(Duration),
    /// A calendar period, given in code (only for `period`).
    Calendar(crate::calendar::CalendarUnit),
}

#[derive(Debug, Clone)]
pub(crate) enum SliDraft {
    Availability,
    Quality,
    Latency { threshold: Located<DurationDraft> },
    Freshness { threshold: Located<DurationDraft> },
    Unknown(String),
}

/// An SLI's classification: typed when built in code, lists with their
/// places when read from a file (each absent list keeps its default).
#[derive(Debug, Clone)]
pub(crate) enum ClassificationDraft {
    Exact(crate::classify::Classification),
    Written {
        bad: Option<Located<Vec<Located<NumberOrText>>>>,
        excluded: Option<Located<Vec<Located<NumberOrText>>>>,
        grpc_bad: Option<Located<Vec<Located<String>>>>,
    },
}
