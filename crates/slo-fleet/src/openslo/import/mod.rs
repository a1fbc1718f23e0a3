//! Reading OpenSLO v1 documents into a spec: our own export back exactly
//! (its `slo/…` annotations say what OpenSLO has no field for), and
//! documents others wrote as far as the model holds them.
//!
//! Others' documents:
//!
//! - **`Occurrences`** (also when `budgetingMethod` is left out): a
//!   `ratioMetric` (good and total, or bad and total) becomes an
//!   availability SLI; a `thresholdMetric` with an objective `op: lt` or
//!   `lte` and a `value` becomes a latency SLI whose threshold is `value`
//!   **milliseconds** (OpenSLO leaves the unit to the metric; latency
//!   thresholds in its own examples read `value: 500`, which only makes
//!   sense as milliseconds). The indicator is inline or an `indicatorRef`
//!   to an `SLI` document.
//! - **Time windows**: rolling ones by their duration (`1M` read as 30d,
//!   `1Q` as 90d), calendar ones (`isRolling: false`, or a `calendar`) of
//!   `1w`, `1M` or `1Q` as calendar periods in the window's `timeZone`; none
//!   at all reads as 30 days rolling.
//! - **Queries** are not carried (slo counts what its middleware records):
//!   each one dropped is named in a note.
//!
//! What the model cannot hold is refused at its line and column with the
//! reason: `Timeslices` and `RatioTimeslices`, several objectives, a
//! threshold that is good above it, an indicator of neither kind.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;
use slo_core::calendar::CalendarUnit;
use slo_core::spec::{Alerting, TierSpec};
use slo_core::windows::SloWindows;
use slo_core::{SloBuilder, SloDefinition, Spec, parse_duration};

mod indicator;

use super::model::{API_VERSION, AlertConditionSpec, AlertPolicySpec, ConditionRef, Document};
use super::{
    BUDGET_EXHAUSTED_WITHIN, BUDGET_REMAINING_BELOW, MAINTENANCE, MATCH_EXCLUDE, MIN_EVENTS, NAME,
    NO_DATA, OpenSloError, OpenSloImport, ROUTES, SHORT_WINDOW, calendar_duration, classification,
    maintenance,
};

