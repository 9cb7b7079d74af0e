//! The SDK's one error type, [`Error`], with its summary and its hint.
//!
//! Every failure of a call becomes an [`Error`]: an HTTP error status ([`ApiError`], with the
//! parsed OpenRouter envelope or a bounded excerpt of whatever else came back), a timeout, a
//! connection failure, a 2xx body that does not decode ([`DecodeError`]), input rejected
//! before sending, a client that cannot be configured, or a `POST /keys` whose outcome is
//! unknown. Nothing here holds a secret: every text that came
//! from the network (envelope message and metadata, bodies, request ids, decoder messages) went
//! through `redact.rs` before it was stored.
//!
//! Each error is data first: [`Error::summary`] (or `{:#}`) says what happened and its root
//! cause, [`Error::hint`] what to do about it, and `Display` (`{}`) joins the two, so that a
//! program that words its own advice (the CLI, say) renders from these parts and never from
//! the joined text.

use crate::api_error::{ApiError, is_retryable_status};
use crate::config_error::ConfigError;
use crate::decode_error::DecodeError;
use crate::error_text::{Attempts, Length, RetryHint, RootCause};
use crate::input_field::InputField;
use crate::listing_error::ListingError;
use reqwest::StatusCode;
use std::borrow::Cow;
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
///
/// The message comes in parts: [`summary`](Error::summary) (also `{:#}`) is what happened
/// and why, [`hint`](Error::hint) what to do about it, and `{}` is the summary followed by
/// `. ` and the hint (for a [`DecodeError`] of a create whose key exists, the closing note on
/// that key comes last, with the hint's advice about the key inside it).
///
/// ```
/// use openrouter_keys::{Client, Error};
///
/// let error = Client::builder().api_key("").build().unwrap_err();
/// assert!(matches!(error, Error::Config(_)));
/// assert_eq!(error.summary(), format!("{error:#}"));
/// match error.hint() {
///     Some(hint) => assert_eq!(error.to_string(), format!("{}. {hint}", error.summary())),
///     None => assert_eq!(error.to_string(), error.summary()),
/// }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an HTTP error status, or with a redirect (not followed).
    Api(Box<ApiError>),

    /// No answer in time: which timeout passed is in `which`.
    #[non_exhaustive]
    Timeout {
        /// Attempts made, including the one that timed out.
        attempts: u32,
        /// Which timeout passed, in the last attempt.
        which: TimeoutKind,
        /// That timeout's length, when known (a connect timeout set on a `reqwest::Client`
        /// given to [`ClientBuilder::http_client`](crate::ClientBuilder::http_client) is not).
        after: Option<Duration>,
        /// The server's requested wait, when an earlier answer carried one.
        retry_after: Option<Duration>,
        /// The status of the last attempt's answer when it arrived and then its body did not
        /// (the server answered, then stalled); `None` when no answer arrived.
        answered: Option<StatusCode>,
        /// What the attempts before the last one sent: after a last attempt that could not
        /// connect, whether anything was sent at all.
        earlier: Sent,
    },

    /// The last attempt's connection failed before a whole response arrived: it could not be
    /// made, it broke before an answer, or the answer was cut off (see `phase`).
    #[non_exhaustive]
    Connection {
        /// Attempts made.
        attempts: u32,
        /// How far the last attempt got.
        phase: ConnectionPhase,
        /// The transport error of the last attempt (its causes are part of the message).
        error: reqwest::Error,
        /// What the attempts before the last one sent: after a last attempt that could not
        /// connect, whether anything was sent at all.
        earlier: Sent,
    },

    /// A success status whose body did not decode as the documented response.
    Decode(Box<DecodeError>),

    /// A listing read page by page whose pages, each a good answer, do not fit together: the
    /// server repeated a page, listed items past its total, or listed one item twice saying
    /// two things ([`ListingError`]).
    Listing(Box<ListingError>),

    /// Input rejected before anything was sent (empty hash, empty name, bad header, ...).
    #[non_exhaustive]
    InvalidInput {
        /// What was invalid.
        what: InputField,
        /// Why, in words: what is wrong, never what to do about it (that is `hint`).
        reason: String,
        /// What to do instead, when the SDK can tell (see [`Error::hint`]).
        hint: Option<&'static str>,
    },

    /// A `POST /keys` failed in a way that leaves open whether the key was created: the
    /// request may have reached the server in one of its attempts (a timeout or a broken
    /// connection after it was sent, a 5xx or 408 answer, or a 2xx that shows no key, see
    /// [`DecodeError::key_created`]). A create none of whose attempts can have been acted on
    /// (none could connect, or the server turned them away with 429) is an
    /// [`Error::Connection`] or [`Error::Timeout`] instead, whose `earlier` is not
    /// [`Sent::MayHaveActed`].
    OutcomeUnknown {
        /// What happened to the last attempt (its summary is part of the message).
        cause: Box<Error>,
    },

    /// The client could not be configured (bad base URL, empty key, bad header value, ...).
    Config(ConfigError),
}

