//! Each generated `send` in two halves, `build_request` and `read_response`, and `send` made
//! of them: every operation's request building and response reading is generated once.
//!
//! progenitor's `send` builds the request (path encoding, query, JSON body), sends it through
//! the client's hooks, and reads the answer into a `ResponseValue`, which copies the response's
//! header map and is then moved, with the whole answer, through every layer above it. The SDK
//! sends the request itself and decodes a success straight into the generated type, which
//! keeps its success path as short as raw `reqwest`'s; it still needs progenitor's two halves:
//! the request exactly as `send` builds it, and, for an answer that is not a success, the
//! error exactly as `send` makes it (documented statuses decoded as their error type, others
//! left unread). So generation cuts each `send` in three:
//!
//! - `build_request(self) -> Result<reqwest::Request, Error<E>>`: the statements before the
//!   send, ending with the built request;
//! - `read_response(response) -> Result<ResponseValue<T>, Error<E>>`: the statements after it;
//! - `send(self)`, what is left: `build_request`, the client's `exec`, `read_response`.
//!
//! `send` is kept, not dropped, although the SDK never calls it: it is progenitor's interface
//! of the builders (the documentation progenitor writes on every `Client` method shows it), it
//! makes the generated crate usable on its own, and, calling the two halves, it costs five
//! statements per operation. The `exec` it calls is progenitor's default hook, the client's
//! `reqwest::Client::execute` (`HooksMode::Optional`: the crate implements no hooks).
//!
//! progenitor's `send` also awaits the hooks `pre` and `post` around `exec`. The generated
//! crate cannot implement them otherwise than as progenitor's empty defaults (the orphan rule
//! puts an implementation of `ClientHooks` in the crate that defines `Client`), so the new
//! `send` leaves them out.
//!
//! The statements are matched on their tokens (as progenitor 0.15 writes them, after
//! `strip.rs`); a `send` of another shape makes generation fail here rather than emit a
//! builder that does something else.

use super::rewrite::{each_impl, tokens_of};
use crate::error::XtaskError;

/// The start of the statement that builds the operation's info, which only `exec` reads.
const INFO: &str = "let info = OperationInfo {";
/// What progenitor 0.15 writes between the info and the answer's reading, in this order.
const SEND: [&str; 4] = [
    "client . pre (& mut request , & info) . await ? ;",
    "let result = client . exec (request , & info) . await ;",
    "client . post (& result , & info) . await ? ;",
    "let response = result ? ;",
];

/// Splits every generated `send` into `build_request` and `read_response` and makes `send`
/// call them; returns how many it split.
pub fn split_sends(file: &mut syn::File) -> Result<usize, XtaskError> {
    each_impl(&mut file.items, &mut |block| {
        let mut halves = Vec::new();
        for member in &mut block.items {
            if let syn::ImplItem::Fn(function) = member
                && function.sig.ident == "send"
            {
                halves.extend(split(function)?);
            }
        }
        let split = halves.len() / 2;
        block.items.extend(halves);
        Ok(split)
    })
}

/// Cuts `build_request` and `read_response` from one `send` and rewrites `send` to call them.
fn split(send: &mut syn::ImplItemFn) -> Result<[syn::ImplItem; 2], XtaskError> {
    let name = send.sig.ident.clone();
    let stmts = &send.block.stmts;
    let Some(info) = stmts.iter().position(|s| tokens_of(s).starts_with(INFO)) else {
        return Err(unexpected(&name, "no `OperationInfo`"));
    };
    for (offset, expected) in SEND.iter().enumerate() {
        if stmts.get(info + 1 + offset).map(tokens_of).as_deref() != Some(*expected) {
            return Err(unexpected(&name, &format!("no `{expected}` after it")));
        }
    }
    let error = error_type(&send.sig.output)
        .ok_or_else(|| unexpected(&name, "its output is not `Result<ResponseValue<T>, E>`"))?;
    let output = &send.sig.output;
    let (before, info_stmt, after) = (
        &stmts[..info],
        &stmts[info],
        &stmts[info + 1 + SEND.len()..],
    );
    let build = parse(
        &name,
        quote::quote! {
            /// The request this operation sends, built but not sent: path, query, headers
            /// and JSON body. [`send`](Self::send) sends it; a caller that sends it itself
            /// reads the answer with [`read_response`](Self::read_response).
            pub fn build_request(self) -> Result<::reqwest::Request, #error> {
                #(#before)*
                Ok(request)
            }
        },
    )?;
    let read = parse(
        &name,
        quote::quote! {
            /// What the answer to [`build_request`](Self::build_request)'s request means: the
            /// documented success type, a documented error status decoded as its error type,
            /// any other status as `Error::UnexpectedResponse` with the body unread.
            pub async fn read_response(response: ::reqwest::Response) #output {
                #(#after)*
            }
        },
    )?;
    send.block = syn::parse2(quote::quote! {{
        let client = self.client;
        let request = self.build_request()?;
        #info_stmt
        let response = client.exec(request, &info).await?;
        Self::read_response(response).await
    }})
    .map_err(|e| could_not(&name, &e))?;
    Ok([build, read])
}

