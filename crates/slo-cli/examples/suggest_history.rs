//! Writes a history for the `slo suggest` benchmark: OpenTelemetry request
//! histograms (`http_server_request_duration_seconds`) of ROUTES routes on
//! INSTANCES instances, 200s and 500s, five bucket bounds, one sample a
//! SCRAPE seconds for DAYS days ending at END, as OpenMetrics files of
//! CHUNK days each for `promtool tsdb create-blocks-from openmetrics`.
//!
//! `cargo run --release -p slo-cli --example suggest_history -- DIR [ROUTES INSTANCES DAYS SCRAPE CHUNK END]`

use std::io::{BufWriter, Write};

const BOUNDS: [(&str, f64); 6] = [
    ("0.05", 0.95),
    ("0.1", 0.99),
    ("0.25", 0.995),
    ("0.5", 0.999),
    ("1", 1.0),
    ("+Inf", 1.0),
];

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = std::path::PathBuf::from(args.first().map_or("suggest-history", String::as_str));
    let number = |i: usize, default: i64| {
        args.get(i)
            .and_then(|a| a.parse::<i64>().ok())
            .unwrap_or(default)
    };
    let (routes, instances, days, scrape, chunk) = (
        number(1, 50),
        number(2, 3),
        number(3, 28),
        number(4, 60),
        number(5, 4),
    );
    // 2026-11-29T00:00:00Z unless told otherwise.
    let end = number(6, 1_795_910_400);
    let start = end - days * 86_400;
    std::fs::create_dir_all(&dir)?;
    let mut file_start = start;
    while file_start < end {
        let file_end = (file_start + chunk * 86_400).min(end);
        let path = dir.join(format!("history-{file_start}.om"));
        let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
        writeln!(out, "# TYPE http_server_request_duration_seconds histogram")?;
        let mut t = file_start;
        // Each file holds its own start only for the first one.
        if t > start {
            t += scrape;
        }
        while t <= file_end {
            let k = (t - start) / scrape;
            for r in 0..routes {
                let rate = 60 + r;
                for i in 0..instances {
                    let labels = format!(
                        "job=\"bench\",instance=\"i{i}\",http_route=\"/route{r}/{{id}}\",http_request_method=\"GET\""
                    );
                    let all = (rate * k) as f64;
                    let failed = (all * 0.001).floor();
                    for (status, n) in [("200", all - failed), ("500", failed)] {
                        writeln!(
                            out,
                            "http_server_request_duration_seconds_count{{{labels},http_response_status_code=\"{status}\"}} {n} {t}"
                        )?;
                        for (le, share) in BOUNDS {
                            writeln!(
                                out,
                                "http_server_request_duration_seconds_bucket{{{labels},http_response_status_code=\"{status}\",le=\"{le}\"}} {} {t}",
                                (n * share).floor()
                            )?;
                        }
                    }
                }
            }
            t += scrape;
        }
        writeln!(out, "# EOF")?;
        out.flush()?;
        file_start = file_end;
    }
    Ok(())
}
