//! The parts of OpenSLO v1 documents we write and read.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `apiVersion` of every document.
pub(crate) const API_VERSION: &str = "openslo/v1";

/// `apiVersion`, `kind`, `metadata`, `spec`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Document<S> {
    pub api_version: String,
    pub kind: String,
    pub metadata: Metadata,
    pub spec: S,
}

impl<S: Serialize> Document<S> {
    /// A v1 document of `kind` as YAML.
    pub fn yaml(kind: &str, metadata: Metadata, spec: S) -> String {
        let document = Document {
            api_version: API_VERSION.into(),
            kind: kind.into(),
            metadata,
            spec,
        };
        // Strings, numbers, lists and maps: serialising cannot fail.
        serde_saphyr::to_string(&document).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Metadata {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `owner` and `tier`, from the spec.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Metadata {
    pub fn new(
        name: String,
        display_name: Option<String>,
        annotations: BTreeMap<String, String>,
    ) -> Metadata {
        Metadata {
            name,
            display_name,
            labels: BTreeMap::new(),
            annotations,
        }
    }

    /// With these labels.
    pub fn labelled(self, labels: BTreeMap<String, String>) -> Metadata {
        Metadata { labels, ..self }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServiceSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SloSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub service: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<Indicator>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator_ref: Option<String>,
    #[serde(default)]
    pub time_window: Vec<TimeWindow>,
    pub budgeting_method: String,
    #[serde(default)]
    pub objectives: Vec<Objective>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alert_policies: Vec<AlertPolicyRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Indicator {
    pub metadata: Metadata,
    pub spec: IndicatorSpec,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IndicatorSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio_metric: Option<RatioMetric>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct RatioMetric {
    pub counter: bool,
    pub good: MetricSourceHolder,
    pub total: MetricSourceHolder,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MetricSourceHolder {
    pub metric_source: MetricSource,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MetricSource {
    #[serde(rename = "type")]
    pub kind: String,
    pub spec: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TimeWindow {
    pub duration: String,
    #[serde(default = "rolling")]
    pub is_rolling: bool,
    /// Where a calendar-aligned window's periods are anchored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarAnchor>,
}

/// `timeWindow[].calendar`: a start time the periods align to, and the
/// time zone they are kept in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CalendarAnchor {
    pub start_time: String,
    pub time_zone: String,
}

fn rolling() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Objective {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_percent: Option<f64>,
    /// The objective's weight in a composite SLO (a journey's steps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub composite_weight: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AlertPolicyRef {
    pub alert_policy_ref: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AlertPolicySpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub alert_when_no_data: bool,
    pub alert_when_resolved: bool,
    pub alert_when_breaching: bool,
    pub conditions: Vec<ConditionRef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConditionRef {
    pub condition_ref: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AlertConditionSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub severity: String,
    pub condition: Condition,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Condition {
    pub kind: String,
    pub op: String,
    pub threshold: f64,
    pub lookback_window: String,
}
