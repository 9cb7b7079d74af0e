//! What the shared call code must know about an operation, as data each operation declares
//! once, beside itself ([`Exchange::RULES`](crate::exchange::Exchange::RULES) in `keys.rs`).
//!
//! The call loop, the retry decision, the error mapping and the hints read these facts; none
//! of them compares operation names. A new operation states its retry safety, the key it
//! needs, what a 404 means for it and, if it creates something that must not be lost or
//! duplicated, how its answers show that it did.

use crate::operation_id::OperationId;
use reqwest::StatusCode;
use secrecy::SecretString;

/// The facts of one operation; see the module documentation.
#[derive(Debug)]
pub(crate) struct Rules {
    /// Which operation this is (its name in errors, traces and retry notices).
    pub id: OperationId,
    /// Whether a failed attempt may be repeated without changing the outcome.
    pub idempotency: Idempotency,
    /// Which key the operation needs, for the hints of a 401 or a 403.
    pub key: KeyNeeded,
    /// What a 404 means for it.
    pub not_found: NotFound,
    /// For an operation that creates something: how its answers show that it did.
    pub creates: Option<Creation>,
    /// Whether its success body has no essential member, so that any JSON object decodes as
    /// one, OpenRouter's error envelope included: such a body is read for the envelope
    /// before it counts as a success.
    pub nothing_essential: bool,
}

impl Rules {
    /// An operation with these facts; a 404 may mean that what it addresses does not exist,
    /// and it creates nothing the caller could lose.
    pub const fn new(id: OperationId, idempotency: Idempotency, key: KeyNeeded) -> Self {
        Self {
            id,
            idempotency,
            key,
            not_found: NotFound::Missing,
            creates: None,
            nothing_essential: false,
        }
    }

    /// No source documents a 404 for this operation (a route without parameters): one means
    /// the request went to the wrong place, most likely a wrong base URL.
    pub const fn undocumented_404(self) -> Self {
        Self {
            not_found: NotFound::WrongBaseUrl,
            ..self
        }
    }

    /// No member of the operation's success body is essential (a delete's `{}` is a
    /// success): a success body that is OpenRouter's error envelope (`{"error": {…}}`) is
    /// refused as a decode error instead of decoding as a success. (An operation with an
    /// essential member needs no such check: an envelope lacks the member and fails to
    /// decode.)
    pub const fn nothing_essential(self) -> Self {
        Self {
            nothing_essential: true,
            ..self
        }
    }

    /// A 404 for this operation may mean something besides "it does not exist", which the
    /// caller should be told (`means`, the hint of an OpenRouter 404 answer).
    pub const fn not_found_means(self, means: &'static str) -> Self {
        Self {
            not_found: NotFound::Means(means),
            ..self
        }
    }

    /// The operation creates something: a failure after which it may exist becomes
    /// [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown), and a success body that does
    /// not decode is read for signs that it was made.
    pub const fn creates(self, creation: Creation) -> Self {
        Self {
            creates: Some(creation),
            ..self
        }
    }
}

/// Whether an operation may be repeated without changing the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// Repeating is safe (GET, PATCH, DELETE, or a POST the API deduplicates).
    Idempotent,
    /// Repeating may act twice (`POST /keys` may create a second key).
    NotIdempotent,
}

/// Which key an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyNeeded {
    /// Any valid key (`GET /key`).
    Any,
    /// A management key; `routes` names the routes in hints ("operations on /keys need a
    /// management key").
    Management {
        /// The routes, as hints name them: `/keys`.
        routes: &'static str,
    },
}

/// What a 404 answer means for an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotFound {
    /// What it addresses may not exist (or, for a listing, no source says): no hint unless
    /// the body is not OpenRouter's error JSON.
    Missing,
    /// Undocumented for it: the base URL is probably wrong.
    WrongBaseUrl,
    /// What it addresses does not exist, or what this says (a workspace's default guardrail
    /// before its configuration is written): the hint of an OpenRouter 404.
    Means(&'static str),
}

/// How a creating operation's answers show that the thing was made, read when its success
/// body does not decode (the thing may exist, and its secret must not be lost).
#[derive(Debug)]
pub(crate) struct Creation {
    /// Whether a 2xx answer (its status and body) shows that the thing exists.
    pub shown: fn(StatusCode, &[u8]) -> bool,
    /// The secret a body carries, read from it even when the body does not decode as a
    /// whole.
    pub secret: fn(&[u8]) -> Option<SecretString>,
}

/// What a success body that says the operation did not happen is reported as (see
/// [`Exchange::refusal`](crate::exchange::Exchange::refusal)).
pub(crate) struct Refusal {
    /// Where in the body it says so (`deleted`).
    pub path: &'static str,
    /// What it says, in words.
    pub message: &'static str,
    /// What to do about it.
    pub hint: &'static str,
}
