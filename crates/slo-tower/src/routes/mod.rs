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
mod unmatched;

pub(crate) use matched::{Matched, Spill};

use slo_core::recent::RouteId;
use slo_core::{Registry, RouteRule, SliHandle};

use crate::trace::TraceIds;
use unmatched::ShardedCount;

/// What a rule adds to a request its template matches.
#[derive(Debug, Clone)]
struct Rule {
    /// `None`: any method.
    method: Option<http::Method>,
    slo: u32,
    timed: bool,
    /// Its place among its SLO's rules, when that SLO has rules of
    /// different templates (whose bad events' route needs it).
    ordinal: Option<u32>,
}

/// The route an SLO's bad events name.
#[derive(Debug)]
enum SloRoute {
    /// Its one template (none for an SLO of every request).
    Fixed(Option<RouteId>),
    /// Per rule, in order, its template: the request's first matching
    /// rule names the route.
    ByRule(Box<[Option<RouteId>]>),
}

impl Rule {
    #[inline]
    fn allows(&self, method: &http::Method) -> bool {
        self.method.as_ref().is_none_or(|only| only == method)
    }
}

/// A rule's method as `http::Method` (standard methods compare as an enum,
/// without touching the bytes); `None` for any method.
fn method_of(rule: &RouteRule) -> Option<http::Method> {
    // A rule's method is upper-case letters (validated), always a valid
    // `http::Method`; an impossible one matches nothing.
    rule.method()
        .map(|m| http::Method::from_bytes(m.as_bytes()).unwrap_or(http::Method::CONNECT))
}

/// Up to this many rules, a layer tries them in turn.
const TRIED_IN_TURN_UP_TO: usize = 8;

/// Keys sorted by length, then bytes, so that most probes of a binary
/// search compare two lengths, not two strings; equal keys gathered.
type Index<V> = Box<[(Box<str>, Box<[V]>)]>;

fn by_length_then_bytes(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn index<V>(mut items: Vec<(Box<str>, V)>) -> Index<V> {
    items.sort_by(|a, b| by_length_then_bytes(a.0.as_bytes(), b.0.as_bytes()));
    let mut groups: Vec<(Box<str>, Vec<V>)> = Vec::new();
    for (key, value) in items {
        match groups.last_mut() {
            Some((last, values)) if *last == key => values.push(value),
            _ => groups.push((key, vec![value])),
        }
    }
    groups
        .into_iter()
        .map(|(key, values)| (key, values.into_boxed_slice()))
        .collect()
}

/// The values under `key`.
#[inline]
fn lookup<'a, V>(index: &'a Index<V>, key: &[u8]) -> &'a [V] {
    match index.binary_search_by(|(k, _)| by_length_then_bytes(k.as_bytes(), key)) {
        Ok(i) => index.get(i).map_or(&[], |(_, values)| values),
        Err(_) => &[],
    }
}

/// A layer's rules, compiled.
enum Rules {
    /// Few: tried in turn.
    Few(Box<[(RouteRule, Rule)]>),
    /// Many: indexed.
    Many {
        /// Rules whose template has no parameters, by template.
        exact: Index<Rule>,
        /// Rules whose template has parameters, by the prefix of the
        /// routes they can match.
        prefixed: Index<(RouteRule, Rule)>,
        /// The distinct lengths of those prefixes, ascending.
        prefix_lengths: Box<[usize]>,
    },
}

impl Rules {
    fn new(rules: Vec<(RouteRule, Rule)>, tried_in_turn_up_to: usize) -> Rules {
        if rules.len() <= tried_in_turn_up_to {
            return Rules::Few(rules.into_boxed_slice());
        }
        let mut exact = Vec::new();
        let mut prefixed = Vec::new();
        for (route, rule) in rules {
            let key: Box<str> = route.literal_prefix().into();
            if route.has_parameters() {
                prefixed.push((key, (route, rule)));
            } else {
                exact.push((key, rule));
            }
        }
        let mut prefix_lengths: Vec<usize> = prefixed.iter().map(|(p, _)| p.len()).collect();
        prefix_lengths.sort_unstable();
        prefix_lengths.dedup();
        Rules::Many {
            exact: index(exact),
            prefixed: index(prefixed),
            prefix_lengths: prefix_lengths.into_boxed_slice(),
        }
    }

