//! One journey's row of panels, over its recorded
//! `slo:journey_error:ratio_rate<window>` and its alerts.

use serde_json::{Value, json};
use slo_core::{JourneyDefinition, format_percent};

use super::panels::{Layout, legend, panel, ref_id, stat, thresholds, tiers_text};
use crate::rules::JOURNEY_RATIO;
use crate::rules::promql::quote;
use slo_core::series::JOURNEY_BURN_ALERT;

/// The row of `journey`: a row header, its SLI and budget, its burn rate
/// over each window, and its alerts.
pub(super) fn journey_row(layout: &mut Layout, journey: &JourneyDefinition) {
    let windows = journey.windows();
    let period = &windows.period().label;
    let budget = journey.error_budget();
    let objective = format_percent(journey.objective()).to_string();
    let name = journey.name();
    let ratio = |window: &str| {
        format!(
            "{JOURNEY_RATIO}{window}{{sloth_service=\"$service\", journey={}}}",
            quote(name)
        )
    };
    let steps = journey.steps().join(" → ");
    let row_id = layout.id();
    layout.panels.push(json!({
        "type": "row",
        "id": row_id,
        "title": format!("journey {name}: {objective} over {period} ({steps})"),
        "collapsed": false,
        "gridPos": {"x": 0, "y": layout.y, "w": 24, "h": 1},
        "panels": []
    }));
    layout.y += 1;
    layout.place(
        stat(
            format!("Journey SLI over {period}"),
            format!("The product of its steps' SLIs over the last {period} ({steps}), each over every instance; the objective is {objective}."),
            format!("1 - {}", ratio(period)),
            "percentunit",
            thresholds(&[(None, "red"), (Some(journey.objective()), "green")]),
            3,
        ),
        0,
        4,
        8,
    );
    layout.place(
        stat(
            format!("Journey error budget left ({period})"),
            format!("The share of the journey's error budget over the last {period} not yet spent (negative when overspent)."),
            format!("1 - {} / {budget}", ratio(period)),
            "percentunit",
            thresholds(&[(None, "red"), (Some(0.0), "orange"), (Some(0.25), "green")]),
            1,
        ),
        4,
        4,
        8,
    );
    let alert_windows: Vec<&str> = windows
        .alerting()
        .iter()
        .map(|w| w.label.as_str())
        .collect();
    let targets: Vec<Value> = alert_windows
        .iter()
        .enumerate()
        .map(|(i, w)| {
            json!({
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "expr": format!("{} / {budget}", ratio(w)),
                "legendFormat": w,
                "refId": ref_id(i),
                "instant": false,
                "range": true,
                "format": "time_series"
            })
        })
        .collect();
    layout.place(
        panel(
            "timeseries",
            format!("Journey burn rate over the {period} windows ({})", alert_windows.join(", ")),
            format!("(1 − the product of its steps' SLIs) / (1 − objective) over each window. Tiers: {}.", tiers_text(windows)),
            json!(targets),
            json!({
                "fieldConfig": {
                    "defaults": {"decimals": 2, "min": 0, "custom": {"lineWidth": 1, "fillOpacity": 0}},
                    "overrides": []
                },
                "options": legend(true, "multi", "desc")
            }),
        ),
        8,
        10,
        8,
    );
    layout.place(
        panel(
            "state-timeline",
            format!("Alerts of journey {name}"),
            format!("{JOURNEY_BURN_ALERT} (each tier on its {period}-scaled windows), as Prometheus evaluates the generated rules."),
            json!([{
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "expr": format!(
                    "max by (severity, long_window, short_window) (ALERTS{{alertname=\"{JOURNEY_BURN_ALERT}\", alertstate=\"firing\", sloth_service=\"$service\", journey={}}})",
                    quote(name)
                ),
                "legendFormat": "{{severity}} {{long_window}} {{short_window}}",
                "refId": "A",
                "instant": false,
                "range": true,
                "format": "time_series"
            }]),
            json!({
                "fieldConfig": {
                    "defaults": {
                        "color": {"mode": "thresholds"},
                        "thresholds": thresholds(&[(None, "green"), (Some(1.0), "red")]),
                        "mappings": [{"type": "value", "options": {"1": {"text": "firing", "color": "red"}}}],
                        "custom": {"fillOpacity": 80, "lineWidth": 0}
                    },
                    "overrides": []
                },
                "options": {"showValue": "never", "mergeValues": true, "alignValue": "left", "rowHeight": 0.9, "legend": {"displayMode": "list", "placement": "bottom", "showLegend": false, "calcs": []}, "tooltip": {"mode": "single", "sort": "none"}}
            }),
        ),
        18,
        6,
        8,
    );
    layout.y += 8;
}
