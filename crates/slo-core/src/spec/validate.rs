//! The one validator: turns a draft (from code or from a file) into a
//! [`Spec`], collecting every problem with its field and location.

use std::collections::HashMap;
use std::time::Duration;

use super::draft::{
    AlertingDraft, DurationDraft, Located, NumberOrText, ReleaseCellDraft, ReleaseDraft, SliDraft,
    SloDraft, SpecDraft,
};
use super::validate_alerting::check_alerting;
use super::validate_counts::{check_classification, check_routes};
use super::validate_ownership::{check_owner, check_ownership};
use super::validate_time::{check_maintenance, check_timezone};
use super::{
    DEFAULT_PERIOD, Location, MAX_NAME_LEN, MIN_PERIOD, Sli, SloDefinition, Spec, SpecError,
    SpecErrorKind, SpecErrors, SpecWarning,
};
use crate::calendar::{CalendarPeriod, CalendarUnit};
use crate::duration::{format_duration, parse_duration};
use crate::level::StatusLevel;
use crate::release::{Decision, ReleasePolicy, Risk, UnknownName};
use crate::windows::SloWindows;

/// Objectives stricter than this leave so little budget that a page comes
/// after very few bad events; worth a warning.
const STRICT_OBJECTIVE: f64 = 0.9999;

pub(super) struct Collector {
    errors: Vec<SpecError>,
    warnings: Vec<SpecWarning>,
}

impl Collector {
    pub(super) fn error(
        &mut self,
        field: impl Into<String>,
        at: Option<Location>,
        kind: SpecErrorKind,
    ) {
        self.errors.push(SpecError {
            field: field.into(),
            location: at,
            kind,
        });
    }
}

pub(crate) fn validate(draft: SpecDraft) -> Result<Spec, SpecErrors> {
    let mut c = Collector {
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    check_name(&mut c, "service", &draft.service);
    let timezone = match &draft.timezone {
        None => Some("UTC".to_owned()),
        Some(timezone) => check_timezone(&mut c, timezone),
    };
    let maintenance = match &draft.maintenance {
        None => Some(Vec::new()),
        Some(windows) => check_maintenance(&mut c, "maintenance", windows),
    };
    let service_owner = draft
        .owner
        .as_ref()
        .map(|owner| check_owner(&mut c, "owner", owner));
    // A bad service owner is reported once, at `owner`, not per SLO.
    let service_owner = service_owner.flatten();
    if draft.slos.value.is_empty() {
        c.error("slos", draft.slos.at, SpecErrorKind::NoSlos);
    }
    let mut seen: HashMap<String, Option<Location>> = HashMap::new();
    let mut slos = Vec::with_capacity(draft.slos.value.len());
    for (i, slo) in draft.slos.value.into_iter().enumerate() {
        let prefix = format!("slos[{i}]");
        if check_name(&mut c, format!("{prefix}.name"), &slo.name) {
            if let Some(first) = seen.get(&slo.name.value) {
                c.error(
                    format!("{prefix}.name"),
                    slo.name.at,
                    SpecErrorKind::DuplicateName {
                        name: slo.name.value.clone(),
                        first: *first,
                    },
                );
            } else {
                seen.insert(slo.name.value.clone(), slo.name.at);
            }
        }
        if let Some(definition) = check_slo(
            &mut c,
            &prefix,
            slo,
            &draft.alerting,
            timezone.as_deref(),
            service_owner.as_deref(),
        ) {
            slos.push(definition);
        }
    }
    let journeys = super::validate_journeys::check_journeys(
        &mut c,
        draft.journeys,
        &seen,
        &slos,
        service_owner.as_deref(),
    );
    let release = match draft.release {
        ReleaseDraft::Policy(policy) => policy,
        ReleaseDraft::Cells(cells) => check_release(&mut c, &cells),
    };
    c.errors.sort_by_key(|e| e.location);
    // A mistake in `policy.alerting` is found once per SLO inheriting it.
    c.errors.dedup();
    match (timezone, maintenance) {
        (Some(timezone), Some(maintenance)) if c.errors.is_empty() => Ok(Spec {
            service: draft.service.value,
            timezone,
            maintenance,
            slos,
            journeys,
            release,
            warnings: c.warnings,
            owner: service_owner,
        }),
        _ => Err(SpecErrors(c.errors)),
    }
}

/// The default matrix with the cells the file gives; every unknown level,
/// risk or decision is an error at its place.
fn check_release(c: &mut Collector, cells: &[ReleaseCellDraft]) -> ReleasePolicy {
    let mut policy = ReleasePolicy::DEFAULT;
    for cell in cells {
        let field = format!("policy.release.{}.{}", cell.level.value, cell.risk.value);
        let level = parse_word::<StatusLevel>(c, &field, &cell.level);
        let risk = parse_word::<Risk>(c, &field, &cell.risk);
        let decision = parse_word::<Decision>(c, &field, &cell.decision);
        if let (Some(level), Some(risk), Some(decision)) = (level, risk, decision) {
            policy = policy.with(level, risk, decision);
        }
    }
    policy
}

/// One word of a closed set, or an error at its place.
fn parse_word<T: std::str::FromStr<Err = UnknownName>>(
    c: &mut Collector,
    field: &str,
    word: &Located<String>,
) -> Option<T> {
    match word.value.parse() {
        Ok(value) => Some(value),
        Err(unknown) => {
            c.error(field, word.at, SpecErrorKind::UnknownReleaseName(unknown));
            None
        }
    }
}

/// Why `name` cannot name a service, an SLO or a journey, if it cannot:
/// they are `[A-Za-z0-9_.-]{1,128}`.
///
/// ```
/// use slo_core::spec::name_error;
/// assert_eq!(name_error("checkout-availability"), None);
/// assert!(name_error("kubernetes-pods/shop").is_some());
/// ```
pub fn name_error(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("a name cannot be empty")
    } else if name.len() > MAX_NAME_LEN {
        Some("a name has at most 128 characters")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        Some("use only letters, digits, '_', '.' and '-'")
    } else {
        None
    }
}

