//! What a request matched: the SLOs it counts toward and, for the routes
//! of their bad events, which rules matched them.

use slo_core::recent::TraceId;

use crate::trace::Trace;

/// The SLOs one request counts toward and the rules that matched them.
/// Inline, two words and a half: a bit for each of a layer's first 64 SLOs
/// (a set, so an SLO counts once however many of its rules match), and,
/// for the first four matched SLOs whose rules have different templates
/// (the only SLOs whose bad events' route needs the rule), a nibble each:
/// one more than the place of the SLO's first matching rule among its
/// rules, or 0. What does not fit, rare, goes to [`Spill`] on the heap:
/// SLOs past the 64th, places past 14 or of SLOs past those four, and a
/// trace id.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Matched {
    pub slos: u64,
    pub rules: u16,
    pub spill: Option<Box<Spill>>,
}

/// What a request carries beyond [`Matched`]'s inline bits, allocated
/// only when it has any.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Spill {
    /// SLOs past the 64th.
    pub slos: Vec<u32>,
    /// (SLO, place of its first matching rule) that did not fit
    /// [`Matched::rules`].
    pub rules: Vec<(u32, u32)>,
    /// The request's trace, as read; parsed only for a bad event.
    pub trace: Option<Trace>,
}

impl Matched {
    /// Adds SLO `slo`.
    #[inline]
    pub fn insert(&mut self, slo: u32) {
        if slo < 64 {
            self.slos |= 1 << slo;
        } else {
            self.insert_beyond(slo);
        }
    }

    /// Removes the SLOs among the first 64 whose bits `bits` has, and
    /// those past them that `beyond` names, with any place kept for them.
    #[cold]
    pub fn remove(&mut self, bits: u64, beyond: impl Fn(u32) -> bool) {
        self.slos &= !bits;
        if let Some(spill) = &mut self.spill {
            spill.slos.retain(|slo| !beyond(*slo));
            spill.rules.retain(|(slo, _)| !beyond(*slo));
        }
    }

    #[cold]
    fn insert_beyond(&mut self, slo: u32) {
        let spill = self.spill.get_or_insert_with(Box::default);
        if !spill.slos.contains(&slo) {
            spill.slos.push(slo);
        }
    }

    /// Keeps that the first matching rule of SLO `slo`, the `rank`-th (from
    /// 0) matched SLO in ascending order whose rules have different
    /// templates, is its `ordinal`-th rule.
    #[inline]
    pub fn keep_ordinal(&mut self, rank: usize, slo: u32, ordinal: u32) {
        if rank < 4 && slo < 64 && ordinal < 15 {
            self.rules |= ((ordinal + 1) as u16) << (4 * rank);
        } else {
            self.spill_ordinal(slo, ordinal);
        }
    }

    /// Keeps the place of SLO `slo`'s first matching rule in the spill
    /// (the lowest place, if it has one there already).
    #[cold]
    pub fn spill_ordinal(&mut self, slo: u32, ordinal: u32) {
        let spill = self.spill.get_or_insert_with(Box::default);
        match spill.rules.iter_mut().find(|(s, _)| *s == slo) {
            Some(entry) => entry.1 = entry.1.min(ordinal),
            None => spill.rules.push((slo, ordinal)),
        }
    }

    /// Whether it counts toward SLOs past the 64th (a spill may hold only
    /// places or the trace).
    #[inline]
    pub fn spilled_slos(&self) -> bool {
        self.spill
            .as_ref()
            .is_some_and(|spill| !spill.slos.is_empty())
    }

    /// Whether any place is kept in the spill.
    #[inline]
    pub fn spilled_ordinals(&self) -> bool {
        self.spill
            .as_ref()
            .is_some_and(|spill| !spill.rules.is_empty())
    }