/// Where the parts of a document that can be refused are, read in a
/// second pass over the same text.
#[derive(Debug, Default, Deserialize)]
struct Places {
    #[serde(default)]
    spec: Option<SpecPlaces>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SpecPlaces {
    #[serde(default)]
    budgeting_method: Option<Spanned<Value>>,
    #[serde(default)]
    objectives: Option<Spanned<Vec<Spanned<Value>>>>,
    #[serde(default)]
    time_window: Option<Spanned<Vec<Spanned<Value>>>>,
    #[serde(default)]
    indicator: Option<Spanned<Value>>,
    #[serde(default)]
    indicator_ref: Option<Spanned<Value>>,
}

/// A 1-based line and column.
type At = Option<(u64, u64)>;

fn at<T>(spanned: Option<&Spanned<T>>) -> At {
    spanned
        .map(|s| (s.referenced.line(), s.referenced.column()))
        .filter(|(line, _)| *line > 0)
}

/// Reads OpenSLO v1 documents (a `---`-separated stream) into a spec: our
/// own export back exactly, and documents others wrote as far as the model
/// holds them. `SLO` documents become SLOs, `SLI` documents serve their
/// `indicatorRef`s, `Service` documents name the service, and
/// `AlertPolicy` and `AlertCondition` documents give an SLO its own tiers
/// when they are not the default four; other kinds are noted and skipped.
///
/// Others' documents: `Occurrences` (also when `budgetingMethod` is left
/// out); a `ratioMetric` (good or bad, and total) is an availability SLI, a
/// `thresholdMetric` with an objective `op: lt` or `lte` and a `value` a
/// latency SLI whose threshold is `value` milliseconds (OpenSLO leaves the
/// unit to the metric; its own examples write `value: 500` for a search
/// latency). Rolling windows keep their length (`1M` reads as 30d, `1Q` as
/// 90d), calendar ones of `1w`, `1M` or `1Q` become calendar periods in
/// their `timeZone`, and none at all reads as 30 days rolling. Queries are
/// not carried: each one dropped is named in a note. `Timeslices`,
/// `RatioTimeslices`, several objectives, a threshold that is good above
/// it and an indicator of neither kind are refused at their line and
/// column ([`OpenSloError::Refused`]).
pub fn from_openslo(text: &str) -> Result<OpenSloImport, OpenSloError> {
    let documents: Vec<Value> = serde_saphyr::from_multiple(text).map_err(yaml_error)?;
    // The places of what may be refused; a document whose shape this
    // cannot read is refused without one.
    let places: Vec<Places> = serde_saphyr::from_multiple(text).unwrap_or_default();
    // A document that is a list of documents (as the OpenSLO Go SDK writes
    // them) counts as its items, without places.
    // Each keeps its place in the stream, for the messages.
    let documents: Vec<(usize, Value, Option<&Places>)> = documents
        .into_iter()
        .enumerate()
        .flat_map(|(i, document)| match document {
            Value::Array(items) => items.into_iter().map(|item| (i, item, None)).collect(),
            document => vec![(i, document, places.get(i))],
        })
        .collect();
    let mut notes = Vec::new();
    let mut alerts = AlertDocuments::default();
    let mut service_names: BTreeMap<String, String> = BTreeMap::new();
    let mut service_owners: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut service_maintenance = BTreeMap::new();
    let mut slis: BTreeMap<String, Value> = BTreeMap::new();
    let mut slos = Vec::new();
    let mut journeys = Vec::new();
    for (i, document, places) in documents {
        let index = i + 1;
        let fail = |message: String| OpenSloError::Document { index, message };
        if document.is_null() {
            continue;
        }
        if !document.is_object() {
            return Err(fail(
                "not an OpenSLO document: expected a map with apiVersion, kind, metadata and spec"
                    .into(),
            ));
        }
        match document["apiVersion"].as_str() {
            Some(API_VERSION) => {}
            Some(other) => {
                return Err(fail(format!(
                    "apiVersion {other:?} is not read; only {API_VERSION}"
                )));
            }
            None => return Err(fail("missing apiVersion".into())),
        }
        let name = document["metadata"]["name"].as_str().map(str::to_owned);
        match document["kind"].as_str() {
            Some("SLO") if super::journey::is_journey(&document) => {
                journeys.push(super::journey::read(index, &document, &mut notes)?);
            }
            Some("SLO") => slos.push((index, document, places)),
            Some("SLI") => {
                let name =
                    name.ok_or_else(|| fail("an SLI document needs metadata.name".into()))?;
                slis.insert(name, document["spec"].clone());
            }
            Some("Service") => {
                let name =
                    name.ok_or_else(|| fail("a Service document needs metadata.name".into()))?;
                let original = annotation(&document, NAME).unwrap_or(&name).to_owned();
                if let Some(text) = annotation(&document, MAINTENANCE) {
                    let windows = maintenance::read(text).map_err(|e| {
                        fail(format!("Service {name}: annotation {MAINTENANCE}: {e}"))
                    })?;
                    service_maintenance.insert(name.clone(), windows);
                }
                let owner =
                    super::ownership::read(&document, &format!("Service {name}"), &mut notes).owner;
                service_owners.insert(name.clone(), owner);
                service_names.insert(name, original);
            }
            Some("AlertPolicy") => {
                // Read for the tiers; one that does not read is left out.
                if let Ok(policy) = serde_json::from_value::<Document<AlertPolicySpec>>(document) {
                    alerts
                        .policies
                        .insert(policy.metadata.name, policy.spec.conditions);
                }
            }
            Some("AlertCondition") => {
                if let Ok(condition) =
                    serde_json::from_value::<Document<AlertConditionSpec>>(document)
                {
                    alerts
                        .conditions
                        .insert(condition.metadata.name.clone(), condition);
                }
            }
            Some(other) => notes.push(format!(
                "document {index}: skipped a {other} document (slo has no place for it)"
            )),
            None => return Err(fail("missing kind".into())),
        }
    }
    if slos.is_empty() {
        return Err(OpenSloError::NoSlos);
    }
    let services: BTreeSet<&str> = slos
        .iter()
        .map(|(_, slo, _)| slo["spec"]["service"].as_str().unwrap_or(""))
        .collect();
    if services.len() > 1 {
        let list: Vec<&str> = services.into_iter().collect();
        return Err(OpenSloError::SeveralServices(list.join(", ")));
    }
    let service_ref = services.into_iter().next().unwrap_or("").to_owned();
    if service_ref.is_empty() {
        return Err(OpenSloError::Document {
            index: slos[0].0,
            message: "an SLO needs spec.service".into(),
        });
    }
    let windows = service_maintenance.remove(&service_ref).unwrap_or_default();
    let owner = service_owners.remove(&service_ref).flatten();
    let service = service_names
        .get(&service_ref)
        .cloned()
        .unwrap_or(service_ref);
    let mut builder = windows
        .into_iter()
        .fold(Spec::builder(service), slo_core::SpecBuilder::maintenance);
    if let Some(owner) = owner {
        builder = builder.owner(owner);
    }
    let mut zones = BTreeSet::new();
    for (index, slo, places) in &slos {
        let reader = SloReader {
            index: *index,
            slo,
            places: places.and_then(|p: &Places| p.spec.as_ref()),
            slis: &slis,
            alerts: &alerts,
        };
        let (slo, zone) = reader.read(&mut notes)?;
        builder = builder.slo(slo);
        zones.extend(zone);
    }
    // A spec keeps its calendar periods in one time zone.
    if zones.len() > 1 {
        let list: Vec<&str> = zones.iter().map(String::as_str).collect();
        return Err(OpenSloError::SeveralTimeZones(list.join(", ")));
    }
    if let Some(zone) = zones.into_iter().next() {
        builder = builder.timezone(zone);
    }
    builder = journeys
        .into_iter()
        .fold(builder, slo_core::SpecBuilder::journey);
    Ok(OpenSloImport {
        spec: builder.build()?,
        notes,
    })
}

fn yaml_error(error: serde_saphyr::Error) -> OpenSloError {
    let place = error
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| format!(" at line {}, column {}", l.line(), l.column()))
        .unwrap_or_default();
    OpenSloError::Yaml(format!("{}{place}", error.without_snippet()))
}