/// What to do after [`Error::OutcomeUnknown`].
const UNKNOWN_OUTCOME_ADVICE: &str = "A key may have been created: list keys \
     (`client.keys().list_all()`) and look for its name before creating it again";

/// Which timeout passed in the last attempt of a call, for [`Error::Timeout`] (what the
/// attempts before it sent is its `earlier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// The connect timeout: the last attempt made no connection, so it sent nothing (an
    /// earlier attempt may have: see [`Sent`]).
    Connect,
    /// The per-attempt timeout, after the last attempt's request may have been sent.
    Attempt,
    /// The call's overall deadline ([`RetryPolicy::deadline`](crate::RetryPolicy::deadline)).
    Deadline,
}

impl TimeoutKind {
    /// What to do after this timeout passed: [`Error::hint`] of an [`Error::Timeout`].
    fn advice(self) -> &'static str {
        match self {
            Self::Connect => {
                "Check the base URL and the network, or raise `ClientBuilder::connect_timeout`"
            }
            Self::Attempt => {
                "Retry later, or raise it (`ClientBuilder::timeout`, or `.timeout()` on the call)"
            }
            Self::Deadline => "Retry later, or raise it (`RetryPolicy::deadline`)",
        }
    }
}

/// How far the last attempt of a call got before its connection failed, for
/// [`Error::Connection`] (what the attempts before it sent is its `earlier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectionPhase {
    /// The last attempt could make no connection (refused, DNS, TLS handshake, proxy), so it
    /// sent nothing (an earlier attempt may have: see [`Sent`]).
    Connect,
    /// The connection broke after the last attempt's request may have been sent, before an
    /// answer arrived.
    Request,
    /// An answer to the last attempt arrived but its body was cut off.
    Response,
}

/// What a call's attempts before its last one sent to the server, in [`Error::Timeout`] and
/// [`Error::Connection`] (whose `which` and `phase` describe the last attempt only): after a
/// last attempt that could not connect, this tells "nothing was sent" from "an earlier attempt
/// was sent and may have been acted on".
///
/// ```
/// use openrouter_keys::{ConnectionPhase, Error, Sent};
///
/// fn nothing_was_sent(error: &Error) -> bool {
///     matches!(
///         error,
///         Error::Connection { phase: ConnectionPhase::Connect, earlier: Sent::Nothing, .. }
///     )
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Sent {
    /// No request reached the server: there was no earlier attempt, or none connected.
    #[default]
    Nothing,
    /// Requests reached the server and were answered with a status after which the call
    /// tried again and that does not suggest the server acted (429 Too Many Requests); none
    /// may have been acted on.
    Answered,
    /// A request may have been acted on: it was interrupted after it may have been sent, or
    /// it was answered 5xx or 408.
    MayHaveActed,
}

impl Sent {
    /// The more telling of the two: what a run of attempts sent.
    pub(crate) fn and(self, other: Sent) -> Sent {
        let rank = |sent: Sent| match sent {
            Sent::Nothing => 0,
            Sent::Answered => 1,
            Sent::MayHaveActed => 2,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    /// What a last attempt that sent nothing adds to its summary: that nothing was sent, or
    /// what an earlier attempt did.
    fn after_nothing_sent(self) -> &'static str {
        match self {
            Sent::Nothing => "nothing was sent",
            Sent::Answered => "an earlier attempt was sent and answered",
            Sent::MayHaveActed => "an earlier attempt was sent and may have been acted on",
        }
    }
}

impl ConnectionPhase {
    fn describe(self) -> &'static str {
        match self {
            Self::Connect => "could not connect to OpenRouter",
            Self::Request => "the connection to OpenRouter broke before an answer arrived",
            Self::Response => "the response from OpenRouter was cut off",
        }
    }

