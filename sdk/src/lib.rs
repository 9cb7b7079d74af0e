//! A typed, retrying, secret-safe async client for [OpenRouter](https://openrouter.ai)'s
//! API-key management API: keys, and what bounds them (guardrail assignments, guardrails,
//! workspaces).
//!
//! ```no_run
//! use openrouter_keys::{Client, ExposeSecret, KeyUpdate, LimitReset, NewKey};
//!
//! # async fn run() -> Result<(), openrouter_keys::Error> {
//! let client = Client::from_env()?; // OPENROUTER_API_KEY, a management key
//! let created = client
//!     .keys()
//!     .create(NewKey::new("ci").limit(25.0).limit_reset(LimitReset::Monthly))
//!     .await?;
//! println!("store this now: {}", created.secret().expose_secret());
//! let hash = created.key().hash.clone();
//! client.keys().update(&hash, KeyUpdate::new().disabled(true).clear_limit()).await?;
//! let all = client.keys().all().await?;
//! println!("{} keys", all.len());
//! client.keys().delete(&hash).await?;
//! # Ok(()) }
//! ```
//!
//! # The operations
//!
//! A [`Client`] is built once ([`Client::builder`], [`Client::from_env`]) and shared; it is
//! cheap to clone. Each method returns a [`Request`]: configure it, then `.await` it.
//!
//! | API | call | returns |
//! |---|---|---|
//! | `GET /key` (any key) | [`Client::current_key`] | [`CurrentKey`] |
//! | `GET /keys` | [`Keys::list`] (one page), [`Keys::all`] (every page), [`Keys::list_all`] (stream), [`Keys::all_in_every_workspace`] | [`Vec<Key>`](Key) |
//! | `POST /keys` | [`Keys::create`] with a [`NewKey`] | [`CreatedKey`]: the key and its secret, once |
//! | `GET /keys/{hash}` | [`Keys::get`] | [`Key`] |
//! | `PATCH /keys/{hash}` | [`Keys::update`] with a [`KeyUpdate`] (tri-state fields: [`Patch`]) | [`Key`] |
//! | `DELETE /keys/{hash}` | [`Keys::delete`] | `()` |
//! | `GET /guardrails` | [`Guardrails::list`] (one workspace's, one page), [`Guardrails::all`] | [`Vec<Guardrail>`](Guardrail) |
//! | `GET /guardrails/{id}` | [`Guardrails::get`] | [`Guardrail`] |
//! | `GET /guardrails/assignments/keys` | [`Guardrails::key_assignments`] (one page), [`Guardrails::all_key_assignments`] (every page), [`Guardrails::list_all_key_assignments`] (stream) | [`Vec<KeyAssignment>`](KeyAssignment) |
//! | `GET /guardrails/assignments/keys`, every page | [`Guardrails::assignment_of`] (one key's) | `Option<`[`KeyAssignment`]`>` |
//! | `GET /guardrails/{id}/assignments/keys` | [`Guardrails::assignments_of_guardrail`] (one page; `.all()` every page) | [`Vec<KeyAssignment>`](KeyAssignment) |
//! | `POST /guardrails/{id}/assignments/keys` | [`Guardrails::assign_keys`] (replaces a key's guardrail) | [`KeysAssigned`] |
//! | `POST /guardrails/{id}/assignments/keys/remove` | [`Guardrails::unassign_keys`] | [`KeysUnassigned`] |
//! | `GET /workspaces` | [`Workspaces::list`] (one page), [`Workspaces::all`], [`Workspaces::list_all`] | [`Vec<Workspace>`](Workspace) |
//! | `GET /workspaces/{id}` | [`Workspaces::get`] (by id or slug) | [`Workspace`] |
//!
//! All but `GET /key` need a *management* key. Hashes and ids are percent-encoded as one path
//! segment, and input is validated before anything is sent ([`Error::InvalidInput`]). What a
//! guardrail, an assignment and a workspace mean for a key (the order budgets are checked in,
//! member guardrails following the key's creator, expiry) is summarised in the repository's
//! `openapi/POLICY.md`.
//!
//! # Errors
//!
//! Every call returns [`Result<T, Error>`](Result). [`Error`] is one `#[non_exhaustive]` enum:
//! [`Error::Api`] (an HTTP error status or a redirect; [`ApiError`] holds its [`ApiErrorKind`], OpenRouter's
//! code, message and metadata, the request id, `Retry-After` and the attempts made),
//! [`Error::Timeout`] (which one passed: [`TimeoutKind`]), [`Error::Connection`] (how far it
//! got: [`ConnectionPhase`]; both about the last attempt, with what the earlier ones sent:
//! [`Sent`]), [`Error::Decode`] ([`DecodeError`]: the JSON path that failed and
//! a redacted excerpt), [`Error::Listing`] ([`ListingError`]: pages of a listing that cannot
//! be the list together), [`Error::InvalidInput`] (refused before sending), [`Error::Config`],
//! and [`Error::OutcomeUnknown`]: a `POST /keys` that may have reached the server (a timeout or
//! broken connection after it was sent, a 5xx or 408, or a 2xx that shows no key), so the key
//! may exist.
//! [`Error::is_retryable`], [`Error::status`], [`Error::request_id`], [`Error::retry_after`]
//! and [`Error::attempts`] work on every variant. A message has two parts: [`Error::summary`]
//! (also `{:#}`) says what happened and its root cause, [`Error::hint`] what to do about it;
//! `{}` joins them. [`Error::InvalidInput`] names an [`InputField`], [`Error::Config`] a
//! [`Setting`] ([`ConfigError`]), and messages about the key say where it came from
//! ([`KeySource`], [`ClientBuilder::api_key_from`]). Text that came from the network has the
//! API key and anything shaped like an OpenRouter key redacted. The `error_handling` example
//! matches on them.
//!
//! # Retries and timeouts
//!
//! Calls are retried by a [`RetryPolicy`]: by default 3 attempts, full-jitter exponential
//! backoff (500 ms doubling, at most 30 s per wait), `Retry-After` and `retry-after-ms`
//! honoured, and a 120 s deadline for the whole call; each attempt has a
//! [`DEFAULT_TIMEOUT`] of 30 s. Timeouts, connection failures, 408, 429, 500, 502, 503 and
//! 504 are retried.
//! `POST /keys` is retried only when the server cannot have acted on it: no connection could
//! be made, or it answered 429 (that a rate-limited create made no key is our inference; no
//! source states it); assigning keys to a guardrail and unassigning them are `POST`s too, but
//! safe to repeat (an assignment replaces the one before), and are retried like the others; [`Request::retry_on_unknown_outcome`] opts a create into the other retries when a
//! duplicate key is acceptable. Set the defaults on the [`ClientBuilder`]
//! ([`timeout`](ClientBuilder::timeout), [`retry`](ClientBuilder::retry)) and override them per
//! call with [`Request::timeout`], [`Request::retry`] and [`Request::header`]. Waits go through
//! the [`sleep::AsyncSleep`] the client was built with (tokio's timer by default);
//! [`ClientBuilder::on_retry`] is told of each one before it starts ([`RetryNotice`]).
//!
//! # Pagination
//!
//! `GET /keys` pages by offset and returns no total and no cursor, so one [`Keys::list`] call
//! misses older keys. [`Keys::all`] collects every page into a `Vec`; [`Keys::list_all`] and
//! [`Request::into_stream`] yield keys as pages arrive, and [`Request::all`] collects with the
//! filters of a `list()` request (`include_disabled`, `include_expired`, `workspace_id`). It
//! lists one workspace, the default one unless told another:
//! [`Keys::all_in_every_workspace`] lists every workspace's keys. The guardrail, assignment
//! and workspace listings page by offset and `limit` (at most 100) and give a total
//! (`total_count`); `into_stream()` and `all()` work on them the same way, stop as soon as the
//! items listed reach the latest page's total (without asking for an empty page), and their
//! shortcuts ask for 100 a page. Names say what a shortcut returns: `all…` collects every page
//! into a `Vec`, `list_all…` streams them. Pages that cannot be the list together (a repeated
//! page, items past the total, a key listed with two guardrails) end a listing with an
//! [`Error::Listing`] ([`ListingError`]).
//!
//! # Secrets and decoding
//!
//! The API key and a created key's plaintext are [`SecretString`]s: they never appear in
//! `Debug`, `Display`, errors or traces (read one with [`ExposeSecret::expose_secret`]).
//! Decoding is tolerant: unknown fields are ignored, unknown enum values are kept as
//! `Unknown(..)` ([`LimitReset`], [`DataRegion`], [`BudgetScope`], [`ContentFilterAction`]),
//! and timestamps are kept as text ([`Timestamp`]) and parsed on request. A response fails to
//! decode only when a field the caller cannot do without is missing or malformed: the `data`
//! envelope, a key's `hash`, the top-level `key` (the plaintext secret) of `POST /keys`, a
//! guardrail's or workspace's `id`, an assignment's `key_hash` and `guardrail_id`, and the
//! count of keys an assignment call assigned or unassigned (not negative). Every other field
//! is an `Option`, `None` when the API did not send it or sent a value of another type.
//! OpenRouter's error envelope (`{"error": …}`) sent with a success status is never taken for
//! a success: it is an [`Error::Decode`] at `error`, with a hint.
//!
//! # Testing
//!
//! The [`openrouter-keys-testkit`](https://docs.rs/openrouter-keys-testkit) crate is a stateful
//! fake of the API on 127.0.0.1 with fault injection (error statuses, `Retry-After`, delays,
//! dropped connections, truncated or invalid bodies): point [`ClientBuilder::base_url`] at it
//! and test your own code offline. The `testing_with_testkit` example shows how.
//!
//! # Cargo features
//!
//! | feature | default | what it does |
//! |---|---|---|
//! | `rustls` | yes | TLS through rustls with the aws-lc-rs provider (reqwest's `rustls` feature), which offers post-quantum key exchange (X25519MLKEM768). reqwest gives it to the SDK's HTTP client alone: nothing is installed process-wide, and a provider the application installed as the process default is used instead |
//! | `native-tls` | no | TLS through the platform's library (OpenSSL, SChannel, Security.framework); use with `default-features = false` |
//!
//! With neither, the client speaks plain `http://` only, unless it is given its own
//! `reqwest::Client` ([`ClientBuilder::http_client`]); an `https` base URL then fails at
//! [`ClientBuilder::build`] with [`Error::Config`]. That is also the way to another rustls
//! provider (ring, say, to avoid aws-lc's C build): with `default-features = false`, build a
//! `reqwest::Client` on reqwest's `rustls-no-provider` feature with your provider (installed
//! as the process default, or in a `rustls::ClientConfig` given to reqwest's
//! `tls_backend_preconfigured`), starting from [`http_client_builder`] so that it follows no
//! redirect, and pass it to [`ClientBuilder::http_client`].
//!
//! # Examples
//!
//! The repository's `sdk/examples/` run offline against the embedded fake server
//! (`cargo run --example NAME`): `quickstart`, `error_handling`, `custom_http_client`,
//! `tracing_output`, `pagination`, `per_call_overrides` and `testing_with_testkit`.
//!
//! The crate wraps `openrouter-keys-codegen`, generated from the project's OpenAPI document.

