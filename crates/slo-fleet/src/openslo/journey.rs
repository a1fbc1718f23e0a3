//! A journey in OpenSLO: an `SLO` document without an indicator of its
//! own, a composite of its steps' objectives (`compositeWeight` 1 each)
//! after the journey's own, its steps by name in [`JOURNEY_STEPS`]; and
//! the way back. OpenSLO v1 has no product rule (its composites weigh
//! their objectives): the annotation says which SLOs make the journey,
//! and the SLI is theirs multiplied.

use std::collections::BTreeMap;

use serde_json::Value;
use slo_core::{JourneyBuilder, JourneyDefinition, Spec};

use super::model::{Document, Metadata, Objective, SloSpec};
use super::{JOURNEY_STEPS, NAME, Names, OpenSloError, time_window};

/// The journey's `SLO` document.
pub(super) fn export(
    spec: &Spec,
    journey: &JourneyDefinition,
    service: &str,
    names: &mut Names,
) -> String {
    let name = names.claim(journey.name());
    let mut annotations = BTreeMap::new();
    if name != journey.name() {
        annotations.insert(NAME.to_owned(), journey.name().to_owned());
    }
    // A JSON array is a YAML flow sequence, and JSON escapes everything.
    annotations.insert(
        JOURNEY_STEPS.to_owned(),
        serde_json::to_string(journey.steps()).unwrap_or_default(),
    );
    super::ownership::annotate(journey.ownership(), &mut annotations);
    let own = Objective {
        display_name: Some(journey.name().to_owned()),
        target: Some(journey.objective()),
        target_percent: None,
        composite_weight: None,
    };
    let steps = journey.steps().iter().filter_map(|step| {
        let step = spec.slo(step).ok()?;
        Some(Objective {
            display_name: Some(step.name().to_owned()),
            target: Some(step.objective()),
            target_percent: None,
            composite_weight: Some(1.0),
        })
    });
    Document::yaml(
        "SLO",
        Metadata::new(name, Some(journey.name().to_owned()), annotations)
            .labelled(super::ownership::labels(journey.ownership())),
        SloSpec {
            description: journey.description().map(str::to_owned),
            service: service.to_owned(),
            indicator: None,
            indicator_ref: None,
            time_window: vec![time_window(journey.windows().period(), journey.calendar())],
            budgeting_method: "Occurrences".into(),
            objectives: std::iter::once(own).chain(steps).collect(),
            alert_policies: Vec::new(),
        },
    )
}

/// Whether `document` is a journey's `SLO` (it names its steps).
pub(super) fn is_journey(document: &Value) -> bool {
    !document["metadata"]["annotations"][JOURNEY_STEPS].is_null()
}

/// The journey a journey's `SLO` document describes; its period is its
/// steps', checked when the spec is built.
pub(super) fn read(
    index: usize,
    document: &Value,
    notes: &mut Vec<String>,
) -> Result<JourneyBuilder, OpenSloError> {
    let fail = |message: String| OpenSloError::Document { index, message };
    let annotations = &document["metadata"]["annotations"];
    let name = annotations[NAME]
        .as_str()
        .or_else(|| document["metadata"]["name"].as_str())
        .ok_or_else(|| fail("a journey's SLO needs metadata.name".into()))?;
    let steps: Vec<String> = annotations[JOURNEY_STEPS]
        .as_str()
        .and_then(|text| serde_json::from_str(text).ok())
        .ok_or_else(|| {
            fail(format!(
                "journey {name}: annotation {JOURNEY_STEPS} is not a JSON list of SLO names"
            ))
        })?;
    let spec = &document["spec"];
    let objective = &spec["objectives"][0];
    let target = objective["target"]
        .as_f64()
        .or_else(|| objective["targetPercent"].as_f64().map(|p| p / 100.0))
        .ok_or_else(|| fail(format!("journey {name}: its first objective has no target")))?;
    let mut builder = JourneyDefinition::builder(name)
        .objective(target)
        .steps(steps);
    if let Some(description) = spec["description"].as_str() {
        builder = builder.description(description);
    }
    let read = super::ownership::read(document, &format!("journey {name}"), notes);
    if let Some(owner) = read.owner {
        builder = builder.owner(owner);
    }
    if let Some(tier) = read.tier {
        builder = builder.tier(tier);
    }
    for (key, value) in read.annotations {
        builder = builder.annotation(key, value);
    }
    Ok(builder)
}
