//! What an SLO counts, in OpenSLO, which has no field for it: its SLI's
//! classification ([`BAD`](super::BAD), [`EXCLUDED`](super::EXCLUDED),
//! [`GRPC_BAD`](super::GRPC_BAD)) and its `match.exclude`
//! ([`MATCH_EXCLUDE`](super::MATCH_EXCLUDE)), each a JSON list in an
//! annotation, written and read.

use std::collections::BTreeMap;

use slo_core::SloDefinition;
use slo_core::classify::{Classification, GRPC_CODE_NAMES, StatusMatch, grpc_code_named};

use super::{BAD, EXCLUDED, GRPC_BAD, MATCH_EXCLUDE};

/// A status as a number, a class as its text (`"5xx"`).
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
enum Entry {
    Status(u64),
    Class(String),
}

fn entries(list: &[StatusMatch]) -> String {
    let entries: Vec<Entry> = list
        .iter()
        .map(|entry| match entry {
            StatusMatch::Status(status) => Entry::Status(u64::from(*status)),
            StatusMatch::Class(_) => Entry::Class(entry.to_string()),
        })
        .collect();
    serde_json::to_string(&entries).unwrap_or_default()
}

/// The annotations of `slo`'s classification and `match.exclude`: only
/// those it has.
pub(super) fn annotate(slo: &SloDefinition, annotations: &mut BTreeMap<String, String>) {
    let classification = slo.classification();
    if let Some(bad) = classification.bad() {
        annotations.insert(BAD.to_owned(), entries(bad));
    }
    if !classification.excluded().is_empty() {
        annotations.insert(EXCLUDED.to_owned(), entries(classification.excluded()));
    }
    if let Some(codes) = classification.grpc_bad() {
        let names: Vec<&str> = codes
            .iter()
            .filter_map(|code| GRPC_CODE_NAMES.get(usize::from(*code)).copied())
            .collect();
        annotations.insert(
            GRPC_BAD.to_owned(),
            serde_json::to_string(&names).unwrap_or_default(),
        );
    }
    if !slo.excluded_routes().is_empty() {
        let routes: Vec<String> = slo
            .excluded_routes()
            .iter()
            .map(ToString::to_string)
            .collect();
        annotations.insert(
            MATCH_EXCLUDE.to_owned(),
            serde_json::to_string(&routes).unwrap_or_default(),
        );
    }
}

fn statuses(key: &str, text: &str) -> Result<Vec<StatusMatch>, String> {
    let entries: Vec<Entry> = serde_json::from_str(text)
        .map_err(|e| format!("annotation {key} is not a list of statuses and classes: {e}"))?;
    entries
        .into_iter()
        .map(|entry| {
            let text = match entry {
                Entry::Status(status) => status.to_string(),
                Entry::Class(class) => class,
            };
            text.parse::<StatusMatch>()
                .map_err(|e| format!("annotation {key}: {e}"))
        })
        .collect()
}

/// The classification the annotations hold (the default for those
/// absent), or what is wrong with one. `annotation` looks a key up.
pub(super) fn read<'a>(
    annotation: impl Fn(&str) -> Option<&'a str>,
) -> Result<Classification, String> {
    let mut classification = Classification::default();
    if let Some(text) = annotation(BAD) {
        classification = classification.with_bad(statuses(BAD, text)?);
    }
    if let Some(text) = annotation(EXCLUDED) {
        classification = classification.with_excluded(statuses(EXCLUDED, text)?);
    }
    if let Some(text) = annotation(GRPC_BAD) {
        let names: Vec<String> = serde_json::from_str(text)
            .map_err(|e| format!("annotation {GRPC_BAD} is not a list of gRPC code names: {e}"))?;
        let codes = names
            .iter()
            .map(|name| {
                grpc_code_named(name)
                    .ok_or_else(|| format!("annotation {GRPC_BAD}: unknown gRPC code {name:?}"))
            })
            .collect::<Result<Vec<u8>, String>>()?;
        classification = classification.with_grpc_bad(codes);
    }
    Ok(classification)
}

/// The `match.exclude` routes the annotation holds.
pub(super) fn excluded_routes(text: &str) -> Result<Vec<String>, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("annotation {MATCH_EXCLUDE} is not a list of routes: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_read_back_and_mistakes_are_named() {
        let spec = slo_core::Spec::from_yaml(
            "service: s\nslos:\n  - name: a\n    objective: 0.99\n    sli: {availability: {bad: [\"5xx\", 429], excluded: [404], grpc_bad: [UNAVAILABLE]}}\n    match: {exclude: [\"GET /health\"]}\n",
        )
        .unwrap();
        let slo = &spec.slos()[0];
        let mut annotations = BTreeMap::new();
        annotate(slo, &mut annotations);
        assert_eq!(annotations[BAD], r#"["5xx",429]"#);
        assert_eq!(annotations[EXCLUDED], "[404]");
        assert_eq!(annotations[GRPC_BAD], r#"["UNAVAILABLE"]"#);
        assert_eq!(annotations[MATCH_EXCLUDE], r#"["GET /health"]"#);
        let read_back = read(|key| annotations.get(key).map(String::as_str)).unwrap();
        assert_eq!(&read_back, slo.classification());
        assert_eq!(
            excluded_routes(&annotations[MATCH_EXCLUDE]).unwrap(),
            ["GET /health"]
        );
        for (key, bad, says) in [
            (BAD, "429", "not a list"),
            (BAD, "[700]", "not an HTTP status"),
            (EXCLUDED, r#"["4xy"]"#, "not an HTTP status"),
            (GRPC_BAD, r#"["TEAPOT"]"#, "unknown gRPC code"),
            (GRPC_BAD, "[14]", "not a list of gRPC code names"),
        ] {
            let error = read(|k| (k == key).then_some(bad)).unwrap_err();
            assert!(error.contains(says), "{key} {bad}: {error}");
        }
        assert!(excluded_routes("{}").is_err());
    }
}
