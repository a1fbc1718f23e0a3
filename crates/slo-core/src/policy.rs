//! The multi-window, multi-burn-rate alert policy (SRE workbook, Sloth's
//! tiers) and the windows it needs, scaled linearly with the SLO period.

use std::time::Duration;

use crate::duration::format_duration;

/// The period the base windows are defined for.
pub const BASE_PERIOD: Duration = Duration::from_secs(30 * 86_400);

const MINUTE: u64 = 60;
const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

/// The windows every SLO keeps for a 30d period, shortest first; the period
/// itself is added as the last window. Other periods scale all of them.
pub const BASE_WINDOWS: [Duration; 7] = [
    Duration::from_secs(5 * MINUTE),
    Duration::from_secs(30 * MINUTE),
    Duration::from_secs(HOUR),
    Duration::from_secs(2 * HOUR),
    Duration::from_secs(6 * HOUR),
    Duration::from_secs(DAY),
    Duration::from_secs(3 * DAY),
];

/// How urgent an alert tier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Wake someone up.
    Page,
    /// Look at it during working hours.
    Ticket,
}

impl Severity {
    /// `"page"` or `"ticket"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Page => "page",
            Severity::Ticket => "ticket",
        }
    }
}

/// One alert tier, in terms of indices into [`BASE_WINDOWS`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tier {
    /// Page or ticket.
    pub severity: Severity,
    /// Index of the long window.
    pub long: usize,
    /// Index of the short window.
    pub short: usize,
    /// Both windows must burn faster than this.
    pub burn_rate: f64,
    /// The long window's label for a 30d period.
    pub long_label_30d: &'static str,
    /// The short window's label for a 30d period.
    pub short_label_30d: &'static str,
}

/// The four tiers: page on 1h/5m at 14.4 or 6h/30m at 6, ticket on 1d/2h at 3
/// or 3d/6h at 1 (for a 30d period).
pub const TIERS: [Tier; 4] = [
    Tier {
        severity: Severity::Page,
        long: 2,
        short: 0,
        burn_rate: 14.4,
        long_label_30d: "1h",
        short_label_30d: "5m",
    },
    Tier {
        severity: Severity::Page,
        long: 4,
        short: 1,
        burn_rate: 6.0,
        long_label_30d: "6h",
        short_label_30d: "30m",
    },
    Tier {
        severity: Severity::Ticket,
        long: 5,
        short: 3,
        burn_rate: 3.0,
        long_label_30d: "1d",
        short_label_30d: "2h",
    },
    Tier {
        severity: Severity::Ticket,
        long: 6,
        short: 4,
        burn_rate: 1.0,
        long_label_30d: "3d",
        short_label_30d: "6h",
    },
];

/// Index (into [`Policy::windows`]) of the window whose burn rate sets the
/// status level: 1d for a 30d period.
pub const STATUS_WINDOW: usize = 5;
/// Index of the window whose burn rate predicts budget exhaustion: 1h for a
/// 30d period.
pub const EXHAUSTION_WINDOW: usize = 2;
/// Index of the period window.
pub const PERIOD_WINDOW: usize = 7;
/// How many windows an SLO keeps.
pub const WINDOW_COUNT: usize = 8;

/// A window length and its label (`5m`, `1h24m`, `30d`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The length, whole milliseconds.
    pub duration: Duration,
    /// The label used in JSON keys and metric labels.
    pub label: String,
}

/// The windows of one SLO: the seven base windows scaled to its period, then
/// the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    windows: Vec<Window>,
}

impl Policy {
    /// The windows for an SLO with this period.
    pub fn for_period(period: Duration) -> Policy {
        let mut windows: Vec<Window> = BASE_WINDOWS
            .iter()
            .map(|base| scale(*base, period))
            .map(|duration| Window {
                duration,
                label: format_duration(duration).to_string(),
            })
            .collect();
        let period = round_to_millis(period.as_nanos());
        windows.push(Window {
            duration: period,
            label: format_duration(period).to_string(),
        });
        Policy { windows }
    }

    /// All windows, shortest first, the period last.
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }
}

/// `base × period / 30d`, rounded to whole milliseconds.
pub fn scale(base: Duration, period: Duration) -> Duration {
    let nanos = base.as_nanos() * period.as_nanos() / BASE_PERIOD.as_nanos();
    round_to_millis(nanos)
}

fn round_to_millis(nanos: u128) -> Duration {
    Duration::from_millis(u64::try_from((nanos + 500_000) / 1_000_000).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(period_days: u64) -> Vec<String> {
        Policy::for_period(Duration::from_secs(period_days * DAY))
            .windows()
            .iter()
            .map(|w| w.label.clone())
            .collect()
    }

    #[test]
    fn thirty_days_uses_the_workbook_windows() {
        assert_eq!(
            labels(30),
            ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
        );
    }

    #[test]
    fn seven_days_scales_linearly() {
        // A 7d period pages on 14m/1m10s and 1h24m/7m.
        assert_eq!(
            labels(7),
            [
                "1m10s", "7m", "14m", "28m", "1h24m", "5h36m", "16h48m", "7d"
            ]
        );
    }

    #[test]
    fn tiers_point_at_their_windows() {
        let thirty = labels(30);
        for tier in TIERS {
            assert_eq!(thirty[tier.long], tier.long_label_30d);
            assert_eq!(thirty[tier.short], tier.short_label_30d);
        }
        assert_eq!(thirty[STATUS_WINDOW], "1d");
        assert_eq!(thirty[EXHAUSTION_WINDOW], "1h");
        assert_eq!(thirty[PERIOD_WINDOW], "30d");
        assert_eq!(thirty.len(), WINDOW_COUNT);
    }
}
