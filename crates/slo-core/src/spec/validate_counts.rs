//! Validating what an SLO counts: its `match` lists (`routes`, `exclude`)
//! and its SLI's classification (`bad`, `excluded`, `grpc_bad`).

use super::draft::{ClassificationDraft, Located, NumberOrText};
use super::validate::Collector;
use super::{Location, RouteRule, SpecErrorKind};
use crate::classify::{Classification, StatusMatch, grpc_code_named};
use crate::release::UnknownName;

/// The gRPC code names, as an error lists them.
const GRPC_NAMES: &str = "OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, \
ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE, \
UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED";

/// `match.<key>` (`routes` or `exclude`): its rules, each once. An empty
/// list is refused: as `routes` it would match nothing, as `exclude` it
/// says nothing.
pub(super) fn check_routes(
    c: &mut Collector,
    prefix: &str,
    key: &str,
    routes: &Located<Vec<Located<String>>>,
) -> Option<Vec<RouteRule>> {
    if routes.value.is_empty() {
        c.error(
            format!("{prefix}.match.{key}"),
            routes.at,
            if key == "routes" {
                SpecErrorKind::EmptyRoutes
            } else {
                SpecErrorKind::EmptyList
            },
        );
        return None;
    }
    let mut rules: Vec<RouteRule> = Vec::with_capacity(routes.value.len());
    let mut ok = true;
    for (i, route) in routes.value.iter().enumerate() {
        let field = format!("{prefix}.match.{key}[{i}]");
        match route.value.parse::<RouteRule>() {
            Ok(rule) if rules.contains(&rule) => {
                c.error(
                    field,
                    route.at,
                    SpecErrorKind::DuplicateRoute(route.value.clone()),
                );
                ok = false;
            }
            Ok(rule) => rules.push(rule),
            Err(reason) => {
                c.error(
                    field,
                    route.at,
                    SpecErrorKind::InvalidRoute {
                        route: route.value.clone(),
                        reason,
                    },
                );
                ok = false;
            }
        }
    }
    ok.then_some(rules)
}

/// The SLI's classification, `sli_field` naming it (`slos[0].sli.latency`).
/// Refused: a status outside 100..=599 or a class outside 1xx..5xx, an
/// unknown gRPC code name, and a status in both `bad` and `excluded` (at
/// the `excluded` entry that covers it).
pub(super) fn check_classification(
    c: &mut Collector,
    sli_field: &str,
    draft: &ClassificationDraft,
) -> Option<Classification> {
    let (bad, excluded, grpc_bad) = match draft {
        ClassificationDraft::Exact(classification) => {
            let overlap = classification.overlap();
            if let Some(&status) = overlap.first() {
                c.error(
                    format!("{sli_field}.excluded"),
                    None,
                    SpecErrorKind::StatusInBothLists(status),
                );
                return None;
            }
            return Some(classification.clone());
        }
        ClassificationDraft::Written {
            bad,
            excluded,
            grpc_bad,
        } => (bad, excluded, grpc_bad),
    };
    let bad = bad
        .as_ref()
        .map(|list| check_statuses(c, &format!("{sli_field}.bad"), list));
    let excluded = excluded
        .as_ref()
        .map(|list| check_statuses(c, &format!("{sli_field}.excluded"), list));
    let grpc_bad = grpc_bad.as_ref().map(|codes| {
        let mut ok = true;
        let mut found = Vec::with_capacity(codes.value.len());
        for (i, code) in codes.value.iter().enumerate() {
            match grpc_code_named(&code.value) {
                Some(code) => found.push(code),
                None => {
                    ok = false;
                    c.error(
                        format!("{sli_field}.grpc_bad[{i}]"),
                        code.at,
                        SpecErrorKind::UnknownName(UnknownName {
                            what: "gRPC code",
                            found: code.value.clone(),
                            expected: GRPC_NAMES,
                        }),
                    );
                }
            }
        }
        ok.then_some(found)
    });
    let mut classification = Classification::default();
    if let Some(bad) = bad {
        classification = classification.with_bad(bad?.into_iter().map(|(entry, _)| entry));
    }
    let mut excluded_at = Vec::new();
    if let Some(excluded) = excluded {
        let excluded = excluded?;
        classification = classification.with_excluded(excluded.iter().map(|(entry, _)| *entry));
        excluded_at = excluded;
    }
    if let Some(codes) = grpc_bad {
        classification = classification.with_grpc_bad(codes?);
    }
    // One error for the first status in both: a class overlaps a hundred
    // times. Reported at the first `excluded` entry that covers it.
    if let Some(&status) = classification.overlap().first() {
        let (i, at) = excluded_at
            .iter()
            .enumerate()
            .find(|(_, (entry, _))| entry.statuses().contains(&status))
            .map_or((0, None), |(i, (_, at))| (i, *at));
        c.error(
            format!("{sli_field}.excluded[{i}]"),
            at,
            SpecErrorKind::StatusInBothLists(status),
        );
        return None;
    }
    Some(classification)
}

/// A `bad` or `excluded` list: each entry with its place.
fn check_statuses(
    c: &mut Collector,
    field: &str,
    list: &Located<Vec<Located<NumberOrText>>>,
) -> Option<Vec<(StatusMatch, Option<Location>)>> {
    let mut ok = true;
    let mut entries = Vec::with_capacity(list.value.len());
    for (i, entry) in list.value.iter().enumerate() {
        let text = match &entry.value {
            NumberOrText::Number(n) if n.fract() == 0.0 && (0.0..1e6).contains(n) => {
                format!("{n:.0}")
            }
            NumberOrText::Number(n) => n.to_string(),
            NumberOrText::Text(text) => text.clone(),
        };
        match text.parse::<StatusMatch>() {
            Ok(status) => entries.push((status, entry.at)),
            Err(error) => {
                ok = false;
                c.error(
                    format!("{field}[{i}]"),
                    entry.at,
                    SpecErrorKind::InvalidStatus(error),
                );
            }
        }
    }
    ok.then_some(entries)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_listed_names_are_the_codes() {
        assert_eq!(
            super::GRPC_NAMES,
            crate::classify::GRPC_CODE_NAMES.join(", ")
        );
    }
}
