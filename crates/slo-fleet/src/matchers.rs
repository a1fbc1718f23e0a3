//! PromQL label matchers as a user writes them without braces
//! (`job="shop", env!~"dev|test"`): parsed, checked, and written back with
//! every value re-quoted, so nothing a user types can change the query
//! around them.

use std::fmt;

use crate::rules::promql::{is_label_name, quote};

/// A matcher's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~`
    Regex,
    /// `!~`
    NotRegex,
}

impl MatchOp {
    fn as_str(self) -> &'static str {
        match self {
            MatchOp::Equal => "=",
            MatchOp::NotEqual => "!=",
            MatchOp::Regex => "=~",
            MatchOp::NotRegex => "!~",
        }
    }
}

/// One label matcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    /// The label.
    pub label: String,
    /// How it is compared.
    pub op: MatchOp,
    /// The value (unquoted).
    pub value: String,
}

/// Label matchers, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matchers(Vec<Matcher>);

/// Why matchers were refused; `at` is the byte offset in the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MatchersError {
    /// Not `label op "value"` at this point.
    #[error("at byte {at}: expected {expected}")]
    Syntax {
        /// Byte offset.
        at: usize,
        /// What would have fitted.
        expected: &'static str,
    },
    /// A label name Prometheus does not accept.
    #[error(
        "invalid selector label name {0:?}: expected [a-zA-Z_][a-zA-Z0-9_]* (not starting with __)"
    )]
    LabelName(String),
    /// A label the query sets itself.
    #[error("label {0:?} is set by the query itself")]
    Reserved(String),
}

/// Labels the queries over `slo_events_total` group or filter by themselves.
const RESERVED: [&str; 2] = ["slo", "outcome"];

impl Matchers {
    /// No matchers: every series counts.
    pub fn new() -> Matchers {
        Matchers::default()
    }

    /// Parses `L="V", L!~"V", …` (braces optional; `"`, `'` or `` ` ``
    /// quotes; Go's escapes in the first two).
    pub fn parse(text: &str) -> Result<Matchers, MatchersError> {
        let trimmed = text.trim();
        let (body, offset) = match trimmed.strip_prefix('{') {
            Some(rest) => match rest.strip_suffix('}') {
                Some(inner) => (inner, text.len() - text.trim_start().len() + 1),
                None => {
                    return Err(MatchersError::Syntax {
                        at: text.len(),
                        expected: "a closing `}`",
                    });
                }
            },
            None => (text, 0),
        };
        let mut parser = Parser {
            text: body,
            at: 0,
            offset,
        };
        let mut matchers = Vec::new();
        loop {
            parser.skip_space();
            if parser.done() {
                break;
            }
            let label = parser.label()?;
            parser.skip_space();
            let op = parser.op()?;
            parser.skip_space();
            let value = parser.string()?;
            if RESERVED.contains(&label.as_str()) {
                return Err(MatchersError::Reserved(label));
            }
            matchers.push(Matcher { label, op, value });
            parser.skip_space();
            if parser.done() {
                break;
            }
            parser.expect(',', "`,` between matchers")?;
        }
        Ok(Matchers(matchers))
    }

    /// These matchers and `label="value"` (any value; it is quoted when
    /// written), as `slo rules --selector` takes them.
    pub fn and_equal(
        mut self,
        label: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Matchers, MatchersError> {
        let label = label.into();
        if !is_label_name(&label) {
            return Err(MatchersError::LabelName(label));
        }
        if RESERVED.contains(&label.as_str()) {
            return Err(MatchersError::Reserved(label));
        }
        self.0.push(Matcher {
            label,
            op: MatchOp::Equal,
            value: value.into(),
        });
        Ok(self)
    }

    /// The matchers, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Matcher> {
        self.0.iter()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `{…}` for `metric`, with these matchers.
    pub fn selector(&self, metric: &str) -> String {
        format!("{metric}{{{self}}}")
    }

    /// The raw events of SLO `slo`, with these matchers after its own:
    /// `slo_events_total{slo="…", <matchers>}`, and `outcome="bad"` last
    /// for the bad ones alone.
    pub(crate) fn events_of(&self, slo: &str, bad_only: bool) -> String {
        self.series_of(slo_core::series::EVENTS, slo, bad_only)
    }

    /// The excluded events of SLO `slo`, with these matchers after its own:
    /// `slo_excluded_events_total{slo="…", <matchers>}`.
    pub(crate) fn excluded_of(&self, slo: &str) -> String {
        self.series_of(slo_core::series::EXCLUDED, slo, false)
    }

    fn series_of(&self, metric: &str, slo: &str, bad_only: bool) -> String {
        let mut selector = format!("{metric}{{slo={}", quote(slo));
        if !self.is_empty() {
            selector.push_str(", ");
            selector.push_str(&self.to_string());
        }
        if bad_only {
            selector.push_str(", outcome=\"bad\"");
        }
        selector.push('}');
        selector
    }
}

impl fmt::Display for Matchers {
    /// The matchers without braces, each value quoted anew.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}{}{}", m.label, m.op.as_str(), quote(&m.value))?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Matchers {
    type Err = MatchersError;
    fn from_str(text: &str) -> Result<Matchers, MatchersError> {
        Matchers::parse(text)
    }
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    offset: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn done(&self) -> bool {
        self.at >= self.text.len()
    }

