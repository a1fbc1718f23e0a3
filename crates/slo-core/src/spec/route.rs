//! Route rules of a spec's `match`: `"[METHOD ]/template"`, templates in
//! axum's syntax (`/cart/{id}`, `/files/{*path}`), compiled once into the
//! form that every matcher uses: the spec's own [`RouteRule::matches`], and
//! the middleware's route table, which indexes rules by
//! [`RouteRule::literal_prefix`] and calls [`RouteRule::matches_route`].

use std::fmt;

/// One `match.routes` entry: an optional method and a route template.
///
/// A rule matches a request whose method equals the rule's (any method when
/// the rule has none) and whose route is the same template or a concrete path
/// the template covers: `{name}` stands for one non-empty segment, a final
/// `{*name}` for the rest of the path
/// ([route rules](crate::semantics#route-rules)).
///
/// ```
/// use slo_core::RouteRule;
/// let rule: RouteRule = "GET /cart/{id}".parse()?;
/// assert!(rule.matches("GET", "/cart/{id}"));
/// assert!(rule.matches("GET", "/cart/42"));
/// assert!(!rule.matches("POST", "/cart/42"));
/// assert!(!rule.matches("GET", "/cart/42/items"));
/// assert_eq!(rule.literal_prefix(), "/cart");
/// # Ok::<(), slo_core::RouteRuleError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteRule {
    method: Option<String>,
    template: String,
    pattern: Pattern,
}

/// A template, compiled.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Pattern {
    /// No parameters: the route must be the template itself.
    Exact,
    /// Parameters: `prefix` is what every route it matches starts with
    /// (the literal segments before the first parameter).
    Segments {
        prefix: Box<str>,
        segments: Box<[Segment]>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Segment {
    Literal(Box<str>),
    Param,
    CatchAll,
}

/// Why a route rule was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteRuleError {
    /// The part before the space is not an upper-case method name.
    #[error("method {0:?} must be an upper-case HTTP method such as GET or POST")]
    Method(String),
    /// The template does not start with `/`.
    #[error("the template must start with '/'")]
    NoLeadingSlash,
    /// Whitespace, a control character, `?` or `#` in the template.
    #[error(
        "the template may not contain {0:?} (a route is a path template, without query or fragment)"
    )]
    Character(char),
    /// `{}` or a parameter name that is not letters, digits or `_`.
    #[error("parameter {0:?} needs a name of letters, digits or '_'")]
    ParameterName(String),
    /// A `{*rest}` that is not the last segment.
    #[error("catch-all {0:?} must be the last segment")]
    CatchAllNotLast(String),
    /// A brace inside a segment, as in `/cart/x{id}`.
    #[error("segment {0:?}: a parameter takes a whole segment, like /cart/{{id}}")]
    PartialParameter(String),
    /// `//` in the template.
    #[error("empty path segment ('//')")]
    EmptySegment,
}

impl RouteRule {
    /// The method, when the rule names one.
    pub fn method(&self) -> Option<&str> {
        self.method.as_deref()
    }

    /// The route template, such as `/cart/{id}`.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// Whether a request with this method and route (a template or a
    /// concrete path, without query) matches the rule.
    pub fn matches(&self, method: &str, route: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method) && self.matches_route(route)
    }

    /// Whether `route` (a template or a concrete path) matches the
    /// template, whatever the method. Allocates nothing.
    #[inline]
    pub fn matches_route(&self, route: &str) -> bool {
        match &self.pattern {
            Pattern::Exact => bytes_eq(route.as_bytes(), self.template.as_bytes()),
            Pattern::Segments { segments, .. } => route
                .strip_prefix('/')
                .is_some_and(|path| segments_match(segments, path.as_bytes())),
        }
    }

    /// What every route the template matches starts with: the whole
    /// template when it has no parameters, else its literal segments
    /// before the first parameter (`/cart/{id}` → `/cart`, `/{id}` → `/`).
    /// A route table can index rules by it.
    pub fn literal_prefix(&self) -> &str {
        match &self.pattern {
            Pattern::Exact => &self.template,
            Pattern::Segments { prefix, .. } => prefix,
        }
    }

    /// Whether the template has parameters (`{id}`, `{*rest}`); without,
    /// it matches only the route equal to it.
    pub fn has_parameters(&self) -> bool {
        matches!(self.pattern, Pattern::Segments { .. })
    }
}

