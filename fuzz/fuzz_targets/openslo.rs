//! OpenSLO import (`slo openslo --import`, `from_openslo`): any text gives
//! a spec or a typed error; what imports is a spec that validates, writes
//! out as a spec file that reads back the same (`to_yaml`), and exports as
//! OpenSLO that imports back as the same SLOs; reading holds memory within
//! a bound of the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use slo_core::Spec;
use slo_fleet::openslo::{from_openslo, to_openslo};

#[path = "../common/alloc.rs"]
mod alloc;

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (read, peak) = alloc::peak_during(|| from_openslo(text));
    alloc::assert_bounded("from_openslo", text.len(), peak, 1 << 20, 1024);
    let import = match read {
        Ok(import) => import,
        Err(error) => {
            assert!(!error.to_string().is_empty(), "{error:?}");
            return;
        }
    };
    let spec = import.spec;
    let yaml = spec.to_yaml();
    let again = Spec::from_yaml(&yaml)
        .unwrap_or_else(|e| panic!("an imported spec does not read back: {e}\n{yaml}"));
    assert_eq!(again.slos(), spec.slos(), "{yaml}");
    assert_eq!(again.journeys(), spec.journeys(), "{yaml}");
    let exported = to_openslo(&spec);
    let back = from_openslo(&exported)
        .unwrap_or_else(|e| panic!("our own OpenSLO does not import: {e}\n{exported}"));
    assert_eq!(back.spec.service(), spec.service(), "{exported}");
    assert_eq!(back.spec.slos(), spec.slos(), "{exported}");
    assert_eq!(back.spec.journeys(), spec.journeys(), "{exported}");
});
