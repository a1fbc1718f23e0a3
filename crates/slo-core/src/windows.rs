//! The windows an SLO keeps, each a named value with its role: the alert
//! [`Tier`]s' long and short windows, the status window, the exhaustion
//! window, the chart's window and the period
//! ([windows](crate::semantics#windows),
//! [alert tiers](crate::semantics#alert-tiers)).
//!
//! [`SloWindows`] is what every view reads: the engine keeps one ring per
//! window of [`SloWindows::all`], the status document has a burn rate for
//! each, and the generated rules, dashboards and reports name the same
//! windows. An SLO's come from
//! [`SloDefinition::windows`](crate::SloDefinition::windows).
//!
//! ```
//! use std::time::Duration;
//! use slo_core::windows::SloWindows;
//!
//! let week = SloWindows::for_period(Duration::from_secs(7 * 86_400));
//! let labels: Vec<&str> = week.all().iter().map(|w| w.label.as_str()).collect();
//! assert_eq!(labels, ["1m10s", "7m", "14m", "28m", "1h24m", "5h36m", "16h48m", "7d"]);
//! let fastest = &week.tiers()[0];
//! assert_eq!((fastest.long.label.as_str(), fastest.short.label.as_str()), ("14m", "1m10s"));
//! assert_eq!(week.status().label, "5h36m");
//! ```

use std::time::Duration;

use crate::duration::format_duration;

/// The period the default windows are written for; other periods scale
/// them linearly.
pub const BASE_PERIOD: Duration = Duration::from_secs(30 * DAY);

const MINUTE: u64 = 60;
const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

/// How urgent an alert tier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Wake someone up.
    Page,
    /// Look at it during working hours.
    Ticket,
}

crate::closed_set::closed_set! {
    /// Both severities, the most urgent first.
    Severity as "severity" { Page = "page", Ticket = "ticket" }
}

/// A window: its length and its label (`5m`, `1h24m`, `30d`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Window {
    /// The length, whole milliseconds.
    pub duration: Duration,
    /// The label used in JSON keys and metric labels.
    pub label: String,
}

impl Window {
    /// The window of this length, labelled with it.
    pub fn new(duration: Duration) -> Window {
        let duration = round_to_millis(duration.as_nanos());
        Window {
            duration,
            label: format_duration(duration).to_string(),
        }
    }

    /// The length in nanoseconds (at most `i64::MAX`), as the engine's
    /// clock counts.
    pub(crate) fn nanos(&self) -> i64 {
        i64::try_from(self.duration.as_nanos()).unwrap_or(i64::MAX)
    }

    /// The window of `base` (a length for a 30d period) scaled to `period`:
    /// `base × period / 30d`, to whole milliseconds.
    pub fn scaled(base: Duration, period: Duration) -> Window {
        Window::new(scale(base, period))
    }
}

/// One alert tier: it fires when both windows burn faster than
/// `burn_rate` (and the long one holds enough events).
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    /// Page or ticket.
    pub severity: Severity,
    /// The long window.
    pub long: Window,
    /// The short window.
    pub short: Window,
    /// Both windows must burn faster than this.
    pub burn_rate: f64,
}

/// A tier as written for a 30d period; see [`DEFAULT_TIERS`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaseTier {
    /// Page or ticket.
    pub severity: Severity,
    /// The long window for a 30d period.
    pub long: Duration,
    /// The short window for a 30d period.
    pub short: Duration,
    /// Both windows must burn faster than this.
    pub burn_rate: f64,
}

/// The default tiers (SRE workbook, Sloth's), for a 30d period: page on
/// 1h/5m at 14.4 or 6h/30m at 6, ticket on 1d/2h at 3 or 3d/6h at 1.
pub const DEFAULT_TIERS: [BaseTier; 4] = [
    BaseTier::new(Severity::Page, HOUR, 5 * MINUTE, 14.4),
    BaseTier::new(Severity::Page, 6 * HOUR, 30 * MINUTE, 6.0),
    BaseTier::new(Severity::Ticket, DAY, 2 * HOUR, 3.0),
    BaseTier::new(Severity::Ticket, 3 * DAY, 6 * HOUR, 1.0),
];

impl BaseTier {
    /// A tier of `severity` on windows of `long` and `short` seconds.
    const fn new(severity: Severity, long: u64, short: u64, burn_rate: f64) -> BaseTier {
        BaseTier {
            severity,
            long: Duration::from_secs(long),
            short: Duration::from_secs(short),
            burn_rate,
        }
    }
}

/// For a 30d period, the window whose burn rate sets the status level.
pub const BASE_STATUS_WINDOW: Duration = Duration::from_secs(DAY);
/// For a 30d period, the window whose burn rate predicts when the budget
/// runs out.
pub const BASE_EXHAUSTION_WINDOW: Duration = Duration::from_secs(HOUR);
/// For a 30d period, the window whose samples the chart of recent hours
/// ([`History`](crate::History)) is drawn from.
pub const BASE_CHART_WINDOW: Duration = Duration::from_secs(6 * HOUR);

/// The windows of one SLO, each with its role. [`SloWindows::all`] lists
/// each distinct window once, shortest first, the period last.
#[derive(Debug, Clone, PartialEq)]
pub struct SloWindows {
    all: Vec<Window>,
    tiers: Vec<Tier>,
    status: Window,
    exhaustion: Window,
    chart: Window,
    period: Window,
}

