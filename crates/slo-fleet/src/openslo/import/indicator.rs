//! An SLO's SLI: from our annotations when the document is our export,
//! else from its indicator (inline, or an `SLI` document by
//! `indicatorRef`).

use std::time::Duration;

use serde_json::Value;
use slo_core::{SloBuilder, parse_duration};

use super::{SloReader, annotation, at};
use crate::openslo::{FRESHNESS_THRESHOLD, LATENCY_THRESHOLD, OpenSloError, SLI};

impl SloReader<'_> {
    /// The threshold a `kind` SLI of SLO `name` keeps in annotation `key`.
    fn threshold(&self, name: &str, kind: &str, key: &str) -> Result<Duration, OpenSloError> {
        let text = annotation(self.slo, key).ok_or_else(|| {
            self.fail(format!(
                "SLO {name}: a {kind} SLI needs the annotation {key}"
            ))
        })?;
        parse_duration(text).map_err(|e| self.fail(format!("SLO {name}: {key}: {e}")))
    }

    /// The SLI: from our annotations when the document is our export,
    /// else from the indicator (inline or by `indicatorRef`).
    pub(super) fn sli(
        &self,
        name: &str,
        builder: SloBuilder,
        objective: &Value,
        notes: &mut Vec<String>,
    ) -> Result<SloBuilder, OpenSloError> {
        match annotation(self.slo, SLI) {
            Some("availability") => return Ok(builder.availability()),
            Some("quality") => return Ok(builder.quality()),
            Some("freshness") => {
                let threshold = self.threshold(name, "freshness", FRESHNESS_THRESHOLD)?;
                return Ok(builder.freshness(threshold));
            }
            Some("latency") => {
                let threshold = self.threshold(name, "latency", LATENCY_THRESHOLD)?;
                return Ok(builder.latency(threshold));
            }
            Some(other) => {
                return Err(self.fail(format!(
                    "SLO {name}: annotation {SLI} is {other:?}; expected availability, quality, latency or freshness"
                )));
            }
            None => {}
        }
        let spec = &self.slo["spec"];
        let (indicator, place) = match (&spec["indicator"], spec["indicatorRef"].as_str()) {
            (Value::Null, Some(reference)) => match self.slis.get(reference) {
                Some(sli) => (sli, at(self.places.and_then(|p| p.indicator_ref.as_ref()))),
                None => {
                    notes.push(format!(
                        "SLO {name}: its indicatorRef {reference:?} names no SLI document here; imported as an availability SLI over every request"
                    ));
                    return Ok(builder.availability());
                }
            },
            (Value::Null, None) => {
                notes.push(format!(
                    "SLO {name}: no indicator; imported as an availability SLI over every request"
                ));
                return Ok(builder.availability());
            }
            (inline, _) => (
                &inline["spec"],
                at(self.places.and_then(|p| p.indicator.as_ref())),
            ),
        };
        let ratio = &indicator["ratioMetric"];
        let threshold = &indicator["thresholdMetric"];
        if !ratio.is_null() {
            let has = |part: &str| !ratio[part].is_null();
            if has("good") && has("bad") {
                return Err(self.refuse(
                    place,
                    format!("SLO {name}: a ratioMetric has good or bad, not both"),
                ));
            }
            if !(has("good") || has("bad")) || !has("total") {
                return Err(self.refuse(
                    place,
                    format!("SLO {name}: a ratioMetric needs good (or bad) and total"),
                ));
            }
            for part in ["good", "bad", "total"] {
                drop_query(name, part, &ratio[part], notes);
            }
            return Ok(builder.availability());
        }
        if !threshold.is_null() {
            let op = objective["op"].as_str().unwrap_or("");
            let value = objective["value"].as_f64();
            let objective_place = self.objective_place(0);
            let millis = match (op, value) {
                ("lt" | "lte", Some(value)) if value.is_finite() && value > 0.0 => value,
                ("lt" | "lte", _) => {
                    return Err(self.refuse(
                        objective_place,
                        format!(
                            "SLO {name}: a thresholdMetric's objective needs a value above 0 (read as milliseconds)"
                        ),
                    ));
                }
                (op, _) => {
                    return Err(self.refuse(
                        objective_place,
                        format!(
                            "SLO {name}: objective op {op:?}: slo's latency SLIs are good below a threshold (lt or lte)"
                        ),
                    ));
                }
            };
            let latency = Duration::try_from_secs_f64(millis / 1e3).map_err(|_| {
                self.refuse(
                    objective_place,
                    format!("SLO {name}: a threshold of {millis} milliseconds is out of range"),
                )
            })?;
            drop_query(name, "threshold", threshold, notes);
            notes.push(format!(
                "SLO {name}: the threshold {millis} is read as milliseconds"
            ));
            return Ok(builder.latency(latency));
        }
        Err(self.refuse(
            place,
            format!(
                "SLO {name}: an indicator with neither ratioMetric nor thresholdMetric; slo reads those two"
            ),
        ))
    }
}

/// Notes a metric query the model cannot carry: any but the counters
/// this crate exports.
fn drop_query(name: &str, part: &str, metric: &Value, notes: &mut Vec<String>) {
    let source = &metric["metricSource"];
    if source.is_null() {
        return;
    }
    let kind = source["type"].as_str().unwrap_or("an unnamed source");
    let query = source["spec"]["query"].as_str();
    if kind == "Prometheus"
        && query.is_some_and(|q| q.starts_with(&format!("{}{{", slo_core::series::EVENTS)))
    {
        return;
    }
    notes.push(match query {
        Some(query) => format!(
            "SLO {name}: dropped the {part} query `{query}` ({kind}): slo counts the events its middleware records"
        ),
        None => format!(
            "SLO {name}: dropped the {part} metric ({kind}): slo counts the events its middleware records"
        ),
    });
}
