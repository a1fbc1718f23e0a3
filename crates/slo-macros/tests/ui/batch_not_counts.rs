struct Export {
    written: u64,
}

#[slo::measure("export-completeness", batch = |e: &Export| e.written)]
fn export() -> Export {
    Export { written: 1 }
}

fn main() {
    let _ = export();
}
