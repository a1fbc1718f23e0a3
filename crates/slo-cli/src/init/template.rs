//! The spec `slo init` writes: a worked example, each SLO with a comment
//! saying why it exists, at the numbers of its tier (its availability
//! objective and latency threshold).

use std::fmt::Write as _;
use std::time::Duration;

use slo_core::format_duration;
use slo_core::spec::{SloNameError, SloNamer, Tier};

/// What kind of service the spec is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Template {
    /// A request/response API: availability and latency per route.
    Api,
    /// A web site's pages: availability and latency per route.
    Web,
    /// A scheduled job: batches on time, records processed.
    Batch,
    /// A stream processor: data fresh within a minute, records processed.
    Streaming,
    /// A data pipeline: output on time, records processed.
    Pipeline,
}

impl Template {
    fn name(self) -> &'static str {
        match self {
            Template::Api => "api",
            Template::Web => "web",
            Template::Batch => "batch",
            Template::Streaming => "streaming",
            Template::Pipeline => "pipeline",
        }
    }

    /// Whether its SLOs are per route.
    pub(crate) fn takes_routes(self) -> bool {
        matches!(self, Template::Api | Template::Web)
    }
}

/// Every answer `slo init` needs.
pub(crate) struct Answers {
    pub service: String,
    pub template: Template,
    pub tier: Tier,
    pub routes: Vec<String>,
    pub owner: Option<String>,
}

/// A JSON string is a YAML double-quoted scalar: every character escaped.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn percent(ratio: f64) -> String {
    slo_core::format_percent(ratio).to_string()
}

/// The spec's text.
pub(crate) fn render(answers: &Answers) -> Result<String, SloNameError> {
    let Answers {
        service,
        template,
        tier,
        routes,
        owner,
    } = answers;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# SLOs of {service}: `slo init --template {} --tier {tier}` wrote this\n\
         # as a starting point. Check it with `slo validate`, try it with\n\
         # `slo replay`, and generate the fleet's alerts with `slo rules`.\n\
         #\n\
         # {}\n\
         # Before you tighten an objective, see what the service achieved:\n\
         # `slo suggest --prometheus URL` reads its history.",
        template.name(),
        tier_sentence(*template, *tier),
    );
    let _ = writeln!(out, "service: {}", quoted(service));
    match owner {
        Some(owner) => {
            let _ = writeln!(
                out,
                "# The team paged for these SLOs: alerts carry it as the label `owner`.\nowner: {}",
                quoted(owner)
            );
        }
        None => out.push_str(
            "# The team paged for these SLOs: alerts carry it as the label `owner`.\n# owner: your-team\n",
        ),
    }
    out.push_str("slos:\n");
    let mut names = SloNamer::new();
    if template.takes_routes() {
        if routes.is_empty() {
            request_slos(&mut out, &mut names, *template, *tier, service, None)?;
        }
        for route in routes {
            request_slos(&mut out, &mut names, *template, *tier, route, Some(route))?;
        }
    } else {
        data_slos(&mut out, &mut names, *template, *tier, service)?;
    }
    Ok(out)
}

/// What the tier means for these SLOs.
fn tier_sentence(template: Template, tier: Tier) -> String {
    if template.takes_routes() {
        format!(
            "Tier {tier}: {} of requests succeed, 99% answer within {}.",
            percent(tier.availability_objective()),
            format_duration(tier.latency_threshold())
        )
    } else {
        format!("Tier {tier}: alerts carry it as the label `tier`.")
    }
}

