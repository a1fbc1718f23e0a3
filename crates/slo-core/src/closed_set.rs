//! Closed sets of names (a risk, a decision, a status level): each value's
//! one word in specs, flags and `/slo`, read back by the same table, with
//! one error naming what was expected.

/// A word that is not one of a closed set of names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {found:?}: expected one of {expected}")]
pub struct UnknownName {
    /// What kind of name was expected: `risk`, `decision`, `status level`.
    pub what: &'static str,
    /// The word given.
    pub found: String,
    /// The names accepted, comma-separated.
    pub expected: &'static str,
}

impl UnknownName {
    /// The one of `all` whose `name` is `text`, or the error naming it as
    /// a `what`, one of `expected`.
    pub(crate) fn find<T: Copy>(
        all: &[T],
        name: fn(T) -> &'static str,
        text: &str,
        what: &'static str,
        expected: &'static str,
    ) -> Result<T, UnknownName> {
        all.iter()
            .copied()
            .find(|value| name(*value) == text)
            .ok_or_else(|| UnknownName {
                what,
                found: text.to_owned(),
                expected,
            })
    }
}

/// Gives a fieldless enum its closed set of names: `ALL` (in the order
/// written), `as_str`, `Display` and a `FromStr` whose error is an
/// [`UnknownName`].
macro_rules! closed_set {
    (
        $(#[$all:meta])*
        $ty:ident as $what:literal {
            $first:ident = $first_name:literal $(, $variant:ident = $name:literal)* $(,)?
        }
    ) => {
        impl $ty {
            $(#[$all])*
            pub const ALL: [$ty; [$first_name $(, $name)*].len()] =
                [$ty::$first $(, $ty::$variant)*];

            #[doc = concat!("Its name in specs, flags and `/slo`: `", $first_name, "`" $(, ", `", $name, "`")*, ".")]
            pub fn as_str(self) -> &'static str {
                match self {
                    $ty::$first => $first_name,
                    $($ty::$variant => $name,)*
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::closed_set::UnknownName;

            fn from_str(text: &str) -> Result<$ty, Self::Err> {
                $crate::closed_set::UnknownName::find(
                    &$ty::ALL,
                    $ty::as_str,
                    text,
                    $what,
                    concat!($first_name $(, ", ", $name)*),
                )
            }
        }
    };
}

pub(crate) use closed_set;
