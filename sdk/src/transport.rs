//! What the SDK adds around each attempt on the wire.
//!
//! A call builds each attempt's request with the generated builder's `build_request` (path
//! encoding, query, JSON body), and sends it with the client's one `reqwest::Client`; the two
//! hooks here run right before and right after that send. One `ClientTransport` serves every
//! call of a `Client`; the attempt's own context is an [`AttemptIo`] in the call's future.
//! Before: the credential and client headers, the call's own headers, and the attempt's
//! timeout (cut to what is left of the call's deadline by the call). After: what the attempt
//! saw (status, request id, `Retry-After`) for the call's record, and tracing. [`capped`]
//! caps the response body. Whether to try again is decided by the call (`call.rs`), and the
//! loop (`exchange.rs`) rebuilds the request from the operation's parameters: no request is
//! copied in case it fails, and a body cut off midway fails its attempt like any other broken
//! connection.

use crate::error::Sent;
use crate::redact::Redactor;
use crate::retry::AttemptEnd;
use crate::retry_after::requested_wait;
use reqwest::ResponseBuilderExt;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use secrecy::SecretString;
use std::fmt;
use std::time::{Duration, Instant, SystemTime};

/// Response bodies above this size fail to read, so a misbehaving server cannot exhaust
/// memory.
pub(crate) const MAX_BODY: usize = 16 * 1024 * 1024;

/// Headers gateways and OpenRouter use for a request id, in order of preference.
const REQUEST_ID_HEADERS: [HeaderName; 3] = [
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("x-openrouter-request-id"),
    HeaderName::from_static("cf-ray"),
];

/// The request id header a response carries, if any (a cheap, shared copy of its bytes).
///
/// One pass over the handful of names present, instead of hashing three names that are often
/// absent: a standard name (`content-type`, ...) differs from these custom ones at its first
/// comparison. Every response pays for this, since a 2xx whose body then fails to decode
/// reaches the call without its headers.
fn request_id_value(headers: &HeaderMap) -> Option<HeaderValue> {
    let mut best: Option<(usize, &HeaderValue)> = None;
    for (name, value) in headers {
        if let Some(rank) = REQUEST_ID_HEADERS.iter().position(|id| id == name)
            && best.is_none_or(|(best, _)| rank < best)
        {
            best = Some((rank, value));
        }
    }
    best.map(|(_, value)| value.clone())
}

/// What the attempts of one call saw, read by the call to decide on retries and to build
/// its error. Filled from each failed attempt's [`AttemptIo`]; a success never reads it.
#[derive(Debug, Default, Clone)]
pub(crate) struct CallRecord {
    /// Attempts sent.
    pub attempts: u32,
    /// How the last attempt ended, as classified by the call.
    pub last_end: Option<AttemptEnd>,
    /// Whether any attempt was interrupted after the request may have been acted on.
    pub any_interrupted: bool,
    /// What the attempts sent, the last one included: whether any may have been acted on by
    /// the server (interrupted after the request may have been sent, or answered 5xx or 408;
    /// a refused or timed-out connection, or a 429, is not).
    pub sent: Sent,
    /// What the attempts before the last one sent.
    pub earlier: Sent,
    /// Status of the last response received, if any.
    pub last_status: Option<reqwest::StatusCode>,
    /// Request id header of the last response received, if any.
    last_request_id: Option<HeaderValue>,
    /// Wait the last response asked for, if any.
    pub last_retry_after: Option<Duration>,
    /// Whether the last attempt's timeout was cut short by the call's deadline.
    pub last_attempt_hit_deadline: bool,
}

impl CallRecord {
    /// Nothing seen yet.
    pub const EMPTY: CallRecord = CallRecord {
        attempts: 0,
        last_end: None,
        any_interrupted: false,
        sent: Sent::Nothing,
        earlier: Sent::Nothing,
        last_status: None,
        last_request_id: None,
        last_retry_after: None,
        last_attempt_hit_deadline: false,
    };

    /// Whether any attempt may have been acted on by the server.
    pub fn maybe_acted(&self) -> bool {
        self.sent == Sent::MayHaveActed
    }

