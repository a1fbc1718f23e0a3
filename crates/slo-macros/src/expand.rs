//! The expansion: the function's body runs inside a closure (sync) or an
//! `async move` block (async), so that every `return` and `?` ends up in one
//! result the attribute classifies.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{ItemFn, ReturnType, Type};

use crate::args::MeasureArgs;

pub(crate) fn expand(args: MeasureArgs, item: TokenStream) -> syn::Result<TokenStream> {
    let function: ItemFn = match syn::parse2(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            if let Ok(method) = syn::parse2::<syn::TraitItemFn>(item.clone())
                && method.default.is_none()
            {
                return Err(syn::Error::new(
                    method.sig.span(),
                    "#[slo::measure] needs a function body: put it on the method in the `impl` block, not on the trait's declaration",
                ));
            }
            return Err(syn::Error::new(
                first_token_span(&item),
                "#[slo::measure] goes on a function or a method",
            ));
        }
    };
    let sig = &function.sig;
    if let Some(constness) = &sig.constness {
        return Err(syn::Error::new(
            constness.span(),
            "#[slo::measure] cannot measure a `const fn`: it reads a clock and records at run time",
        ));
    }
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;
    let names = &args.names;
    let function_name = sig.ident.to_string();
    let stmts = &block.stmts;
    let here = Span::mixed_site();
    let site = quote_spanned!(here=> __slo_call_site);
    let measure = quote_spanned!(here=> __slo_measure);
    let result = quote_spanned!(here=> __slo_result);
    // Pins the inner block's return type to the function's, so `?` and
    // `return` infer as they would in the function itself.
    let pin_return = match &sig.output {
        ReturnType::Default => quote!(),
        ReturnType::Type(_, ty) if mentions_impl_trait(ty) => quote!(),
        ReturnType::Type(_, ty) => {
            let fake = quote_spanned!(here=> __slo_return_type);
            quote! {
                #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::needless_return)]
                if false {
                    let #fake: #ty = loop {};
                    return #fake;
                }
            }
        }
    };
    let classify = match &args.good_if {
        Some(predicate) => quote!(::slo::__private::good_if(&#result, #predicate)),
        None => quote! {{
            #[allow(unused_imports)]
            use ::slo::__private::{IsGoodAny as _, IsGoodResult as _};
            (&::slo::__private::Outcome(&#result)).slo_is_good()
        }},
    };
    let call_site = quote! {
        static #site: ::slo::__private::CallSite = ::slo::__private::CallSite::new(
            &[#(#names),*],
            ::core::concat!(::core::module_path!(), "::", #function_name),
        );
    };
    let finish = match &args.batch {
        Some(counts) => quote! {
            let (good, bad): (u64, u64) = ::slo::__private::batch_of(&#result, #counts);
            #measure.finish_batch(good, bad);
        },
        None => quote! {
            let good: bool = #classify;
            #measure.finish(good);
        },
    };
    let measured = |run: TokenStream| {
        quote! {
            let #measure = ::slo::__private::Measure::start(&#site);
            let #result = #run;
            if let ::core::option::Option::Some(#measure) = #measure {
                #finish
            }
            #result
        }
    };
    let body = if sig.asyncness.is_some() {
        measured(quote!(async move { #pin_return #(#stmts)* }.await))
    } else if let Some(inner) = async_trait_future(&block) {
        // `#[async_trait]` already turned the `async fn` into a boxed
        // `async move` block: measure the block, not the boxing.
        let body = measured(quote!(#inner.await));
        quote!(::std::boxed::Box::pin(async move { #body }))
    } else {
        measured(quote! {{
            #[allow(clippy::redundant_closure_call)]
            let #result = (move || { #pin_return #(#stmts)* })();
            #result
        }})
    };
    Ok(quote! {
        #(#attrs)*
        #vis #sig {
            #call_site
            #body
        }
    })
}

/// The `async move { … }` of a body `Box::pin(async move { … })`: what
/// `#[async_trait]` makes of an `async fn` before this attribute runs.
fn async_trait_future(block: &syn::Block) -> Option<&syn::ExprAsync> {
    let [syn::Stmt::Expr(syn::Expr::Call(call), None)] = block.stmts.as_slice() else {
        return None;
    };
    let syn::Expr::Path(function) = &*call.func else {
        return None;
    };
    let segments: Vec<String> = function
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if !segments.ends_with(&["Box".to_owned(), "pin".to_owned()]) || call.args.len() != 1 {
        return None;
    }
    match call.args.first() {
        Some(syn::Expr::Async(inner)) => Some(inner),
        _ => None,
    }
}

fn first_token_span(item: &TokenStream) -> Span {
    item.clone()
        .into_iter()
        .next()
        .map_or_else(Span::call_site, |token| token.span())
}

/// Whether a return type contains `impl Trait` (which a `let` cannot name).
fn mentions_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_type(ty);
    finder.0 || ty.to_token_stream().is_empty()
}
