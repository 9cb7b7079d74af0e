//! What the SDK suggests doing about an answer, when it can tell: the texts of
//! [`ApiError::hint`](crate::ApiError::hint) and [`DecodeError::hint`](crate::DecodeError::hint).
//!
//! Which hint an error status gets follows from the facts its operation declared ([`Rules`]:
//! the key it needs, what a 404 means for it); the words are here, in one place. Where a hint
//! rests on our inference rather than a source, it says so ("may be", "likely").

use crate::client::DEFAULT_BASE_URL;
use crate::key_source::KeySource;
use crate::redact::{Redactor, excerpt};
use crate::rules::{KeyNeeded, NotFound, Rules};
use crate::shown_url::ShownUrl;
use reqwest::StatusCode;

/// What the user can do about an error status of `rules`' operation, when the SDK can tell.
/// `base_url` is the client's, `key` where its key came from.
pub(crate) fn for_status(
    rules: &Rules,
    status: StatusCode,
    base_url: &str,
    key: &KeySource,
) -> Option<String> {
    if status == StatusCode::NOT_FOUND
        && let NotFound::Means(means) = rules.not_found
    {
        return Some(means.to_string());
    }
    let origin = key.parenthetical();
    let base_url = ShownUrl::of(base_url);
    match (status.as_u16(), rules.key) {
        // No source documents a 404 for such a route (`GET /key`, without parameters): the
        // URL is the likely cause (our inference, worded as such). Other routes may answer
        // 404 (the newest official SDKs map one for `GET /keys`), so they get only
        // `foreign_404`.
        (404, _) if rules.not_found == NotFound::WrongBaseUrl => Some(format!(
            "{} answered 404, which OpenRouter does not document for it: the base URL \
             `{base_url}` is probably wrong (OpenRouter's is {DEFAULT_BASE_URL})",
            rules.id.route()
        )),
        (401, KeyNeeded::Any) => Some(format!(
            "The API key{origin} was refused: check that it is complete and not disabled or expired"
        )),
        (401, KeyNeeded::Management { routes }) => Some(format!(
            "The API key{origin} was refused: check that it is complete and not disabled or \
             expired; operations on {routes} need a management key"
        )),
        (403, KeyNeeded::Management { routes }) => {
            Some(format!("Operations on {routes} need a management key"))
        }
        _ => None,
    }
}

/// For a 404 whose body is not OpenRouter's error JSON: the API documents that JSON for its
/// errors, so the answer more likely came from a server that is not the API, at a wrong base
/// URL (our inference, worded as such).
#[cold]
pub(crate) fn foreign_404(base_url: &str) -> String {
    let base_url = ShownUrl::of(base_url);
    format!(
        "the 404 did not carry OpenRouter's JSON error body, which the API documents for its \
         errors: the base URL `{base_url}` may be wrong (OpenRouter's is {DEFAULT_BASE_URL})"
    )
}

/// For a redirect, which this crate's HTTP client does not follow (see
/// `client::http_client_builder`): where it pointed (`location`, scrubbed), and why not.
#[cold]
pub(crate) fn redirect(location: Option<&str>, base_url: &str) -> String {
    let pointed = location.map_or_else(String::new, |to| format!(" to `{to}`"));
    let base_url = ShownUrl::of(base_url);
    format!(
        "the server redirected the request{pointed}, and this client does not follow \
         redirects (a redirected POST would arrive as a GET, and the call's headers would go \
         to another server): the base URL `{base_url}` may be wrong (OpenRouter's is \
         {DEFAULT_BASE_URL})"
    )
}

/// For a success body that is OpenRouter's error envelope: the API (or a proxy or gateway
/// that rewrote the status, our inference) reported an error, so the call most likely did not
/// do what it asked.
#[cold]
pub(crate) fn error_envelope() -> &'static str {
    "OpenRouter reported an error under a success status (a proxy or gateway may have \
     rewritten the status): the operation most likely did not happen; check its effect \
     before relying on it"
}

/// For a success body that is not JSON at all (a web page, an empty body, compressed bytes):
/// it did not come from OpenRouter's API, whose answers are JSON documents, so the base URL
/// or a proxy is the likely cause (our inference, worded as such). `None` for a body that
/// looks like JSON.
#[cold]
pub(crate) fn not_json(body: &[u8], redactor: &Redactor<'_>, base_url: &str) -> Option<String> {
    let start = body.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(start, Some(b'{' | b'[')) {
        return None;
    }
    let shown: String = excerpt(body, 60, redactor)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let begins = if body.is_empty() {
        "the body is empty".to_string()
    } else {
        format!("the body is not JSON (it begins `{}`)", shown.trim())
    };
    let base_url = ShownUrl::of(base_url);
    Some(format!(
        "{begins}: it is likely not an answer of OpenRouter's API; check the base URL \
         `{base_url}` (OpenRouter's is {DEFAULT_BASE_URL}) and any proxy in between"
    ))
}
