//! The suggestions as a spec file `slo validate` accepts: per route an
//! availability and a latency SLO at the suggested objectives, each
//! described by what it achieved; for `--source slo` with a spec, that
//! spec with the suggested objectives.

use std::time::Duration;

use slo_core::spec::{RouteRule, Tier};
use slo_core::status::SliStatus;
use slo_core::{Sli, SloDefinition, Spec, SpecErrors};

use super::model::Suggestions;

/// The spec of `suggestions`: with `current` (the spec the run was given)
/// and `--source slo`, that spec with each SLO's suggested objective;
/// else a new spec, each SLO matching its route (a route our rules
/// cannot read covers every request, and says so), at `tier` when given.
pub fn to_spec(
    suggestions: &Suggestions,
    current: Option<&Spec>,
    tier: Option<Tier>,
) -> Result<String, SpecErrors> {
    let header = header(suggestions);
    if let (Some(spec), "slo") = (current, suggestions.source.as_str()) {
        let mut spec = spec.clone();
        for slo in &suggestions.slos {
            if spec.slo(&slo.name).is_ok() {
                spec = spec.with_objective(&slo.name, slo.suggested_objective)?;
            }
        }
        return Ok(header + &spec.to_yaml());
    }
    let mut builder = Spec::builder(&suggestions.service);
    if let Some(owner) = current.and_then(Spec::owner) {
        builder = builder.owner(owner);
    }
    for slo in &suggestions.slos {
        let sli = match slo.sli {
            SliStatus::Latency { threshold_seconds } => Sli::Latency {
                // One no duration holds is refused by the spec, at its SLO.
                threshold: Duration::try_from_secs_f64(threshold_seconds).unwrap_or(Duration::ZERO),
            },
            _ => Sli::Availability,
        };
        let mut definition = SloDefinition::builder(&slo.name)
            .objective(slo.suggested_objective)
            .sli(sli)
            .description(format!(
                "{}achieved {} over {} events from {} to {}",
                slo.route
                    .as_deref()
                    .map_or_else(String::new, |route| format!("{route}: ")),
                super::model::precise_percent(slo.achieved),
                slo.events.total,
                suggestions.from,
                suggestions.to
            ));
        if let Some(route) = &slo.route
            && route.parse::<RouteRule>().is_ok()
        {
            definition = definition.route(route);
        }
        if let Some(tier) = tier {
            definition = definition.tier(tier);
        }
        builder = builder.slo(definition);
    }
    Ok(header + &builder.build()?.to_yaml())
}

/// Comment lines saying where the spec comes from, and what each SLO's
/// backtest fired.
fn header(suggestions: &Suggestions) -> String {
    // Comment lines end at a line break: none may come from the fields.
    let line = |text: &str| text.replace(['\n', '\r'], " ");
    let mut out = format!(
        "# Suggested by `slo suggest` from {} to {} ({}).\n# Pages / tickets the suggested objective would have fired:\n",
        line(&suggestions.from),
        line(&suggestions.to),
        line(&suggestions.source)
    );
    for slo in &suggestions.slos {
        let route_ok = slo
            .route
            .as_deref()
            .is_none_or(|route| route.parse::<RouteRule>().is_ok());
        out.push_str(&format!(
            "#   {}: {} / {}{}\n",
            line(&slo.name),
            slo.backtest.incidents.page,
            slo.backtest.incidents.ticket,
            if route_ok {
                ""
            } else {
                " (its route is no route rule: it covers every request; narrow it by hand)"
            }
        ));
    }
    out
}
