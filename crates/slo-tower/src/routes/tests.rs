//! The route table against the spec's own matching: which SLOs a request
//! counts toward, with and without `match.exclude`, tried in turn and
//! indexed, and which route its bad events name.

use super::*;
use slo_core::{Registry, SloDefinition, Spec};

fn table_tried_in_turn_up_to(spec: Spec, up_to: usize) -> RouteTable {
    registry_and_table(spec, up_to).1
}

fn registry_and_table(spec: Spec, up_to: usize) -> (Registry, RouteTable) {
    let registry = Registry::new(spec);
    let table = RouteTable::with_rules_tried_in_turn_up_to(
        &registry,
        registry
            .handles()
            .map(|(d, h)| TableSlo::of(d, h))
            .collect(),
        TraceIds::default(),
        up_to,
    );
    (registry, table)
}

fn table(spec: Spec) -> RouteTable {
    table_tried_in_turn_up_to(spec, TRIED_IN_TURN_UP_TO)
}

#[test]
fn an_slo_counts_once_however_many_rules_match_and_always_slos_always() {
    let spec = Spec::builder("s")
        .slo(
            SloDefinition::builder("a")
                .objective(0.9)
                .route("/cart/{id}")
                .route("GET /cart/{x}"),
        )
        .slo(SloDefinition::builder("all").objective(0.9))
        .slo(SloDefinition::builder("b").objective(0.9).route("/search"))
        .build()
        .unwrap();
    let table = table(spec);
    let resolved = table.resolve(&http::Method::GET, "/cart/1");
    assert_eq!(resolved.matched.iter().collect::<Vec<_>>(), [0, 1]);
    // Both of a's rules matched (of two templates, so told apart); the
    // first (place 0, kept as 1) names the route.
    assert_eq!(resolved.matched.rules, 0x1);
    let second = Matched {
        slos: 0b1,
        rules: 0x2,
        ..Matched::default()
    };
    assert!(table.route_of(0, &resolved.matched).is_some());
    assert!(table.route_of(0, &second).is_some());
    assert_ne!(
        table.route_of(0, &resolved.matched),
        table.route_of(0, &second)
    );
    assert_eq!(table.route_of(1, &resolved.matched), None);
    let resolved = table.resolve(&http::Method::GET, "/search");
    assert_eq!(resolved.matched.iter().collect::<Vec<_>>(), [1, 2]);
    // b has one template: nothing to tell apart, its route is fixed.
    assert_eq!(resolved.matched.rules, 0);
    assert!(table.route_of(2, &resolved.matched).is_some());
    assert_eq!(table.unmatched(), 0);
}

/// Tried in turn or indexed, the table finds exactly the SLOs whose
/// rules match, by the spec's own `RouteRule::matches`, for every
/// method and route, with one SLO per rule and with all rules on one.
#[test]
fn both_ways_find_exactly_the_rules_that_match() {
    for up_to in [0, usize::MAX] {
        the_rules_that_match(up_to);
    }
}

/// Rules and routes that exercise the matcher's corners.
const TEST_RULES: [&str; 9] = [
    "GET /search",
    "/cart/{id}",
    "POST /cart/{id}/items/{item}",
    "/files/{*path}",
    "/",
    "/a/b/",
    "DELETE /x/{id}/y",
    "/{id}",
    "/ü/{id}",
];

const TEST_ROUTES: [&str; 27] = [
    "/search",
    "/search/",
    "/searc",
    "/searchx",
    "/cart/1",
    "/cart/",
    "/cart",
    "/cart/1/",
    "/cart/{id}",
    "/cart/1/items/2",
    "/cart/1/items/",
    "/cart//items/2",
    "/files",
    "/files/",
    "/files/a/b/c",
    "/",
    "",
    "//",
    "/a/b/",
    "/a/b",
    "/x/9/y",
    "/x/9/y/",
    "/x//y",
    "no-slash",
    "/ü/{id}",
    "/ü/1",
    "/cartx/1",
];

/// Rules matching no test route, to push later rules' places past
/// what a request keeps inline.
const FILLER: usize = 11;

