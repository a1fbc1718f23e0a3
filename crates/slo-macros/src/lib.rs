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
/// ```
///
/// - `Err` of any `Result` is bad, any other return is good; `good_if =
///   <predicate on &ReturnType>` decides instead.
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
