//! The SDK's one error type, and the pieces of an HTTP error users act on.
//!
//! Every failure of a call becomes an [`Error`]: an HTTP error status ([`ApiError`], with the
//! parsed OpenRouter envelope or a bounded excerpt of whatever else came back), a timeout, a
//! connection failure, a 2xx body that does not decode, input rejected before sending, or a
//! `POST /keys` whose outcome is unknown. Nothing here holds a secret: bodies are excerpts of
//! what the *server* sent, with anything shaped like an OpenRouter key redacted.

use reqwest::StatusCode;
use std::fmt;
use std::time::Duration;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an HTTP error status.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// No response in time: the per-attempt timeout on the last attempt, or the call's deadline.
    #[error(
        "timed out after {attempts} attempt(s) ({}){}",
        if *.deadline { "the call's deadline passed" } else { "the per-attempt timeout passed" },
        RetryHint(*.retry_after)
    )]
    Timeout {
        /// Attempts made, including the one that timed out.
        attempts: u32,
        /// `true` when the call's overall deadline ran out, `false` for a per-attempt timeout.
        deadline: bool,
        /// The server's requested wait, when the last answer carried one.
        retry_after: Option<Duration>,
    },

    /// The connection failed (refused, reset, DNS, TLS) before a response arrived.
    #[error("connection to OpenRouter failed after {attempts} attempt(s): {source}")]
    Connection {
        /// Attempts made.
        attempts: u32,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },

    /// A success status whose body did not decode as the documented response.
    #[error(transparent)]
    Decode(Box<DecodeError>),

    /// Input rejected before anything was sent (empty hash, empty name, bad header, ...).
    #[error("invalid {what}: {reason}")]
    InvalidInput {
        /// What was invalid, e.g. `"hash"` or `"name"`.
        what: &'static str,
        /// Why, in words.
        reason: String,
    },

    /// A `POST /keys` failed in a way that leaves open whether the key was created.
    #[error(
        "creating the key may or may not have succeeded ({cause}). A key may have been created: \
         list keys (`client.keys().list_all()`) and look for the name before creating it again"
    )]
    OutcomeUnknown {
        /// What happened: a timeout, a 5xx or a lost response.
        #[source]
        cause: Box<Error>,
    },

    /// The client could not be configured (bad base URL, empty key, bad header value, ...).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

struct RetryHint(Option<Duration>);

impl fmt::Display for RetryHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(wait) => write!(f, "; the server asked to wait {wait:?}"),
            None => Ok(()),
        }
    }
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode(decode) => Some(decode.status),
            Error::OutcomeUnknown { cause } => cause.status(),
            _ => None,
        }
    }

    /// The server's request id (`x-request-id` or the like), when the server answered with one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id.as_deref(),
            Error::Decode(decode) => decode.request_id.as_deref(),
            Error::OutcomeUnknown { cause } => cause.request_id(),
            _ => None,
        }
    }

    /// How long the server asked to wait before trying again (`Retry-After`, `retry-after-ms`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api(api) => api.retry_after,
            Error::Timeout { retry_after, .. } => *retry_after,
            Error::OutcomeUnknown { cause } => cause.retry_after(),
            _ => None,
        }
    }

    /// Attempts made before this error was returned (0 when nothing was sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(api) => api.attempts,
            Error::Timeout { attempts, .. } | Error::Connection { attempts, .. } => *attempts,
            Error::Decode(decode) => decode.attempts,
            Error::OutcomeUnknown { cause } => cause.attempts(),
            Error::InvalidInput { .. } | Error::Config(_) => 0,
        }
    }

    /// Whether the same call may succeed if made again later.
    ///
    /// `true` for timeouts, connection failures, 408, 429 and 5xx answers. `false` for
    /// [`Error::OutcomeUnknown`]: check whether the key exists before creating it again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => is_retryable_status(api.status),
            Error::Timeout { .. } | Error::Connection { .. } => true,
            _ => false,
        }
    }

    /// The HTTP error details, when this is [`Error::Api`].
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            Error::OutcomeUnknown { cause } => cause.as_api(),
            _ => None,
        }
    }

    pub(crate) fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            what,
            reason: reason.into(),
        }
    }
}

/// Statuses worth retrying for an idempotent call.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// What kind of HTTP error the server returned, for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 400: invalid parameters or body.
    BadRequest,
    /// 401: missing or invalid key.
    Unauthorized,
    /// 403: the key may not do this (for example, not a management key).
    Forbidden,
    /// 404: no such key (or, for a list, nothing found).
    NotFound,
    /// 409: the change conflicts with the key's current state (documented for `PATCH` by the
    /// newest official SDKs; OpenRouter does not say what causes it).
    Conflict,
    /// 429: rate limited; see [`ApiError::retry_after`].
    RateLimited,
    /// 5xx: the server or a gateway failed.
    ServerError,
    /// Any other status.
    Other,
}

impl ApiErrorKind {
    /// The kind of a status code.
    pub fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            409 => Self::Conflict,
            429 => Self::RateLimited,
            500..=599 => Self::ServerError,
            _ => Self::Other,
        }
    }
}

