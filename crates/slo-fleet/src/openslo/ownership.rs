//! Owners, tiers and annotations in OpenSLO: `owner` and `tier` are the
//! documents' `metadata.labels` (the Service's owner is the spec's), and
//! the spec's annotations are `metadata.annotations` under their own keys
//! (ours are under `slo/`, which the spec keeps for them). Read back, a
//! foreign document's annotation the spec could not hold (a long value, an
//! odd key) is left out with a note.

use std::collections::BTreeMap;

use serde_json::Value;
use slo_core::spec::{OWNER_LABEL, Ownership, TIER_LABEL, Tier, annotation_error, owner_error};

/// The `metadata.labels` of a document for `ownership`.
pub(super) fn labels(ownership: &Ownership) -> BTreeMap<String, String> {
    ownership
        .alert_labels()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

/// Adds the spec's annotations to a document's.
pub(super) fn annotate(ownership: &Ownership, annotations: &mut BTreeMap<String, String>) {
    for (key, value) in ownership.annotations() {
        annotations.insert(key.clone(), value.clone());
    }
}

/// What a document says of its owner, tier and annotations.
#[derive(Debug, Default)]
pub(super) struct Read {
    pub owner: Option<String>,
    pub tier: Option<Tier>,
    pub annotations: Vec<(String, String)>,
}

/// Reads `document`'s labels and annotations; `what` names it in notes
/// (`SLO checkout`).
pub(super) fn read(document: &Value, what: &str, notes: &mut Vec<String>) -> Read {
    let metadata = &document["metadata"];
    let owner = label(&metadata["labels"], OWNER_LABEL, what, notes);
    let mut read = Read {
        owner: owner.filter(|owner| match owner_error(owner) {
            None => true,
            Some(problem) => {
                notes.push(format!("{what}: label {OWNER_LABEL} left out: {problem}"));
                false
            }
        }),
        ..Read::default()
    };
    if let Some(word) = label(&metadata["labels"], TIER_LABEL, what, notes) {
        match word.parse() {
            Ok(tier) => read.tier = Some(tier),
            Err(unknown) => notes.push(format!("{what}: label {TIER_LABEL} left out: {unknown}")),
        }
    }
    if let Some(annotations) = metadata["annotations"].as_object() {
        for (key, value) in annotations {
            if key.starts_with("slo/") {
                continue;
            }
            let Some(value) = value.as_str() else {
                notes.push(format!("{what}: annotation {key} left out: not text"));
                continue;
            };
            match annotation_error(key, value) {
                None => read.annotations.push((key.clone(), value.to_owned())),
                Some(problem) => {
                    notes.push(format!("{what}: annotation {key} left out: {problem}"));
                }
            }
        }
    }
    read
}

/// A label's value: OpenSLO v1 allows text or a list of text; a list of
/// one reads as its item, a longer one is left out with a note.
fn label(labels: &Value, name: &str, what: &str, notes: &mut Vec<String>) -> Option<String> {
    match &labels[name] {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        Value::Array(items) if items.len() == 1 && items[0].is_string() => {
            items[0].as_str().map(str::to_owned)
        }
        other => {
            notes.push(format!(
                "{what}: label {name} left out: {other} is not one value"
            ));
            None
        }
    }
}
