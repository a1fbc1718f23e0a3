//! What a request matched: the SLOs it counts toward and, for the routes
//! of their bad events, which rules matched them.

use slo_core::recent::TraceId;

/// The SLOs one request counts toward and the rules that matched them.
/// Inline, two words and a half: a bit for each of a layer's first 64 SLOs
/// (a set, so an SLO counts once however many of its rules match), and a
/// bit for each of its first 16 rules whose SLO has rules of different
/// templates (the only rules a bad event's route needs told apart). What
/// does not fit, rare, goes to [`Spill`] on the heap: SLOs past the 64th,
/// rules past those 16, and a trace id.
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
    /// Rules, told apart for a route, past the 16th.
    pub rules: Vec<u32>,
    /// The request's trace, as read; parsed only for a bad event.
    pub trace: Option<Trace>,
}

/// A request's trace, kept as cheaply as it was found: a `traceparent`
/// header's bytes are copied, and parsed only when a bad event needs the
/// id (most requests are good).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trace {
    /// A trace id read already (from an OpenTelemetry context, or by a
    /// reader given to the layer).
    Id(TraceId),
    /// A `traceparent` header: its first 56 bytes (all the W3C parse
    /// reads) and its length.
    Header { head: [u8; 56], len: usize },
}

impl Trace {
    /// The trace of a `traceparent` header's value.
    pub fn header(value: &[u8]) -> Trace {
        let mut head = [0; 56];
        let n = value.len().min(head.len());
        head[..n].copy_from_slice(&value[..n]);
        Trace::Header {
            head,
            len: value.len(),
        }
    }

    /// The trace id, when valid. A header's first 56 bytes decide it as
    /// its whole value would: the W3C parse reads the first 55, and of the
    /// rest only whether there is any and its first byte.
    pub fn id(&self) -> Option<TraceId> {
        match self {
            Trace::Id(id) => Some(*id),
            Trace::Header { head, len } => {
                TraceId::from_traceparent(&head[..(*len).min(head.len())])
            }
        }
    }
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

    #[cold]
    fn insert_beyond(&mut self, slo: u32) {
        let spill = self.spill.get_or_insert_with(Box::default);
        if !spill.slos.contains(&slo) {
            spill.slos.push(slo);
        }
    }

    /// Notes that rule `rule`, past the inline rule bits, matched.
    #[cold]
    pub fn insert_rule(&mut self, rule: u32) {
        let spill = self.spill.get_or_insert_with(Box::default);
        if !spill.rules.contains(&rule) {
            spill.rules.push(rule);
        }
    }

    /// The request's trace id, when it had a valid one.
    pub fn trace_id(&self) -> Option<TraceId> {
        self.spill.as_ref()?.trace.as_ref()?.id()
    }

    /// The rules past the inline bits that matched.
    pub fn spilled_rules(&self) -> &[u32] {
        self.spill.as_ref().map_or(&[], |spill| &spill.rules)
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
    fn a_header_kept_reads_as_the_whole_header_would() {
        let later = b"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more-fields-here";
        let cases: [&[u8]; 6] = [
            VALID,
            later,
            b"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x-and-more",
            b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
            b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            b"",
        ];
        for value in cases {
            assert_eq!(
                Trace::header(value).id(),
                TraceId::from_traceparent(value),
                "{:?}",
                String::from_utf8_lossy(value)
            );
        }
        assert!(Trace::header(later).id().is_some());
    }

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
        matched.insert_rule(40);
        matched.insert_rule(40);
        assert_eq!(matched.iter().collect::<Vec<_>>(), [3, 70]);
        assert_eq!(matched.spilled_rules(), [40]);
    }
}
