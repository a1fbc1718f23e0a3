//! OpenSLO v1 (<https://github.com/OpenSLO/OpenSLO>): a spec's SLOs as
//! `Service`, `SLO`, `AlertPolicy` and `AlertCondition` documents, and the
//! way back, for our own documents and, as far as the model holds them,
//! for documents others wrote ([`from_openslo`]).
//!
//! Each SLO's indicator is a `ratioMetric` over the Prometheus
//! [series](slo_core::semantics#series) this crate exports (which is why
//! OpenSLO lives here): good is `slo_events_total{slo="…",
//! outcome="good"}`, total is `slo_events_total{slo="…"}`. What OpenSLO has no field for (the SLI kind
//! and latency threshold, the routes, `min_events`, a name that is not a DNS
//! label) travels in `metadata.annotations` under `slo/…`, so that
//! [`from_openslo`] of [`to_openslo`] yields the same model. Each SLO gets
//! an `AlertPolicy` with one `AlertCondition` per
//! [alert tier](slo_core::semantics#alert-tiers): the condition's `lookbackWindow` is the long window and the short one is in
//! the annotation `slo/short-window` (OpenSLO conditions have one window).
//!
//! ```
//! use slo_core::Spec;
//! use slo_fleet::openslo::{from_openslo, to_openslo};
//!
//! let spec = Spec::from_yaml(
//!     "service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n    match: {routes: [\"POST /checkout\"]}\n",
//! )?;
//! let documents = to_openslo(&spec);
//! assert!(documents.contains("kind: AlertCondition"));
//! let back = from_openslo(&documents)?;
//! assert_eq!(back.spec.slos(), spec.slos());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod classification;
mod import;
mod journey;
mod maintenance;
mod model;
mod ownership;

pub use import::from_openslo;

use std::collections::{BTreeMap, BTreeSet};

use slo_core::calendar::{CalendarPeriod, CalendarUnit};
use slo_core::spec::BudgetCondition;
use slo_core::windows::Window;
use slo_core::{Sli, SloDefinition, Spec, SpecErrors, format_duration};

use slo_core::series as names;

use model::{
    AlertConditionSpec, AlertPolicyRef, AlertPolicySpec, CalendarAnchor, Condition, ConditionRef,
    Document, Indicator, IndicatorSpec, Metadata, MetricSource, MetricSourceHolder, Objective,
    RatioMetric, ServiceSpec, SloSpec, TimeWindow,
};

/// Annotation: the SLO or service name when `metadata.name` had to differ.
pub const NAME: &str = "slo/name";
/// Annotation: `availability` or `latency`.
pub const SLI: &str = "slo/sli";
/// Annotation: a latency SLI's threshold, such as `250ms`.
pub const LATENCY_THRESHOLD: &str = "slo/latency-threshold";
/// Annotation: the `match.routes` list, as a YAML flow sequence.
pub const ROUTES: &str = "slo/routes";
/// Annotation: `alerting.min_events`.
pub const MIN_EVENTS: &str = "slo/min-events";
/// Annotation: `alerting.budget.remaining_below`, a ratio such as `0.25`.
pub const BUDGET_REMAINING_BELOW: &str = "slo/budget-remaining-below";
/// Annotation: `alerting.budget.exhausted_within`, such as `3d`.
pub const BUDGET_EXHAUSTED_WITHIN: &str = "slo/budget-exhausted-within";
/// Annotation: `alerting.no_data`, such as `1h`.
pub const NO_DATA: &str = "slo/no-data";
/// Annotation of an `SLO` (its own) or the `Service` (every SLO's):
/// `maintenance`, a JSON list of `{start, duration, every}` with `start`
/// in RFC 3339 and the others durations, such as
/// `[{"start":"2026-01-01T02:00:00Z","duration":"15m","every":"1d"}]`.
pub const MAINTENANCE: &str = "slo/maintenance";
/// Annotation: a freshness SLI's threshold, such as `30m`.
pub const FRESHNESS_THRESHOLD: &str = "slo/freshness-threshold";
/// Annotation: the SLI's `bad` list, JSON, such as `["5xx",429]`.
pub const BAD: &str = "slo/bad";
/// Annotation: the SLI's `excluded` list, JSON, such as `[404]`.
pub const EXCLUDED: &str = "slo/excluded";
/// Annotation: the SLI's `grpc_bad` list, JSON, such as `["UNAVAILABLE"]`.
pub const GRPC_BAD: &str = "slo/grpc-bad";
/// Annotation: the `match.exclude` list, JSON, such as `["GET /health"]`.
pub const MATCH_EXCLUDE: &str = "slo/match-exclude";
/// Annotation of a journey's `SLO`: its steps, a JSON list of SLO names
/// in order, such as `["search","checkout"]`; its `objectives` are the
/// journey's own, then each step's with `compositeWeight` 1.
pub const JOURNEY_STEPS: &str = "slo/journey-steps";
/// Annotation of an `AlertCondition`: the tier's short window.
pub const SHORT_WINDOW: &str = "slo/short-window";

