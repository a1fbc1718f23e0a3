struct Export {
    written: u64,
    dropped: u64,
}

#[slo::measure("export-completeness", batch = |e: &Export| (e.written, e.dropped), good_if = |e: &Export| e.dropped == 0)]
fn export() -> Export {
    Export { written: 1, dropped: 0 }
}

fn main() {
    let _ = export();
}
