//! Reads the upstream OpenAPI document from an `http://` or `https://` URL, for `spec-diff`, so
//! that a scheduled CI job can compare our spec with the live published one.
//!
//! Uses the workspace's HTTP stack (reqwest with rustls and the aws-lc-rs provider reqwest
//! gives its own client, as the SDK: nothing installed process-wide), one total timeout
//! (connect, headers and body), and a cap on the body: a declared length over the cap is
//! refused before reading, and an undeclared one is read chunk by chunk and abandoned as soon
//! as it passes the cap.

use crate::document::parse_document;
use crate::error::XtaskError;
use serde_json::Value;
use std::time::Duration;

/// How long fetching may take, unless `--timeout` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest document accepted (OpenRouter's whole published document is about 1.4 MB).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;

/// Whether the argument names a document on the web rather than a file.
pub fn is_url(location: &str) -> bool {
    location.starts_with("http://") || location.starts_with("https://")
}

/// Fetches and parses the document at `url`.
pub fn fetch_document(url: &str, timeout: Duration) -> Result<Value, XtaskError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| XtaskError::new(format!("cannot start the HTTP runtime: {e}")))?;
    let (text, is_json) = runtime
        .block_on(fetch_text(url, timeout, MAX_BYTES))
        .map_err(|e| e.in_file(url))?;
    parse_document(&text, is_json).map_err(|e| e.in_file(url))
}

/// The body of a successful GET of `url` as text, and whether it is JSON (by content type or
/// a `.json` path).
async fn fetch_text(
    url: &str,
    timeout: Duration,
    max_bytes: usize,
) -> Result<(String, bool), XtaskError> {
    let failed = |e: reqwest::Error| {
        let what = if e.is_timeout() {
            format!("no complete answer within {timeout:?}")
        } else {
            e.to_string()
        };
        XtaskError::new(format!(
            "cannot fetch the upstream document ({what}); check the URL and the network, or \
             pass a longer --timeout"
        ))
    };
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(failed)?;
    let mut response = client
        .get(url)
        .header(
            reqwest::header::ACCEPT,
            "application/yaml, application/json;q=0.9, */*;q=0.1",
        )
        .send()
        .await
        .map_err(failed)?;
    let status = response.status();
    if !status.is_success() {
        return Err(XtaskError::new(format!(
            "the server answered {status} instead of the document; check the URL"
        )));
    }
    let too_large = || {
        XtaskError::new(format!(
            "the document is larger than {} MiB; is this the right URL?",
            max_bytes >> 20
        ))
    };
    if response
        .content_length()
        .is_some_and(|length| length > max_bytes as u64)
    {
        return Err(too_large());
    }
    let is_json = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
        || response.url().path().ends_with(".json");
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if body.len() + chunk.len() > max_bytes {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    let text =
        String::from_utf8(body).map_err(|_| XtaskError::new("the document is not UTF-8 text"))?;
    Ok((text, is_json))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths() {
        assert!(is_url("https://openrouter.ai/openapi.yaml"));
        assert!(is_url("http://127.0.0.1:8080/x.json"));
        assert!(!is_url(
            "../shared/openrouter/upstream/openapi-keys-subset.yaml"
        ));
        assert!(!is_url("httpdocs/spec.yaml"));
    }
}