#![warn(missing_docs)]
// docs.rs documents with `--cfg docsrs` on nightly, where `doc_cfg` labels each item gated by
// a feature with that feature (none of this crate's public items is gated today).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api_error;
mod call;
mod client;
mod config_error;
mod decode_error;
mod error;
mod error_mapping;
mod error_text;
mod exchange;
mod guardrails;
mod hash;
mod hints;
mod input_field;
mod key_source;
mod keys;
mod listing_error;
mod model;
mod operation_id;
mod options;
mod page_query;
mod pagination;
mod redact;
mod request;
mod retry;
mod retry_after;
mod retry_notice;
mod rules;
mod shown_url;
pub mod sleep;
#[cfg(test)]
mod summary_advice;
mod text_bound;
mod tolerant;
mod transport;
mod workspaces;

pub use api_error::{ApiError, ApiErrorKind};
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
    http_client_builder,
};
pub use config_error::{ConfigError, Setting};
pub use decode_error::DecodeError;
pub use error::{ConnectionPhase, Error, Result, Sent, TimeoutKind};
pub use input_field::InputField;
pub use key_source::KeySource;
pub use listing_error::{ListingError, ListingErrorKind};
pub use text_bound::MAX_TEXT_CHARS;
// Every public item of the files that declare operations (`Keys`, `Guardrails`, `Workspaces`
// and the operation types) is public at the root, so that an operation declared there needs
// no line here.
pub use guardrails::*;
pub use keys::*;
pub use model::{
    BudgetLayer, BudgetResetInterval, BudgetScope, BuiltinContentFilter, ContentFilterAction,
    CreatedKey, CurrentKey, CustomContentFilter, DataRegion, ExternalIdentity,
    FreeModelDailyRequests, Guardrail, Key, KeyAssignment, KeyUpdate, KeysAssigned, KeysUnassigned,
    LimitReset, NewKey, Patch, RateLimit, Timestamp, Usage, Workspace, ZeroDataRetention,
};
pub use operation_id::OperationId;
pub use request::Request;

/// The traits behind the operation types a [`Request`] carries ([`GetKey`], [`ListKeys`], ...):
/// [`Operation::Output`](operation::Operation::Output) is what awaiting the request returns,
/// and a [`Paged`](operation::Paged) operation's request can fetch every page
/// ([`Request::into_stream`], [`Request::all`]). Both are sealed; you meet them only in
/// bounds, when writing code generic over requests.
pub mod operation {
    pub use crate::pagination::Paged;
    pub use crate::request::Operation;
}

/// The crate README's examples, compiled as doctests so that they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The `reqwest` crate this SDK sends with (for [`ClientBuilder::http_client`]).
pub use reqwest;
pub use retry::RetryPolicy;
pub use retry_after::MAX_RETRY_AFTER;
pub use retry_notice::RetryNotice;
pub use secrecy::{ExposeSecret, SecretString};
/// The `time` crate, whose `OffsetDateTime` [`Timestamp::datetime`] returns.
pub use time;
pub use workspaces::*;
