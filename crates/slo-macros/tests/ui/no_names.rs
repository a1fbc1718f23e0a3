#[slo::measure]
fn sync_orders() {}

fn main() {}
