//! The state to persist: every SLO's counts and rings now, for a
//! [`StateFile`](crate::state::StateFile); and what the state costs in
//! memory.

use super::{Registry, restore};
use crate::state::{Snapshot, SnapshotData};
use crate::sync::lock;

impl Registry {
    /// The state of every SLO now (its windows ticked up to now first), to
    /// write to a [`StateFile`](crate::state::StateFile) and restore in a
    /// later process. Takes each SLO's tick lock in turn; recording never
    /// waits for it.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.inner.clock.now();
        let slos = self
            .inner
            .slos
            .iter()
            .map(|slo| {
                let mut state = lock(&slo.tick);
                *state = slo
                    .rings
                    .tick(now.as_unix_nanos(), slo.live(), *state, self.inner.fill);
                // The reasons' rings ticked with the counts saved beside them.
                let reasons = slo.reasons_live();
                slo.reasons
                    .tick(now.as_unix_nanos(), reasons, self.inner.fill);
                restore::save(slo, *state, reasons)
            })
            .collect();
        Snapshot(SnapshotData {
            service: self.inner.spec.service().to_owned(),
            taken_at: now.as_unix_nanos(),
            sources: self.inner.sources.clone(),
            slos,
        })
    }
}
