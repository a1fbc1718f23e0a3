//! SLO names made from outside text (`slo init --route`, a route label
//! `slo suggest` reads): each line of the input is a route, named in turn
//! with a suffix the first byte picks. Every name made is one the spec
//! accepts (a spec built with it validates), unique among those made, and
//! bounded in length; anything else is a refusal with a message.
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use slo_core::spec::SloNamer;
use slo_core::{SloDefinition, Spec};

const SUFFIXES: [&str; 5] = ["availability", "latency", "freshness", "x", "a b"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut namer = SloNamer::new();
    let mut made = HashSet::new();
    for (i, route) in text.split('\n').take(64).enumerate() {
        let suffix = SUFFIXES[(pick as usize + i) % SUFFIXES.len()];
        match namer.name(route, suffix) {
            Ok(name) => {
                assert!(name.len() <= 128, "{name:?}");
                assert!(name.ends_with(suffix) || name.contains(&format!("{suffix}-")));
                assert!(made.insert(name.clone()), "{name:?} made twice");
                Spec::builder("s")
                    .slo(SloDefinition::builder(&name).objective(0.99))
                    .build()
                    .unwrap_or_else(|e| panic!("{route:?} gave {name:?}, which the spec refuses: {e}"));
            }
            Err(error) => assert!(!error.to_string().is_empty(), "{error:?}"),
        }
    }
});
