//! One change to progenitor's output: no `api-version` request header.
//!
//! progenitor makes every generated `send` build a header map holding `api-version:
//! <info.version>` and merge it into the request. OpenRouter defines no such header, so the
//! SDK used to remove it again on every attempt; building, merging and removing it cost about
//! 1.6k instructions per call, a quarter of everything the SDK adds over raw reqwest. progenitor
//! has no setting for it, so generation drops the statement that appends it and shrinks the
//! map's capacity by one (a capacity of 0 allocates nothing). Statements are matched on their
//! tokens, so formatting does not matter; a progenitor whose output no longer has that shape
//! makes generation fail here rather than silently send the header again.

use crate::error::XtaskError;
use quote::ToTokens;

/// The tokens of the statement that appends the header (as progenitor 0.15 writes it).
const APPEND: &str =
    "header_map . append (:: reqwest :: header :: HeaderName :: from_static (\"api-version\")";
/// The start of the statement that creates the header map.
const CREATE: &str = "let mut header_map = :: reqwest :: header :: HeaderMap :: with_capacity (";

/// Removes the `api-version` header from every generated `send`; returns how many it changed.
pub fn strip_api_version(file: &mut syn::File) -> Result<usize, XtaskError> {
    let mut changed = 0;
    for item in &mut file.items {
        changed += strip_item(item)?;
    }
    Ok(changed)
}

fn strip_item(item: &mut syn::Item) -> Result<usize, XtaskError> {
    let mut changed = 0;
    match item {
        syn::Item::Mod(module) => {
            if let Some((_, items)) = &mut module.content {
                for inner in items {
                    changed += strip_item(inner)?;
                }
            }
        }
        syn::Item::Impl(block) => {
            for member in &mut block.items {
                if let syn::ImplItem::Fn(function) = member
                    && function.sig.ident == "send"
                {
                    changed += strip_send(&mut function.block, &function.sig.ident)?;
                }
            }
        }
        _ => {}
    }
    Ok(changed)
}

/// Drops the append from one `send` body and lowers the map's capacity to match.
fn strip_send(body: &mut syn::Block, name: &syn::Ident) -> Result<usize, XtaskError> {
    let text = |stmt: &syn::Stmt| stmt.to_token_stream().to_string();
    // progenitor 0.15 gives every `send` a header map; one without is a changed progenitor.
    let Some(create) = body.stmts.iter().position(|s| text(s).starts_with(CREATE)) else {
        return Err(unexpected(name, "no header map"));
    };
    let Some(append) = body.stmts.iter().position(|s| text(s).starts_with(APPEND)) else {
        return Err(unexpected(
            name,
            "no `api-version` append after the header map",
        ));
    };
    let created = text(&body.stmts[create]);
    let capacity: usize = created[CREATE.len()..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|digits| digits.parse().ok())
        .ok_or_else(|| unexpected(name, "the header map's capacity is not a literal"))?;
    let lowered = format!(
        "let mut header_map = ::reqwest::header::HeaderMap::with_capacity({}usize);",
        capacity.saturating_sub(1)
    );
    body.stmts[create] = syn::parse_str(&lowered)
        .map_err(|e| XtaskError::new(format!("could not rewrite the header map: {e}")))?;
    body.stmts.remove(append);
    Ok(1)
}

fn unexpected(name: &syn::Ident, what: &str) -> XtaskError {
    XtaskError::new(format!(
        "progenitor's `{name}` no longer has the expected shape ({what}); update xtask/src/strip.rs"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send_with(body: &str) -> syn::File {
        syn::parse_str(&format!(
            "mod builder {{ impl<'a> GetKey<'a> {{ pub async fn send(self) -> u8 {{ {body} }} }} }}"
        ))
        .unwrap()
    }

    #[test]
    fn drops_the_append_and_lowers_the_capacity() {
        let mut file = send_with(
            r#"let url = format!("{}/keys", base);
            let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
            header_map.append(
                ::reqwest::header::HeaderName::from_static("api-version"),
                ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
            );
            header_map.append("x-other", value.to_string().try_into()?);
            0"#,
        );
        assert_eq!(strip_api_version(&mut file).unwrap(), 1);
        let out = file.to_token_stream().to_string();
        assert!(!out.contains("api-version"), "{out}");
        assert!(out.contains("with_capacity (1usize)"), "{out}");
        assert!(out.contains("x-other"), "{out}");
    }

    #[test]
    fn a_header_map_without_the_append_is_an_error() {
        let mut file = send_with(
            "let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize); 0",
        );
        let error = strip_api_version(&mut file).unwrap_err().to_string();
        assert!(error.contains("`send`"), "{error}");
        assert!(error.contains("strip.rs"), "{error}");
    }

    #[test]
    fn a_send_without_a_header_map_is_an_error() {
        let mut file = send_with("let url = base.to_string(); 0");
        let error = strip_api_version(&mut file).unwrap_err().to_string();
        assert!(error.contains("no header map"), "{error}");
    }

    #[test]
    fn other_functions_are_left_alone() {
        let mut file = syn::parse_str(
            r#"impl X { fn build(self) { header_map.append(HeaderName::from_static("api-version"), v); } }"#,
        )
        .unwrap();
        assert_eq!(strip_api_version(&mut file).unwrap(), 0);
    }
}
