//! Route rules of a spec's `match`: `"[METHOD ]/template"`, templates in
//! axum's syntax (`/cart/{id}`, `/files/{*path}`).

use std::fmt;

/// One `match.routes` entry: an optional method and a route template.
///
/// A rule matches a request whose method equals the rule's (any method when
/// the rule has none) and whose route is the same template or a concrete path
/// the template covers: `{name}` stands for one non-empty segment, a final
/// `{*name}` for the rest of the path.
///
/// ```
/// use slo_core::RouteRule;
/// let rule: RouteRule = "GET /cart/{id}".parse().unwrap();
/// assert!(rule.matches("GET", "/cart/{id}"));
/// assert!(rule.matches("GET", "/cart/42"));
/// assert!(!rule.matches("POST", "/cart/42"));
/// assert!(!rule.matches("GET", "/cart/42/items"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RouteRule {
    method: Option<String>,
    template: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Segment {
    Literal(String),
    Param,
    CatchAll,
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
        if self.method.as_deref().is_some_and(|m| m != method) {
            return false;
        }
        let Some(path) = route.strip_prefix('/') else {
            return false;
        };
        let mut parts = path.split('/');
        for segment in &self.segments {
            match segment {
                Segment::CatchAll => return true,
                Segment::Param => match parts.next() {
                    Some(part) if !part.is_empty() => {}
                    _ => return false,
                },
                Segment::Literal(literal) => match parts.next() {
                    Some(part) if part == literal => {}
                    _ => return false,
                },
            }
        }
        parts.next().is_none()
    }
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
    type Err = String;

    /// Parses `"[METHOD ]/template"`; the error says which rule is broken.
    fn from_str(text: &str) -> Result<Self, String> {
        let (method, template) = match text.split_once(' ') {
            Some((method, template)) => (Some(method), template),
            None => (None, text),
        };
        if let Some(method) = method
            && (method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(format!(
                "method {method:?} must be an upper-case HTTP method such as GET or POST"
            ));
        }
        if !template.starts_with('/') {
            return Err("the template must start with '/'".into());
        }
        if let Some(bad) = template
            .chars()
            .find(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#'))
        {
            return Err(format!(
                "the template may not contain {bad:?} (a route is a path template, without query or fragment)"
            ));
        }
        let raw: Vec<&str> = template[1..].split('/').collect();
        let mut segments = Vec::with_capacity(raw.len());
        for (i, part) in raw.iter().enumerate() {
            let segment = if let Some(inner) =
                part.strip_prefix('{').and_then(|p| p.strip_suffix('}'))
            {
                let (catch_all, name) = match inner.strip_prefix('*') {
                    Some(name) => (true, name),
                    None => (false, inner),
                };
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    return Err(format!(
                        "parameter {part:?} needs a name of letters, digits or '_'"
                    ));
                }
                if catch_all && i + 1 != raw.len() {
                    return Err(format!("catch-all {part:?} must be the last segment"));
                }
                if catch_all {
                    Segment::CatchAll
                } else {
                    Segment::Param
                }
            } else if part.contains(['{', '}']) {
                return Err(format!(
                    "segment {part:?}: a parameter takes a whole segment, like /cart/{{id}}"
                ));
            } else if part.is_empty() && i + 1 != raw.len() {
                return Err("empty path segment ('//')".into());
            } else {
                Segment::Literal((*part).to_owned())
            };
            segments.push(segment);
        }
        Ok(RouteRule {
            method: method.map(str::to_owned),
            template: template.to_owned(),
            segments,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> RouteRule {
        text.parse().unwrap()
    }

    #[test]
    fn matches_templates_and_paths() {
        let r = rule("/cart/{id}");
        assert!(r.matches("GET", "/cart/{id}"));
        assert!(r.matches("DELETE", "/cart/7"));
        assert!(!r.matches("GET", "/cart/"));
        assert!(!r.matches("GET", "/cart"));
        assert!(!r.matches("GET", "cart/7"));
        let r = rule("POST /checkout");
        assert!(r.matches("POST", "/checkout"));
        assert!(!r.matches("GET", "/checkout"));
        assert!(!r.matches("POST", "/checkout/x"));
        let r = rule("/files/{*path}");
        assert!(r.matches("GET", "/files/a/b/c"));
        assert!(r.matches("GET", "/files/{*path}"));
        assert!(!r.matches("GET", "/other/a"));
        assert!(rule("/").matches("GET", "/"));
        assert!(!rule("/").matches("GET", "/x"));
    }

    #[test]
    fn refuses_malformed() {
        for text in [
            "checkout",
            "post /checkout",
            "POST  /checkout",
            "POST checkout",
            "/a b",
            "/a?x=1",
            "/cart/{}",
            "/cart/{id",
            "/cart/x{id}",
            "/{*rest}/more",
            "/a//b",
            " /a",
            "GET",
        ] {
            assert!(text.parse::<RouteRule>().is_err(), "{text:?} was accepted");
        }
    }
}
