//! How an SLO's burn rate and budget moved over recent hours, read from
//! the rings it already keeps (no extra memory): the chart on `/slo`.

use std::time::Duration;

use super::Registry;
use crate::budget;
use crate::clock::Timestamp;
use crate::history::{History, HistoryPoint};
use crate::spec::UnknownSlo;

impl Registry {
    /// How the burn rate (over the fastest tier's long window, `1h` for a
    /// 30d period) and the remaining error budget of the SLO named `name`
    /// moved over the hours before `now`: one point per sample of the chart
    /// window (6h for a 30d period: a point every 6 minutes), covering the
    /// chart window less the burn window (5h), or since the start when that
    /// is more recent. A process younger than the long window (1h) gets the
    /// last 55 minutes at the 1h window's resolution (a point a minute),
    /// with the burn rate over the tier's short window (5m).
    pub fn history(&self, name: &str, now: Timestamp) -> Result<History, UnknownSlo> {
        let slo = self.slo(name)?;
        let windows = slo.definition.windows();
        let age = now
            .as_unix_nanos()
            .saturating_sub(slo.since.as_unix_nanos());
        // The fastest tier: the first (every SLO has at least one).
        let (tier, roles) = windows
            .tiers()
            .iter()
            .zip(&slo.roles.tiers)
            .next()
            .ok_or_else(|| UnknownSlo(name.to_owned()))?;
        let (long, short) = (roles.long, roles.short);
        let young = age < slo.lengths[long];
        let (fine, burn_window) = if young {
            (long, short)
        } else {
            (slo.roles.chart, long)
        };
        let period = slo.roles.period;
        let burn_len = slo.lengths[burn_window];
        let span = slo.lengths[fine].saturating_sub(burn_len);
        let now_nanos = now.as_unix_nanos();
        let raw = slo.rings.history(
            now_nanos,
            now_nanos.saturating_sub(span),
            fine,
            &[(fine, burn_len), (period, slo.lengths[period])],
            || slo.live(),
        );
        let error_budget = slo.definition.error_budget();
        let period_nanos = slo.lengths[period] as f64;
        let points = raw
            .into_iter()
            .map(|(at, [back, period_back])| HistoryPoint {
                at: Timestamp::from_unix_nanos(at.t),
                burn_rate: budget::burn_rate(
                    (at.good - back.good).max(0.0),
                    (at.bad - back.bad).max(0.0),
                    error_budget,
                ),
                budget_remaining: 1.0
                    - budget::consumed(
                        budget::burn_rate(
                            (at.good - period_back.good).max(0.0),
                            (at.bad - period_back.bad).max(0.0),
                            error_budget,
                        ),
                        (at.t.saturating_sub(slo.since.as_unix_nanos()) as f64 / period_nanos)
                            .clamp(0.0, 1.0),
                    ),
            })
            .collect();
        Ok(History {
            burn_window: windows.all()[burn_window].label.clone(),
            page_burn_rate: tier.burn_rate,
            span: Duration::from_nanos(u64::try_from(span).unwrap_or(0)),
            points,
        })
    }
}
