//! A layer's rules, compiled: a few tried in turn, more indexed (see the
//! [parent module](super)).

use slo_core::RouteRule;

/// What a rule adds to a request its template matches.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    /// `None`: any method.
    pub method: Option<http::Method>,
    pub slo: u32,
    pub timed: bool,
    /// Its place among its SLO's rules, when that SLO has rules of
    /// different templates (whose bad events' route needs it).
    pub ordinal: Option<u32>,
    /// A `match.exclude` rule: a request it matches is no event of its
    /// SLO. Kept in the same index as the routes, so that one lookup finds
    /// both.
    pub exclude: bool,
}

impl Rule {
    #[inline]
    fn allows(&self, method: &http::Method) -> bool {
        self.method.as_ref().is_none_or(|only| only == method)
    }
}

/// A rule's method as `http::Method` (standard methods compare as an enum,
/// without touching the bytes); `None` for any method.
pub(crate) fn method_of(rule: &RouteRule) -> Option<http::Method> {
    // A rule's method is upper-case letters (validated), always a valid
    // `http::Method`; an impossible one matches nothing.
    rule.method()
        .map(|m| http::Method::from_bytes(m.as_bytes()).unwrap_or(http::Method::CONNECT))
}

/// Up to this many rules, a layer tries them in turn.
pub(crate) const TRIED_IN_TURN_UP_TO: usize = 8;

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
pub(crate) enum Rules {
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
    pub fn new(rules: Vec<(RouteRule, Rule)>, tried_in_turn_up_to: usize) -> Rules {
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
    pub fn each_match(&self, method: &http::Method, route: &str, mut add: impl FnMut(&Rule)) {
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
