//! The rules `slo` follows, in one place: what an event is, how windows,
//! burn rates, budgets, alerts and status levels are computed, what a spec
//! file holds, and the names and shapes every export uses. The middleware,
//! the exporters, replay and the `/slo` page all follow these rules; their
//! docs link here instead of repeating them.
//!
//! This module holds no code.
//!
//! # Events
//!
//! Every SLO counts events, each good or bad, toward one SLI.
//!
//! - **Availability SLI.** An event is bad when the server failed: an HTTP
//!   5xx, an error from the inner service, a panic, a response body that
//!   errored; for gRPC the codes `UNKNOWN` (2), `DEADLINE_EXCEEDED` (4),
//!   `INTERNAL` (13), `UNAVAILABLE` (14) and `DATA_LOSS` (15), read from the
//!   headers or the trailers. 4xx statuses and the other gRPC codes are
//!   the caller's doing and count as good. The rule is
//!   [`classify`](crate::classify); the middleware's classifiers can be
//!   replaced.
//! - **Latency SLI.** Good when the server did not fail and the whole
//!   response, to the end of its body, took at most the threshold.
//!
//! # Classification
//!
//! An availability or latency SLI can say in the spec what fails it:
//!
//! ```yaml
//! sli:
//!   availability:
//!     bad: ["5xx", 429]     # statuses or classes that fail; default ["5xx"]
//!     excluded: [404]       # statuses left out of the SLI
//!     grpc_bad: [UNKNOWN, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, DATA_LOSS]   # the default
//! ```
//!
//! A `bad` list replaces the default; a status in `excluded` is left out
//! whatever else holds (even when slow), counted in
//! `slo_excluded_events_total{reason="status"}`. A gRPC call fails when
//! its status is in `bad`, its code in `grpc_bad`, or it ended without a
//! code. Errors from the inner service, panics and errored bodies fail
//! whatever the lists say. Without the keys nothing changes, and the
//! middleware's classifier (replaceable in code) decides; with them, the
//! spec decides for that SLO. A status in both lists and an unknown code
//! name are refused at their line. The rules:
//! [`Classification`](crate::classify::Classification).
//!
//! A `quality` SLI (`sli: quality`, or `sli: {quality: {bad, excluded,
//! grpc_bad}}`) is an availability SLI that also fails a response its
//! handler marked [`Degraded`](crate::Degraded), a response extension (a
//! search from a stale cache, a page without a part): bad with reason
//! `degraded` when nothing failed it first. Availability and latency SLIs
//! do not look at the mark. A client that leaves after a degraded head
//! leaves a degraded answer: bad for a quality SLI, where the
//! [cancellation](#cancellation) rule would otherwise exclude it.
//!
//! A `freshness` SLI (`sli: {freshness: {threshold: 30m}}`) measures data,
//! not requests: [`SliHandle::record_freshness`](crate::SliHandle::record_freshness)
//! records one event, good when the data's age is within the threshold,
//! bad (`stale`) when older. Without `match` it takes no requests (every
//! other SLI without `match` takes them all). Batches:
//! [`SliHandle::record_batch`](crate::SliHandle::record_batch) records
//! many events in one step, its bad ones `error`; `#[slo::measure(…,
//! batch = |r: &R| (good, bad))]` records a function's result so.
//!
//! # Bad reasons
//!
//! Every bad event has exactly one reason, the first of these that holds:
//! `server_error` (a listed status of 500 or more, or a listed gRPC code),
//! `status` (a listed status below 500), `error` (an error instead of a
//! response), `panic`, `body_error`, `slow`, `cancelled_late`, `degraded`,
//! `stale`. See [`BadReason`](crate::reasons::BadReason).
//!
//! Each SLO's counters keep the bad events by reason, and its bad count is
//! their sum, so a read's reasons always add up to its bad events:
//! [`EventTotals::bad_reasons`](crate::EventTotals::bad_reasons),
//! `slo_bad_events_total{slo, reason}` (every reason of every SLO, read in
//! one pass with `slo_events_total`), and `/slo`'s `bad_reasons`, over the
//! period window like `events` (rings of two reasons each, made the first
//! time one of the two has an event, so memory stays bounded; the
//! window's interpolated counts are apportioned so that they sum to
//! `events.bad`). A state file keeps them. Code that records a bad event
//! without saying why ([`SliHandle::record`](crate::SliHandle::record)
//! with `false`, a batch's bad events) records `error`; a latency SLI's
//! success over the threshold is `slow`; history that kept no reasons (an
//! earlier state file, a warm start from Prometheus) counts as `error`.
//!
//! # Cancellation
//!
//! A client that gives up must never make an SLO look better, and must not
//! make it look worse for something the service did not do. A request (or
//! a measured call) that ends without an outcome, because the client went
//! away or its future was dropped, is:
//!
//! - **bad** when the server had already failed (a 5xx head, a panic), or
//!   for a latency SLI whose threshold had already passed: the client
//!   waited too long;
//! - otherwise **excluded**: left out of the SLI and counted in
//!   `slo_excluded_events_total{reason="client_cancelled"}`.
//!
//! One function applies it: [`SliHandle::record_unfinished`](crate::SliHandle::record_unfinished).
//!
//! # Windows
//!
//! Every SLO keeps the windows `5m 30m 1h 2h 6h 1d 3d` and its period
//! (rolling, 30d by default). Other periods scale every window linearly: a
//! 7d period keeps `1m10s 7m 14m 28m 1h24m 5h36m 16h48m 7d`. Window labels
//! name the scaled durations.
//!
//! Each window W is a ring of cumulative (good, bad) samples taken every
//! W/60. The count over W is `now − sample(now − W)`, interpolated inside
//! one sample spacing at the window's start; a window covers the events in
//! `(t − W, t]`. Recording an event does no per-window work. A window
//! longer than the process has run covers everything it has seen.
//!
//! # Burn rate and error budget
//!
//! - The error budget is the fraction of events allowed to be bad:
//!   `1 − objective`.
//! - The burn rate over a window is `(bad / total) / (1 − objective)`, and
//!   `null` (`None`) for a window without events. A burn rate of 1 spends
//!   exactly the budget over the period.
//! - Error budget consumed is `burn rate over the period window × coverage`,
//!   where coverage is the share of the period the window holds (the
//!   process's run, plus restored or backfilled history), at most 1; and
//!   remaining is `1 − consumed` (1 when nothing was seen). With the whole
//!   period seen that is `1 − burn rate over the period`. Before, it is the
//!   share of a period's budget the bad events seen have spent, the
//!   period's events estimated at the rate seen: 85 seconds at burn rate
//!   22 spend 0.07% of a 30d budget, not 2111%. Minutes of data are never
//!   read as a whole period. It goes negative once the budget is overspent.
//! - Exhaustion: at the current 1h burn rate (scaled with the period), the
//!   seconds until the remaining budget is gone; `null` when the budget is
//!   not being consumed or is already gone.
//! - `events` and the SLI value cover the period window (everything since
//!   start while the process has run less than a period), and
//!   `coverage_ratio` says how much of the period that is.
//!
//! # Durable windows
//!
//! The windows are part of the state, and survive restarts through a
//! [state file](crate::state): every SLO's cumulative counts, its rings
//! and thereby its chart history are written every interval (default 10 s)
//! and at shutdown, atomically, and restored at start. The time the
//! process was down reads as no events, so every window slides over the
//! gap exactly. An SLO keeps its history while its SLI, routes and period
//! are unchanged (objective, description and `min_events` may change); a
//! new or changed SLO, and every SLO of a file that cannot be trusted,
//! starts fresh with a note saying why. A restored window covers what it
//! restored: `coverage_ratio` and `/slo`'s `history.since` count it.
//!
//! # Alert tiers
//!
//! Multi-window, multi-burn-rate alerts, as in the SRE workbook and Sloth,
//! for a 30d period (other periods scale the windows; the burn rates stay):
//!
//! | severity | long window | short window | burn rate |
//! |---|---|---|---|
//! | page | 1h | 5m | 14.4 |
//! | page | 6h | 30m | 6 |
//! | ticket | 1d | 2h | 3 |
//! | ticket | 3d | 6h | 1 |
//!
//! A tier fires when both of its windows burn faster than its rate and the
//! long window holds at least `min_events` events (default 1). The tiers
//! are [`windows::DEFAULT_TIERS`](crate::windows::DEFAULT_TIERS), scaled to
//! an SLO's period in its [`windows`](crate::SloDefinition::windows).
//!
//! An SLO may give its own tiers instead (`alerting.tiers`, at most 8,
//! windows as written and not scaled: each window at least 10s and at
//! most the period, the short one shorter than the long one, a burn rate
//! above 0). It then keeps a window for each of its tiers' windows, plus
//! the status, exhaustion and chart windows and the period; `burn_rates`,
//! `alerts`, the gauges, the alert transitions and the generated rules
//! follow them. `policy.alerting` gives every SLO's `alerting` keys a
//! default; an SLO's own key wins, key by key.
//!
//! # Calendar periods
//!
//! `period: calendar week | calendar month | calendar quarter` keeps the
//! objective over the current ISO week (from Monday 00:00), month (from
//! the 1st) or quarter (from the 1st of January, April, July or October),
//! midnight in the spec's `timezone`. The period window holds the events
//! since the period began, and the budget is whole again at each
//! boundary: a tick past it starts the next period with the counts at the
//! boundary (the ticker ticks at least every second), and replay starts it
//! with the first event at or after it, exactly. `period_seconds` is the
//! current period's length (a month in which the zone changes its clocks
//! is an hour shorter or longer), coverage counts from the later of the
//! period's start and the earliest history held, and the budget rule above
//! holds over them. The alert windows keep rolling: the default tiers scale
//! as for a 7d, 30d or 90d period. `burn_rates` and the `slo_burn_rate`
//! gauge name the period window `week`, `month` or `quarter`. A state file
//! restored after the period it was taken in starts the new period whole.
//!
//! Two clocks: the windows count on the engine's clock
//! ([`Clock::now`](crate::Clock::now)), which never goes back, while
//! calendar boundaries and maintenance windows follow the wall clock
//! ([`Clock::wall`](crate::Clock::wall)), which NTP may step. A step
//! forward across a boundary starts the next period at the next tick; a
//! step back into the previous period keeps the current one, so no event
//! is counted twice.
//!
//! # Maintenance windows
//!
//! `maintenance:` at the top of a spec (every SLO) or under an SLO (that
//! SLO too) lists windows `{start, duration, every}`: `start` an RFC 3339
//! instant with its offset (one without is refused), `every` optional,
//! repeating in fixed steps from `start`, longer than `duration`. An event
//! recorded at an instant `t` with `start + k × every ≤ t < start + k ×
//! every + duration` is neither good nor bad: it is excluded with reason
//! `maintenance`, counted in `slo_excluded_events_total{reason="maintenance"}`
//! and in `/slo`'s `excluded` (over the period window, with the clients
//! that went away as `cancelled`). Live, each tick sets a flag that every
//! record reads, so the switch happens within one tick of a boundary and
//! a record pays one relaxed load; replay sets it for each event's own
//! instant, so it is exact. [`Registry::maintenance`](crate::Registry::maintenance)
//! adds a window at run time, for every SLO. `/slo`'s `maintenance` says
//! whether one holds, until when, and when the next begins (`null` for an
//! SLO without windows). The spec's `timezone` (an IANA name, default UTC)
//! is checked against the time zone database.
//!
//! # Budget and no-data alerts
//!
//! Evaluated with the tiers at every tick, each only for an SLO that asks
//! for it:
//!
//! | key | alert | severity | fires while |
//! |---|---|---|---|
//! | `alerting.budget.remaining_below: 25%` | `SLOErrorBudgetLow` | ticket | the remaining budget ≤ 25% |
//! | `alerting.budget.exhausted_within: 3d` | `SLOErrorBudgetExhaustionSoon` | page | the exhaustion time is known and ≤ 3d (once the budget is spent, `SLOErrorBudgetExhausted` says so) |
//! | `alerting.no_data: 1h` | `SLONoData` | ticket | no event, good, bad or excluded, was recorded in the last hour; never in the first hour after start, nor while a maintenance window holds |
//!
//! Live, no data is seen within one tick; replay is exact. They carry the
//! labels of the tiers' alerts without the windows, plus `condition`
//! (`remaining_below`, `exhausted_within`, `no_data`), in `/slo`'s
//! `budget_alerts`, the gauge `slo_budget_alert_firing`, the alert
//! transitions, Alertmanager and the generated rules. The rules evaluate
//! the budget over the fleet's recorded period, which counts the whole
//! period (no coverage weighting: a fleet's series span it); `SLONoData`
//! fires there once the SLO's series were reported `no_data` ago and
//! nothing was counted since.
//!
//! # Status levels
//!
//! `exhausted` when the budget remaining is at most 0; otherwise by the 1d
//! burn rate (scaled with the period): above 2 `critical`, above 1.5
//! `warning`, above 1 `attention`, else `healthy`. See
//! [`StatusLevel::classify`](crate::StatusLevel::classify).
//!
//! Before the windows hold a whole period, the same rule holds over the
//! coverage-weighted budget above: `exhausted` only once the bad events
//! seen have spent a whole period's budget, and the level otherwise by the
//! 1d burn rate over what the 1d window holds. A burn rate is a rate, true
//! over any span (burning 22 times too fast is critical whether seen for
//! a minute or a day); an amount is not, so the amount is the only thing
//! weighted by coverage. Every view says over how long the budget was
//! computed: `/slo`'s `coverage_ratio` and `history.since`, and "over the
//! 1m25s seen of 30d" on the page and in `slo status`.
//!
//! # Release decisions
//!
//! The spec's optional `policy.release` maps status level × risk (`low`,
//! `medium`, `high`) to a decision, `approve < review < defer < block`.
//! Cells it leaves out keep the default
//! ([`ReleasePolicy::DEFAULT`](crate::release::ReleasePolicy::DEFAULT)):
//!
//! ```yaml
//! policy:
//!   release:            # status level -> risk -> decision
//!     healthy:   {low: approve, medium: approve, high: review}
//!     attention: {low: approve, medium: review,  high: defer}
//!     warning:   {low: review,  medium: defer,   high: block}
//!     critical:  {low: defer,   medium: block,   high: block}
//!     exhausted: {low: block,   medium: block,   high: block}
//! ```
//!
//! Each SLO's decisions follow its level; the service's are the strictest
//! over its SLOs (or over the SLOs a caller names), decided by the SLO
//! with the strictest decision and, among those, the least budget left
//! (then the first in the spec). `slo gate` exits 0 on approve, 3 on
//! review, 1 on defer or block, and 2 when it cannot tell.
//!
//! # Journeys
//!
//! A journey is a user's path through several SLOs of one service, with an
//! objective for the whole path:
//!
//! ```yaml
//! journeys:
//!   - name: purchase
//!     objective: 99.5%
//!     steps: [search-quality, cart-availability, checkout-availability]
//! ```
//!
//! Over a window W its SLI is the product over its steps of `good / total`
//! over W (a step without events in W counts 1: it failed nobody), and its
//! burn rate `(1 − SLI) / (1 − objective)`. Three steps each burning 10×
//! a 99.9% objective make a 99.9% journey burn about 30×: the journey
//! pages while no step does, which is the point of having one. It is read
//! from the steps' own rings when asked (`/slo`, a tick with alert
//! subscribers, a release decision), so a request pays nothing for it.
//!
//! Its windows are its steps' when they all alert on the same tiers, else
//! the default four scaled to the period; a window a step does not keep is
//! read from that step's next longer ring, inside one of its sample
//! spacings. Its tiers fire as an SLO's do, `min_events` (the largest of
//! its steps') counting the steps' events together; its budget is spent
//! over the coverage of its least-covered step; its status level and
//! release decisions follow as an SLO's, and the service's release
//! decision is the strictest over SLOs and journeys. Steps must be SLOs of
//! the spec (not journeys), each once, all with the same period; a journey
//! is named like an SLO, and no SLO or other journey may have its name.
//!
//! Its burn tiers raise `SLOJourneyErrorBudgetBurn` (label `journey`), in
//! process and from the generated rules, whose
//! `slo:journey_error:ratio_rate<window>` is built from the steps' recorded
//! error ratios by the same product rule.
//!
//! # Alert transitions
//!
//! While anyone subscribes ([`alerts`](crate::alerts)), each tick evaluates
//! every SLO's four tiers and its budget (the evaluation `/slo` shows) and
//! delivers each change: a tier firing or resolved, the budget exhausted
//! (remaining ≤ 0) or recovered, with both windows' burn rates, the budget
//! and the time. Every subscriber has a bounded queue of its own; one that
//! falls behind loses transitions (counted) and can read what fires now.
//! The `slo-alertmanager` crate posts them to Alertmanager's API v2 with
//! the labels of the generated rules' `ALERTS` series (`alertname`
//! `SLOErrorBudgetBurn` or `SLOErrorBudgetExhausted`, `slo`, `severity`,
//! `sloth_severity`, `long_window`, `short_window`, `sloth_id`,
//! `sloth_service`, `sloth_slo`) plus static labels; firing alerts are
//! re-sent every interval with `endsAt` four intervals ahead, a
//! resolution once with `endsAt` = now.
//!
//! # Spec file
//!
//! ```yaml
//! service: shop
//! slos:
//!   - name: checkout-availability      # [A-Za-z0-9_.-], 1..=128 chars
//!     description: Checkouts succeed   # optional
//!     objective: 0.999                 # a ratio in (0, 1); "99.9%" also accepted
//!     period: 30d                      # rolling; default 30d
//!     sli: availability                # or: {latency: {threshold: 250ms}}; both take bad, excluded, grpc_bad
//!     match:
//!       routes: ["POST /checkout", "/cart/{id}"]   # "[METHOD ]template"; omitted = every request
//!       exclude: ["GET /cart/health"]              # requests matching these are no event of this SLO
//!     alerting:
//!       min_events: 10                 # optional
//! policy:                              # optional: see release decisions
//!   release: {healthy: {high: approve}}
//! ```
//!
//! The same model is built in code with [`Spec::builder`](crate::Spec::builder);
//! both paths share one validator. It refuses, naming the field (and, for a
//! file, its line and column): an objective outside (0, 1), empty or
//! duplicate names, zero or negative durations, a latency threshold of 0, a
//! period under 1d (its scaled windows would fall below the sampling
//! resolution), and malformed route rules. It warns where a tier can never
//! fire (an objective below about 93%, where `14.4 × (1 − objective) > 1`).
//!
//! Durations are written as Prometheus writes them: `250ms`, `5m`,
//! `1h30m`, `30d` ([`parse_duration`](crate::parse_duration)).
//!
//! # Route rules
//!
//! A `match.routes` entry is `"[METHOD ]/template"`, the template in axum's
//! syntax. It matches a request whose method equals the rule's (any method
//! when the rule has none) and whose route is the same template or a path
//! the template covers: `{name}` stands for one non-empty segment, a final
//! `{*name}` for the rest of the path. See [`RouteRule`](crate::RouteRule).
//!
//! # Series
//!
//! Every exporter writes the same series (Prometheus names, OpenTelemetry
//! names in brackets):
//!
//! | name | type | labels | meaning |
//! |---|---|---|---|
//! | `slo_events_total` (`slo.events`) | counter | `slo`, `outcome` = `good` or `bad` | classified events |
//! | `slo_excluded_events_total` (`slo.events.excluded`) | counter | `slo`, `reason` | events left out of the SLI |
//! | `slo_bad_events_total` (`slo.events.bad`) | counter | `slo`, `reason` | bad events by [reason](#bad-reasons), every reason for every SLO; read with the events in one pass, so they sum to `outcome="bad"` exactly |
//! | `slo_latency_seconds` (`slo.latency`, unit s) | histogram | `slo` | latency SLIs only; every threshold is a bucket boundary |
//! | `slo_objective_ratio` (`slo.objective`) | gauge | `slo` | the target |
//! | `slo_period_seconds` (`slo.period`) | gauge | `slo` | the period |
//! | `slo_burn_rate` (`slo.burn_rate`) | gauge | `slo`, `window` | live, computed in-process |
//! | `slo_error_budget_remaining_ratio` (`slo.error_budget.remaining`) | gauge | `slo` | live, over the period |
//! | `slo_alert_firing` (`slo.alert.firing`) | gauge 0/1 | `slo`, `severity`, `long_window`, `short_window` | live |
//! | `slo_window_coverage_ratio` (`slo.window.coverage`) | gauge | `slo` | how much of the period this process has seen |
//! | `slo_budget_alert_firing` (`slo.budget_alert.firing`) | gauge 0/1 | `slo`, `condition`, `severity` | live; only for SLOs with budget alerts |
//!
//! Label values come from the definitions only: never a raw path, never
//! user input, so a hostile client cannot create series.
//!
//! # The status document
//!
//! [`ServiceStatus`](crate::ServiceStatus) serializes to the JSON that
//! `GET /slo` answers (fields in this order; readers must ignore fields
//! they do not know):
//!
//! ```json
//! {"service": "shop", "now": "2026-11-27T12:00:00Z", "uptime_seconds": 1234.5,
//!  "slos": [{
//!    "name": "checkout-availability", "description": null,
//!    "sli": {"kind": "availability"},
//!    "objective": 0.999, "period_seconds": 2592000, "coverage_ratio": 0.0005,
//!    "events": {"good": 1200, "bad": 3, "total": 1203},
//!    "sli_value": 0.99751,
//!    "error_budget": {"remaining_ratio": -1.49, "consumed_ratio": 2.49, "exhaustion_seconds": null},
//!    "burn_rates": {"5m": 0.0, "30m": 2.49, "1h": 2.49, "2h": 2.49, "6h": 2.49, "1d": 2.49, "3d": 2.49, "30d": 2.49},
//!    "alerts": [{"severity": "page", "long_window": "1h", "short_window": "5m",
//!                "burn_rate_threshold": 14.4, "firing": false}],
//!    "status": "exhausted"}]}
//! ```
//!
//! A latency SLI reads `{"kind": "latency", "threshold_seconds": 0.25}`, a
//! quality SLI `{"kind": "quality"}`. Each SLO also carries
//! `"bad_reasons": {"server_error": 2, "slow": 1}` after `events`: the
//! period's bad events by [reason](#bad-reasons), those with any.
//! The top level also carries `"history": {"sources": ["state_file"],
//! "since": "2026-11-20T10:00:00Z"}`: what filled the windows besides this
//! process (empty when nothing did) and the earliest instant they hold.
//! Every SLO and the top level carry `"release": {"low": "approve",
//! "medium": "approve", "high": "review"}` ([release
//! decisions](#release-decisions)).
//!
//! # Replay
//!
//! [`replay`](crate::replay) runs recorded traffic through the real engine
//! on a manual clock. Its input is JSON Lines, `t` in seconds from any
//! epoch, in time order (equal times are fine; an earlier one is an error
//! naming its line):
//!
//! ```json
//! {"t": 12.5, "method": "POST", "route": "/checkout", "status": 503, "latency_ms": 80.1}
//! {"t": 12.5, "slo": "checkout-availability", "good": false}
//! ```
//!
//! The first form is a request, classified through the spec's `match` and
//! SLI exactly as the middleware would (`"degraded": true` marks it
//! [`Degraded`](crate::Degraded), for quality SLIs; a failed status's
//! reason is `server_error` or `status`, a slow one's `slow`); the second
//! an event for one SLO (a bad one's reason is `error`).
//! The output is one line per SLO at every `t = k × every` (k a whole
//! number) with first event < t ≤ last event: that SLO's status object plus
//! `"t"`. Lines are exact for every window whose sample spacing divides
//! `every`, otherwise within one spacing.
//!
//! # Fleet-wide rules
//!
//! In-process numbers are per instance. The Prometheus rules generated from
//! the same spec (the `slo-prometheus` crate) evaluate the same SLOs over a
//! fleet: recording rules in Sloth's names and labels
//! (`slo:sli_error:ratio_rate5m` … with `sloth_id`, `sloth_service`,
//! `sloth_slo`, `sloth_window`), error ratios weighted by events across
//! instances (`sum(increase(bad)) / sum(increase(total))`, never an average
//! of ratios), and one `SLOErrorBudgetBurn` alert per tier with the labels
//! `slo`, `severity`, `sloth_severity`, `long_window` and `short_window`.
