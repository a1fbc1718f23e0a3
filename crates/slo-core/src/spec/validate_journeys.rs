//! Checking `journeys`: every step an SLO of the spec, once, all with one
//! period, and a name no SLO or other journey has.

use std::collections::HashMap;
use std::sync::Arc;

use super::draft::{JourneyDraft, Located};
use super::validate::{Collector, check_name, check_objective};
use super::validate_ownership::check_ownership;
use super::{JourneyDefinition, Location, SloDefinition, SpecErrorKind};
use crate::duration::format_duration;
use crate::windows::SloWindows;

/// The journeys, each checked against the SLOs: `slo_names` holds every
/// SLO name written (valid or not, so that a step naming a broken SLO is
/// not also called unknown), `slos` the SLOs that validated.
pub(super) fn check_journeys(
    c: &mut Collector,
    journeys: Option<Located<Vec<JourneyDraft>>>,
    slo_names: &HashMap<String, Option<Location>>,
    slos: &[SloDefinition],
    service_owner: Option<&str>,
) -> Vec<JourneyDefinition> {
    let Some(journeys) = journeys else {
        return Vec::new();
    };
    // Every journey's steps by its name, to tell a cycle from a plain
    // reference to another journey.
    // A name given twice is the first journey's (the second is refused).
    let mut steps_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for journey in &journeys.value {
        steps_of
            .entry(journey.name.value.as_str())
            .or_insert_with(|| {
                journey
                    .steps
                    .value
                    .iter()
                    .map(|s| s.value.as_str())
                    .collect()
            });
    }
    let mut seen: HashMap<String, Option<Location>> = HashMap::new();
    let mut checked = Vec::with_capacity(journeys.value.len());
    for (i, journey) in journeys.value.iter().enumerate() {
        let prefix = format!("journeys[{i}]");
        let name = &journey.name;
        if check_name(c, format!("{prefix}.name"), name) {
            let taken = match slo_names.get(&name.value) {
                Some(first) => Some(("an SLO", *first)),
                None => seen.get(&name.value).map(|first| ("a journey", *first)),
            };
            match taken {
                Some((what, first)) => c.error(
                    format!("{prefix}.name"),
                    name.at,
                    SpecErrorKind::NameTaken {
                        name: name.value.clone(),
                        what,
                        first,
                    },
                ),
                None => {
                    seen.insert(name.value.clone(), name.at);
                }
            }
        }
        let objective = check_objective(c, &prefix, &journey.objective);
        let steps = check_steps(c, &prefix, journey, &steps_of, slo_names, slos);
        let ownership = check_ownership(c, &prefix, &journey.ownership, service_owner);
        if let (Some(objective), Some(steps), Some(ownership)) = (objective, steps, ownership) {
            checked.push(definition(journey, objective, steps, ownership));
        }
    }
    checked
}

/// The journey's steps as validated SLOs, or `None` after reporting what
/// is wrong with them.
fn check_steps<'a>(
    c: &mut Collector,
    prefix: &str,
    journey: &JourneyDraft,
    steps_of: &HashMap<&str, Vec<&str>>,
    slo_names: &HashMap<String, Option<Location>>,
    slos: &'a [SloDefinition],
) -> Option<Vec<&'a SloDefinition>> {
    let steps = &journey.steps;
    if steps.value.is_empty() {
        c.error(
            format!("{prefix}.steps"),
            steps.at,
            SpecErrorKind::EmptyJourney,
        );
        return None;
    }
    let own = journey.name.value.as_str();
    let mut ok = true;
    let mut found = Vec::with_capacity(steps.value.len());
    for (j, step) in steps.value.iter().enumerate() {
        let field = format!("{prefix}.steps[{j}]");
        let name = step.value.as_str();
        let error = if steps.value[..j].iter().any(|s| s.value == name) {
            Some(SpecErrorKind::DuplicateStep(name.to_owned()))
        } else if slo_names.contains_key(name) {
            match slos.iter().find(|slo| slo.name() == name) {
                Some(slo) => found.push(slo),
                // An SLO that did not validate is reported where it is.
                None => ok = false,
            }
            None
        } else if let Some(theirs) = steps_of.get(name) {
            Some(SpecErrorKind::StepIsJourney {
                name: name.to_owned(),
                cycle: name == own || theirs.contains(&own),
            })
        } else {
            Some(SpecErrorKind::UnknownStep(name.to_owned()))
        };
        if let Some(kind) = error {
            c.error(field, step.at, kind);
            ok = false;
        }
    }
    let first = *found.first()?;
    for (j, step) in steps.value.iter().enumerate() {
        let Some(slo) = found.iter().find(|slo| slo.name() == step.value) else {
            continue;
        };
        if slo.period() != first.period() || slo.calendar() != first.calendar() {
            c.error(
                format!("{prefix}.steps[{j}]"),
                step.at,
                SpecErrorKind::StepPeriodsDiffer {
                    step: slo.name().to_owned(),
                    period: period_text(slo),
                    first: first.name().to_owned(),
                    first_period: period_text(first),
                },
            );
            ok = false;
        }
    }
    ok.then_some(found)
}

/// A period as the spec writes it: `30d`, `calendar month`.
fn period_text(slo: &SloDefinition) -> String {
    match slo.calendar() {
        Some(calendar) => format!("calendar {}", calendar.unit().as_str()),
        None => format_duration(slo.period()).to_string(),
    }
}

fn definition(
    journey: &JourneyDraft,
    objective: f64,
    steps: Vec<&SloDefinition>,
    ownership: super::Ownership,
) -> JourneyDefinition {
    let first = steps[0];
    // The steps' own windows when they all share them, so that every
    // window a journey reads is one its steps keep.
    let windows = if steps.iter().all(|s| s.windows() == first.windows()) {
        Arc::clone(&first.windows)
    } else {
        Arc::new(SloWindows::for_period(first.period()))
    };
    JourneyDefinition {
        name: journey.name.value.clone(),
        description: journey.description.clone(),
        objective,
        steps: steps.iter().map(|s| s.name().to_owned()).collect(),
        period: first.period(),
        calendar: first.calendar().cloned(),
        windows,
        min_events: steps.iter().map(|s| s.min_events()).max().unwrap_or(1),
        ownership,
    }
}