    /// The place among its rules of SLO `slo`'s first matching rule, kept
    /// by [`Matched::keep_ordinal`]; `several_templates` has a bit for each
    /// of the first 64 SLOs whose rules have different templates.
    pub fn ordinal(&self, slo: usize, several_templates: u64) -> Option<u32> {
        if slo < 64 {
            let bit = 1u64 << slo;
            if self.slos & several_templates & bit == 0 {
                return None;
            }
            let rank = (self.slos & several_templates & (bit - 1)).count_ones();
            if rank < 4 {
                let nibble = u32::from(self.rules >> (4 * rank)) & 0xF;
                if nibble != 0 {
                    return Some(nibble - 1);
                }
            }
        }
        let spill = self.spill.as_ref()?;
        let slo = u32::try_from(slo).ok()?;
        spill
            .rules
            .iter()
            .find(|(s, _)| *s == slo)
            .map(|&(_, ordinal)| ordinal)
    }

    /// The request's trace id, when it had a valid one.
    pub fn trace_id(&self) -> Option<TraceId> {
        self.spill.as_ref()?.trace.as_ref()?.id()
    }

    /// Whether it counts toward no SLO.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.slos == 0
            && self
                .spill
                .as_ref()
                .is_none_or(|spill| spill.slos.is_empty())
    }

    /// Calls `f` with each SLO, lowest first for the first 64: a plain
    /// loop, which the per-request path compiles smaller than a chained
    /// iterator.
    #[inline(always)]
    pub fn for_each(&self, mut f: impl FnMut(usize)) {
        let mut bits = self.slos;
        while bits != 0 {
            f(bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
        if let Some(spill) = &self.spill
            && !spill.slos.is_empty()
        {
            each_beyond(&spill.slos, &mut f);
        }
    }

    /// The SLOs, in [`Matched::for_each`]'s order (tests only).
    #[cfg(test)]
    pub fn iter(&self) -> std::vec::IntoIter<usize> {
        let mut slos = Vec::new();
        self.for_each(|slo| slos.push(slo));
        slos.into_iter()
    }
}

/// Calls `f` with each SLO past the 64th, out of line (through `dyn`, so
/// that `f` is inlined into the loop over the bits alone).
#[cold]
#[inline(never)]
fn each_beyond(slos: &[u32], f: &mut dyn FnMut(usize)) {
    for &slo in slos {
        f(slo as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &[u8] = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn slos_and_rules_past_the_bits_spill_and_a_trace_does_not_count() {
        let mut matched = Matched::default();
        assert!(matched.is_empty());
        matched.spill = Some(Box::new(Spill {
            trace: Some(Trace::header(VALID)),
            ..Spill::default()
        }));
        assert!(matched.is_empty());
        assert!(matched.trace_id().is_some());
        matched.insert(3);
        matched.insert(3);
        matched.insert(70);
        matched.insert(70);
        assert_eq!(matched.iter().collect::<Vec<_>>(), [3, 70]);
    }

    #[test]
    fn ordinals_are_read_back_by_slo_inline_or_spilled() {
        // SLOs 1, 3, 5, 7, 9 and 70 have rules of different templates; 2
        // has one template and matches too, taking no nibble.
        let several = (1 << 1) | (1 << 3) | (1 << 5) | (1 << 7) | (1 << 9);
        let mut matched = Matched::default();
        for slo in [1, 2, 3, 5, 7, 9, 70] {
            matched.insert(slo);
        }
        let kept = [(1, 0), (3, 14), (5, 15), (7, 2), (9, 4), (70, 1)];
        for (rank, &(slo, ordinal)) in kept.iter().enumerate() {
            matched.keep_ordinal(rank, slo, ordinal);
        }
        // 1, 3 and 7 fit inline; 5's place is past 14, 9 is the fifth, 70
        // is past 64.
        assert_eq!(matched.rules, 0x3_0_F_1);
        assert_eq!(
            matched.spill.as_ref().map(|spill| spill.rules.clone()),
            Some(vec![(5, 15), (9, 4), (70, 1)])
        );
        for (slo, ordinal) in kept {
            assert_eq!(
                matched.ordinal(slo as usize, several),
                Some(ordinal),
                "SLO {slo}"
            );
        }
        assert_eq!(matched.ordinal(2, several), None);
        assert_eq!(matched.ordinal(4, several), None);
    }
}
