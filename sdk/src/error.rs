//! The SDK's one error type, and the pieces of an HTTP error users act on.
//!
//! Every failure of a call becomes an [`Error`]: an HTTP error status ([`ApiError`], with the
//! parsed OpenRouter envelope or a bounded excerpt of whatever else came back), a timeout, a
//! connection failure, a 2xx body that does not decode, input rejected before sending, or a
//! `POST /keys` whose outcome is unknown. Nothing here holds a secret: every text that came
//! from the network (envelope message and metadata, bodies, request ids, decoder messages) went
//! through `redact.rs` before it was stored.

use crate::operation_id::OperationId;
use crate::redact::Redactor;
use reqwest::StatusCode;
use std::fmt;
use std::time::Duration;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a call.
///
/// Each message says what happened, its root cause and what to do. A message includes the
/// text of what caused it, so [`std::error::Error::source`] returns nothing for these
/// variants (error-chain printers would otherwise print the cause twice); the underlying
/// error stays available as a field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an HTTP error status, or with a redirect (not followed).
    #[error(transparent)]
    Api(Box<ApiError>),

    /// No answer in time: which timeout passed is in `which`.
    #[error("{}", TimeoutText { which: *.which, after: *.after, attempts: *.attempts, retry_after: *.retry_after, answered: *.answered, advice: true })]
    Timeout {
        /// Attempts made, including the one that timed out.
        attempts: u32,
        /// Which timeout passed.
        which: TimeoutKind,
        /// That timeout's length, when known (a connect timeout set on a `reqwest::Client`
        /// given to [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) is not).
        after: Option<Duration>,
        /// The server's requested wait, when an earlier answer carried one.
        retry_after: Option<Duration>,
        /// The status of the last attempt's answer when it arrived and then its body did not
        /// (the server answered, then stalled); `None` when no answer arrived.
        answered: Option<StatusCode>,
    },

    /// The connection failed before a whole response arrived: it could not be made, it broke
    /// before an answer, or the answer was cut off (see `phase`).
    #[error("{}", ConnectionText { phase: *.phase, error, attempts: *.attempts, advice: true })]
    Connection {
        /// Attempts made.
        attempts: u32,
        /// How far the last attempt got.
        phase: ConnectionPhase,
        /// The transport error of the last attempt (its causes are part of the message).
        error: reqwest::Error,
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

    /// A `POST /keys` failed in a way that leaves open whether the key was created: the
    /// request may have reached the server (a timeout or a broken connection after it was
    /// sent, a 5xx or 408 answer, or a 2xx that shows no key, see
    /// [`DecodeError::key_created`]). A create that never reached the server (it could not connect)
    /// is a [`Error::Connection`] or [`Error::Timeout`] with [`TimeoutKind::Connect`] instead.
    #[error(
        "creating the key may or may not have succeeded: {}. A key may have been created: \
         list keys (`client.keys().list_all()`) and look for its name before creating it again",
        WithoutAdvice(.cause)
    )]
    OutcomeUnknown {
        /// What happened to the last attempt (its text is part of the message).
        cause: Box<Error>,
    },

    /// The client could not be configured (bad base URL, empty key, bad header value, ...).
    #[error("invalid client configuration: {0}")]
    Config(String),
}

/// Which timeout passed, for [`Error::Timeout`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// The connect timeout: no connection was made, so nothing was sent.
    Connect,
    /// The per-attempt timeout, after the request may have been sent.
    Attempt,
    /// The call's overall deadline ([`RetryPolicy::deadline`](crate::RetryPolicy::deadline)).
    Deadline,
}

/// How far an attempt got before its connection failed, for [`Error::Connection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectionPhase {
    /// No connection could be made (refused, DNS, TLS handshake, proxy): nothing was sent.
    Connect,
    /// The connection broke after the request may have been sent, before an answer arrived.
    Request,
    /// An answer arrived but its body was cut off.
    Response,
}

impl ConnectionPhase {
    fn describe(self) -> &'static str {
        match self {
            Self::Connect => "could not connect to OpenRouter",
            Self::Request => "the connection to OpenRouter broke before an answer arrived",
            Self::Response => "the response from OpenRouter was cut off",
        }
    }

    fn advice(self) -> &'static str {
        match self {
            Self::Connect => ". Check the base URL, the network and any proxy",
            Self::Request | Self::Response => ". Retry later",
        }
    }
}

/// "1 attempt", "3 attempts".
struct Attempts(u32);

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.0 == 1 { "" } else { "s" };
        write!(f, "after {} attempt{plural}", self.0)
    }
}

/// What a timeout means, and (with `advice`) what to do about it.
struct TimeoutText {
    which: TimeoutKind,
    after: Option<Duration>,
    attempts: u32,
    retry_after: Option<Duration>,
    answered: Option<StatusCode>,
    advice: bool,
}