/// What [`from_openslo`] read: the spec, and notes on what it left out.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenSloImport {
    /// The SLOs, validated like a spec file.
    pub spec: Spec,
    /// One sentence per thing not carried over (foreign queries, documents
    /// of kinds the model has no place for).
    pub notes: Vec<String>,
}

/// Why OpenSLO documents could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OpenSloError {
    /// Not YAML.
    #[error("not YAML: {0}")]
    Yaml(String),
    /// A document that is not an OpenSLO v1 document we can use.
    #[error("document {index}: {message}")]
    Document {
        /// 1-based position in the stream.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// A part of a document the model cannot hold, at its place.
    #[error("document {index}, line {line}, column {column}: {message}")]
    Refused {
        /// 1-based position in the stream.
        index: usize,
        /// 1-based line in the text.
        line: u64,
        /// 1-based column.
        column: u64,
        /// What it is and why it is refused.
        message: String,
    },
    /// No `SLO` document.
    #[error("no SLO document found")]
    NoSlos,
    /// SLOs of more than one service; a spec describes one.
    #[error("the SLOs belong to several services ({0}); a spec describes one service")]
    SeveralServices(String),
    /// Calendar-aligned SLOs in more than one time zone; a spec keeps its
    /// calendar periods in one.
    #[error(
        "the calendar-aligned SLOs use several time zones ({0}); a spec keeps its calendar periods in one"
    )]
    SeveralTimeZones(String),
    /// The SLOs read do not make a valid spec.
    #[error("{0}")]
    Spec(#[from] SpecErrors),
}

/// The spec as OpenSLO v1 documents, separated by `---`: one `Service`, then
/// per SLO an `SLO`, an `AlertPolicy` and its `AlertCondition`s.
pub fn to_openslo(spec: &Spec) -> String {
    let mut names = Names::default();
    let mut documents = Vec::new();
    let service = names.claim(spec.service());
    let mut annotations = BTreeMap::new();
    if service != spec.service() {
        annotations.insert(NAME.to_owned(), spec.service().to_owned());
    }
    if let Some(windows) = maintenance::annotation(spec.maintenance()) {
        annotations.insert(MAINTENANCE.to_owned(), windows);
    }
    documents.push(Document::yaml(
        "Service",
        Metadata::new(
            service.clone(),
            Some(spec.service().to_owned()),
            annotations,
        )
        .labelled(
            spec.owner()
                .map(|owner| {
                    BTreeMap::from([(slo_core::spec::OWNER_LABEL.to_owned(), owner.to_owned())])
                })
                .unwrap_or_default(),
        ),
        ServiceSpec {
            description: Some(format!(
                "SLOs measured in-process by the slo crate ({} SLO{})",
                spec.slos().len(),
                if spec.slos().len() == 1 { "" } else { "s" }
            )),
        },
    ));
    for slo in spec.slos() {
        export_slo(slo, &service, &mut names, &mut documents);
    }
    for journey in spec.journeys() {
        documents.push(journey::export(spec, journey, &service, &mut names));
    }
    documents.join("---\n")
}