fn annotation<'a>(document: &'a Value, key: &str) -> Option<&'a str> {
    document["metadata"]["annotations"][key].as_str()
}

/// The `AlertPolicy` and `AlertCondition` documents read, by name.
#[derive(Default)]
struct AlertDocuments {
    policies: BTreeMap<String, Vec<ConditionRef>>,
    conditions: BTreeMap<String, Document<AlertConditionSpec>>,
}

impl AlertDocuments {
    /// The burn-rate tiers of an SLO's alert policies, as our export
    /// writes them (`burnrate` conditions with the short window in an
    /// annotation); `None` when there are none.
    fn tiers(&self, slo: &Value) -> Option<Vec<TierSpec>> {
        let references = slo["spec"]["alertPolicies"].as_array()?;
        let tiers: Vec<TierSpec> = references
            .iter()
            .filter_map(|policy| policy["alertPolicyRef"].as_str())
            .filter_map(|name| self.policies.get(name))
            .flatten()
            .filter_map(|reference| self.conditions.get(&reference.condition_ref))
            .filter_map(|condition| {
                let spec = &condition.spec;
                if spec.condition.kind != "burnrate" {
                    return None;
                }
                let short = condition.metadata.annotations.get(SHORT_WINDOW)?;
                Some(TierSpec {
                    severity: spec.severity.parse().ok()?,
                    long: parse_duration(&spec.condition.lookback_window).ok()?,
                    short: parse_duration(short).ok()?,
                    burn_rate: spec.condition.threshold,
                })
            })
            .collect();
        (!tiers.is_empty()).then_some(tiers)
    }
}

/// One `SLO` document being read.
struct SloReader<'a> {
    index: usize,
    slo: &'a Value,
    places: Option<&'a SpecPlaces>,
    slis: &'a BTreeMap<String, Value>,
    alerts: &'a AlertDocuments,
}

/// A period read from a time window.
enum Period {
    Rolling(Duration),
    Calendar(CalendarUnit, String),
}

