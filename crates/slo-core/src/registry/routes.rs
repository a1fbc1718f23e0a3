//! Route templates named by recent bad events: a registry gives each
//! template a small id once, when a layer is set up, so that a bad event
//! carries two bytes instead of a string.

use super::Registry;
use crate::recent::{MAX_ROUTES, RouteId};
use crate::sync::lock;

impl Registry {
    /// The id under which a recent bad event names the route template
    /// `template` (what a layer's rule matched; never a raw path): the same
    /// id for the same template. `None` once [`MAX_ROUTES`] distinct
    /// templates have been named. Meant for setting up a layer, not for
    /// each request: it takes a lock.
    pub fn route_id(&self, template: &str) -> Option<RouteId> {
        let mut routes = lock(&self.inner.routes);
        if let Some(i) = routes.iter().position(|r| &**r == template) {
            return Some(RouteId(i as u16));
        }
        if routes.len() >= MAX_ROUTES {
            return None;
        }
        routes.push(template.into());
        Some(RouteId((routes.len() - 1) as u16))
    }

    /// The template of a route id.
    pub(super) fn route_template(&self, id: RouteId) -> Option<String> {
        lock(&self.inner.routes)
            .get(usize::from(id.0))
            .map(|r| r.to_string())
    }
}
