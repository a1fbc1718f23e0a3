//! One Alertmanager's delivery thread: its own subscription to the
//! registry's transitions (a bounded queue), its own book of what is
//! firing and what resolution it still owes, its own timeout and backoff.
//! Nothing here runs on the ticker's or a request's thread, and nothing
//! grows with time: the book holds at most one entry per alert.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use slo_core::alerts::{Alert, AlertKind, AlertReceiver, AlertState, AlertTransition};
use slo_core::{Registry, Timestamp};

use crate::answer::explain_refusal;
use crate::payload::{self, Numbers, PostableAlert};
use crate::{DeliveryError, Settings};

/// How often a waiting worker looks at its stop flag.
const POLL: Duration = Duration::from_millis(50);
/// The first retry after a failure; it doubles up to the interval.
const FIRST_RETRY: Duration = Duration::from_millis(500);
/// The most of an answer that is read: enough for any explanation.
const MAX_ANSWER: u64 = 64 << 10;

type Key = (String, AlertKind);

/// `at + wait`, or far ahead when that is past what an `Instant` holds.
fn later(at: Instant, wait: Duration) -> Instant {
    at.checked_add(wait)
        .or_else(|| at.checked_add(Duration::from_secs(86_400 * 365)))
        .unwrap_or(at)
}

/// What the book knows of one alert.
struct Entry {
    alert: Arc<Alert>,
    starts_at: Timestamp,
    /// When it resolved; the resolution is owed until delivered.
    resolved_at: Option<Timestamp>,
    numbers: Numbers,
}

pub(crate) struct Worker {
    pub url: String,
    pub endpoint: String,
    pub registry: Registry,
    pub receiver: AlertReceiver,
    pub settings: Arc<Settings>,
    pub stop: Arc<AtomicBool>,
    /// When shutdown must be over, set before `stop`.
    pub deadline: Arc<std::sync::OnceLock<Instant>>,
    /// Told when the thread ends, so that shutdown can wait with a bound.
    pub done: Sender<()>,
}

struct State {
    book: HashMap<Key, Entry>,
    /// Something changed since the last delivery.
    dirty: bool,
    /// When firing alerts are next re-sent.
    resend_at: Instant,
    /// No attempt before this (backoff after a failure).
    retry_at: Instant,
    failures: u32,
    /// When a failure was last reported; at most one report per interval.
    reported_at: Option<Instant>,
    dropped_seen: u64,
}

impl Worker {
    pub fn run(self) {
        // A redirect is not a delivery: followed, a POST becomes a GET
        // without its body, and a login page's 200 would read as success.
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        let now = Instant::now();
        let mut state = State {
            book: HashMap::new(),
            dirty: false,
            resend_at: later(now, self.settings.interval),
            retry_at: now,
            failures: 0,
            reported_at: None,
            dropped_seen: 0,
        };
        loop {
            let stopping = self.stop.load(Ordering::Acquire);
            let gone = if stopping {
                // What the last ticks said is owed too.
                while let Some(next) = self.receiver.try_recv() {
                    self.apply(&mut state, next);
                }
                false
            } else {
                self.take_transitions(&mut state)
            };
            self.resync_if_behind(&mut state);
            let now = Instant::now();
            if stopping || gone {
                if state.dirty {
                    // The last delivery, within what shutdown has left.
                    let left = self
                        .deadline
                        .get()
                        .map_or(self.settings.timeout, |deadline| {
                            deadline.saturating_duration_since(now)
                        })
                        .min(self.settings.timeout);
                    if !left.is_zero() {
                        let _ = self.deliver(&agent, &mut state, left);
                    }
                }
                break;
            }
            if state.book.is_empty() {
                state.dirty = false;
            }
            let due = (state.dirty || (!state.book.is_empty() && now >= state.resend_at))
                && now >= state.retry_at;
            if due {
                let _ = self.deliver(&agent, &mut state, self.settings.timeout);
            }
        }
        let _ = self.done.send(());
    }

    /// Waits up to [`POLL`] for transitions and applies all that came;
    /// `true` when the registry is gone.
    fn take_transitions(&self, state: &mut State) -> bool {
        match self.receiver.recv_timeout(POLL) {
            Ok(first) => {
                self.apply(state, first);
                while let Some(next) = self.receiver.try_recv() {
                    self.apply(state, next);
                }
                false
            }
            Err(gone) => gone,
        }
    }

    fn apply(&self, state: &mut State, transition: AlertTransition) {
        let key = (transition.alert.slo.clone(), transition.alert.kind);
        let numbers = Numbers {
            long_burn_rate: transition.long_burn_rate,
            short_burn_rate: transition.short_burn_rate,
            budget_remaining: transition.budget_remaining,
        };
        match transition.state {
            AlertState::Firing => {
                state.book.insert(
                    key,
                    Entry {
                        alert: transition.alert,
                        starts_at: transition.firing_since,
                        resolved_at: None,
                        numbers,
                    },
                );
            }
            AlertState::Resolved => match state.book.get_mut(&key) {
                Some(entry) => {
                    entry.resolved_at = Some(transition.at);
                    entry.numbers = numbers;
                }
                None => {
                    state.book.insert(
                        key,
                        Entry {
                            alert: transition.alert,
                            starts_at: transition.firing_since,
                            resolved_at: Some(transition.at),
                            numbers,
                        },
                    );
                }
            },
        }
        state.dirty = true;
    }