fn export_slo(slo: &SloDefinition, service: &str, names: &mut Names, out: &mut Vec<String>) {
    let name = names.claim(slo.name());
    let windows = slo.windows();
    let mut annotations = BTreeMap::new();
    if name != slo.name() {
        annotations.insert(NAME.to_owned(), slo.name().to_owned());
    }
    match slo.sli() {
        Sli::Availability => {
            annotations.insert(SLI.to_owned(), "availability".to_owned());
        }
        // The same ratio of events; what makes one bad is in the service.
        Sli::Quality => {
            annotations.insert(SLI.to_owned(), "quality".to_owned());
        }
        Sli::Freshness { threshold } => {
            annotations.insert(SLI.to_owned(), "freshness".to_owned());
            annotations.insert(
                FRESHNESS_THRESHOLD.to_owned(),
                format_duration(*threshold).to_string(),
            );
        }
        Sli::Latency { threshold } => {
            annotations.insert(SLI.to_owned(), "latency".to_owned());
            annotations.insert(
                LATENCY_THRESHOLD.to_owned(),
                format_duration(*threshold).to_string(),
            );
        }
    }
    if let Some(routes) = slo.routes() {
        let routes: Vec<String> = routes.iter().map(ToString::to_string).collect();
        // A JSON array is a YAML flow sequence, and JSON escapes everything.
        annotations.insert(
            ROUTES.to_owned(),
            serde_json::to_string(&routes).unwrap_or_default(),
        );
    }
    if slo.min_events() != 1 {
        annotations.insert(MIN_EVENTS.to_owned(), slo.min_events().to_string());
    }
    classification::annotate(slo, &mut annotations);
    ownership::annotate(slo.ownership(), &mut annotations);
    if let Some(windows) = maintenance::annotation(slo.maintenance()) {
        annotations.insert(MAINTENANCE.to_owned(), windows);
    }
    for condition in slo.budget_alerts() {
        let (key, value) = match *condition {
            BudgetCondition::RemainingBelow(share) => (BUDGET_REMAINING_BELOW, share.to_string()),
            BudgetCondition::ExhaustedWithin(within) => {
                (BUDGET_EXHAUSTED_WITHIN, format_duration(within).to_string())
            }
            BudgetCondition::NoData(quiet) => (NO_DATA, format_duration(quiet).to_string()),
        };
        annotations.insert(key.to_owned(), value);
    }
    let policy_name = names.claim(&format!("{name}-burn-rate"));
    let query = |outcome: Option<&str>| MetricSourceHolder {
        metric_source: MetricSource {
            kind: "Prometheus".into(),
            spec: BTreeMap::from([(
                "query".to_owned(),
                match outcome {
                    Some(outcome) => format!(
                        "{}{{slo=\"{}\", outcome=\"{outcome}\"}}",
                        names::EVENTS,
                        slo.name()
                    ),
                    None => format!("{}{{slo=\"{}\"}}", names::EVENTS, slo.name()),
                },
            )]),
        },
    };
    out.push(Document::yaml(
        "SLO",
        Metadata::new(name.clone(), Some(slo.name().to_owned()), annotations)
            .labelled(ownership::labels(slo.ownership())),
        SloSpec {
            description: slo.description().map(str::to_owned),
            service: service.to_owned(),
            indicator: Some(Indicator {
                metadata: Metadata {
                    name: names.claim(&format!("{name}-sli")),
                    ..Metadata::default()
                },
                spec: IndicatorSpec {
                    ratio_metric: Some(RatioMetric {
                        counter: true,
                        good: query(Some("good")),
                        total: query(None),
                    }),
                },
            }),
            indicator_ref: None,
            time_window: vec![time_window(windows.period(), slo.calendar())],
            budgeting_method: "Occurrences".into(),
            objectives: vec![Objective {
                display_name: Some(slo.name().to_owned()),
                target: Some(slo.objective()),
                target_percent: None,
                composite_weight: None,
            }],
            alert_policies: vec![AlertPolicyRef {
                alert_policy_ref: policy_name.clone(),
            }],
        },
    ));
    let mut conditions = Vec::new();
    for tier in windows.tiers() {
        let long = &tier.long.label;
        let short = &tier.short.label;
        let condition_name =
            names.claim(&format!("{name}-{}-{long}-{short}", tier.severity.as_str()));
        conditions.push(ConditionRef {
            condition_ref: condition_name.clone(),
        });
        out.push(Document::yaml(
            "AlertCondition",
            Metadata::new(
                condition_name,
                None,
                BTreeMap::from([(SHORT_WINDOW.to_owned(), short.clone())]),
            ),
            AlertConditionSpec {
                description: Some(format!(
                    "The burn rate of {} over both the last {long} and the last {short} is above {}",
                    slo.name(),
                    tier.burn_rate
                )),
                severity: tier.severity.as_str().into(),
                condition: Condition {
                    kind: "burnrate".into(),
                    op: "gt".into(),
                    threshold: tier.burn_rate,
                    lookback_window: long.clone(),
                },
            },
        ));
    }
    out.push(Document::yaml(
        "AlertPolicy",
        Metadata::new(policy_name, None, BTreeMap::new()),
        AlertPolicySpec {
            description: Some(format!(
                "Multi-window burn-rate alerts of {} (page at 14.4 and 6, ticket at 3 and 1)",
                slo.name()
            )),
            alert_when_no_data: true,
            alert_when_resolved: false,
            alert_when_breaching: true,
            conditions,
        },
    ));
}

