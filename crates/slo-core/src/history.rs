//! [`History`]: how an SLO's burn rate and error budget moved over the last
//! hours, read from the windows it already keeps (no extra memory).

use std::time::Duration;

use crate::clock::Timestamp;

/// Burn rate and budget of one SLO over recent hours; see [`crate::Registry::history`].
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    /// The label of the window each point's burn rate covers (`1h` for a 30d
    /// period: the long window of the fastest page tier; `5m`, its short
    /// window, while the process is younger than that).
    pub burn_window: String,
    /// The burn rate above which the fastest page tier fires (14.4): the
    /// line to draw over the points.
    pub page_burn_rate: f64,
    /// How far back the points go (5h for a 30d period, 55m while the
    /// process is young; scaled with the period).
    pub span: Duration,
    /// Oldest first; the last point is the time asked about.
    pub points: Vec<HistoryPoint>,
}

/// One point of a [`History`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryPoint {
    /// When.
    pub at: Timestamp,
    /// The burn rate over the `burn_window` ending here; `None` without events.
    pub burn_rate: Option<f64>,
    /// The error budget remaining over the period ending here.
    pub budget_remaining: f64,
}
