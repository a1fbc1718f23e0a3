//! A Prometheus rule file as data: groups of recording and alerting rules,
//! serialised as the YAML `promtool check rules` reads.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

/// A rule file: `groups:` of rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleFile {
    /// The groups, three per SLO: SLI recordings, metadata recordings, alerts.
    pub groups: Vec<RuleGroup>,
    /// Lines written as YAML comments at the top of the file, such as what
    /// the rules of a calendar-period SLO cannot say.
    #[serde(skip)]
    pub notes: Vec<String>,
}

/// One rule group; its rules are evaluated in order, so a rule may read a
/// series recorded earlier in the same group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleGroup {
    /// Unique within the file, such as `slo-sli-recordings-shop-checkout`.
    pub name: String,
    /// The rules.
    pub rules: Vec<Rule>,
}

/// A recording or an alerting rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Rule {
    /// `record:`.
    Record(RecordingRule),
    /// `alert:`.
    Alert(AlertingRule),
}

/// A recording rule: `expr` stored as the series `record` with `labels`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordingRule {
    /// The recorded series name, such as `slo:sli_error:ratio_rate5m`.
    pub record: String,
    /// The PromQL expression.
    #[serde(serialize_with = "block")]
    pub expr: String,
    /// Labels added to the result.
    pub labels: BTreeMap<String, String>,
}

/// An alerting rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertingRule {
    /// The alert name, such as `SLOErrorBudgetBurn`.
    pub alert: String,
    /// The PromQL condition: the alert fires for every series it returns.
    #[serde(serialize_with = "block")]
    pub expr: String,
    /// How long the condition must hold before the alert fires.
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_duration: Option<String>,
    /// Labels added to the alert.
    pub labels: BTreeMap<String, String>,
    /// Annotations (Go templates; text from the spec is escaped).
    pub annotations: BTreeMap<String, String>,
}

/// Multi-line PromQL as a YAML literal block, so the file reads like PromQL.
fn block<S: Serializer>(expr: &str, serializer: S) -> Result<S::Ok, S::Error> {
    if expr.contains('\n') {
        serde_saphyr::LitStr(expr).serialize(serializer)
    } else {
        serializer.serialize_str(expr)
    }
}
