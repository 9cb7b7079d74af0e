//! One call from start to result: the attempts with their context, deadline, tracing span,
//! and the mapping of whatever the generated client returned into this crate's [`Error`].
//!
//! A call borrows its client's settings and generated client and its own options; what it
//! owns is small (a clock reading and, after a failed attempt, the record of failures). Each
//! attempt's request is built by the generated builder and sent by the call's future
//! (`exchange.rs`), around the transport's two hooks; a success records nothing.

use crate::client::DEFAULT_BASE_URL;
use crate::client::{Client, Shared};
use crate::error::{
    ApiError, ApiErrorKind, ConnectionPhase, DecodeError, EXCERPT_LIMIT, Error, RAW_BODY_LIMIT,
    Result, TimeoutKind, excerpt,
};
use crate::input_field::InputField;
use crate::operation_id::OperationId;
use crate::options::CallOptions;
use crate::redact::Redactor;
use crate::retry::{AttemptEnd, Idempotency, RetryPolicy, should_retry};
use crate::retry_notice::RetryNotice;
use crate::sleep::BoxFuture;
use crate::transport::{AttemptIo, CallRecord, MAX_BODY, body_over_limit};
use openrouter_keys_codegen as codegen;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use std::time::{Duration, Instant};

/// The generated client's error, as its halves and the call return it.
pub(crate) type GeneratedError = codegen::Error<codegen::types::ErrorResponse>;

/// A call in progress: the client it runs on, its options, and what its failed attempts saw.
///
/// It borrows what it can (the client's settings, the options and secrets in the operation's
/// own future), so that what every call in flight holds stays small.
pub(crate) struct Call<'a> {
    shared: &'a Shared,
    options: &'a CallOptions,
    operation: OperationId,
    /// Decided by the SDK from the operation it is calling, not from the generated
    /// operation id, so that retry safety cannot hinge on a naming convention.
    idempotency: Idempotency,
    /// Time allowed for each attempt.
    timeout: Duration,
    started: Instant,
    /// What the failed attempts saw; allocated at the first failure (a success never reads it).
    record: Option<Box<CallRecord>>,
    /// A secret this call sends besides the client's key (a partner key in a create), to be
    /// scrubbed from anything the server says back.
    extra_secret: Option<&'a secrecy::SecretString>,
}

/// The record of a call none of whose attempts failed.
static NO_FAILURE: CallRecord = CallRecord::EMPTY;

