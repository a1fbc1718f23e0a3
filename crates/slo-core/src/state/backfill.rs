//! [`Backfill`]: history from outside the process (a PromQL API, a
//! simulation) turned into window samples, restored through the same path
//! as a state file.

use std::time::Duration;

use super::codec::{EncodedRing, SavedSlo, Snapshot as SnapshotData};
use super::identity::identity;
use crate::clock::Timestamp;
use crate::counters::Totals;
use crate::rings::{DEFAULT_RING_LEN, SavedRing, spacing};
use crate::spec::Spec;

/// A history source that is not a state file: `/slo`'s `history.sources`
/// names it.
pub const SOURCE_PROMETHEUS: &str = "prometheus";
/// History made up by a simulation (the demo's `--prefill`).
pub const SOURCE_SIMULATED: &str = "simulated";

/// One spacing at which an SLO's windows keep samples, and the earliest
/// sample they keep at it: what a source of history must be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resolution {
    /// Time between two samples.
    pub spacing: Duration,
    /// The oldest sample time the windows keep at this spacing.
    pub from: Timestamp,
}

/// Why [`Backfill::fill`] refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BackfillError {
    /// The spec has no SLO of that name.
    #[error("no SLO named {0:?} in the spec")]
    UnknownSlo(String),
    /// The history would begin after the backfill's `now`.
    #[error("SLO {slo:?}: history since {since} begins after now ({now})")]
    SinceAfterNow {
        /// The SLO.
        slo: String,
        /// The history's start.
        since: Timestamp,
        /// The backfill's now.
        now: Timestamp,
    },
}

struct Planned {
    name: String,
    identity: String,
    /// Ring spacings (ns), in policy order.
    spacings: Vec<i64>,
    filled: Option<SavedSlo>,
}

/// Window history for a registry, built from cumulative event counts a
/// source gives at the instants the windows sample. Give it to
/// [`RegistryBuilder::backfill`](crate::RegistryBuilder::backfill).
///
/// ```
/// use slo_core::state::Backfill;
/// use slo_core::{Clock, Registry, Spec, SystemClock};
/// use std::time::Duration;
///
/// let spec = Spec::from_yaml("service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n")?;
/// let now = SystemClock::new().now();
/// let since = now.saturating_sub(Duration::from_secs(86_400));
/// let mut backfill = Backfill::new(&spec, now, "simulated");
/// // A day of 10 events a second, one in a thousand bad.
/// backfill.fill("checkout", since, |t| {
///     let seconds = t.saturating_duration_since(since).as_secs_f64();
///     (seconds * 9.99, seconds * 0.01)
/// })?;
/// let registry = Registry::builder(spec).backfill(backfill).build();
/// let status = registry.status();
/// assert_eq!(status.history.sources, ["simulated"]);
/// assert!((status.slos[0].burn_rates.get("1d").unwrap_or(0.0) - 1.0).abs() < 0.01);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Backfill {
    service: String,
    now: Timestamp,
    source: String,
    slos: Vec<Planned>,
}

impl std::fmt::Debug for Backfill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backfill")
            .field("service", &self.service)
            .field("now", &self.now)
            .field("source", &self.source)
            .field("filled", &self.filled().collect::<Vec<_>>())
            .finish()
    }
}

impl Backfill {
    /// An empty backfill of `spec`'s SLOs as of `now`, from `source` (what
    /// `history.sources` will say, such as [`SOURCE_PROMETHEUS`]).
    pub fn new(spec: &Spec, now: Timestamp, source: impl Into<String>) -> Backfill {
        let slos = spec
            .slos()
            .iter()
            .map(|definition| Planned {
                name: definition.name().to_owned(),
                identity: identity(definition),
                spacings: definition
                    .windows()
                    .all()
                    .iter()
                    .map(|w| spacing(w.nanos(), DEFAULT_RING_LEN))
                    .collect(),
                filled: None,
            })
            .collect();
        Backfill {
            service: spec.service().to_owned(),
            now,
            source: source.into(),
            slos,
        }
    }

