//! Checking an SLO's `alerting` (merged with `policy.alerting`): its own
//! tiers, its budget alerts and its no-data alert, each problem at its
//! place.

use std::time::Duration;

use super::alerting::{BudgetCondition, MAX_TIERS, MIN_TIER_WINDOW};
use super::draft::{AlertingDraft, AlertingOrigin, Located, NumberOrText, TierDraft};
use super::validate::{Collector, check_duration, parse_percent};
use super::{Location, SpecErrorKind};
use crate::duration::format_duration;
use crate::windows::{Severity, Tier, Window};

/// An SLO's alerting once checked.
pub(super) struct CheckedAlerting {
    pub min_events: u64,
    /// The SLO's own tiers; `None` for the default four.
    pub tiers: Option<Vec<Tier>>,
    pub budget_alerts: Vec<BudgetCondition>,
}

/// Names a key's field: under `policy.alerting` when the SLO inherited
/// it, else under the SLO's own `alerting`.
struct Fields<'a> {
    prefix: &'a str,
}

impl Fields<'_> {
    fn of(&self, inherited: bool, key: &str) -> String {
        if inherited {
            format!("policy.alerting.{key}")
        } else {
            format!("{}.alerting.{key}", self.prefix)
        }
    }
}

pub(super) fn check_alerting(
    c: &mut Collector,
    prefix: &str,
    draft: &AlertingDraft,
    origin: AlertingOrigin,
    period: Option<Duration>,
) -> Option<CheckedAlerting> {
    let fields = Fields { prefix };
    let mut ok = true;
    let tiers = match &draft.tiers {
        None => None,
        Some(tiers) => {
            let checked = check_tiers(c, &fields.of(origin.tiers, "tiers"), tiers, period);
            ok &= checked.is_some();
            checked
        }
    };
    let mut budget_alerts = Vec::new();
    if let Some(share) = &draft.remaining_below {
        let field = fields.of(origin.remaining_below, "budget.remaining_below");
        match check_share(c, &field, share) {
            Some(share) => budget_alerts.push(BudgetCondition::RemainingBelow(share)),
            None => ok = false,
        }
    }
    if let Some(within) = &draft.exhausted_within {
        let field = fields.of(origin.exhausted_within, "budget.exhausted_within");
        match check_duration(c, &field, within, false) {
            Some(within) => budget_alerts.push(BudgetCondition::ExhaustedWithin(within)),
            None => ok = false,
        }
    }
    if let Some(quiet) = &draft.no_data {
        let field = fields.of(origin.no_data, "no_data");
        let parsed = check_duration(c, &field, quiet, false);
        match check_window(c, &field, quiet.at, parsed, period) {
            Some(quiet) => budget_alerts.push(BudgetCondition::NoData(quiet)),
            None => ok = false,
        }
    }
    ok.then(|| CheckedAlerting {
        min_events: draft.min_events.as_ref().map_or(1, |m| m.value),
        tiers,
        budget_alerts,
    })
}

fn check_tiers(
    c: &mut Collector,
    field: &str,
    tiers: &Located<Vec<TierDraft>>,
    period: Option<Duration>,
) -> Option<Vec<Tier>> {
    if tiers.value.is_empty() {
        c.error(field, tiers.at, SpecErrorKind::NoTiers);
        return None;
    }
    if tiers.value.len() > MAX_TIERS {
        c.error(
            field,
            tiers.at,
            SpecErrorKind::TooManyTiers(tiers.value.len()),
        );
        return None;
    }
    let checked: Vec<Option<Tier>> = tiers
        .value
        .iter()
        .enumerate()
        .map(|(i, tier)| check_tier(c, &format!("{field}[{i}]"), tier, period))
        .collect();
    checked.into_iter().collect()
}

fn check_tier(
    c: &mut Collector,
    field: &str,
    tier: &TierDraft,
    period: Option<Duration>,
) -> Option<Tier> {
    let severity = match tier.severity.value.parse::<Severity>() {
        Ok(severity) => Some(severity),
        Err(unknown) => {
            c.error(
                format!("{field}.severity"),
                tier.severity.at,
                SpecErrorKind::UnknownName(unknown),
            );
            None
        }
    };
    let long_field = format!("{field}.long");
    let long = check_duration(c, &long_field, &tier.long, false);
    let long = check_window(c, &long_field, tier.long.at, long, period);
    let short_field = format!("{field}.short");
    let short = check_duration(c, &short_field, &tier.short, false);
    let short = check_window(c, &short_field, tier.short.at, short, period);
    let burn_rate = check_burn_rate(c, &format!("{field}.burn_rate"), &tier.burn_rate);
    let (long, short) = (long?, short?);
    if short >= long {
        c.error(
            short_field,
            tier.short.at,
            SpecErrorKind::TierWindowsOutOfOrder {
                long: format_duration(long).to_string(),
                short: format_duration(short).to_string(),
            },
        );
        return None;
    }
    Some(Tier {
        severity: severity?,
        long: Window::new(long),
        short: Window::new(short),
        burn_rate: burn_rate?,
    })
}

/// A window at least [`MIN_TIER_WINDOW`] and, when `period` is given, no
/// longer than it.
fn check_window(
    c: &mut Collector,
    field: &str,
    at: Option<Location>,
    window: Option<Duration>,
    period: Option<Duration>,
) -> Option<Duration> {
    let window = window?;
    let written = || format_duration(window).to_string();
    if window < MIN_TIER_WINDOW {
        c.error(field, at, SpecErrorKind::WindowTooShort(written()));
        return None;
    }
    if let Some(period) = period.filter(|&period| window > period) {
        c.error(
            field,
            at,
            SpecErrorKind::WindowOverPeriod {
                window: written(),
                period: format_duration(period).to_string(),
            },
        );
        return None;
    }
    Some(window)
}

fn check_burn_rate(c: &mut Collector, field: &str, rate: &Located<NumberOrText>) -> Option<f64> {
    match &rate.value {
        NumberOrText::Number(n) if n.is_finite() && *n > 0.0 => Some(*n),
        NumberOrText::Number(n) => {
            c.error(
                field,
                rate.at,
                SpecErrorKind::BurnRateNotPositive(n.to_string()),
            );
            None
        }
        NumberOrText::Text(text) => {
            c.error(field, rate.at, SpecErrorKind::NotANumber(text.clone()));
            None
        }
    }
}

/// A share strictly between 0 and 1, as a ratio or a percentage.
fn check_share(c: &mut Collector, field: &str, share: &Located<NumberOrText>) -> Option<f64> {
    let (value, written) = match &share.value {
        NumberOrText::Number(n) => (Some(*n), n.to_string()),
        NumberOrText::Text(text) => (parse_percent(text), text.clone()),
    };
    match value {
        Some(value) if value > 0.0 && value < 1.0 => Some(value),
        _ => {
            c.error(field, share.at, SpecErrorKind::ShareOutOfRange(written));
            None
        }
    }
}
