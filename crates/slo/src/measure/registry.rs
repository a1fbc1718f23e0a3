//! Which registry `#[slo::measure]` records into: one installed for the
//! whole process, or one scoped to a closure or a future (tests run side by
//! side, each with its own).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use slo_core::Registry;

static GLOBAL: OnceLock<Registry> = OnceLock::new();

thread_local! {
    /// Registries scoped on this thread, innermost last.
    static SCOPED: RefCell<Vec<Registry>> = const { RefCell::new(Vec::new()) };
    /// How many: the one thing every measured call reads (a plain cell,
    /// cheaper than borrowing the list).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// A global registry was already installed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a global SLO registry is already installed; use `slo::measure::with_registry` to scope another"
)]
pub struct AlreadyInstalled;

/// Installs the registry every `#[slo::measure]` records into, unless a
/// scoped one ([`with_registry`], [`Scoped`]) is active. Once per process:
/// a second call is refused (and the first registry stays).
///
/// ```
/// use slo::{Registry, Spec};
/// let spec = Spec::from_yaml("service: jobs\nslos:\n  - name: sync\n    objective: 0.99\n")?;
/// slo::measure::install(Registry::new(spec))?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn install(registry: Registry) -> Result<(), AlreadyInstalled> {
    GLOBAL.set(registry).map_err(|_| AlreadyInstalled)
}

/// The global registry, when one is installed.
pub fn global() -> Option<&'static Registry> {
    GLOBAL.get()
}

/// Runs `f` with `registry` as the one `#[slo::measure]` records into on
/// this thread (nesting: the innermost wins), whatever is installed
/// globally. For async code use [`Scoped`] (`registry.scoped(future)`), which
/// scopes every poll.
pub fn with_registry<R>(registry: &Registry, f: impl FnOnce() -> R) -> R {
    struct Pop;
    impl Drop for Pop {
        fn drop(&mut self) {
            SCOPED.with(|scoped| {
                scoped.borrow_mut().pop();
            });
            DEPTH.with(|depth| depth.set(depth.get() - 1));
        }
    }
    SCOPED.with(|scoped| scoped.borrow_mut().push(registry.clone()));
    DEPTH.with(|depth| depth.set(depth.get() + 1));
    let _pop = Pop;
    f()
}

/// The innermost registry scoped on this thread, if any.
pub(crate) fn scoped() -> Option<Registry> {
    SCOPED.with(|scoped| scoped.borrow().last().cloned())
}

/// Whether any registry is scoped on this thread (the fast check).
#[inline]
pub(crate) fn any_scoped() -> bool {
    DEPTH.with(|depth| depth.get() != 0)
}

pin_project_lite::pin_project! {
    /// A future that records into its own registry: every poll runs inside
    /// [`with_registry`]. Made by [`ScopeExt::scoped`].
    #[must_use = "futures do nothing unless polled"]
    pub struct Scoped<F> {
        registry: Registry,
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let registry: &Registry = this.registry;
        let future = this.future;
        with_registry(registry, || future.poll(cx))
    }
}

/// `future.scoped(registry)`: see [`Scoped`].
pub trait ScopeExt: Future + Sized {
    /// Polls this future with `registry` scoped, so that the measured
    /// functions it calls record there, on whichever thread it runs.
    fn scoped(self, registry: Registry) -> Scoped<Self> {
        Scoped {
            registry,
            future: self,
        }
    }
}

impl<F: Future> ScopeExt for F {}
