//! What an Alertmanager says when it refuses alerts: API v2 answers 4xx
//! and 5xx with a JSON string or `{"code": …, "message": …}`; anything
//! else (a proxy's HTML page, garbage) is quoted, shortened and cleaned of
//! unprintable characters (controls, bidirectional overrides and isolates, line and paragraph separators), so that a
//! hostile peer can neither flood the log nor write escape sequences,
//! bidirectional overrides or line separators into it.

use serde::Deserialize;

/// The longest explanation kept from an answer, in characters.
pub const MAX_EXPLANATION: usize = 200;

#[derive(Deserialize)]
#[serde(untagged)]
enum Refusal {
    Text(String),
    Object {
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        error: Option<String>,
    },
}

/// The explanation in an Alertmanager's refusal `body`: at most
/// [`MAX_EXPLANATION`] characters, printable, never empty.
pub fn explain_refusal(body: &[u8]) -> String {
    let said = match serde_json::from_slice::<Refusal>(body) {
        Ok(Refusal::Text(text)) => Some(text),
        Ok(Refusal::Object { message, error }) => message.or(error),
        Err(_) => None,
    };
    let text = match said {
        Some(text) => text,
        None => String::from_utf8_lossy(body).into_owned(),
    };
    let clean: String = text
        .chars()
        .map(|c| {
            if slo_core::__private::is_unprintable(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let trimmed = clean.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut short: String = trimmed.chars().take(MAX_EXPLANATION).collect();
    if trimmed.chars().nth(MAX_EXPLANATION).is_some() {
        short.push('…');
    }
    if short.is_empty() {
        "no explanation".to_owned()
    } else {
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apis_own_shapes_are_read() {
        assert_eq!(
            explain_refusal(br#""maximum number of alerts reached""#),
            "maximum number of alerts reached"
        );
        assert_eq!(
            explain_refusal(br#"{"code":400,"message":"start time must be before end time"}"#),
            "start time must be before end time"
        );
        assert_eq!(explain_refusal(br#"{"error":"bad"}"#), "bad");
    }

    #[test]
    fn anything_else_is_quoted_short_and_clean() {
        assert_eq!(explain_refusal(b""), "no explanation");
        assert_eq!(
            explain_refusal(b"\x1b[31mred\x1b[0m\n\r\tok"),
            "[31mred [0m ok"
        );
        let long = "x".repeat(10_000);
        let said = explain_refusal(long.as_bytes());
        assert_eq!(said.chars().count(), MAX_EXPLANATION + 1);
        assert!(explain_refusal(&[0xff, 0xfe, b'a']).ends_with('a'));
        // A right-to-left override would show the log line reversed; a
        // line separator would break it in some readers.
        assert_eq!(
            explain_refusal("\"evil\u{202e}txt.exe\u{2028}forged\"".as_bytes()),
            "evil txt.exe forged"
        );
    }
}
