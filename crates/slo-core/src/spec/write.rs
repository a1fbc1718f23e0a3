//! Writing a [`Spec`] back as a [spec file](crate::semantics#spec-file): what reading it again
//! yields is the same model.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{BudgetCondition, DEFAULT_PERIOD, Ownership, Sli, SloDefinition, Spec, Tier};
use crate::classify::{Classification, GRPC_CODE_NAMES, StatusMatch};
use crate::duration::format_duration;
use crate::level::StatusLevel;
use crate::maintenance::MaintenanceWindow;
use crate::release::{ReleaseDecisions, ReleasePolicy};

#[derive(Serialize)]
struct SpecFile<'a> {
    service: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timezone: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    maintenance: Vec<MaintenanceEntry>,
    slos: Vec<SloEntry<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    journeys: Vec<JourneyEntry<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<PolicyEntry>,
}

/// A journey as the file writes it.
#[derive(Serialize)]
struct JourneyEntry<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    objective: f64,
    steps: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
struct PolicyEntry {
    release: ReleaseEntry,
}

/// The whole matrix, in the order of the levels.
#[derive(Serialize)]
struct ReleaseEntry {
    healthy: ReleaseDecisions,
    attention: ReleaseDecisions,
    warning: ReleaseDecisions,
    critical: ReleaseDecisions,
    exhausted: ReleaseDecisions,
}

impl PolicyEntry {
    fn new(policy: &ReleasePolicy) -> Option<PolicyEntry> {
        (!policy.is_default()).then(|| PolicyEntry {
            release: ReleaseEntry {
                healthy: policy.decisions(StatusLevel::Healthy),
                attention: policy.decisions(StatusLevel::Attention),
                warning: policy.decisions(StatusLevel::Warning),
                critical: policy.decisions(StatusLevel::Critical),
                exhausted: policy.decisions(StatusLevel::Exhausted),
            },
        })
    }
}

#[derive(Serialize)]
struct SloEntry<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    objective: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<String>,
    sli: SliEntry,
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    matches: Option<MatchEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alerting: Option<AlertingEntry>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    maintenance: Vec<MaintenanceEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tier: Option<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: &'a BTreeMap<String, String>,
}

/// One maintenance window: its start in UTC, its duration, its repeat.
#[derive(Serialize)]
struct MaintenanceEntry {
    start: String,
    duration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    every: Option<String>,
}

impl MaintenanceEntry {
    fn all(windows: &[MaintenanceWindow]) -> Vec<MaintenanceEntry> {
        windows
            .iter()
            .map(|window| MaintenanceEntry {
                start: window.start().to_rfc3339(),
                duration: format_duration(window.duration()).to_string(),
                every: window.every().map(|e| format_duration(e).to_string()),
            })
            .collect()
    }
}

/// An SLO's `alerting`, `policy.alerting` merged in: each key only when
/// it differs from the default.
#[derive(Serialize, Default)]
struct AlertingEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    min_events: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tiers: Option<Vec<TierEntry>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    budget: Option<BudgetEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    no_data: Option<String>,
}

#[derive(Serialize)]
struct TierEntry {
    severity: &'static str,
    long: String,
    short: String,
    burn_rate: f64,
}

#[derive(Serialize, Default)]
struct BudgetEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    remaining_below: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exhausted_within: Option<String>,
}