    /// Calls `add` with each rule that matches `method` and `route`.
    #[inline]
    fn each_match(&self, method: &http::Method, route: &str, mut add: impl FnMut(&Rule)) {
        match self {
            Rules::Few(rules) => {
                for (route_rule, rule) in rules.iter() {
                    if rule.allows(method) && route_rule.matches_route(route) {
                        add(rule);
                    }
                }
            }
            Rules::Many {
                exact,
                prefixed,
                prefix_lengths,
            } => {
                let bytes = route.as_bytes();
                for rule in lookup(exact, bytes) {
                    if rule.allows(method) {
                        add(rule);
                    }
                }
                for &len in prefix_lengths.iter() {
                    let Some(head) = bytes.get(..len) else {
                        break;
                    };
                    for (route_rule, rule) in lookup(prefixed, head) {
                        if rule.allows(method) && route_rule.matches_route(route) {
                            add(rule);
                        }
                    }
                }
            }
        }
    }
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
}

impl RouteTable {
    pub fn new(
        registry: &Registry,
        slos: Vec<(SliHandle, Option<Vec<RouteRule>>)>,
        trace_ids: TraceIds,
    ) -> RouteTable {
        RouteTable::with_rules_tried_in_turn_up_to(registry, slos, trace_ids, TRIED_IN_TURN_UP_TO)
    }

    fn with_rules_tried_in_turn_up_to(
        registry: &Registry,
        slos: Vec<(SliHandle, Option<Vec<RouteRule>>)>,
        trace_ids: TraceIds,
        tried_in_turn_up_to: usize,
    ) -> RouteTable {
        let keeps_bad = slos.iter().any(|(handle, _)| handle.keeps_bad_events());
        let mut slo_routes = Vec::with_capacity(slos.len());
        let mut handles = Vec::with_capacity(slos.len());
        let mut rules = Vec::new();
        let mut always = Matched::default();
        let mut always_timed = false;
        let mut several_templates = 0u64;
        for (index, (handle, slo_rules)) in slos.into_iter().enumerate() {
            let slo = u32::try_from(index).unwrap_or(u32::MAX);
            let timed = handle.latency_threshold().is_some();
            handles.push(handle);
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
            rules: Rules::new(rules, tried_in_turn_up_to),
            always,
            always_timed,
            unmatched: ShardedCount::new(),
        }
    }