    /// The instant the history ends at.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The spacings at which SLO `name`'s windows sample, finest first,
    /// each with the oldest sample time kept at it.
    pub fn resolutions(&self, name: &str) -> Result<Vec<Resolution>, BackfillError> {
        let planned = self.planned(name)?;
        let mut spacings = planned.spacings.clone();
        spacings.sort_unstable();
        spacings.dedup();
        let now = self.now.as_unix_nanos();
        Ok(spacings
            .into_iter()
            .map(|s| {
                let oldest = now.div_euclid(s) - (DEFAULT_RING_LEN as i64 - 1);
                Resolution {
                    spacing: Duration::from_nanos(u64::try_from(s).unwrap_or(0)),
                    from: Timestamp::from_unix_nanos(oldest.saturating_mul(s)),
                }
            })
            .collect())
    }

    /// Fills SLO `name`'s windows from `counts(t)`: the cumulative good
    /// and bad events from `since` up to `t` (0 at `since`), asked for
    /// every sample time from `since` to now. Counts are rounded to whole
    /// events, and a count that goes down is held at its previous value, so
    /// the windows never hold a negative count. Filling an SLO again
    /// replaces what it had.
    pub fn fill(
        &mut self,
        name: &str,
        since: Timestamp,
        mut counts: impl FnMut(Timestamp) -> (f64, f64),
    ) -> Result<(), BackfillError> {
        let now = self.now;
        if since > now {
            return Err(BackfillError::SinceAfterNow {
                slo: name.to_owned(),
                since,
                now,
            });
        }
        let planned = self.planned_mut(name)?;
        let whole = |x: f64| {
            if x.is_finite() && x > 0.0 {
                x.round() as u64
            } else {
                0
            }
        };
        let mut at = |t: i64| {
            let (good, bad) = counts(Timestamp::from_unix_nanos(t));
            Totals {
                good: whole(good),
                bad: whole(bad),
            }
        };
        let total = at(now.as_unix_nanos());
        let (since_ns, now_ns) = (since.as_unix_nanos(), now.as_unix_nanos());
        let rings = planned
            .spacings
            .iter()
            .map(|&s| {
                let first = (since_ns - 1).div_euclid(s);
                let latest = now_ns.div_euclid(s);
                let oldest = (latest - (DEFAULT_RING_LEN as i64 - 1)).max(first + 1);
                let mut previous = Totals::default();
                let samples = (oldest..=latest)
                    .map(|j| {
                        let value = at(j.saturating_mul(s));
                        previous = Totals {
                            good: value.good.clamp(previous.good, total.good),
                            bad: value.bad.clamp(previous.bad, total.bad),
                        };
                        previous
                    })
                    .collect();
                EncodedRing::encode(&SavedRing {
                    spacing: s,
                    latest,
                    samples,
                })
            })
            .collect();
        planned.filled = Some(SavedSlo {
            name: planned.name.clone(),
            identity: planned.identity.clone(),
            since: since_ns,
            good: total.good,
            bad: total.bad,
            excluded: 0,
            latency: None,
            rings,
            calendar: None,
            // What Prometheus knows of reasons is not read: the history's
            // bad events count as `error`.
            bad_reasons: None,
        });
        Ok(())
    }

    /// The SLOs filled so far, in spec order.
    pub fn filled(&self) -> impl Iterator<Item = &str> {
        self.slos
            .iter()
            .filter(|slo| slo.filled.is_some())
            .map(|slo| slo.name.as_str())
    }

    pub(crate) fn into_data(self) -> SnapshotData {
        SnapshotData {
            service: self.service,
            taken_at: self.now.as_unix_nanos(),
            sources: vec![self.source],
            slos: self.slos.into_iter().filter_map(|slo| slo.filled).collect(),
        }
    }

    fn planned(&self, name: &str) -> Result<&Planned, BackfillError> {
        self.slos
            .iter()
            .find(|slo| slo.name == name)
            .ok_or_else(|| BackfillError::UnknownSlo(name.to_owned()))
    }

    fn planned_mut(&mut self, name: &str) -> Result<&mut Planned, BackfillError> {
        self.slos
            .iter_mut()
            .find(|slo| slo.name == name)
            .ok_or_else(|| BackfillError::UnknownSlo(name.to_owned()))
    }
}