impl fmt::Display for TimeoutText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let length = Length(self.after);
        let attempts = Attempts(self.attempts);
        let (what, advice) = match self.which {
            TimeoutKind::Connect => (
                "could not connect to OpenRouter within the connect timeout",
                "so nothing was sent. Check the base URL and the network, or raise \
                 `ClientBuilder::connect_timeout`",
            ),
            TimeoutKind::Attempt => (
                "OpenRouter did not answer within the per-attempt timeout",
                "Retry later, or raise it (`ClientBuilder::timeout`, or `.timeout()` on the call)",
            ),
            TimeoutKind::Deadline => (
                "the call's deadline passed before OpenRouter answered",
                "Retry later, or raise it (`RetryPolicy::deadline`)",
            ),
        };
        match (self.which, self.answered) {
            (TimeoutKind::Attempt, Some(status)) => write!(
                f,
                "OpenRouter answered {status}, but its body did not arrive within the \
                 per-attempt timeout{length} ({attempts})"
            )?,
            (TimeoutKind::Deadline, Some(status)) => write!(
                f,
                "OpenRouter answered {status}, but the call's deadline{length} passed before \
                 its body arrived ({attempts})"
            )?,
            // "the call's deadline (120s) passed": the length goes after "deadline".
            (TimeoutKind::Deadline, None) => write!(
                f,
                "the call's deadline{length} passed before OpenRouter answered ({attempts})"
            )?,
            _ => write!(f, "{what}{length} ({attempts})")?,
        }
        RetryHint(self.retry_after).fmt(f)?;
        match (self.which, self.advice) {
            (TimeoutKind::Connect, true) => write!(f, ", {advice}"),
            (TimeoutKind::Connect, false) => f.write_str(", so nothing was sent"),
            (_, true) => write!(f, ". {advice}"),
            (_, false) => Ok(()),
        }
    }
}

/// A broken connection: how far it got, its root cause and (with `advice`) what to do.
struct ConnectionText<'a> {
    phase: ConnectionPhase,
    error: &'a reqwest::Error,
    attempts: u32,
    advice: bool,
}

impl fmt::Display for ConnectionText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nothing_sent = if self.phase == ConnectionPhase::Connect {
            "; nothing was sent"
        } else {
            ""
        };
        write!(
            f,
            "{}: {} ({}{nothing_sent})",
            self.phase.describe(),
            RootCause(self.error),
            Attempts(self.attempts)
        )?;
        if self.advice {
            f.write_str(self.phase.advice())?;
        }
        Ok(())
    }
}

/// An error's message without the advice at its end, for an error inside another whose
/// advice differs ([`Error::OutcomeUnknown`] must not say "retry later").
struct WithoutAdvice<'a>(&'a Error);

impl fmt::Display for WithoutAdvice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Error::Timeout {
                attempts,
                which,
                after,
                retry_after,
                answered,
            } => TimeoutText {
                which: *which,
                after: *after,
                attempts: *attempts,
                retry_after: *retry_after,
                answered: *answered,
                advice: false,
            }
            .fmt(f),
            Error::Connection {
                attempts,
                phase,
                error,
            } => ConnectionText {
                phase: *phase,
                error,
                attempts: *attempts,
                advice: false,
            }
            .fmt(f),
            other => other.fmt(f),
        }
    }
}

/// " (30s)", or nothing when the length is not known.
struct Length(Option<Duration>);

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(length) => write!(f, " ({length:?})"),
            None => Ok(()),
        }
    }
}

/// "; the server asked to wait 2s", when it did.
struct RetryHint(Option<Duration>);

impl fmt::Display for RetryHint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            // A `Retry-After` date in the past.
            Some(wait) if wait.is_zero() => f.write_str("; the server asked to retry now"),
            Some(wait) => write!(f, "; the server asked to wait {wait:?}"),
            None => Ok(()),
        }
    }
}

/// The causes of a transport error, below reqwest's own "error sending request for url"
/// (whose text only repeats the URL), joined with `: `: `tcp connect error: Connection
/// refused (os error 111)`, `dns error: …`, `invalid peer certificate: …`.
struct RootCause<'a>(&'a reqwest::Error);

