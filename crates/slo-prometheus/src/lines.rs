//! One series' line in the text format: its name and labels (the global
//! ones first, as metrics-exporter-prometheus writes them) and its value;
//! what the SLO and the journey series are both written with.

use std::fmt::Write as _;

/// `value` escaped for a label value in the text format.
pub(crate) fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `name{k="v",…} ` with the global labels first, as metrics-exporter-prometheus writes them.
pub(crate) fn series(name: &str, global: &str, labels: &[(&str, &str)]) -> String {
    let mut out = format!("{name}{{{global}");
    for (i, (key, value)) in labels.iter().enumerate() {
        if i > 0 || !global.is_empty() {
            out.push(',');
        }
        let _ = write!(out, "{key}=\"{}\"", escape(value));
    }
    out.push_str("} ");
    out
}

/// `prefix value\n`; numbers as metrics-exporter-prometheus writes them.
pub(crate) fn line(out: &mut String, prefix: &str, value: impl std::fmt::Display) {
    out.push_str(prefix);
    let _ = writeln!(out, "{value}");
}
