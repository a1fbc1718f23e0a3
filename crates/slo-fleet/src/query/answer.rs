//! Reading a PromQL HTTP API's answer (Prometheus, Thanos, Mimir,
//! VictoriaMetrics all answer the same JSON): the envelope, its error, and
//! a matrix or vector of samples. Outside input: every malformed answer is
//! a typed [`AnswerError`], never a panic.

use std::collections::BTreeMap;

use serde::Deserialize;
use slo_core::__private::{json_error, printable};

/// One series of an answer: its labels and its samples, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The series' labels.
    pub labels: BTreeMap<String, String>,
    /// `(time in seconds since the epoch, value)`; values may be NaN or
    /// infinite, as PromQL's can.
    pub points: Vec<(f64, f64)>,
}

/// The most characters of a peer's own words (an error, a result type)
/// an [`AnswerError`] keeps; they are shown in logs and on terminals.
pub const MAX_PEER_WORDS: usize = 200;

/// Why an answer could not be read. The peer's words it quotes are
/// printable: no control or bidirectional character, at most
/// [`MAX_PEER_WORDS`] characters each.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// Not the API's JSON envelope.
    #[error("not a PromQL API answer: {0}")]
    NotAnAnswer(String),
    /// The API answered with an error of its own.
    #[error("the API refused the query ({kind}): {message}")]
    Refused {
        /// The API's `errorType`.
        kind: String,
        /// The API's `error`.
        message: String,
    },
    /// A result type other than the one asked for.
    #[error("a {found} result where a {expected} was expected")]
    ResultType {
        /// What was asked for.
        expected: &'static str,
        /// What came.
        found: String,
    },
    /// A sample whose time or value is not a number.
    #[error("a sample is not a number: {0:?}")]
    Sample(String),
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    #[serde(default)]
    result: Vec<RawSeries>,
}

#[derive(Deserialize)]
struct RawSeries {
    #[serde(default)]
    metric: BTreeMap<String, String>,
    #[serde(default)]
    values: Vec<(f64, String)>,
    #[serde(default)]
    value: Option<(f64, String)>,
}

/// The series of a `matrix` answer (`/api/v1/query_range`).
pub fn parse_matrix(body: &[u8]) -> Result<Vec<Series>, AnswerError> {
    parse(body, "matrix")
}

/// The series of a `vector` answer (an instant `/api/v1/query`), one point each.
pub fn parse_vector(body: &[u8]) -> Result<Vec<Series>, AnswerError> {
    parse(body, "vector")
}

fn parse(body: &[u8], expected: &'static str) -> Result<Vec<Series>, AnswerError> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| {
        let start: String = String::from_utf8_lossy(&body[..body.len().min(60)]).into_owned();
        let reason = json_error(&e, MAX_PEER_WORDS);
        AnswerError::NotAnAnswer(format!("{reason}; it begins {start:?}"))
    })?;
    if envelope.status != "success" {
        let kind = envelope.error_type.as_deref().unwrap_or(&envelope.status);
        return Err(AnswerError::Refused {
            kind: printable(kind, MAX_PEER_WORDS),
            message: printable(
                envelope.error.as_deref().unwrap_or_default(),
                MAX_PEER_WORDS,
            ),
        });
    }
    let data = envelope
        .data
        .ok_or_else(|| AnswerError::NotAnAnswer("a success without data".into()))?;
    if data.result_type != expected {
        return Err(AnswerError::ResultType {
            expected,
            found: printable(&data.result_type, MAX_PEER_WORDS),
        });
    }
    data.result
        .into_iter()
        .map(|raw| {
            let points = raw
                .values
                .into_iter()
                .chain(raw.value)
                .map(|(t, v)| {
                    let value = parse_value(&v)?;
                    if !t.is_finite() {
                        return Err(AnswerError::Sample(t.to_string()));
                    }
                    Ok((t, value))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Series {
                labels: raw.metric,
                points,
            })
        })
        .collect()
}

