//! Which SLOs a request counts toward, decided by the spec's `match` rules
//! (or the layer builder's), against the route template when the router
//! knows it and the path otherwise. Nothing from the request is kept: the
//! answer is a few SLO indices, so hostile paths cannot grow anything.

use std::sync::atomic::{AtomicU64, Ordering};

use slo_core::{RouteRule, SliHandle};
use smallvec::SmallVec;

/// Indices into [`RouteTable::handles`]; inline for up to four SLOs a request.
pub(crate) type Matched = SmallVec<[u32; 4]>;

/// The SLOs of a layer and the routes each covers.
pub(crate) struct RouteTable {
    pub handles: Vec<SliHandle>,
    /// Per SLO: its rules, or `None` for every request.
    rules: Vec<Option<Vec<RouteRule>>>,
    /// Requests that matched no SLO: one bounded bucket, whatever their path.
    unmatched: AtomicU64,
}

impl RouteTable {
    pub fn new(entries: Vec<(SliHandle, Option<Vec<RouteRule>>)>) -> RouteTable {
        let (handles, rules) = entries.into_iter().unzip();
        RouteTable {
            handles,
            rules,
            unmatched: AtomicU64::new(0),
        }
    }

    /// The SLOs a request with this method and route (template or path)
    /// counts toward; counts it as unmatched when there are none.
    pub fn resolve(&self, method: &str, route: &str) -> Matched {
        let mut matched = Matched::new();
        for (index, rules) in self.rules.iter().enumerate() {
            let hit = match rules {
                None => true,
                Some(rules) => rules.iter().any(|rule| rule.matches(method, route)),
            };
            if hit {
                matched.push(index as u32);
            }
        }
        if matched.is_empty() {
            self.unmatched.fetch_add(1, Ordering::Relaxed);
        }
        matched
    }

    pub fn unmatched(&self) -> u64 {
        self.unmatched.load(Ordering::Relaxed)
    }
}