/// Whether `a == b`, inline for the short strings that routes and their
/// segments are: 4 to 16 bytes compare as two overlapping words each, not
/// by a call to `memcmp` (a fifth of a layer's route lookup in a profile;
/// this runs on every request a layer sees).
#[inline]
fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        _ => a == b,
    }
}

/// The 8 bytes of `s` at `at` (the caller knows they are there).
#[inline(always)]
fn word8(s: &[u8], at: usize) -> u64 {
    s.get(at..at + 8)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u64::from_ne_bytes)
}

/// The 4 bytes of `s` at `at` (the caller knows they are there).
#[inline(always)]
fn word4(s: &[u8], at: usize) -> u32 {
    s.get(at..at + 4)
        .and_then(|w| w.try_into().ok())
        .map_or(0, u32::from_ne_bytes)
}

/// `{name}` is one non-empty segment, a final `{*name}` the rest (possibly
/// nothing: `/files/{*path}` matches `/files`).
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
                if !rest
                    .get(..literal.len())
                    .is_some_and(|head| bytes_eq(head, literal))
                {
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
                if end == Some(0) || rest.is_empty() {
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

impl fmt::Display for RouteRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.method {
            Some(method) => write!(f, "{method} {}", self.template),
            None => f.write_str(&self.template),
        }
    }
}

impl std::str::FromStr for RouteRule {
    type Err = RouteRuleError;

    /// Parses `"[METHOD ]/template"`; the error says which rule is broken.
    fn from_str(text: &str) -> Result<Self, RouteRuleError> {
        let (method, template) = match text.split_once(' ') {
            Some((method, template)) => (Some(method), template),
            None => (None, text),
        };
        if let Some(method) = method
            && (method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(RouteRuleError::Method(method.to_owned()));
        }
        let Some(path) = template.strip_prefix('/') else {
            return Err(RouteRuleError::NoLeadingSlash);
        };
        if let Some(bad) = template
            .chars()
            .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#'))
        {
            return Err(RouteRuleError::Character(bad));
        }
        let raw: Vec<&str> = path.split('/').collect();
        let mut segments = Vec::with_capacity(raw.len());
        for (i, part) in raw.iter().enumerate() {
            let last = i + 1 == raw.len();
            let segment = if let Some(inner) =
                part.strip_prefix('{').and_then(|p| p.strip_suffix('}'))
            {
                let (catch_all, name) = match inner.strip_prefix('*') {
                    Some(name) => (true, name),
                    None => (false, inner),
                };
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(RouteRuleError::ParameterName((*part).to_owned()));
                }
                match (catch_all, last) {
                    (true, false) => {
                        return Err(RouteRuleError::CatchAllNotLast((*part).to_owned()));
                    }
                    (true, true) => Segment::CatchAll,
                    (false, _) => Segment::Param,
                }
            } else if part.contains(['{', '}']) {
                return Err(RouteRuleError::PartialParameter((*part).to_owned()));
            } else if part.is_empty() && !last {
                return Err(RouteRuleError::EmptySegment);
            } else {
                Segment::Literal((*part).into())
            };
            segments.push(segment);
        }
        Ok(RouteRule {
            method: method.map(str::to_owned),
            template: template.to_owned(),
            pattern: compile(segments),
        })
    }
}

