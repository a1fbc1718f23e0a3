//! The media ranges of a request's `Accept` headers (RFC 9110, section 12.5.1),
//! read for the content negotiation of `/slo` and `/metrics`.
//!
//! The header is a peer's words: a range that does not parse, or whose
//! `q` is not a number from 0 to 1, is left out, never guessed at; every
//! other range keeps its parameters as written, for the caller to check.

use http::{HeaderMap, header};

/// One media range, such as `application/openmetrics-text;version=1.0.0;q=0.5`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MediaRange<'a> {
    /// `type/subtype` as written (compare with [`MediaRange::is`]).
    pub media: &'a str,
    /// Everything after the media type: `;`-separated parameters.
    params: &'a str,
    /// Its weight, from 0 (not acceptable) to 1 (the default).
    pub q: f32,
}

impl<'a> MediaRange<'a> {
    /// Whether it names `media` (`type/subtype`, ASCII case ignored).
    pub fn is(&self, media: &str) -> bool {
        self.media.eq_ignore_ascii_case(media)
    }

    /// The value of parameter `name` (ASCII case ignored), without quotes.
    pub fn param(&self, name: &str) -> Option<&'a str> {
        self.params.split(';').find_map(|param| {
            let (key, value) = param.split_once('=')?;
            key.trim().eq_ignore_ascii_case(name).then(|| {
                let value = value.trim();
                value
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(value)
            })
        })
    }
}

/// Every well-formed media range of every `Accept` header, in order.
pub fn media_ranges(headers: &HeaderMap) -> impl Iterator<Item = MediaRange<'_>> {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(media_range)
}

/// One range of the list, or `None` when it is not `type/subtype` with a
/// valid weight.
pub fn media_range(range: &str) -> Option<MediaRange<'_>> {
    let (media, params) = range.split_once(';').unwrap_or((range, ""));
    let media = media.trim();
    let (kind, subtype) = media.split_once('/')?;
    if !is_token(kind) || !is_token(subtype) {
        return None;
    }
    let mut found = MediaRange {
        media,
        params,
        q: 1.0,
    };
    if let Some(q) = found.param("q") {
        found.q = weight(q)?;
    }
    Some(found)
}

/// A `qvalue`: `0`, `1`, or a decimal between, at most three digits after
/// the point.
fn weight(q: &str) -> Option<f32> {
    let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
    let valid = matches!(whole, "0" | "1")
        && fraction.len() <= 3
        && fraction.bytes().all(|b| b.is_ascii_digit())
        && (whole == "0" || fraction.bytes().all(|b| b == b'0'));
    if !valid {
        return None;
    }
    q.parse().ok()
}

/// An RFC 9110 token (`*` included, for wildcards).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ranges_their_parameters_and_weights() {
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        let ranges: Vec<_> = prometheus.split(',').filter_map(media_range).collect();
        assert_eq!(ranges.len(), 4);
        assert!(ranges[0].is("Application/OpenMetrics-Text"));
        assert_eq!(ranges[0].param("version"), Some("1.0.0"));
        assert_eq!(ranges[0].q, 1.0);
        assert_eq!(ranges[1].q, 0.75);
        assert_eq!(ranges[2].param("VERSION"), Some("0.0.4"));
        assert_eq!(ranges[3].media, "*/*");
        assert_eq!(ranges[3].q, 0.1);
        assert_eq!(
            media_range(r#" text/plain ; charset="utf-8" "#).and_then(|r| r.param("charset")),
            Some("utf-8")
        );
    }

    #[test]
    fn leaves_out_what_does_not_parse() {
        for bad in [
            "",
            "text",
            "/plain",
            "text/",
            "te xt/plain",
            "text/plain;q=2",
            "text/plain;q=1.5",
            "text/plain;q=-0.1",
            "text/plain;q=NaN",
            "text/plain;q=inf",
            "text/plain;q=0.12345",
            "text/plain;q=",
            "text/<b>",
        ] {
            assert_eq!(media_range(bad), None, "{bad:?}");
        }
        assert_eq!(media_range("text/plain;q=0").map(|r| r.q), Some(0.0));
        assert_eq!(media_range("text/plain;q=1.000").map(|r| r.q), Some(1.0));
    }
}
