//! [`StateFile`]: a snapshot on disk, written so that a crash at any
//! instant leaves the old file or the new one, whole.

use std::fs::{self, File};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::codec::MAX_FILE_BYTES;
use super::{RestoreNote, Snapshot, StateError, StateWriter};
use crate::registry::{Registry, RegistryBuilder};

/// Called with the file and the error when a write fails (once per run of
/// failures, not at every retry).
#[derive(Clone)]
pub(crate) struct OnError(pub Arc<Report>);

type Report = dyn Fn(&Path, &StateError) + Send + Sync;

impl std::fmt::Debug for OnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OnError(..)")
    }
}

/// Where a registry's state lives, and how often it is written.
#[derive(Clone, Debug)]
pub struct StateFile {
    path: PathBuf,
    every: Duration,
    on_error: Option<OnError>,
}

impl StateFile {
    /// How often [`StateFile::open`]'s writer writes, unless told otherwise.
    pub const DEFAULT_EVERY: Duration = Duration::from_secs(10);

    /// The state file at `path` (its directory must exist).
    pub fn new(path: impl Into<PathBuf>) -> StateFile {
        StateFile {
            path: path.into(),
            every: StateFile::DEFAULT_EVERY,
            on_error: None,
        }
    }

    /// How often the writer writes (default 10 s; at least 10 ms).
    #[must_use]
    pub fn every(mut self, every: Duration) -> StateFile {
        self.every = every.max(Duration::from_millis(10));
        self
    }

    /// Calls `report` when a write fails: once when writes start failing,
    /// again only after one has succeeded. A write that fails is retried
    /// at the next interval; the service goes on either way.
    #[must_use]
    pub fn on_error(
        mut self,
        report: impl Fn(&Path, &StateError) + Send + Sync + 'static,
    ) -> StateFile {
        self.on_error = Some(OnError(Arc::new(report)));
        self
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The interval between writes.
    pub fn interval(&self) -> Duration {
        self.every
    }

    pub(crate) fn error_reporter(&self) -> Option<OnError> {
        self.on_error.clone()
    }

    /// Restores `builder`'s registry from the file (when there is one and
    /// it can be trusted), builds it, writes the state once, and starts a
    /// [`StateWriter`] that writes it every interval and at shutdown.
    /// Whatever goes wrong with the file becomes a [`RestoreNote`] in the
    /// writer's [`report`](StateWriter::report), and the SLOs concerned
    /// start fresh; the only error is failing to start the writer's thread.
    pub fn open(&self, builder: RegistryBuilder) -> std::io::Result<(Registry, StateWriter)> {
        let mut notes = Vec::new();
        let builder = match self.read() {
            Ok(Some(snapshot)) => builder.restore_first(snapshot),
            Ok(None) => builder,
            Err(error) => {
                notes.push(RestoreNote::Unusable {
                    file: self.path.clone(),
                    error,
                });
                builder
            }
        };
        let registry = builder.build();
        let mut report = registry.restore_report().clone();
        report.file = Some(self.path.clone());
        report.notes.splice(0..0, notes);
        if let Err(error) = self.write(&registry.snapshot()) {
            report.notes.push(RestoreNote::Unwritable {
                file: self.path.clone(),
                error,
            });
        }
        let writer = StateWriter::spawn(&registry, self.clone(), report)?;
        Ok((registry, writer))
    }

    /// The snapshot in the file; `None` when there is no file.
    pub fn read(&self) -> Result<Option<Snapshot>, StateError> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StateError::Io(format!("cannot open it: {e}"))),
        };
        let length = file
            .metadata()
            .map_err(|e| StateError::Io(format!("cannot read it: {e}")))?
            .len();
        if length > MAX_FILE_BYTES {
            return Err(StateError::TooLarge(length));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(length).unwrap_or(0));
        file.take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| StateError::Io(format!("cannot read it: {e}")))?;
        Snapshot::from_bytes(&bytes).map(Some)
    }

    /// Writes `snapshot` atomically: to a temporary file beside the state
    /// file, synced, renamed over it, and the directory synced, so that a
    /// crash leaves the old file or the new one. Calls on one `StateFile`
    /// from several threads of a process must not overlap (they share the
    /// temporary file); a [`StateWriter`] serializes its own.
    pub fn write(&self, snapshot: &Snapshot) -> Result<(), StateError> {
        let encoded = super::codec::encode(&snapshot.0);
        let name = self
            .path
            .file_name()
            .ok_or_else(|| StateError::Io("the path names no file".into()))?;
        // One temporary file per process: two processes given the same
        // state file each rename a whole file of their own into place.
        let mut temporary = name.to_owned();
        temporary.push(format!(".{}.tmp", std::process::id()));
        let temporary = self.path.with_file_name(temporary);
        let io = |what: &str, e: std::io::Error| StateError::Io(format!("{what}: {e}"));
        let mut file = File::create(&temporary)
            .map_err(|e| io(&format!("cannot create {}", temporary.display()), e))?;
        file.write_all(encoded.as_slice())
            // The data and what reading it back needs (its length): the
            // rename and the directory sync below make the name durable.
            .and_then(|()| file.sync_data())
            .map_err(|e| io(&format!("cannot write {}", temporary.display()), e))?;
        drop(file);
        fs::rename(&temporary, &self.path).map_err(|e| io("cannot rename it into place", e))?;
        sync_directory(&self.path).map_err(|e| io("cannot sync its directory", e))?;
        Ok(())
    }
}

/// Syncs the directory holding `path`, so that the rename survives a
/// crash (POSIX; elsewhere the rename is as durable as the system makes it).
fn sync_directory(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
