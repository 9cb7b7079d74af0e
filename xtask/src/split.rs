//! Each generated `send`, also as its two halves: `build_request` and `read_response`.
//!
//! progenitor's `send` builds the request (path encoding, query, JSON body), sends it through
//! the client's hooks, and reads the answer into a `ResponseValue`, which copies the response's
//! header map and is then moved, with the whole answer, through every layer above it. The SDK
//! sends the request itself and decodes a success straight into the generated type, which
//! keeps its success path as short as raw `reqwest`'s; it still needs progenitor's two halves:
//! the request exactly as `send` builds it, and, for an answer that is not a success, the
//! error exactly as `send` makes it (documented statuses decoded as their error type, others
//! left unread). So generation adds to each builder, next to `send` and cut from its body:
//!
//! - `build_request(self) -> Result<reqwest::Request, Error<E>>`: the statements before the
//!   send, ending with the built request;
//! - `read_response(response) -> Result<ResponseValue<T>, Error<E>>`: the statements after it.
//!
//! `send` itself is left as it is. The statements are matched on their tokens (as progenitor
//! 0.15 writes them, after `strip.rs`); a `send` of another shape makes generation fail here.

use crate::error::XtaskError;
use quote::ToTokens;

/// The statement that sends the request (after `strip.rs` removed the hooks around it).
const EXEC: &str = "let result = client . exec (request , & info) . await ;";
/// The statement after it, which takes the response out of the result.
const TAKE: &str = "let response = result ? ;";
/// The statement that builds the operation's info, which only `exec` reads.
const INFO: &str = "let info = OperationInfo {";

/// Adds `build_request` and `read_response` next to every generated `send`; returns how many
/// `send`s it split.
pub fn split_sends(file: &mut syn::File) -> Result<usize, XtaskError> {
    crate::strip::each_impl(&mut file.items, &mut |block| {
        let mut halves = Vec::new();
        for member in &block.items {
            if let syn::ImplItem::Fn(function) = member
                && function.sig.ident == "send"
            {
                halves.extend(halves_of(function)?);
            }
        }
        let split = halves.len() / 2;
        block.items.extend(halves);
        Ok(split)
    })
}

/// `build_request` and `read_response` cut from one `send`.
fn halves_of(send: &syn::ImplItemFn) -> Result<[syn::ImplItem; 2], XtaskError> {
    let name = &send.sig.ident;
    let text = |stmt: &syn::Stmt| stmt.to_token_stream().to_string();
    let stmts = &send.block.stmts;
    let Some(exec) = stmts.iter().position(|s| text(s) == EXEC) else {
        return Err(unexpected(name, "no `exec` of the built request"));
    };
    if stmts.get(exec + 1).map(text).as_deref() != Some(TAKE) {
        return Err(unexpected(name, "no `result?` after `exec`"));
    }
    let (ok, error) = result_types(&send.sig.output).ok_or_else(|| {
        unexpected(
            name,
            "its output is not `Result<ResponseValue<T>, Error<E>>`",
        )
    })?;
    let before: Vec<String> = stmts[..exec]
        .iter()
        .map(text)
        .filter(|stmt| !stmt.starts_with(INFO))
        .collect();
    if before.len() != exec - 1 {
        return Err(unexpected(name, "no `OperationInfo` before `exec`"));
    }
    let after: Vec<String> = stmts[exec + 2..].iter().map(text).collect();
    let build = format!(
        "/// The request [`send`](Self::send) sends, built but not sent: for callers that \
         send it themselves (and read the answer with [`read_response`](Self::read_response)).\n\
         pub fn build_request(self) -> Result<::reqwest::Request, {error}> {{ {} Ok(request) }}",
        before.join(" ")
    );
    let read = format!(
        "/// What [`send`](Self::send) makes of the answer to the request it sent.\n\
         pub async fn read_response(response: ::reqwest::Response) -> Result<{ok}, {error}> {{ {} }}",
        after.join(" ")
    );
    let parse = |source: String| {
        syn::parse_str::<syn::ImplItem>(&source).map_err(|e| {
            XtaskError::new(format!(
                "could not split `{name}` ({e}); update xtask/src/split.rs"
            ))
        })
    };
    Ok([parse(build)?, parse(read)?])
}

/// The two type arguments of a `-> Result<T, E>` output, as text.
fn result_types(output: &syn::ReturnType) -> Option<(String, String)> {
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
    let types: Vec<String> = arguments
        .args
        .iter()
        .map(|argument| argument.to_token_stream().to_string())
        .collect();
    match types.as_slice() {
        [ok, error] if ok.starts_with("ResponseValue <") => Some((ok.clone(), error.clone())),
        _ => None,
    }
}

fn unexpected(name: &syn::Ident, what: &str) -> XtaskError {
    XtaskError::new(format!(
        "progenitor's `{name}` no longer has the expected shape ({what}); update xtask/src/split.rs"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let result = client.exec(request, &info).await;
        let response = result?;
        match response.status().as_u16() {
            200u16 => ResponseValue::from_response(response).await,
            _ => Err(Error::UnexpectedResponse(response)),
        }"#;

    #[test]
    fn send_gets_its_two_halves_and_stays_as_it_was() {
        let mut file = send_with(SEND);
        assert_eq!(split_sends(&mut file).unwrap(), 1);
        let out = file.to_token_stream().to_string();
        let send = &out[..out.find("fn build_request").unwrap()];
        assert!(
            send.contains("client . exec (request , & info) . await"),
            "{send}"
        );
        let build = &out[out.find("fn build_request").unwrap()..];
        let build = &build[..build.find("fn read_response").unwrap()];
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
        let read = &out[out.find("fn read_response").unwrap()..];
        assert!(
            read.contains(
                "(response : :: reqwest :: Response) -> Result < ResponseValue < types :: Key > , Error < types :: Bad > >"
            ),
            "{read}"
        );
        assert!(read.contains("match response . status ()"), "{read}");
        assert!(!read.contains("result ?"), "{read}");
    }

    #[test]
    fn a_send_of_another_shape_is_an_error() {
        let mut file = send_with(&SEND.replace("let response = result?;", ""));
        let error = split_sends(&mut file).unwrap_err().to_string();
        assert!(
            error.contains("`send`") && error.contains("split.rs"),
            "{error}"
        );
        let mut file = send_with(&SEND.replace("client.exec(request, &info)", "go(request)"));
        let error = split_sends(&mut file).unwrap_err().to_string();
        assert!(error.contains("exec"), "{error}");
    }
}
