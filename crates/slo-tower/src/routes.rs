//! Which SLOs a request counts toward, decided by the spec's `match` rules
//! (or the layer builder's), against the route template when the router
//! knows it and the path otherwise. Nothing from the request is kept: the
//! answer is a few SLO indices, so hostile paths cannot grow anything.
//!
//! Rules are compiled once: a template without parameters is one string
//! comparison; one with parameters is compared segment by segment over the
//! bytes, with no allocation.

use std::sync::atomic::{AtomicU64, Ordering};

use slo_core::{RouteRule, SliHandle};
use smallvec::SmallVec;

/// Indices into [`RouteTable::handles`]; inline for up to four SLOs a request.
pub(crate) type Matched = SmallVec<[u32; 4]>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(Box<str>),
    Param,
    CatchAll,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    /// No parameters: the route must be this string.
    Exact(Box<str>),
    Segments(Box<[Segment]>),
}

/// A [`RouteRule`] compiled for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Compiled {
    method: Option<Box<str>>,
    pattern: Pattern,
}

impl Compiled {
    fn new(rule: &RouteRule) -> Compiled {
        let template = rule.template();
        let segments: Vec<Segment> = template
            .strip_prefix('/')
            .unwrap_or(template)
            .split('/')
            .map(
                |part| match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                    Some(name) if name.starts_with('*') => Segment::CatchAll,
                    Some(_) => Segment::Param,
                    None => Segment::Literal(part.into()),
                },
            )
            .collect();
        let pattern = if segments.iter().all(|s| matches!(s, Segment::Literal(_))) {
            Pattern::Exact(template.into())
        } else {
            Pattern::Segments(segments.into())
        };
        Compiled {
            method: rule.method().map(Into::into),
            pattern,
        }
    }

    fn matches(&self, method: &str, route: &str) -> bool {
        if self.method.as_deref().is_some_and(|m| m != method) {
            return false;
        }
        match &self.pattern {
            Pattern::Exact(exact) => **exact == *route,
            Pattern::Segments(segments) => match route.strip_prefix('/') {
                Some(path) => segments_match(segments, path.as_bytes()),
                None => false,
            },
        }
    }
}

/// `{name}` is one non-empty segment, a final `{*name}` the rest.
fn segments_match(segments: &[Segment], mut rest: &[u8]) -> bool {
    let mut exhausted = false;
    for segment in segments {
        if let Segment::CatchAll = segment {
            return true;
        }
        if exhausted {
            return false;
        }
        let end = rest.iter().position(|&b| b == b'/');
        let part = &rest[..end.unwrap_or(rest.len())];
        match end {
            Some(end) => rest = &rest[end + 1..],
            None => exhausted = true,
        }
        let ok = match segment {
            Segment::Literal(literal) => literal.as_bytes() == part,
            _ => !part.is_empty(),
        };
        if !ok {
            return false;
        }
    }
    exhausted
}

/// The SLOs of a layer and the routes each covers.
pub(crate) struct RouteTable {
    pub handles: Vec<SliHandle>,
    /// Per SLO: its compiled rules, or `None` for every request.
    rules: Vec<Option<Vec<Compiled>>>,
    /// Per SLO: whether it needs the request's latency.
    timed: Vec<bool>,
    /// Requests that matched no SLO: one bounded bucket, whatever their path.
    unmatched: AtomicU64,
}

impl RouteTable {
    pub fn new(entries: Vec<(SliHandle, Option<Vec<RouteRule>>)>) -> RouteTable {
        let mut handles = Vec::with_capacity(entries.len());
        let mut rules = Vec::with_capacity(entries.len());
        let mut timed = Vec::with_capacity(entries.len());
        for (handle, rule_list) in entries {
            timed.push(handle.latency_threshold().is_some());
            handles.push(handle);
            rules.push(rule_list.map(|list| list.iter().map(Compiled::new).collect()));
        }
        RouteTable {
            handles,
            rules,
            timed,
            unmatched: AtomicU64::new(0),
        }
    }

    /// The SLOs a request with this method and route (template or path)
    /// counts toward, and whether any of them needs its latency; counts it
    /// as unmatched when there are none.
    pub fn resolve(&self, method: &str, route: &str) -> (Matched, bool) {
        let mut matched = Matched::new();
        let mut timed = false;
        for (index, rules) in self.rules.iter().enumerate() {
            let hit = match rules {
                None => true,
                Some(rules) => rules.iter().any(|rule| rule.matches(method, route)),
            };
            if hit {
                matched.push(index as u32);
                timed |= self.timed.get(index).copied().unwrap_or(false);
            }
        }
        if matched.is_empty() {
            self.unmatched.fetch_add(1, Ordering::Relaxed);
        }
        (matched, timed)
    }

    /// Gives the table the life of the process. Requests in flight refer
    /// to it from every thread; a shared reference count would be one
    /// contended cache line per request, which is what the sharded counters
    /// exist to avoid. A table is a few hundred bytes, made once per layer.
    pub fn leak(self) -> &'static RouteTable {
        Box::leak(Box::new(self))
    }

    pub fn unmatched(&self) -> u64 {
        self.unmatched.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The compiled matcher agrees with the spec's own `RouteRule::matches`.
    #[test]
    fn compiled_rules_agree_with_the_spec() {
        let rules = [
            "GET /search",
            "/cart/{id}",
            "POST /cart/{id}/items/{item}",
            "/files/{*path}",
            "/",
            "/a/b/",
            "DELETE /x/{id}/y",
        ];
        let routes = [
            "/search",
            "/search/",
            "/searc",
            "/searchx",
            "/cart/1",
            "/cart/",
            "/cart",
            "/cart/1/",
            "/cart/{id}",
            "/cart/1/items/2",
            "/cart/1/items/",
            "/cart//items/2",
            "/files",
            "/files/",
            "/files/a/b/c",
            "/",
            "",
            "//",
            "/a/b/",
            "/a/b",
            "/x/9/y",
            "/x/9/y/",
            "/x//y",
            "no-slash",
            "/ü/{id}",
        ];
        for rule in rules {
            let parsed: RouteRule = rule.parse().unwrap();
            let compiled = Compiled::new(&parsed);
            for method in ["GET", "POST", "DELETE"] {
                for route in routes {
                    assert_eq!(
                        compiled.matches(method, route),
                        parsed.matches(method, route),
                        "{rule} vs {method} {route}"
                    );
                }
            }
        }
    }
}
