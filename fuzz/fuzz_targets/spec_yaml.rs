//! Spec files (`Spec::from_yaml`: YAML, then validation): any text gives a
//! spec or a non-empty list of typed errors, each with a message; a spec
//! that validates writes itself out (`to_yaml`) as a file that reads back
//! as the same spec and writes out the same again; and reading never
//! holds more memory than a bound proportional to the text (no alias
//! bomb).
#![no_main]

use libfuzzer_sys::fuzz_target;
use slo_core::Spec;

#[path = "../common/alloc.rs"]
mod alloc;

#[global_allocator]
static COUNTING: alloc::Counting = alloc::Counting;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (read, peak) = alloc::peak_during(|| Spec::from_yaml(text));
    alloc::assert_bounded("Spec::from_yaml", text.len(), peak, 1 << 20, 512);
    match read {
        Ok(spec) => {
            let yaml = spec.to_yaml();
            let again = Spec::from_yaml(&yaml).unwrap_or_else(|e| {
                panic!("to_yaml wrote a spec that does not read back: {e}\n{yaml}")
            });
            assert_eq!(again.service(), spec.service(), "{yaml}");
            assert_eq!(again.slos(), spec.slos(), "{yaml}");
            assert_eq!(again.journeys(), spec.journeys(), "{yaml}");
            assert_eq!(again.owner(), spec.owner(), "{yaml}");
            assert_eq!(again.release_policy(), spec.release_policy(), "{yaml}");
            assert_eq!(again.to_yaml(), yaml);
        }
        Err(errors) => {
            assert!(
                errors.iter().next().is_some(),
                "an empty error list for {text:?}"
            );
            for error in errors.iter() {
                assert!(!error.to_string().is_empty(), "{error:?}");
            }
        }
    }
});