    /// What to do after the connection failed so: [`Error::hint`] of an
    /// [`Error::Connection`].
    fn advice(self) -> &'static str {
        match self {
            Self::Connect => "Check the base URL, the network and any proxy",
            Self::Request | Self::Response => "Retry later",
        }
    }
}

/// What a timeout means: the summary of an [`Error::Timeout`].
struct TimeoutText {
    which: TimeoutKind,
    after: Option<Duration>,
    attempts: u32,
    retry_after: Option<Duration>,
    answered: Option<StatusCode>,
    earlier: Sent,
}

impl fmt::Display for TimeoutText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let length = Length(self.after);
        let attempts = Attempts(self.attempts);
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
            (TimeoutKind::Connect, _) => write!(
                f,
                "could not connect to OpenRouter within the connect timeout{length} ({attempts})"
            )?,
            (TimeoutKind::Attempt, None) => write!(
                f,
                "OpenRouter did not answer within the per-attempt timeout{length} ({attempts})"
            )?,
        }
        RetryHint(self.retry_after).fmt(f)?;
        if self.which == TimeoutKind::Connect {
            match self.earlier {
                Sent::Nothing => f.write_str(", so nothing was sent")?,
                earlier => write!(f, "; {}", earlier.after_nothing_sent())?,
            }
        }
        Ok(())
    }
}

/// A broken connection, how far it got and its root cause: the summary of an
/// [`Error::Connection`].
struct ConnectionText<'a> {
    phase: ConnectionPhase,
    error: &'a reqwest::Error,
    attempts: u32,
    earlier: Sent,
}

