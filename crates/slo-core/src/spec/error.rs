//! Typed errors and warnings of spec validation, each naming its field and,
//! for spec files, the line and column.

use std::fmt;

use crate::duration::DurationError;

/// A 1-based line and column in a spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// 1-based line.
    pub line: u64,
    /// 1-based column.
    pub column: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// What is wrong with one field of a spec.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SpecErrorKind {
    /// The file is not YAML of the expected shape (broken syntax, an unknown
    /// or missing field, a value of the wrong type).
    #[error("{0}")]
    Syntax(String),
    /// The spec defines no SLO.
    #[error("at least one SLO is required")]
    NoSlos,
    /// A service or SLO name outside `[A-Za-z0-9_.-]{1,128}`.
    #[error("invalid name {name:?}: {reason}")]
    InvalidName {
        /// The refused name.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// Two SLOs with one name.
    #[error("duplicate SLO name {name:?}{}", first.map(|l| format!(" (first defined at {l})")).unwrap_or_default())]
    DuplicateName {
        /// The repeated name.
        name: String,
        /// Where it was first defined, when known.
        first: Option<Location>,
    },
    /// An objective that is not a number or a percentage.
    #[error("objective {0:?} is not a ratio like 0.999 or a percentage like \"99.9%\"")]
    ObjectiveNotANumber(String),
    /// An objective outside the open interval (0, 1).
    #[error("objective must be a ratio strictly between 0 and 1, got {value}{hint}")]
    ObjectiveOutOfRange {
        /// The refused value.
        value: f64,
        /// A suggestion, such as writing a percentage with `%`.
        hint: &'static str,
    },
    /// A duration that does not parse.
    #[error("{0}")]
    Duration(#[from] DurationError),
    /// A duration that must be positive is zero.
    #[error("must be greater than zero")]
    NotPositive,
    /// A latency threshold given without a unit.
    #[error("a latency threshold needs a unit, like 250ms or 1.5s; got {0}")]
    ThresholdWithoutUnit(String),
    /// A period under one day: the alert windows scale with the period and
    /// would fall below the sampling resolution.
    #[error(
        "period {0} is too short: the minimum is 1d (alert windows scale with the period; a 30d period pages on 1h/5m, a 1d period on 2m/10s)"
    )]
    PeriodTooShort(String),
    /// An SLI kind other than availability or latency.
    #[error(
        "unknown SLI kind {0:?}: expected `availability`, `quality`, `{{latency: {{threshold: 250ms}}}}` or `{{freshness: {{threshold: 30m}}}}`"
    )]
    UnknownSli(String),
    /// A route rule that is not `[METHOD ]/template`.
    #[error("invalid route {route:?}: {reason}")]
    InvalidRoute {
        /// The refused rule.
        route: String,
        /// Which rule it breaks.
        reason: super::RouteRuleError,
    },
    /// The same route twice in one SLO.
    #[error("duplicate route {0:?}")]
    DuplicateRoute(String),
    /// A word in `policy.release` that is not a status level, a risk or a
    /// decision.
    #[error("{0}")]
    UnknownReleaseName(crate::release::UnknownName),
    /// A word outside its closed set (a severity, a calendar unit).
    #[error("{0}")]
    UnknownName(crate::release::UnknownName),
    /// A value that must be a number is not.
    #[error("{0:?} is not a number")]
    NotANumber(String),
    /// An alert tier's short window that is not shorter than its long one.
    #[error("the short window {short} must be shorter than the long window {long}")]
    TierWindowsOutOfOrder {
        /// The long window, as written.
        long: String,
        /// The short window, as written.
        short: String,
    },
    /// A window under [`MIN_TIER_WINDOW`](super::alerting::MIN_TIER_WINDOW).
    #[error(
        "{0} is shorter than 10s, the finest window an SLO keeps (each window is sampled in sixtieths)"
    )]
    WindowTooShort(String),
    /// A window longer than the SLO's period.
    #[error("{window} is longer than the period {period}")]
    WindowOverPeriod {
        /// The window, as written.
        window: String,
        /// The period.
        period: String,
    },
    /// A burn rate of 0 or below (or not finite).
    #[error("a burn rate must be above 0, got {0}")]
    BurnRateNotPositive(String),
    /// More tiers than [`MAX_TIERS`](super::alerting::MAX_TIERS).
    #[error("{0} tiers: an SLO has at most 8")]
    TooManyTiers(usize),
    /// `tiers: []`.
    #[error("an empty tier list alerts on nothing; omit `tiers` for the default four")]
    NoTiers,
    /// A share that must lie strictly between 0 and 1.
    #[error("must be a share strictly between 0 and 1, like 25% or 0.25; got {0}")]
    ShareOutOfRange(String),
    /// A time zone name the time zone database does not know.
    #[error(
        "unknown time zone {name:?}: {reason} (use an IANA name such as Europe/Berlin, or UTC)"
    )]
    UnknownTimeZone {
        /// The name given.
        name: String,
        /// What the database said.
        reason: String,
    },
    /// An instant written without its offset from UTC.
    #[error(
        "{0:?} has no offset: write the instant with one, like 2026-12-06T02:00:00Z or 2026-12-06T03:00:00+01:00"
    )]
    TimeWithoutOffset(String),
    /// An instant that is not RFC 3339.
    #[error("{text:?} is not an RFC 3339 instant like 2026-12-06T02:00:00Z: {reason}")]
    InvalidTime {
        /// The text given.
        text: String,
        /// Why it does not read.
        reason: String,
    },
    /// A maintenance window that holds nothing or overlaps itself.
    #[error("{0}")]
    Maintenance(crate::maintenance::MaintenanceError),
    /// `routes: []`, which would match nothing.
    #[error("an empty route list matches nothing; omit `match` to cover every request")]
    EmptyRoutes,
    /// An empty list where one says nothing (`match.exclude: []`).
    #[error("an empty list says nothing; omit the key")]
    EmptyList,
    /// A `bad` or `excluded` entry that is not a status or a class.
    #[error("{0}")]
    InvalidStatus(crate::classify::InvalidStatus),
    /// A status in both `bad` and `excluded`.
    #[error("status {0} is in both `bad` and `excluded`: say which it is")]
    StatusInBothLists(u16),
    /// A journey without steps.
    #[error("a journey needs at least one step: the SLOs a user passes through, in order")]
    EmptyJourney,
    /// A step that names no SLO of the spec.
    #[error("no SLO named {0:?}: a step names an SLO of this spec")]
    UnknownStep(String),
    /// A step that names a journey: journeys are made of SLOs, so one
    /// naming a journey (itself, or one that names it back) is refused.
    #[error(
        "{name:?} is a journey{}: a step names an SLO; list that journey's steps instead",
        if *cycle { ", and names this one back (a cycle)" } else { "" }
    )]
    StepIsJourney {
        /// The journey named.
        name: String,
        /// Whether it is this journey, or names it among its own steps.
        cycle: bool,
    },
    /// The same SLO twice in one journey: its events would count twice.
    #[error("step {0:?} is listed twice: each SLO counts once in a journey")]
    DuplicateStep(String),
    /// Steps whose periods differ: a journey's windows are its steps'.
    #[error(
        "step {step:?} has period {period}, but {first:?} has {first_period}: a journey's steps share one period"
    )]
    StepPeriodsDiffer {
        /// The step whose period differs.
        step: String,
        /// Its period.
        period: String,
        /// The journey's first step.
        first: String,
        /// The first step's period.
        first_period: String,
    },
    /// A journey named like an SLO or another journey.
    #[error("{name:?} is already the name of {what}{}", first.map(|l| format!(" (at {l})")).unwrap_or_default())]
    NameTaken {
        /// The name.
        name: String,
        /// `an SLO` or `a journey`.
        what: &'static str,
        /// Where that one is defined.
        first: Option<Location>,
    },
    /// An `owner` that cannot be an alert label's value.
    #[error("invalid owner {owner:?}: {reason}")]
    InvalidOwner {
        /// The refused owner.
        owner: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// An annotation key outside `[A-Za-z0-9_./-]{1,128}`, or a value too
    /// long or with control characters.
    #[error("invalid annotation {key:?}: {reason}")]
    InvalidAnnotation {
        /// The key.
        key: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The same annotation key twice.
    #[error("annotation {0:?} is given twice")]
    DuplicateAnnotation(String),
    /// An SLO asked for by name that the spec does not define.
    #[error("no SLO named {0:?} in this spec")]
    NoSuchSlo(String),
    /// A `runbook` or `dashboard` that is not a web URL.
    #[error(
        "annotation {key:?} must be an http:// or https:// URL with a host and no spaces or quotes, got {value:?}"
    )]
    NotAWebUrl {
        /// `runbook` or `dashboard`.
        key: String,
        /// The refused value.
        value: String,
    },
}

/// One problem in a spec: the field (`slos[0].objective`), where it is in the
/// file when the spec came from one, and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    /// Path of the field, such as `slos[1].sli.latency.threshold`; empty for
    /// problems of the document as a whole.
    pub field: String,
    /// Line and column in the spec file; `None` for specs built in code.
    pub location: Option<Location>,
    /// What is wrong.
    pub kind: SpecErrorKind,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.field, self.kind)
        }
    }
}

impl std::error::Error for SpecError {}

/// Every problem found in a spec (validation does not stop at the first).
#[derive(Debug, Clone, PartialEq)]
pub struct SpecErrors(pub Vec<SpecError>);

impl SpecErrors {
    /// The problems, in the order of the file.
    pub fn iter(&self) -> impl Iterator<Item = &SpecError> {
        self.0.iter()
    }
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            match error.location {
                Some(at) => write!(f, "{at}: {error}")?,
                None => write!(f, "{error}")?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}

/// Something legal but probably not what the author meant.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecWarning {
    /// Path of the field the warning is about.
    pub field: String,
    /// Line and column in the spec file, when known.
    pub location: Option<Location>,
    /// The warning, one sentence.
    pub message: String,
}

impl fmt::Display for SpecWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}
