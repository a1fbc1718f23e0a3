//! The demo's windows survive `kill -9`: totals are exact after a restart,
//! and a process killed in the middle of its writes never leaves a state
//! file that fails to load.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Peer, get, listening, request};
use slo::state::StateFile;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shop-demo-state-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn start(state: &Path, every: &str) -> (Peer, String) {
    let demo = common::demo(&[
        "--no-load",
        "--state-file",
        state.to_str().unwrap(),
        "--state-every",
        every,
    ]);
    let addr = listening(&demo);
    (demo, addr)
}

/// (good, bad, total) of an SLO on `/slo`, and the history it reports.
fn events(addr: &str, name: &str) -> ((u64, u64, u64), serde_json::Value) {
    let json: serde_json::Value = serde_json::from_str(&get(addr, "/slo")).unwrap();
    let slo = json["slos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .cloned()
        .unwrap();
    let e = &slo["events"];
    let count = |k: &str| e[k].as_u64().unwrap();
    (
        (count("good"), count("bad"), count("total")),
        json["history"].clone(),
    )
}

fn send(addr: &str, checkouts: usize, carts: usize) {
    for _ in 0..checkouts {
        assert_eq!(request(addr, "POST", "/checkout").0, 201);
    }
    for i in 0..carts {
        assert_eq!(request(addr, "GET", &format!("/cart/{}", i + 1)).0, 200);
    }
}

fn kill_9(mut demo: Peer) {
    demo.child.kill().unwrap(); // SIGKILL: no shutdown, no last write
    demo.child.wait().unwrap();
}

#[test]
fn totals_are_exact_across_kill_9() {
    let dir = temp_dir("kill");
    let state = dir.join("shop.slo-state");
    let (demo, addr) = start(&state, "200ms");
    send(&addr, 40, 17);
    assert_eq!(events(&addr, "checkout-availability").0, (40, 0, 40));
    // One interval for the writer, and then some.
    std::thread::sleep(Duration::from_millis(700));
    kill_9(demo);

    let (demo, addr) = start(&state, "200ms");
    let (checkout, history) = events(&addr, "checkout-availability");
    assert_eq!(checkout, (40, 0, 40));
    assert_eq!(events(&addr, "cart-availability").0, (17, 0, 17));
    assert_eq!(
        history["sources"],
        serde_json::json!(["state_file"]),
        "{history}"
    );
    send(&addr, 5, 3);
    assert_eq!(events(&addr, "checkout-availability").0, (45, 0, 45));
    assert_eq!(events(&addr, "cart-availability").0, (20, 0, 20));
    std::thread::sleep(Duration::from_millis(700));
    kill_9(demo);

    let (_demo, addr) = start(&state, "200ms");
    assert_eq!(events(&addr, "checkout-availability").0, (45, 0, 45));
    assert_eq!(events(&addr, "cart-availability").0, (20, 0, 20));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn killing_it_in_the_middle_of_writes_never_leaves_a_bad_file() {
    let dir = temp_dir("torn");
    let state = dir.join("shop.slo-state");
    let file = StateFile::new(&state);
    let mut seed = 0x9e37_79b9_u64;
    for round in 0..50 {
        let (demo, addr) = start(&state, "10ms");
        send(&addr, 1, 0);
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        std::thread::sleep(Duration::from_millis(seed >> 58)); // 0–63 ms
        kill_9(demo);
        match file.read() {
            Ok(Some(_)) => {}
            other => panic!("round {round}: the state file did not load: {other:?}"),
        }
    }
    // Every round's checkout that a write caught is still counted.
    let (_demo, addr) = start(&state, "10ms");
    let (checkout, _) = events(&addr, "checkout-availability");
    assert!(checkout.0 <= 50 && checkout.0 >= 1, "{checkout:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
