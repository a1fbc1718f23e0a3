//! A small client of the PromQL HTTP API (Prometheus, Thanos, Mimir,
//! VictoriaMetrics): range and instant queries within a deadline, answers
//! read into [`Series`], every failure a typed [`QueryError`]. The warm
//! start ([`crate::warm_start`]) is built on it.

mod answer;

use std::time::{Duration, Instant};

pub use crate::matchers::{MatchOp, Matcher, Matchers, MatchersError};
pub use answer::{AnswerError, MAX_PEER_WORDS, Series, parse_matrix, parse_vector};

/// The most an answer may weigh: far above what the queries here ask for.
const MAX_ANSWER: u64 = 64 << 20;

/// Why a query gave nothing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// The API's address is not an `http://` or `https://` URL.
    #[error("{0:?} is not an http:// or https:// URL")]
    Url(String),
    /// Nothing answers at the address.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// No complete answer within the time left.
    #[error("no complete answer within {0}")]
    Timeout(String),
    /// An HTTP status other than 2xx, and no API error to explain it.
    #[error("answered HTTP {0}")]
    Status(u16),
    /// The answer is larger than any answer to these queries.
    #[error("the answer is larger than {} MiB", MAX_ANSWER >> 20)]
    TooLarge,
    /// The answer could not be read.
    #[error(transparent)]
    Answer(#[from] AnswerError),
    /// Any other transport failure.
    #[error("{0}")]
    Transport(String),
}

impl QueryError {
    /// Whether the API is unreachable or too slow, so that further
    /// queries would fail the same way.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, QueryError::Connect(_) | QueryError::Timeout(_))
    }
}

/// A PromQL HTTP API at a base URL (such as `http://prometheus:9090`, or
/// `https://mimir/prometheus` for an API under a prefix).
#[derive(Debug, Clone)]
pub struct PromQl {
    base: String,
    agent: ureq::Agent,
}

impl PromQl {
    /// The API at `url`; refuses anything but an `http://` or `https://` URL.
    pub fn new(url: &str) -> Result<PromQl, QueryError> {
        let trimmed = url.trim().trim_end_matches('/');
        let host = trimmed
            .strip_prefix("http://")
            .or_else(|| trimmed.strip_prefix("https://"));
        if host.is_none_or(|h| h.is_empty() || h.starts_with('/')) {
            return Err(QueryError::Url(url.to_owned()));
        }
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Ok(PromQl {
            base: trimmed.to_owned(),
            agent,
        })
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// `query_range`: `expr` evaluated every `step` from `start` to `end`
    /// (seconds since the epoch), answered by `deadline`.
    pub fn range(
        &self,
        expr: &str,
        start: f64,
        end: f64,
        step: Duration,
        deadline: Instant,
    ) -> Result<Vec<Series>, QueryError> {
        let body = self.get(
            "query_range",
            &[
                ("query", expr.to_owned()),
                ("start", format!("{start:.3}")),
                ("end", format!("{end:.3}")),
                ("step", format!("{:.3}", step.as_secs_f64())),
            ],
            deadline,
        )?;
        Ok(parse_matrix(&body)?)
    }

    /// An instant `query` of `expr` at `time` (seconds since the epoch),
    /// answered by `deadline`.
    pub fn instant(
        &self,
        expr: &str,
        time: f64,
        deadline: Instant,
    ) -> Result<Vec<Series>, QueryError> {
        let body = self.get(
            "query",
            &[("query", expr.to_owned()), ("time", format!("{time:.3}"))],
            deadline,
        )?;
        Ok(parse_vector(&body)?)
    }

    /// The raw samples of `selector` in the `range` before `time`: an
    /// instant query of `selector[range]`, whose answer is a matrix.
    pub fn raw(
        &self,
        selector: &str,
        range: Duration,
        time: f64,
        deadline: Instant,
    ) -> Result<Vec<Series>, QueryError> {
        let expr = format!("{selector}[{}s]", range.as_secs().max(1));
        let body = self.get(
            "query",
            &[("query", expr), ("time", format!("{time:.3}"))],
            deadline,
        )?;
        Ok(parse_matrix(&body)?)
    }

    fn get(
        &self,
        endpoint: &str,
        params: &[(&str, String)],
        deadline: Instant,
    ) -> Result<Vec<u8>, QueryError> {
        let left = deadline.saturating_duration_since(Instant::now());
        let timeout = || QueryError::Timeout(slo_core::format_duration(left).to_string());
        if left.is_zero() {
            return Err(timeout());
        }
        let url = format!("{}/api/v1/{endpoint}", self.base);
        let request = self
            .agent
            .get(&url)
            .config()
            .timeout_global(Some(left))
            .build()
            .header("Accept", "application/json")
            .query_pairs(params.iter().map(|(k, v)| (*k, v.as_str())));
        let describe = |error: ureq::Error| match error {
            ureq::Error::Timeout(_) => timeout(),
            ureq::Error::Io(e) => QueryError::Connect(e.to_string()),
            ureq::Error::ConnectionFailed => QueryError::Connect("connection failed".into()),
            ureq::Error::HostNotFound => QueryError::Connect("host not found".into()),
            ureq::Error::BodyExceedsLimit(_) => QueryError::TooLarge,
            other => QueryError::Transport(other.to_string()),
        };
        let mut response = request.call().map_err(describe)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER)
            .read_to_vec()
            .map_err(describe)?;
        if !(200..300).contains(&status) {
            // The API explains its 4xx and 5xx in the envelope.
            return Err(match parse_matrix(&body) {
                Err(refused @ AnswerError::Refused { .. }) => QueryError::Answer(refused),
                _ => QueryError::Status(status),
            });
        }
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_are_taken() {
        assert_eq!(
            PromQl::new("http://p:9090/").unwrap().url(),
            "http://p:9090"
        );
        assert_eq!(
            PromQl::new("https://m/prometheus").unwrap().url(),
            "https://m/prometheus"
        );
        for bad in ["p:9090", "ftp://p", "http://", "http:///x", ""] {
            assert!(matches!(PromQl::new(bad), Err(QueryError::Url(_))), "{bad}");
        }
    }
}
