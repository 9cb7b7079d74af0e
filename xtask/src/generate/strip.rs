//! Two changes to the request progenitor builds: no `api-version` header, and path parameters
//! encoded without a copy.
//!
//! progenitor makes every generated `send` build a header map holding `api-version:
//! <info.version>` and merge it into the request. OpenRouter defines no such header, and
//! building, merging and (in the SDK) removing it again costs about 1.6k instructions per
//! call, as much as a quarter of what the SDK adds over raw reqwest. progenitor has no setting
//! for it, so generation drops the statement that appends it and shrinks the map's capacity
//! by one (a capacity of 0 allocates nothing). Statements are matched on their tokens, so
//! formatting does not matter; a progenitor whose output no longer has that shape makes
//! generation fail here rather than silently send the header again.
//!
//! progenitor encodes a path parameter as `encode_path(&hash.to_string())`: a copy of the
//! string, then percent-encoding through `fmt` into a new one (~1.1k instructions per call for
//! a 64-digit hash). Generation calls `encode_segment(&hash)` instead (in the generated crate's
//! hand-written `lib.rs`), which borrows the parameter when no byte needs encoding (a key hash
//! never does) and otherwise defers to progenitor's own `encode_path`, so the encoding is the
//! same.

use super::rewrite::{each_impl, tokens_of};
use crate::error::XtaskError;

/// The tokens of the statement that appends the header (as progenitor 0.15 writes it).
const APPEND: &str =
    "header_map . append (:: reqwest :: header :: HeaderName :: from_static (\"api-version\")";
/// The start of the statement that creates the header map.
const CREATE: &str = "let mut header_map = :: reqwest :: header :: HeaderMap :: with_capacity (";
/// How progenitor encodes a path parameter `P`: `ENCODE_PREFIX P ENCODE_SUFFIX`.
const ENCODE_PREFIX: &str = "encode_path (& ";
const ENCODE_SUFFIX: &str = " . to_string ())";

/// Removes the `api-version` header from every generated `send` and rewrites its path
/// encoding; returns how many it changed.
pub fn strip_send_extras(file: &mut syn::File) -> Result<usize, XtaskError> {
    each_impl(&mut file.items, &mut |block| {
        let mut changed = 0;
        for member in &mut block.items {
            if let syn::ImplItem::Fn(function) = member
                && function.sig.ident == "send"
            {
                changed += strip_send(&mut function.block, &function.sig.ident)?;
                encode_without_copy(&mut function.block)?;
            }
        }
        Ok(changed)
    })
}

/// Drops the append from one `send` body and lowers the map's capacity to match.
fn strip_send(body: &mut syn::Block, name: &syn::Ident) -> Result<usize, XtaskError> {
    // progenitor 0.15 gives every `send` a header map; one without is a changed progenitor.
    let Some(create) = body
        .stmts
        .iter()
        .position(|s| tokens_of(s).starts_with(CREATE))
    else {
        return Err(unexpected(name, "no header map"));
    };
    let Some(append) = body
        .stmts
        .iter()
        .position(|s| tokens_of(s).starts_with(APPEND))
    else {
        return Err(unexpected(
            name,
            "no `api-version` append after the header map",
        ));
    };
    let created = tokens_of(&body.stmts[create]);
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

/// Rewrites every `encode_path(&p.to_string())` of one `send` body into
/// `crate::encode_segment(&p)`.
fn encode_without_copy(body: &mut syn::Block) -> Result<(), XtaskError> {
    for stmt in &mut body.stmts {
        let text = tokens_of(stmt);
        if !text.contains(ENCODE_PREFIX) {
            continue;
        }
        let rewritten = rewrite_encodes(&text);
        *stmt = syn::parse_str(&rewritten).map_err(|e| {
            XtaskError::new(format!(
                "could not rewrite a path encoding ({rewritten}): {e}"
            ))
        })?;
    }
    Ok(())
}

/// `text` with each `encode_path (& p . to_string ())` (`p` an identifier) replaced; other
/// uses of `encode_path` are left as they are.
fn rewrite_encodes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(ENCODE_PREFIX) {
        out.push_str(&rest[..at]);
        let after = &rest[at + ENCODE_PREFIX.len()..];
        let ident_len = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let (ident, tail) = after.split_at(ident_len);
        if !ident.is_empty() && tail.starts_with(ENCODE_SUFFIX) {
            out.push_str(&format!("crate :: encode_segment (& {ident})"));
            rest = &tail[ENCODE_SUFFIX.len()..];
        } else {
            out.push_str(ENCODE_PREFIX);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn unexpected(name: &syn::Ident, what: &str) -> XtaskError {
    XtaskError::new(format!(
        "progenitor's `{name}` no longer has the expected shape ({what}); update xtask/src/generate/strip.rs"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

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
            let result = client.exec(request, &info).await;
            0"#,
        );
        assert_eq!(strip_send_extras(&mut file).unwrap(), 1);
        let out = file.to_token_stream().to_string();
        assert!(!out.contains("api-version"), "{out}");
        assert!(out.contains("with_capacity (1usize)"), "{out}");
        assert!(out.contains("x-other"), "{out}");
        assert!(out.contains("client . exec (request"), "{out}");
    }

    #[test]
    fn path_parameters_are_encoded_without_a_copy() {
        let mut file = send_with(
            r#"let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
            header_map.append(::reqwest::header::HeaderName::from_static("api-version"), v);
            let url = format!("{}/keys/{}/{}", client.baseurl, encode_path(&hash.to_string()),
                encode_path(&other.as_str()));
            0"#,
        );
        strip_send_extras(&mut file).unwrap();
        let out = file.to_token_stream().to_string();
        assert!(out.contains("crate :: encode_segment (& hash)"), "{out}");
        assert!(!out.contains("to_string"), "{out}");
        // A form it does not know is left to progenitor's encoder.
        assert!(out.contains("encode_path (& other . as_str ())"), "{out}");
    }

    #[test]
    fn a_header_map_without_the_append_is_an_error() {
        let mut file = send_with(
            "let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize); 0",
        );
        let error = strip_send_extras(&mut file).unwrap_err().to_string();
        assert!(error.contains("`send`"), "{error}");
        assert!(error.contains("strip.rs"), "{error}");
    }

    #[test]
    fn a_send_without_a_header_map_is_an_error() {
        let mut file = send_with("let url = base.to_string(); 0");
        let error = strip_send_extras(&mut file).unwrap_err().to_string();
        assert!(error.contains("no header map"), "{error}");
    }

    #[test]
    fn other_functions_are_left_alone() {
        let mut file = syn::parse_str(
            r#"impl X { fn build(self) { header_map.append(HeaderName::from_static("api-version"), v); } }"#,
        )
        .unwrap();
        assert_eq!(strip_send_extras(&mut file).unwrap(), 0);
    }
}
