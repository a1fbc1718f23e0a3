//! Error-budget policy: what a release of a given risk may do while an SLO
//! is at a given [status level](crate::semantics#status-levels)
//! ([release decisions](crate::semantics#release-decisions)).
//!
//! A [`ReleasePolicy`] is a matrix of status level × [`Risk`] →
//! [`Decision`]; its default is the one in the design (healthy approves
//! everything but high-risk work, which needs a review; an exhausted
//! budget blocks everything). The spec's optional `policy.release` changes
//! cells of it. Every SLO's [`SloStatus`](crate::SloStatus) carries its
//! decisions, the [`ServiceStatus`](crate::ServiceStatus) the strictest of
//! them, and [`Registry::release_decision`](crate::Registry::release_decision)
//! answers "may I do risky work now?" in code.

use serde::{Deserialize, Serialize};

pub use crate::closed_set::UnknownName;
use crate::closed_set::closed_set;
use crate::level::StatusLevel;
use crate::spec::UnknownSlo;

/// How risky a change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    /// A change that can hardly hurt (a config tweak behind a flag).
    Low,
    /// An ordinary release.
    Medium,
    /// A change that can take the service down (a migration, a new
    /// dependency, a big refactor).
    High,
}

closed_set! {
    /// Every risk, lowest first.
    Risk as "risk" { Low = "low", Medium = "medium", High = "high" }
}

/// What a release may do, from most to least permissive: the order is
/// `approve < review < defer < block`, and the strictest wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Go ahead.
    Approve,
    /// Go ahead once someone has looked at the SLO.
    Review,
    /// Wait until the budget recovers.
    Defer,
    /// Do not release; only fixes for the SLO itself.
    Block,
}

closed_set! {
    /// Every decision, most permissive first.
    Decision as "decision" {
        Approve = "approve",
        Review = "review",
        Defer = "defer",
        Block = "block",
    }
}

/// The decision for each risk (`/slo`'s `release`:
/// `{"low": "approve", "medium": "approve", "high": "review"}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReleaseDecisions {
    /// For low-risk changes.
    pub low: Decision,
    /// For medium-risk changes.
    pub medium: Decision,
    /// For high-risk changes.
    pub high: Decision,
}

impl ReleaseDecisions {
    /// Every risk approved: what a service without SLOs would get.
    pub const APPROVE_ALL: ReleaseDecisions = ReleaseDecisions::uniform(Decision::Approve);

    /// The same decision for every risk.
    pub const fn uniform(decision: Decision) -> ReleaseDecisions {
        ReleaseDecisions {
            low: decision,
            medium: decision,
            high: decision,
        }
    }

    /// The decision for `risk`.
    pub fn get(&self, risk: Risk) -> Decision {
        match risk {
            Risk::Low => self.low,
            Risk::Medium => self.medium,
            Risk::High => self.high,
        }
    }

    fn slot(&mut self, risk: Risk) -> &mut Decision {
        match risk {
            Risk::Low => &mut self.low,
            Risk::Medium => &mut self.medium,
            Risk::High => &mut self.high,
        }
    }

    /// The stricter of the two for each risk.
    #[must_use]
    pub fn strictest(self, other: ReleaseDecisions) -> ReleaseDecisions {
        ReleaseDecisions {
            low: self.low.max(other.low),
            medium: self.medium.max(other.medium),
            high: self.high.max(other.high),
        }
    }

    /// The strictest of all, for each risk: a service's decisions over its
    /// SLOs' (every risk approved when there are none).
    pub fn strictest_of(all: impl IntoIterator<Item = ReleaseDecisions>) -> ReleaseDecisions {
        all.into_iter()
            .fold(ReleaseDecisions::APPROVE_ALL, ReleaseDecisions::strictest)
    }
}

impl Default for ReleaseDecisions {
    fn default() -> ReleaseDecisions {
        ReleaseDecisions::APPROVE_ALL
    }
}

/// The release matrix: status level × risk → decision. The default is
/// the design's:
///
/// | status | low | medium | high |
/// |---|---|---|---|
/// | healthy | approve | approve | review |
/// | attention | approve | review | defer |
/// | warning | review | defer | block |
/// | critical | defer | block | block |
/// | exhausted | block | block | block |
///
/// ```
/// use slo_core::release::{Decision, ReleasePolicy, Risk};
/// use slo_core::StatusLevel;
///
/// let policy = ReleasePolicy::default().with(StatusLevel::Healthy, Risk::High, Decision::Approve);
/// assert_eq!(policy.decide(StatusLevel::Healthy, Risk::High), Decision::Approve);
/// assert_eq!(policy.decide(StatusLevel::Warning, Risk::High), Decision::Block);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReleasePolicy {
    /// Indexed by [`StatusLevel::ALL`]'s order.
    rows: [ReleaseDecisions; 5],
}

impl ReleasePolicy {
    /// The design's default matrix (see [`ReleasePolicy`]).
    pub const DEFAULT: ReleasePolicy = {
        use Decision::{Approve, Block, Defer, Review};
        const fn row(low: Decision, medium: Decision, high: Decision) -> ReleaseDecisions {
            ReleaseDecisions { low, medium, high }
        }
        ReleasePolicy {
            rows: [
                row(Approve, Approve, Review),
                row(Approve, Review, Defer),
                row(Review, Defer, Block),
                row(Defer, Block, Block),
                row(Block, Block, Block),
            ],
        }
    };

