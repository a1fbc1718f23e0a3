#[slo::measure("checkout")]
const fn checkout() -> u32 {
    1
}

fn main() {}
