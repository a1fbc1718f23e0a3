//! Maintenance windows: when events are neither good nor bad. A window
//! holds the instants `start ≤ t < start + duration`; one that repeats
//! `every` so long holds those of each repetition, `start + k × every` for
//! k = 0, 1, 2, …, and nothing before `start`.
//!
//! ```
//! use std::time::Duration;
//! use slo_core::Timestamp;
//! use slo_core::maintenance::MaintenanceWindow;
//!
//! const HOUR: i64 = 3_600_000_000_000;
//! // Two hours every day from midnight UTC on 2026-12-06.
//! let start = Timestamp::from_unix_nanos(1_796_515_200 * 1_000_000_000);
//! let nightly = MaintenanceWindow::new(
//!     start,
//!     Duration::from_secs(2 * 3600),
//!     Some(Duration::from_secs(24 * 3600)),
//! )?;
//! let three_days_later = Timestamp::from_unix_nanos(start.as_unix_nanos() + 73 * HOUR);
//! assert_eq!(
//!     nightly.active_at(three_days_later),
//!     Some(Timestamp::from_unix_nanos(start.as_unix_nanos() + 74 * HOUR)),
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::Duration;

use crate::Timestamp;

/// Why a maintenance window was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaintenanceError {
    /// A window of no length holds no instant.
    #[error("a maintenance window's duration must be longer than 0")]
    EmptyDuration,
    /// A repetition that begins before the last one ends would leave the
    /// SLO in maintenance for good: say so with one window that never ends
    /// instead of one that overlaps itself.
    #[error(
        "a maintenance window repeats every {every:?}, no longer than its duration {duration:?}"
    )]
    EveryNotLongerThanDuration {
        /// How long the window is.
        duration: Duration,
        /// How often it repeats.
        every: Duration,
    },
}

/// One maintenance window, once or repeating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaintenanceWindow {
    start: Timestamp,
    duration: Duration,
    every: Option<Duration>,
}

impl MaintenanceWindow {
    /// The window from `start` for `duration`, repeating `every` so long
    /// when given. Refused when `duration` is zero, or when a repetition
    /// would begin before the one before it ends.
    pub fn new(
        start: Timestamp,
        duration: Duration,
        every: Option<Duration>,
    ) -> Result<MaintenanceWindow, MaintenanceError> {
        if duration.is_zero() {
            return Err(MaintenanceError::EmptyDuration);
        }
        if let Some(every) = every
            && every <= duration
        {
            return Err(MaintenanceError::EveryNotLongerThanDuration { duration, every });
        }
        Ok(MaintenanceWindow {
            start,
            duration,
            every,
        })
    }

    /// When the first repetition starts.
    pub fn start(&self) -> Timestamp {
        self.start
    }

    /// How long each repetition lasts.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// How often it repeats; `None` for a window that happens once.
    pub fn every(&self) -> Option<Duration> {
        self.every
    }

    /// The start of the repetition that holds `t`, or that would, were it
    /// long enough: the last start at or before `t`; `None` before the
    /// first.
    fn last_start(&self, t: Timestamp) -> Option<i128> {
        let since = i128::from(t.as_unix_nanos()) - i128::from(self.start.as_unix_nanos());
        if since < 0 {
            return None;
        }
        let start = i128::from(self.start.as_unix_nanos());
        Some(match self.every {
            Some(every) => start + since - since % i128::try_from(every.as_nanos()).ok()?,
            None => start,
        })
    }

    /// When the repetition that holds `t` ends, if one does: `t` is in
    /// maintenance until then. An end past the clock's range reads as its
    /// last instant.
    pub fn active_at(&self, t: Timestamp) -> Option<Timestamp> {
        let start = self.last_start(t)?;
        let end = start + i128::try_from(self.duration.as_nanos()).ok()?;
        (i128::from(t.as_unix_nanos()) < end).then(|| saturate(end))
    }

    /// When the next repetition after `t` starts (strictly after `t`);
    /// `None` when none does, or none the clock can name.
    pub fn next_start(&self, t: Timestamp) -> Option<Timestamp> {
        let next = match (self.last_start(t), self.every) {
            (None, _) => i128::from(self.start.as_unix_nanos()),
            (Some(last), Some(every)) => last + i128::try_from(every.as_nanos()).ok()?,
            (Some(_), None) => return None,
        };
        i64::try_from(next).ok().map(Timestamp::from_unix_nanos)
    }
}

