//! What a call's last failure is reported as: the generated client's error, read with the
//! call's record, mapped into this crate's [`Error`].
//!
//! A transport error by phase (connect, request, response; which timeout passed), an error
//! status with its envelope and hint, an undecodable success with the JSON path that failed,
//! and every text from the network through the call's redactor. For an operation that creates
//! something ([`Rules::creates`](crate::rules::Rules)), a failure after which it may exist
//! becomes [`Error::OutcomeUnknown`], and a success body that does not decode is read for
//! signs that it was made and for its secret. All of it runs in a boxed future, after the
//! last attempt, so that it takes no room in every call's future.

use crate::api_error::{ApiError, ApiErrorKind};
use crate::call::{Call, GeneratedError};
use crate::client::Shared;
use crate::decode_error::DecodeError;
use crate::error::{ConnectionPhase, Error, Result, TimeoutKind};
use crate::hints;
use crate::input_field::InputField;
use crate::redact::{Redactor, excerpt, redact_keys};
use crate::rules::{NotFound, Refusal, Rules};
use crate::transport::{AttemptIo, CallRecord, MAX_BODY, body_over_limit};
use futures_util::future::BoxFuture;
use openrouter_keys_codegen as codegen;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Bytes kept of a non-envelope error body.
const RAW_BODY_LIMIT: usize = 8 * 1024;
/// Bytes kept of an undecodable success body.
const EXCERPT_LIMIT: usize = 1024;
/// The most of an envelope's `message` an error keeps, in bytes: a server may send megabytes
/// there, and an error ends up on terminals and in logs.
const MESSAGE_LIMIT: usize = 1024;

/// An envelope's `message`, scrubbed, and cut at [`MESSAGE_LIMIT`] bytes with a note of how
/// much was left out.
fn bounded_message(message: &str, redactor: &Redactor<'_>) -> String {
    let mut kept = excerpt(message.as_bytes(), MESSAGE_LIMIT, redactor);
    if message.len() > MESSAGE_LIMIT {
        let left_out = message.len() - MESSAGE_LIMIT;
        kept.push_str(&format!("… ({left_out} more bytes not shown)"));
    }
    kept
}

/// The error path of a call (see `exchange.rs`), from the last attempt's error: the error to
/// return or, for an undocumented 2xx (say, 200 where 201 is documented), the documented body
/// decoded after all. Boxed behind `dyn` so that it takes no room in every call's future.
pub(crate) fn fail<'a, T: DeserializeOwned + Send>(
    call: &'a Call<'_>,
    error: GeneratedError,
) -> BoxFuture<'a, Result<T>> {
    Box::pin(async move {
        let mapping = Mapping::of(call);
        mapping
            .map_error::<T>(error)
            .await
            .map_err(|error| mapping.unknown_outcome(error))
    })
}

/// A success whose body says the operation did not happen (see `Exchange::refusal`): a
/// decode error, since the body contradicts the documented one, and not retried.
#[cold]
pub(crate) fn refused(call: &Call<'_>, io: &AttemptIo, refusal: &Refusal) -> Error {
    success_refused(
        call,
        io,
        refusal.path,
        refusal.message.to_string(),
        refusal.hint.to_string(),
    )
}

/// A success body of an operation with nothing essential in its answer
/// ([`Rules::nothing_essential`](crate::rules::Rules)) that is OpenRouter's error envelope:
/// refused like a body that says the operation did not happen, since it decodes as a success
/// (as any JSON object does). `None` for any other body.
///
/// Runs on every success of such an operation (a delete's `{"deleted": true}`), so a body
/// without a top-level `error` member is let through after one pass that builds nothing;
/// only one that has it is read as an envelope.
pub(crate) fn enveloped(call: &Call<'_>, io: &AttemptIo, body: &[u8]) -> Option<Error> {
    /// A JSON object with an `error` member, whatever it holds.
    #[derive(serde::Deserialize)]
    struct HasError {
        #[serde(rename = "error")]
        _error: serde::de::IgnoredAny,
    }
    serde_json::from_slice::<HasError>(body).ok()?;
    let said = envelope(body, &call.redactor())?;
    Some(success_refused(
        call,
        io,
        "error",
        said,
        hints::error_envelope().to_string(),
    ))
}

/// The decode error of a success that is refused, not retried.
fn success_refused(
    call: &Call<'_>,
    io: &AttemptIo,
    path: &str,
    message: String,
    hint: String,
) -> Error {
    Error::Decode(Box::new(DecodeError {
        operation: call.rules().id,
        status: io.status.unwrap_or(StatusCode::OK),
        path: path.to_string(),
        message,
        body_excerpt: String::new(),
        request_id: io.request_id.as_ref().map(|id| call.redactor().header(id)),
        attempts: io.number,
        created_secret: None,
        key_created: false,
        hint: Some(hint),
    }))
}