impl SloReader<'_> {
    fn fail(&self, message: String) -> OpenSloError {
        OpenSloError::Document {
            index: self.index,
            message,
        }
    }

    /// An error at `place` when known.
    fn refuse(&self, place: At, message: String) -> OpenSloError {
        match place {
            Some((line, column)) => OpenSloError::Refused {
                index: self.index,
                line,
                column,
                message,
            },
            None => self.fail(message),
        }
    }

    fn read(&self, notes: &mut Vec<String>) -> Result<(SloBuilder, Option<String>), OpenSloError> {
        let spec = &self.slo["spec"];
        let name = annotation(self.slo, NAME)
            .or_else(|| self.slo["metadata"]["name"].as_str())
            .ok_or_else(|| self.fail("an SLO needs metadata.name".into()))?
            .to_owned();
        let mut builder = SloDefinition::builder(name.clone());
        if let Some(description) = spec["description"].as_str() {
            builder = builder.description(description);
        }
        self.check_budgeting(&name)?;
        let objective = self.objective(&name)?;
        let target = match (
            objective["target"].as_f64(),
            objective["targetPercent"].as_f64(),
        ) {
            (Some(ratio), _) => ratio,
            (None, Some(percent)) => percent / 100.0,
            (None, None) => {
                return Err(self.refuse(
                    self.objective_place(0),
                    format!("SLO {name}: the objective has no target (or targetPercent)"),
                ));
            }
        };
        builder = builder.objective(target);
        let period = self.period(&name, notes)?;
        let (nominal, timezone) = match &period {
            Period::Rolling(length) => {
                builder = builder.period(*length);
                (*length, None)
            }
            Period::Calendar(unit, zone) => {
                builder = builder.calendar(*unit);
                (unit.nominal_length(), Some(zone.clone()))
            }
        };
        builder = self.sli(&name, builder, objective, notes)?;
        builder = self.annotations(&name, builder)?;
        let read = super::ownership::read(self.slo, &format!("SLO {name}"), notes);
        if let Some(owner) = read.owner {
            builder = builder.owner(owner);
        }
        if let Some(tier) = read.tier {
            builder = builder.tier(tier);
        }
        for (key, value) in read.annotations {
            builder = builder.annotation(key, value);
        }
        builder = builder.alerting(self.alerting(&name, nominal)?);
        Ok((builder, timezone))
    }

    /// `Occurrences`, said or left out; time slices are refused.
    fn check_budgeting(&self, name: &str) -> Result<(), OpenSloError> {
        let place = at(self.places.and_then(|p| p.budgeting_method.as_ref()));
        match &self.slo["spec"]["budgetingMethod"] {
            Value::Null => Ok(()),
            Value::String(method) if method == "Occurrences" => Ok(()),
            Value::String(method) if method == "Timeslices" || method == "RatioTimeslices" => {
                Err(self.refuse(
                    place,
                    format!(
                        "SLO {name}: budgetingMethod {method} counts good time slices; slo counts events (Occurrences) and cannot hold it"
                    ),
                ))
            }
            other => Err(self.refuse(
                place,
                format!(
                    "SLO {name}: budgetingMethod {other} is not one of Occurrences, Timeslices, RatioTimeslices"
                ),
            )),
        }
    }

    fn objective_place(&self, i: usize) -> At {
        let objectives = self.places.and_then(|p| p.objectives.as_ref());
        at(objectives.and_then(|o| o.value.get(i))).or(at(objectives))
    }

    /// The one objective.
    fn objective(&self, name: &str) -> Result<&Value, OpenSloError> {
        match self.slo["spec"]["objectives"].as_array().map(Vec::as_slice) {
            Some([objective]) if objective.is_object() => Ok(objective),
            Some([_]) => Err(self.refuse(
                self.objective_place(0),
                format!("SLO {name}: an objective is a map with a target"),
            )),
            None | Some([]) => Err(self.refuse(
                self.objective_place(0),
                format!("SLO {name}: no objectives; slo needs one"),
            )),
            Some(several) => Err(self.refuse(
                self.objective_place(1),
                format!(
                    "SLO {name}: {} objectives; slo keeps one objective an SLO (write one SLO for each)",
                    several.len()
                ),
            )),
        }
    }

    /// The time window as a period; none reads as 30 days rolling.
    fn period(&self, name: &str, notes: &mut Vec<String>) -> Result<Period, OpenSloError> {
        let windows = self.places.and_then(|p| p.time_window.as_ref());
        let place = |i: usize| at(windows.and_then(|w| w.value.get(i))).or(at(windows));
        let window = match self.slo["spec"]["timeWindow"].as_array().map(Vec::as_slice) {
            None | Some([]) => {
                notes.push(format!(
                    "SLO {name}: no timeWindow; read as 30 days, rolling"
                ));
                return Ok(Period::Rolling(Duration::from_secs(30 * 86_400)));
            }
            Some([window]) => window,
            Some(several) => {
                return Err(self.refuse(
                    place(1),
                    format!(
                        "SLO {name}: {} time windows; slo keeps one period an SLO",
                        several.len()
                    ),
                ));
            }
        };
        let duration = window["duration"].as_str().unwrap_or("").trim();
        let calendar = &window["calendar"];
        let rolling = window["isRolling"].as_bool().unwrap_or(calendar.is_null());
        if !rolling {
            let unit = CalendarUnit::ALL
                .into_iter()
                .find(|unit| calendar_duration(*unit) == duration)
                .ok_or_else(|| {
                    self.refuse(
                        place(0),
                        format!(
                            "SLO {name}: a calendar-aligned timeWindow of {duration:?}; slo's calendar periods are 1w, 1M and 1Q"
                        ),
                    )
                })?;
            let zone = calendar["timeZone"].as_str().unwrap_or("UTC").to_owned();
            return Ok(Period::Calendar(unit, zone));
        }
        let (length, read_as) = match duration {
            "1M" => (Duration::from_secs(30 * 86_400), Some("30d")),
            "1Q" => (Duration::from_secs(90 * 86_400), Some("90d")),
            "1Y" => (Duration::from_secs(365 * 86_400), Some("365d")),
            text => (
                parse_duration(text).map_err(|e| {
                    self.refuse(place(0), format!("SLO {name}: timeWindow duration: {e}"))
                })?,
                None,
            ),
        };
        if let Some(read_as) = read_as {
            notes.push(format!(
                "SLO {name}: the rolling timeWindow {duration} is read as {read_as}"
            ));
        }
        Ok(Period::Rolling(length))
    }

    /// Routes and `min_events` from our annotations.
    fn annotations(&self, name: &str, mut builder: SloBuilder) -> Result<SloBuilder, OpenSloError> {
        if let Some(routes) = annotation(self.slo, ROUTES) {
            let routes: Vec<String> = serde_saphyr::from_str(routes).map_err(|e| {
                self.fail(format!(
                    "SLO {name}: annotation {ROUTES} is not a list of routes: {e}"
                ))
            })?;
            for route in routes {
                builder = builder.route(route);
            }
        }
        if let Some(text) = annotation(self.slo, MATCH_EXCLUDE) {
            let routes = classification::excluded_routes(text)
                .map_err(|e| self.fail(format!("SLO {name}: {e}")))?;
            builder = routes.into_iter().fold(builder, SloBuilder::exclude_route);
        }
        let classification = classification::read(|key| annotation(self.slo, key))
            .map_err(|e| self.fail(format!("SLO {name}: {e}")))?;
        builder = builder.classification(classification);
        if let Some(text) = annotation(self.slo, MAINTENANCE) {
            let windows = maintenance::read(text)
                .map_err(|e| self.fail(format!("SLO {name}: annotation {MAINTENANCE}: {e}")))?;
            builder = windows.into_iter().fold(builder, SloBuilder::maintenance);
        }
        if let Some(min) = annotation(self.slo, MIN_EVENTS) {
            let min: u64 = min.parse().map_err(|_| {
                self.fail(format!(
                    "SLO {name}: annotation {MIN_EVENTS} is {min:?}, not a whole number"
                ))
            })?;
            builder = builder.min_events(min);
        }
        Ok(builder)
    }

    /// Own tiers (alert conditions other than the default four for the
    /// period) and budget alerts (our annotations).
    fn alerting(&self, name: &str, nominal: Duration) -> Result<Alerting, OpenSloError> {
        let mut alerting = Alerting::new();
        if let Some(tiers) = self.alerts.tiers(self.slo) {
            let defaults: Vec<TierSpec> = SloWindows::for_period(nominal)
                .tiers()
                .iter()
                .map(|t| TierSpec {
                    severity: t.severity,
                    long: t.long.duration,
                    short: t.short.duration,
                    burn_rate: t.burn_rate,
                })
                .collect();
            if tiers != defaults {
                alerting = tiers.into_iter().fold(alerting, Alerting::tier);
            }
        }
        if let Some(text) = annotation(self.slo, BUDGET_REMAINING_BELOW) {
            let share: f64 = text.parse().map_err(|_| {
                self.fail(format!(
                    "SLO {name}: annotation {BUDGET_REMAINING_BELOW} is {text:?}, not a ratio"
                ))
            })?;
            alerting = alerting.remaining_below(share);
        }
        for (key, set) in [
            (
                BUDGET_EXHAUSTED_WITHIN,
                Alerting::exhausted_within as fn(Alerting, _) -> Alerting,
            ),
            (NO_DATA, Alerting::no_data),
        ] {
            if let Some(text) = annotation(self.slo, key) {
                let span = parse_duration(text).map_err(|e| {
                    self.fail(format!("SLO {name}: annotation {key} is {text:?}: {e}"))
                })?;
                alerting = set(alerting, span);
            }
        }
        Ok(alerting)
    }
}