    /// The decision for a change of `risk` while an SLO is at `level`.
    pub fn decide(&self, level: StatusLevel, risk: Risk) -> Decision {
        self.rows[level.index()].get(risk)
    }

    /// The decisions for every risk while an SLO is at `level`.
    pub fn decisions(&self, level: StatusLevel) -> ReleaseDecisions {
        self.rows[level.index()]
    }

    /// The policy with one cell changed.
    #[must_use]
    pub fn with(mut self, level: StatusLevel, risk: Risk, decision: Decision) -> ReleasePolicy {
        *self.rows[level.index()].slot(risk) = decision;
        self
    }

    /// Whether this is the default matrix.
    pub fn is_default(&self) -> bool {
        *self == ReleasePolicy::DEFAULT
    }
}

impl Default for ReleasePolicy {
    fn default() -> ReleasePolicy {
        ReleasePolicy::DEFAULT
    }
}

/// A service's answer for one risk: the strictest decision over the SLOs
/// asked about, and the SLO that decided it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReleaseDecision {
    /// The risk asked about.
    pub risk: Risk,
    /// The strictest decision over the SLOs asked about.
    pub decision: Decision,
    /// The SLO that decided it (of those with the strictest decision, the
    /// one with the least budget left); `None` when no SLO was asked about.
    pub decided_by: Option<String>,
    /// That SLO's status level.
    pub status: Option<StatusLevel>,
    /// That SLO's error budget remaining, as a ratio.
    pub budget_remaining: Option<f64>,
}

impl ReleaseDecision {
    /// Whether the change may go ahead without anyone looking:
    /// [`Decision::Approve`].
    pub fn approved(&self) -> bool {
        self.decision == Decision::Approve
    }
}

/// One SLO as a release decision weighs it.
pub(crate) struct Candidate<'a> {
    pub name: &'a str,
    pub level: StatusLevel,
    pub decisions: ReleaseDecisions,
    /// Its error budget remaining, as a ratio.
    pub remaining: f64,
}

/// The strictest decision for `risk` over the SLOs and journeys named in
/// `asked` (every one of `names` when `asked` is empty), or the first name
/// asked that none has. Only those asked about are weighed, by their place
/// in `names` (`weigh` may be costly: the registry reads their windows).
pub(crate) fn decide_for<'a>(
    risk: Risk,
    asked: &[&str],
    names: impl Iterator<Item = &'a str> + Clone,
    mut weigh: impl FnMut(usize) -> Candidate<'a>,
) -> Result<ReleaseDecision, UnknownSlo> {
    if let Some(unknown) = asked
        .iter()
        .find(|asked| !names.clone().any(|name| name == **asked))
    {
        return Err(UnknownSlo((*unknown).to_owned()));
    }
    Ok(decide(
        risk,
        names
            .enumerate()
            .filter(|(_, name)| asked.is_empty() || asked.contains(name))
            .map(|(index, _)| weigh(index)),
    ))
}

/// The strictest decision for `risk` over `candidates`, in spec order:
/// of those with the strictest decision, the one with the least budget
/// left decides.
pub(crate) fn decide<'a>(
    risk: Risk,
    candidates: impl IntoIterator<Item = Candidate<'a>>,
) -> ReleaseDecision {
    let deciding = strictest(candidates.into_iter().map(|candidate| {
        let decision = candidate.decisions.get(risk);
        let remaining = candidate.remaining;
        (candidate, decision, remaining)
    }));
    match deciding {
        Some((candidate, decision)) => ReleaseDecision {
            risk,
            decision,
            decided_by: Some(candidate.name.to_owned()),
            status: Some(candidate.level),
            budget_remaining: Some(candidate.remaining),
        },
        None => ReleaseDecision {
            risk,
            decision: Decision::Approve,
            decided_by: None,
            status: None,
            budget_remaining: None,
        },
    }
}

/// Which of `candidates`, each with its decision and its error budget
/// left (a ratio), decides: the strictest decision; of equals, the least
/// budget left; of those, the first. `None` when there are none. The one
/// rule every release decision follows, in code, on `/slo` and in
/// `slo gate`.
///
/// ```
/// use slo_core::release::{Decision, strictest};
/// let slos = [("a", Decision::Review, 0.9), ("b", Decision::Review, 0.2), ("c", Decision::Approve, -1.0)];
/// assert_eq!(strictest(slos).map(|(name, _)| name), Some("b"));
/// ```
pub fn strictest<T>(
    candidates: impl IntoIterator<Item = (T, Decision, f64)>,
) -> Option<(T, Decision)> {
    let mut best: Option<(T, Decision, f64)> = None;
    for (candidate, decision, remaining) in candidates {
        let stricter = match &best {
            None => true,
            Some((_, d, r)) => decision > *d || (decision == *d && remaining < *r),
        };
        if stricter {
            best = Some((candidate, decision, remaining));
        }
    }
    best.map(|(candidate, decision, _)| (candidate, decision))
}