/// Returns whether the name is valid.
pub(super) fn check_name(
    c: &mut Collector,
    field: impl Into<String>,
    name: &Located<String>,
) -> bool {
    let reason = name_error(&name.value);
    if let Some(reason) = reason {
        c.error(
            field,
            name.at,
            SpecErrorKind::InvalidName {
                name: name.value.clone(),
                reason,
            },
        );
    }
    reason.is_none()
}

fn check_slo(
    c: &mut Collector,
    prefix: &str,
    slo: SloDraft,
    policy: &AlertingDraft,
    timezone: Option<&str>,
    service_owner: Option<&str>,
) -> Option<SloDefinition> {
    let ownership = check_ownership(c, prefix, &slo.ownership, service_owner);
    let objective = check_objective(c, prefix, &slo.objective);
    let (period, calendar) = match &slo.period {
        None => (Some(DEFAULT_PERIOD), None),
        Some(period) => match check_period(c, prefix, period) {
            None => (None, None),
            Some(PeriodChoice::Rolling(length)) => (Some(length), None),
            Some(PeriodChoice::Calendar(unit)) => {
                // Kept in the spec's time zone; an unknown one is
                // reported at `timezone`.
                let calendar = timezone.and_then(|tz| CalendarPeriod::new(unit, tz).ok());
                (
                    calendar.as_ref().map(CalendarPeriod::nominal_length),
                    calendar,
                )
            }
        },
    };
    let sli = match &slo.sli.value {
        SliDraft::Availability => Some(Sli::Availability),
        SliDraft::Quality => Some(Sli::Quality),
        SliDraft::Latency { threshold } => check_duration(
            c,
            &format!("{prefix}.sli.latency.threshold"),
            threshold,
            true,
        )
        .map(|threshold| Sli::Latency { threshold }),
        SliDraft::Freshness { threshold } => check_duration(
            c,
            &format!("{prefix}.sli.freshness.threshold"),
            threshold,
            true,
        )
        .map(|threshold| Sli::Freshness { threshold }),
        SliDraft::Unknown(kind) => {
            c.error(
                format!("{prefix}.sli"),
                slo.sli.at,
                SpecErrorKind::UnknownSli(kind.clone()),
            );
            None
        }
    };
    let routes = match &slo.routes {
        None => Some(None),
        Some(routes) => check_routes(c, prefix, "routes", routes).map(Some),
    };
    let exclude = match &slo.exclude {
        None => Some(Vec::new()),
        Some(exclude) => check_routes(c, prefix, "exclude", exclude),
    };
    let sli_key = match &slo.sli.value {
        SliDraft::Latency { .. } => "latency",
        SliDraft::Quality => "quality",
        _ => "availability",
    };
    let classification =
        check_classification(c, &format!("{prefix}.sli.{sli_key}"), &slo.classification);
    let maintenance = match &slo.maintenance {
        None => Some(Vec::new()),
        Some(windows) => check_maintenance(c, &format!("{prefix}.maintenance"), windows),
    };
    let (alerting, origin) = slo.alerting.merged(policy);
    let alerting = check_alerting(c, prefix, &alerting, origin, period);
    let period = period?;
    let alerting = alerting?;
    let windows = match &alerting.tiers {
        Some(tiers) => SloWindows::with_tiers(tiers.clone(), period),
        None => SloWindows::for_period(period),
    };
    let definition = SloDefinition {
        name: slo.name.value,
        description: slo.description,
        objective: objective?,
        period,
        sli: sli?,
        classification: crate::classify::Classification::shared(classification?),
        routes: routes?,
        exclude: exclude?,
        min_events: alerting.min_events,
        own_tiers: alerting.tiers.is_some(),
        windows: std::sync::Arc::new(windows),
        budget_alerts: alerting.budget_alerts,
        maintenance: maintenance?,
        calendar,
        ownership: ownership?,
    };
    warn_about_tiers(c, prefix, slo.objective.at, &definition);
    Some(definition)
}

