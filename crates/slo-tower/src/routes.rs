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

/// The SLOs one request counts toward, as indices into
/// [`RouteTable::handles`]: a bit for each of a layer's first 64 SLOs (one
/// word to copy, and a set, so an SLO counts once however many of its rules
/// match), and a list only for SLOs beyond those (a layer with more than 64).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Matched {
    bits: u64,
    #[allow(
        clippy::box_collection,
        reason = "a thin pointer keeps every request's set two words; the list is rare"
    )]
    beyond: Option<Box<Vec<u32>>>,
}

impl Matched {
    #[inline]
    pub fn insert(&mut self, slo: u32) {
        if slo < 64 {
            self.bits |= 1 << slo;
        } else {
            self.insert_beyond(slo);
        }
    }

    #[cold]
    fn insert_beyond(&mut self, slo: u32) {
        let beyond = self.beyond.get_or_insert_with(Box::default);
        if !beyond.contains(&slo) {
            beyond.push(slo);
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.bits == 0 && self.beyond.is_none()
    }

    /// Empties the set, returning what it held.
    #[inline]
    pub fn take(&mut self) -> Matched {
        std::mem::take(self)
    }

    /// The indices, lowest first for the first 64.
    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let mut bits = self.bits;
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let index = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                index
            })
        })
        .chain(
            self.beyond
                .iter()
                .flat_map(|beyond| beyond.iter().map(|&slo| slo as usize)),
        )
    }
}

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
    /// Standard methods compare as an enum, without touching the bytes.
    method: Option<http::Method>,
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
            // A rule's method is upper-case letters (validated), always a
            // valid `http::Method`; an impossible one matches nothing.
            method: rule
                .method()
                .map(|m| http::Method::from_bytes(m.as_bytes()).unwrap_or(http::Method::CONNECT)),
            pattern,
        }
    }

    #[inline]
    fn matches(&self, method: &http::Method, route: &str) -> bool {
        if let Some(only) = &self.method
            && only != method
        {
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
        if exhausted {
            return matches!(segment, Segment::CatchAll);
        }
        match segment {
            Segment::CatchAll => return true,
            // A literal is compared in place: no scan for the next '/'.
            Segment::Literal(literal) => {
                let literal = literal.as_bytes();
                if !rest.starts_with(literal) {
                    return false;
                }
                match rest.get(literal.len()) {
                    None => exhausted = true,
                    Some(b'/') => rest = &rest[literal.len() + 1..],
                    Some(_) => return false,
                }
            }
            Segment::Param => {
                let end = rest.iter().position(|&b| b == b'/');
                let part = &rest[..end.unwrap_or(rest.len())];
                if part.is_empty() {
                    return false;
                }
                match end {
                    Some(end) => rest = &rest[end + 1..],
                    None => exhausted = true,
                }
            }
        }
    }
    exhausted
}

/// One rule of one SLO.
struct Entry {
    rule: Compiled,
    slo: u32,
    timed: bool,
}

/// The SLOs of a layer and the routes each covers.
pub(crate) struct RouteTable {
    pub handles: Vec<SliHandle>,
    /// The request clock: a TSC read where the CPU has a stable one
    /// (calibrated once per process), the monotonic clock otherwise.
    pub clock: quanta::Clock,
    /// Every rule, grouped by SLO in spec order.
    entries: Box<[Entry]>,
    /// SLOs without rules: every request counts.
    always: Matched,
    /// Whether any SLO in `always` needs the request's latency.
    always_timed: bool,
    /// Requests that matched no SLO: one bounded bucket, whatever their path.
    unmatched: ShardedCount,
}

/// A counter split over cache lines by thread, so that hostile traffic
/// spread over many cores does not make every core fight over one line.
struct ShardedCount {
    shards: Box<[Padded]>,
}

#[repr(align(64))]
struct Padded(AtomicU64);

const COUNT_SHARDS: usize = 16;

