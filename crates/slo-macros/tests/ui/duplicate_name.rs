#[slo::measure("checkout", "search", "checkout")]
fn checkout() {}

fn main() {}
