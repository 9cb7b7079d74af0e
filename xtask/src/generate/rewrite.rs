//! progenitor's client, rewritten before it is formatted: the steps in order, and the walk
//! over impl blocks and the statement matching they share.
//!
//! 1. `strip.rs`: no `api-version` header, path parameters encoded without a copy;
//! 2. `halves.rs`: each `send` cut into `build_request` and `read_response`, which it calls;
//! 3. `unused_builders.rs`: typify's struct builders that nothing uses, dropped.

use crate::error::XtaskError;
use quote::ToTokens;

/// Parses progenitor's client, rewrites it and formats it.
pub fn rewrite_client(tokens: proc_macro2::TokenStream) -> Result<String, XtaskError> {
    let mut file = parse(tokens)?;
    super::strip::strip_send_extras(&mut file)?;
    super::halves::split_sends(&mut file)?;
    super::unused_builders::drop_unused_builders(&mut file)?;
    Ok(prettyplease::unparse(&file))
}

/// Formats generated code as it is.
pub fn format(tokens: proc_macro2::TokenStream) -> Result<String, XtaskError> {
    Ok(prettyplease::unparse(&parse(tokens)?))
}

fn parse(tokens: proc_macro2::TokenStream) -> Result<syn::File, XtaskError> {
    syn::parse2(tokens)
        .map_err(|e| XtaskError::new(format!("progenitor produced code that does not parse: {e}")))
}

/// The tokens of a piece of code as one line of text (`a . b (c)`), which is how the steps
/// match progenitor's statements, whatever their formatting.
pub fn tokens_of(node: &impl ToTokens) -> String {
    node.to_token_stream().to_string()
}

/// Calls `f` on every `impl` block of `items` and of the modules among them; returns the sum
/// of what it returned.
pub fn each_impl(
    items: &mut [syn::Item],
    f: &mut dyn FnMut(&mut syn::ItemImpl) -> Result<usize, XtaskError>,
) -> Result<usize, XtaskError> {
    let mut total = 0;
    for item in items {
        match item {
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = &mut module.content {
                    total += each_impl(inner, f)?;
                }
            }
            syn::Item::Impl(block) => total += f(block)?,
            _ => {}
        }
    }
    Ok(total)
}
