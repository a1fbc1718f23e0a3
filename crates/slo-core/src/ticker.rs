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
pub struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    /// Starts a thread ticking `registry` at half its finest sample spacing
    /// (between 10 ms and 1 s).
    pub fn spawn(registry: &Registry) -> std::io::Result<Ticker> {
        let interval = (registry.finest_spacing() / 2)
            .clamp(Duration::from_millis(10), Duration::from_secs(1));
        Ticker::spawn_every(registry, interval)
    }

    /// Starts a thread ticking `registry` every `interval`.
    pub fn spawn_every(registry: &Registry, interval: Duration) -> std::io::Result<Ticker> {
        let stop = Arc::new(AtomicBool::new(false));
        let registry = registry.clone();
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("slo-ticker".into())
            .spawn(move || {
                while !flag.load(Ordering::Acquire) {
                    registry.tick();
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
