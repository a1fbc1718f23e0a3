//! Maintenance windows at run time: which SLOs are in one now (a flag the
//! ticks set and every record reads), windows added by a deploy pipeline,
//! and what `/slo` says of them.

use super::{Registry, SloEntry};
use crate::clock::Timestamp;
use crate::maintenance::{MaintenanceError, MaintenanceWindow};
use crate::status::MaintenanceStatus;
use crate::sync::lock;

impl Registry {
    /// Adds a maintenance window from `from` until `until`, for every SLO,
    /// as a deploy pipeline would: events recorded inside it are excluded
    /// with reason `maintenance`, and `/slo` shows it. It takes effect at
    /// once when it holds now. Refused when `until` is not after `from`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use slo_core::{ManualClock, Registry, SloDefinition, Spec, Timestamp};
    ///
    /// let clock = ManualClock::new(Timestamp::from_unix_nanos(1_800_000_000_000_000_000));
    /// let registry = Registry::builder(Spec::builder("shop")
    ///     .slo(SloDefinition::builder("checkout").objective(0.999))
    ///     .build()?)
    ///     .clock(clock.clone())
    ///     .build();
    /// let now = Timestamp::from_unix_nanos(1_800_000_000_000_000_000);
    /// registry.maintenance(now, now.saturating_add(Duration::from_secs(600)))?;
    /// registry.handle("checkout")?.record_bad();
    /// let totals = registry.totals("checkout")?;
    /// assert_eq!((totals.bad, totals.maintenance), (0, 1));
    /// assert!(registry.status().slos[0].maintenance.as_ref().is_some_and(|m| m.active));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn maintenance(&self, from: Timestamp, until: Timestamp) -> Result<(), MaintenanceError> {
        let window = MaintenanceWindow::new(from, until.saturating_duration_since(from), None)?;
        lock(&self.inner.maintenance).push(window);
        self.apply_maintenance_at(self.inner.clock.wall());
        Ok(())
    }

    /// Sets every SLO's maintenance flag for the wall clock's instant
    /// `now`.
    pub(crate) fn apply_maintenance_at(&self, now: Timestamp) {
        let added = lock(&self.inner.maintenance);
        for slo in &self.inner.slos {
            let active = slo
                .maintenance
                .iter()
                .chain(added.iter())
                .any(|window| window.active_at(now).is_some());
            slo.handle
                .cell
                .in_maintenance
                .store(active, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Whether a maintenance window of `slo` holds at the wall clock's
    /// instant `now`.
    pub(super) fn in_maintenance_at(&self, slo: &SloEntry, now: Timestamp) -> bool {
        let added = lock(&self.inner.maintenance);
        slo.maintenance
            .iter()
            .chain(added.iter())
            .any(|window| window.active_at(now).is_some())
    }

    /// `/slo`'s `maintenance` of `slo` at the wall clock's instant `now`;
    /// `None` without windows.
    pub(super) fn maintenance_status(
        &self,
        slo: &SloEntry,
        now: Timestamp,
    ) -> Option<MaintenanceStatus> {
        let added = lock(&self.inner.maintenance);
        let windows: Vec<&MaintenanceWindow> = slo.maintenance.iter().chain(added.iter()).collect();
        if windows.is_empty() {
            return None;
        }
        let until = windows.iter().filter_map(|w| w.active_at(now)).max();
        let next_start = windows.iter().filter_map(|w| w.next_start(now)).min();
        Some(MaintenanceStatus {
            active: until.is_some(),
            until: until.map(|t| t.to_string()),
            next_start: next_start.map(|t| t.to_string()),
        })
    }
}
