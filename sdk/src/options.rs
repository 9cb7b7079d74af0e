//! Per-call options: timeout, retry policy and extra headers, overriding the client's.

use crate::error::Error;
use crate::input_field::InputField;
use crate::retry::RetryPolicy;
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue};
use std::fmt;
use std::time::Duration;

/// What one call may change about how it is sent. Built through the request builders
/// (`.timeout()`, `.retry()`, `.header()`); not constructible outside this crate. Its `Debug`
/// names the headers but never shows their values: a header a call adds is as likely as not
/// a credential (a proxy's token), and is scrubbed from what the server says back as the
/// client's key is.
#[derive(Clone, Default)]
pub struct CallOptions {
    /// Per-attempt timeout; `None` uses the client's.
    pub(crate) timeout: Option<Duration>,
    /// Retry policy; `None` uses the client's.
    pub(crate) retry: Option<RetryPolicy>,
    /// Headers added to every attempt of this call.
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// Why the first invalid header given was refused, and what to do instead when the SDK
    /// can tell (for `Error::hint`), reported when the call is awaited.
    pub(crate) header_error: Option<(String, Option<&'static str>)>,
    /// `POST /keys` only: retry it like an idempotent call, accepting possible duplicates.
    pub(crate) retry_on_unknown_outcome: bool,
}

impl CallOptions {
    /// Adds a header, or remembers why it cannot be added.
    ///
    /// `Authorization` is refused: the client's key is the only credential a call sends, so a
    /// stray header can never replace it silently. So are the headers the SDK and the HTTP stack
    /// own (see [`owned_by_the_sdk`]): sent as given, they could break the request's framing
    /// (a `content-length` on a body-less `GET` makes the server wait for bytes that never
    /// come) or contradict what the SDK sends.
    pub(crate) fn add_header(&mut self, name: &str, value: &str) {
        if self.header_error.is_some() {
            return;
        }
        let parsed = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| (format!("`{name}` is not a valid header name"), None))
            .and_then(|n| {
                if n == AUTHORIZATION {
                    Err((
                        "`Authorization` cannot be set per call: it carries the client's key"
                            .to_string(),
                        Some("Build a client with the other key instead"),
                    ))
                } else if let Some(Owned { why, instead }) = owned_by_the_sdk(&n) {
                    Err((
                        format!("`{name}` cannot be set per call: {why}"),
                        Some(instead),
                    ))
                } else {
                    Ok(n)
                }
            })
            .and_then(|n| {
                HeaderValue::from_str(value).map(|v| (n, v)).map_err(|_| {
                    (
                        format!("the value of `{name}` is not a valid header value"),
                        None,
                    )
                })
            });
        match parsed {
            Ok((name, mut value)) => {
                // Kept out of HTTP/2 header compression tables and `Debug`, as the key is.
                value.set_sensitive(true);
                self.headers.push((name, value));
            }
            Err(reason) => self.header_error = Some(reason),
        }
    }

    /// The first reason these options cannot be used: a deferred header error, a zero
    /// timeout or a zero deadline (which would fail every attempt at once, or not, depending
    /// on timing).
    pub(crate) fn check(&self) -> Result<(), Error> {
        if let Some((reason, hint)) = &self.header_error {
            return Err(match hint {
                Some(hint) => Error::invalid_with_hint(InputField::Header, reason.clone(), hint),
                None => Error::invalid(InputField::Header, reason.clone()),
            });
        }
        if self.timeout.is_some_and(|t| t.is_zero()) {
            return Err(Error::invalid(
                InputField::Timeout,
                "a call's timeout must be more than zero",
            ));
        }
        if self
            .retry
            .as_ref()
            .is_some_and(|r| r.call_deadline().is_zero())
        {
            return Err(Error::invalid(
                InputField::Retry,
                "a call's deadline must be more than zero",
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, _)| (name.as_str(), "[REDACTED]"))
            .collect();
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("headers", &headers)
            .field("header_error", &self.header_error)
            .field("retry_on_unknown_outcome", &self.retry_on_unknown_outcome)
            .finish()
    }
}

/// Why a header is the SDK's or the HTTP stack's to set, when it is.
///
/// - Framing and connection management (RFC 9112 §6, RFC 9110 §7.6.1): `content-length`,
///   `transfer-encoding`, `te`, `trailer`, `connection`, `keep-alive`, `upgrade`,
///   `proxy-connection`, `expect`, `host`. A wrong value desynchronises the connection or
///   sends the request to another virtual host.
/// - `proxy-authorization`: a credential, like `Authorization`; configure a proxy on the
///   `reqwest::Client` given to `ClientBuilder::http_client` instead.
/// - `content-type`: the SDK encodes every body as JSON and says so; another type would make
///   the server misread the body (a `GET` or `DELETE` has none to describe).
fn owned_by_the_sdk(name: &HeaderName) -> Option<Owned> {
    const LEAVE_IT_OUT: &str = "Leave it out: the SDK sends the right value";
    // `HeaderName` is lowercase, whatever the caller typed.
    match name.as_str() {
        "content-length" | "transfer-encoding" | "te" | "trailer" | "connection" | "keep-alive"
        | "upgrade" | "proxy-connection" | "expect" => Some(Owned {
            why: "the HTTP stack frames the request and manages the connection itself, and \
                  another value could hang or break the call",
            instead: LEAVE_IT_OUT,
        }),
        "host" => Some(Owned {
            why: "the host comes from the client's base URL",
            instead: "Build a client with another base URL instead",
        }),
        "proxy-authorization" => Some(Owned {
            why: "proxy credentials belong on the proxy of the HTTP client calls are sent with",
            instead: "Set the proxy, with its credentials, on a `reqwest::Client` and pass it \
                      to `ClientBuilder::http_client`",
        }),
        "content-type" => Some(Owned {
            why: "the SDK sends every body as JSON and sets its type",
            instead: LEAVE_IT_OUT,
        }),
        _ => None,
    }
}

/// A header a call cannot set: why, and what to do instead.
struct Owned {
    why: &'static str,
    instead: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(name: &str) -> Option<String> {
        let mut options = CallOptions::default();
        options.add_header(name, "5");
        options.header_error.map(|(reason, _)| reason)
    }

    #[test]
    fn headers_the_sdk_owns_are_refused_by_name() {
        for name in [
            "content-length",
            "Transfer-Encoding",
            "host",
            "connection",
            "keep-alive",
            "te",
            "trailer",
            "upgrade",
            "proxy-authorization",
            "proxy-connection",
            "expect",
            "content-type",
            "authorization",
        ] {
            let reason = refusal(name).unwrap_or_else(|| panic!("{name} was accepted"));
            assert!(
                reason.contains(&format!("`{name}`")) || name == "authorization",
                "{reason}"
            );
            assert!(reason.contains("cannot be set per call"), "{reason}");
        }
        for name in [
            "x-trace-id",
            "x-openrouter-title",
            "accept-language",
            "idempotency-key",
        ] {
            assert_eq!(refusal(name), None, "{name}");
        }
    }
}
