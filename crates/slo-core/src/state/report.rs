//! What a restore did: the SLOs that continue, and a note for everything
//! that could not be trusted.

use std::fmt;
use std::path::PathBuf;

use super::StateError;
use crate::Timestamp;

/// The history source a state file gives (`/slo`'s `history.sources`).
pub(crate) const SOURCE_STATE_FILE: &str = "state_file";

/// What restoring a registry did; see [`Registry::restore_report`](crate::Registry::restore_report).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct RestoreReport {
    /// The state file, when the state came from one.
    pub file: Option<PathBuf>,
    /// The SLOs whose history was restored, in spec order.
    pub restored: Vec<String>,
    /// Everything that was not restored, and why.
    pub notes: Vec<RestoreNote>,
}

impl RestoreReport {
    /// One line per note, each naming the file (when known) and the
    /// reason: what to log at start.
    pub fn warnings(&self) -> Vec<String> {
        self.notes
            .iter()
            .map(|note| match (&self.file, note) {
                (_, RestoreNote::Unusable { .. } | RestoreNote::Unwritable { .. }) | (None, _) => {
                    note.to_string()
                }
                (Some(file), note) => format!("state file {}: {note}", file.display()),
            })
            .collect()
    }
}

/// Why some state was not restored (or cannot be kept).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RestoreNote {
    /// The file could not be read or trusted: every SLO starts fresh.
    Unusable {
        /// The file.
        file: PathBuf,
        /// Why.
        error: StateError,
    },
    /// The file cannot be written: the state will not survive a restart
    /// until it can (the writer retries every interval).
    Unwritable {
        /// The file.
        file: PathBuf,
        /// Why.
        error: StateError,
    },
    /// The state belongs to another service: every SLO starts fresh.
    OtherService {
        /// The service in the state.
        found: String,
        /// This registry's service.
        expected: String,
    },
    /// The state was taken after now (the clock went back): every SLO
    /// starts fresh rather than count time that has not happened.
    FromTheFuture {
        /// When the state says it was taken.
        taken_at: Timestamp,
        /// Now, on the registry's clock.
        now: Timestamp,
    },
    /// The state is older than the SLO's whole period: nothing in it
    /// still counts, so the SLO starts fresh.
    OlderThanPeriod {
        /// The SLO.
        slo: String,
        /// When the state was taken.
        taken_at: Timestamp,
    },
    /// The SLO's SLI, routes or period changed since the state was taken:
    /// its old events measured something else, so it starts fresh.
    Changed {
        /// The SLO.
        slo: String,
    },
    /// The SLO is new since the state was taken: it starts fresh.
    New {
        /// The SLO.
        slo: String,
    },
    /// The state holds an SLO the spec no longer has: its history is
    /// dropped.
    Removed {
        /// The SLO.
        slo: String,
    },
    /// The SLO's saved windows do not fit its windows now: it starts fresh.
    Inconsistent {
        /// The SLO.
        slo: String,
    },
}

impl fmt::Display for RestoreNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestoreNote::Unusable { file, error } => write!(
                f,
                "state file {}: not used ({error}); every SLO starts fresh",
                file.display()
            ),
            RestoreNote::Unwritable { file, error } => write!(
                f,
                "state file {}: cannot be written ({error}); the windows will not survive a restart until it can",
                file.display()
            ),
            RestoreNote::OtherService { found, expected } => write!(
                f,
                "the state is service {found:?}'s, not {expected:?}'s; every SLO starts fresh"
            ),
            RestoreNote::FromTheFuture { taken_at, now } => write!(
                f,
                "the state was taken at {taken_at}, after now ({now}); every SLO starts fresh"
            ),
            RestoreNote::OlderThanPeriod { slo, taken_at } => write!(
                f,
                "SLO {slo:?}: the state, taken at {taken_at}, is older than its period; it starts fresh"
            ),
            RestoreNote::Changed { slo } => write!(
                f,
                "SLO {slo:?}: its SLI, routes or period changed; it starts fresh"
            ),
            RestoreNote::New { slo } => write!(f, "SLO {slo:?}: not in the state; it starts fresh"),
            RestoreNote::Removed { slo } => write!(
                f,
                "SLO {slo:?}: in the state but no longer in the spec; its history is dropped"
            ),
            RestoreNote::Inconsistent { slo } => write!(
                f,
                "SLO {slo:?}: its saved windows do not fit; it starts fresh"
            ),
        }
    }
}
