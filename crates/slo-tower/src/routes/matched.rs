//! The set of SLOs one request counts toward.

/// The SLOs one request counts toward, as indices into
/// [`super::RouteTable::handles`]: a bit for each of a layer's first 64 SLOs (one
/// word to copy, and a set, so an SLO counts once however many of its rules
/// match), and a list only for SLOs beyond those (a layer with more than 64).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Matched {
    bits: u64,
    #[allow(
        clippy::box_collection,
        reason = "a thin pointer keeps every request's set two words; the list is rare"
    )]
    beyond: Option<Box<Vec<u32>>>,
}

impl Matched {
    #[inline]
    pub fn insert(&mut self, slo: u32) {
        if slo < 64 {
            self.bits |= 1 << slo;
        } else {
            self.insert_beyond(slo);
        }
    }

    #[cold]
    fn insert_beyond(&mut self, slo: u32) {
        let beyond = self.beyond.get_or_insert_with(Box::default);
        if !beyond.contains(&slo) {
            beyond.push(slo);
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.bits == 0 && self.beyond.is_none()
    }

    /// Empties the set, returning what it held.
    #[inline]
    pub fn take(&mut self) -> Matched {
        std::mem::take(self)
    }

    /// Calls `f` with each index, lowest first for the first 64: a plain
    /// loop, which the per-request path compiles smaller than a chained
    /// iterator. The rare list beyond them is walked out of line, through
    /// `dyn`, so that `f` is inlined into the loop alone.
    #[inline(always)]
    pub fn for_each(&self, mut f: impl FnMut(usize)) {
        let mut bits = self.bits;
        while bits != 0 {
            f(bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
        if let Some(beyond) = &self.beyond {
            each_beyond(beyond, &mut f);
        }
    }

    /// The set's first 64 indices, one bit each.
    #[inline(always)]
    pub fn first_64(&self) -> u64 {
        self.bits
    }

    /// Whether it holds indices past the first 64.
    #[inline(always)]
    pub fn has_beyond(&self) -> bool {
        self.beyond.is_some()
    }

    /// Calls `f` with each index past the first 64.
    pub fn for_each_beyond(&self, mut f: impl FnMut(usize)) {
        if let Some(beyond) = &self.beyond {
            each_beyond(beyond, &mut f);
        }
    }

    /// The indices, in [`Matched::for_each`]'s order (tests only).
    #[cfg(test)]
    pub fn iter(&self) -> std::vec::IntoIter<usize> {
        let mut indices = Vec::new();
        self.for_each(|index| indices.push(index));
        indices.into_iter()
    }
}

/// Calls `f` with each index of the list beyond the first 64.
#[cold]
#[inline(never)]
fn each_beyond(beyond: &[u32], f: &mut dyn FnMut(usize)) {
    for &slo in beyond {
        f(slo as usize);
    }
}