    fn error(&self, expected: &'static str) -> MatchersError {
        MatchersError::Syntax {
            at: self.offset + self.at,
            expected,
        }
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.at += rest.len() - rest.trim_start().len();
    }

    fn expect(&mut self, c: char, expected: &'static str) -> Result<(), MatchersError> {
        if self.rest().starts_with(c) {
            self.at += c.len_utf8();
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn label(&mut self) -> Result<String, MatchersError> {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
            .unwrap_or(rest.len());
        if len == 0 {
            return Err(self.error("a label name"));
        }
        let label = rest[..len].to_owned();
        if !is_label_name(&label) {
            return Err(MatchersError::LabelName(label));
        }
        self.at += len;
        Ok(label)
    }

    fn op(&mut self) -> Result<MatchOp, MatchersError> {
        let rest = self.rest();
        let op = if rest.starts_with("=~") {
            MatchOp::Regex
        } else if rest.starts_with("!~") {
            MatchOp::NotRegex
        } else if rest.starts_with("!=") {
            MatchOp::NotEqual
        } else if rest.starts_with('=') {
            MatchOp::Equal
        } else {
            return Err(self.error("`=`, `!=`, `=~` or `!~`"));
        };
        self.at += op.as_str().len();
        Ok(op)
    }

    fn string(&mut self) -> Result<String, MatchersError> {
        let mut chars = self.rest().char_indices();
        let quote = match chars.next() {
            Some((_, q @ ('"' | '\'' | '`'))) => q,
            _ => return Err(self.error("a quoted value")),
        };
        let mut value = String::new();
        while let Some((i, c)) = chars.next() {
            match c {
                c if c == quote => {
                    self.at += i + 1;
                    return Ok(value);
                }
                '\\' if quote != '`' => {
                    let escaped = match chars.next().map(|(_, e)| e) {
                        Some('\\') => '\\',
                        Some('"') => '"',
                        Some('\'') => '\'',
                        Some('n') => '\n',
                        Some('r') => '\r',
                        Some('t') => '\t',
                        Some('u') => {
                            let hex: String = chars.by_ref().take(4).map(|(_, h)| h).collect();
                            u32::from_str_radix(&hex, 16)
                                .ok()
                                .filter(|_| hex.len() == 4)
                                .and_then(char::from_u32)
                                .ok_or_else(|| self.error("four hex digits after \\u"))?
                        }
                        _ => {
                            return Err(
                                self.error("an escape: \\\\ \\\" \\' \\n \\r \\t or \\uXXXX")
                            );
                        }
                    };
                    value.push(escaped);
                }
                '\n' if quote != '`' => return Err(self.error("the value's closing quote")),
                c => value.push(c),
            }
        }
        Err(self.error("the value's closing quote"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_parse_and_print_quoted_anew() {
        let m =
            Matchers::parse(r#" job="shop", env!~'dev|test' ,instance=~`a\.b`, x!="q\"u\u00e9", "#)
                .unwrap();
        assert_eq!(
            m.to_string(),
            r#"job="shop", env!~"dev|test", instance=~"a\\.b", x!="q\"ué""#
        );
        assert_eq!(m.selector("slo_events_total").chars().last(), Some('}'));
        assert_eq!(
            Matchers::parse("{job=\"a\"}").unwrap().to_string(),
            "job=\"a\""
        );
        assert!(Matchers::parse("").unwrap().is_empty());
        assert!(Matchers::parse("  ").unwrap().is_empty());
    }

    #[test]
    fn equal_matchers_are_checked_and_quoted() {
        let m = Matchers::new()
            .and_equal("job", "a\"b")
            .unwrap()
            .and_equal("env", "prod")
            .unwrap();
        assert_eq!(m.to_string(), r#"job="a\"b", env="prod""#);
        assert_eq!(
            Matchers::new().and_equal("slo", "x"),
            Err(MatchersError::Reserved("slo".into()))
        );
        assert_eq!(
            Matchers::new().and_equal("job-name", "x"),
            Err(MatchersError::LabelName("job-name".into()))
        );
    }

    #[test]
    fn bad_matchers_say_where() {
        for (text, at) in [
            ("job", 3),
            ("job=shop", 4),
            ("job=\"shop", 4),
            ("job=\"a\" env=\"b\"", 8),
            ("=\"a\"", 0),
            ("job==\"a\"", 4),
            ("job=\"\\q\"", 4),
            ("{job=\"a\"", 8),
        ] {
            match Matchers::parse(text) {
                Err(MatchersError::Syntax { at: found, .. }) => assert_eq!(found, at, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
        assert_eq!(
            Matchers::parse("__name__=\"x\""),
            Err(MatchersError::LabelName("__name__".into()))
        );
        assert_eq!(
            Matchers::parse("outcome=\"bad\""),
            Err(MatchersError::Reserved("outcome".into()))
        );
    }
}
