#[slo::measure("checkout", good_if = |order: &Result<u32, String>| order.as_ref().map(|n| *n))]
fn checkout() -> Result<u32, String> {
    Ok(1)
}

fn main() {}
