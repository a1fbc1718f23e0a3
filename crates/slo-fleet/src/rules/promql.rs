//! The few pieces of PromQL text the rules are made of: quoted strings,
//! label matchers and selectors. Every value that comes from a spec or a
//! user goes through [`quote`], so no name can break out of its string.

use std::fmt::Write as _;

/// `value` as a PromQL double-quoted string: backslash, quote and control
/// characters escaped (Go's rules, which PromQL follows); unicode kept.
pub(crate) fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether `name` is a legal Prometheus label name (and not a reserved
/// `__` one).
pub(crate) fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !name.starts_with("__")
}

/// `{a="1", b="2"}` from label pairs, in order.
pub(crate) fn selector<'a>(labels: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let inner: Vec<String> = labels
        .into_iter()
        .map(|(name, value)| format!("{name}={}", quote(value)))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_escape_what_would_end_the_string() {
        assert_eq!(quote("shop"), r#""shop""#);
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(quote("line\nbreak\ttab"), r#""line\nbreak\ttab""#);
        assert_eq!(quote("bell\u{7}"), r#""bell\u0007""#);
        assert_eq!(quote("café ✓"), "\"café ✓\"");
    }

    #[test]
    fn label_names_follow_prometheus() {
        for good in ["job", "_x", "env_2", "A"] {
            assert!(is_label_name(good), "{good}");
        }
        for bad in ["", "2x", "a-b", "a.b", "__name__", "é", "a b"] {
            assert!(!is_label_name(bad), "{bad}");
        }
    }
}
