//! Replaying a trace of events through the real engine on a manual clock
//! (the `slo replay` command; [replay](crate::semantics#replay)).
//!
//! Input is JSON Lines, `t` in seconds from any epoch (≥ 0), in time order:
//! a request, classified through the spec's `match` routes and SLI exactly as
//! the middleware classifies it —
//! `{"t": 12.5, "method": "POST", "route": "/checkout", "status": 503, "latency_ms": 80.1}` —
//! or a pre-classified event: `{"t": 12.5, "slo": "checkout-availability", "good": false}`.
//!
//! Output: at every `t = k × every` with first event < t ≤ last event, one
//! line per SLO: its [status object](crate::semantics#the-status-document) with `"t"` first; then
//! one per journey, its status with `"journey"` in place of `"name"`. A
//! window covers the events in `(t − W, t]`.
//!
//! Events with equal `t` are fine; an event earlier than the one before it is
//! an error naming its line (reordering would silently change the numbers).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::classify::Verdict;
use crate::handle::Exclusion;
use crate::reasons::BadReason;
use crate::status::{JourneyStatus, whole_number};
use crate::{ManualClock, Registry, SampleFill, SliHandle, SloStatus, Spec, Timestamp};

/// Why a replay stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// A line that is not a valid event.
    #[error("line {line}: {reason}")]
    Malformed {
        /// 1-based line number in the events file.
        line: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// An event earlier than the one before it.
    #[error(
        "line {line}: t={t} is earlier than the previous event (t={previous}); events must be in time order"
    )]
    OutOfOrder {
        /// 1-based line number.
        line: u64,
        /// Its time.
        t: f64,
        /// The previous event's time.
        previous: f64,
    },
    /// `every` was zero.
    #[error("--every must be greater than zero")]
    ZeroInterval,
    /// Reading events or writing output failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What a replay did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplaySummary {
    /// Events read.
    pub events: u64,
    /// Request events that matched no SLO.
    pub unmatched: u64,
    /// Status lines written.
    pub lines: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent<'a> {
    t: f64,
    #[serde(default, borrow)]
    method: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    route: Option<Cow<'a, str>>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default)]
    latency_ms: Option<f64>,
    #[serde(default, borrow)]
    slo: Option<Cow<'a, str>>,
    #[serde(default)]
    good: Option<bool>,
    /// The handler marked the response degraded (request lines only).
    #[serde(default)]
    degraded: Option<bool>,
    /// Many events at once, for `slo`.
    #[serde(default)]
    batch: Option<RawBatch>,
    /// The age of data, for `slo` (a freshness event).
    #[serde(default)]
    age_ms: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBatch {
    good: u64,
    bad: u64,
}

#[derive(Serialize)]
struct Line<'a> {
    #[serde(with = "whole_number")]
    t: f64,
    #[serde(flatten)]
    slo: &'a SloStatus,
}

/// A journey's output line: its status with `"journey"` in place of
/// `"name"`.
#[derive(Serialize)]
struct JourneyLine<'a> {
    #[serde(with = "whole_number")]
    t: f64,
    journey: &'a str,
    description: &'a Option<String>,
    objective: f64,
    steps: &'a [String],
    #[serde(with = "whole_number")]
    period_seconds: f64,
    coverage_ratio: f64,
    sli_value: Option<f64>,
    burn_rates: &'a crate::status::BurnRates,
    error_budget: &'a crate::status::ErrorBudget,
    alerts: &'a [crate::status::AlertStatus],
    status: crate::StatusLevel,
    release: crate::release::ReleaseDecisions,
}