thread_local! {
    static SHARD: usize = {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        (NEXT.fetch_add(1, Ordering::Relaxed) as usize) % COUNT_SHARDS
    };
}

impl ShardedCount {
    fn new() -> ShardedCount {
        ShardedCount {
            shards: (0..COUNT_SHARDS)
                .map(|_| Padded(AtomicU64::new(0)))
                .collect(),
        }
    }

    fn add(&self) {
        let shard = SHARD.try_with(|s| *s).unwrap_or(0);
        if let Some(cell) = self.shards.get(shard) {
            cell.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn total(&self) -> u64 {
        self.shards
            .iter()
            .map(|c| c.0.load(Ordering::Relaxed))
            .sum()
    }
}

impl RouteTable {
    pub fn new(slos: Vec<(SliHandle, Option<Vec<RouteRule>>)>) -> RouteTable {
        let mut handles = Vec::with_capacity(slos.len());
        let mut entries = Vec::new();
        let mut always = Matched::default();
        let mut always_timed = false;
        for (index, (handle, rules)) in slos.into_iter().enumerate() {
            let slo = u32::try_from(index).unwrap_or(u32::MAX);
            let timed = handle.latency_threshold().is_some();
            handles.push(handle);
            match rules {
                None => {
                    always.insert(slo);
                    always_timed |= timed;
                }
                Some(rules) => entries.extend(rules.iter().map(|rule| Entry {
                    rule: Compiled::new(rule),
                    slo,
                    timed,
                })),
            }
        }
        RouteTable {
            handles,
            clock: quanta::Clock::new(),
            entries: entries.into_boxed_slice(),
            always,
            always_timed,
            unmatched: ShardedCount::new(),
        }
    }

    /// The SLOs a request with this method and route (template or path)
    /// counts toward, and whether any of them needs its latency; counts it
    /// as unmatched when there are none.
    pub fn resolve(&self, method: &http::Method, route: &str) -> (Matched, bool) {
        let mut matched = self.always.clone();
        let mut timed = self.always_timed;
        for entry in self.entries.iter() {
            if entry.rule.matches(method, route) {
                matched.insert(entry.slo);
                timed |= entry.timed;
            }
        }
        if matched.is_empty() {
            self.unmatched.add();
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
        self.unmatched.total()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_slo_counts_once_however_many_rules_match_and_always_slos_always() {
        use slo_core::{Registry, SloDefinition, Spec};
        let spec = Spec::builder("s")
            .slo(
                SloDefinition::builder("a")
                    .objective(0.9)
                    .route("/cart/{id}")
                    .route("GET /cart/{x}"),
            )
            .slo(SloDefinition::builder("all").objective(0.9))
            .slo(SloDefinition::builder("b").objective(0.9).route("/search"))
            .build()
            .unwrap();
        let registry = Registry::new(spec);
        let table = RouteTable::new(
            registry
                .handles()
                .map(|(d, h)| (h.clone(), d.routes().map(<[RouteRule]>::to_vec)))
                .collect(),
        );
        let (matched, _) = table.resolve(&http::Method::GET, "/cart/1");
        assert_eq!(matched.iter().collect::<Vec<_>>(), [0, 1]);
        let (matched, _) = table.resolve(&http::Method::GET, "/search");
        assert_eq!(matched.iter().collect::<Vec<_>>(), [1, 2]);
        assert_eq!(table.unmatched(), 0);
    }

    #[test]
    fn the_unmatched_count_is_exact_across_threads() {
        let count = ShardedCount::new();
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    for _ in 0..10_000 {
                        count.add();
                    }
                });
            }
        });
        assert_eq!(count.total(), 80_000);
    }

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
            for method in [http::Method::GET, http::Method::POST, http::Method::DELETE] {
                for route in routes {
                    assert_eq!(
                        compiled.matches(&method, route),
                        parsed.matches(method.as_str(), route),
                        "{rule} vs {method} {route}"
                    );
                }
            }
        }
    }
}