/// An HTTP error answer, with everything the server said about it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The status, classified.
    pub kind: ApiErrorKind,
    /// `error.code` of OpenRouter's error envelope, when the body was that envelope and the
    /// code an integer.
    pub code: Option<i64>,
    /// `error.message` of the envelope, when it had one (kept even when other members of
    /// the envelope are missing or malformed).
    pub message: Option<String>,
    /// `error.metadata` of the envelope.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// The first 8 KiB of the body when it was *not* the envelope (HTML from a gateway, empty,
    /// invalid JSON), lossily decoded as UTF-8.
    pub raw_body: Option<String>,
    /// The request id the server or gateway sent, if any.
    pub request_id: Option<String>,
    /// The wait the server asked for (`Retry-After` or `retry-after-ms`).
    pub retry_after: Option<Duration>,
    /// Attempts made, including the one that got this answer.
    pub attempts: u32,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OpenRouter answered {}", self.status)?;
        match (&self.message, &self.raw_body) {
            (Some(message), _) => write!(f, ": {message}")?,
            (None, Some(raw)) if raw.trim().is_empty() => write!(f, " with an empty body")?,
            (None, Some(raw)) => {
                let first: String = raw.chars().take(120).collect();
                write!(f, " with a non-JSON body: {:?}", first.trim())?;
            }
            (None, None) => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        write!(f, " after {} attempt(s)", self.attempts)?;
        RetryHint(self.retry_after).fmt(f)
    }
}

impl std::error::Error for ApiError {}

/// A success status whose body did not decode.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation, by its spec operationId (e.g. `"list"`).
    pub operation: &'static str,
    /// The (successful) HTTP status.
    pub status: StatusCode,
    /// JSON path of the value that failed (`data[2].usage`), or `.` for the document.
    pub path: String,
    /// What the decoder said.
    pub message: String,
    /// The first 1 KiB of the body, lossily decoded, with OpenRouter keys redacted.
    pub body_excerpt: String,
    /// The request id, if any.
    pub request_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// For `createKeys`: the new key's plaintext, when the body still carried a readable
    /// top-level `key`. The key exists either way; this keeps its secret from being lost.
    pub created_secret: Option<secrecy::SecretString>,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} response ({}) did not decode at `{}`: {}",
            self.operation, self.status, self.path, self.message
        )?;
        if self.operation == "createKeys" {
            let secret = if self.created_secret.is_some() {
                "its secret is in `created_secret`"
            } else {
                "its secret could not be read"
            };
            write!(
                f,
                " (the key was created; {secret}; find it with `client.keys().list_all()`)"
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// Bytes kept of a non-envelope error body.
pub(crate) const RAW_BODY_LIMIT: usize = 8 * 1024;
/// Bytes kept of an undecodable success body.
pub(crate) const EXCERPT_LIMIT: usize = 1024;

/// The first `limit` bytes of `body` as text, with anything shaped like an OpenRouter key
/// (`sk-or-...`) replaced, so that an excerpt can never carry a secret into logs.
pub(crate) fn excerpt(body: &[u8], limit: usize) -> String {
    let cut = &body[..body.len().min(limit)];
    redact_keys(&String::from_utf8_lossy(cut))
}

/// Replaces every `sk-or-<token>` in `text` with `sk-or-[REDACTED]`.
pub(crate) fn redact_keys(text: &str) -> String {
    const MARKER: &str = "sk-or-";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(MARKER) {
        out.push_str(&rest[..at + MARKER.len()]);
        out.push_str("[REDACTED]");
        rest = &rest[at + MARKER.len()..];
        let token_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        rest = &rest[token_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_every_key_shaped_token() {
        let text = r#"{"key":"sk-or-v1-abc123","other":"x sk-or-v1-def.456 y"}"#;
        assert_eq!(
            redact_keys(text),
            r#"{"key":"sk-or-[REDACTED]","other":"x sk-or-[REDACTED] y"}"#
        );
        assert_eq!(redact_keys("nothing here"), "nothing here");
        assert_eq!(redact_keys("sk-or-"), "sk-or-[REDACTED]");
    }

    #[test]
    fn excerpt_is_bounded_and_lossy() {
        let body = [b'a'; 5000];
        assert_eq!(excerpt(&body, 1024).len(), 1024);
        assert_eq!(excerpt(&[0xff, b'a'], 10), "\u{fffd}a");
    }

    #[test]
    fn kinds_follow_statuses() {
        let kind = |s: u16| ApiErrorKind::from_status(StatusCode::from_u16(s).unwrap());
        assert_eq!(kind(400), ApiErrorKind::BadRequest);
        assert_eq!(kind(401), ApiErrorKind::Unauthorized);
        assert_eq!(kind(403), ApiErrorKind::Forbidden);
        assert_eq!(kind(404), ApiErrorKind::NotFound);
        assert_eq!(kind(409), ApiErrorKind::Conflict);
        assert_eq!(kind(429), ApiErrorKind::RateLimited);
        assert_eq!(kind(502), ApiErrorKind::ServerError);
        assert_eq!(kind(418), ApiErrorKind::Other);
    }
}
