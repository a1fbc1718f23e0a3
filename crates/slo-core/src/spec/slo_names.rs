//! Names for SLOs made from outside text: a route template such as
//! `GET /cart/{id}` (from `slo init`, or from a metric label `slo suggest`
//! reads) becomes a name the spec accepts, `get-cart-id-availability`,
//! unique among the names already taken.

use std::collections::HashSet;

use super::MAX_NAME_LEN;

/// Why no name could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SloNameError {
    /// Nothing in the text is a letter or a digit.
    #[error("{0:?} has no letters or digits to name an SLO by")]
    NothingToNameBy(String),
    /// The suffix is not a part of a valid name.
    #[error("suffix {0:?} must be 1 to 32 letters, digits, '_', '.' or '-'")]
    BadSuffix(String),
    /// Every numbered variant of the name is taken.
    #[error("too many SLOs are named like {0:?}")]
    TooManyAlike(String),
}

/// Makes SLO names from route templates, each unique among the names it
/// made and those [reserved](SloNamer::reserve).
///
/// ```
/// use slo_core::spec::SloNamer;
/// let mut names = SloNamer::new();
/// assert_eq!(names.name("POST /checkout", "availability")?, "post-checkout-availability");
/// assert_eq!(names.name("GET /cart/{id}", "latency")?, "get-cart-id-latency");
/// assert_eq!(names.name("GET /", "latency")?, "get-root-latency");
/// // The same words again get a number.
/// assert_eq!(names.name("GET /cart/{id}", "latency")?, "get-cart-id-latency-2");
/// assert!(names.name("/ü/", "latency").is_err());
/// # Ok::<(), slo_core::spec::SloNameError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct SloNamer {
    taken: HashSet<String>,
}

/// The most numbered variants tried before giving up.
const MAX_VARIANTS: u32 = 100_000;

impl SloNamer {
    /// A namer with no name taken.
    pub fn new() -> SloNamer {
        SloNamer::default()
    }

    /// Takes `name` (one a spec already has), so that no name made later
    /// equals it.
    pub fn reserve(&mut self, name: &str) {
        self.taken.insert(name.to_owned());
    }

    /// A valid, unique SLO name for `route` with `suffix`: ASCII letters
    /// (lower-cased), digits, `_` and `.` kept, braces and `*` dropped,
    /// anything else a `-`, runs of `-` folded; a route of only `/` is
    /// `root`. Cut to fit 128 characters, and numbered (`-2`, `-3`, …)
    /// when taken.
    pub fn name(&mut self, route: &str, suffix: &str) -> Result<String, SloNameError> {
        let suffix_ok = !suffix.is_empty()
            && suffix.len() <= 32
            && suffix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        if !suffix_ok {
            return Err(SloNameError::BadSuffix(suffix.to_owned()));
        }
        let words = words(route)?;
        for n in 1..=MAX_VARIANTS {
            let number = if n == 1 {
                String::new()
            } else {
                format!("-{n}")
            };
            // Room for the suffix and the number; the words are ASCII.
            let room = MAX_NAME_LEN - suffix.len() - 1 - number.len();
            let cut = words[..words.len().min(room)].trim_end_matches(['-', '.', '_']);
            let name = format!("{cut}-{suffix}{number}");
            if self.taken.insert(name.clone()) {
                return Ok(name);
            }
        }
        Err(SloNameError::TooManyAlike(format!("{words}-{suffix}")))
    }
}

/// The route's words: `GET /cart/{id}` is `get-cart-id`.
fn words(route: &str) -> Result<String, SloNameError> {
    let mut out = String::with_capacity(route.len());
    for ch in route.chars() {
        match ch {
            'A'..='Z' | 'a'..='z' | '0'..='9' => out.push(ch.to_ascii_lowercase()),
            '_' | '.' => out.push(ch),
            '{' | '}' | '*' => {}
            _ if !out.ends_with('-') => out.push('-'),
            _ => {}
        }
    }
    let trimmed = out.trim_matches(['-', '.', '_']);
    if trimmed.bytes().any(|b| b.is_ascii_alphanumeric()) {
        // `GET /` names the root, as `/` alone does.
        let root = route.trim_end().ends_with(" /");
        return Ok(if root {
            format!("{trimmed}-root")
        } else {
            trimmed.to_owned()
        });
    }
    if route.trim() == "/" {
        return Ok("root".to_owned());
    }
    Err(SloNameError::NothingToNameBy(route.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_unique_and_readable() {
        let mut names = SloNamer::new();
        names.reserve("search-latency");
        let made: Vec<String> = [
            ("/search", "latency"),
            ("/", "availability"),
            ("GET /files/{*path}", "latency"),
            ("GET /v1.2/Items_list", "availability"),
            ("POST /a//b--c", "availability"),
            ("/search", "latency"),
        ]
        .iter()
        .map(|(route, suffix)| names.name(route, suffix).unwrap())
        .collect();
        assert_eq!(
            made,
            [
                "search-latency-2",
                "root-availability",
                "get-files-path-latency",
                "get-v1.2-items_list-availability",
                "post-a-b-c-availability",
                "search-latency-3",
            ]
        );
        let long = format!("/{}", "x".repeat(300));
        let name = names.name(&long, "availability").unwrap();
        assert_eq!(name.len(), MAX_NAME_LEN);
        let again = names.name(&long, "availability").unwrap();
        assert!(again.ends_with("-availability-2") && again.len() == MAX_NAME_LEN);
        for nothing in ["", "  ", "/ü/", "{}", "-._"] {
            assert!(matches!(
                names.name(nothing, "latency"),
                Err(SloNameError::NothingToNameBy(_))
            ));
        }
        assert!(matches!(
            names.name("/a", "bad suffix"),
            Err(SloNameError::BadSuffix(_))
        ));
    }
}