/// An instant as the clock's nanoseconds, the last it can name when later.
fn saturate(nanos: i128) -> Timestamp {
    Timestamp::from_unix_nanos(i64::try_from(nanos).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MINUTE: i64 = 60_000_000_000;

    fn at(minutes: i64) -> Timestamp {
        Timestamp::from_unix_nanos(minutes * MINUTE)
    }

    fn minutes(n: u64) -> Duration {
        Duration::from_secs(60 * n)
    }

    #[test]
    fn a_window_holds_its_start_and_not_its_end() {
        let once = MaintenanceWindow::new(at(100), minutes(30), None).expect("valid");
        assert_eq!(once.active_at(at(99)), None);
        assert_eq!(once.active_at(at(100)), Some(at(130)));
        assert_eq!(once.active_at(at(129)), Some(at(130)));
        let last = Timestamp::from_unix_nanos(130 * MINUTE - 1);
        assert_eq!(once.active_at(last), Some(at(130)));
        assert_eq!(once.active_at(at(130)), None);
        assert_eq!(once.next_start(at(0)), Some(at(100)));
        assert_eq!(once.next_start(at(100)), None);
    }

    #[test]
    fn a_repeating_window_holds_each_repetition_from_its_start_on() {
        let daily =
            MaintenanceWindow::new(at(0), minutes(120), Some(minutes(1440))).expect("valid");
        assert_eq!(daily.active_at(at(-1)), None);
        assert_eq!(daily.active_at(at(3 * 1440 + 60)), Some(at(3 * 1440 + 120)));
        assert_eq!(daily.active_at(at(3 * 1440 + 120)), None);
        assert_eq!(daily.next_start(at(3 * 1440 + 120)), Some(at(4 * 1440)));
        // A start is not after itself: the next one is a day on.
        assert_eq!(daily.next_start(at(4 * 1440)), Some(at(5 * 1440)));
        assert_eq!(daily.next_start(at(-5)), Some(at(0)));
    }

    #[test]
    fn windows_that_hold_nothing_or_never_end_are_refused() {
        assert_eq!(
            MaintenanceWindow::new(at(0), Duration::ZERO, None),
            Err(MaintenanceError::EmptyDuration)
        );
        let error = MaintenanceWindow::new(at(0), minutes(60), Some(minutes(60)))
            .expect_err("overlaps itself");
        assert_eq!(
            error,
            MaintenanceError::EveryNotLongerThanDuration {
                duration: minutes(60),
                every: minutes(60)
            }
        );
        assert_eq!(
            error.to_string(),
            "a maintenance window repeats every 3600s, no longer than its duration 3600s"
        );
    }

    #[test]
    fn ends_past_the_clock_saturate_instead_of_wrapping() {
        let late = Timestamp::from_unix_nanos(i64::MAX - 10);
        let window = MaintenanceWindow::new(late, minutes(60), Some(minutes(120))).expect("valid");
        assert_eq!(
            window.active_at(late),
            Some(Timestamp::from_unix_nanos(i64::MAX))
        );
        assert_eq!(window.next_start(late), None);
        let early = MaintenanceWindow::new(
            Timestamp::from_unix_nanos(i64::MIN),
            Duration::from_secs(1),
            Some(Duration::MAX),
        )
        .expect("valid");
        assert_eq!(early.active_at(Timestamp::from_unix_nanos(i64::MAX)), None);
    }

    proptest! {
        /// Against a model that walks the repetitions one by one.
        #[test]
        fn agrees_with_walking_the_repetitions(
            start in -10_000i64..10_000,
            duration in 1u64..500,
            gap in 1u64..500,
            repeats in any::<bool>(),
            t in -20_000i64..20_000,
        ) {
            let every = repeats.then(|| duration + gap);
            let window = MaintenanceWindow::new(
                Timestamp::from_unix_nanos(start),
                Duration::from_nanos(duration),
                every.map(Duration::from_nanos),
            ).expect("valid");
            let mut active = None;
            let mut next = None;
            let mut k = 0i64;
            loop {
                let begin = start + k * every.map_or(0, |e| e as i64);
                if begin > t {
                    next = Some(begin);
                    break;
                }
                if t < begin + duration as i64 {
                    active = Some(begin + duration as i64);
                }
                if every.is_none() {
                    break;
                }
                k += 1;
            }
            prop_assert_eq!(window.active_at(Timestamp::from_unix_nanos(t)), active.map(Timestamp::from_unix_nanos));
            prop_assert_eq!(window.next_start(Timestamp::from_unix_nanos(t)), next.map(Timestamp::from_unix_nanos));
        }
    }
}
