#[slo::measure("checkout availability")]
fn checkout() {}

fn main() {}
