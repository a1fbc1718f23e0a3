//! One SLO's row of panels.

use serde_json::{Value, json};
use slo_core::windows::SloWindows;
use slo_core::{SloDefinition, format_percent};

use crate::matchers::Matchers;
use crate::rules::promql::quote;
use crate::rules::{ABSENT_ALERT, BURN_ALERT, EXHAUSTED_ALERT};

/// Panels placed so far, and where the next row goes.
#[derive(Default)]
pub(super) struct Layout {
    pub panels: Vec<Value>,
    next_id: u64,
    pub(super) y: u64,
}

impl Layout {
    pub(super) fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(super) fn place(&mut self, mut panel: Value, x: u64, w: u64, h: u64) {
        panel["id"] = json!(self.id());
        panel["gridPos"] = json!({"x": x, "y": self.y, "w": w, "h": h});
        self.panels.push(panel);
    }
}

fn datasource() -> Value {
    json!({"type": "prometheus", "uid": "${datasource}"})
}

pub(super) fn target(expr: String, legend: &str, ref_id: &str, instant: bool) -> Value {
    json!({
        "datasource": datasource(),
        "expr": expr,
        "legendFormat": legend,
        "refId": ref_id,
        "instant": instant,
        "range": !instant,
        "format": if instant { "table" } else { "time_series" }
    })
}

/// A panel of `kind` with its title, description and queries on the
/// dashboard's data source, then the keys of `rest` (its `fieldConfig`,
/// `options`, …).
pub(super) fn panel(
    kind: &str,
    title: impl Into<Value>,
    description: impl Into<Value>,
    targets: Value,
    rest: Value,
) -> Value {
    let mut panel = json!({
        "type": kind,
        "title": title.into(),
        "description": description.into(),
        "datasource": datasource(),
        "targets": targets,
    });
    if let (Some(keys), Value::Object(rest)) = (panel.as_object_mut(), rest) {
        keys.extend(rest);
    }
    panel
}

/// A panel's legend and tooltip `options`.
pub(super) fn legend(show: bool, tooltip: &str, sort: &str) -> Value {
    json!({
        "legend": {"displayMode": "list", "placement": "bottom", "showLegend": show, "calcs": []},
        "tooltip": {"mode": tooltip, "sort": sort}
    })
}

pub(super) fn thresholds(steps: &[(Option<f64>, &str)]) -> Value {
    let steps: Vec<Value> = steps
        .iter()
        .map(|(value, color)| json!({"value": value, "color": color}))
        .collect();
    json!({"mode": "absolute", "steps": steps})
}

/// The queries of one SLO, over the recorded series of its `sloth_id`
/// under the dashboard's `$service`.
struct Queries<'a> {
    slo: &'a SloDefinition,
    raw: String,
}

impl Queries<'_> {
    /// `name{sloth_service="$service", sloth_slo="…"}`.
    fn recorded(&self, name: &str) -> String {
        format!(
            "{name}{{sloth_service=\"$service\", sloth_slo={}}}",
            quote(self.slo.name())
        )
    }

    fn ratio(&self, window: &str) -> String {
        self.recorded(&format!("slo:sli_error:ratio_rate{window}"))
    }
}

pub(super) fn stat(
    title: String,
    description: String,
    expr: String,
    unit: &str,
    steps: Value,
    decimals: u32,
) -> Value {
    panel(
        "stat",
        title,
        description,
        json!([target(expr, "", "A", false)]),
        json!({
            "fieldConfig": {
                "defaults": {
                    "unit": unit,
                    "decimals": decimals,
                    "color": {"mode": "thresholds"},
                    "thresholds": steps
                },
                "overrides": []
            },
            "options": {
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": false},
                "colorMode": "value",
                "graphMode": "area",
                "justifyMode": "auto",
                "textMode": "value",
                "wideLayout": true,
                "showPercentChange": false,
                "percentChangeColorMode": "standard",
                "orientation": "auto"
            }
        }),
    )
}