impl<'a> JourneyLine<'a> {
    fn of(t: f64, journey: &'a JourneyStatus) -> JourneyLine<'a> {
        JourneyLine {
            t,
            journey: &journey.name,
            description: &journey.description,
            objective: journey.objective,
            steps: &journey.steps,
            period_seconds: journey.period_seconds,
            coverage_ratio: journey.coverage_ratio,
            sli_value: journey.sli_value,
            burn_rates: &journey.burn_rates,
            error_budget: &journey.error_budget,
            alerts: &journey.alerts,
            status: journey.status,
            release: journey.release,
        }
    }
}

/// Most distinct (method, route) pairs whose SLO matches are cached.
const ROUTE_CACHE_LIMIT: usize = 100_000;

struct Replayer<'s, W> {
    spec: &'s Spec,
    every: i64,
    out: W,
    state: Option<Running>,
    by_name: HashMap<&'s str, usize>,
    routes: RouteCache<'s>,
    summary: ReplaySummary,
    /// The previous event's `t` as the file gave it, for the out-of-order
    /// error (the nanoseconds the engine keeps do not print back as it).
    previous_t: f64,
    /// Whether any maintenance window is defined: then each event sets the
    /// maintenance flags for its own instant.
    spec_has_maintenance: bool,
    /// Whether any SLO has a calendar period: then each event may start
    /// its next period.
    spec_has_calendar: bool,
}

struct Running {
    registry: Registry,
    clock: ManualClock,
    handles: Vec<SliHandle>,
    last: i64,
    every: i64,
    next_out: i64,
    next_sample: i64,
}

/// Replays `events` through a registry for `spec`, writing status lines
/// every `every` to `out`.
pub fn replay(
    spec: &Spec,
    events: impl BufRead,
    every: Duration,
    out: impl Write,
) -> Result<ReplaySummary, ReplayError> {
    let every = i64::try_from(every.as_nanos()).unwrap_or(i64::MAX);
    if every == 0 {
        return Err(ReplayError::ZeroInterval);
    }
    let mut replayer = Replayer {
        spec,
        every,
        out,
        state: None,
        by_name: spec
            .slos()
            .iter()
            .enumerate()
            .map(|(i, slo)| (slo.name(), i))
            .collect(),
        routes: RouteCache {
            spec,
            matches: HashMap::new(),
            key: String::new(),
        },
        summary: ReplaySummary::default(),
        previous_t: 0.0,
        spec_has_maintenance: !spec.maintenance().is_empty()
            || spec.slos().iter().any(|slo| !slo.maintenance().is_empty()),
        spec_has_calendar: spec.slos().iter().any(|slo| slo.calendar().is_some()),
    };
    let mut events = events;
    let mut buffer = Vec::with_capacity(256);
    let mut line = 0u64;
    loop {
        buffer.clear();
        if events.read_until(b'\n', &mut buffer)? == 0 {
            break;
        }
        line += 1;
        if buffer.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        replayer.event(line, &buffer)?;
    }
    replayer.finish()
}

