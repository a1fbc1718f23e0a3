//! `slo init` as users run it: every template at every tier writes a
//! commented spec that `slo validate` accepts, at the tier's numbers, each
//! SLO saying why it exists; without a terminal it never waits for input,
//! and mistakes are refused with a usage message.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use slo_core::spec::Tier;
use slo_core::{Sli, Spec};

const TEMPLATES: [&str; 5] = ["api", "web", "batch", "streaming", "pipeline"];

fn slo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slo"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("slo-init-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_template_at_every_tier_validates_at_the_tiers_numbers() {
    let dir = scratch("all");
    for template in TEMPLATES {
        for tier in Tier::ALL {
            let path = dir.join(format!("{template}-{tier}.yaml"));
            let path_text = path.to_str().unwrap();
            let mut args = vec![
                "init",
                "--service",
                "shop",
                "--template",
                template,
                "--tier",
                tier.as_str(),
                "--owner",
                "payments",
                "-o",
                path_text,
            ];
            let per_route = matches!(template, "api" | "web");
            if per_route {
                args.extend(["--route", "POST /checkout", "--route", "GET /cart/{id}"]);
            }
            let out = slo(&args);
            assert!(out.status.success(), "{template} {tier}: {}", text(&out));
            let validated = slo(&["validate", path_text]);
            assert!(
                validated.status.success(),
                "{template} {tier}: {}",
                text(&validated)
            );
            let written = std::fs::read_to_string(&path).unwrap();
            let spec = Spec::from_yaml(&written).unwrap();
            assert_eq!(spec.owner(), Some("payments"));
            // A worked example: every SLO comes after a comment saying why.
            let lines: Vec<&str> = written.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if line.trim_start().starts_with("- name:") {
                    assert!(
                        lines[i - 1].trim_start().starts_with('#'),
                        "{template} {tier}: no comment above {line}:\n{written}"
                    );
                }
            }
            for slo in spec.slos() {
                assert_eq!(slo.ownership().tier(), Some(tier));
                assert!(slo.description().is_some());
            }
            if per_route {
                assert_eq!(spec.slos().len(), 4, "{written}");
                for slo in spec.slos() {
                    match slo.sli() {
                        Sli::Availability => {
                            assert_eq!(slo.objective(), tier.availability_objective());
                        }
                        Sli::Latency { threshold } => {
                            assert_eq!(*threshold, tier.latency_threshold());
                            assert_eq!(slo.objective(), 0.99);
                        }
                        other => panic!("{other:?}"),
                    }
                    assert_eq!(slo.routes().unwrap().len(), 1);
                }
                let names: Vec<&str> = spec.slos().iter().map(|s| s.name()).collect();
                assert_eq!(
                    names,
                    [
                        "post-checkout-availability",
                        "post-checkout-latency",
                        "get-cart-id-availability",
                        "get-cart-id-latency"
                    ]
                );
            } else {
                // 99% of batches fresh within 30m (a minute for a stream),
                // 99.95% of records processed.
                assert_eq!(spec.slos().len(), 2, "{written}");
                let within = if template == "streaming" { 60 } else { 30 * 60 };
                assert_eq!(
                    spec.slos()[0].sli(),
                    &Sli::Freshness {
                        threshold: Duration::from_secs(within)
                    }
                );
                assert_eq!(spec.slos()[0].objective(), 0.99);
                assert_eq!(spec.slos()[1].objective(), 0.9995);
            }
        }
    }
    // Without routes, one of each covers every request; without an owner,
    // the example says where it goes.
    let out = slo(&["init", "--service", "shop"]);
    assert!(out.status.success(), "{}", text(&out));
    let written = String::from_utf8(out.stdout).unwrap();
    assert!(written.contains("# owner: your-team"), "{written}");
    let spec = Spec::from_yaml(&written).unwrap();
    let names: Vec<&str> = spec.slos().iter().map(|s| s.name()).collect();
    assert_eq!(names, ["shop-availability", "shop-latency"]);
    assert!(spec.slos().iter().all(|s| s.routes().is_none()));
    // The default tier is essential.
    assert_eq!(spec.slos()[0].objective(), 0.999);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn without_a_terminal_it_never_waits_and_mistakes_are_usage_errors() {
    // Standard input open but silent (a pipe nobody writes to): a prompt
    // would hang; it must fail at once with the usage.
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_slo"))
        .arg("init")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "slo init waited for input"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    assert_eq!(status.code(), Some(2));
    let said = text(&out);
    assert!(said.contains("--service is required"), "{said}");
    assert!(said.contains("Usage: slo init --service NAME"), "{said}");
    assert!(out.stdout.is_empty());

    for (args, words) in [
        (
            vec!["init", "--service", "shop", "--route", "checkout"],
            "must start with '/'",
        ),
        (
            vec![
                "init",
                "--service",
                "shop",
                "--template",
                "batch",
                "--route",
                "/x",
            ],
            "--route applies to the api and web templates",
        ),
        (vec!["init", "--service", "sh op"], "invalid name \"sh op\""),
        (
            vec!["init", "--service", "shop", "--owner", " x"],
            "invalid owner",
        ),
        (
            vec!["init", "--service", "shop", "--tier", "gold"],
            "unknown tier \"gold\"",
        ),
        (
            vec!["init", "--service", "shop", "--template", "cron"],
            "invalid value 'cron'",
        ),
    ] {
        let out = slo(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(text(&out).contains(words), "{args:?}: {}", text(&out));
        assert!(out.stdout.is_empty(), "{args:?}");
    }

    // An existing file is kept unless --force says otherwise.
    let dir = scratch("force");
    let path = dir.join("slo.yaml");
    std::fs::write(&path, "mine").unwrap();
    let path_text = path.to_str().unwrap();
    let out = slo(&["init", "--service", "shop", "-o", path_text]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("--force"), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
    let out = slo(&["init", "--service", "shop", "-o", path_text, "--force"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(Spec::from_yaml(&std::fs::read_to_string(&path).unwrap()).is_ok());
    let _ = std::fs::remove_dir_all(dir);
}