/// A sample value as the API writes it: a decimal in a string, or `NaN`,
/// `+Inf`, `-Inf`.
fn parse_value(text: &str) -> Result<f64, AnswerError> {
    match text {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ if text
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b)) =>
        {
            text.parse()
                .map_err(|_| AnswerError::Sample(text.chars().take(40).collect()))
        }
        _ => Err(AnswerError::Sample(text.chars().take(40).collect())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matrix_is_read() {
        let body = br#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"slo":"checkout","outcome":"bad"},"values":[[1700000000,"0.5"],[1700000060.5,"NaN"],[1700000120,"+Inf"]]}]}}"#;
        let series = parse_matrix(body).unwrap();
        assert_eq!(series.len(), 1);
        assert_eq!(series[0].labels["slo"], "checkout");
        assert_eq!(series[0].points[0], (1_700_000_000.0, 0.5));
        assert!(series[0].points[1].1.is_nan());
        assert_eq!(series[0].points[2].1, f64::INFINITY);
    }

    #[test]
    fn errors_name_what_is_wrong() {
        assert!(matches!(
            parse_matrix(b"<html>502</html>"),
            Err(AnswerError::NotAnAnswer(_))
        ));
        assert_eq!(
            parse_matrix(br#"{"status":"error","errorType":"bad_data","error":"parse error"}"#),
            Err(AnswerError::Refused {
                kind: "bad_data".into(),
                message: "parse error".into()
            })
        );
        assert!(matches!(
            parse_matrix(br#"{"status":"success","data":{"resultType":"vector","result":[]}}"#),
            Err(AnswerError::ResultType { .. })
        ));
        assert!(matches!(
            parse_matrix(
                br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1e"]]}]}}"#
            ),
            Err(AnswerError::Sample(_))
        ));
        assert!(matches!(
            parse_matrix(
                br#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"infinity"]]}]}}"#
            ),
            Err(AnswerError::Sample(_))
        ));
        assert!(parse_matrix(b"").is_err());
    }

    #[test]
    fn a_peers_words_are_cleaned_and_bounded() {
        // An escape sequence would drive the terminal `slo report` runs in;
        // a right-to-left override would reorder the log line; a megabyte
        // would flood it.
        let long = "x".repeat(10 * MAX_PEER_WORDS);
        let body = format!(
            r#"{{"status":"error","errorType":"bad\u001b[2J","error":"evil\u202etxt\u2028{long}"}}"#
        );
        let Err(AnswerError::Refused { kind, message }) = parse_matrix(body.as_bytes()) else {
            panic!("a refusal");
        };
        assert_eq!(kind, "bad?[2J");
        assert!(message.starts_with("evil?txt?xxx"), "{message}");
        assert_eq!(message.chars().count(), MAX_PEER_WORDS + 1);
        assert!(message.ends_with('…'));
        let body = format!(
            r#"{{"status":"success","data":{{"resultType":"\u001b]0;{long}","result":[]}}}}"#
        );
        let Err(AnswerError::ResultType { found, .. }) = parse_matrix(body.as_bytes()) else {
            panic!("a result type error");
        };
        assert!(found.starts_with("?]0;x"), "{found}");
        assert_eq!(found.chars().count(), MAX_PEER_WORDS + 1);
        // Found by the promql_answer fuzz target: serde_json quotes a
        // string where an object belongs, all of it.
        let body = format!(r#"{{"status":"success","data":"{long}"}}"#);
        let Err(AnswerError::NotAnAnswer(said)) = parse_matrix(body.as_bytes()) else {
            panic!("not an answer");
        };
        assert!(said.chars().count() < 2 * MAX_PEER_WORDS + 100, "{said}");
        assert!(said.contains("at line 1 column"), "{said}");
    }

    #[test]
    fn a_vector_is_read() {
        let body = br#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[5,"2"]}]}}"#;
        assert_eq!(parse_vector(body).unwrap()[0].points, [(5.0, 2.0)]);
    }
}