impl AlertingEntry {
    fn new(slo: &SloDefinition) -> Option<AlertingEntry> {
        let mut entry = AlertingEntry {
            min_events: (slo.min_events() != 1).then_some(slo.min_events()),
            tiers: slo.has_own_tiers().then(|| {
                slo.windows()
                    .tiers()
                    .iter()
                    .map(|tier| TierEntry {
                        severity: tier.severity.as_str(),
                        long: tier.long.label.clone(),
                        short: tier.short.label.clone(),
                        burn_rate: tier.burn_rate,
                    })
                    .collect()
            }),
            ..AlertingEntry::default()
        };
        for condition in slo.budget_alerts() {
            match *condition {
                BudgetCondition::RemainingBelow(share) => {
                    entry.budget.get_or_insert_default().remaining_below = Some(share);
                }
                BudgetCondition::ExhaustedWithin(within) => {
                    entry.budget.get_or_insert_default().exhausted_within =
                        Some(format_duration(within).to_string());
                }
                BudgetCondition::NoData(quiet) => {
                    entry.no_data = Some(format_duration(quiet).to_string());
                }
            }
        }
        let empty = entry.min_events.is_none()
            && entry.tiers.is_none()
            && entry.budget.is_none()
            && entry.no_data.is_none();
        (!empty).then_some(entry)
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum SliEntry {
    Kind(&'static str),
    Availability { availability: ClassesEntry },
    Quality { quality: ClassesEntry },
    Freshness { freshness: FreshnessEntry },
    Latency { latency: LatencyEntry },
}

#[derive(Serialize)]
struct FreshnessEntry {
    threshold: String,
}

#[derive(Serialize)]
struct LatencyEntry {
    threshold: String,
    #[serde(flatten)]
    classes: ClassesEntry,
}

/// An SLI's `bad`, `excluded` and `grpc_bad`, each only when written.
#[derive(Serialize)]
struct ClassesEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    bad: Option<Vec<StatusEntry>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    excluded: Vec<StatusEntry>,
    #[serde(skip_serializing_if = "Option::is_none")]
    grpc_bad: Option<Vec<&'static str>>,
}

impl ClassesEntry {
    fn new(classification: &Classification) -> ClassesEntry {
        let entries = |list: &[StatusMatch]| list.iter().map(|s| StatusEntry::of(*s)).collect();
        ClassesEntry {
            bad: classification.bad().map(entries),
            excluded: entries(classification.excluded()),
            grpc_bad: classification.grpc_bad().map(|codes| {
                codes
                    .iter()
                    .filter_map(|code| GRPC_CODE_NAMES.get(usize::from(*code)).copied())
                    .collect()
            }),
        }
    }

    fn is_empty(&self) -> bool {
        self.bad.is_none() && self.excluded.is_empty() && self.grpc_bad.is_none()
    }
}

/// A status as a number, a class as its text (`"5xx"`).
#[derive(Serialize)]
#[serde(untagged)]
enum StatusEntry {
    Status(u16),
    Class(String),
}

impl StatusEntry {
    fn of(entry: StatusMatch) -> StatusEntry {
        match entry {
            StatusMatch::Status(status) => StatusEntry::Status(status),
            StatusMatch::Class(_) => StatusEntry::Class(entry.to_string()),
        }
    }
}

#[derive(Serialize)]
struct MatchEntry {
    #[serde(skip_serializing_if = "Option::is_none")]
    routes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    exclude: Vec<String>,
}

impl<'a> SloEntry<'a> {
    fn new(slo: &'a SloDefinition, service_owner: Option<&str>) -> SloEntry<'a> {
        SloEntry {
            name: slo.name(),
            description: slo.description(),
            objective: slo.objective(),
            period: match slo.calendar() {
                Some(calendar) => Some(format!("calendar {}", calendar.unit())),
                None => (slo.period() != DEFAULT_PERIOD)
                    .then(|| format_duration(slo.period()).to_string()),
            },
            sli: {
                let classes = ClassesEntry::new(slo.classification());
                match slo.sli() {
                    Sli::Availability if classes.is_empty() => SliEntry::Kind("availability"),
                    Sli::Availability => SliEntry::Availability {
                        availability: classes,
                    },
                    Sli::Quality if classes.is_empty() => SliEntry::Kind("quality"),
                    Sli::Quality => SliEntry::Quality { quality: classes },
                    Sli::Freshness { threshold } => SliEntry::Freshness {
                        freshness: FreshnessEntry {
                            threshold: format_duration(*threshold).to_string(),
                        },
                    },
                    Sli::Latency { threshold } => SliEntry::Latency {
                        latency: LatencyEntry {
                            threshold: format_duration(*threshold).to_string(),
                            classes,
                        },
                    },
                }
            },
            matches: (slo.routes().is_some() || !slo.excluded_routes().is_empty()).then(|| {
                MatchEntry {
                    routes: slo
                        .routes()
                        .map(|rules| rules.iter().map(ToString::to_string).collect()),
                    exclude: slo
                        .excluded_routes()
                        .iter()
                        .map(ToString::to_string)
                        .collect(),
                }
            }),
            alerting: AlertingEntry::new(slo),
            maintenance: MaintenanceEntry::all(slo.maintenance()),
            owner: own_owner(slo.ownership(), service_owner),
            tier: slo.ownership().tier().map(Tier::as_str),
            annotations: slo.ownership().annotations(),
        }
    }
}

/// The owner an SLO or journey writes itself: none when it is the
/// service's, which it inherits on reading.
fn own_owner<'a>(ownership: &'a Ownership, service_owner: Option<&str>) -> Option<&'a str> {
    ownership
        .owner()
        .filter(|owner| Some(*owner) != service_owner)
}

impl Spec {
    /// The spec as a spec file: [`Spec::from_yaml`] on the text yields the
    /// same SLOs and journeys.
    ///
    /// ```
    /// use std::time::Duration;
    /// use slo_core::{SloDefinition, Spec};
    ///
    /// let spec = Spec::builder("shop")
    ///     .slo(SloDefinition::builder("search").objective(0.99).latency(Duration::from_millis(250)))
    ///     .build()?;
    /// let text = spec.to_yaml();
    /// assert!(text.contains("threshold: 250ms"));
    /// assert_eq!(Spec::from_yaml(&text)?.slos(), spec.slos());
    /// # Ok::<(), slo_core::SpecErrors>(())
    /// ```
    pub fn to_yaml(&self) -> String {
        let file = SpecFile {
            service: self.service(),
            timezone: (self.timezone() != "UTC").then_some(self.timezone()),
            maintenance: MaintenanceEntry::all(self.maintenance()),
            owner: self.owner(),
            slos: self
                .slos()
                .iter()
                .map(|slo| SloEntry::new(slo, self.owner()))
                .collect(),
            journeys: self
                .journeys()
                .iter()
                .map(|journey| JourneyEntry {
                    name: journey.name(),
                    description: journey.description(),
                    objective: journey.objective(),
                    steps: journey.steps(),
                    owner: own_owner(journey.ownership(), self.owner()),
                    tier: journey.ownership().tier().map(Tier::as_str),
                    annotations: journey.ownership().annotations(),
                })
                .collect(),
            policy: PolicyEntry::new(self.release_policy()),
        };
        // Serialising strings, numbers, lists and maps cannot fail.
        serde_saphyr::to_string(&file).unwrap_or_default()
    }
}
