//! The attribute's arguments: SLO names as string literals, then options.

use std::collections::HashSet;

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Ident, LitStr, Token};

/// The longest SLO name a spec accepts (`slo_core::spec::MAX_NAME_LEN`).
const MAX_NAME_LEN: usize = 128;

pub(crate) struct MeasureArgs {
    pub names: Vec<LitStr>,
    pub good_if: Option<Expr>,
    /// `batch = <function of &ReturnType to (good, bad)>`.
    pub batch: Option<Expr>,
}

impl Parse for MeasureArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut names: Vec<LitStr> = Vec::new();
        let mut seen = HashSet::new();
        let mut good_if = None;
        let mut batch = None;
        while !input.is_empty() {
            if input.peek(LitStr) {
                let name: LitStr = input.parse()?;
                if good_if.is_some() || batch.is_some() {
                    return Err(syn::Error::new(
                        name.span(),
                        "SLO names come before options: write the names first, then `good_if = ...` or `batch = ...`",
                    ));
                }
                check_name(&name)?;
                if !seen.insert(name.value()) {
                    return Err(syn::Error::new(
                        name.span(),
                        format!("SLO {:?} is named twice", name.value()),
                    ));
                }
                names.push(name);
            } else if input.peek(Ident) && input.peek2(Token![=]) {
                let key: Ident = input.parse()?;
                input.parse::<Token![=]>()?;
                let slot = if key == "good_if" {
                    &mut good_if
                } else if key == "batch" {
                    &mut batch
                } else {
                    return Err(syn::Error::new(
                        key.span(),
                        format!(
                            "unknown option `{key}`: the options are `good_if = <predicate on &ReturnType>` and `batch = <function of &ReturnType to (good, bad)>`"
                        ),
                    ));
                };
                if slot.is_some() {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("`{key}` is given twice"),
                    ));
                }
                *slot = Some(input.parse::<Expr>()?);
                if good_if.is_some() && batch.is_some() {
                    return Err(syn::Error::new(
                        key.span(),
                        "`good_if` and `batch` exclude each other: a call is one event, or a batch of them",
                    ));
                }
            } else {
                return Err(input.error(
                    "expected an SLO name as a string literal, like \"checkout-availability\", or `good_if = <predicate>` or `batch = <function>`",
                ));
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        if names.is_empty() {
            return Err(syn::Error::new(
                Span::call_site(),
                "#[slo::measure] needs at least one SLO name, like #[slo::measure(\"checkout-availability\")]",
            ));
        }
        Ok(MeasureArgs {
            names,
            good_if,
            batch,
        })
    }
}

/// The spec's name rule, checked at compile time.
fn check_name(name: &LitStr) -> syn::Result<()> {
    let value = name.value();
    let reason = if value.is_empty() {
        Some("it is empty".to_owned())
    } else if value.len() > MAX_NAME_LEN {
        Some(format!("it is longer than {MAX_NAME_LEN} characters"))
    } else {
        value
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
            .map(|c| format!("{c:?} is not allowed"))
    };
    match reason {
        None => Ok(()),
        Some(reason) => Err(syn::Error::new(
            name.span(),
            format!(
                "invalid SLO name {value:?}: {reason}; names use letters, digits, `_`, `.` and `-` (1 to {MAX_NAME_LEN} characters)"
            ),
        )),
    }
}
