#[slo::measure("checkout", good_if = |_| true, good_if = |_| false)]
fn checkout() {}

fn main() {}
