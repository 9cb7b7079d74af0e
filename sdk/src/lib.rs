//! # openrouter-keys
//!
//! A typed, retrying, secret-safe async client for OpenRouter's API-key management API: the
//! current key (`GET /key`), and listing, creating, reading, updating and deleting keys
//! (`/keys`, with a management key).
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! use openrouter_keys::{Client, KeyUpdate, LimitReset, NewKey, ExposeSecret};
//!
//! # async fn run() -> Result<(), openrouter_keys::Error> {
//! let client = Client::from_env()?;
//! let created = client
//!     .keys()
//!     .create(NewKey::new("ci").limit(25.0).limit_reset(LimitReset::Monthly))
//!     .await?;
//! println!("store this now: {}", created.secret().expose_secret());
//! let hash = created.key().hash.clone();
//! client.keys().update(&hash, KeyUpdate::new().disabled(true).clear_limit()).await?;
//! let all: Vec<_> = client.keys().list_all().try_collect().await?;
//! println!("{} keys", all.len());
//! client.keys().delete(&hash).await?;
//! # Ok(()) }
//! ```
//!
//! What it does for you:
//! - **Retries** with full-jitter exponential backoff, a cap on attempts (3) and a deadline
//!   (120 s), honouring `Retry-After`; `POST /keys` is never retried blindly (see
//!   [`Error::OutcomeUnknown`]).
//! - **Typed errors** ([`Error`], [`ApiError`]) with status kind, OpenRouter's error code and
//!   message, request id and attempts.
//! - **Secrets** (the API key, a created key's plaintext) are [`secrecy::SecretString`]s and
//!   never appear in `Debug`, `Display`, errors or traces.
//! - **Forward-compatible decoding**: unknown fields are ignored, unknown enum values are kept
//!   as `Unknown(..)`, malformed timestamps are kept as text.
//! - **What a response must contain**: a response fails to decode only when a field the caller
//!   cannot do without is missing or malformed: the `data` envelope, a key's `hash`, and the
//!   top-level `key` (the plaintext secret) of `POST /keys`. Every other field is an `Option`,
//!   `None` when the API did not send it or sent a value of another type.
//!
//! The crate wraps `openrouter-keys-codegen`, generated from the OpenAPI spec in this
//! repository; see `ARCHITECTURE.md`.

#![warn(missing_docs)]

mod attempt_scope;
mod call;
mod client;
mod error;
mod hash;
mod keys;
mod model;
mod operation_id;
mod options;
mod pagination;
mod redact;
mod retry;
mod retry_after;
mod sleep;
mod tolerant;
mod transport;

pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
    http_client_builder,
};
pub use error::{ApiError, ApiErrorKind, ConnectionPhase, DecodeError, Error, Result, TimeoutKind};
pub use keys::{
    CreateKey, DeleteKey, GetCurrentKey, GetKey, Keys, ListKeys, Operation, Request, UpdateKey,
};
pub use model::{
    BudgetLayer, BudgetResetInterval, BudgetScope, CreatedKey, CurrentKey, DataRegion,
    ExternalIdentity, FreeModelDailyRequests, Key, KeyUpdate, LimitReset, NewKey, Patch, RateLimit,
    Timestamp, Usage,
};
pub use operation_id::OperationId;
/// The README's examples, compiled as doctests so that they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The `reqwest` crate this SDK sends with (for [`ClientBuilder::http_client`]).
pub use reqwest;
pub use retry::RetryPolicy;
pub use secrecy::{ExposeSecret, SecretString};
pub use sleep::{AsyncSleep, BoxFuture, TokioSleep};
/// The `time` crate, whose `OffsetDateTime` [`Timestamp::datetime`] returns.
pub use time;
