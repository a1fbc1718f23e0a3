//! In-process alerts delivered to [Alertmanager]: a service that knows its
//! burn rates at every instant pages through the same Alertmanager, with
//! the same labels, as the fleet's Prometheus rules do — without a rule
//! pipeline of its own.
//!
//! A [`Notifier`] subscribes to a [`Registry`]'s alert transitions
//! ([`slo_core::alerts`]) and posts them to one or more Alertmanagers over
//! API v2 (`POST /api/v2/alerts`):
//!
//! - one alert per firing tier (`SLOErrorBudgetBurn`) and one for a spent
//!   budget (`SLOErrorBudgetExhausted`), labelled exactly as the `ALERTS`
//!   series of the generated rules (`alertname`, `slo`, `severity`,
//!   `sloth_severity`, `long_window`, `short_window`, `sloth_id`,
//!   `sloth_service`, `sloth_slo`) plus your static labels, so that
//!   routing, grouping, inhibition and silences treat in-process and fleet
//!   alerts alike; annotations `summary` and `description` give both
//!   windows' burn rates;
//! - firing alerts are re-sent every interval (default 30 s) with `endsAt`
//!   four intervals ahead, so that Alertmanager resolves them by itself if
//!   the service dies; a resolution is sent once, with `endsAt` = now;
//! - each Alertmanager has a thread, a bounded queue, a timeout and a
//!   backoff of its own: one that is down, hung or hostile never slows a
//!   request, the ticker or the other Alertmanagers, never grows memory,
//!   and is reported at most once per interval; when it comes back it gets
//!   the current state;
//! - [`Notifier::shutdown`] delivers what is owed within a bound.
//!
//! Transitions come from the registry's ticks, so a [`slo_core::Ticker`]
//! (or your own ticking) must run.
//!
//! ```no_run
//! use slo_alertmanager::Notifier;
//! use slo_core::{Registry, Spec, Ticker};
//!
//! let spec = Spec::from_yaml("service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n")?;
//! let registry = Registry::new(spec);
//! let _ticker = Ticker::spawn(&registry)?;
//! let notifier = Notifier::builder(&registry)
//!     .alertmanager("http://alertmanager:9093")?
//!     .label("instance", "shop-1:3000")?
//!     .build()?;
//! // … serve …
//! notifier.shutdown();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [Alertmanager]: https://prometheus.io/docs/alerting/latest/alertmanager/

mod answer;
mod payload;
mod worker;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use slo_core::Registry;

pub use slo_core::series::{BURN_ALERT, EXHAUSTED_ALERT};

/// For `slo`'s fuzz targets; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::answer::{MAX_EXPLANATION, explain_refusal};
}

/// A delivery that failed: which Alertmanager, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("alertmanager {alertmanager}: {reason}")]
pub struct DeliveryError {
    /// The Alertmanager's URL, as given.
    pub alertmanager: String,
    /// What went wrong: cannot connect, no answer in time, an HTTP status
    /// and the Alertmanager's explanation.
    pub reason: String,
}

/// A notifier that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotifierError {
    /// Not an `http://` or `https://` URL with a host.
    #[error("{0:?} is not an http:// or https:// URL of an Alertmanager")]
    Url(String),
    /// No Alertmanager was given.
    #[error("no Alertmanager to deliver to")]
    NoAlertmanager,
    /// A static label whose name Prometheus would refuse.
    #[error("{0:?} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)")]
    LabelName(String),
    /// A static label that would replace one the alert itself carries.
    #[error("label {0:?} is set by the notifier itself (it names the alert)")]
    ReservedLabel(String),
    /// An interval or timeout of zero.
    #[error("{0} must be greater than zero")]
    Zero(&'static str),
    /// An interval or timeout longer than a day.
    #[error("{0} must be at most a day")]
    TooLong(&'static str),
    /// A delivery thread could not be started.
    #[error("cannot start a delivery thread: {0}")]
    Thread(String),
}

/// The user's report of failed deliveries (its Debug names it, nothing
/// more).
#[derive(Clone)]
pub(crate) struct OnError(pub Arc<dyn Fn(&DeliveryError) + Send + Sync>);

impl std::fmt::Debug for OnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnError(..)")
    }
}

