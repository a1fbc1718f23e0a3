//! Which SLOs a request counts toward, decided by the spec's `match` rules
//! (or the layer builder's), against the route template when the router
//! knows it and the path otherwise. Nothing from the request is kept: the
//! answer is a set of SLO indices, so hostile paths cannot grow anything.
//!
//! Rules are the spec's own compiled [`RouteRule`]s, so the layer matches
//! exactly as the spec says. A few are tried in turn, which is the
//! cheapest at that size. More are indexed, so that the cost grows with
//! the logarithm of their number: templates without parameters sit in a
//! list sorted by length, then bytes (one binary search finds a route's
//! rules); templates with parameters are grouped by their
//! [`RouteRule::literal_prefix`], and only the groups whose prefix the
//! route starts with are tried (one binary search per distinct prefix
//! length).

mod matched;
mod rules;
mod unmatched;

pub(crate) use matched::{Matched, Spill};

use slo_core::classify::Classification;
use slo_core::recent::RouteId;
use slo_core::{Registry, RouteRule, SliHandle, SloDefinition};

use crate::trace::TraceIds;
use rules::{Rule, Rules, TRIED_IN_TURN_UP_TO, method_of};
use unmatched::ShardedCount;

/// The route an SLO's bad events name.
#[derive(Debug)]
enum SloRoute {
    /// Its one template (none for an SLO of every request).
    Fixed(Option<RouteId>),
    /// Per rule, in order, its template: the request's first matching
    /// rule names the route.
    ByRule(Box<[Option<RouteId>]>),
}

/// The first matching rule of each SLO with rules of different templates,
/// as a request's rules match (in whatever order the table tries them):
/// four SLOs inline, and past those (rare) all of them in the request's
/// spill. Nothing to drop, so a request that matches no such SLO pays for
/// little more than its zeroing.
#[derive(Default)]
struct Ordinals {
    /// (SLO, its first matching rule's place), the lowest place per SLO.
    inline: [(u32, u32); 4],
    len: usize,
}

impl Ordinals {
    #[inline]
    fn note(&mut self, slo: u32, ordinal: u32, matched: &mut Matched) {
        let inline = &mut self.inline[..self.len];
        if let Some(entry) = inline.iter_mut().find(|(s, _)| *s == slo) {
            entry.1 = entry.1.min(ordinal);
        } else if self.len < self.inline.len() {
            self.inline[self.len] = (slo, ordinal);
            self.len += 1;
        } else {
            matched.spill_ordinal(slo, ordinal);
        }
    }

    /// Drops the places of SLOs the request is excluded from.
    fn forget(&mut self, excluded: &ExcludedSlos) {
        let mut kept = 0;
        for i in 0..self.len {
            let entry = self.inline[i];
            if !excluded.contains(entry.0) {
                self.inline[kept] = entry;
                kept += 1;
            }
        }
        self.len = kept;
    }

    /// Puts them into `matched`: by SLO in ascending order when all fit
    /// inline, else all into its spill.
    #[inline]
    fn keep(mut self, matched: &mut Matched) {
        if matched.spilled_ordinals() {
            for &(slo, ordinal) in &self.inline[..self.len] {
                matched.spill_ordinal(slo, ordinal);
            }
            return;
        }
        let inline = &mut self.inline[..self.len];
        inline.sort_unstable();
        for (rank, &(slo, ordinal)) in inline.iter().enumerate() {
            matched.keep_ordinal(rank, slo, ordinal);
        }
    }
}

/// One SLO as a layer's table takes it: its handle, the rules that route
/// requests to it (`None`: every request), those that keep requests from
/// it (`match.exclude`), its SLI's classification when not the default,
/// and whether it is a `quality` SLI (a degraded response is bad).
/// `routes` is `Some(vec![])` for an SLO that takes no requests (a
/// freshness SLI without `match`).
pub(crate) struct TableSlo {
    pub handle: SliHandle,
    pub routes: Option<Vec<RouteRule>>,
    pub exclude: Vec<RouteRule>,
    pub classification: Option<Classification>,
    pub quality: bool,
}

impl TableSlo {
    /// The SLO as its definition says.
    pub fn of(definition: &SloDefinition, handle: &SliHandle) -> TableSlo {
        TableSlo {
            handle: handle.clone(),
            routes: match definition.routes() {
                Some(rules) => Some(rules.to_vec()),
                None if definition.takes_every_request() => None,
                None => Some(Vec::new()),
            },
            exclude: definition.excluded_routes().to_vec(),
            classification: (!definition.classification().is_default())
                .then(|| definition.classification().clone()),
            quality: *definition.sli() == slo_core::Sli::Quality,
        }
    }
}

/// The SLOs a request's route is excluded from: a bit each for the first
/// 64, the rest listed (rare; an empty `Vec` does not allocate).
#[derive(Default)]
struct ExcludedSlos {
    bits: u64,
    beyond: Vec<u32>,
}

