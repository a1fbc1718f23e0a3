#![doc = include_str!("../README.md")]
mod args;
mod expand;

use proc_macro::TokenStream;

/// Measures every call of a function or method into the named SLOs.
///
/// ```
/// # struct Cart;
/// # struct Order;
/// # #[derive(Debug)]
/// # struct CheckoutError;
/// # struct Report { rejected: u32 }
/// # struct Batch;
/// #[slo::measure("checkout-availability", "checkout-latency")]
/// async fn checkout(cart: Cart) -> Result<Order, CheckoutError> {
///     Ok(Order)
/// }
///
/// #[slo::measure("import-completeness", good_if = |r: &Report| r.rejected == 0)]
/// fn import(batch: &Batch) -> Report {
///     Report { rejected: 0 }
/// }
/// # assert_eq!(import(&Batch).rejected, 0); // no registry: not recorded
///
/// # struct Export { written: u64, dropped: u64 }
/// // One call, many events: the records an export wrote and dropped.
/// #[slo::measure("export-completeness", batch = |e: &Export| (e.written, e.dropped))]
/// fn export() -> Export {
///     Export { written: 9_995, dropped: 5 }
/// }
/// # assert_eq!(export().written, 9_995);
/// ```
///
/// - `Err` of any `Result` is bad, any other return is good; `good_if =
///   <predicate on &ReturnType>` decides instead.
/// - `batch = <function of &ReturnType to (good, bad)>` records a batch
///   instead of one event: one add per count, whatever the counts, bad
///   events with reason `error`. A `Result` says what a failed call
///   counts: `|r: &Result<Export, E>| r.as_ref().map_or((0, 1), |e| (e.written, e.dropped))`.
/// - A panic is bad (and keeps unwinding).
/// - For latency SLIs the call is timed; it is good when good and within
///   the threshold.
/// - An `async fn` whose future is dropped before it completes follows the
///   cancellation rule: bad for a latency SLI whose threshold had passed,
///   otherwise excluded.
/// - Methods in `impl` blocks, trait methods with a body, native `async fn`
///   in traits, and `#[async_trait]` methods (the boxed future is measured
///   to its end, not its creation).
///
/// The SLO handles are resolved once per call site from the registry the
/// application installed (`slo::measure::install`) or scoped
/// (`slo::measure::with_registry`); with none, the call is not measured.
#[proc_macro_attribute]
pub fn measure(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = match syn::parse::<args::MeasureArgs>(args) {
        Ok(args) => args,
        Err(error) => return error.to_compile_error().into(),
    };
    match expand::expand(args, item.into()) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}
