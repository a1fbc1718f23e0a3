#[slo::measure("checkout")]
struct Checkout;

fn main() {}
