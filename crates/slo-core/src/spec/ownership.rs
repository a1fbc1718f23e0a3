//! Who owns an SLO and how much it matters: `owner`, `tier` and
//! `annotations` (a runbook, a dashboard), carried to `/slo`, the page,
//! reports and every alert, so that a page reaches the team that can act on
//! it with the link it needs.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::closed_set::closed_set;

/// How much a service (or one SLO of it) matters, with the default
/// objectives `slo init` writes for it.
///
/// ```
/// use std::time::Duration;
/// use slo_core::spec::Tier;
/// let tier: Tier = "essential".parse().unwrap();
/// assert_eq!(tier.availability_objective(), 0.999);
/// assert_eq!(tier.latency_threshold(), Duration::from_millis(500));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Revenue or safety depends on it: 99.95%, 100ms.
    Critical,
    /// Users notice at once when it fails: 99.9%, 500ms.
    Essential,
    /// Most services: 99.5%, 1s.
    Standard,
    /// Internal or deferrable work: 99%, 2s.
    BestEffort,
}

closed_set! {
    /// Every tier, the most important first.
    Tier as "tier" {
        Critical = "critical",
        Essential = "essential",
        Standard = "standard",
        BestEffort = "best_effort",
    }
}

impl Tier {
    /// The share of requests that latency SLOs of every tier expect under
    /// their threshold: 99%.
    pub const LATENCY_OBJECTIVE: f64 = 0.99;

    /// The tier's availability objective: 99.95%, 99.9%, 99.5% or 99%.
    pub fn availability_objective(self) -> f64 {
        match self {
            Tier::Critical => 0.9995,
            Tier::Essential => 0.999,
            Tier::Standard => 0.995,
            Tier::BestEffort => 0.99,
        }
    }

    /// The latency 99% of the tier's requests stay under: 100ms, 500ms,
    /// 1s or 2s.
    pub fn latency_threshold(self) -> Duration {
        Duration::from_millis(match self {
            Tier::Critical => 100,
            Tier::Essential => 500,
            Tier::Standard => 1_000,
            Tier::BestEffort => 2_000,
        })
    }
}

/// The objectives a suggestion picks from and a review tightens along,
/// loosest first: 90, 95, 99, 99.5, 99.9, 99.95 and 99.99%.
pub const OBJECTIVE_LADDER: [f64; 7] = [0.90, 0.95, 0.99, 0.995, 0.999, 0.9995, 0.9999];

/// The ladder's next objective above `objective`, if any.
///
/// ```
/// use slo_core::spec::next_objective;
/// assert_eq!(next_objective(0.995), Some(0.999));
/// assert_eq!(next_objective(0.996), Some(0.999));
/// assert_eq!(next_objective(0.9999), None);
/// ```
pub fn next_objective(objective: f64) -> Option<f64> {
    OBJECTIVE_LADDER
        .iter()
        .copied()
        .find(|step| *step > objective + 1e-12)
}

impl serde::Serialize for Tier {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Tier {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The alert label naming the owning team.
pub const OWNER_LABEL: &str = "owner";
/// The alert label naming the tier.
pub const TIER_LABEL: &str = "tier";
/// The annotation key whose URL is the runbook.
pub const RUNBOOK: &str = "runbook";
/// The annotation key whose URL is the dashboard.
pub const DASHBOARD: &str = "dashboard";
/// The alert annotation carrying the runbook's URL (Prometheus' and
/// Alertmanager's convention).
pub const RUNBOOK_URL_ANNOTATION: &str = "runbook_url";
/// The alert annotation carrying the dashboard's URL.
pub const DASHBOARD_URL_ANNOTATION: &str = "dashboard_url";
/// The longest annotation value accepted, in characters (an owner and an
/// annotation key have at most 128, as names do).
pub const MAX_OWNERSHIP_TEXT: usize = 1024;

/// An SLO's (or a journey's) owner, tier and annotations. The owner is
/// its own or else the service's; each part may be absent.
///
/// ```
/// use slo_core::Spec;
/// let spec = Spec::from_yaml(r#"
/// service: shop
/// owner: storefront
/// slos:
///   - name: checkout
///     objective: 99.9%
///     owner: payments
///     tier: critical
///     annotations: {runbook: "https://runbooks.example.com/checkout"}
///   - name: search
///     objective: 99%
/// "#)?;
/// let checkout = spec.slos()[0].ownership();
/// assert_eq!(checkout.owner(), Some("payments"));
/// assert_eq!(checkout.runbook(), Some("https://runbooks.example.com/checkout"));
/// assert_eq!(spec.slos()[1].ownership().owner(), Some("storefront"));
/// assert_eq!(
///     checkout.alert_labels().collect::<Vec<_>>(),
///     [("owner", "payments"), ("tier", "critical")]
/// );
/// # Ok::<(), slo_core::SpecErrors>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ownership {
    pub(super) owner: Option<String>,
    pub(super) tier: Option<Tier>,
    pub(super) annotations: BTreeMap<String, String>,
}

impl Ownership {
    /// The owning team: the SLO's own `owner`, else the service's.
    pub fn owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }

    /// The tier, when the spec gives one.
    pub fn tier(&self) -> Option<Tier> {
        self.tier
    }

    /// Every annotation, by key.
    pub fn annotations(&self) -> &BTreeMap<String, String> {
        &self.annotations
    }

    /// The runbook's URL (`annotations.runbook`), an http or https URL.
    pub fn runbook(&self) -> Option<&str> {
        self.annotations.get(RUNBOOK).map(String::as_str)
    }

    /// The dashboard's URL (`annotations.dashboard`), an http or https URL.
    pub fn dashboard(&self) -> Option<&str> {
        self.annotations.get(DASHBOARD).map(String::as_str)
    }

    /// The labels every alert of the SLO carries besides its identity,
    /// `owner` and `tier`, each only when set: the generated rules and the
    /// in-process notifier both take them from here, so that a route by
    /// `owner` treats fleet and in-process alerts alike.
    pub fn alert_labels(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let owner = self.owner().map(|owner| (OWNER_LABEL, owner));
        let tier = self.tier.map(|tier| (TIER_LABEL, tier.as_str()));
        owner.into_iter().chain(tier)
    }

    /// The annotations every alert of the SLO carries besides its text,
    /// `runbook_url` and `dashboard_url`, each only when set.
    pub fn alert_annotations(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let runbook = self.runbook().map(|url| (RUNBOOK_URL_ANNOTATION, url));
        let dashboard = self.dashboard().map(|url| (DASHBOARD_URL_ANNOTATION, url));
        runbook.into_iter().chain(dashboard)
    }

    /// Whether the spec says nothing of it.
    pub fn is_empty(&self) -> bool {
        self.owner.is_none() && self.tier.is_none() && self.annotations.is_empty()
    }
}

/// Whether `text` is a web URL a page may link to: `http://` or
/// `https://`, a host, and nothing a link or a terminal would misread
/// (whitespace, control characters, quotes, angle brackets).
pub fn is_web_url(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    let Some(rest) = rest else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !host.is_empty()
        && !host.starts_with(':')
        && text.chars().all(|ch| {
            !ch.is_whitespace() && !ch.is_control() && !matches!(ch, '"' | '<' | '>' | '`')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls_are_http_or_https_with_a_host() {
        assert!(is_web_url("https://runbooks.example.com/checkout#slow"));
        assert!(is_web_url("http://localhost:3000/d/abc?from=now-1h"));
        for bad in [
            "javascript:alert(1)",
            "ftp://example.com",
            "https://",
            "https:///path",
            "https://:80/",
            "https://exa mple.com",
            "https://example.com/\"onclick",
            "https://example.com/<script>",
            "//example.com",
            "HTTPS://example.com\n",
        ] {
            assert!(!is_web_url(bad), "{bad:?}");
        }
    }

    #[test]
    fn tiers_read_and_write_their_names() {
        for tier in Tier::ALL {
            assert_eq!(tier.as_str().parse::<Tier>(), Ok(tier));
            let json = serde_json::to_string(&tier).unwrap();
            assert_eq!(serde_json::from_str::<Tier>(&json).unwrap(), tier);
        }
        let refused = "gold".parse::<Tier>().unwrap_err();
        assert_eq!(
            refused.to_string(),
            "unknown tier \"gold\": expected one of critical, essential, standard, best_effort"
        );
    }
}