/// What a body that is OpenRouter's error envelope (`{"error": {…}}`) says, scrubbed, for a
/// decode error's message; `None` for any other body.
fn envelope(body: &[u8], redactor: &Redactor<'_>) -> Option<String> {
    let codegen::types::ErrorResponse {
        error:
            codegen::types::ErrorDetail {
                code,
                message,
                // Kept out: a decode error has no room for it; the excerpt shows the body.
                metadata: _,
            },
        // Kept out, as in an API error (see `take_envelope`).
        openrouter_metadata: _,
        // Kept out, as in an API error: it names the account, not the failure.
        user_id: _,
    } = crate::tolerant::decode::<codegen::types::ErrorResponse>(body).ok()?;
    let said = match (code, message) {
        (Some(code), Some(message)) => format!(" (code {code}: {:?})", redactor.text(&message)),
        (Some(code), None) => format!(" (code {code})"),
        (None, Some(message)) => format!(" ({:?})", redactor.text(&message)),
        (None, None) => String::new(),
    };
    Some(format!(
        "the body is OpenRouter's error envelope{said}, not an answer of this operation"
    ))
}

/// `url` without `sk-or-…` tokens in its path and query.
#[cold]
fn scrub_url(url: &mut reqwest::Url) {
    if url.path().contains("sk-or-") {
        let path = redact_keys(url.path());
        url.set_path(&path);
    }
    if let Some(query) = url.query().filter(|query| query.contains("sk-or-")) {
        let query = redact_keys(query);
        url.set_query(Some(&query));
    }
}

/// What the mapping reads of a call: its client's settings, its operation's rules, the record
/// of its failed attempts, and its timeouts.
struct Mapping<'a> {
    shared: &'a Shared,
    rules: &'static Rules,
    record: &'a CallRecord,
    redactor: Redactor<'a>,
    timeout: Duration,
    deadline: Duration,
}

impl<'a> Mapping<'a> {
    fn of(call: &'a Call<'_>) -> Self {
        Self {
            shared: call.shared(),
            rules: call.rules(),
            record: call.record(),
            redactor: call.redactor(),
            timeout: call.timeout(),
            deadline: call.retry().call_deadline(),
        }
    }

