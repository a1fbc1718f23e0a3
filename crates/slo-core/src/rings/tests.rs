//! The rings' sample encoding and tick scheduling.

use super::*;

/// Samples keep 48 bits of each count; the full counts come back
/// exactly wherever they are, across a multiple of 2^48 too.
#[test]
fn samples_read_back_exactly_past_48_bits() {
    // Good crosses a multiple of 2^48 at t = 170 and bad at t = 150,
    // inside the samples the ring holds (t = 137 … 200).
    let crossing = (1u64 << 48) - 7 * 170;
    for base in [0u64, crossing, (3 << 48) - 7 * 170, 5 << 48] {
        // A window of 60 ns: spacing 1 ns, 64 samples.
        let rings = Rings::new(&[60], 64, 0);
        let mut state = TickState {
            at: 0,
            totals: Totals::default(),
        };
        let at = |t: i64| Totals {
            good: base + 7 * t as u64,
            bad: (base & !((1 << 48) - 1)) + (1 << 48) - 5 * 150 + 5 * t as u64,
        };
        for t in 1..=200 {
            state = rings.tick(t, at(t), state, SampleFill::Step);
        }
        // Every sample the ring holds, read where it was taken.
        assert!(at(137).good >> 48 != at(200).good >> 48 || base % (1 << 48) == 0);
        assert_ne!(at(137).bad >> 48, at(200).bad >> 48);
        // Read as whole counts (u64), not through f64, which would
        // hide an error of a few events at these sizes.
        let saved: Vec<Vec<Totals>> = rings.save_each(|_, _, samples| samples.collect());
        for (t, sample) in (137..=200).zip(&saved[0]) {
            assert_eq!(*sample, at(t), "base {base}, t {t}");
        }
        // And the windows read through the engine's f64 path, small.
        for t in 140..200 {
            let point = rings.cumulative_at(200, t, || at(200));
            let back = |x: f64, full: u64| (x - full as f64).abs() <= (full as f64) * 1e-15;
            assert!(back(point.good, at(t).good), "base {base}, t {t}");
            assert!(back(point.bad, at(t).bad), "base {base}, t {t}");
        }
        assert_eq!(saved[0].len(), 64);
        assert_eq!(saved[0][63], at(200));
        assert_eq!(saved[0][0], at(137));
    }
}

/// A tick before the soonest sample is due writes nothing, and the
/// next due time is each ring's next sample time, the soonest of them.
#[test]
fn next_due_is_the_soonest_ring() {
    // Windows of 60 and 600 ns: spacings 1 and 10.
    let rings = Rings::new(&[600, 60], 64, 0);
    assert_eq!(rings.next_sample_at(), 0);
    let state = TickState {
        at: 0,
        totals: Totals::default(),
    };
    let live = Totals { good: 3, bad: 1 };
    let state = rings.tick(25, live, state, SampleFill::Step);
    assert_eq!(rings.next_sample_at(), 26);
    let seq = rings.seq.load(Ordering::Relaxed);
    rings.tick(25, live, state, SampleFill::Step);
    assert_eq!(rings.seq.load(Ordering::Relaxed), seq, "nothing was due");
    let saved: Vec<i64> = rings.save_each(|_, latest, _| latest);
    assert_eq!(saved, [2, 25]);
}
