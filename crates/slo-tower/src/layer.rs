//! [`SloLayer`] and its builder: which SLOs, which routes, which classifier.

use slo_core::{Registry, RouteRule, RouteRuleError};
use tower_layer::Layer;

use crate::classify::{HttpOrGrpc, ResponseClassifier};
use crate::routes::{RouteTable, TableSlo};
use crate::service::SloService;
use crate::trace::TraceIds;
use slo_core::recent::TraceId;

/// A bad layer configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LayerError {
    /// The builder named an SLO the registry does not define.
    #[error("no SLO named {0:?} in the registry")]
    UnknownSlo(String),
    /// A route rule did not parse.
    #[error("route {rule:?} for SLO {slo:?}: {reason}")]
    BadRoute {
        /// The SLO the rule was for.
        slo: String,
        /// The rule as given.
        rule: String,
        /// What is wrong with it.
        #[source]
        reason: RouteRuleError,
    },
}

/// Counts requests toward the SLOs of a [`Registry`], by route.
///
/// Each SLO counts the requests its spec's `match.routes` cover (every
/// request when it has none); [`SloLayer::builder`] can change that.
/// Handles are resolved here, once: per request the layer matches the
/// route, records one event per matching SLO when the response ends, and
/// allocates nothing, except one small allocation for a request that
/// carries a trace while its SLOs keep bad events (see
/// [`SloLayerBuilder::trace_id`]) or that matches more than its state
/// holds inline (an SLO past the layer's 64th, or past the fourth whose
/// rules have different templates). What counts as a failure, and what
/// happens when the client goes away, is in [`slo_core::semantics`].
///
/// **Each layer keeps its route table for the life of the process.**
/// [`SloLayer::new`] and [`SloLayerBuilder::build`] leak one table (a few
/// hundred bytes, plus the rules) and keep the registry's handles alive
/// with it, so that requests in flight on every thread can share it
/// without a reference count, which would be one contended cache line per
/// request. Build a layer once at startup and clone it (clones share the
/// table); do not build one per connection or per request.
///
/// Where to put it, cheapest first (costs per request over the bare
/// router, measured on a 2-vCPU VM; the crate's README has the table):
/// - around a whole router or service you serve yourself,
///   `layer.layer(service)` (hyper, tonic's `Server::builder().layer(..)`,
///   or an axum `Router` driven by hand): rules are matched against the
///   path;
/// - around an axum router served by `axum::serve`:
///   [`axum::around`](crate::axum::around) (feature `axum`), the same plus
///   one allocation to box the body;
/// - `Router::layer(layer)` after the routes: the route template comes
///   from axum's `MatchedPath`, and axum's own per-route layering makes
///   it two to three times as dear.
///
/// ```
/// use slo_core::{Registry, Spec};
/// use slo_tower::SloLayer;
/// let spec = Spec::from_yaml(r#"
/// service: shop
/// slos:
///   - name: checkout-availability
///     objective: 99.9%
///     match: {routes: ["POST /checkout"]}
/// "#)?;
/// let registry = Registry::new(spec);
/// let layer = SloLayer::new(&registry);
/// # let _ = layer;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SloLayer<C = HttpOrGrpc> {
    table: &'static RouteTable,
    classifier: C,
}

impl SloLayer {
    /// A layer for every SLO of `registry`, routed by the spec's `match`.
    /// Its route table lives as long as the process (see [`SloLayer`]).
    pub fn new(registry: &Registry) -> SloLayer {
        SloLayer {
            table: RouteTable::leak(RouteTable::new(
                registry,
                registry
                    .handles()
                    .map(|(definition, handle)| TableSlo::of(definition, handle))
                    .collect(),
                TraceIds::default(),
            )),
            classifier: HttpOrGrpc,
        }
    }

    /// Configures a layer; starts from the spec's `match` rules.
    pub fn builder(registry: &Registry) -> SloLayerBuilder {
        SloLayerBuilder {
            registry: registry.clone(),
            overrides: Vec::new(),
            only: None,
            classifier: HttpOrGrpc,
            trace_ids: None,
        }
    }
}

impl<C> SloLayer<C> {
    /// Requests that matched no SLO, whatever their path: one bounded bucket.
    pub fn unmatched_requests(&self) -> u64 {
        self.table.unmatched()
    }
}

impl<C> std::fmt::Debug for SloLayer<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SloLayer")
            .field("slos", &self.table.handles.len())
            .finish_non_exhaustive()
    }
}

impl<S, C: Clone> Layer<S> for SloLayer<C> {
    type Service = SloService<S, C>;

    fn layer(&self, inner: S) -> Self::Service {
        SloService::new(inner, self.table, self.classifier.clone())
    }
}

/// Builds an [`SloLayer`]; see [`SloLayer::builder`].
#[must_use]
pub struct SloLayerBuilder<C = HttpOrGrpc> {
    registry: Registry,
    overrides: Vec<(String, Option<Vec<String>>)>,
    only: Option<Vec<String>>,
    classifier: C,
    trace_ids: Option<TraceIds>,
}

