//! [`StatusLevel`]: how an SLO is doing, in one word
//! ([status levels](crate::semantics#status-levels)).

use serde::{Deserialize, Serialize};

use crate::closed_set::closed_set;

/// The overall level of an SLO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusLevel {
    /// 1d burn rate ≤ 1.
    Healthy,
    /// 1d burn rate > 1.
    Attention,
    /// 1d burn rate > 1.5.
    Warning,
    /// 1d burn rate > 2.
    Critical,
    /// No error budget left.
    Exhausted,
}

closed_set! {
    /// Every level, from the best to the worst.
    StatusLevel as "status level" {
        Healthy = "healthy",
        Attention = "attention",
        Warning = "warning",
        Critical = "critical",
        Exhausted = "exhausted",
    }
}

impl StatusLevel {
    /// The level's place in [`StatusLevel::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The level for a remaining budget and a 1d burn rate
    /// ([status levels](crate::semantics#status-levels)).
    pub fn classify(remaining_ratio: f64, burn_rate_1d: Option<f64>) -> StatusLevel {
        if remaining_ratio <= 0.0 {
            return StatusLevel::Exhausted;
        }
        match burn_rate_1d {
            Some(b) if b > 2.0 => StatusLevel::Critical,
            Some(b) if b > 1.5 => StatusLevel::Warning,
            Some(b) if b > 1.0 => StatusLevel::Attention,
            _ => StatusLevel::Healthy,
        }
    }
}