    /// The SLOs a request with this method and route (template or path)
    /// counts toward, and whether any of them needs its latency; counts it
    /// as unmatched when there are none.
    #[inline(always)]
    pub fn resolve(&self, method: &http::Method, route: &str) -> Resolved {
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
mod tests {
    use super::*;
    use slo_core::{Registry, SloDefinition, Spec};

    fn table_tried_in_turn_up_to(spec: Spec, up_to: usize) -> RouteTable {
        registry_and_table(spec, up_to).1
    }

    fn registry_and_table(spec: Spec, up_to: usize) -> (Registry, RouteTable) {
        let registry = Registry::new(spec);
        let table = RouteTable::with_rules_tried_in_turn_up_to(
            &registry,
            registry
                .handles()
                .map(|(d, h)| (h.clone(), d.routes().map(<[RouteRule]>::to_vec)))
                .collect(),
            TraceIds::default(),
            up_to,
        );
        (registry, table)
    }

    fn table(spec: Spec) -> RouteTable {
        table_tried_in_turn_up_to(spec, TRIED_IN_TURN_UP_TO)
    }

    #[test]
    fn an_slo_counts_once_however_many_rules_match_and_always_slos_always() {
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
        let table = table(spec);
        let resolved = table.resolve(&http::Method::GET, "/cart/1");
        assert_eq!(resolved.matched.iter().collect::<Vec<_>>(), [0, 1]);
        // Both of a's rules matched (of two templates, so told apart); the
        // first (place 0, kept as 1) names the route.
        assert_eq!(resolved.matched.rules, 0x1);
        let second = Matched {
            slos: 0b1,
            rules: 0x2,
            ..Matched::default()
        };
        assert!(table.route_of(0, &resolved.matched).is_some());
        assert!(table.route_of(0, &second).is_some());
        assert_ne!(
            table.route_of(0, &resolved.matched),
            table.route_of(0, &second)
        );
        assert_eq!(table.route_of(1, &resolved.matched), None);
        let resolved = table.resolve(&http::Method::GET, "/search");
        assert_eq!(resolved.matched.iter().collect::<Vec<_>>(), [1, 2]);
        // b has one template: nothing to tell apart, its route is fixed.
        assert_eq!(resolved.matched.rules, 0);
        assert!(table.route_of(2, &resolved.matched).is_some());
        assert_eq!(table.unmatched(), 0);
    }

    /// Tried in turn or indexed, the table finds exactly the SLOs whose
    /// rules match, by the spec's own `RouteRule::matches`, for every
    /// method and route, with one SLO per rule and with all rules on one.
    #[test]
    fn both_ways_find_exactly_the_rules_that_match() {
        for up_to in [0, usize::MAX] {
            the_rules_that_match(up_to);
        }
    }

    /// Rules and routes that exercise the matcher's corners.
    const TEST_RULES: [&str; 9] = [
        "GET /search",
        "/cart/{id}",
        "POST /cart/{id}/items/{item}",
        "/files/{*path}",
        "/",
        "/a/b/",
        "DELETE /x/{id}/y",
        "/{id}",
        "/ü/{id}",
    ];

    const TEST_ROUTES: [&str; 27] = [
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
        "/ü/1",
        "/cartx/1",
    ];

    /// Rules matching no test route, to push later rules' places past
    /// what a request keeps inline.
    const FILLER: usize = 11;

    fn the_rules_that_match(up_to: usize) {
        let rules: Vec<RouteRule> = TEST_RULES.iter().map(|r| r.parse().unwrap()).collect();
        let mut builder = Spec::builder("s");
        for (i, rule) in TEST_RULES.iter().enumerate() {
            builder = builder.slo(
                SloDefinition::builder(format!("s{i}"))
                    .objective(0.9)
                    .route(*rule),
            );
        }
        // SLOs of all the rules, each in its own order: six rotations, so
        // that more SLOs of different templates match than a request keeps
        // inline, and one whose rules come after FILLER others.
        let mut orders: Vec<Vec<String>> = (0..6)
            .map(|turn| {
                let mut order: Vec<String> = TEST_RULES.iter().map(|r| r.to_string()).collect();
                order.rotate_left(turn);
                order
            })
            .collect();
        let mut late: Vec<String> = (0..FILLER).map(|i| format!("/filler/{i}")).collect();
        late.extend(TEST_RULES.iter().map(|r| r.to_string()));
        orders.push(late);
        for (i, order) in orders.iter().enumerate() {
            let mut all = SloDefinition::builder(format!("all{i}")).objective(0.9);
            for rule in order {
                all = all.route(rule.as_str());
            }
            builder = builder.slo(all);
        }
        let (registry, table) = registry_and_table(builder.build().unwrap(), up_to);
        assert_eq!(matches!(table.rules, Rules::Few(_)), up_to > 0);
        let first_all = TEST_RULES.len();
        for method in [http::Method::GET, http::Method::POST, http::Method::DELETE] {
            for route in TEST_ROUTES {
                let want: Vec<usize> = (0..rules.len())
                    .filter(|&i| rules[i].matches(method.as_str(), route))
                    .collect();
                let matched = table.resolve(&method, route).matched;
                let got: Vec<usize> = matched.iter().filter(|&i| i < first_all).collect();
                assert_eq!(got, want, "{method} {route}, tried in turn up to {up_to}");
                for (i, order) in orders.iter().enumerate() {
                    let slo = first_all + i;
                    let first = order.iter().find(|rule| {
                        rule.parse::<RouteRule>()
                            .unwrap()
                            .matches(method.as_str(), route)
                    });
                    assert_eq!(matched.iter().any(|m| m == slo), first.is_some());
                    // Its bad events name the template of its first
                    // matching rule, in its own order.
                    let template = first.map(|rule| rule.parse::<RouteRule>().unwrap());
                    assert_eq!(
                        table.route_of(slo, &matched),
                        template.and_then(|rule| registry.route_id(rule.template())),
                        "all{i}: {method} {route}, tried in turn up to {up_to}"
                    );
                }
            }
        }
    }
}