fn parse(name: &syn::Ident, tokens: proc_macro2::TokenStream) -> Result<syn::ImplItem, XtaskError> {
    syn::parse2(tokens).map_err(|e| could_not(name, &e))
}

/// The error type `E` of a `-> Result<ResponseValue<T>, E>` output.
fn error_type(output: &syn::ReturnType) -> Option<&syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let syn::Type::Path(path) = ty.as_ref() else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    match arguments.args.iter().collect::<Vec<_>>().as_slice() {
        [
            syn::GenericArgument::Type(ok),
            syn::GenericArgument::Type(error),
        ] if tokens_of(ok).starts_with("ResponseValue <") => Some(error),
        _ => None,
    }
}

fn could_not(name: &syn::Ident, error: &syn::Error) -> XtaskError {
    XtaskError::new(format!(
        "could not split `{name}` ({error}); update xtask/src/generate/halves.rs"
    ))
}

fn unexpected(name: &syn::Ident, what: &str) -> XtaskError {
    XtaskError::new(format!(
        "progenitor's `{name}` no longer has the expected shape ({what}); update \
         xtask/src/generate/halves.rs"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn send_with(body: &str) -> syn::File {
        syn::parse_str(&format!(
            "mod builder {{ impl<'a> GetKey<'a> {{ \
             pub async fn send(self) -> Result<ResponseValue<types::Key>, Error<types::Bad>> {{ {body} }} }} }}"
        ))
        .unwrap()
    }

    const SEND: &str = r#"let Self { client, hash } = self;
        let url = format!("{}/keys/{}", client.baseurl, crate::encode_segment(&hash));
        #[allow(unused_mut)]
        let mut request = client.client.get(url).build()?;
        let info = OperationInfo { operation_id: "get_key" };
        client.pre(&mut request, &info).await?;
        let result = client.exec(request, &info).await;
        client.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            _ => Err(Error::UnexpectedResponse(response)),
        }"#;

    /// The text of the function `name` in `out` (up to the next function).
    fn function<'a>(out: &'a str, name: &str) -> &'a str {
        let start = out.find(&format!("fn {name}")).unwrap();
        let rest = &out[start + 3..];
        &out[start..start + 3 + rest.find(" fn ").unwrap_or(rest.len())]
    }

    #[test]
    fn send_is_cut_into_its_two_halves_and_calls_them() {
        let mut file = send_with(SEND);
        assert_eq!(split_sends(&mut file).unwrap(), 1);
        let out = file.to_token_stream().to_string();
        let build = function(&out, "build_request");
        assert!(
            build.contains("-> Result < :: reqwest :: Request , Error < types :: Bad > >"),
            "{build}"
        );
        assert!(build.contains("encode_segment (& hash)"), "{build}");
        assert!(build.contains("Ok (request)"), "{build}");
        assert!(
            !build.contains("OperationInfo") && !build.contains("exec"),
            "{build}"
        );
        let read = function(&out, "read_response");
        assert!(
            read.contains(
                "(response : :: reqwest :: Response) -> Result < ResponseValue < types :: Key > , Error < types :: Bad > >"
            ),
            "{read}"
        );
        assert!(read.contains("match response . status ()"), "{read}");
        assert!(!read.contains("result ?"), "{read}");
        // `send` holds none of either half, only the calls, and no call of the no-op hooks.
        let send = function(&out, "send");
        assert!(send.contains("self . build_request () ?"), "{send}");
        assert!(
            send.contains("client . exec (request , & info) . await ?"),
            "{send}"
        );
        assert!(
            send.contains("Self :: read_response (response) . await"),
            "{send}"
        );
        assert!(send.contains("operation_id : \"get_key\""), "{send}");
        for statement in ["encode_segment", "match response", "pre (", "post ("] {
            assert!(!send.contains(statement), "{statement}: {send}");
        }
        assert_eq!(out.matches("encode_segment").count(), 1, "{out}");
        assert_eq!(out.matches("match response").count(), 1, "{out}");
    }

    #[test]
    fn a_send_of_another_shape_is_an_error() {
        let mut file = send_with(&SEND.replace("let response = result?;", ""));
        let error = split_sends(&mut file).unwrap_err().to_string();
        assert!(
            error.contains("`send`") && error.contains("halves.rs"),
            "{error}"
        );
        let mut file = send_with(&SEND.replace("client.exec(request, &info)", "go(request)"));
        let error = split_sends(&mut file).unwrap_err().to_string();
        assert!(error.contains("exec"), "{error}");
        let mut file = send_with(&SEND.replace("client.post(&result, &info).await?;", ""));
        let error = split_sends(&mut file).unwrap_err().to_string();
        assert!(error.contains("post"), "{error}");
    }
}
