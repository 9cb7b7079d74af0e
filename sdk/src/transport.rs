//! The retry loop: sends one generated request, attempt after attempt, until it may stop.
//!
//! It implements the generated crate's `Transport` seam, so progenitor builds the request
//! (path encoding, query, JSON body) and decodes the final response, while everything between
//! (headers, per-attempt timeout, retry classification, backoff, `Retry-After`, tracing)
//! happens here. Each attempt reads the whole body before deciding, so a body cut off midway
//! counts as a failed attempt and can be retried like any other.

use crate::client::Shared;
use crate::retry::{AttemptEnd, Idempotency, RetryPolicy, should_retry};
use crate::retry_after::requested_wait;
use openrouter_keys_codegen::{BoxFuture, Transport};
use reqwest::ResponseBuilderExt;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Response bodies above this size are cut, so a misbehaving server cannot exhaust memory.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Headers gateways and OpenRouter use for a request id, in order of preference. (Typed
/// names: looking a header up by `&str` parses the name on every call.)
const REQUEST_ID_HEADERS: [HeaderName; 3] = [
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("x-openrouter-request-id"),
    HeaderName::from_static("cf-ray"),
];

/// The header progenitor adds (`api-version: <info.version>`) and OpenRouter does not use.
const API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// The request id a response carries, if any.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(name)?.to_str().ok())
        .map(str::to_string)
}

/// What the loop learned, read by the call after the generated code returns.
#[derive(Debug, Default, Clone)]
pub(crate) struct CallRecord {
    /// Attempts started.
    pub attempts: u32,
    /// How the last attempt ended.
    pub last_end: Option<AttemptEnd>,
    /// Whether any attempt was interrupted after the request may have been acted on.
    pub any_interrupted: bool,
    /// Status of the last response received, if any.
    pub last_status: Option<reqwest::StatusCode>,
    /// Request id of the last response received, if any.
    pub last_request_id: Option<String>,
    /// Wait the last response asked for, if any.
    pub last_retry_after: Option<Duration>,
    /// Whether the last attempt's timeout was cut short by the call's deadline.
    pub last_attempt_hit_deadline: bool,
}

/// One call's transport: the client's settings plus this call's options.
#[derive(Debug)]
pub(crate) struct CallTransport {
    pub shared: Arc<Shared>,
    /// Decided by the SDK from the operation it is calling, not from the generated
    /// operation id, so that retry safety cannot hinge on a naming convention.
    pub idempotency: Idempotency,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub extra_headers: Vec<(HeaderName, HeaderValue)>,
    pub retry_on_unknown_outcome: bool,
    pub started: Instant,
    pub record: Mutex<CallRecord>,
}

