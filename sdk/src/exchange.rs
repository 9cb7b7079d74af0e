//! The one future an awaited request runs as: checks, attempts, decoding, result.
//!
//! Every operation is the same exchange with different parts (its facts, its checks, its
//! request, its generated success type, its public result), given by [`Exchange`]. [`send`]
//! is that exchange as a single `async` block, its success path a straight line as in a raw
//! `reqwest` call: build the request, add the transport's headers and timeout, send, read the body,
//! decode it into the generated type, convert that into the public one. No other future is
//! nested in it on that path besides reqwest's own (each nested `async fn` would be built
//! and then moved into its parent's state, and its result moved out again, on every call);
//! everything that follows a failure runs in boxed futures (`call.rs` waits,
//! `error_mapping.rs` reports), so that it takes no room in every call's future. [`boxed`]
//! puts it in the box `IntoFuture` returns, inside the call's tracing span only when someone
//! listens.

use crate::call::{Call, GeneratedError};
use crate::client::Client;
use crate::error::Result;
use crate::error_mapping;
use crate::options::CallOptions;
use crate::request::Operation;
use crate::rules::{Refusal, Rules};
use crate::transport::{AttemptIo, capped, read_body};
use futures_util::future::BoxFuture;
use openrouter_keys_codegen as codegen;
use progenitor_client::ResponseValue;
use secrecy::SecretString;
use serde::de::DeserializeOwned;
use std::future::Future;
use tracing::Instrument;

/// What the generated builders return (`Exchange::build`).
pub(crate) type WireResult<T> = std::result::Result<T, GeneratedError>;
/// The generated reading of an answer that is not a success, boxed (`Exchange::read_error`).
pub(crate) type ReadError<W> = BoxFuture<'static, WireResult<ResponseValue<W>>>;

/// The parts of a call that differ between operations: everything the shared call code needs
/// to know about one, declared once, beside it (`keys.rs`, `guardrails.rs`, `workspaces.rs`).
pub(crate) trait Exchange: Operation + Sized {
    /// What the call code must know about the operation: its name, retry safety, the key it
    /// needs, what a 404 means for it, whether it creates something.
    const RULES: &'static Rules;
    /// The generated type a success decodes into.
    type Wire: DeserializeOwned + Send + 'static;
    /// The request body, checked and converted once per call (`()` for none).
    type Body: Send + Sync;

    /// Checks the input before anything is sent, and gives the body every attempt sends.
    fn check(&self) -> Result<Self::Body>;

    /// A secret the request carries besides the client's key, to scrub from what the server
    /// says back.
    fn secret(&self) -> Option<&SecretString> {
        None
    }

    /// One attempt's request, built by the generated builder.
    // The error is the generated one, passed on as the generated builder returns it.
    #[allow(clippy::result_large_err)]
    fn build(&self, generated: &codegen::Client, body: &Self::Body)
    -> WireResult<reqwest::Request>;

    /// The generated reading of an answer that is not a success (boxed: its future holds the
    /// whole response while the body arrives, and only failures need it).
    fn read_error(response: reqwest::Response) -> ReadError<Self::Wire>;

    /// The public value of a success.
    fn output(wire: Self::Wire) -> Self::Output;

    /// Adds to the value of a success what its answer's transport saw (attempts, request
    /// id), for an output that carries it (a listing's page, for its errors); nothing by
    /// default.
    fn answered(_output: &mut Self::Output, _io: &AttemptIo) {}

    /// Why a success body says the operation did not happen, if it does (a delete answered
    /// `{"deleted": false}`): the call then fails instead of returning [`output`](Self::output).
    fn refusal(_wire: &Self::Wire) -> Option<Refusal> {
        None
    }

    /// The result of a success without a body (a `204 No Content`, or a 2xx with an empty
    /// body), if that means success for this operation; `None`: such an answer fails to decode.
    fn empty_success() -> Option<Self::Output> {
        None
    }

    /// The result of a call whose retry answered 404 after an earlier attempt was
    /// interrupted, if that means the earlier attempt did the work (a delete: what it
    /// addresses is gone because it was deleted); `None`: the 404 is the call's error.
    fn already_done() -> Option<Self::Output> {
        None
    }
}

/// Makes an operation type (one with an `Exchange`) an [`Operation`] that returns `$output`,
/// so that a `Request` of it can be awaited: `impl_operation!(GetKey => Key);`.
macro_rules! impl_operation {
    ($operation:ty => $output:ty) => {
        impl $crate::request::sealed::Sealed for $operation {}

        impl $crate::request::Operation for $operation {
            type Output = $output;
            fn send(
                self,
                client: &$crate::Client,
                options: $crate::options::CallOptions,
            ) -> ::futures_util::future::BoxFuture<'_, $crate::Result<$output>> {
                $crate::exchange::boxed(self, client, options)
            }
        }
    };
}
pub(crate) use impl_operation;

