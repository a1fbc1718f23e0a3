//! A batch pipeline: batches of records are produced upstream with a
//! timestamp, then loaded. Three SLIs: freshness through the handle (a
//! freshness SLI over the age of the batch's data when loaded),
//! completeness through the attribute's `batch` (each record loaded is
//! good, each rejected one bad, one add per count), and the load runs
//! through the attribute's `good_if`.

use std::time::{Duration, Instant};

use slo::{Registry, SliHandle};

/// A batch as it arrives: its records and when it was produced.
pub struct Batch {
    /// Sequence number.
    pub id: u64,
    /// When upstream produced it.
    pub produced: Instant,
    /// Records; `false` marks a malformed one the load rejects.
    pub records: Vec<bool>,
}

/// What loading a batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    /// Records loaded.
    pub accepted: u64,
    /// Records rejected.
    pub rejected: u64,
}

/// The pipeline's SLO handle, resolved once.
pub struct Pipeline {
    freshness: SliHandle,
}

impl Pipeline {
    /// Resolves the handle; an unknown name is an error naming it.
    pub fn new(registry: &Registry) -> Result<Pipeline, slo::UnknownSlo> {
        Ok(Pipeline {
            freshness: registry.handle("pipeline-freshness")?,
        })
    }

    /// Loads one batch and records the age of its data.
    pub fn run(&self, batch: &Batch) -> Loaded {
        let loaded = load(batch);
        // Fresh when its data is at most the SLO's threshold old.
        self.freshness.record_freshness(batch.produced.elapsed());
        loaded
    }
}

/// The load step. Into `pipeline-completeness`, a batch of events: each
/// record loaded good, each rejected one bad (`batch` reads the counts off
/// the result). Into `pipeline-runs`, one event per run: a run that loaded
/// nothing failed (`good_if` decides, as the step returns no `Result`).
#[slo::measure("pipeline-completeness", batch = |loaded: &Loaded| (loaded.accepted, loaded.rejected))]
#[slo::measure("pipeline-runs", good_if = |loaded: &Loaded| loaded.accepted > 0)]
fn load(batch: &Batch) -> Loaded {
    let mut loaded = Loaded::default();
    for ok in &batch.records {
        if *ok {
            loaded.accepted += 1;
        } else {
            loaded.rejected += 1;
        }
    }
    std::thread::sleep(Duration::from_millis(1));
    loaded
}