impl ExcludedSlos {
    #[inline]
    fn insert(&mut self, slo: u32) {
        if slo < 64 {
            self.bits |= 1 << slo;
        } else {
            self.insert_beyond(slo);
        }
    }

    #[cold]
    fn insert_beyond(&mut self, slo: u32) {
        if !self.beyond.contains(&slo) {
            self.beyond.push(slo);
        }
    }

    #[inline]
    fn contains(&self, slo: u32) -> bool {
        if slo < 64 {
            self.bits & (1 << slo) != 0
        } else {
            self.contains_beyond(slo)
        }
    }

    #[cold]
    fn contains_beyond(&self, slo: u32) -> bool {
        self.beyond.contains(&slo)
    }

    #[inline]
    fn any(&self) -> bool {
        self.bits != 0 || !self.beyond.is_empty()
    }
}

/// What a request resolved to.
pub(crate) struct Resolved {
    pub matched: Matched,
    /// Whether any matched SLO needs the latency.
    pub timed: bool,
}

/// The SLOs of a layer and the routes each covers.
pub(crate) struct RouteTable {
    pub handles: Vec<SliHandle>,
    /// Whether any SLO keeps its recent bad events, so that requests carry
    /// what describes one.
    pub keeps_bad: bool,
    /// Reads a request's trace id, when `keeps_bad`.
    pub trace_ids: TraceIds,
    /// Per SLO: the route its bad events name.
    slo_routes: Box<[SloRoute]>,
    /// The first 64 SLOs with rules of different templates, one bit each.
    several_templates: u64,
    /// The request clock: a TSC read where the CPU has a stable one
    /// (calibrated once per process), the monotonic clock otherwise.
    pub clock: quanta::Clock,
    rules: Rules,
    /// SLOs without rules: every request counts.
    always: Matched,
    /// Whether any SLO in `always` needs the request's latency.
    always_timed: bool,
    /// Requests that matched no SLO: one bounded bucket, whatever their path.
    unmatched: ShardedCount,
    /// Whether any rule is a `match.exclude` rule (in `rules`, flagged):
    /// only then are requests resolved the way that looks at them.
    has_exclusions: bool,
    /// Per SLO, its SLI's own classification; `None` for the default.
    classifications: Box<[Option<Box<Classification>>]>,
    /// Whether any SLO has its own classification: then requests keep
    /// what it reads (the status, the gRPC code).
    pub classifies: bool,
    /// Whether any SLO is a `quality` SLI: then a response's degraded mark
    /// is read.
    pub any_quality: bool,
    /// Per SLO, whether it is a `quality` SLI.
    quality: Box<[bool]>,
}

impl RouteTable {
    pub fn new(registry: &Registry, slos: Vec<TableSlo>, trace_ids: TraceIds) -> RouteTable {
        RouteTable::with_rules_tried_in_turn_up_to(registry, slos, trace_ids, TRIED_IN_TURN_UP_TO)
    }

    fn with_rules_tried_in_turn_up_to(
        registry: &Registry,
        slos: Vec<TableSlo>,
        trace_ids: TraceIds,
        tried_in_turn_up_to: usize,
    ) -> RouteTable {
        let keeps_bad = slos.iter().any(|slo| slo.handle.keeps_bad_events());
        let mut exclusions = Vec::new();
        let mut classifications = Vec::with_capacity(slos.len());
        let mut quality = Vec::with_capacity(slos.len());
        let mut slo_routes = Vec::with_capacity(slos.len());
        let mut handles = Vec::with_capacity(slos.len());
        let mut rules = Vec::new();
        let mut always = Matched::default();
        let mut always_timed = false;
        let mut several_templates = 0u64;
        for (index, table_slo) in slos.into_iter().enumerate() {
            let TableSlo {
                handle,
                routes: slo_rules,
                exclude,
                classification,
                quality: judges_quality,
            } = table_slo;
            quality.push(judges_quality);
            let slo = u32::try_from(index).unwrap_or(u32::MAX);
            let timed = handle.latency_threshold().is_some();
            handles.push(handle);
            classifications.push(classification.map(Box::new));
            for rule in exclude {
                let compiled = Rule {
                    method: method_of(&rule),
                    slo,
                    timed: false,
                    ordinal: None,
                    exclude: true,
                };
                exclusions.push((rule, compiled));
            }
            let Some(slo_rules) = slo_rules else {
                always.insert(slo);
                always_timed |= timed;
                slo_routes.push(SloRoute::Fixed(None));
                continue;
            };
            let first = slo_rules.first().map(|r| r.template().to_owned());
            let one_template = slo_rules
                .iter()
                .all(|r| Some(r.template()) == first.as_deref());
            if !one_template && slo < 64 {
                several_templates |= 1 << slo;
            }
            let mut by_rule = Vec::new();
            for (ordinal, rule) in slo_rules.into_iter().enumerate() {
                if !one_template {
                    by_rule.push(registry.route_id(rule.template()));
                }
                let compiled = Rule {
                    method: method_of(&rule),
                    slo,
                    timed,
                    ordinal: (!one_template).then(|| u32::try_from(ordinal).unwrap_or(u32::MAX)),
                    exclude: false,
                };
                rules.push((rule, compiled));
            }
            slo_routes.push(if one_template {
                SloRoute::Fixed(first.and_then(|template| registry.route_id(&template)))
            } else {
                SloRoute::ByRule(by_rule.into_boxed_slice())
            });
        }
        RouteTable {
            handles,
            keeps_bad,
            trace_ids,
            slo_routes: slo_routes.into_boxed_slice(),
            several_templates,
            clock: quanta::Clock::new(),
            has_exclusions: !exclusions.is_empty(),
            rules: Rules::new(
                rules.into_iter().chain(exclusions).collect(),
                tried_in_turn_up_to,
            ),
            always,
            always_timed,
            unmatched: ShardedCount::new(),
            classifies: classifications.iter().any(Option::is_some),
            any_quality: quality.contains(&true),
            classifications: classifications.into_boxed_slice(),
            quality: quality.into_boxed_slice(),
        }
    }

