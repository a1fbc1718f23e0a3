//! `slo init --service NAME [--template T] [--tier T] [--route R]… [-o FILE]`:
//! a commented spec from a template at a tier's numbers, which `slo
//! validate` accepts. Without `--service` it asks on a terminal, and fails
//! with a usage message (exit 2) when standard input is not one: it never
//! waits for input nobody will type.

mod template;

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use slo_core::spec::{RouteRule, Tier};
use slo_core::{Spec, SpecErrors};

use template::{Answers, Template};

/// What `slo init` is asked.
#[derive(clap::Args)]
pub(crate) struct InitArgs {
    /// The service's name (asked on a terminal when left out).
    #[arg(long)]
    service: Option<String>,
    /// What kind of service: its SLOs follow.
    #[arg(long, value_enum, default_value = "api")]
    template: Template,
    /// How much it matters: critical, essential, standard or best_effort.
    #[arg(long, default_value = "essential", value_parser = crate::parse_tier)]
    tier: Tier,
    /// A route, "[METHOD ]/template" (repeatable; api and web): an
    /// availability and a latency SLO each. Without any, one of each
    /// covers every request.
    #[arg(long = "route", value_name = "ROUTE")]
    routes: Vec<String>,
    /// The team paged for these SLOs (the alerts' `owner` label).
    #[arg(long)]
    owner: Option<String>,
    /// Write the spec to this file instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Replace the output file when it exists.
    #[arg(long)]
    force: bool,
}

/// A usage mistake: said on standard error, exit 2 (as clap does).
fn usage(message: &str) -> ExitCode {
    eprintln!(
        "slo init: {message}\n\nUsage: slo init --service NAME [--template api|web|batch|streaming|pipeline] [--tier critical|essential|standard|best_effort] [--route \"METHOD /path\"]... [--owner TEAM] [-o FILE]"
    );
    ExitCode::from(2)
}

pub(crate) fn run(args: &InitArgs) -> ExitCode {
    let service = match &args.service {
        Some(service) => service.clone(),
        None if io::stdin().is_terminal() => match ask("Service name: ") {
            Some(service) if !service.is_empty() => service,
            _ => return usage("a service name is required"),
        },
        None => {
            return usage("--service is required when standard input is not a terminal");
        }
    };
    if !args.template.takes_routes() && !args.routes.is_empty() {
        return usage(
            "--route applies to the api and web templates; batch, streaming and pipeline SLOs measure data, not requests",
        );
    }
    for route in &args.routes {
        if let Err(e) = route.parse::<RouteRule>() {
            return usage(&format!("--route {route:?}: {e}"));
        }
    }
    let answers = Answers {
        service,
        template: args.template,
        tier: args.tier,
        routes: args.routes.clone(),
        owner: args.owner.clone(),
    };
    let text = match template::render(&answers) {
        Ok(text) => text,
        Err(e) => return usage(&e.to_string()),
    };
    // What it writes, it would accept: the service name and the owner
    // meet the spec's rules, as the rest does by construction.
    if let Err(SpecErrors(errors)) = Spec::from_yaml(&text) {
        for error in errors {
            eprintln!("slo init: {error}");
        }
        return ExitCode::from(2);
    }
    if let Some(path) = &args.output
        && path.exists()
        && !args.force
    {
        eprintln!("slo init: {} exists; --force replaces it", path.display());
        return ExitCode::FAILURE;
    }
    crate::write_output("init", args.output.as_deref(), &text)
}

/// One line typed on the terminal, trimmed; `None` at its end.
fn ask(prompt: &str) -> Option<String> {
    let mut stderr = io::stderr();
    let _ = write!(stderr, "{prompt}");
    let _ = stderr.flush();
    let mut line = String::new();
    match io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_owned()),
    }
}
