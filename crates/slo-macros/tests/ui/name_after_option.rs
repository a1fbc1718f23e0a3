#[slo::measure("checkout", good_if = |_| true, "search")]
fn checkout() {}

fn main() {}
