//! Cumulative event counts rebuilt from per-interval counts at several
//! resolutions: the recent past from the finest, the older past from
//! coarser ones, joined so that the whole is continuous and never goes down.

/// Events per interval at one resolution, counted back from the newest
/// interval's end, `lead` ns before now: `events[i]` fell in
/// `(now − lead − (i+1)·spacing, now − lead − i·spacing]`; `None` where the
/// source had no sample. Nothing is known of the `lead` itself.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Intervals {
    pub spacing: i64,
    pub lead: i64,
    pub events: Vec<Option<f64>>,
}

impl Intervals {
    /// The start of the oldest interval with a sample, as an offset back
    /// from now (ns); `None` when none has one.
    fn oldest(&self) -> Option<i64> {
        let i = self.events.iter().rposition(Option::is_some)?;
        Some(
            (i as i64 + 1)
                .saturating_mul(self.spacing)
                .saturating_add(self.lead),
        )
    }
}

/// Events from a time up to now: `back(t)` for `t` ns before now.
struct Piece {
    spacing: i64,
    lead: i64,
    /// Events in `(now − k·spacing, now]`, for k = 0..=len.
    cumulative: Vec<f64>,
}

impl Piece {
    fn new(intervals: &Intervals) -> Piece {
        let mut cumulative = Vec::with_capacity(intervals.events.len() + 1);
        let mut sum = 0.0;
        cumulative.push(0.0);
        for events in &intervals.events {
            sum += events.filter(|e| e.is_finite() && *e > 0.0).unwrap_or(0.0);
            cumulative.push(sum);
        }
        Piece {
            spacing: intervals.spacing.max(1),
            lead: intervals.lead.max(0),
            cumulative,
        }
    }

    /// How far back (ns) this piece reaches.
    fn span(&self) -> i64 {
        (self.cumulative.len() as i64 - 1)
            .saturating_mul(self.spacing)
            .saturating_add(self.lead)
    }

    /// Events in `(now − back, now]`, linear inside an interval.
    fn back(&self, back: i64) -> f64 {
        let position = (back - self.lead).max(0) as f64 / self.spacing as f64;
        let last = self.cumulative.len() - 1;
        let i = (position.floor() as usize).min(last);
        if i == last {
            return self.cumulative[last];
        }
        let f = position - i as f64;
        self.cumulative[i] + (self.cumulative[i + 1] - self.cumulative[i]) * f
    }
}

/// Events between a time and now, over every resolution given.
pub(crate) struct Curve {
    /// Finest first, each reaching further back than the one before.
    pieces: Vec<Piece>,
}

impl Curve {
    /// A curve over `resolutions` (any order); the finest one covering a
    /// time gives its shape there.
    pub fn new(resolutions: &[&Intervals]) -> Curve {
        let mut pieces: Vec<Piece> = resolutions.iter().map(|r| Piece::new(r)).collect();
        pieces.sort_by_key(|p| (p.spacing, p.span()));
        // A coarser piece that reaches no further back adds nothing.
        let mut kept: Vec<Piece> = Vec::with_capacity(pieces.len());
        for piece in pieces {
            if kept.last().is_none_or(|last| piece.span() > last.span()) {
                kept.push(piece);
            }
        }
        Curve { pieces: kept }
    }

    /// Events in `(now − back, now]`.
    pub fn back(&self, back: i64) -> f64 {
        let mut offset = 0.0;
        let mut boundary = 0;
        for (i, piece) in self.pieces.iter().enumerate() {
            if back <= piece.span() || i + 1 == self.pieces.len() {
                return offset + piece.back(back) - piece.back(boundary);
            }
            offset += piece.back(piece.span()) - piece.back(boundary);
            boundary = piece.span();
        }
        0.0
    }
}

/// How far back (ns) any of `resolutions` has a sample.
pub(crate) fn reach(resolutions: &[&Intervals]) -> Option<i64> {
    resolutions.iter().filter_map(|r| r.oldest()).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steady(spacing: i64, count: usize, per_ns: f64) -> Intervals {
        Intervals {
            spacing,
            lead: 0,
            events: vec![Some(per_ns * spacing as f64); count],
        }
    }

    #[test]
    fn a_steady_rate_reads_the_same_at_every_resolution() {
        let fine = steady(10, 64, 0.5);
        let coarse = steady(100, 64, 0.5);
        let curve = Curve::new(&[&coarse, &fine]);
        for back in [0, 5, 10, 333, 640, 641, 1000, 6400] {
            assert!(
                (curve.back(back) - 0.5 * back as f64).abs() < 1e-9,
                "{back}"
            );
        }
        // Beyond the coarsest reach, nothing more.
        assert!((curve.back(10_000) - 3200.0).abs() < 1e-9);
        assert_eq!(reach(&[&fine, &coarse]), Some(6400));
    }

    #[test]
    fn resolutions_are_joined_without_a_jump() {
        // The fine one saw more in its span than the coarse one says.
        let fine = steady(10, 64, 1.0);
        let coarse = steady(100, 64, 0.5);
        let curve = Curve::new(&[&fine, &coarse]);
        let at_join = curve.back(640);
        assert!((at_join - 640.0).abs() < 1e-9);
        assert!((curve.back(641) - at_join - 0.5).abs() < 1e-9);
        let mut previous = 0.0;
        for back in (0..7000).step_by(7) {
            let now = curve.back(back);
            assert!(now >= previous - 1e-9);
            previous = now;
        }
    }

    #[test]
    fn the_lead_before_the_newest_interval_counts_nothing() {
        let mut intervals = steady(10, 4, 1.0);
        intervals.lead = 7;
        let curve = Curve::new(&[&intervals]);
        assert_eq!(curve.back(7), 0.0);
        assert!((curve.back(12) - 5.0).abs() < 1e-9);
        assert!((curve.back(47) - 40.0).abs() < 1e-9);
        assert_eq!(reach(&[&intervals]), Some(47));
    }

    #[test]
    fn missing_and_hostile_values_count_nothing() {
        let intervals = Intervals {
            spacing: 10,
            lead: 0,
            events: vec![
                Some(5.0),
                None,
                Some(f64::NAN),
                Some(-3.0),
                Some(f64::INFINITY),
                Some(1.0),
                None,
            ],
        };
        let curve = Curve::new(&[&intervals]);
        assert_eq!(curve.back(70), 6.0);
        assert_eq!(reach(&[&intervals]), Some(60));
        assert_eq!(Curve::new(&[]).back(5), 0.0);
    }
}
