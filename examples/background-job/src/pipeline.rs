//! A batch pipeline: batches of records are produced upstream with a
//! timestamp, then loaded. Two SLIs through the handle API: freshness (a
//! batch is good when loaded within its deadline: a latency SLI over the
//! batch's age) and completeness (each record loaded is good, each rejected
//! one bad). The load step itself is measured with the attribute too.

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

/// The pipeline's SLO handles, resolved once.
pub struct Pipeline {
    freshness: SliHandle,
    completeness: SliHandle,
}

impl Pipeline {
    /// Resolves the handles; an unknown name is an error naming it.
    pub fn new(registry: &Registry) -> Result<Pipeline, slo::UnknownSlo> {
        Ok(Pipeline {
            freshness: registry.handle("pipeline-freshness")?,
            completeness: registry.handle("pipeline-completeness")?,
        })
    }

    /// Loads one batch and records its freshness and completeness.
    pub fn run(&self, batch: &Batch) -> Loaded {
        let loaded = load(batch);
        for _ in 0..loaded.accepted {
            self.completeness.record_good();
        }
        for _ in 0..loaded.rejected {
            self.completeness.record_bad();
        }
        // Fresh when loaded within the SLO's threshold of being produced.
        self.freshness
            .record_latency(batch.produced.elapsed(), loaded.accepted > 0);
        loaded
    }
}

/// The load step, one event per run into `pipeline-runs`: a run that
/// loaded nothing failed (`good_if` decides, as the step returns no
/// `Result`). Per-record completeness is counted by [`Pipeline::run`].
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