    /// The request id of the last response received, if any.
    pub fn last_request_id(&self) -> Option<String> {
        self.last_request_id
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// Adds what a failed attempt's hooks saw.
    pub fn add(&mut self, io: &mut AttemptIo) {
        if !io.sent {
            return;
        }
        self.attempts += 1;
        self.last_attempt_hit_deadline = io.hit_deadline;
        if io.status.is_some() {
            self.last_status = io.status;
            self.last_request_id = io.request_id.take();
            self.last_retry_after = io.retry_after;
        }
    }
}

/// What one attempt's hooks read (set by the call) and write (read back by the call after a
/// failure). It lives in the call's own future, next to the attempt it describes.
#[derive(Debug, Default)]
pub(crate) struct AttemptIo {
    /// In: this attempt's timeout, already cut to what is left of the call's deadline.
    pub timeout: Duration,
    /// In: whether that cut made it shorter than the per-attempt timeout (when it passes,
    /// the call's deadline has).
    pub hit_deadline: bool,
    /// In: the attempt's number, from 1 (for traces).
    pub number: u32,
    /// In: whether someone listens to this call's span or to debug events.
    pub traced: bool,
    /// Out: whether the request was handed to the HTTP client.
    pub sent: bool,
    /// Out: status of the response, if one arrived.
    pub status: Option<reqwest::StatusCode>,
    /// Out: request id header of the response, if any (a cheap, shared copy of its bytes).
    pub request_id: Option<HeaderValue>,
    /// Out: the wait an error response asked for, if any.
    pub retry_after: Option<Duration>,
    /// Out: when the request was sent, if traced (for its latency).
    pub sent_at: Option<Instant>,
}

impl AttemptIo {
    /// Ready for attempt `number`, with this timeout (`hit_deadline`: cut short by the call's
    /// deadline); what an earlier attempt saw is cleared.
    pub fn start(&mut self, number: u32, timeout: Duration, hit_deadline: bool) {
        self.number = number;
        self.timeout = timeout;
        self.hit_deadline = hit_deadline;
        self.sent = false;
        self.status = None;
        self.request_id = None;
        self.retry_after = None;
        self.sent_at = None;
    }
}

/// What every call of one client adds to its requests: the client's credential and headers.
/// Its two hooks run around each attempt's send, with that attempt's [`AttemptIo`].
pub(crate) struct ClientTransport {
    /// The client's key, to scrub it from request ids in traces.
    pub api_key: SecretString,
    pub authorization: HeaderValue,
    pub user_agent: HeaderValue,
    pub attribution: Vec<(HeaderName, HeaderValue)>,
}

impl fmt::Debug for ClientTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientTransport")
            .field("api_key", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

impl ClientTransport {
    /// Right before `request` is sent: the credential, the client's and the call's headers
    /// (`call_headers`), and the attempt's timeout.
    pub fn before_send(
        &self,
        request: &mut reqwest::Request,
        call_headers: &[(HeaderName, HeaderValue)],
        io: &mut AttemptIo,
    ) {
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        for (name, value) in self.attribution.iter().chain(call_headers) {
            headers.insert(name.clone(), value.clone());
        }
        io.sent = true;
        if io.traced {
            // The clock is read for latency only when debug events are on.
            io.sent_at = tracing::enabled!(tracing::Level::DEBUG).then(Instant::now);
        }
        *request.timeout_mut() = Some(io.timeout);
    }

    /// Right after sending returned `outcome`: notes what the attempt saw in `io` (status,
    /// request id, the wait an error asked for) and traces it when someone listens. It reads
    /// `outcome` in place: the response is not moved through it.
    pub fn after_send(
        &self,
        outcome: &reqwest::Result<reqwest::Response>,
        operation: &'static str,
        io: &mut AttemptIo,
    ) {
        if let Ok(response) = outcome {
            let status = response.status();
            io.status = Some(status);
            io.request_id = request_id_value(response.headers());
            // A success asks for no wait; only errors are worth reading the headers for.
            if !status.is_success() {
                io.retry_after = requested_wait(response.headers(), SystemTime::now());
            }
        }
        // When nobody listens, tracing costs this check; the recording code is cold.
        if io.traced {
            self.trace(outcome, operation, io);
        }
    }

    #[cold]
    #[inline(never)]
    fn trace(
        &self,
        outcome: &reqwest::Result<reqwest::Response>,
        operation: &'static str,
        io: &AttemptIo,
    ) {
        match outcome {
            Ok(response) => {
                let redactor = Redactor::new(&self.api_key, None);
                let id = io.request_id.as_ref().map(|id| redactor.header(id));
                trace_answered(
                    operation,
                    io.number,
                    response.status(),
                    id.as_deref(),
                    io.sent_at,
                );
            }
            Err(error) => trace_failed(operation, io.number, error, io.sent_at),
        }
    }
}

/// Traces an answered attempt as a debug event. `id` is the request
/// id, already scrubbed: it is text from the network.
#[cold]
#[inline(never)]
fn trace_answered(
    operation: &str,
    attempt: u32,
    status: reqwest::StatusCode,
    id: Option<&str>,
    sent: Option<Instant>,
) {
    tracing::debug!(
        operation,
        attempt,
        status = status.as_u16(),
        request_id = id,
        latency_ms = sent.map(|at| at.elapsed().as_millis() as u64),
        "attempt answered"
    );
}

/// Traces a failed attempt as a debug event.
#[cold]
#[inline(never)]
fn trace_failed(operation: &str, attempt: u32, error: &reqwest::Error, sent: Option<Instant>) {
    tracing::debug!(
        operation,
        attempt,
        timeout = error.is_timeout(),
        connect = error.is_connect(),
        latency_ms = sent.map(|at| at.elapsed().as_millis() as u64),
        "attempt failed"
    );
}

/// A body refused from its `Content-Length` alone, before any of it was read.
#[derive(Debug, thiserror::Error)]
#[error("the response declares a {0}-byte body, more than the {max} MiB this client reads", max = MAX_BODY >> 20)]
pub(crate) struct DeclaredTooLarge(u64);

/// Whether reading a body failed because it ran past [`MAX_BODY`] (or declared it would).
pub(crate) fn body_over_limit(error: &reqwest::Error) -> bool {
    let mut cause = std::error::Error::source(error);
    while let Some(error) = cause {
        if error.is::<http_body_util::LengthLimitError>() || error.is::<DeclaredTooLarge>() {
            return true;
        }
        cause = error.source();
    }
    false
}

/// The response with its body limited to [`MAX_BODY`]. A body that declares a length within
/// the limit is passed on as it is (hyper already fails a body that runs past its declared
/// length); one that declares more is refused without reading a byte of it (its body is
/// replaced by one whose first read fails); any other is wrapped so that reading it fails
/// once past the limit.
pub(crate) fn capped(response: reqwest::Response) -> reqwest::Response {
    if within_cap(&response) {
        return response;
    }
    let declared = response.content_length();
    wrap_body(response, declared)
}

/// Whether `response` declares a length within [`MAX_BODY`] (hyper knows the exact length
/// when the response declared one), so that it needs no wrapping.
fn within_cap(response: &reqwest::Response) -> bool {
    response
        .content_length()
        .is_some_and(|length| length <= MAX_BODY as u64)
}

/// [`capped`] for a body that declared no length or one over the limit.
#[cold]
#[inline(never)]
fn wrap_body(response: reqwest::Response, declared: Option<u64>) -> reqwest::Response {
    let (parts, body) = into_parts(response);
    let body = match declared {
        Some(length) => {
            // Dropping the original body closes the connection instead of draining it.
            drop(body);
            let refusal = futures_util::stream::iter([Err::<http_body::Frame<bytes::Bytes>, _>(
                DeclaredTooLarge(length),
            )]);
            reqwest::Body::wrap(http_body_util::StreamBody::new(refusal))
        }
        None => reqwest::Body::wrap(http_body_util::Limited::new(body, MAX_BODY)),
    };
    reqwest::Response::from(http::Response::from_parts(parts, body))
}

/// The whole body of `response`, [`capped`], read as `Response::bytes` reads it (same errors,
/// the URL in them), by a future less than half the size: `bytes` keeps the response twice in
/// its state (as its argument and in the `async fn` it awaits) besides the body's own future,
/// and every call in flight holds that state while its answer arrives. A body of one chunk,
/// the usual case, is passed on without a copy. The cap is applied inside, where the response
/// already is, rather than on the way in (each function a response passes through by value
/// copies its 136 bytes). (An `async` block, not an `async fn`: an async fn moves its argument
/// into a local of its body, and rustc may keep both in its state, rust-lang/rust#62958.)
#[allow(clippy::manual_async_fn)] // on purpose, see above
pub(crate) fn read_body(
    mut response: reqwest::Response,
) -> impl std::future::Future<Output = reqwest::Result<bytes::Bytes>> + Send {
    async move {
        if !within_cap(&response) {
            let declared = response.content_length();
            response = wrap_body(response, declared);
        }
        let first = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return Ok(bytes::Bytes::new()),
            Err(error) => return Err(error.with_url(response.url().clone())),
        };
        let mut joined: Option<Vec<u8>> = None;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => joined
                    .get_or_insert_with(|| first.to_vec())
                    .extend_from_slice(&chunk),
                Ok(None) => return Ok(joined.map_or(first, bytes::Bytes::from)),
                Err(error) => return Err(error.with_url(response.url().clone())),
            }
        }
    }
}

