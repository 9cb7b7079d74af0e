//! Per-call options: timeout, retry policy and extra headers, overriding the client's.

use crate::error::Error;
use crate::retry::RetryPolicy;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use std::time::Duration;

/// What one call may change about how it is sent. Built through the request builders
/// (`.timeout()`, `.retry()`, `.header()`); not constructible outside this crate.
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    /// Per-attempt timeout; `None` uses the client's.
    pub(crate) timeout: Option<Duration>,
    /// Retry policy; `None` uses the client's.
    pub(crate) retry: Option<RetryPolicy>,
    /// Headers added to every attempt of this call.
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// The first invalid header given, reported when the call is awaited.
    pub(crate) header_error: Option<String>,
    /// `POST /keys` only: retry it like an idempotent call, accepting possible duplicates.
    pub(crate) retry_on_unknown_outcome: bool,
}

impl CallOptions {
    /// Adds a header, or remembers why it cannot be added.
    ///
    /// `Authorization` is refused: the client's key is the only credential a call sends, so a
    /// stray header can never replace it silently.
    pub(crate) fn add_header(&mut self, name: &str, value: &str) {
        if self.header_error.is_some() {
            return;
        }
        let parsed = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a valid header name"))
            .and_then(|n| {
                if n == AUTHORIZATION {
                    Err(
                        "`Authorization` cannot be set per call; build a client with the \
                         other key instead"
                            .to_string(),
                    )
                } else {
                    Ok(n)
                }
            })
            .and_then(|n| {
                HeaderValue::from_str(value)
                    .map(|v| (n, v))
                    .map_err(|_| format!("the value of `{name}` is not a valid header value"))
            });
        match parsed {
            Ok(pair) => self.headers.push(pair),
            Err(reason) => self.header_error = Some(reason),
        }
    }

    /// The first reason these options cannot be used: a deferred header error, a zero
    /// timeout or a zero deadline (which would fail every attempt at once, or not, depending
    /// on timing).
    pub(crate) fn check(&self) -> Result<(), Error> {
        if let Some(reason) = &self.header_error {
            return Err(Error::invalid("header", reason.clone()));
        }
        if self.timeout.is_some_and(|t| t.is_zero()) {
            return Err(Error::invalid(
                "timeout",
                "a call's timeout must be more than zero",
            ));
        }
        if self
            .retry
            .as_ref()
            .is_some_and(|r| r.get_deadline().is_zero())
        {
            return Err(Error::invalid(
                "retry",
                "a call's deadline must be more than zero",
            ));
        }
        Ok(())
    }
}
