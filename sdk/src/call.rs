//! One call's state between its attempts: its settings, deadline, tracing span, the record of
//! its failed attempts, and whether and when to try again.
//!
//! A call borrows its client's settings and its own options, and knows its operation only by
//! the facts the operation declared ([`Rules`]); what it owns is small (a clock reading and,
//! after a failed attempt, the record of failures). The attempts themselves run in the call's
//! future (`exchange.rs`); what a failure is reported as is `error_mapping.rs`.

use crate::client::{Client, Shared};
use crate::error::{Error, Result, Sent};
use crate::options::CallOptions;
use crate::redact::Redactor;
use crate::retry::{AttemptEnd, RetryPolicy, should_retry};
use crate::retry_notice::RetryNotice;
use crate::rules::Rules;
use crate::transport::{AttemptIo, CallRecord, body_over_limit};
use futures_util::future::BoxFuture;
use openrouter_keys_codegen as codegen;
use reqwest::StatusCode;
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
    /// What the operation declared about itself (retry safety, hints, creation).
    rules: &'static Rules,
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
    /// Prepares a call of the operation `rules` describe, with these options.
    pub fn start(
        client: &'a Client,
        rules: &'static Rules,
        options: &'a CallOptions,
    ) -> Result<Call<'a>> {
        options.check()?;
        let shared: &'a Shared = &client.shared;
        Ok(Call {
            shared,
            options,
            rules,
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

    /// The client's settings.
    pub fn shared(&self) -> &'a Shared {
        self.shared
    }

    /// What the operation declared about itself.
    pub fn rules(&self) -> &'static Rules {
        self.rules
    }

    /// Time allowed for each attempt.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The retry policy: the call's own, or the client's.
    pub fn retry(&self) -> &'a RetryPolicy {
        self.options.retry.as_ref().unwrap_or(&self.shared.retry)
    }

    /// What the failed attempts saw so far.
    pub fn record(&self) -> &CallRecord {
        self.record.as_deref().unwrap_or(&NO_FAILURE)
    }

    /// The redactor for text from the network in this call's errors and traces.
    pub fn redactor(&self) -> Redactor<'_> {
        Redactor::new(&self.shared.transport.api_key, self.extra_secret)
            .with_headers(&self.options.headers)
    }

    /// Time left before the call's deadline.
    fn remaining(&self) -> Duration {
        self.retry()
            .call_deadline()
            .saturating_sub(self.started.elapsed())
    }

    /// Attempt `number`'s timeout, cut to what is left of the call's deadline (this is what
    /// bounds the whole call, without a second timer around it), and whether it was cut.
    /// The first attempt starts microseconds after the call, with no await in between: the
    /// whole deadline is left, and the clock is not read again.
    pub fn attempt_timeout(&self, number: u32) -> (Duration, bool) {
        let remaining = if number == 1 {
            self.retry().call_deadline()
        } else {
            self.remaining()
        };
        (self.timeout.min(remaining), remaining < self.timeout)
    }

    /// The span of a call of `rules`' operation (built only when someone may listen).
    #[cold]
    #[inline(never)]
    pub fn span(rules: &Rules) -> tracing::Span {
        tracing::info_span!(
            "openrouter_keys.call",
            operation = rules.id.as_str(),
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

    /// After attempt `io.number` failed with `error`: records what it saw and waits before
    /// the next one (`Ok`), or gives the error to return (`Err`).
    #[cold]
    pub fn after_failure(
        &mut self,
        error: GeneratedError,
        io: &mut AttemptIo,
    ) -> BoxFuture<'_, std::result::Result<(), GeneratedError>> {
        self.record.get_or_insert_with(Box::default).add(io);
        let number = io.number;
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
            record.earlier = record.sent;
            record.sent = record.sent.and(match end {
                AttemptEnd::Interrupted => Sent::MayHaveActed,
                AttemptEnd::Status(status)
                    if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT =>
                {
                    Sent::MayHaveActed
                }
                AttemptEnd::Status(_) => Sent::Answered,
                AttemptEnd::ConnectFailed => Sent::Nothing,
            });
        }
        let wait_hint = record.last_retry_after;
        let end = end?;
        if number >= self.retry().allowed_attempts()
            || !should_retry(
                self.rules.idempotency,
                end,
                self.options.retry_on_unknown_outcome,
            )
        {
            return None;
        }
        let server_wait = wait_hint.filter(|_| matches!(end, AttemptEnd::Status(_)));
        let wait =
            server_wait.unwrap_or_else(|| self.retry().backoff(number + 1, self.shared.random()));
        let operation = self.rules.id;
        if wait >= self.remaining() {
            // The server (or the backoff) asks for longer than the call has left: return
            // now, with the wait in the error, instead of sleeping past the deadline.
            tracing::debug!(
                operation = operation.as_str(),
                ?wait,
                "retry would pass the deadline"
            );
            return None;
        }
        tracing::debug!(operation = operation.as_str(), ?wait, "retrying");
        if let Some(hook) = &self.shared.on_retry {
            hook(&RetryNotice {
                operation,
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

    /// Whether `error` is a 404 that came after an earlier attempt of this call was
    /// interrupted: for an operation whose work makes what it addresses go away (a delete,
    /// see `Exchange::already_done`), most likely that attempt's own work.
    pub fn gone_after_interruption(&self, error: &Error) -> bool {
        let record = self.record();
        record.any_interrupted
            && record.attempts > 1
            && error.status() == Some(StatusCode::NOT_FOUND)
    }
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
