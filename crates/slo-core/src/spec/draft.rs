//! The unvalidated form of a spec that both the builder and the YAML reader
//! produce, so that one validator checks both.

use std::time::Duration;

use super::Location;
use crate::release::ReleasePolicy;

/// A value and where it came from (`None` when built in code).
#[derive(Debug, Clone)]
pub(crate) struct Located<T> {
    pub value: T,
    pub at: Option<Location>,
}

impl<T> Located<T> {
    pub fn code(value: T) -> Self {
        Located { value, at: None }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct SpecDraft {
    pub service: Located<String>,
    pub slos: Located<Vec<SloDraft>>,
    pub release: ReleaseDraft,
}

/// `policy.release`: typed when built in code, words with their places
/// when read from a file.
#[derive(Debug, Clone)]
pub(crate) enum ReleaseDraft {
    Policy(ReleasePolicy),
    Cells(Vec<ReleaseCellDraft>),
}

/// One cell of `policy.release`: `<level>: {<risk>: <decision>}`.
#[derive(Debug, Clone)]
pub(crate) struct ReleaseCellDraft {
    pub level: Located<String>,
    pub risk: Located<String>,
    pub decision: Located<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct SloDraft {
    pub name: Located<String>,
    pub description: Option<String>,
    pub objective: Located<NumberOrText>,
    pub period: Option<Located<DurationDraft>>,
    pub sli: Located<SliDraft>,
    pub routes: Option<Located<Vec<Located<String>>>>,
    pub min_events: Option<u64>,
}

#[derive(Debug, Clone)]
pub(crate) enum NumberOrText {
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone)]
pub(crate) enum DurationDraft {
    Text(String),
    Number(f64),
    Exact(Duration),
}

#[derive(Debug, Clone)]
pub(crate) enum SliDraft {
    Availability,
    Latency { threshold: Located<DurationDraft> },
    Unknown(String),
}
