//! Injectable time for the windows: a real clock, or a manual one for tests
//! and replay.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// An instant on a clock's timeline: nanoseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// From nanoseconds since the Unix epoch.
    pub const fn from_unix_nanos(nanos: i64) -> Timestamp {
        Timestamp(nanos)
    }

    /// An RFC 3339 instant that carries its offset (`2026-12-24T18:00:00+01:00`,
    /// `2026-12-24T17:00:00Z`); `None` for anything else, a time without
    /// an offset included, or one outside the years 1677 to 2262.
    ///
    /// ```
    /// use slo_core::Timestamp;
    ///
    /// let t = Timestamp::parse_rfc3339("2026-12-24T18:00:00+01:00").unwrap();
    /// assert_eq!(t.to_string(), "2026-12-24T17:00:00Z");
    /// assert!(Timestamp::parse_rfc3339("2026-12-24T18:00:00").is_none());
    /// ```
    pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
        let instant = text.trim().parse::<jiff::Timestamp>().ok()?;
        i64::try_from(instant.as_nanosecond())
            .ok()
            .map(Timestamp::from_unix_nanos)
    }

    /// RFC 3339 in UTC at full precision (the fraction of a second only
    /// when there is one), for any instant the clock can name; what
    /// [`Timestamp::parse_rfc3339`] reads back exactly. ([`Display`](fmt::Display)
    /// keeps milliseconds, for people.)
    ///
    /// ```
    /// use slo_core::Timestamp;
    ///
    /// for text in ["2026-01-01T02:00:00Z", "1969-12-31T23:00:00.000000001Z"] {
    ///     let t = Timestamp::parse_rfc3339(text).unwrap();
    ///     assert_eq!(t.to_rfc3339(), text);
    /// }
    /// ```
    pub fn to_rfc3339(self) -> String {
        match jiff::Timestamp::from_nanosecond(i128::from(self.0)) {
            Ok(instant) => instant.to_string(),
            // Every i64 of nanoseconds is within jiff's range.
            Err(_) => self.to_string(),
        }
    }

    /// From seconds since the Unix epoch, rounded to the nanosecond; `None`
    /// when not finite or beyond the year 2262.
    pub fn from_secs_f64(secs: f64) -> Option<Timestamp> {
        let nanos = (secs * 1e9).round();
        (nanos.is_finite() && nanos.abs() < 9.2e18).then_some(Timestamp(nanos as i64))
    }

    /// Nanoseconds since the Unix epoch.
    pub const fn as_unix_nanos(self) -> i64 {
        self.0
    }

    /// Seconds since the Unix epoch.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e9
    }

    /// This instant plus `d`, saturating.
    pub fn saturating_add(self, d: Duration) -> Timestamp {
        Timestamp(
            self.0
                .saturating_add(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)),
        )
    }

    /// This instant minus `d`, saturating.
    pub fn saturating_sub(self, d: Duration) -> Timestamp {
        Timestamp(
            self.0
                .saturating_sub(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)),
        )
    }

    /// `self − earlier`, zero when `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Timestamp) -> Duration {
        Duration::from_nanos(u64::try_from(self.0.saturating_sub(earlier.0)).unwrap_or(0))
    }

    /// This instant as wall-clock time; `None` before 1970.
    pub fn to_system_time(self) -> Option<SystemTime> {
        let nanos = u64::try_from(self.0).ok()?;
        UNIX_EPOCH.checked_add(Duration::from_nanos(nanos))
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, such as `2026-11-27T12:00:00Z` (with milliseconds
    /// when they are not zero).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_system_time() {
            Some(time) if self.0 % 1_000_000_000 == 0 => {
                write!(f, "{}", humantime::format_rfc3339_seconds(time))
            }
            Some(time) => write!(f, "{}", humantime::format_rfc3339_millis(time)),
            None => write!(f, "{:.3}s", self.as_secs_f64()),
        }
    }
}

/// A source of time for the engine. [`Clock::now`] must never go
/// backwards (a tick at an earlier time than the previous one is ignored):
/// the windows count on it. [`Clock::wall`] is the wall clock, which NTP
/// may step either way: calendar periods and maintenance windows follow it.
pub trait Clock: Send + Sync + 'static {
    /// The current instant, on a clock that never goes back.
    fn now(&self) -> Timestamp;

    /// The wall clock's reading now; the same as [`Clock::now`] unless the
    /// clock says otherwise.
    fn wall(&self) -> Timestamp {
        self.now()
    }
}

/// Real time: monotonic, anchored to the wall clock when created.
#[derive(Debug, Clone)]
pub struct SystemClock {
    origin: Instant,
    origin_unix: i64,
}

impl SystemClock {
    /// A clock reading the system's monotonic time.
    pub fn new() -> SystemClock {
        let origin_unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        SystemClock {
            origin: Instant::now(),
            origin_unix,
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let elapsed = i64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(i64::MAX);
        Timestamp(self.origin_unix.saturating_add(elapsed))
    }

    /// The system's wall clock, as NTP or an operator set it.
    fn wall(&self) -> Timestamp {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(since) => Timestamp(i64::try_from(since.as_nanos()).unwrap_or(i64::MAX)),
            Err(_) => self.now(),
        }
    }
}

/// A clock that moves only when told to; clones share one time. Its wall
/// clock reads the same until [`ManualClock::set_wall`] steps it apart.
///
/// ```
/// use std::time::Duration;
/// use slo_core::{Clock, ManualClock, Timestamp};
/// let clock = ManualClock::new(Timestamp::EPOCH);
/// clock.advance(Duration::from_secs(60));
/// assert_eq!(clock.now().as_secs_f64(), 60.0);
/// // NTP steps the wall clock an hour back; the engine's time goes on.
/// clock.set_wall(Timestamp::from_unix_nanos(60_000_000_000 - 3_600_000_000_000));
/// clock.advance(Duration::from_secs(1));
/// assert_eq!(clock.now().as_secs_f64(), 61.0);
/// assert_eq!(clock.wall().as_secs_f64(), 61.0 - 3600.0);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    now: Arc<AtomicI64>,
    /// The wall clock minus `now`, in ns.
    wall_offset: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: Timestamp) -> ManualClock {
        ManualClock {
            now: Arc::new(AtomicI64::new(at.0)),
            wall_offset: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Moves the clock to `at` (the wall clock moves with it).
    pub fn set(&self, at: Timestamp) {
        self.now.store(at.0, Ordering::SeqCst);
    }

    /// Moves the clock forward by `d` (the wall clock moves with it).
    pub fn advance(&self, d: Duration) {
        let d = i64::try_from(d.as_nanos()).unwrap_or(i64::MAX);
        let _ = self
            .now
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                Some(t.saturating_add(d))
            });
    }

    /// Steps the wall clock to `at`, as NTP or an operator would: `now`
    /// does not move, and the two advance together from here.
    pub fn set_wall(&self, at: Timestamp) {
        let now = self.now.load(Ordering::SeqCst);
        self.wall_offset
            .store(at.0.saturating_sub(now), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.now.load(Ordering::SeqCst))
    }

    fn wall(&self) -> Timestamp {
        let now = self.now.load(Ordering::SeqCst);
        Timestamp(now.saturating_add(self.wall_offset.load(Ordering::SeqCst)))
    }
}