/// `metadata.name`s handed out so far: each a DNS label (RFC 1123, at most
/// 63 characters), each unique.
#[derive(Default)]
pub(crate) struct Names {
    taken: BTreeSet<String>,
}

impl Names {
    pub(crate) fn claim(&mut self, wanted: &str) -> String {
        let mut base: String = wanted
            .chars()
            .map(|c| match c.to_ascii_lowercase() {
                c @ ('a'..='z' | '0'..='9' | '-') => c,
                _ => '-',
            })
            .collect();
        base.truncate(63);
        let mut base = base.trim_matches('-').to_owned();
        if base.is_empty() {
            base.push_str("slo");
        }
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            let suffix = format!("-{n}");
            let mut head = base.clone();
            head.truncate(63 - suffix.len());
            name = format!("{}{suffix}", head.trim_end_matches('-'));
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

/// An SLO's or a journey's `timeWindow`: its rolling period, or its
/// calendar period anchored at a Monday, the 1st of a quarter, midnight.
pub(crate) fn time_window(period: &Window, calendar: Option<&CalendarPeriod>) -> TimeWindow {
    match calendar {
        Some(calendar) => TimeWindow {
            duration: calendar_duration(calendar.unit()).to_owned(),
            is_rolling: false,
            calendar: Some(CalendarAnchor {
                start_time: "2024-01-01 00:00:00".to_owned(),
                time_zone: calendar.timezone().to_owned(),
            }),
        },
        None => TimeWindow {
            duration: period.label.clone(),
            is_rolling: true,
            calendar: None,
        },
    }
}

/// OpenSLO's duration of a calendar unit: `1w`, `1M`, `1Q`.
pub(crate) fn calendar_duration(unit: CalendarUnit) -> &'static str {
    match unit {
        CalendarUnit::Week => "1w",
        CalendarUnit::Month => "1M",
        CalendarUnit::Quarter => "1Q",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_unique_dns_labels() {
        let mut names = Names::default();
        assert_eq!(
            names.claim("checkout-availability"),
            "checkout-availability"
        );
        assert_eq!(names.claim("Checkout_API.v2"), "checkout-api-v2");
        assert_eq!(names.claim("checkout.api.v2"), "checkout-api-v2-2");
        assert_eq!(names.claim("__"), "slo");
        let long = "a".repeat(128);
        assert_eq!(names.claim(&long).len(), 63);
        let again = names.claim(&long);
        assert_eq!(again.len(), 63);
        assert!(again.ends_with("-2"));
    }
}