/// The row of `slo`: a row header, then two lines of panels.
pub(super) fn slo_row(layout: &mut Layout, slo: &SloDefinition, matchers: &Matchers) {
    let windows = slo.windows();
    let period = &windows.period().label;
    let shortest = &windows.shortest().label;
    let budget = slo.error_budget();
    let objective = format_percent(slo.objective()).to_string();
    let raw = matchers.events_of(slo.name(), false);
    let q = Queries { slo, raw };
    let name = slo.name();

    // A calendar period is summed by `slo report`; PromQL reads the
    // rolling period of the same length, and the row and budget say so.
    let (over, calendar_note) = match slo.calendar() {
        Some(calendar) => (
            format!(
                "the calendar {} in {} (panels: a rolling {period})",
                calendar.unit(),
                calendar.timezone()
            ),
            format!(
                " Its period is the calendar {unit} in {zone}: PromQL cannot sum from the start of a calendar {unit}, so this panel reads a rolling {period}; `slo report` over the calendar {unit} (--month, --week, or --from and --to) gives its exact budget.",
                unit = calendar.unit(),
                zone = calendar.timezone()
            ),
        ),
        None => (period.clone(), String::new()),
    };
    let row_id = layout.id();
    layout.panels.push(json!({
        "type": "row",
        "id": row_id,
        "title": format!("{name}: {objective} over {over}"),
        "collapsed": false,
        "gridPos": {"x": 0, "y": layout.y, "w": 24, "h": 1},
        "panels": []
    }));
    layout.y += 1;

    layout.place(
        stat(
            format!("SLI over {period}"),
            format!("Good events over all events of the last {period}, every instance summed; the objective is {objective}."),
            format!("1 - {}", q.ratio(period)),
            "percentunit",
            thresholds(&[(None, "red"), (Some(slo.objective()), "green")]),
            3,
        ),
        0,
        4,
        6,
    );
    layout.place(
        stat(
            format!("Error budget left ({period})"),
            format!("The share of the last {period}'s error budget not yet spent (negative when overspent).{calendar_note}"),
            q.recorded("slo:period_error_budget_remaining:ratio"),
            "percentunit",
            thresholds(&[(None, "red"), (Some(0.0), "orange"), (Some(0.25), "green")]),
            1,
        ),
        4,
        4,
        6,
    );
    layout.place(
        panel(
            "timeseries",
            format!("SLI over {shortest} against the {objective} objective"),
            format!("The SLI over each moment's last {shortest}; the dashed line is the objective."),
            json!([
                target(format!("1 - {}", q.ratio(shortest)), &format!("SLI ({shortest})"), "A", false),
                target(q.recorded("slo:objective:ratio"), "objective", "B", false)
            ]),
            json!({
            "fieldConfig": {
                "defaults": {"unit": "percentunit", "decimals": 3, "custom": {"lineWidth": 1, "fillOpacity": 0, "spanNulls": false}},
                "overrides": [{
                    "matcher": {"id": "byName", "options": "objective"},
                    "properties": [
                        {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}},
                        {"id": "color", "value": {"mode": "fixed", "fixedColor": "blue"}}
                    ]
                }]
            },
            "options": legend(true, "multi", "none")
        })),
        8,
        8,
        6,
    );
    let alert_windows: Vec<&str> = windows
        .alerting()
        .iter()
        .map(|w| w.label.as_str())
        .collect();
    layout.place(
        panel(
            "table",
            format!("Burn rates now ({} windows of {period})", alert_windows.len()),
            format!("How fast each window spends the error budget: 1 spends exactly the {period} budget over {period}. Tiers: {}.", tiers_text(windows)),
            json!([target(
                format!(
                    "{{__name__=~\"slo:sli_error:ratio_rate({})\", sloth_service=\"$service\", sloth_slo={}}} / {budget}",
                    alert_windows.join("|"),
                    quote(name)
                ),
                "{{sloth_window}}",
                "A",
                true,
            )]),
            json!({
            "transformations": [{
                "id": "organize",
                "options": {
                    "excludeByName": {"Time": true, "sloth_id": true, "sloth_service": true, "sloth_slo": true},
                    "renameByName": {"sloth_window": "Window", "Value": "Burn rate"}
                }
            }],
            "fieldConfig": {
                "defaults": {"decimals": 2, "color": {"mode": "thresholds"}, "thresholds": thresholds(&[(None, "green"), (Some(1.0), "orange"), (Some(6.0), "red")])},
                "overrides": []
            },
            "options": {"showHeader": true, "cellHeight": "sm", "frameIndex": 0}
        })),
        16,
        8,
        6,
    );
    layout.y += 6;

    let burn_targets: Vec<Value> = alert_windows
        .iter()
        .enumerate()
        .map(|(i, w)| target(format!("{} / {budget}", q.ratio(w)), w, &ref_id(i), false))
        .collect();
    let mut steps = vec![(None, "green")];
    let mut rates: Vec<f64> = windows.tiers().iter().map(|t| t.burn_rate).collect();
    rates.sort_by(f64::total_cmp);
    let colors = ["yellow", "orange", "red", "dark-red"];
    for (rate, color) in rates.iter().zip(colors) {
        steps.push((Some(*rate), color));
    }
    layout.place(
        panel(
            "timeseries",
            format!("Burn rate over the {period} windows ({})", alert_windows.join(", ")),
            format!("The burn rate over each window; the lines are the tiers' burn rates ({}).", tiers_text(windows)),
            json!(burn_targets),
            json!({
            "fieldConfig": {
                "defaults": {
                    "decimals": 2,
                    "min": 0,
                    "custom": {"lineWidth": 1, "fillOpacity": 0, "thresholdsStyle": {"mode": "line"}},
                    "thresholds": thresholds(&steps)
                },
                "overrides": []
            },
            "options": legend(true, "multi", "desc")
        })),
        0,
        12,
        8,
    );
    layout.place(
        panel(
            "state-timeline",
            format!("Alerts of {name}"),
            format!("{BURN_ALERT} (each tier on its {period}-scaled windows), {EXHAUSTED_ALERT} and {ABSENT_ALERT}, as Prometheus evaluates the generated rules."),
            json!([target(
                format!(
                    "max by (alertname, severity, long_window, short_window) (ALERTS{{alertname=~\"{BURN_ALERT}|{EXHAUSTED_ALERT}|{ABSENT_ALERT}\", alertstate=\"firing\", slo={}}})",
                    quote(name)
                ),
                "{{alertname}} {{severity}} {{long_window}} {{short_window}}",
                "A",
                false,
            )]),
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
        })),
        12,
        6,
        8,
    );
    layout.place(
        panel(
            "timeseries",
            "Events per second",
            "Good and bad events per second, every instance summed.",
            json!([target(
                format!("sum by (outcome) (rate({}[$__rate_interval]))", q.raw),
                "{{outcome}}",
                "A",
                false,
            )]),
            json!({
            "fieldConfig": {
                "defaults": {"unit": "reqps", "min": 0, "custom": {"lineWidth": 1, "fillOpacity": 10, "stacking": {"mode": "normal", "group": "A"}}},
                "overrides": [
                    {"matcher": {"id": "byName", "options": "bad"}, "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}}]},
                    {"matcher": {"id": "byName", "options": "good"}, "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "green"}}]}
                ]
            },
            "options": legend(true, "multi", "none")
        })),
        18,
        6,
        8,
    );
    layout.y += 8;
}

/// `A`, `B`, … for the `i`th query of a panel.
pub(super) fn ref_id(i: usize) -> String {
    char::from(b'A' + (i % 26) as u8).to_string()
}

/// `page 14.4x on 1h/5m, …` on the SLO's own windows.
pub(super) fn tiers_text(windows: &SloWindows) -> String {
    windows
        .tiers()
        .iter()
        .map(|t| {
            format!(
                "{} {}x on {}/{}",
                t.severity.as_str(),
                t.burn_rate,
                t.long.label,
                t.short.label
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}