impl<W: Write> Replayer<'_, W> {
    fn event(&mut self, line: u64, text: &[u8]) -> Result<(), ReplayError> {
        let malformed = |reason: String| ReplayError::Malformed { line, reason };
        let raw: RawEvent = serde_json::from_slice(text).map_err(|e| malformed(json_reason(&e)))?;
        if raw.t.is_nan() || raw.t < 0.0 {
            return Err(malformed(format!(
                "t must be a number of seconds ≥ 0, got {}",
                raw.t
            )));
        }
        let t = Timestamp::from_secs_f64(raw.t)
            .ok_or_else(|| malformed(format!("t={} is out of range", raw.t)))?
            .as_unix_nanos();
        let outcome = self.classify(&raw).map_err(malformed)?;
        let matched: &[usize] = match outcome {
            Outcome::Request { .. } => self.routes.get(
                raw.method.as_deref().unwrap_or(""),
                raw.route.as_deref().unwrap_or(""),
            ),
            Outcome::Direct { .. } | Outcome::Batch { .. } | Outcome::Age { .. } => &[],
        };
        let state = match &mut self.state {
            Some(state) => {
                if t < state.last {
                    return Err(ReplayError::OutOfOrder {
                        line,
                        t: raw.t,
                        previous: self.previous_t,
                    });
                }
                state
            }
            None => self.state.insert(Running::start(self.spec, t, self.every)),
        };
        while state.next_out < t {
            state.emit(&mut self.out, &mut self.summary)?;
        }
        if t > state.next_sample {
            // Samples strictly before `t` take everything recorded so far.
            state.clock.set(Timestamp::from_unix_nanos(t - 1));
            state.registry.tick_at(Timestamp::from_unix_nanos(t - 1));
            state.next_sample = state.registry.next_sample_at().as_unix_nanos();
        }
        state.last = t;
        self.previous_t = raw.t;
        self.summary.events += 1;
        let at = Timestamp::from_unix_nanos(t);
        if self.spec_has_maintenance {
            // Exact at the boundaries: the flag for this very instant.
            state.registry.apply_maintenance_at(at);
        }
        if self.spec_has_calendar {
            // A period begins with the first event at or past its start.
            state.registry.roll_calendars_at(at);
        }
        match outcome {
            Outcome::Direct { slo, good } => {
                state.handles[slo].record(good);
                state.registry.observe_activity_at(slo, at);
            }
            Outcome::Batch { slo, good, bad } => {
                state.handles[slo].record_batch(good, bad);
                state.registry.observe_activity_at(slo, at);
            }
            Outcome::Age { slo, age } => {
                state.handles[slo].record_freshness(age);
                state.registry.observe_activity_at(slo, at);
            }
            Outcome::Request {
                status,
                latency,
                degraded,
            } => {
                if matched.is_empty() {
                    self.summary.unmatched += 1;
                }
                for &slo in matched {
                    let handle = &state.handles[slo];
                    let failure = match self.spec.slos()[slo].classification().http_verdict(status)
                    {
                        Verdict::Excluded => {
                            handle.record_excluded(Exclusion::Status);
                            state.registry.observe_activity_at(slo, at);
                            continue;
                        }
                        failed @ Verdict::Failed { .. } => failed.failure(),
                        Verdict::Succeeded => (degraded
                            && *self.spec.slos()[slo].sli() == crate::Sli::Quality)
                            .then_some(BadReason::Degraded),
                    };
                    let nanos = match (handle.latency_threshold(), latency) {
                        (Some(_), None) => {
                            return Err(malformed(format!(
                                "latency_ms is required: the request matches latency SLO {:?}",
                                self.spec.slos()[slo].name()
                            )));
                        }
                        (_, latency) => latency.map_or(0, |latency| {
                            u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX)
                        }),
                    };
                    match failure {
                        Some(reason) => {
                            handle.record_failure_nanos(nanos, reason);
                        }
                        None => {
                            handle.record_latency_nanos(nanos, true);
                        }
                    }
                    state.registry.observe_activity_at(slo, at);
                }
            }
        }
        Ok(())
    }

    fn classify(&self, raw: &RawEvent) -> Result<Outcome, String> {
        let direct = raw.good.is_some() || raw.batch.is_some() || raw.age_ms.is_some();
        match (&raw.slo, direct) {
            (Some(name), true) => {
                if raw.route.is_some()
                    || raw.method.is_some()
                    || raw.status.is_some()
                    || raw.latency_ms.is_some()
                    || raw.degraded.is_some()
                {
                    return Err(
                        "an event has either `slo` and `good` (or `batch`, or `age_ms`), or `route` and `status`, not both"
                            .into(),
                    );
                }
                let slo = *self
                    .by_name
                    .get(name.as_ref())
                    .ok_or_else(|| format!("no SLO named {name:?} in the spec"))?;
                match (raw.good, &raw.batch, raw.age_ms) {
                    (Some(good), None, None) => Ok(Outcome::Direct { slo, good }),
                    (None, Some(batch), None) => Ok(Outcome::Batch {
                        slo,
                        good: batch.good,
                        bad: batch.bad,
                    }),
                    (None, None, Some(ms)) if ms.is_finite() && ms >= 0.0 => Ok(Outcome::Age {
                        slo,
                        age: Duration::try_from_secs_f64(ms / 1e3)
                            .map_err(|_| format!("age_ms {ms} is too large"))?,
                    }),
                    (None, None, Some(ms)) => Err(format!("age_ms must be a number ≥ 0, got {ms}")),
                    _ => Err("an `slo` event has one of `good`, `batch` and `age_ms`".into()),
                }
            }
            (Some(_), false) => Err(
                "missing field `good` (true or false), `batch` or `age_ms` for an `slo` event"
                    .into(),
            ),
            (None, true) => {
                Err("missing field `slo` for an event with `good`, `batch` or `age_ms`".into())
            }
            (None, false) => {
                let status = raw
                    .status
                    .ok_or("missing field `status` (or `slo` and `good`)")?;
                if raw.route.is_none() {
                    return Err("missing field `route` (or `slo` and `good`)".into());
                }
                if !(100..=599).contains(&status) {
                    return Err(format!("status {status} is not an HTTP status (100..=599)"));
                }
                let latency = match raw.latency_ms {
                    None => None,
                    Some(ms) if ms.is_finite() && ms >= 0.0 => {
                        Some(Duration::from_secs_f64(ms / 1e3))
                    }
                    Some(ms) => return Err(format!("latency_ms must be a number ≥ 0, got {ms}")),
                };
                Ok(Outcome::Request {
                    status,
                    latency,
                    degraded: raw.degraded.unwrap_or(false),
                })
            }
        }
    }

    fn finish(mut self) -> Result<ReplaySummary, ReplayError> {
        if let Some(state) = &mut self.state {
            while state.next_out <= state.last {
                state.emit(&mut self.out, &mut self.summary)?;
            }
        }
        self.out.flush()?;
        Ok(self.summary)
    }
}

