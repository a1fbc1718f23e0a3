#[slo::measure(checkout_availability)]
fn checkout() {}

fn main() {}