impl<C: ResponseClassifier> SloLayerBuilder<C> {
    /// Reads a request's trace id for its SLOs' recent bad events with
    /// `read` (from the request's headers and extensions), replacing the
    /// default: a valid W3C `traceparent` header, and with feature `otel`
    /// first the span of an OpenTelemetry `Context` in the extensions or of
    /// the current context (`Context::current`; with `tracing-opentelemetry`,
    /// whose spans keep their context in `tracing`, give
    /// `slo_otel::trace_id_of(&tracing::Span::current().context())` here
    /// instead). It runs on every request
    /// the layer counts while any of its SLOs keeps bad events, so it
    /// should be as cheap: no allocation, no lock.
    ///
    /// A request that has a trace keeps it until it ends in one small
    /// allocation (a request without one allocates nothing): the state of
    /// every request in flight stays five words, which each of them moves
    /// with its response. The default reader keeps a `traceparent`
    /// header's bytes there as they came, and parses them only for a bad
    /// event.
    ///
    /// ```
    /// use slo_core::recent::TraceId;
    /// # use slo_core::{Registry, Spec};
    /// # let registry = Registry::new(Spec::from_yaml("service: s\nslos:\n  - name: a\n    objective: 99%\n")?);
    /// // A gateway that forwards the trace id in a header of its own.
    /// let layer = slo_tower::SloLayer::builder(&registry)
    ///     .trace_id(|headers, _| {
    ///         let hex = headers.get("x-trace-id")?.to_str().ok()?;
    ///         let id = u128::from_str_radix(hex, 16).ok()?;
    ///         TraceId::from_bytes(id.to_be_bytes())
    ///     })
    ///     .build()?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn trace_id(
        mut self,
        read: impl Fn(&http::HeaderMap, &http::Extensions) -> Option<TraceId> + Send + Sync + 'static,
    ) -> Self {
        self.trace_ids = Some(TraceIds::Custom(Box::new(read)));
        self
    }

    /// The routes `slo` counts, replacing its spec's `match`: rules such as
    /// `"POST /checkout"` or `"/cart/{id}"`.
    pub fn routes<I, R>(mut self, slo: &str, rules: I) -> Self
    where
        I: IntoIterator<Item = R>,
        R: Into<String>,
    {
        let rules = rules.into_iter().map(Into::into).collect();
        self.overrides.push((slo.to_owned(), Some(rules)));
        self
    }

    /// `slo` counts every request, whatever its spec's `match` says.
    pub fn every_request(mut self, slo: &str) -> Self {
        self.overrides.push((slo.to_owned(), None));
        self
    }

    /// Only these SLOs (say, for a layer on one sub-router); default all.
    pub fn only<I, R>(mut self, slos: I) -> Self
    where
        I: IntoIterator<Item = R>,
        R: Into<String>,
    {
        self.only = Some(slos.into_iter().map(Into::into).collect());
        self
    }

    /// Replaces the classifier (default [`HttpOrGrpc`]).
    pub fn classifier<D: ResponseClassifier>(self, classifier: D) -> SloLayerBuilder<D> {
        SloLayerBuilder {
            registry: self.registry,
            overrides: self.overrides,
            only: self.only,
            classifier,
            trace_ids: self.trace_ids,
        }
    }

    /// Checks the SLO names and rules and resolves the handles. The route
    /// table lives as long as the process (see [`SloLayer`]).
    pub fn build(self) -> Result<SloLayer<C>, LayerError> {
        let known = |name: &str| self.registry.handles().any(|(d, _)| d.name() == name);
        for name in self
            .overrides
            .iter()
            .map(|(name, _)| name)
            .chain(self.only.iter().flatten())
        {
            if !known(name) {
                return Err(LayerError::UnknownSlo(name.clone()));
            }
        }
        let mut entries = Vec::new();
        for (definition, handle) in self.registry.handles() {
            let name = definition.name();
            if self
                .only
                .as_ref()
                .is_some_and(|only| !only.iter().any(|n| n == name))
            {
                continue;
            }
            let rules = match self.overrides.iter().rev().find(|(n, _)| n == name) {
                None => definition.routes().map(<[RouteRule]>::to_vec),
                Some((_, None)) => None,
                Some((_, Some(rules))) => Some(
                    rules
                        .iter()
                        .map(|rule| {
                            rule.parse::<RouteRule>()
                                .map_err(|reason| LayerError::BadRoute {
                                    slo: name.to_owned(),
                                    rule: rule.clone(),
                                    reason,
                                })
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            };
            entries.push(TableSlo {
                routes: rules,
                ..TableSlo::of(definition, handle)
            });
        }
        Ok(SloLayer {
            table: RouteTable::leak(RouteTable::new(
                &self.registry,
                entries,
                self.trace_ids.unwrap_or_default(),
            )),
            classifier: self.classifier,
        })
    }
}