impl CallTransport {
    /// A snapshot of what has happened so far.
    pub fn record(&self) -> CallRecord {
        match self.record.lock() {
            Ok(record) => record.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn note(&self, update: impl FnOnce(&mut CallRecord)) {
        match self.record.lock() {
            Ok(mut record) => update(&mut record),
            Err(poisoned) => update(&mut poisoned.into_inner()),
        }
    }

    fn remaining(&self) -> Duration {
        self.retry
            .get_deadline()
            .saturating_sub(self.started.elapsed())
    }

    fn prepare(&self, request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        headers.remove(API_VERSION);
        headers.insert(AUTHORIZATION, self.shared.authorization.clone());
        headers.insert(USER_AGENT, self.shared.user_agent.clone());
        for (name, value) in self.shared.attribution.iter().chain(&self.extra_headers) {
            headers.insert(name.clone(), value.clone());
        }
    }

    async fn send_all(
        &self,
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> reqwest::Result<reqwest::Response> {
        self.prepare(&mut request);
        let idempotency = self.idempotency;
        let max_attempts = self.retry.get_max_attempts();
        let span = tracing::Span::current();
        let mut current = request;
        let mut attempt = 0;
        loop {
            attempt += 1;
            // A copy for the next attempt is made before this one consumes the request; none
            // when no further attempt is allowed or the body cannot be copied.
            let spare = if attempt < max_attempts {
                current.try_clone()
            } else {
                None
            };
            let mut this_try = current;
            // Each attempt gets its own timeout, cut to what is left of the call's deadline:
            // this is what bounds the whole call, without a second timer around it.
            let remaining = self.remaining();
            let hit_deadline = remaining < self.timeout;
            *this_try.timeout_mut() = Some(self.timeout.min(remaining));
            self.note(|r| {
                r.attempts = attempt;
                r.last_attempt_hit_deadline = hit_deadline;
            });
            span.record("attempt", attempt);
            let sent = Instant::now();
            let outcome = match self.shared.http.execute(this_try).await {
                Ok(response) => buffer(response).await,
                Err(e) => Err(e),
            };
            let latency_ms = sent.elapsed().as_millis() as u64;
            let (end, wait_hint, answered) = match &outcome {
                Ok(response) => {
                    let status = response.status();
                    let id = request_id(response.headers());
                    span.record("status", status.as_u16());
                    if let Some(id) = &id {
                        span.record("request_id", id.as_str());
                    }
                    tracing::debug!(
                        operation,
                        attempt,
                        status = status.as_u16(),
                        request_id = id.as_deref(),
                        latency_ms,
                        "attempt answered"
                    );
                    // A success asks for no wait; only errors are worth reading the headers for.
                    let hint = if status.is_success() {
                        None
                    } else {
                        requested_wait(response.headers(), SystemTime::now())
                    };
                    (AttemptEnd::Status(status), hint, Some((status, id)))
                }
                Err(e) => {
                    let end = if e.is_connect() {
                        AttemptEnd::ConnectFailed
                    } else {
                        AttemptEnd::Interrupted
                    };
                    tracing::debug!(
                        operation,
                        attempt,
                        timeout = e.is_timeout(),
                        connect = e.is_connect(),
                        latency_ms,
                        "attempt failed"
                    );
                    (end, None, None)
                }
            };
            self.note(|r| {
                r.last_end = Some(end);
                r.any_interrupted |= end == AttemptEnd::Interrupted;
                if let Some((status, id)) = answered {
                    r.last_status = Some(status);
                    r.last_request_id = id;
                    r.last_retry_after = wait_hint;
                }
            });
            let success = matches!(end, AttemptEnd::Status(s) if s.is_success());
            if success || !should_retry(idempotency, end, self.retry_on_unknown_outcome) {
                return outcome;
            }
            let Some(next) = spare else {
                return outcome;
            };
            let wait =
                wait_hint.unwrap_or_else(|| self.retry.backoff(attempt + 1, self.shared.random()));
            if wait >= self.remaining() {
                // The server (or the backoff) asks for longer than the call has left: return
                // now, with the wait in the error, instead of sleeping past the deadline.
                tracing::debug!(operation, attempt, ?wait, "retry would pass the deadline");
                return outcome;
            }
            tracing::debug!(operation, attempt, ?wait, "retrying");
            self.shared.sleep.sleep(wait).await;
            current = next;
        }
    }
}

impl Transport for CallTransport {
    fn execute<'a>(
        &'a self,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>> {
        Box::pin(self.send_all(request, operation_id))
    }
}

/// Reads the whole body (up to [`MAX_BODY`]) and returns an equivalent, fully buffered
/// response, so that a broken body fails this attempt rather than the decoding afterwards.
async fn buffer(mut response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let url = response.url().clone();
    let headers = std::mem::take(response.headers_mut());
    // Most bodies arrive in one chunk, which is kept as is; longer ones are joined.
    let body = match response.chunk().await? {
        None => bytes::Bytes::new(),
        Some(first) => match response.chunk().await? {
            None => first,
            Some(second) => {
                let mut joined = bytes::BytesMut::from(&first[..]);
                let mut next = Some(second);
                while let Some(chunk) = next {
                    let room = MAX_BODY.saturating_sub(joined.len());
                    joined.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    if room <= chunk.len() {
                        break;
                    }
                    next = response.chunk().await?;
                }
                joined.freeze()
            }
        },
    };
    // Carrying the URL over spares reqwest parsing a placeholder URL for every response.
    let mut builder = http::Response::builder()
        .status(status)
        .version(version)
        .url(url);
    if let Some(slot) = builder.headers_mut() {
        *slot = headers;
    }
    let rebuilt = match builder.body(reqwest::Body::from(body.clone())) {
        Ok(rebuilt) => rebuilt,
        // Unreachable with a status and version taken from a response; keep the data anyway.
        Err(_) => {
            let mut plain = http::Response::new(reqwest::Body::from(body));
            *plain.status_mut() = status;
            plain
        }
    };
    Ok(reqwest::Response::from(rebuilt))
}
