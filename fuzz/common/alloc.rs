//! A counting allocator: the most memory one input made a parser hold at
//! once, so that a target can assert it stays within a bound proportional
//! to the input (an alias bomb in YAML, a length field believed, a buffer
//! grown per byte would each break it). libFuzzer's own limits only catch
//! what exhausts the process.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

/// The bytes allocated and not yet freed, now: a target compares two
/// readings to assert that something held nothing once it was done.
#[allow(dead_code)] // only some targets ask
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Runs `f` and returns what it gave and the most bytes it held at once
/// beyond what was live before it ran.
pub fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(before))
}

/// Asserts that reading `input_len` bytes held at most `fixed` plus
/// `per_byte` bytes for each input byte.
#[track_caller]
pub fn assert_bounded(what: &str, input_len: usize, peak: usize, fixed: usize, per_byte: usize) {
    let bound = fixed + per_byte * input_len;
    assert!(
        peak <= bound,
        "{what}: {peak} bytes held at once for {input_len} bytes of input (bound {bound})"
    );
}
