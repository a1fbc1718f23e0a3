//! Durable windows: a registry's state written to a file and restored at
//! the next start, so that a restart, a deploy or a `kill -9` does not
//! throw the error-budget windows away.
//!
//! - [`Snapshot`]: every SLO's cumulative counts (good, bad, excluded,
//!   latency buckets and sum), its window rings and thereby its chart
//!   history, taken by [`Registry::snapshot`](crate::Registry::snapshot).
//! - [`StateFile`]: a snapshot on disk, written atomically (a temporary
//!   file, fsync, rename, fsync of the directory), so that a crash at any
//!   instant leaves the old file or the new one, whole.
//! - [`RegistryBuilder::restore`](crate::RegistryBuilder::restore): a new
//!   registry continues from a snapshot; the time the process was down
//!   reads as no events. What could not be restored, and why, is in its
//!   [`RestoreReport`].
//! - [`StateWriter`]: writes the file every interval (default 10 s) from a
//!   thread of its own, and once more at shutdown.
//!
//! [`StateFile::open`] wires all of it in one call:
//!
//! ```
//! use slo_core::state::StateFile;
//! use slo_core::{Registry, Spec};
//!
//! let dir = std::env::temp_dir().join(format!("slo-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let spec = Spec::from_yaml("service: shop\nslos:\n  - name: checkout\n    objective: 99.9%\n")?;
//! let (registry, writer) = StateFile::new(dir.join("shop.slo-state")).open(Registry::builder(spec.clone()))?;
//! registry.handle("checkout")?.record(true);
//! writer.shutdown()?; // the last write
//!
//! // The next process continues from the file.
//! let (again, writer) = StateFile::new(dir.join("shop.slo-state")).open(Registry::builder(spec))?;
//! assert_eq!(again.status().slos[0].events.good, 1);
//! assert_eq!(writer.report().restored, ["checkout"]);
//! # writer.shutdown()?;
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! An SLO keeps its history while its SLI, its routes and its period are
//! unchanged; a changed objective, description or `min_events` keeps it
//! too. A new or changed SLO starts fresh, and so does every SLO when the
//! file cannot be trusted (corrupt, truncated, another format version or
//! service, taken in the future, or older than the period): each case is a
//! [`RestoreNote`], never a panic.
//!
//! The exported counters (`slo_events_total` and the rest) still start
//! from zero in each process, as every Prometheus client's do: Prometheus
//! reads a restart as a counter reset. Carrying the old totals into them
//! would double-count whatever the last file missed (events after its last
//! write), because a counter that drops below its last scrape reads as a
//! reset too.

mod backfill;
pub(crate) mod codec;
mod deltas;
mod file;
pub(crate) mod identity;
mod report;
mod writer;

pub use backfill::{Backfill, BackfillError, Resolution, SOURCE_PROMETHEUS, SOURCE_SIMULATED};
pub use codec::StateError;
pub use file::StateFile;
pub use report::{RestoreNote, RestoreReport};
pub use writer::StateWriter;

pub(crate) use codec::{SavedSlo, Snapshot as SnapshotData};
pub(crate) use report::SOURCE_STATE_FILE;

/// A registry's state at one instant; see [`Registry::snapshot`](crate::Registry::snapshot).
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot(pub(crate) SnapshotData);

impl Snapshot {
    /// The service the state belongs to.
    pub fn service(&self) -> &str {
        &self.0.service
    }

    /// When it was taken.
    pub fn taken_at(&self) -> crate::Timestamp {
        crate::Timestamp::from_unix_nanos(self.0.taken_at)
    }

    /// The SLOs it holds, in the order they were saved.
    pub fn slo_names(&self) -> impl Iterator<Item = &str> {
        self.0.slos.iter().map(|slo| slo.name.as_str())
    }

    /// The SLOs of `spec` this snapshot would restore at `now` (see
    /// [`RegistryBuilder::restore`](crate::RegistryBuilder::restore)): so
    /// that a service can skip fetching history it already has, such as a
    /// warm start when its state file holds every SLO.
    pub fn restorable(&self, spec: &crate::Spec, now: crate::Timestamp) -> Vec<String> {
        identity::restorable(&self.0, spec, now)
    }

    /// The bytes of a state file holding this snapshot.
    pub fn to_bytes(&self) -> Vec<u8> {
        codec::encode(&self.0).into_vec()
    }

    /// Reads the bytes of a state file: every check that needs no spec
    /// (format, version, length, checksum, internal consistency).
    pub fn from_bytes(bytes: &[u8]) -> Result<Snapshot, StateError> {
        codec::decode(bytes).map(Snapshot)
    }
}
