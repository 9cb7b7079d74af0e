//! An HTTP error answer ([`ApiError`]) and its status, classified ([`ApiErrorKind`]).

use crate::error_text::{Attempts, RetryHint};
use crate::operation_id::OperationId;
use reqwest::StatusCode;
use std::fmt;
use std::time::Duration;

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
    /// 404: no such key (for `GET /keys`, which the newest official SDKs map a 404 for, no
    /// source says what it means).
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
    /// The operation that got this answer.
    pub operation: OperationId,
    /// The HTTP status.
    pub status: StatusCode,
    /// The status, classified.
    pub kind: ApiErrorKind,
    /// `error.code` of OpenRouter's error envelope, when the body was that envelope and the
    /// code an integer.
    pub code: Option<i64>,
    /// `error.message` of the envelope, with secrets redacted, when it had one (kept even when
    /// other members of the envelope are missing or malformed).
    pub message: Option<String>,
    /// `error.metadata` of the envelope, with secrets redacted in every string.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// The first 8 KiB of the body when it was *not* the envelope (HTML from a gateway, empty,
    /// invalid JSON), lossily decoded as UTF-8, with secrets redacted.
    pub raw_body: Option<String>,
    /// The request id the server or gateway sent, if any.
    pub request_id: Option<String>,
    /// The wait the server asked for (`Retry-After` or `retry-after-ms`), at most
    /// [`MAX_RETRY_AFTER`](crate::MAX_RETRY_AFTER).
    pub retry_after: Option<Duration>,
    /// Attempts made, including the one that got this answer.
    pub attempts: u32,
    /// What to do about it, when the SDK can tell (shown by `Display`).
    pub(crate) hint: Option<String>,
}

impl ApiError {
    /// What the SDK suggests doing about this answer, when it can tell: for example that the
    /// base URL is probably wrong (a 404 on `GET /key`, a 404 without OpenRouter's error JSON,
    /// a redirect), or that the operation needs a management key (a 403 on `/keys`). Also part
    /// of `Display`, after `. `; `{:#}` leaves it out.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "OpenRouter answered {} to {}",
            self.status, self.operation
        )?;
        // Server text is quoted (control characters escaped) so that it cannot run into the
        // SDK's own words.
        match (&self.message, &self.raw_body) {
            (Some(message), _) => write!(f, ": \"{}\"", message.escape_debug())?,
            (None, Some(raw)) if raw.trim().is_empty() => f.write_str(" with an empty body")?,
            (None, Some(raw)) => {
                let first: String = raw.trim().chars().take(120).collect();
                write!(f, " with a non-JSON body: \"{}\"", first.escape_debug())?;
            }
            (None, None) => {}
        }
        f.write_str(" (")?;
        if let Some(code) = self.code {
            write!(f, "code {code}; ")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, "request id {}; ", id.escape_debug())?;
        }
        write!(f, "{})", Attempts(self.attempts))?;
        RetryHint(self.retry_after).fmt(f)?;
        if !f.alternate()
            && let Some(hint) = &self.hint
        {
            write!(f, ". {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

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