impl fmt::Display for RootCause<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut written = 0;
        let mut last = String::new();
        let mut cause = std::error::Error::source(self.0);
        while let Some(error) = cause {
            let text = error.to_string();
            // hyper-util's wrapper ("client error (Connect)") and reqwest's body wrapper name
            // only a category that the message already gives; repeated texts add nothing.
            if !text.starts_with("client error (")
                && text != "request or response body error"
                && text != last
            {
                if written > 0 {
                    f.write_str(": ")?;
                }
                f.write_str(&text)?;
                written += 1;
            }
            last = text;
            cause = error.source();
        }
        if written == 0 {
            write!(f, "{}", self.0)?;
        }
        if let Some(url) = self.0.url() {
            write!(f, " [{}]", url.as_str())?;
        }
        Ok(())
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

    /// How long the server asked to wait before trying again (`Retry-After`, `retry-after-ms`),
    /// at most [`MAX_RETRY_AFTER`](crate::MAX_RETRY_AFTER).
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
    /// `true` for timeouts, connection failures, 408, 429, 500, 502, 503 and 504 answers.
    /// `false` for
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
    /// of `Display`.
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
        if let Some(hint) = &self.hint {
            write!(f, ". {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A success status whose body did not decode.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecodeError {
    /// The operation whose answer did not decode.
    pub operation: OperationId,
    /// The (successful) HTTP status.
    pub status: StatusCode,
    /// JSON path of the value that failed (`data[2].usage`), or `.` for the document.
    pub path: String,
    /// What the decoder said (with secrets redacted: it may quote the body).
    pub message: String,
    /// The first 1 KiB of the body, lossily decoded, with secrets redacted.
    pub body_excerpt: String,
    /// The request id, if any.
    pub request_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// For `createKeys`: the new key's plaintext, when the body still carried a readable
    /// top-level `key`, which keeps its secret from being lost.
    pub created_secret: Option<secrecy::SecretString>,
    /// For `createKeys`: whether the answer shows that the key exists — a `201 Created`, or a
    /// body with the new key's `data.hash` or its `key`. A 2xx without any of them (a
    /// proxy's sign-in page, say) does not: such an error comes inside
    /// [`Error::OutcomeUnknown`].
    pub key_created: bool,
    /// What to do about it, when the SDK can tell (see [`DecodeError::hint`]).
    pub(crate) hint: Option<String>,
}

impl DecodeError {
    /// What the SDK suggests doing about this answer, when it can tell: for example that a
    /// body which is not JSON at all (a web page) did not come from OpenRouter's API, so the
    /// base URL or a proxy is the likely cause. Also part of `Display`.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} response ({}) did not decode at `{}`: {} ({})",
            self.operation,
            self.status,
            self.path,
            self.message,
            Attempts(self.attempts)
        )?;
        if let Some(hint) = &self.hint {
            write!(f, ". {hint}")?;
        }
        if self.operation == OperationId::CreateKeys && self.key_created {
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

/// The first `limit` bytes of `body` as text, scrubbed by `redactor`, so that an excerpt can
/// never carry a secret into logs.
pub(crate) fn excerpt(body: &[u8], limit: usize, redactor: &Redactor<'_>) -> String {
    // Scrub before cutting: a secret that straddles the cut would otherwise leave its first
    // part in the excerpt, unrecognised. The window reaches past the cut by the longest
    // secret, so any secret that starts before the cut is whole in it.
    let window = &body[..body.len().min(limit + redactor.longest_secret())];
    let mut text = redactor.text(&String::from_utf8_lossy(window));
    if text.len() > limit {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_bounded_and_lossy() {
        let key = secrecy::SecretString::from("sk-or-v1-test".to_string());
        let redactor = Redactor::new(&key, None);
        let body = [b'a'; 5000];
        assert_eq!(excerpt(&body, 1024, &redactor).len(), 1024);
        assert_eq!(excerpt(&[0xff, b'a'], 10, &redactor), "\u{fffd}a");
        // A multi-byte character at the cut is dropped whole.
        assert_eq!(excerpt("aé".as_bytes(), 2, &redactor), "a");
    }

    #[test]
    fn a_secret_across_the_cut_leaves_no_part_of_itself() {
        let key = secrecy::SecretString::from("my-proxy-credential-0123456789abcdef".to_string());
        let redactor = Redactor::new(&key, None);
        for before in [1000, 1010, 1023] {
            let mut body = vec![b'x'; before];
            body.extend_from_slice(b"my-proxy-credential-0123456789abcdef and more");
            let shown = excerpt(&body, 1024, &redactor);
            assert!(shown.len() <= 1024, "{before}");
            assert!(
                !shown.contains("my-p"),
                "{before}: ...{}",
                &shown[before.min(shown.len())..]
            );
        }
    }

    #[test]
    fn a_wait_of_zero_reads_as_now() {
        assert_eq!(
            RetryHint(Some(Duration::ZERO)).to_string(),
            "; the server asked to retry now"
        );
        assert_eq!(
            RetryHint(Some(Duration::from_secs(2))).to_string(),
            "; the server asked to wait 2s"
        );
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