/// The SLOs each (method, route) feeds, computed once per distinct pair.
struct RouteCache<'s> {
    spec: &'s Spec,
    matches: HashMap<String, Vec<usize>>,
    key: String,
}

impl RouteCache<'_> {
    fn get(&mut self, method: &str, route: &str) -> &[usize] {
        self.key.clear();
        self.key.push_str(method);
        self.key.push(' ');
        self.key.push_str(route);
        if !self.matches.contains_key(self.key.as_str()) {
            let matched = self
                .spec
                .slos()
                .iter()
                .enumerate()
                .filter(|(_, slo)| slo.matches(method, route))
                .map(|(i, _)| i)
                .collect();
            if self.matches.len() >= ROUTE_CACHE_LIMIT {
                self.matches.clear();
            }
            self.matches.insert(self.key.clone(), matched);
        }
        self.matches
            .get(self.key.as_str())
            .map_or(&[], Vec::as_slice)
    }
}

enum Outcome {
    Direct {
        slo: usize,
        good: bool,
    },
    Batch {
        slo: usize,
        good: u64,
        bad: u64,
    },
    Age {
        slo: usize,
        age: Duration,
    },
    Request {
        /// The HTTP status: each SLO classifies it its own way.
        status: u16,
        latency: Option<Duration>,
        /// Marked degraded: bad for a `quality` SLI that it did not fail.
        degraded: bool,
    },
}

impl Running {
    fn start(spec: &Spec, first: i64, every: i64) -> Running {
        // Counting starts just before the first event, so that it counts.
        let clock = ManualClock::new(Timestamp::from_unix_nanos(first - 1));
        let registry = Registry::builder(spec.clone())
            .clock(clock.clone())
            .sample_fill(SampleFill::Step)
            .shards(1)
            .build();
        let handles = registry.handles().map(|(_, h)| h.clone()).collect();
        let next_sample = registry.next_sample_at().as_unix_nanos();
        Running {
            registry,
            clock,
            handles,
            last: first,
            every,
            next_out: (first.div_euclid(every) + 1).saturating_mul(every),
            next_sample,
        }
    }

    fn emit(
        &mut self,
        out: &mut impl Write,
        summary: &mut ReplaySummary,
    ) -> Result<(), ReplayError> {
        let t = self.next_out;
        let at = Timestamp::from_unix_nanos(t);
        self.clock.set(at);
        self.registry.tick_at(at);
        self.next_sample = self.registry.next_sample_at().as_unix_nanos();
        for definition in self.registry.spec().slos() {
            if let Ok(slo) = self.registry.slo_status(definition.name(), at) {
                serde_json::to_writer(
                    &mut *out,
                    &Line {
                        t: t as f64 / 1e9,
                        slo: &slo,
                    },
                )
                .map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
                summary.lines += 1;
            }
        }
        for journey in self.registry.journey_statuses(at) {
            serde_json::to_writer(&mut *out, &JourneyLine::of(t as f64 / 1e9, &journey))
                .map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
            summary.lines += 1;
        }
        self.next_out = t.saturating_add(self.every);
        Ok(())
    }
}

fn json_reason(error: &serde_json::Error) -> String {
    // serde_json appends " at line 1 column N"; the line of the file is ours.
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(i) => format!("{} (column {})", &text[..i], error.column()),
        None => text,
    }
}