/// The longest interval or timeout taken.
const MAX_DURATION: Duration = Duration::from_secs(86_400);
/// The largest queue taken: a channel allocates all of it up front.
const MAX_QUEUE: usize = 65_536;

/// What every worker shares.
pub(crate) struct Settings {
    pub labels: BTreeMap<String, String>,
    pub interval: Duration,
    pub timeout: Duration,
    pub generator_url: Option<String>,
    pub on_error: OnError,
}

/// Configures a [`Notifier`]; see [`Notifier::builder`].
#[must_use]
#[derive(Debug)]
pub struct NotifierBuilder {
    registry: Registry,
    alertmanagers: Vec<(String, String)>,
    labels: BTreeMap<String, String>,
    interval: Duration,
    timeout: Duration,
    shutdown_timeout: Duration,
    queue: usize,
    generator_url: Option<String>,
    on_error: Option<OnError>,
}

impl NotifierBuilder {
    /// Delivers to the Alertmanager at `url` (its base, such as
    /// `http://alertmanager:9093`, or one under a path prefix); repeatable.
    pub fn alertmanager(mut self, url: &str) -> Result<Self, NotifierError> {
        let base = url.trim().trim_end_matches('/');
        let host = base
            .strip_prefix("http://")
            .or_else(|| base.strip_prefix("https://"));
        if host
            .is_none_or(|h| h.is_empty() || h.starts_with('/') || h.contains(char::is_whitespace))
        {
            return Err(NotifierError::Url(url.to_owned()));
        }
        self.alertmanagers
            .push((url.to_owned(), format!("{base}/api/v2/alerts")));
        Ok(self)
    }

    /// Adds a static label to every alert, such as `instance` or `env`.
    pub fn label(mut self, name: &str, value: &str) -> Result<Self, NotifierError> {
        let mut chars = name.chars();
        let valid = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with("__");
        if !valid {
            return Err(NotifierError::LabelName(name.to_owned()));
        }
        if payload::OWN_LABELS.contains(&name) {
            return Err(NotifierError::ReservedLabel(name.to_owned()));
        }
        self.labels.insert(name.to_owned(), value.to_owned());
        Ok(self)
    }

    /// How often firing alerts are re-sent (default 30 s, at most a day); `endsAt` is
    /// four intervals ahead. Also the longest backoff, and the shortest
    /// time between two reports of failure.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// How long one delivery may take (default 5 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long [`Notifier::shutdown`] may take in all (default 2 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// Transitions each Alertmanager's queue holds while its delivery is
    /// busy (default 1,024; at most 65,536). When it overflows the worker reads the
    /// current state again, so nothing is lost but intermediate flaps.
    pub fn queue(mut self, transitions: usize) -> Self {
        self.queue = transitions.clamp(1, MAX_QUEUE);
        self
    }

    /// The `generatorURL` of every alert, such as the service's `/slo`.
    pub fn generator_url(mut self, url: impl Into<String>) -> Self {
        self.generator_url = Some(url.into());
        self
    }

    /// Called when a delivery fails (at most once per interval and
    /// Alertmanager). Default: a `tracing` warning.
    pub fn on_error(mut self, report: impl Fn(&DeliveryError) + Send + Sync + 'static) -> Self {
        self.on_error = Some(OnError(Arc::new(report)));
        self
    }