/// Head and body of a response, the URL kept in the head's extensions so that a response
/// rebuilt from them keeps `url()` (and reqwest does not parse a placeholder URL instead).
fn into_parts(response: reqwest::Response) -> (http::response::Parts, reqwest::Body) {
    let url = response.url().clone();
    let (mut parts, body) = http::Response::from(response).into_parts();
    if let Ok(with_url) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(with_url.into_parts().0.extensions);
    }
    (parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response whose body arrives in these chunks (and then fails, if `fail`).
    fn chunked(chunks: &'static [&'static str], fail: bool) -> reqwest::Response {
        let frames = chunks
            .iter()
            .map(|chunk| Ok(bytes::Bytes::from_static(chunk.as_bytes())))
            .chain(fail.then(|| Err(std::io::Error::other("cut off"))));
        let body = reqwest::Body::wrap_stream(futures_util::stream::iter(frames));
        reqwest::Response::from(http::Response::new(body))
    }

    #[tokio::test]
    async fn read_body_reads_every_chunk_of_a_body() {
        let whole = |chunks| async move { read_body(chunked(chunks, false)).await.unwrap() };
        assert_eq!(whole(&[]).await, "");
        assert_eq!(whole(&["{\"data\": []}"]).await, "{\"data\": []}");
        assert_eq!(whole(&["{\"da", "ta\": ", "[]}"]).await, "{\"data\": []}");
        for chunks in [&[][..], &["{\"da"][..], &["{\"da", "ta\""][..]] {
            let error = read_body(chunked(chunks, true)).await.unwrap_err();
            assert!(error.is_decode() || error.is_body(), "{error:?}");
        }
    }
}