impl fmt::Display for ConnectionText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} ({}",
            self.phase.describe(),
            RootCause(self.error),
            Attempts(self.attempts)
        )?;
        if self.phase == ConnectionPhase::Connect {
            write!(f, "; {}", self.earlier.after_nothing_sent())?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for Error {
    /// The summary, then `. ` and the hint when there is one; with `{:#}`, the summary alone.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // They place their own hints (and honour `{:#}`).
            Error::Api(api) => return fmt::Display::fmt(api, f),
            Error::Decode(decode) => return fmt::Display::fmt(decode, f),
            Error::Listing(listing) => return fmt::Display::fmt(listing, f),
            Error::Timeout {
                attempts,
                which,
                after,
                retry_after,
                answered,
                earlier,
            } => TimeoutText {
                which: *which,
                after: *after,
                attempts: *attempts,
                retry_after: *retry_after,
                answered: *answered,
                earlier: *earlier,
            }
            .fmt(f)?,
            Error::Connection {
                attempts,
                phase,
                error,
                earlier,
            } => ConnectionText {
                phase: *phase,
                error,
                attempts: *attempts,
                earlier: *earlier,
            }
            .fmt(f)?,
            Error::InvalidInput { what, reason, .. } => write!(f, "invalid {what}: {reason}")?,
            Error::OutcomeUnknown { cause } => write!(
                f,
                "creating the key may or may not have succeeded: {cause:#}"
            )?,
            Error::Config(config) => {
                // It places its own hint (and honours `{:#}`).
                f.write_str("invalid client configuration: ")?;
                return fmt::Display::fmt(config, f);
            }
        }
        if !f.alternate()
            && let Some(hint) = self.hint()
        {
            write!(f, ". {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl Error {
    /// What happened and its root cause, without the advice of [`hint`](Self::hint): the
    /// same text as `format!("{error:#}")`. For a program that words its own advice.
    ///
    /// ```
    /// use openrouter_keys::{Client, Error};
    ///
    /// let error = Client::builder().api_key("k").base_url("ftp://x").build().unwrap_err();
    /// assert_eq!(
    ///     error.summary(),
    ///     "invalid client configuration: the base URL `ftp://x` must use http or https"
    /// );
    /// ```
    pub fn summary(&self) -> String {
        format!("{self:#}")
    }

    /// What to do about it, when the SDK can tell; `Display` ends with it.
    ///
    /// - [`Error::Api`], [`Error::Decode`]: [`ApiError::hint`], [`DecodeError::hint`] (a
    ///   wrong base URL, a key that needs to be a management key, ...).
    /// - [`Error::Timeout`], [`Error::Connection`]: always (retry later, raise a timeout,
    ///   check the network).
    /// - [`Error::OutcomeUnknown`]: always: look for the key before creating it again. When
    ///   the cause is an API or decode error with a hint of its own, that hint comes first
    ///   (`cause.hint()` gives it alone); the "retry later" of a timeout or connection cause
    ///   is left out, since retrying a create may make a second key.
    /// - [`Error::InvalidInput`], [`Error::Config`]: what to give or do instead, when there
    ///   is advice ("Copy it again", "Write `https://openrouter.ai/api/v1`", "Call
    ///   `.api_key(..)` or set OPENROUTER_API_KEY"); their reason (in the summary) says what is
    ///   wrong.
    ///
    /// Advice is always here, never in the [`summary`](Self::summary): a program that words
    /// its own advice (a command-line tool, say) renders the summary and replaces the hint.
    ///
    /// ```
    /// # async fn run(client: openrouter_keys::Client) {
    /// if let Err(error) = client.keys().all().await {
    ///     eprintln!("error: {}", error.summary());
    ///     if let Some(hint) = error.hint() {
    ///         eprintln!("  hint: {hint}");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn hint(&self) -> Option<Cow<'_, str>> {
        match self {
            Error::Api(api) => api.hint().map(Cow::Borrowed),
            Error::Decode(decode) => decode.hint(),
            Error::Listing(listing) => Some(Cow::Owned(listing.hint())),
            Error::Timeout { which, .. } => Some(Cow::Borrowed(which.advice())),
            Error::Connection { phase, .. } => Some(Cow::Borrowed(phase.advice())),
            Error::OutcomeUnknown { cause } => {
                let cause_hint = match &**cause {
                    Error::Timeout { .. } | Error::Connection { .. } => None,
                    other => other.hint(),
                };
                Some(match cause_hint {
                    Some(hint) => Cow::Owned(format!("{hint}. {UNKNOWN_OUTCOME_ADVICE}")),
                    None => Cow::Borrowed(UNKNOWN_OUTCOME_ADVICE),
                })
            }
            Error::InvalidInput { hint, .. } => hint.map(Cow::Borrowed),
            Error::Config(config) => config.hint().map(Cow::Borrowed),
        }
    }

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
            Error::Listing(listing) => listing.request_id.as_deref(),
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
            Error::Listing(listing) => listing.attempts,
            Error::OutcomeUnknown { cause } => cause.attempts(),
            Error::InvalidInput { .. } | Error::Config(_) => 0,
        }
    }

    /// Whether the same call may succeed if made again later.
    ///
    /// `true` for timeouts, connection failures, 408, 429, 500, 502, 503 and 504 answers,
    /// and a listing whose pages did not fit together ([`Error::Listing`]: the list may have
    /// moved while it was read). `false` for [`Error::OutcomeUnknown`]: check whether the key
    /// exists before creating it again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => is_retryable_status(api.status),
            Error::Timeout { .. } | Error::Connection { .. } | Error::Listing(_) => true,
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

    pub(crate) fn invalid(what: InputField, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            what,
            reason: reason.into(),
            hint: None,
        }
    }

    /// [`Error::invalid`] with advice, for [`Error::hint`].
    pub(crate) fn invalid_with_hint(
        what: InputField,
        reason: impl Into<String>,
        hint: &'static str,
    ) -> Self {
        Error::InvalidInput {
            what,
            reason: reason.into(),
            hint: Some(hint),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::api_error::ApiErrorKind;
    use crate::operation_id::OperationId;

    pub(crate) fn api(status: u16, hint: Option<&str>) -> ApiError {
        let status = StatusCode::from_u16(status).unwrap();
        ApiError {
            operation: OperationId::GetKey,
            status,
            kind: ApiErrorKind::from_status(status),
            code: Some(404),
            message: Some("Key not found".to_string()),
            metadata: None,
            raw_body: None,
            request_id: Some("req-1".to_string()),
            retry_after: None,
            attempts: 1,
            hint: hint.map(str::to_string),
        }
    }

    pub(crate) fn decode(hint: Option<&str>, key_created: bool) -> DecodeError {
        DecodeError {
            operation: OperationId::CreateKeys,
            status: StatusCode::CREATED,
            path: ".".to_string(),
            message: "expected value at line 1 column 1".to_string(),
            body_excerpt: "<html>".to_string(),
            request_id: None,
            attempts: 1,
            created_secret: None,
            key_created,
            hint: hint.map(str::to_string),
        }
    }

    fn timeout(which: TimeoutKind, answered: Option<u16>) -> Error {
        Error::Timeout {
            attempts: 3,
            which,
            after: Some(Duration::from_secs(30)),
            retry_after: Some(Duration::from_secs(2)),
            answered: answered.map(|s| StatusCode::from_u16(s).unwrap()),
            earlier: Sent::Nothing,
        }
    }

    /// A transport error without a network: a request that cannot be built.
    fn transport_error() -> reqwest::Error {
        reqwest::Client::new()
            .get("http://exa mple.invalid/")
            .build()
            .unwrap_err()
    }

    pub(crate) fn outcome_unknown(cause: Error) -> Error {
        Error::OutcomeUnknown {
            cause: Box::new(cause),
        }
    }

    /// One error of every variant (and every way each places its hint).
    pub(crate) fn one_of_each() -> Vec<Error> {
        let mut errors = vec![
            Error::Api(Box::new(api(404, None))),
            Error::Api(Box::new(api(
                403,
                Some("Operations on /keys need a management key"),
            ))),
            Error::Decode(Box::new(decode(None, false))),
            Error::Decode(Box::new(decode(Some("the body is not JSON"), false))),
            Error::Decode(Box::new(decode(Some("the body is not JSON"), true))),
            Error::Decode(Box::new(decode(None, true))),
            Error::invalid(InputField::Hash, "a key hash cannot be empty"),
            Error::Config(ConfigError::new(
                crate::Setting::Timeout,
                "the timeout must be more than zero",
            )),
            outcome_unknown(timeout(TimeoutKind::Attempt, None)),
            outcome_unknown(Error::Decode(Box::new(decode(Some("not JSON"), false)))),
            outcome_unknown(Error::Api(Box::new(api(500, None)))),
        ];
        for which in [
            TimeoutKind::Connect,
            TimeoutKind::Attempt,
            TimeoutKind::Deadline,
        ] {
            errors.push(timeout(which, None));
            errors.push(timeout(which, Some(200)));
        }
        for phase in [
            ConnectionPhase::Connect,
            ConnectionPhase::Request,
            ConnectionPhase::Response,
        ] {
            let connection = || Error::Connection {
                attempts: 1,
                phase,
                error: transport_error(),
                earlier: Sent::Nothing,
            };
            errors.push(connection());
            errors.push(outcome_unknown(connection()));
        }
        errors
    }

    #[test]
    fn display_is_the_summary_then_the_hint() {
        for error in one_of_each() {
            let (full, summary) = (error.to_string(), error.summary());
            assert_eq!(format!("{error:#}"), summary, "{error:?}");
            let expected = match (&error, error.hint()) {
                // The note on a created key closes the message, after the diagnosis; the
                // advice about the key (how to find it) goes inside the note.
                (Error::Decode(decode), Some(_)) if decode.key_created => {
                    let failure = &summary[..summary.find(" (the key was").unwrap()];
                    let diagnosis = decode.hint.as_ref().map(|d| format!(". {d}"));
                    format!(
                        "{failure}{} (the key was created; its secret could not be read; find \
                         it with `client.keys().list_all()`)",
                        diagnosis.unwrap_or_default()
                    )
                }
                (_, Some(hint)) => format!("{summary}. {hint}"),
                (_, None) => summary.clone(),
            };
            assert_eq!(full, expected, "{error:?}");
            if let Some(hint) = error.hint() {
                assert!(!summary.contains(&*hint), "{error:?}: {summary}");
            }
        }
    }

    #[test]
    fn timeouts_connections_and_unknown_outcomes_always_say_what_to_do() {
        for error in one_of_each() {
            let always = matches!(
                error,
                Error::Timeout { .. } | Error::Connection { .. } | Error::OutcomeUnknown { .. }
            );
            if always {
                assert!(error.hint().is_some(), "{error:?}");
            }
        }
    }

    #[test]
    fn an_unknown_outcome_never_advises_a_retry_but_keeps_its_causes_diagnosis() {
        let after_timeout = outcome_unknown(timeout(TimeoutKind::Attempt, None));
        assert_eq!(
            after_timeout.to_string(),
            "creating the key may or may not have succeeded: OpenRouter did not answer within \
             the per-attempt timeout (30s) (after 3 attempts); the server asked to wait 2s. A \
             key may have been created: list keys (`client.keys().list_all()`) and look for \
             its name before creating it again"
        );
        assert!(!after_timeout.hint().unwrap().contains("Retry later"));
        let after_web_page = outcome_unknown(Error::Decode(Box::new(decode(
            Some("the body is not JSON"),
            false,
        ))));
        assert_eq!(
            after_web_page.hint().unwrap(),
            format!("the body is not JSON. {UNKNOWN_OUTCOME_ADVICE}")
        );
        assert_eq!(
            after_web_page.summary(),
            "creating the key may or may not have succeeded: the createKeys response (201 \
             Created) did not decode at `.`: expected value at line 1 column 1 (after 1 attempt)"
        );
    }

    #[test]
    fn a_last_attempt_that_sent_nothing_says_what_earlier_ones_sent() {
        let connect_timeout = |earlier| Error::Timeout {
            attempts: 3,
            which: TimeoutKind::Connect,
            after: Some(Duration::from_secs(10)),
            retry_after: None,
            answered: None,
            earlier,
        };
        let refused = |earlier| Error::Connection {
            attempts: 2,
            phase: ConnectionPhase::Connect,
            error: transport_error(),
            earlier,
        };
        for (earlier, words) in [
            (Sent::Nothing, "nothing was sent"),
            (Sent::Answered, "an earlier attempt was sent and answered"),
            (
                Sent::MayHaveActed,
                "an earlier attempt was sent and may have been acted on",
            ),
        ] {
            for error in [connect_timeout(earlier), refused(earlier)] {
                let summary = error.summary();
                assert!(summary.contains(words), "{summary}");
                if earlier != Sent::Nothing {
                    assert!(!summary.contains("nothing was sent"), "{summary}");
                }
            }
        }
        assert_eq!(
            connect_timeout(Sent::MayHaveActed).summary(),
            "could not connect to OpenRouter within the connect timeout (10s) (after 3 \
             attempts); an earlier attempt was sent and may have been acted on"
        );
    }

    #[test]
    fn messages_keep_their_wording() {
        let cases = [
            (
                timeout(TimeoutKind::Connect, None),
                "could not connect to OpenRouter within the connect timeout (30s) (after 3 \
                 attempts); the server asked to wait 2s, so nothing was sent. Check the base \
                 URL and the network, or raise `ClientBuilder::connect_timeout`",
            ),
            (
                timeout(TimeoutKind::Attempt, Some(200)),
                "OpenRouter answered 200 OK, but its body did not arrive within the \
                 per-attempt timeout (30s) (after 3 attempts); the server asked to wait 2s. \
                 Retry later, or raise it (`ClientBuilder::timeout`, or `.timeout()` on the call)",
            ),
            (
                timeout(TimeoutKind::Deadline, None),
                "the call's deadline (30s) passed before OpenRouter answered (after 3 \
                 attempts); the server asked to wait 2s. Retry later, or raise it \
                 (`RetryPolicy::deadline`)",
            ),
            (
                Error::Api(Box::new(api(
                    403,
                    Some("Operations on /keys need a management key"),
                ))),
                "OpenRouter answered 403 Forbidden to getKey: \"Key not found\" (code 404; \
                 request id req-1; after 1 attempt). Operations on /keys need a management key",
            ),
            (
                Error::Decode(Box::new(decode(Some("the body is not JSON"), true))),
                "the createKeys response (201 Created) did not decode at `.`: expected value at \
                 line 1 column 1 (after 1 attempt). the body is not JSON (the key was created; \
                 its secret could not be read; find it with `client.keys().list_all()`)",
            ),
            (
                Error::invalid(InputField::ExternalApiKey, "must be at least 32 characters"),
                "invalid external.api_key: must be at least 32 characters",
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text);
        }
        let connection = Error::Connection {
            attempts: 2,
            phase: ConnectionPhase::Connect,
            error: transport_error(),
            earlier: Sent::Nothing,
        };
        let text = connection.to_string();
        assert!(
            text.starts_with("could not connect to OpenRouter: "),
            "{text}"
        );
        assert!(
            text.ends_with(
                " (after 2 attempts; nothing was sent). Check the base URL, the network and any proxy"
            ),
            "{text}"
        );
    }
}