fn compile(segments: Vec<Segment>) -> Pattern {
    if segments.iter().all(|s| matches!(s, Segment::Literal(_))) {
        return Pattern::Exact;
    }
    // "/cart/{id}" → "/cart"; "/files/{*rest}" also matches "/files", so
    // the prefix stops before the slash. "/{id}" → "/".
    let mut prefix = String::from("/");
    for (i, segment) in segments.iter().enumerate() {
        let Segment::Literal(literal) = segment else {
            break;
        };
        if i > 0 {
            prefix.push('/');
        }
        prefix.push_str(literal);
    }
    Pattern::Segments {
        prefix: prefix.into(),
        segments: segments.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> RouteRule {
        text.parse().unwrap()
    }

    /// The word-wise comparison agrees with `==` at every length, with a
    /// difference at every position.
    #[test]
    fn bytes_eq_is_equality() {
        let base: Vec<u8> = (0..24u8).map(|i| b'a' + i).collect();
        for n in 0..=base.len() {
            let a = &base[..n];
            assert!(bytes_eq(a, a));
            assert!(!bytes_eq(a, &base[..n.saturating_sub(1)]) || n == 0);
            for at in 0..n {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!bytes_eq(a, &b), "{n} bytes, differing at {at}");
            }
        }
    }

    #[test]
    fn matches_templates_and_paths() {
        let r = rule("/cart/{id}");
        assert!(r.matches("GET", "/cart/{id}"));
        assert!(r.matches("DELETE", "/cart/7"));
        assert!(!r.matches("GET", "/cart/"));
        assert!(!r.matches("GET", "/cart"));
        assert!(!r.matches("GET", "cart/7"));
        assert!(!r.matches("GET", "/cart//"));
        let r = rule("POST /checkout");
        assert!(r.matches("POST", "/checkout"));
        assert!(!r.matches("GET", "/checkout"));
        assert!(!r.matches("POST", "/checkout/x"));
        let r = rule("/files/{*path}");
        assert!(r.matches("GET", "/files/a/b/c"));
        assert!(r.matches("GET", "/files/{*path}"));
        assert!(r.matches("GET", "/files"));
        assert!(r.matches("GET", "/files/"));
        assert!(!r.matches("GET", "/filesx"));
        assert!(!r.matches("GET", "/other/a"));
        assert!(rule("/").matches("GET", "/"));
        assert!(!rule("/").matches("GET", "/x"));
        assert!(!rule("/").matches("GET", ""));
        let r = rule("POST /cart/{id}/items/{item}");
        assert!(r.matches("POST", "/cart/1/items/2"));
        assert!(!r.matches("POST", "/cart/1/items/"));
        assert!(!r.matches("POST", "/cart//items/2"));
        assert!(!r.matches("POST", "/cart/1/items/2/"));
        assert!(rule("/{id}").matches("GET", "/x"));
        assert!(!rule("/{id}").matches("GET", "/"));
        assert!(rule("/a/b/").matches("GET", "/a/b/"));
        assert!(!rule("/a/b/").matches("GET", "/a/b"));
    }

    /// Every route a rule matches starts with its literal prefix, which is
    /// what lets a route table index rules by it.
    #[test]
    fn matching_routes_start_with_the_literal_prefix() {
        let rules = [
            "/search",
            "/cart/{id}",
            "/cart/{id}/items/{item}",
            "/files/{*path}",
            "/",
            "/{id}",
            "/ü/{id}",
            "/x/{id}/y",
        ];
        let routes = [
            "/search",
            "/cart/1",
            "/cart/1/items/2",
            "/files",
            "/files/a/b",
            "/",
            "/x",
            "/ü/1",
            "/x/9/y",
            "/cartx/1",
            "//",
            "",
        ];
        for text in rules {
            let rule = rule(text);
            assert_eq!(rule.has_parameters(), text.contains('{'), "{text}");
            for route in routes {
                if rule.matches_route(route) {
                    assert!(
                        route.starts_with(rule.literal_prefix()),
                        "{text} matched {route:?} outside {:?}",
                        rule.literal_prefix()
                    );
                }
            }
        }
        assert_eq!(rule("/files/{*path}").literal_prefix(), "/files");
        assert_eq!(rule("/{id}").literal_prefix(), "/");
        assert_eq!(rule("GET /search").literal_prefix(), "/search");
    }

    #[test]
    fn refuses_malformed_with_the_reason() {
        use RouteRuleError as E;
        for (text, want) in [
            ("checkout", E::NoLeadingSlash),
            ("post /checkout", E::Method("post".into())),
            ("POST  /checkout", E::NoLeadingSlash),
            ("POST checkout", E::NoLeadingSlash),
            ("/a b", E::Method("/a".into())),
            ("/a\tb", E::Character('\t')),
            ("/a?x=1", E::Character('?')),
            ("/cart/{}", E::ParameterName("{}".into())),
            ("/cart/{id", E::PartialParameter("{id".into())),
            ("/cart/x{id}", E::PartialParameter("x{id}".into())),
            ("/{*rest}/more", E::CatchAllNotLast("{*rest}".into())),
            ("/a//b", E::EmptySegment),
            (" /a", E::Method(String::new())),
            ("GET", E::NoLeadingSlash),
        ] {
            assert_eq!(text.parse::<RouteRule>(), Err(want), "{text:?}");
        }
    }
}
