//! What tests and benchmarks read of a registry beyond the status document
//! (through `slo_core::__private`; not a stable API): each window's
//! counts, and the memory an SLO holds.

use std::time::Duration;

use super::Registry;
use crate::clock::Timestamp;
use crate::handle::SliCell;
use crate::spec::UnknownSlo;
use crate::windows::{SloWindows, Tier, Window};

/// The events in one window; see [`window_events`].
#[derive(Debug, Clone, PartialEq)]
pub struct WindowEvents {
    /// The window's label, such as `5m`.
    pub label: String,
    /// The window's length.
    pub duration: Duration,
    /// Good events (fractional where the window's start is interpolated).
    pub good: f64,
    /// Bad events.
    pub bad: f64,
}

/// Good and bad events in each window of the SLO named `name`, ending at
/// `now` (interpolated inside one sample spacing at the window's start),
/// in the order of its windows.
pub fn window_events(
    registry: &Registry,
    name: &str,
    now: Timestamp,
) -> Result<Vec<WindowEvents>, UnknownSlo> {
    let slo = registry.slo(name)?;
    let counts = registry.window_counts(slo, now);
    Ok(slo
        .definition
        .windows()
        .all()
        .iter()
        .zip(counts)
        .map(|(w, (good, bad))| WindowEvents {
            label: w.label.clone(),
            duration: w.duration,
            good,
            bad,
        })
        .collect())
}

/// Approximate bytes of memory held for the SLO named `name` (counters,
/// rings, handle, windows), its definition's other strings aside.
pub fn memory_per_slo(registry: &Registry, name: &str) -> Result<usize, UnknownSlo> {
    let slo = registry.slo(name)?;
    Ok(std::mem::size_of::<super::SloEntry>()
        + std::mem::size_of::<SliCell>()
        + slo.handle.cell.counters.heap_bytes()
        + slo.handle.cell.bounds_nanos.len() * 8
        + slo.rings.heap_bytes()
        + slo.excluded.heap_bytes()
        + slo.reasons.heap_bytes()
        + slo.lengths.len() * 8
        + slo.roles.tiers.len() * 24
        + window_bytes(slo.definition.windows()))
}

/// Bytes an SLO's windows hold: every window with its role (a tier's,
/// the status window, …), each a length and a label.
fn window_bytes(windows: &SloWindows) -> usize {
    let each = |w: &Window| std::mem::size_of::<Window>() + w.label.capacity();
    windows.all().iter().map(each).sum::<usize>()
        + windows
            .tiers()
            .iter()
            .map(|t| {
                std::mem::size_of::<Tier>() + t.long.label.capacity() + t.short.label.capacity()
            })
            .sum::<usize>()
        + [
            windows.status(),
            windows.exhaustion(),
            windows.chart(),
            windows.period(),
        ]
        .into_iter()
        .map(each)
        .sum::<usize>()
}