fn the_rules_that_match(up_to: usize) {
    let rules: Vec<RouteRule> = TEST_RULES.iter().map(|r| r.parse().unwrap()).collect();
    let mut builder = Spec::builder("s");
    for (i, rule) in TEST_RULES.iter().enumerate() {
        builder = builder.slo(
            SloDefinition::builder(format!("s{i}"))
                .objective(0.9)
                .route(*rule),
        );
    }
    // SLOs of all the rules, each in its own order: six rotations, so
    // that more SLOs of different templates match than a request keeps
    // inline, and one whose rules come after FILLER others.
    let mut orders: Vec<Vec<String>> = (0..6)
        .map(|turn| {
            let mut order: Vec<String> = TEST_RULES.iter().map(|r| r.to_string()).collect();
            order.rotate_left(turn);
            order
        })
        .collect();
    let mut late: Vec<String> = (0..FILLER).map(|i| format!("/filler/{i}")).collect();
    late.extend(TEST_RULES.iter().map(|r| r.to_string()));
    orders.push(late);
    for (i, order) in orders.iter().enumerate() {
        let mut all = SloDefinition::builder(format!("all{i}")).objective(0.9);
        for rule in order {
            all = all.route(rule.as_str());
        }
        builder = builder.slo(all);
    }
    let (registry, table) = registry_and_table(builder.build().unwrap(), up_to);
    assert_eq!(matches!(table.rules, Rules::Few(_)), up_to > 0);
    let first_all = TEST_RULES.len();
    for method in [http::Method::GET, http::Method::POST, http::Method::DELETE] {
        for route in TEST_ROUTES {
            let want: Vec<usize> = (0..rules.len())
                .filter(|&i| rules[i].matches(method.as_str(), route))
                .collect();
            let matched = table.resolve(&method, route).matched;
            let got: Vec<usize> = matched.iter().filter(|&i| i < first_all).collect();
            assert_eq!(got, want, "{method} {route}, tried in turn up to {up_to}");
            for (i, order) in orders.iter().enumerate() {
                let slo = first_all + i;
                let first = order.iter().find(|rule| {
                    rule.parse::<RouteRule>()
                        .unwrap()
                        .matches(method.as_str(), route)
                });
                assert_eq!(matched.iter().any(|m| m == slo), first.is_some());
                // Its bad events name the template of its first
                // matching rule, in its own order.
                let template = first.map(|rule| rule.parse::<RouteRule>().unwrap());
                assert_eq!(
                    table.route_of(slo, &matched),
                    template.and_then(|rule| registry.route_id(rule.template())),
                    "all{i}: {method} {route}, tried in turn up to {up_to}"
                );
            }
        }
    }
}

/// With `match.exclude` rules, tried in turn or indexed, a request
/// counts toward exactly the SLOs whose definition `matches` it (its
/// routes, less its exclusions), and the bad events of SLOs with rules
/// of several templates still name their first matching rule's.
#[test]
fn exclusions_leave_out_exactly_what_the_spec_says() {
    let routes = ["/cart/{id}", "GET /search", "/files/{*path}", "/{id}", "/"];
    let excludes = [
        "GET /cart/health",
        "/files/private/{*rest}",
        "/search",
        "/x",
    ];
    let paths = [
        "/cart/1",
        "/cart/health",
        "/search",
        "/files/a",
        "/files/private/a",
        "/x",
        "/y",
        "/",
        "/unmatched/path",
    ];
    for up_to in [0, usize::MAX] {
        let mut builder = Spec::builder("s");
        // Each SLO: some routes (or none: every request) and some
        // exclusions, by turns; more than 64 of them, so that some
        // live past the inline bits.
        for i in 0..70usize {
            let mut slo = SloDefinition::builder(format!("s{i}")).objective(0.9);
            if i % 5 != 0 {
                for (j, route) in routes.iter().enumerate() {
                    if (i + j) % 3 != 0 {
                        slo = slo.route(*route);
                    }
                }
            }
            for (j, exclude) in excludes.iter().enumerate() {
                if (i + j) % 4 == 1 {
                    slo = slo.exclude_route(*exclude);
                }
            }
            builder = builder.slo(slo);
        }
        let spec = builder.build().unwrap();
        let (registry, table) = registry_and_table(spec.clone(), up_to);
        for method in [http::Method::GET, http::Method::POST] {
            for path in paths {
                let matched = table.resolve(&method, path).matched;
                let mut got: Vec<usize> = matched.iter().collect();
                // Past the 64th, in the order their rules matched.
                got.sort_unstable();
                let want: Vec<usize> = (0..spec.slos().len())
                    .filter(|&i| spec.slos()[i].matches(method.as_str(), path))
                    .collect();
                assert_eq!(got, want, "{method} {path}, tried in turn up to {up_to}");
                for &i in &want {
                    let definition = &spec.slos()[i];
                    let first = definition
                        .routes()
                        .and_then(|rules| rules.iter().find(|r| r.matches(method.as_str(), path)));
                    assert_eq!(
                        table.route_of(i, &matched),
                        first.and_then(|rule| registry.route_id(rule.template())),
                        "s{i}: {method} {path}, tried in turn up to {up_to}"
                    );
                }
            }
        }
    }
}
