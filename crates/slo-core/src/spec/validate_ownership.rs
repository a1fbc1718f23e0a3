//! Checking `owner`, `tier` and `annotations`: an owner fit for an alert
//! label, a known tier, annotation keys fit for OpenSLO metadata, and web
//! URLs for `runbook` and `dashboard` (a page links to them).

use std::collections::BTreeMap;

use super::draft::{Located, OwnershipDraft};
use super::ownership::{DASHBOARD, MAX_OWNERSHIP_TEXT, Ownership, RUNBOOK, is_web_url};
use super::validate::Collector;
use super::{MAX_NAME_LEN, SpecErrorKind, Tier};

/// The owner, or `None` after reporting why not.
pub(super) fn check_owner(
    c: &mut Collector,
    field: &str,
    owner: &Located<String>,
) -> Option<String> {
    let text = &owner.value;
    let reason = owner_error(text);
    match reason {
        None => Some(text.clone()),
        Some(reason) => {
            c.error(
                field,
                owner.at,
                SpecErrorKind::InvalidOwner {
                    owner: text.clone(),
                    reason,
                },
            );
            None
        }
    }
}

/// Why `owner` cannot be an owner (an alert label's value), if it
/// cannot: empty, over 128 characters, padded with spaces, or holding a
/// control character.
///
/// ```
/// use slo_core::spec::owner_error;
/// assert_eq!(owner_error("payments"), None);
/// assert!(owner_error(" payments").is_some());
/// ```
pub fn owner_error(owner: &str) -> Option<&'static str> {
    if owner.trim().is_empty() {
        Some("an owner cannot be empty")
    } else if owner.chars().count() > MAX_NAME_LEN {
        Some("an owner has at most 128 characters")
    } else if owner.trim() != owner {
        Some("an owner has no leading or trailing spaces")
    } else if owner.chars().any(char::is_control) {
        Some("an owner has no control characters")
    } else {
        None
    }
}

/// An SLO's or a journey's ownership, its owner defaulting to the
/// service's (`service_owner`, already checked); `None` after reporting
/// every problem.
pub(super) fn check_ownership(
    c: &mut Collector,
    prefix: &str,
    draft: &OwnershipDraft,
    service_owner: Option<&str>,
) -> Option<Ownership> {
    let mut fine = true;
    let owner = match &draft.owner {
        None => service_owner.map(str::to_owned),
        Some(owner) => {
            let checked = check_owner(c, &format!("{prefix}.owner"), owner);
            fine &= checked.is_some();
            checked
        }
    };
    let tier = match &draft.tier {
        None => None,
        Some(word) => match word.value.parse::<Tier>() {
            Ok(tier) => Some(tier),
            Err(unknown) => {
                c.error(
                    format!("{prefix}.tier"),
                    word.at,
                    SpecErrorKind::UnknownName(unknown),
                );
                fine = false;
                None
            }
        },
    };
    let mut annotations = BTreeMap::new();
    for (key, value) in &draft.annotations {
        let field = format!("{prefix}.annotations.{}", key.value);
        match annotation_error(&key.value, &value.value) {
            Some(kind) => {
                // A bad key is its own fault; a bad value is the value's.
                let at = match kind {
                    SpecErrorKind::InvalidAnnotation { reason, .. }
                        if reason == KEY_RULE || reason == RESERVED_RULE =>
                    {
                        key.at
                    }
                    _ => value.at,
                };
                c.error(field, at, kind);
                fine = false;
            }
            None if annotations.contains_key(&key.value) => {
                c.error(
                    field,
                    key.at,
                    SpecErrorKind::DuplicateAnnotation(key.value.clone()),
                );
                fine = false;
            }
            None => {
                annotations.insert(key.value.clone(), value.value.clone());
            }
        }
    }
    fine.then_some(Ownership {
        owner,
        tier,
        annotations,
    })
}

const KEY_RULE: &str = "a key has 1 to 128 letters, digits, '_', '.', '/' or '-'";
const RESERVED_RULE: &str = "keys under slo/ are reserved for what OpenSLO export adds";

/// What is wrong with one annotation, if anything: a key outside
/// `[A-Za-z0-9_./-]{1,128}` or under `slo/` (OpenSLO export's own), a value
/// over 1024 characters or with control characters other than newlines and
/// tabs, or a `runbook` or `dashboard` that is not a web URL
/// ([`is_web_url`]).
///
/// ```
/// use slo_core::spec::annotation_error;
/// assert!(annotation_error("runbook", "https://runbooks.example.com/x").is_none());
/// assert!(annotation_error("runbook", "file:///etc/passwd").is_some());
/// assert!(annotation_error("slo/name", "x").is_some());
/// ```
pub fn annotation_error(key: &str, value: &str) -> Option<SpecErrorKind> {
    let invalid = |reason| {
        Some(SpecErrorKind::InvalidAnnotation {
            key: key.to_owned(),
            reason,
        })
    };
    if key.is_empty()
        || key.len() > MAX_NAME_LEN
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-'))
    {
        return invalid(KEY_RULE);
    }
    if key.starts_with("slo/") {
        return invalid(RESERVED_RULE);
    }
    if value.chars().count() > MAX_OWNERSHIP_TEXT {
        return invalid("a value has at most 1024 characters");
    }
    if value
        .chars()
        .any(|ch| ch.is_control() && !matches!(ch, '\n' | '\t'))
    {
        return invalid("a value has no control characters but newlines and tabs");
    }
    if matches!(key, RUNBOOK | DASHBOARD) && !is_web_url(value) {
        return Some(SpecErrorKind::NotAWebUrl {
            key: key.to_owned(),
            value: value.to_owned(),
        });
    }
    None
}
