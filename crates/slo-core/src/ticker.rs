//! A background thread that keeps a registry's windows sampled in real time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::Registry;

/// Ticks a [`Registry`] from a background thread until dropped (or
/// [`Ticker::stop`]ped). If the thread is starved, the next tick fills the
/// samples it missed.
///
/// ```
/// use slo_core::{Registry, SloDefinition, Spec, Ticker};
/// let spec = Spec::builder("svc").slo(SloDefinition::builder("a").objective(0.99)).build()?;
/// let registry = Registry::new(spec);
/// let ticker = Ticker::spawn(&registry)?;
/// ticker.stop();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use = "the ticker stops when it is dropped: keep it for as long as the registry should tick"]
pub struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    /// Starts a thread ticking `registry` at [`Ticker::default_interval`].
    pub fn spawn(registry: &Registry) -> std::io::Result<Ticker> {
        Ticker::spawn_every(registry, Ticker::default_interval(registry))
    }

    /// Half the registry's finest sample spacing, between 10 ms and 1 s.
    pub fn default_interval(registry: &Registry) -> Duration {
        (registry.finest_spacing() / 2).clamp(Duration::from_millis(10), Duration::from_secs(1))
    }

    /// Starts a thread ticking `registry` every `interval`.
    pub fn spawn_every(registry: &Registry, interval: Duration) -> std::io::Result<Ticker> {
        Ticker::spawn_with(registry, interval, || {})
    }

    /// Starts a thread ticking `registry` every `interval` and calling
    /// `after_tick` after each tick (an exporter's sync, say). A panic in
    /// `after_tick` is caught: the ticker keeps ticking.
    pub fn spawn_with(
        registry: &Registry,
        interval: Duration,
        mut after_tick: impl FnMut() + Send + 'static,
    ) -> std::io::Result<Ticker> {
        let stop = Arc::new(AtomicBool::new(false));
        let registry = registry.clone();
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("slo-ticker".into())
            .spawn(move || {
                while !flag.load(Ordering::Acquire) {
                    registry.tick();
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(&mut after_tick));
                    std::thread::park_timeout(interval);
                }
            })?;
        Ok(Ticker {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops the thread and waits for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::{SloDefinition, Spec};
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn the_hook_runs_after_ticks_and_a_panicking_hook_does_not_stop_them() {
        let spec = Spec::builder("svc")
            .slo(SloDefinition::builder("a").objective(0.99))
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let registry = Registry::new(spec);
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::clone(&calls);
        let ticker = Ticker::spawn_with(&registry, Duration::from_millis(5), move || {
            if seen.fetch_add(1, Ordering::Relaxed).is_multiple_of(2) {
                panic!("a broken exporter");
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while calls.load(Ordering::Relaxed) < 6 {
            assert!(std::time::Instant::now() < deadline, "the ticker stopped");
            std::thread::sleep(Duration::from_millis(5));
        }
        ticker.stop();
    }
}
