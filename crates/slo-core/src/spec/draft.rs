//! The unvalidated form of a spec that both the builder and the YAML reader
//! produce, so that one validator checks both.

use std::time::Duration;

use super::Location;

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
