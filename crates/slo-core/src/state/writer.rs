//! [`StateWriter`]: writes a registry's state every interval, off the
//! request path, and once more at shutdown.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use super::{RestoreReport, StateError, StateFile};
use crate::registry::Registry;

/// Writes a registry's [`Snapshot`](super::Snapshot) to its [`StateFile`]
/// every interval from a thread of its own, and once more when shut down
/// or dropped. Made by [`StateFile::open`] (or [`StateWriter::spawn`]).
/// Recording never waits for it: a snapshot only reads the counters and
/// takes each SLO's tick lock in turn.
#[must_use = "the writer stops, after a last write, when it is dropped"]
pub struct StateWriter {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
    registry: Registry,
    file: StateFile,
    report: RestoreReport,
}

struct Shared {
    last_error: Mutex<Option<StateError>>,
    /// Held for each write: the thread's and `write_now`'s share one
    /// temporary file.
    writing: Mutex<()>,
}

impl Shared {
    fn set(&self, error: Option<StateError>) -> Option<StateError> {
        let mut last = self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        std::mem::replace(&mut *last, error)
    }
}

impl std::fmt::Debug for StateWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateWriter")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl StateWriter {
    /// Starts writing `registry`'s state to `file` every
    /// [`file.interval()`](StateFile::interval); `report` is what restoring
    /// it did (see [`StateWriter::report`]).
    pub fn spawn(
        registry: &Registry,
        file: StateFile,
        report: RestoreReport,
    ) -> std::io::Result<StateWriter> {
        let (stop, stopped) = mpsc::channel::<()>();
        let shared = Arc::new(Shared {
            last_error: Mutex::new(None),
            writing: Mutex::new(()),
        });
        let thread = {
            let (registry, file, shared) = (registry.clone(), file.clone(), Arc::clone(&shared));
            std::thread::Builder::new()
                .name("slo-state".into())
                .spawn(move || {
                    // Ends when told to stop, or when the writer is gone.
                    while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(file.interval())
                    {
                        let _ = write(&registry, &file, &shared);
                    }
                })?
        };
        Ok(StateWriter {
            stop: Some(stop),
            thread: Some(thread),
            shared,
            registry: registry.clone(),
            file,
            report,
        })
    }

    /// What restoring the registry did: the SLOs that continue, and a note
    /// for everything that did not (log [`RestoreReport::warnings`]).
    pub fn report(&self) -> &RestoreReport {
        &self.report
    }

    /// The error of the last write, when it failed.
    pub fn last_error(&self) -> Option<StateError> {
        self.shared
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Writes the state now (as the thread does every interval), and
    /// returns how that write went.
    pub fn write_now(&self) -> Result<(), StateError> {
        write(&self.registry, &self.file, &self.shared)
    }

    /// Stops the thread and writes the state a last time: call it at
    /// graceful shutdown, after the server has drained.
    pub fn shutdown(mut self) -> Result<(), StateError> {
        self.finish()
    }

    fn finish(&mut self) -> Result<(), StateError> {
        let Some(stop) = self.stop.take() else {
            return Ok(());
        };
        drop(stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.write_now()
    }
}

impl Drop for StateWriter {
    fn drop(&mut self) {
        let _ = self.finish();
    }
}

/// One write; reports a failure once per run of failures.
fn write(registry: &Registry, file: &StateFile, shared: &Shared) -> Result<(), StateError> {
    let _writing = shared
        .writing
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match file.write(&registry.snapshot()) {
        Ok(()) => {
            shared.set(None);
            Ok(())
        }
        Err(error) => {
            let was_failing = shared.set(Some(error.clone())).is_some();
            if !was_failing && let Some(report) = file.error_reporter() {
                (report.0)(file.path(), &error);
            }
            Err(error)
        }
    }
}