    /// When this worker's queue overflowed, the book is rebuilt from what
    /// fires now: whatever it thought firing and no longer is resolves.
    fn resync_if_behind(&self, state: &mut State) {
        let dropped = self.receiver.dropped();
        if dropped == state.dropped_seen {
            return;
        }
        state.dropped_seen = dropped;
        // Whatever is still queued is older than the state read below.
        while self.receiver.try_recv().is_some() {}
        let now = self.registry.clock().now();
        let firing = self.registry.firing_alerts();
        for entry in state.book.values_mut() {
            let still = firing
                .iter()
                .any(|t| t.alert.slo == entry.alert.slo && t.alert.kind == entry.alert.kind);
            if !still && entry.resolved_at.is_none() {
                entry.resolved_at = Some(now);
            }
        }
        for transition in firing {
            self.apply(state, transition);
        }
        state.dirty = true;
    }

    /// Posts everything the book holds: firing alerts with `endsAt` four
    /// intervals ahead, owed resolutions with their `endsAt`.
    fn deliver(
        &self,
        agent: &ureq::Agent,
        state: &mut State,
        timeout: Duration,
    ) -> Result<(), DeliveryError> {
        let now = self.registry.clock().now();
        let ahead =
            i64::try_from(self.settings.interval.saturating_mul(4).as_nanos()).unwrap_or(i64::MAX);
        let ends_ahead = Timestamp::from_unix_nanos(now.as_unix_nanos().saturating_add(ahead));
        let spec = self.registry.spec();
        let alerts: Vec<PostableAlert> = state
            .book
            .values()
            .map(|entry| {
                let name = entry.alert.slo.as_str();
                // A journey's alert carries the journey's name.
                let (objective, description, ownership) = match spec.slo(name) {
                    Ok(d) => (d.objective(), d.description(), Some(d.ownership())),
                    Err(_) => spec.journey(name).map_or((0.0, None, None), |j| {
                        (j.objective(), j.description(), Some(j.ownership()))
                    }),
                };
                PostableAlert {
                    labels: payload::labels(
                        spec.service(),
                        &entry.alert,
                        ownership,
                        &self.settings.labels,
                    ),
                    annotations: payload::annotations(
                        spec.service(),
                        &entry.alert,
                        ownership,
                        objective,
                        description,
                        &entry.numbers,
                    ),
                    starts_at: payload::time(entry.starts_at),
                    // Alertmanager refuses an end before the start (a
                    // clock that stepped back, say).
                    ends_at: payload::time(
                        entry.resolved_at.unwrap_or(ends_ahead).max(entry.starts_at),
                    ),
                    generator_url: self.settings.generator_url.clone(),
                }
            })
            .collect();
        let result = self.post(agent, &alerts, timeout);
        let at = Instant::now();
        match &result {
            Ok(()) => {
                state.book.retain(|_, entry| entry.resolved_at.is_none());
                state.dirty = false;
                state.resend_at = later(at, self.settings.interval);
                if state.failures > 0 {
                    tracing::info!(alertmanager = %self.url, "delivering alerts again");
                }
                state.failures = 0;
                state.retry_at = at;
            }
            Err(error) => {
                state.failures = state.failures.saturating_add(1);
                let backoff = FIRST_RETRY
                    .saturating_mul(1u32 << state.failures.saturating_sub(1).min(16))
                    .min(self.settings.interval);
                state.retry_at = later(at, backoff);
                state.dirty = true;
                if state
                    .reported_at
                    .is_none_or(|last| at.duration_since(last) >= self.settings.interval)
                {
                    state.reported_at = Some(at);
                    // A panicking reporter must not end delivery.
                    let report = &self.settings.on_error;
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        (report.0)(error)
                    }));
                }
            }
        }
        result
    }

    fn post(
        &self,
        agent: &ureq::Agent,
        alerts: &[PostableAlert],
        timeout: Duration,
    ) -> Result<(), DeliveryError> {
        let failed = |reason: String| DeliveryError {
            alertmanager: self.url.clone(),
            reason,
        };
        let body = serde_json::to_vec(alerts).map_err(|e| failed(e.to_string()))?;
        let response = agent
            .post(&self.endpoint)
            .config()
            .timeout_global(Some(timeout))
            .build()
            .header("Content-Type", "application/json")
            .send(&body[..]);
        let mut response = response.map_err(|e| {
            failed(match e {
                ureq::Error::Timeout(_) => {
                    format!("no answer within {}", slo_core::format_duration(timeout))
                }
                ureq::Error::Io(e) => format!("cannot connect: {e}"),
                ureq::Error::ConnectionFailed => "cannot connect".into(),
                ureq::Error::HostNotFound => "host not found".into(),
                other => other.to_string(),
            })
        })?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(());
        }
        if (300..400).contains(&status) {
            let to = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .map(|to| explain_refusal(to.as_bytes()))
                .unwrap_or_else(|| "nowhere".to_owned());
            return Err(failed(format!(
                "answered HTTP {status}, a redirect to {to}: give the Alertmanager's own URL"
            )));
        }
        let answer = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_vec()
            .unwrap_or_default();
        Err(failed(format!(
            "answered HTTP {status}: {}",
            explain_refusal(&answer)
        )))
    }
}