impl<'a> Call<'a> {
    /// Prepares a call of `operation` with these options.
    pub fn start(
        client: &'a Client,
        operation: OperationId,
        options: &'a CallOptions,
    ) -> Result<Call<'a>> {
        options.check()?;
        let shared: &'a Shared = &client.shared;
        Ok(Call {
            shared,
            options,
            operation,
            idempotency: Idempotency::of(operation),
            timeout: options.timeout.unwrap_or(shared.timeout),
            started: Instant::now(),
            record: None,
            extra_secret: None,
        })
    }

    /// Also scrubs `secret` (sent in this call's body) from what the server says back.
    pub fn scrubbing(mut self, secret: Option<&'a secrecy::SecretString>) -> Self {
        self.extra_secret = secret;
        self
    }

    /// The retry policy: the call's own, or the client's.
    fn retry(&self) -> &'a RetryPolicy {
        self.options.retry.as_ref().unwrap_or(&self.shared.retry)
    }

    /// What the failed attempts saw so far.
    fn record(&self) -> &CallRecord {
        self.record.as_deref().unwrap_or(&NO_FAILURE)
    }

    /// The redactor for text from the network in this call's errors.
    fn redactor(&self) -> Redactor<'_> {
        Redactor::new(&self.shared.transport.api_key, self.extra_secret)
    }

    /// Time left before the call's deadline.
    fn remaining(&self) -> Duration {
        self.retry()
            .get_deadline()
            .saturating_sub(self.started.elapsed())
    }

    /// Attempt `number`'s timeout, cut to what is left of the call's deadline (this is what
    /// bounds the whole call, without a second timer around it), and whether it was cut.
    /// The first attempt starts microseconds after the call, with no await in between: the
    /// whole deadline is left, and the clock is not read again.
    pub fn attempt_timeout(&self, number: u32) -> (Duration, bool) {
        let remaining = if number == 1 {
            self.retry().get_deadline()
        } else {
            self.remaining()
        };
        (self.timeout.min(remaining), remaining < self.timeout)
    }

    /// The span of a call of `operation` (built only when someone may listen).
    #[cold]
    #[inline(never)]
    pub fn span(operation: OperationId) -> tracing::Span {
        tracing::info_span!(
            "openrouter_keys.call",
            operation = operation.as_str(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        )
    }

    /// Records the call's outcome on its span, once, at its end (`spanned`: someone listens
    /// to it; it is the current span while the call's future runs): the number of attempts,
    /// the last status and request id, the latency. Each attempt has its own debug event; a
    /// span field recorded per attempt would be printed once per attempt by `fmt` layers.
    pub fn finish(&self, spanned: bool, io: &AttemptIo) {
        if spanned {
            self.record_on_span(io);
        }
    }

    #[cold]
    #[inline(never)]
    fn record_on_span(&self, io: &AttemptIo) {
        let span = tracing::Span::current();
        span.record("attempts", io.number);
        if let Some(status) = io.status {
            span.record("status", status.as_u16());
        }
        if let Some(id) = &io.request_id {
            let id = self.redactor().header(id);
            span.record("request_id", id.as_str());
        }
        span.record("latency_ms", self.started.elapsed().as_millis() as u64);
    }

    /// The error path of a call (see `exchange.rs`), from the last attempt's error. Boxed
    /// behind `dyn` so that it takes no room in every call's future.
    pub fn fail<T: DeserializeOwned + Send>(
        &self,
        error: GeneratedError,
    ) -> BoxFuture<'_, Result<T>> {
        Box::pin(async move {
            let record = self.record();
            self.map_error::<T>(error, record)
                .await
                .map_err(|error| self.unknown_outcome(error, record))
        })
    }

    /// After attempt `number` failed with `error`: records what it saw and waits before the
    /// next one (`Ok`), or gives the error to return (`Err`).
    #[cold]
    pub fn after_failure(
        &mut self,
        error: GeneratedError,
        io: &mut AttemptIo,
        hit_deadline: bool,
        number: u32,
    ) -> BoxFuture<'_, std::result::Result<(), GeneratedError>> {
        self.record
            .get_or_insert_with(Box::default)
            .add(io, hit_deadline);
        Box::pin(async move {
            let Some(wait) = self.retry_wait(&error, number) else {
                return Err(error);
            };
            drop(error);
            self.shared.sleep.sleep(wait).await;
            Ok(())
        })
    }

    /// After attempt `number` failed with `error`: how long to wait before the next one, or
    /// `None` to stop here (not worth repeating, no attempts left, or the wait would pass the
    /// deadline).
    #[cold]
    fn retry_wait(&mut self, error: &GeneratedError, number: u32) -> Option<Duration> {
        let record = self.record.get_or_insert_with(Box::default);
        let end = attempt_end(error, record.last_status);
        if let Some(end) = end {
            record.last_end = Some(end);
            record.any_interrupted |= end == AttemptEnd::Interrupted;
            record.maybe_acted |= match end {
                AttemptEnd::Interrupted => true,
                AttemptEnd::Status(status) => {
                    status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT
                }
                AttemptEnd::ConnectFailed => false,
            };
        }
        let wait_hint = record.last_retry_after;
        let end = end?;
        if number >= self.retry().get_max_attempts()
            || !should_retry(self.idempotency, end, self.options.retry_on_unknown_outcome)
        {
            return None;
        }
        let server_wait = wait_hint.filter(|_| matches!(end, AttemptEnd::Status(_)));
        let wait =
            server_wait.unwrap_or_else(|| self.retry().backoff(number + 1, self.shared.random()));
        if wait >= self.remaining() {
            // The server (or the backoff) asks for longer than the call has left: return
            // now, with the wait in the error, instead of sleeping past the deadline.
            tracing::debug!(
                operation = self.operation.as_str(),
                ?wait,
                "retry would pass the deadline"
            );
            return None;
        }
        tracing::debug!(operation = self.operation.as_str(), ?wait, "retrying");
        if let Some(hook) = &self.shared.on_retry {
            hook(&RetryNotice {
                operation: self.operation,
                attempt: number,
                wait,
                status: match end {
                    AttemptEnd::Status(status) => Some(status.as_u16()),
                    _ => None,
                },
                server_asked: server_wait.is_some(),
            });
        }
        Some(wait)
    }

    /// Whether `error` means a retried delete already succeeded: a 404 after an earlier
    /// attempt was interrupted is most likely that attempt's own work, not a missing key.
    pub fn is_delete_already_done(&self, error: &Error) -> bool {
        let record = self.record();
        self.operation == OperationId::DeleteKeys
            && record.any_interrupted
            && record.attempts > 1
            && error.status().map(|s| s.as_u16()) == Some(404)
    }

    /// `POST /keys` failures after which the key may exist become [`Error::OutcomeUnknown`]:
    /// those where some attempt may have been acted on (sent and then interrupted, or
    /// answered 5xx/408). A create whose every attempt failed to connect, or was refused
    /// with a 4xx, certainly created nothing and keeps its own error.
    fn unknown_outcome(&self, error: Error, record: &CallRecord) -> Error {
        if self.operation != OperationId::CreateKeys {
            return error;
        }
        let ambiguous = match &error {
            // A 2xx that does not show a key: not from the API, or not what it documents.
            Error::Decode(decode) => !decode.key_created,
            Error::Timeout { .. } | Error::Connection { .. } | Error::Api(_) => record.maybe_acted,
            _ => false,
        };
        if ambiguous {
            Error::OutcomeUnknown {
                cause: Box::new(error),
            }
        } else {
            error
        }
    }

    /// Maps the generated client's error. An undocumented 2xx (say, 200 where 201 is
    /// documented) is decoded as the documented body rather than treated as an error.
    async fn map_error<T: DeserializeOwned>(
        &self,
        error: GeneratedError,
        record: &CallRecord,
    ) -> Result<T> {
        match error {
            codegen::Error::ErrorResponse(value) => {
                let mut api = self.api_error(value.status(), record);
                self.take_envelope(&mut api, value.into_inner());
                Err(Error::Api(Box::new(api)))
            }
            codegen::Error::UnexpectedResponse(response) if response.status().is_redirection() => {
                Err(self.redirect_error(&response, record))
            }
            codegen::Error::UnexpectedResponse(response) => {
                let status = response.status();
                let body = response.bytes().await.unwrap_or_default();
                self.read_body(status, &body, record)
            }
            codegen::Error::InvalidResponsePayload(body, _) => {
                // The transport saw the status; progenitor does not pass it on here.
                let status = record.last_status.unwrap_or(StatusCode::OK);
                self.read_body(status, &body, record)
            }
            codegen::Error::ResponseBodyError(source) if body_over_limit(&source) => {
                Err(self.body_too_large(record))
            }
            codegen::Error::CommunicationError(source) if source.is_builder() => {
                Err(Error::invalid(InputField::Request, source.to_string()))
            }
            codegen::Error::CommunicationError(source) | codegen::Error::InvalidUpgrade(source) => {
                Err(self.transport_failure(source, false, record))
            }
            codegen::Error::ResponseBodyError(source) => {
                Err(self.transport_failure(source, true, record))
            }
            codegen::Error::InvalidRequest(reason) | codegen::Error::Custom(reason) => {
                Err(Error::invalid(InputField::Request, reason))
            }
        }
    }

    /// A failure of the connection, by phase: which timeout passed, or how far the attempt
    /// got (`in_body`: the answer had arrived and its body was being read).
    fn transport_failure(
        &self,
        source: reqwest::Error,
        in_body: bool,
        record: &CallRecord,
    ) -> Error {
        let attempts = record.attempts;
        if source.is_timeout() {
            let (which, after) = if source.is_connect() {
                (TimeoutKind::Connect, self.shared.connect_timeout)
            } else if record.last_attempt_hit_deadline {
                (TimeoutKind::Deadline, Some(self.retry().get_deadline()))
            } else {
                (TimeoutKind::Attempt, Some(self.timeout))
            };
            return Error::Timeout {
                attempts,
                which,
                after,
                retry_after: None,
                // The status line had arrived; the body stalled.
                answered: if in_body { record.last_status } else { None },
            };
        }
        let phase = if in_body {
            ConnectionPhase::Response
        } else if source.is_connect() {
            ConnectionPhase::Connect
        } else {
            ConnectionPhase::Request
        };
        Error::Connection {
            attempts,
            phase,
            error: source,
        }
    }

    /// An API error for the last response, whose request id and `Retry-After` the transport
    /// recorded when it arrived.
    fn api_error(&self, status: StatusCode, record: &CallRecord) -> ApiError {
        ApiError {
            operation: self.operation,
            status,
            kind: ApiErrorKind::from_status(status),
            code: None,
            message: None,
            metadata: None,
            raw_body: None,
            request_id: self.request_id(record),
            retry_after: record.last_retry_after,
            attempts: record.attempts,
            hint: self.hint(status),
        }
    }

    /// The last response's request id, scrubbed: it is text from the network.
    fn request_id(&self, record: &CallRecord) -> Option<String> {
        record.last_request_id().map(|id| self.redactor().text(&id))
    }

    /// A redirect, which this crate's HTTP client does not follow (see
    /// `client::http_client_builder`): an API error whose hint names where it pointed.
    #[cold]
    fn redirect_error(&self, response: &reqwest::Response, record: &CallRecord) -> Error {
        let status = response.status();
        let mut api = self.api_error(status, record);
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|value| self.redactor().header(value));
        let pointed = location.map_or_else(String::new, |to| format!(" to `{to}`"));
        api.hint = Some(format!(
            "the server redirected the request{pointed}, and this client does not follow \
             redirects (a redirected POST would arrive as a GET, and the call's headers would \
             go to another server): the base URL `{}` may be wrong (OpenRouter's is \
             {DEFAULT_BASE_URL})",
            self.shared.base_url
        ));
        Error::Api(Box::new(api))
    }

    /// For a success body that is not JSON at all (a web page, an empty body, compressed
    /// bytes): it did not come from OpenRouter's API, whose answers are JSON documents, so the
    /// base URL or a proxy is the likely cause (our inference, worded as such).
    #[cold]
    fn not_json_hint(&self, body: &[u8]) -> Option<String> {
        let start = body.iter().find(|b| !b.is_ascii_whitespace());
        if matches!(start, Some(b'{' | b'[')) {
            return None;
        }
        let shown: String = excerpt(body, 60, &self.redactor())
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let begins = if body.is_empty() {
            "the body is empty".to_string()
        } else {
            format!("the body is not JSON (it begins `{}`)", shown.trim())
        };
        Some(format!(
            "{begins}: it is likely not an answer of OpenRouter's API; check the base URL `{}` \
             (OpenRouter's is {DEFAULT_BASE_URL}) and any proxy in between",
            self.shared.base_url
        ))
    }

    /// A success whose body says the operation did not happen (see `Exchange::refusal`): a
    /// decode error, since the body contradicts the documented one, and not retried.
    #[cold]
    pub fn refused(&self, io: &AttemptIo, refusal: &crate::exchange::Refusal) -> Error {
        Error::Decode(Box::new(DecodeError {
            operation: self.operation,
            status: io.status.unwrap_or(StatusCode::OK),
            path: refusal.path.to_string(),
            message: refusal.message.to_string(),
            body_excerpt: String::new(),
            request_id: io.request_id.as_ref().map(|id| self.redactor().header(id)),
            attempts: io.number,
            created_secret: None,
            key_created: false,
            hint: Some(refusal.hint.to_string()),
        }))
    }

    /// A 404 whose body is not OpenRouter's error JSON: the API documents that JSON for its
    /// errors, so the answer more likely came from a server that is not the API, at a wrong
    /// base URL (our inference, worded as such).
    #[cold]
    fn foreign_404_hint(&self) -> String {
        format!(
            "the 404 did not carry OpenRouter's JSON error body, which the API documents for \
             its errors: the base URL `{}` may be wrong (OpenRouter's is {DEFAULT_BASE_URL})",
            self.shared.base_url
        )
    }

    /// What the user can do about an error status, when the SDK can tell.
    fn hint(&self, status: StatusCode) -> Option<String> {
        let base_url = &self.shared.base_url;
        match (status.as_u16(), self.operation) {
            // No source documents a 404 for `GET /key`, a route without parameters: the URL
            // is the likely cause (our inference, worded as such). `GET /keys` may answer 404
            // (the newest official SDKs map one), so it gets only `foreign_404_hint`.
            (404, OperationId::GetCurrentKey) => Some(format!(
                "{} answered 404, which OpenRouter does not document for it: the base URL \
                 `{base_url}` is probably wrong (OpenRouter's is {DEFAULT_BASE_URL})",
                self.operation.route()
            )),
            (401, OperationId::GetCurrentKey) => Some(format!(
                "The API key{} was refused: check that it is complete and not disabled or expired",
                self.shared.key_source.parenthetical()
            )),
            (401, _) => Some(format!(
                "The API key{} was refused: check that it is complete and not disabled or \
                 expired; operations on /keys need a management key",
                self.shared.key_source.parenthetical()
            )),
            (403, operation) if operation != OperationId::GetCurrentKey => {
                Some("Operations on /keys need a management key".to_string())
            }
            _ => None,
        }
    }

    /// A response whose body ran past [`MAX_BODY`] and was not read to the end: an API error
    /// for an error status, a decode error for a success (whose body is then unusable).
    fn body_too_large(&self, record: &CallRecord) -> Error {
        let status = record.last_status.unwrap_or(StatusCode::OK);
        if !status.is_success() {
            return Error::Api(Box::new(self.api_error(status, record)));
        }
        Error::Decode(Box::new(DecodeError {
            operation: self.operation,
            status,
            path: ".".to_string(),
            message: format!("the body is larger than {} MiB", MAX_BODY >> 20),
            body_excerpt: String::new(),
            request_id: self.request_id(record),
            attempts: record.attempts,
            created_secret: None,
            key_created: self.operation == OperationId::CreateKeys && status == StatusCode::CREATED,
            hint: None,
        }))
    }

    /// The last response's body as the documented success body (for a 2xx) or as an error.
    fn read_body<T: DeserializeOwned>(
        &self,
        status: StatusCode,
        body: &[u8],
        record: &CallRecord,
    ) -> Result<T> {
        if status.is_success() {
            self.decode(status, body, record)
        } else {
            Err(self.error_from_body(status, body, record))
        }
    }

    /// An error status with a body that may or may not be OpenRouter's envelope.
    fn error_from_body(&self, status: StatusCode, body: &[u8], record: &CallRecord) -> Error {
        let mut api = self.api_error(status, record);
        match crate::tolerant::decode::<codegen::types::ErrorResponse>(body) {
            Ok(envelope) => self.take_envelope(&mut api, envelope),
            Err(_) => {
                api.raw_body = Some(excerpt(body, RAW_BODY_LIMIT, &self.redactor()));
                if status == StatusCode::NOT_FOUND && api.hint.is_none() {
                    api.hint = Some(self.foreign_404_hint());
                }
            }
        }
        Error::Api(Box::new(api))
    }

    /// Copies OpenRouter's error envelope (`error.code`, `message`, `metadata`) into `api`,
    /// scrubbed: a server or proxy may echo the credential it was sent.
    fn take_envelope(&self, api: &mut ApiError, envelope: codegen::types::ErrorResponse) {
        let codegen::types::ErrorResponse {
            error:
                codegen::types::ErrorDetail {
                    code,
                    message,
                    metadata,
                },
            // Kept out on purpose: OpenRouter's own diagnostics, documented only as an object
            // (FACTS.md), nothing a caller acts on, and more network text to scrub.
            openrouter_metadata: _,
            // Kept out on purpose: the calling user's id names the account, not the failure,
            // and errors end up in logs.
            user_id: _,
        } = envelope;
        let redactor = self.redactor();
        // A member that was missing or malformed stays `None` (see `tolerant`).
        api.code = code;
        api.message = message.map(|message| redactor.text(&message));
        api.metadata = metadata.map(|map| redactor.map(map));
    }

    /// The top-level `key` of a `POST /keys` body that failed to decode as a whole.
    fn salvage_secret(&self, body: &[u8]) -> Option<secrecy::SecretString> {
        if self.operation != OperationId::CreateKeys {
            return None;
        }
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let key = value.get("key")?.as_str()?;
        Some(secrecy::SecretString::from(key.to_string()))
    }

    /// Decodes a success body (dropping malformed fields the caller can do without, see
    /// `tolerant`), reporting the JSON path that failed.
    fn decode<T: DeserializeOwned>(
        &self,
        status: StatusCode,
        body: &[u8],
        record: &CallRecord,
    ) -> Result<T> {
        crate::tolerant::decode(body).map_err(|failure| {
            let (path, error) = (failure.path, failure.error);
            // The decoder's message and the path may quote the body: scrubbed like it.
            let redactor = self.redactor();
            Error::Decode(Box::new(DecodeError {
                operation: self.operation,
                status,
                path: redactor.text(&path),
                message: redactor.text(&error.to_string()),
                body_excerpt: excerpt(body, EXCERPT_LIMIT, &redactor),
                request_id: self.request_id(record),
                attempts: record.attempts,
                created_secret: self.salvage_secret(body),
                key_created: self.operation == OperationId::CreateKeys
                    && created_shown(status, body),
                hint: self.not_json_hint(body),
            }))
        })
    }
}

