#[slo::measure("checkout", bad_if = |r: &Result<(), ()>| r.is_err())]
fn checkout() -> Result<(), ()> {
    Ok(())
}

fn main() {}
