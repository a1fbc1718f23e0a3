trait Checkout {
    #[slo::measure("checkout")]
    fn checkout(&self) -> Result<(), String>;
}

fn main() {}