/// A call of `op` with these options, boxed, within the call's tracing span when someone
/// listens (nobody listening, the usual case: no span is built, entered or recorded).
pub(crate) fn boxed<Op: Exchange>(
    op: Op,
    client: &Client,
    options: CallOptions,
) -> BoxFuture<'_, Result<Op::Output>> {
    if tracing::enabled!(kind: tracing::metadata::Kind::SPAN, tracing::Level::INFO) {
        let span = Call::span(Op::RULES);
        if !span.is_disabled() {
            return Box::pin(send(op, client, options, true, true).instrument(span));
        }
    }
    let traced = tracing::enabled!(tracing::Level::DEBUG);
    Box::pin(send(op, client, options, traced, false))
}

/// A call of `op`, from its checks to its result. `traced`: someone listens to debug events
/// or to the call's span; `spanned`: to the span, which is then the current one whenever
/// this future runs.
///
/// An `async` block rather than an `async fn`: an async fn moves its arguments into locals of
/// its body, and rustc may keep both in its state (rust-lang/rust#62958), so the options and
/// the parameters could be held twice by every call in flight; a block uses what it captured
/// in place.
#[allow(clippy::manual_async_fn)] // on purpose, see above
fn send<Op: Exchange>(
    op: Op,
    client: &Client,
    options: CallOptions,
    traced: bool,
    spanned: bool,
) -> impl Future<Output = Result<Op::Output>> + Send + '_ {
    async move {
        let body = op.check()?;
        let mut call = Call::start(client, Op::RULES, &options)?.scrubbing(op.secret());
        let shared = &*client.shared;
        // One context for all attempts; each sets its timeout and clears what the last saw.
        let mut io = AttemptIo {
            traced,
            ..AttemptIo::default()
        };
        let mut number = 1;
        let error = loop {
            let (timeout, hit_deadline) = call.attempt_timeout(number);
            io.start(number, timeout, hit_deadline);
            // Each value below lives only as long as its block, so that no request, outcome
            // or response keeps a slot in the future across the awaits after it (a value
            // matched on, or bound to a name, in an `async` block keeps one until the end of
            // its scope, even once moved away).
            let error = 'attempt: {
                let read = {
                    let sent = {
                        let mut request = match op.build(&shared.generated, &body) {
                            Ok(request) => request,
                            // Not sent: it could not be built.
                            Err(error) => break 'attempt error,
                        };
                        shared
                            .transport
                            .before_send(&mut request, &options.headers, &mut io);
                        shared.http.execute(request)
                    };
                    let response = {
                        let outcome = sent.await;
                        shared
                            .transport
                            .after_send(&outcome, Op::RULES.id.as_str(), &mut io);
                        match outcome {
                            Ok(response) => response,
                            Err(error) => break 'attempt codegen::Error::CommunicationError(error),
                        }
                    };
                    if !response.status().is_success() {
                        break 'attempt match Op::read_error(capped(response)).await {
                            Ok(value) => {
                                call.finish(spanned, &io);
                                return success::<Op>(&call, &io, value.into_inner());
                            }
                            Err(error) => error,
                        };
                    }
                    read_body(response)
                }
                .await;
                let bytes = match read {
                    Ok(bytes) => bytes,
                    Err(error) => break 'attempt codegen::Error::ResponseBodyError(error),
                };
                if bytes.is_empty()
                    && let Some(output) = Op::empty_success()
                {
                    call.finish(spanned, &io);
                    return Ok(output);
                }
                if Op::RULES.nothing_essential
                    && let Some(error) = error_mapping::enveloped(&call, &io, &bytes)
                {
                    call.finish(spanned, &io);
                    return Err(error);
                }
                match serde_json::from_slice::<Op::Wire>(&bytes) {
                    Ok(wire) => {
                        call.finish(spanned, &io);
                        return success::<Op>(&call, &io, wire);
                    }
                    // Decoded again, tolerantly, by the error path.
                    Err(error) => codegen::Error::InvalidResponsePayload(bytes, error),
                }
            };
            match call.after_failure(error, &mut io).await {
                Ok(()) => number += 1,
                Err(error) => break error,
            }
        };
        let result = error_mapping::fail::<Op::Wire>(&call, error)
            .await
            .and_then(|wire| success::<Op>(&call, &io, wire));
        call.finish(spanned, &io);
        match result {
            Err(error) if call.gone_after_interruption(&error) => Op::already_done().ok_or(error),
            result => result,
        }
    }
}

/// The public value of a decoded success, unless the body says the operation did not happen.
fn success<Op: Exchange>(call: &Call<'_>, io: &AttemptIo, wire: Op::Wire) -> Result<Op::Output> {
    match Op::refusal(&wire) {
        None => {
            let mut output = Op::output(wire);
            Op::answered(&mut output, io);
            Ok(output)
        }
        Some(refusal) => Err(error_mapping::refused(call, io, &refusal)),
    }
}
