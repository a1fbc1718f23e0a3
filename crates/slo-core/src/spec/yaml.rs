//! Reading the [spec file](crate::semantics#spec-file) into a draft, keeping the line and
//! column of every value for error messages.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_saphyr::Spanned;

use super::draft::{
    AlertingDraft, ClassificationDraft, DurationDraft, JourneyDraft, Located, MaintenanceDraft,
    NumberOrText, OwnershipDraft, ReleaseCellDraft, ReleaseDraft, SliDraft, SloDraft, SpecDraft,
    TierDraft,
};
use super::{Location, SpecError, SpecErrorKind, SpecErrors};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    service: Spanned<String>,
    #[serde(default)]
    timezone: Option<Spanned<String>>,
    #[serde(default)]
    maintenance: Option<Spanned<Vec<RawMaintenance>>>,
    slos: Spanned<Vec<RawSlo>>,
    #[serde(default)]
    journeys: Option<Spanned<Vec<RawJourney>>>,
    #[serde(default)]
    policy: Option<RawPolicy>,
    #[serde(default)]
    owner: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaintenance {
    start: Spanned<String>,
    duration: Spanned<RawScalar>,
    #[serde(default)]
    every: Option<Spanned<RawScalar>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJourney {
    name: Spanned<String>,
    #[serde(default)]
    description: Option<String>,
    objective: Spanned<RawScalar>,
    steps: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    owner: Option<Spanned<String>>,
    #[serde(default)]
    tier: Option<Spanned<String>>,
    #[serde(default)]
    annotations: Option<Pairs<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    release: Option<Pairs<Pairs<Spanned<String>>>>,
    #[serde(default)]
    alerting: Option<RawAlerting>,
}

/// A map read as its entries in file order, each key with its place, so
/// that an unknown key is reported where it is.
struct Pairs<V>(Vec<(Spanned<String>, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Pairs<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for PairsVisitor<V> {
            type Value = Pairs<V>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs<V>, A::Error> {
                let mut pairs = Vec::new();
                while let Some(entry) = map.next_entry::<Spanned<String>, V>()? {
                    pairs.push(entry);
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(PairsVisitor(std::marker::PhantomData))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlo {
    name: Spanned<String>,
    #[serde(default)]
    description: Option<String>,
    objective: Spanned<RawScalar>,
    #[serde(default)]
    period: Option<Spanned<RawScalar>>,
    #[serde(default)]
    sli: Option<Spanned<RawSli>>,
    #[serde(default, rename = "match")]
    matches: Option<Spanned<RawMatch>>,
    #[serde(default)]
    alerting: Option<RawAlerting>,
    #[serde(default)]
    maintenance: Option<Spanned<Vec<RawMaintenance>>>,
    #[serde(default)]
    owner: Option<Spanned<String>>,
    #[serde(default)]
    tier: Option<Spanned<String>>,
    #[serde(default)]
    annotations: Option<Pairs<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    #[serde(default)]
    routes: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    exclude: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlerting {
    #[serde(default)]
    min_events: Option<Spanned<u64>>,
    #[serde(default)]
    tiers: Option<Spanned<Vec<RawTier>>>,
    #[serde(default)]
    budget: Option<RawBudget>,
    #[serde(default)]
    no_data: Option<Spanned<RawScalar>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    severity: Spanned<String>,
    long: Spanned<RawScalar>,
    short: Spanned<RawScalar>,
    burn_rate: Spanned<RawScalar>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    #[serde(default)]
    remaining_below: Option<Spanned<RawScalar>>,
    #[serde(default)]
    exhausted_within: Option<Spanned<RawScalar>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawScalar {
    Number(f64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLatency {
    threshold: Spanned<RawScalar>,
    #[serde(default)]
    bad: Option<Spanned<Vec<Spanned<RawScalar>>>>,
    #[serde(default)]
    excluded: Option<Spanned<Vec<Spanned<RawScalar>>>>,
    #[serde(default)]
    grpc_bad: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `{availability: {bad, excluded, grpc_bad}}`; each key optional.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawClasses {
    #[serde(default)]
    bad: Option<Spanned<Vec<Spanned<RawScalar>>>>,
    #[serde(default)]
    excluded: Option<Spanned<Vec<Spanned<RawScalar>>>>,
    #[serde(default)]
    grpc_bad: Option<Spanned<Vec<Spanned<String>>>>,
}

/// `availability`, or a one-key map `{latency: {threshold: 250ms}}`.
enum RawSli {
    Availability(RawClasses),
    Quality(RawClasses),
    Latency(RawLatency),
    Freshness(RawFreshness),
    Unknown(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFreshness {
    threshold: Spanned<RawScalar>,
}

impl<'de> Deserialize<'de> for RawSli {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SliVisitor;
        impl<'de> Visitor<'de> for SliVisitor {
            type Value = RawSli;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`availability`, `quality`, `{availability: {bad: [\"5xx\"]}}` or `{latency: {threshold: 250ms}}` or `{freshness: {threshold: 30m}}`")
            }

            fn visit_str<E: de::Error>(self, kind: &str) -> Result<RawSli, E> {
                Ok(match kind {
                    "availability" => RawSli::Availability(RawClasses::default()),
                    "quality" => RawSli::Quality(RawClasses::default()),
                    other => RawSli::Unknown(other.to_owned()),
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawSli, A::Error> {
                let Some(kind) = map.next_key::<String>()? else {
                    return Err(de::Error::custom("an SLI map needs one key: `latency`"));
                };
                let sli = match kind.as_str() {
                    "latency" => RawSli::Latency(map.next_value()?),
                    "freshness" => RawSli::Freshness(map.next_value()?),
                    "availability" => RawSli::Availability(
                        map.next_value::<Option<RawClasses>>()?.unwrap_or_default(),
                    ),
                    "quality" => {
                        RawSli::Quality(map.next_value::<Option<RawClasses>>()?.unwrap_or_default())
                    }
                    other => {
                        map.next_value::<de::IgnoredAny>()?;
                        RawSli::Unknown(other.to_owned())
                    }
                };
                if map.next_key::<String>()?.is_some() {
                    return Err(de::Error::custom("an SLI map has exactly one key"));
                }
                Ok(sli)
            }
        }
        deserializer.deserialize_any(SliVisitor)
    }
}

fn location(spanned: &serde_saphyr::Location) -> Option<Location> {
    (spanned.line() > 0).then(|| Location {
        line: spanned.line(),
        column: spanned.column(),
    })
}

fn located<T, U>(spanned: Spanned<T>, map: impl FnOnce(T) -> U) -> Located<U> {
    Located {
        at: location(&spanned.referenced),
        value: map(spanned.value),
    }
}

/// Parses the YAML text; a syntax or shape error stops here with its position.
pub(crate) fn parse(text: &str) -> Result<SpecDraft, SpecErrors> {
    let raw: RawSpec = serde_saphyr::from_str(text).map_err(syntax_error)?;
    let (release, alerting) = raw
        .policy
        .map(|policy| (policy.release, policy.alerting))
        .unwrap_or_default();
    let cells = release
        .map(|rows| {
            rows.0
                .into_iter()
                .flat_map(|(level, row)| {
                    row.0
                        .into_iter()
                        .map(move |(risk, decision)| ReleaseCellDraft {
                            level: located(level.clone(), |s| s),
                            risk: located(risk, |s| s),
                            decision: located(decision, |s| s),
                        })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(SpecDraft {
        service: located(raw.service, |s| s),
        slos: located(raw.slos, |slos| slos.into_iter().map(into_draft).collect()),
        journeys: raw.journeys.map(|journeys| {
            located(journeys, |journeys| {
                journeys
                    .into_iter()
                    .map(|journey| JourneyDraft {
                        name: located(journey.name, |s| s),
                        description: journey.description,
                        objective: located(journey.objective, number_draft),
                        steps: located(journey.steps, |steps| {
                            steps.into_iter().map(|s| located(s, |s| s)).collect()
                        }),
                        ownership: ownership_draft(
                            journey.owner,
                            journey.tier,
                            journey.annotations,
                        ),
                    })
                    .collect()
            })
        }),
        release: ReleaseDraft::Cells(cells),
        alerting: alerting.map(alerting_draft).unwrap_or_default(),
        timezone: raw.timezone.map(|tz| located(tz, |s| s)),
        maintenance: raw.maintenance.map(maintenance_draft),
        owner: raw.owner.map(|owner| located(owner, |s| s)),
    })
}

/// `owner`, `tier` and `annotations` with their places.
fn ownership_draft(
    owner: Option<Spanned<String>>,
    tier: Option<Spanned<String>>,
    annotations: Option<Pairs<Spanned<String>>>,
) -> OwnershipDraft {
    OwnershipDraft {
        owner: owner.map(|owner| located(owner, |s| s)),
        tier: tier.map(|tier| located(tier, |s| s)),
        annotations: annotations
            .map(|pairs| {
                pairs
                    .0
                    .into_iter()
                    .map(|(key, value)| (located(key, |s| s), located(value, |s| s)))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn maintenance_draft(raw: Spanned<Vec<RawMaintenance>>) -> Located<Vec<MaintenanceDraft>> {
    located(raw, |windows| {
        windows
            .into_iter()
            .map(|window| MaintenanceDraft::Written {
                start: located(window.start, |s| s),
                duration: located(window.duration, duration_draft),
                every: window.every.map(|e| located(e, duration_draft)),
            })
            .collect()
    })
}

fn alerting_draft(raw: RawAlerting) -> AlertingDraft {
    let (remaining_below, exhausted_within) = raw
        .budget
        .map(|budget| (budget.remaining_below, budget.exhausted_within))
        .unwrap_or_default();
    AlertingDraft {
        min_events: raw.min_events.map(|m| located(m, |m| m)),
        tiers: raw.tiers.map(|tiers| {
            located(tiers, |tiers| {
                tiers
                    .into_iter()
                    .map(|tier| TierDraft {
                        severity: located(tier.severity, |s| s),
                        long: located(tier.long, duration_draft),
                        short: located(tier.short, duration_draft),
                        burn_rate: located(tier.burn_rate, number_draft),
                    })
                    .collect()
            })
        }),
        remaining_below: remaining_below.map(|r| located(r, number_draft)),
        exhausted_within: exhausted_within.map(|e| located(e, duration_draft)),
        no_data: raw.no_data.map(|n| located(n, duration_draft)),
    }
}

fn number_draft(raw: RawScalar) -> NumberOrText {
    match raw {
        RawScalar::Number(n) => NumberOrText::Number(n),
        RawScalar::Text(t) => NumberOrText::Text(t),
    }
}

fn into_draft(raw: RawSlo) -> SloDraft {
    let sli_at = raw.sli.as_ref().and_then(|s| location(&s.referenced));
    let mut classification = ClassificationDraft::Written {
        bad: None,
        excluded: None,
        grpc_bad: None,
    };
    let sli = match raw.sli {
        None => Located {
            value: SliDraft::Availability,
            at: None,
        },
        Some(sli) => located(sli, |sli| match sli {
            RawSli::Availability(classes) => {
                classification =
                    classification_draft(classes.bad, classes.excluded, classes.grpc_bad);
                SliDraft::Availability
            }
            RawSli::Quality(classes) => {
                classification =
                    classification_draft(classes.bad, classes.excluded, classes.grpc_bad);
                SliDraft::Quality
            }
            RawSli::Unknown(kind) => SliDraft::Unknown(kind),
            RawSli::Freshness(freshness) => SliDraft::Freshness {
                threshold: {
                    let mut threshold = located(freshness.threshold, duration_draft);
                    threshold.at = threshold.at.or(sli_at);
                    threshold
                },
            },
            RawSli::Latency(latency) => {
                classification =
                    classification_draft(latency.bad, latency.excluded, latency.grpc_bad);
                SliDraft::Latency {
                    threshold: {
                        let mut threshold = located(latency.threshold, duration_draft);
                        threshold.at = threshold.at.or(sli_at);
                        threshold
                    },
                }
            }
        }),
    };
    let (routes, exclude) = match raw.matches {
        None => (None, None),
        Some(matches) => {
            let at = location(&matches.referenced);
            let list = |list: Option<Spanned<Vec<Spanned<String>>>>| {
                list.map(|list| {
                    located(list, |list| {
                        list.into_iter().map(|r| located(r, |s| s)).collect()
                    })
                })
            };
            let (routes, exclude) = (list(matches.value.routes), list(matches.value.exclude));
            // `match: {}` says nothing: read as an empty route list, which
            // is refused where it is.
            let routes = match (routes, &exclude) {
                (None, None) => Some(Located {
                    value: Vec::new(),
                    at,
                }),
                (routes, _) => routes,
            };
            (routes, exclude)
        }
    };
    SloDraft {
        name: located(raw.name, |s| s),
        description: raw.description,
        objective: located(raw.objective, number_draft),
        period: raw.period.map(|p| located(p, duration_draft)),
        sli,
        classification,
        routes,
        exclude,
        alerting: raw.alerting.map(alerting_draft).unwrap_or_default(),
        maintenance: raw.maintenance.map(maintenance_draft),
        ownership: ownership_draft(raw.owner, raw.tier, raw.annotations),
    }
}

type RawStatuses = Option<Spanned<Vec<Spanned<RawScalar>>>>;

fn classification_draft(
    bad: RawStatuses,
    excluded: RawStatuses,
    grpc_bad: Option<Spanned<Vec<Spanned<String>>>>,
) -> ClassificationDraft {
    let statuses = |list: RawStatuses| {
        list.map(|list| {
            located(list, |list| {
                list.into_iter().map(|s| located(s, number_draft)).collect()
            })
        })
    };
    ClassificationDraft::Written {
        bad: statuses(bad),
        excluded: statuses(excluded),
        grpc_bad: grpc_bad.map(|codes| {
            located(codes, |codes| {
                codes.into_iter().map(|c| located(c, |s| s)).collect()
            })
        }),
    }
}

fn duration_draft(raw: RawScalar) -> DurationDraft {
    match raw {
        RawScalar::Number(n) => DurationDraft::Number(n),
        RawScalar::Text(t) => DurationDraft::Text(t),
    }
}

fn syntax_error(error: serde_saphyr::Error) -> SpecErrors {
    let at = error.location().and_then(|l| location(&l));
    let mut message = error.without_snippet().to_string();
    if let Some(at) = at {
        let suffix = format!(" at line {}, column {}", at.line, at.column);
        if let Some(stripped) = message.strip_suffix(&suffix) {
            message = stripped.to_owned();
        }
    }
    SpecErrors(vec![SpecError {
        field: String::new(),
        location: Some(at.unwrap_or(Location { line: 1, column: 1 })),
        kind: SpecErrorKind::Syntax(message),
    }])
}