pub(super) fn check_objective(
    c: &mut Collector,
    prefix: &str,
    objective: &Located<NumberOrText>,
) -> Option<f64> {
    let field = format!("{prefix}.objective");
    let value = match &objective.value {
        NumberOrText::Number(value) => *value,
        NumberOrText::Text(text) => match parse_percent(text) {
            Some(value) => value,
            None => {
                c.error(
                    field,
                    objective.at,
                    SpecErrorKind::ObjectiveNotANumber(text.clone()),
                );
                return None;
            }
        },
    };
    if value > 0.0 && value < 1.0 {
        return Some(value);
    }
    let hint =
        if (1.0..100.0).contains(&value) && matches!(objective.value, NumberOrText::Number(_)) {
            " (a percentage needs a '%': write \"99.9%\", or the ratio 0.999)"
        } else {
            ""
        };
    c.error(
        field,
        objective.at,
        SpecErrorKind::ObjectiveOutOfRange { value, hint },
    );
    None
}

/// `"99.9%"` → 0.999, shifting the decimal point in the text so that the
/// ratio is the nearest double to the written decimal.
pub(super) fn parse_percent(text: &str) -> Option<f64> {
    let number = text.trim().strip_suffix('%')?.trim_end();
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || fraction.contains('.') {
        return None;
    }
    let padded = format!("{whole:0>3}");
    let split = padded.len() - 2;
    format!("{}.{}{}", &padded[..split], &padded[split..], fraction)
        .parse()
        .ok()
}

/// A rolling period of this length, or the calendar unit of a calendar
/// period.
enum PeriodChoice {
    Rolling(Duration),
    Calendar(CalendarUnit),
}