/// Whether a create's 2xx answer shows that the key exists: `201 Created` (the documented
/// status), or a JSON body with the new key's `data.hash` or its top-level `key`.
fn created_shown(status: StatusCode, body: &[u8]) -> bool {
    if status == StatusCode::CREATED {
        return true;
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    value
        .pointer("/data/hash")
        .is_some_and(|hash| hash.is_string())
        || value.get("key").is_some_and(|key| key.is_string())
}

/// How an attempt that failed with `error` ended, as far as retrying is concerned; `None`
/// when the request was never sent (it could not be built), which no retry can fix.
/// `status` is the last status the transport saw, for errors that do not carry one.
fn attempt_end(error: &GeneratedError, status: Option<StatusCode>) -> Option<AttemptEnd> {
    match error {
        codegen::Error::ErrorResponse(value) => Some(AttemptEnd::Status(value.status())),
        codegen::Error::UnexpectedResponse(response) => Some(AttemptEnd::Status(response.status())),
        // A body that arrived whole but did not decode: the status decides.
        codegen::Error::InvalidResponsePayload(..) => status.map(AttemptEnd::Status),
        // The request could not be built: it was never sent, and would fail the same way again.
        codegen::Error::CommunicationError(source) if source.is_builder() => None,
        codegen::Error::CommunicationError(source) if source.is_connect() => {
            Some(AttemptEnd::ConnectFailed)
        }
        // Reading it again would only fill memory again.
        codegen::Error::ResponseBodyError(source) if body_over_limit(source) => None,
        // Timed out, connection dropped, or the body was cut off midway.
        codegen::Error::CommunicationError(_) | codegen::Error::ResponseBodyError(_) => {
            Some(AttemptEnd::Interrupted)
        }
        codegen::Error::InvalidUpgrade(_)
        | codegen::Error::InvalidRequest(_)
        | codegen::Error::Custom(_) => None,
    }
}