    /// Whether SLO `slo` is a `quality` SLI.
    #[inline]
    pub fn judges_quality(&self, slo: usize) -> bool {
        self.quality.get(slo).copied().unwrap_or(false)
    }

    /// SLO `slo`'s own classification; `None` for the default.
    #[inline]
    pub fn classification(&self, slo: usize) -> Option<&Classification> {
        self.classifications.get(slo).and_then(|c| c.as_deref())
    }

    /// The SLOs a request with this method and route (template or path)
    /// counts toward, and whether any of them needs its latency; counts it
    /// as unmatched when there are none.
    #[inline(always)]
    pub fn resolve(&self, method: &http::Method, route: &str) -> Resolved {
        if self.has_exclusions {
            return self.resolve_excluding(method, route);
        }
        let mut matched = Matched {
            slos: self.always.slos,
            ..Matched::default()
        };
        if let Some(always) = &self.always.spill {
            for &slo in &always.slos {
                matched.insert(slo);
            }
        }
        let mut timed = self.always_timed;
        let mut ordinals = Ordinals::default();
        self.rules.each_match(method, route, |rule| {
            matched.insert(rule.slo);
            timed |= rule.timed;
            if let Some(ordinal) = rule.ordinal {
                ordinals.note(rule.slo, ordinal, &mut matched);
            }
        });
        if ordinals.len > 0 {
            ordinals.keep(&mut matched);
        }
        if matched.is_empty() {
            self.unmatched.add();
        }
        Resolved { matched, timed }
    }

    /// [`RouteTable::resolve`] for a table with `match.exclude` rules: the
    /// same one pass over the rules, which notes the SLOs whose exclusions
    /// match and leaves them out at the end. Apart, so that tables without
    /// any pay nothing for it (one body for both, with the check inside,
    /// cost the plain path about 70 instructions a request: its closure
    /// was no longer inlined).
    #[inline(always)]
    fn resolve_excluding(&self, method: &http::Method, route: &str) -> Resolved {
        let mut excluded = ExcludedSlos::default();
        let mut matched = Matched {
            slos: self.always.slos,
            ..Matched::default()
        };
        if let Some(always) = &self.always.spill {
            for &slo in &always.slos {
                matched.insert(slo);
            }
        }
        let mut timed = self.always_timed;
        let mut ordinals = Ordinals::default();
        self.rules.each_match(method, route, |rule| {
            if rule.exclude {
                excluded.insert(rule.slo);
                return;
            }
            matched.insert(rule.slo);
            timed |= rule.timed;
            if let Some(ordinal) = rule.ordinal {
                ordinals.note(rule.slo, ordinal, &mut matched);
            }
        });
        if excluded.any() {
            matched.remove(excluded.bits, |slo| excluded.contains(slo));
            ordinals.forget(&excluded);
        }
        if ordinals.len > 0 {
            ordinals.keep(&mut matched);
        }
        if matched.is_empty() {
            self.unmatched.add();
        }
        Resolved { matched, timed }
    }

    /// The route id of the template a request's bad event of SLO `slo`
    /// names: the SLO's one template, or that of the first of its rules
    /// the request matched.
    pub fn route_of(&self, slo: usize, matched: &Matched) -> Option<RouteId> {
        match self.slo_routes.get(slo)? {
            SloRoute::Fixed(route) => *route,
            SloRoute::ByRule(routes) => {
                let ordinal = matched.ordinal(slo, self.several_templates)?;
                routes.get(ordinal as usize).copied().flatten()
            }
        }
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
mod tests;