fn check_period(
    c: &mut Collector,
    prefix: &str,
    period: &Located<DurationDraft>,
) -> Option<PeriodChoice> {
    let field = format!("{prefix}.period");
    let calendar = match &period.value {
        DurationDraft::Calendar(unit) => Some(Ok(*unit)),
        DurationDraft::Text(text) => text
            .trim()
            .strip_prefix("calendar")
            .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
            .map(|rest| rest.trim().parse::<CalendarUnit>()),
        _ => None,
    };
    match calendar {
        Some(Ok(unit)) => return Some(PeriodChoice::Calendar(unit)),
        Some(Err(unknown)) => {
            c.error(field, period.at, SpecErrorKind::UnknownName(unknown));
            return None;
        }
        None => {}
    }
    let value = check_duration(c, &field, period, false)?;
    if value < MIN_PERIOD {
        c.error(
            field,
            period.at,
            SpecErrorKind::PeriodTooShort(format_duration(value).to_string()),
        );
        return None;
    }
    Some(PeriodChoice::Rolling(value))
}

pub(super) fn check_duration(
    c: &mut Collector,
    field: &str,
    draft: &Located<DurationDraft>,
    is_threshold: bool,
) -> Option<Duration> {
    let parsed = match &draft.value {
        DurationDraft::Exact(duration) => Ok(*duration),
        DurationDraft::Calendar(unit) => Err(SpecErrorKind::Duration(
            crate::duration::DurationError::Syntax(format!("calendar {unit}")),
        )),
        DurationDraft::Text(text) => parse_duration(text.trim()).map_err(SpecErrorKind::from),
        DurationDraft::Number(number) if *number <= 0.0 && is_threshold => {
            Err(SpecErrorKind::NotPositive)
        }
        DurationDraft::Number(number) if is_threshold => {
            Err(SpecErrorKind::ThresholdWithoutUnit(number.to_string()))
        }
        DurationDraft::Number(number) => Err(SpecErrorKind::Duration(
            crate::duration::DurationError::Syntax(number.to_string()),
        )),
    };
    match parsed {
        Ok(duration) if duration.is_zero() => {
            c.error(field, draft.at, SpecErrorKind::NotPositive);
            None
        }
        Ok(duration) => Some(duration),
        Err(SpecErrorKind::Duration(crate::duration::DurationError::Negative(_))) => {
            c.error(field, draft.at, SpecErrorKind::NotPositive);
            None
        }
        Err(kind) => {
            c.error(field, draft.at, kind);
            None
        }
    }
}

fn warn_about_tiers(c: &mut Collector, prefix: &str, at: Option<Location>, slo: &SloDefinition) {
    let max_burn = 1.0 / slo.error_budget();
    for tier in slo.windows.tiers() {
        if tier.burn_rate >= max_burn {
            c.warnings.push(SpecWarning {
                field: format!("{prefix}.objective"),
                location: at,
                message: format!(
                    "the {} tier {}/{} can never fire: with objective {} the burn rate cannot exceed {:.2}, below its threshold {}",
                    tier.severity.as_str(),
                    tier.long.label,
                    tier.short.label,
                    slo.objective,
                    max_burn,
                    tier.burn_rate
                ),
            });
        }
    }
    if slo.objective > STRICT_OBJECTIVE {
        c.warnings.push(SpecWarning {
            field: format!("{prefix}.objective"),
            location: at,
            message: format!(
                "objective {} is stricter than 99.99%: its error budget is so small that alerts cannot warn in time",
                slo.objective
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_is_exact_decimal() {
        assert_eq!(parse_percent("99.9%"), Some(0.999));
        assert_eq!(parse_percent("99%"), Some(0.99));
        assert_eq!(parse_percent("5%"), Some(0.05));
        assert_eq!(parse_percent("99.95 %"), Some(0.9995));
        assert_eq!(parse_percent("100%"), Some(1.0));
        assert_eq!(parse_percent("abc%"), None);
        assert_eq!(parse_percent("99.9"), None);
        assert_eq!(parse_percent("-5%"), None);
        assert_eq!(parse_percent("%"), None);
    }
}
