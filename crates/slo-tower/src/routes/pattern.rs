//! A route rule's template, compiled for matching: a template without
//! parameters is compared as one string; one with parameters segment by
//! segment over the bytes, with no allocation.

use slo_core::RouteRule;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(Box<str>),
    Param,
    CatchAll,
}

/// A template, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pattern {
    /// No parameters: the route must be this string.
    Exact(Box<str>),
    /// Parameters: `prefix` is what every matching route starts with (the
    /// literal segments before the first parameter), for the table's index.
    Segments {
        prefix: Box<str>,
        segments: Box<[Segment]>,
    },
}

impl Pattern {
    pub fn new(template: &str) -> Pattern {
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
        if segments.iter().all(|s| matches!(s, Segment::Literal(_))) {
            return Pattern::Exact(template.into());
        }
        // "/cart/{id}" → "/cart"; "/files/{*rest}" also matches "/files",
        // so the prefix stops before the slash. "/{id}" → "/".
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

    /// Whether `route` (a template or a path) matches.
    #[inline]
    pub fn matches(&self, route: &str) -> bool {
        match self {
            Pattern::Exact(exact) => **exact == *route,
            Pattern::Segments { segments, .. } => match route.strip_prefix('/') {
                Some(path) => segments_match(segments, path.as_bytes()),
                None => false,
            },
        }
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

/// Rules and routes that exercise the matcher's corners (tests only).
#[cfg(test)]
pub(crate) const TEST_RULES: [&str; 9] = [
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

#[cfg(test)]
pub(crate) const TEST_ROUTES: [&str; 27] = [
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The compiled matcher agrees with the spec's own `RouteRule::matches`,
    /// and every route a pattern matches starts with its prefix.
    #[test]
    fn compiled_patterns_agree_with_the_spec() {
        for rule in TEST_RULES {
            let parsed: RouteRule = rule.parse().unwrap();
            let pattern = Pattern::new(parsed.template());
            for route in TEST_ROUTES {
                assert_eq!(
                    pattern.matches(route),
                    parsed.matches(parsed.method().unwrap_or("GET"), route),
                    "{rule} vs {route}"
                );
                if let Pattern::Segments { prefix, .. } = &pattern
                    && pattern.matches(route)
                {
                    assert!(route.starts_with(&**prefix), "{rule}: {route} vs {prefix}");
                }
            }
        }
    }
}