    /// Failures of a creating operation after which the thing may exist become
    /// [`Error::OutcomeUnknown`]: those where some attempt may have been acted on (sent and
    /// then interrupted, or answered 5xx/408), and a 2xx that does not show it. One whose
    /// every attempt failed to connect, or was refused with a 4xx, certainly created nothing
    /// and keeps its own error.
    fn unknown_outcome(&self, error: Error) -> Error {
        if self.rules.creates.is_none() {
            return error;
        }
        let ambiguous = match &error {
            // A 2xx that does not show a key: not from the API, or not what it documents.
            Error::Decode(decode) => !decode.key_created,
            Error::Timeout { .. } | Error::Connection { .. } | Error::Api(_) => {
                self.record.maybe_acted()
            }
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

    /// Maps the generated client's error. An undocumented 2xx is decoded as the documented
    /// body rather than treated as an error.
    async fn map_error<T: DeserializeOwned>(&self, error: GeneratedError) -> Result<T> {
        match error {
            codegen::Error::ErrorResponse(value) => {
                let mut api = self.api_error(value.status());
                self.take_envelope(&mut api, value.into_inner());
                Err(Error::Api(Box::new(api)))
            }
            codegen::Error::UnexpectedResponse(response) if response.status().is_redirection() => {
                Err(self.redirect_error(&response))
            }
            codegen::Error::UnexpectedResponse(response) => {
                let status = response.status();
                let body = response.bytes().await.unwrap_or_default();
                self.read_body(status, &body)
            }
            codegen::Error::InvalidResponsePayload(body, _) => {
                // The transport saw the status; progenitor does not pass it on here.
                let status = self.record.last_status.unwrap_or(StatusCode::OK);
                self.read_body(status, &body)
            }
            codegen::Error::ResponseBodyError(source) if body_over_limit(&source) => {
                Err(self.body_too_large())
            }
            codegen::Error::CommunicationError(source) if source.is_builder() => {
                Err(Error::invalid(InputField::Request, source.to_string()))
            }
            codegen::Error::CommunicationError(source) | codegen::Error::InvalidUpgrade(source) => {
                Err(self.transport_failure(source, false))
            }
            codegen::Error::ResponseBodyError(source) => Err(self.transport_failure(source, true)),
            codegen::Error::InvalidRequest(reason) | codegen::Error::Custom(reason) => {
                Err(Error::invalid(InputField::Request, reason))
            }
        }
    }

    /// A failure of the connection, by phase: which timeout passed, or how far the attempt
    /// got (`in_body`: the answer had arrived and its body was being read).
    fn transport_failure(&self, mut source: reqwest::Error, in_body: bool) -> Error {
        let attempts = self.record.attempts;
        // The error names the request's URL (in its text and its `Debug`): a token in the
        // base URL's path, or in a query, is scrubbed from it.
        if let Some(url) = source.url_mut() {
            scrub_url(url);
        }
        if source.is_timeout() {
            let (which, after) = if source.is_connect() {
                (TimeoutKind::Connect, self.shared.connect_timeout)
            } else if self.record.last_attempt_hit_deadline {
                (TimeoutKind::Deadline, Some(self.deadline))
            } else {
                (TimeoutKind::Attempt, Some(self.timeout))
            };
            return Error::Timeout {
                attempts,
                which,
                after,
                retry_after: None,
                // The status line had arrived; the body stalled.
                answered: if in_body {
                    self.record.last_status
                } else {
                    None
                },
                earlier: self.record.earlier,
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
            earlier: self.record.earlier,
        }
    }

    /// An API error for the last response, whose request id and `Retry-After` the transport
    /// recorded when it arrived.
    fn api_error(&self, status: StatusCode) -> ApiError {
        ApiError {
            operation: self.rules.id,
            status,
            kind: ApiErrorKind::from_status(status),
            code: None,
            message: None,
            metadata: None,
            raw_body: None,
            request_id: self.request_id(),
            retry_after: self.record.last_retry_after,
            attempts: self.record.attempts,
            hint: hints::for_status(
                self.rules,
                status,
                &self.shared.base_url,
                &self.shared.key_source,
            ),
        }
    }

    /// The last response's request id, scrubbed: it is text from the network.
    fn request_id(&self) -> Option<String> {
        self.record
            .last_request_id()
            .map(|id| self.redactor.text(&id))
    }

    /// A redirect, which this crate's HTTP client does not follow: an API error whose hint
    /// names where it pointed.
    #[cold]
    fn redirect_error(&self, response: &reqwest::Response) -> Error {
        let mut api = self.api_error(response.status());
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|value| self.redactor.header(value));
        api.hint = Some(hints::redirect(location.as_deref(), &self.shared.base_url));
        Error::Api(Box::new(api))
    }

    /// A response whose body ran past [`MAX_BODY`] and was not read to the end: an API error
    /// for an error status, a decode error for a success (whose body is then unusable).
    fn body_too_large(&self) -> Error {
        let status = self.record.last_status.unwrap_or(StatusCode::OK);
        if !status.is_success() {
            return Error::Api(Box::new(self.api_error(status)));
        }
        Error::Decode(Box::new(DecodeError {
            operation: self.rules.id,
            status,
            path: ".".to_string(),
            message: format!("the body is larger than {} MiB", MAX_BODY >> 20),
            body_excerpt: String::new(),
            request_id: self.request_id(),
            attempts: self.record.attempts,
            created_secret: None,
            // Unread, the body shows nothing; the documented status alone does.
            key_created: self
                .rules
                .creates
                .as_ref()
                .is_some_and(|creation| (creation.shown)(status, &[])),
            hint: None,
        }))
    }

    /// The last response's body as the documented success body (for a 2xx) or as an error.
    fn read_body<T: DeserializeOwned>(&self, status: StatusCode, body: &[u8]) -> Result<T> {
        if status.is_success() {
            self.decode(status, body)
        } else {
            Err(self.error_from_body(status, body))
        }
    }

    /// An error status with a body that may or may not be OpenRouter's envelope.
    fn error_from_body(&self, status: StatusCode, body: &[u8]) -> Error {
        let mut api = self.api_error(status);
        match crate::tolerant::decode::<codegen::types::ErrorResponse>(body) {
            Ok(envelope) => self.take_envelope(&mut api, envelope),
            Err(_) => {
                api.raw_body = Some(excerpt(body, RAW_BODY_LIMIT, &self.redactor));
                // Not OpenRouter's 404: what the operation's 404 means does not apply, the
                // base URL may be wrong (unless its hint says so already).
                if status == StatusCode::NOT_FOUND && self.rules.not_found != NotFound::WrongBaseUrl
                {
                    api.hint = Some(hints::foreign_404(&self.shared.base_url));
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
        // A member that was missing or malformed stays `None` (see `tolerant`).
        api.code = code;
        api.message = message.map(|message| bounded_message(&message, &self.redactor));
        api.metadata = metadata.map(|map| self.redactor.map(map));
    }

    /// Decodes a success body (dropping malformed fields the caller can do without, see
    /// `tolerant`), reporting the JSON path that failed.
    fn decode<T: DeserializeOwned>(&self, status: StatusCode, body: &[u8]) -> Result<T> {
        crate::tolerant::decode(body).map_err(|failure| {
            let (path, error) = (failure.path, failure.error);
            // The decoder's message and the path may quote the body: scrubbed like it.
            let redactor = &self.redactor;
            let creation = self.rules.creates.as_ref();
            let mut decode = DecodeError {
                operation: self.rules.id,
                status,
                path: redactor.text(&path),
                message: redactor.text(&error.to_string()),
                body_excerpt: excerpt(body, EXCERPT_LIMIT, redactor),
                request_id: self.request_id(),
                attempts: self.record.attempts,
                created_secret: creation.and_then(|creation| (creation.secret)(body)),
                key_created: creation.is_some_and(|creation| (creation.shown)(status, body)),
                hint: hints::not_json(body, redactor, &self.shared.base_url),
            };
            // An error envelope with a success status lacks the answer's essential members:
            // say what it is rather than which member it lacks.
            if let Some(said) = envelope(body, redactor) {
                decode.path = "error".to_string();
                decode.message = said;
                decode.hint = Some(hints::error_envelope().to_string());
            }
            Error::Decode(Box::new(decode))
        })
    }
}