    /// Starts one delivery thread per Alertmanager.
    pub fn build(self) -> Result<Notifier, NotifierError> {
        if self.alertmanagers.is_empty() {
            return Err(NotifierError::NoAlertmanager);
        }
        for (value, what) in [
            (self.interval, "the interval"),
            (self.timeout, "the timeout"),
            (self.shutdown_timeout, "the shutdown timeout"),
        ] {
            if value.is_zero() {
                return Err(NotifierError::Zero(what));
            }
            if value > MAX_DURATION {
                return Err(NotifierError::TooLong(what));
            }
        }
        let settings = Arc::new(Settings {
            labels: self.labels,
            interval: self.interval,
            timeout: self.timeout,
            generator_url: self.generator_url,
            on_error: self.on_error.unwrap_or_else(|| {
                OnError(Arc::new(|error: &DeliveryError| tracing::warn!("{error}")))
            }),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let deadline = Arc::new(std::sync::OnceLock::new());
        let (done, finished) = mpsc::channel();
        let mut threads = Vec::with_capacity(self.alertmanagers.len());
        for (url, endpoint) in self.alertmanagers {
            let worker = worker::Worker {
                url,
                endpoint,
                registry: self.registry.clone(),
                receiver: self.registry.subscribe_alerts(self.queue),
                settings: Arc::clone(&settings),
                stop: Arc::clone(&stop),
                deadline: Arc::clone(&deadline),
                done: done.clone(),
            };
            let thread = std::thread::Builder::new()
                .name("slo-alertmanager".into())
                .spawn(move || worker.run());
            match thread {
                Ok(thread) => threads.push(thread),
                Err(e) => {
                    stop.store(true, Ordering::Release);
                    return Err(NotifierError::Thread(e.to_string()));
                }
            }
        }
        Ok(Notifier {
            stop,
            deadline,
            threads,
            finished,
            shutdown_timeout: self.shutdown_timeout,
        })
    }
}

/// Delivers a registry's alert transitions to Alertmanagers until shut
/// down (or dropped, which shuts it down the same way).
#[derive(Debug)]
#[must_use = "the notifier stops when it is dropped"]
pub struct Notifier {
    stop: Arc<AtomicBool>,
    deadline: Arc<std::sync::OnceLock<Instant>>,
    threads: Vec<JoinHandle<()>>,
    finished: mpsc::Receiver<()>,
    shutdown_timeout: Duration,
}

impl Notifier {
    /// How often firing alerts are re-sent unless told otherwise.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
    /// How long one delivery may take unless told otherwise.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
    /// How long shutdown may take unless told otherwise.
    pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(2);

    /// Configures a notifier for `registry`'s alerts.
    pub fn builder(registry: &Registry) -> NotifierBuilder {
        NotifierBuilder {
            registry: registry.clone(),
            alertmanagers: Vec::new(),
            labels: BTreeMap::new(),
            interval: Notifier::DEFAULT_INTERVAL,
            timeout: Notifier::DEFAULT_TIMEOUT,
            shutdown_timeout: Notifier::DEFAULT_SHUTDOWN_TIMEOUT,
            queue: 1024,
            generator_url: None,
            on_error: None,
        }
    }

    /// Stops delivering: each Alertmanager gets what it is owed (changes
    /// not yet delivered) in one last attempt, and this returns within the
    /// shutdown timeout whatever they do; a delivery still hung then is
    /// left to end on its own timeout. Firing alerts are not resolved:
    /// they expire at their `endsAt` unless the next process re-sends them.
    /// Returns whether every thread finished in time.
    pub fn shutdown(mut self) -> bool {
        self.stop_within()
    }

    fn stop_within(&mut self) -> bool {
        if self.threads.is_empty() {
            return true;
        }
        let now = Instant::now();
        // The workers' last deliveries end a little before the bound, so
        // that they are over when it is.
        let deadline = now.checked_add(self.shutdown_timeout).unwrap_or(now);
        let _ = self.deadline.set(
            deadline
                .checked_sub(Duration::from_millis(100))
                .unwrap_or(now),
        );
        self.stop.store(true, Ordering::Release);
        let mut finished = 0;
        while finished < self.threads.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            if self.finished.recv_timeout(left).is_err() {
                break;
            }
            finished += 1;
        }
        let all = finished == self.threads.len();
        let threads = std::mem::take(&mut self.threads);
        if all {
            for thread in threads {
                let _ = thread.join();
            }
        }
        all
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        self.stop_within();
    }
}