/// An availability and a latency SLO over `route` (every request without).
fn request_slos(
    out: &mut String,
    names: &mut SloNamer,
    template: Template,
    tier: Tier,
    label: &str,
    route: Option<&str>,
) -> Result<(), SloNameError> {
    let what = match (template, route) {
        (Template::Web, Some(route)) => format!("the page {route}"),
        (Template::Web, None) => "every page".to_owned(),
        (_, Some(route)) => route.to_owned(),
        (_, None) => "every request".to_owned(),
    };
    let threshold = format_duration(tier.latency_threshold());
    let matches = route.map_or_else(String::new, |route| {
        format!("    match: {{routes: [{}]}}\n", quoted(route))
    });
    let availability = names.name(label, "availability")?;
    let _ = write!(
        out,
        "  # Does {what} succeed? A 5xx, a panic or an error the handler\n\
         \x20 # returns spends the budget; a 4xx is the client's and does not.{}\n\
         \x20 - name: {availability}\n\
         \x20   description: {}\n\
         \x20   objective: {}\n\
         \x20   tier: {tier}\n\
         \x20   sli: availability\n\
         {matches}\
         \x20   # Link the runbook and the dashboard from every alert and from /slo:\n\
         \x20   # annotations:\n\
         \x20   #   runbook: https://runbooks.example.com/{availability}\n",
        match template {
            Template::Web => "\n  # A page that fails is a visit lost.",
            _ => "",
        },
        quoted(&format!("{} succeeds", capitalized(&what))),
        percent(tier.availability_objective()),
    );
    let latency = names.name(label, "latency")?;
    let _ = write!(
        out,
        "  # Is {what} fast enough? 99% of requests within {threshold}; a\n\
         \x20 # failed one counts as slow. The threshold is a promise users feel:\n\
         \x20 # {}.\n\
         \x20 - name: {latency}\n\
         \x20   description: {}\n\
         \x20   objective: {}\n\
         \x20   tier: {tier}\n\
         \x20   sli: {{latency: {{threshold: {threshold}}}}}\n\
         {matches}",
        match template {
            Template::Web => "a page slower than this feels broken",
            _ => "callers time out and retry beyond it",
        },
        quoted(&format!(
            "{} answers within {threshold}",
            capitalized(&what)
        )),
        percent(Tier::LATENCY_OBJECTIVE),
    );
    Ok(())
}

/// How fresh a template's data must be.
fn freshness(template: Template) -> Duration {
    match template {
        Template::Streaming => Duration::from_secs(60),
        _ => Duration::from_secs(30 * 60),
    }
}

/// A freshness and a completeness SLO for a job, a stream or a pipeline.
fn data_slos(
    out: &mut String,
    names: &mut SloNamer,
    template: Template,
    tier: Tier,
    service: &str,
) -> Result<(), SloNameError> {
    let within = format_duration(freshness(template));
    let (unit, late) = match template {
        Template::Streaming => ("data", "a consumer that falls behind"),
        Template::Batch => ("batches", "a run that finishes late or not at all"),
        _ => ("outputs", "a stage that stalls"),
    };
    let fresh = names.name(service, "freshness")?;
    let _ = write!(
        out,
        "  # Is the data on time? 99% of {unit} fresh within {within}:\n\
         \x20 # {late} spends the budget. Record each check in code:\n\
         \x20 #   registry.handle({fresh:?})?.record_freshness(age_of_newest_data);\n\
         \x20 - name: {fresh}\n\
         \x20   description: {}\n\
         \x20   objective: 99%\n\
         \x20   tier: {tier}\n\
         \x20   sli: {{freshness: {{threshold: {within}}}}}\n",
        quoted(&format!("{} are fresh within {within}", capitalized(unit))),
    );
    let complete = names.name(service, "completeness")?;
    let _ = write!(
        out,
        "  # Is every record processed? 99.95%: a record dropped or failed spends\n\
         \x20 # the budget. Record each run's counts in code:\n\
         \x20 #   registry.handle({complete:?})?.record_batch(processed, failed);\n\
         \x20 # Without `match` it also counts requests through the layer, if any.\n\
         \x20 - name: {complete}\n\
         \x20   description: \"Records are processed\"\n\
         \x20   objective: 99.95%\n\
         \x20   tier: {tier}\n\
         \x20   sli: availability\n",
    );
    Ok(())
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