impl SloWindows {
    /// The default tiers and windows scaled to `period` (a 7d period pages
    /// on 14m/1m10s and 1h24m/7m).
    pub fn for_period(period: Duration) -> SloWindows {
        let tiers = DEFAULT_TIERS
            .iter()
            .map(|base| Tier {
                severity: base.severity,
                long: Window::scaled(base.long, period),
                short: Window::scaled(base.short, period),
                burn_rate: base.burn_rate,
            })
            .collect();
        SloWindows::new(
            tiers,
            Window::scaled(BASE_STATUS_WINDOW, period),
            Window::scaled(BASE_EXHAUSTION_WINDOW, period),
            Window::scaled(BASE_CHART_WINDOW, period),
            Window::new(period),
        )
    }

    /// An SLO's own `tiers`, windows as written, with the status,
    /// exhaustion and chart windows scaled to `period` as for the default
    /// tiers.
    ///
    /// ```
    /// use std::time::Duration;
    /// use slo_core::windows::{Severity, SloWindows, Tier, Window};
    ///
    /// let minutes = |m: u64| Window::new(Duration::from_secs(60 * m));
    /// let tier = Tier { severity: Severity::Page, long: minutes(60), short: minutes(5), burn_rate: 14.4 };
    /// let windows = SloWindows::with_tiers(vec![tier], Duration::from_secs(30 * 86_400));
    /// let labels: Vec<&str> = windows.all().iter().map(|w| w.label.as_str()).collect();
    /// assert_eq!(labels, ["5m", "1h", "6h", "1d", "30d"]);
    /// ```
    pub fn with_tiers(tiers: Vec<Tier>, period: Duration) -> SloWindows {
        SloWindows::new(
            tiers,
            Window::scaled(BASE_STATUS_WINDOW, period),
            Window::scaled(BASE_EXHAUSTION_WINDOW, period),
            Window::scaled(BASE_CHART_WINDOW, period),
            Window::new(period),
        )
    }

    /// Windows with these roles; [`SloWindows::all`] holds each distinct
    /// one once (the period last, whatever its length).
    fn new(
        tiers: Vec<Tier>,
        status: Window,
        exhaustion: Window,
        chart: Window,
        period: Window,
    ) -> SloWindows {
        let mut all: Vec<Window> = tiers
            .iter()
            .flat_map(|tier| [tier.long.clone(), tier.short.clone()])
            .chain([status.clone(), exhaustion.clone(), chart.clone()])
            .filter(|w| *w != period)
            .collect();
        all.sort_by_key(|w| w.duration);
        all.dedup();
        all.push(period.clone());
        SloWindows {
            all,
            tiers,
            status,
            exhaustion,
            chart,
            period,
        }
    }

    /// Every window, each once: shortest first, the period last.
    pub fn all(&self) -> &[Window] {
        &self.all
    }

    /// The windows the alert tiers read (every window but the period),
    /// shortest first.
    pub fn alerting(&self) -> &[Window] {
        &self.all[..self.all.len() - 1]
    }

    /// The alert tiers, in their order.
    pub fn tiers(&self) -> &[Tier] {
        &self.tiers
    }

    /// The window whose burn rate sets the status level (1d for a 30d
    /// period).
    pub fn status(&self) -> &Window {
        &self.status
    }

    /// The window whose burn rate predicts when the budget runs out (1h
    /// for a 30d period).
    pub fn exhaustion(&self) -> &Window {
        &self.exhaustion
    }

    /// The window whose samples the chart of recent hours is drawn from
    /// (6h for a 30d period).
    pub fn chart(&self) -> &Window {
        &self.chart
    }

    /// The period.
    pub fn period(&self) -> &Window {
        &self.period
    }

    /// The shortest window.
    pub fn shortest(&self) -> &Window {
        &self.all[0]
    }

    /// The longest window an alert tier reads (3d for a 30d period).
    pub fn longest_alerting(&self) -> &Window {
        self.alerting().last().unwrap_or(&self.period)
    }

    /// Where `window` stands in [`SloWindows::all`].
    pub fn position(&self, window: &Window) -> Option<usize> {
        self.all.iter().position(|w| w == window)
    }
}

/// `base × period / 30d`, rounded to whole milliseconds.
pub fn scale(base: Duration, period: Duration) -> Duration {
    round_to_millis(base.as_nanos() * period.as_nanos() / BASE_PERIOD.as_nanos())
}

fn round_to_millis(nanos: u128) -> Duration {
    Duration::from_millis(u64::try_from((nanos + 500_000) / 1_000_000).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(period_days: u64) -> Vec<String> {
        SloWindows::for_period(Duration::from_secs(period_days * DAY))
            .all()
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
    fn every_role_names_one_of_the_windows() {
        let windows = SloWindows::for_period(BASE_PERIOD);
        let tiers: Vec<(&str, &str)> = windows
            .tiers()
            .iter()
            .map(|t| (t.long.label.as_str(), t.short.label.as_str()))
            .collect();
        assert_eq!(
            tiers,
            [("1h", "5m"), ("6h", "30m"), ("1d", "2h"), ("3d", "6h")]
        );
        assert_eq!(windows.status().label, "1d");
        assert_eq!(windows.exhaustion().label, "1h");
        assert_eq!(windows.chart().label, "6h");
        assert_eq!(windows.period().label, "30d");
        assert_eq!(windows.longest_alerting().label, "3d");
        assert_eq!(windows.shortest().label, "5m");
        for tier in windows.tiers() {
            assert!(windows.position(&tier.long).is_some());
            assert!(windows.position(&tier.short).is_some());
        }
        assert_eq!(windows.position(windows.period()), Some(7));
        assert_eq!(windows.alerting().len(), 7);
    }
}
