//! History the demo starts with besides its state file: a warm start from
//! a PromQL API (`--warm-start`), or simulated traffic (`--prefill`).

use std::time::Duration;

use slo::fleet::query::Matchers;
use slo::fleet::warm_start::WarmStart;
use slo::state::{Backfill, SOURCE_SIMULATED};
use slo::{Spec, Timestamp};

/// `--warm-start URL`: the windows filled from the API's history, within
/// `timeout`. Prints what was loaded, and one warning for what was not.
pub fn warm_start(
    url: &str,
    selector: Option<&str>,
    timeout: Duration,
    spec: &Spec,
    now: Timestamp,
) -> Result<Backfill, String> {
    let matchers = match selector {
        Some(text) => {
            Matchers::parse(text).map_err(|e| format!("--warm-start-selector {text:?}: {e}"))?
        }
        None => Matchers::new(),
    };
    let warm = WarmStart::new(url)
        .map_err(|e| format!("--warm-start: {e}"))?
        .selector(matchers)
        .timeout(timeout);
    let (backfill, report) = warm.backfill(spec, now);
    crate::say!("{}", report.summary());
    if let Some(warning) = report.warning() {
        eprintln!("shop-demo: {warning}");
    }
    Ok(backfill)
}

/// `--prefill D`: `span` of steady traffic at `rate` requests a second
/// (shared by the SLOs), each SLO spending a third of its budget's rate,
/// plus one small incident a third of the way back: 20 minutes at ten
/// times the budget's rate.
pub fn prefill(spec: &Spec, span: Duration, rate: f64, now: Timestamp) -> Backfill {
    let mut backfill = Backfill::new(spec, now, SOURCE_SIMULATED);
    let since = now.saturating_sub(span);
    let per_slo = rate / spec.slos().len().max(1) as f64;
    let incident_end = span.as_secs_f64() / 3.0;
    let incident = (incident_end + 1200.0, incident_end);
    for slo in spec.slos() {
        let budget = 1.0 - slo.objective();
        let (quiet, loud) = (budget / 3.0, (budget * 10.0).min(1.0));
        // Bad events from `since` to `t`: seconds at each error ratio.
        let bad = |back: f64| {
            let total = span.as_secs_f64() - back;
            let before = |x: f64| (span.as_secs_f64() - x).clamp(0.0, total);
            let in_incident = before(incident.1) - before(incident.0);
            per_slo * (quiet * (total - in_incident) + loud * in_incident)
        };
        let _ = backfill.fill(slo.name(), since, |t| {
            let back = now.saturating_duration_since(t).as_secs_f64();
            let total = per_slo * (span.as_secs_f64() - back);
            let bad = bad(back);
            (total - bad, bad)
        });
    }
    backfill
}
