//! Scripted misbehaviour: what the fake does instead of (or on top of) answering normally.
//!
//! Faults are queued per route and consumed one per request, so a test can say "the next two
//! `POST /keys` answer 503, then behave". A random plan injects faults at a rate instead, for
//! load tests. Status faults do not touch state; `Delay`, `CloseAfterRead`, `TruncatedBody`
//! and `InvalidJson` happen *after* the operation took effect (a lost response, not a lost
//! request), which is what makes "was my key created?" a real question; `Late` makes the
//! operation itself happen later, whether or not anyone still waits for its answer.

use crate::duration::{DURATION_SYNTAX, parse_duration};
use std::str::FromStr;
use std::time::Duration;

/// The faults `Fault::from_str` takes, for help and error texts.
pub const FAULT_SYNTAX: &str = "STATUS (100-599, answered with the error envelope), \
STATUS:html, STATUS:empty, 429:retry=SECONDS, 429:date=SECONDS (an HTTP date), \
429:ms=MILLISECONDS (retry-after-ms), delay=MILLISECONDS (act, then answer that much later), \
late=MILLISECONDS (act that long after the request arrived, whatever the client does \
meanwhile, and answer then), close-before, close-after, truncate, invalid-json";

/// The body of an injected error status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultBody {
    /// OpenRouter's documented error envelope with this message.
    Envelope(String),
    /// An HTML page, as a gateway sends.
    Html,
    /// No body at all.
    Empty,
    /// This JSON text, sent as written with `Content-Type: application/json`: with a 2xx
    /// status, an answer that says the request was done although the fake did not act on it.
    /// In-process only (the binary's `--fault` syntax has no way to write it).
    Json(String),
}

/// How an injected `Retry-After` is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <seconds>`
    Seconds(u64),
    /// `Retry-After: <HTTP-date>`, this many seconds from when the answer is sent.
    Date(u64),
    /// `retry-after-ms: <milliseconds>`
    Milliseconds(u64),
}

/// One injected misbehaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer this status and body instead of acting (state is unchanged).
    Status {
        /// The HTTP status.
        status: u16,
        /// The body.
        body: FaultBody,
        /// An optional `Retry-After`.
        retry_after: Option<RetryAfter>,
    },
    /// Act, then wait this long before answering.
    Delay(Duration),
    /// Act this long after the request arrived (on the fake's clock), then answer.
    ///
    /// The fake reads the whole request when it arrives and performs it at that time
    /// whatever the client does meanwhile: a client that times out, gives up or closes the
    /// connection still gets its key created (or updated, or deleted), exactly once, at that
    /// time; a client that waits gets the operation's real answer then. Any operation can be
    /// late: a late read reads the state of that later time.
    Late(Duration),
    /// Close the connection without reading the body or acting.
    CloseBeforeRead,
    /// Read the request and act, then close the connection without answering.
    CloseAfterRead,
    /// Act, then send only the first half of the body and close.
    TruncatedBody,
    /// Act, then answer the success status with a body that is not JSON.
    InvalidJson,
}

impl Fault {
    /// A status fault with the documented envelope and no `Retry-After`.
    pub fn status(status: u16) -> Fault {
        Fault::Status {
            status,
            body: FaultBody::Envelope(format!("injected {status}")),
            retry_after: None,
        }
    }

    /// An operation that takes effect `after` its request arrived: see [`Fault::Late`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// use openrouter_keys_testkit::{FakeServer, Fault, Route};
    /// use std::time::Duration;
    ///
    /// let fake = FakeServer::start().await?;
    /// // The next create takes effect 2 s after it arrives, even if its client gave up at 500 ms.
    /// fake.inject(Route::CreateKeys, Fault::late(Duration::from_secs(2)));
    /// # Ok(()) }
    /// ```
    pub fn late(after: Duration) -> Fault {
        Fault::Late(after)
    }

    /// A short name of the fault's kind, for counting (`"status 503"`, `"delay"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Status { status: 429, .. } => "status 429",
            Fault::Status { status, .. } if *status >= 500 => "status 5xx",
            Fault::Status { .. } => "status other",
            Fault::Delay(_) => "delay",
            Fault::Late(_) => "late effect",
            Fault::CloseBeforeRead => "close before read",
            Fault::CloseAfterRead => "close after read",
            Fault::TruncatedBody => "truncated body",
            Fault::InvalidJson => "invalid json",
        }
    }

    /// Whether the operation takes effect despite this fault (for [`Fault::Late`], later).
    pub fn acts(&self) -> bool {
        !matches!(self, Fault::Status { .. } | Fault::CloseBeforeRead)
    }
}

impl FromStr for Fault {
    type Err = String;

    /// Parses the binary's fault syntax: `500`, `502:html`, `503:empty`, `429:retry=2`,
    /// `429:date=2`, `429:ms=150`, `delay=1500` (ms), `late=2000` (ms), `close-before`,
    /// `close-after`, `truncate`, `invalid-json`. Durations also take a unit: `late=2s`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("unknown fault `{s}`; use one of {FAULT_SYNTAX}");
        let number = |v: &str| v.parse::<u64>().map_err(|_| bad());
        let duration = |v: &str| {
            parse_duration(v)
                .map_err(|_| format!("`{s}`: `{v}` is not a duration; write {DURATION_SYNTAX}"))
        };
        match s {
            "close-before" => return Ok(Fault::CloseBeforeRead),
            "close-after" => return Ok(Fault::CloseAfterRead),
            "truncate" => return Ok(Fault::TruncatedBody),
            "invalid-json" => return Ok(Fault::InvalidJson),
            _ => {}
        }
        if let Some(wait) = s.strip_prefix("delay=") {
            return Ok(Fault::Delay(duration(wait)?));
        }
        if let Some(after) = s.strip_prefix("late=") {
            return Ok(Fault::Late(duration(after)?));
        }
        let mut parts = s.split(':');
        let status = parts
            .next()
            .and_then(|p| p.parse::<u16>().ok())
            .filter(|code| (100..=599).contains(code))
            .ok_or_else(bad)?;
        let mut fault = Fault::status(status);
        if let Fault::Status {
            body, retry_after, ..
        } = &mut fault
        {
            for part in parts {
                match part.split_once('=') {
                    None if part == "html" => *body = FaultBody::Html,
                    None if part == "empty" => *body = FaultBody::Empty,
                    Some(("retry", v)) => *retry_after = Some(RetryAfter::Seconds(number(v)?)),
                    Some(("date", v)) => *retry_after = Some(RetryAfter::Date(number(v)?)),
                    Some(("ms", v)) => *retry_after = Some(RetryAfter::Milliseconds(number(v)?)),
                    _ => return Err(bad()),
                }
            }
        }
        Ok(fault)
    }
}

/// Faults drawn at random for every request: with probability `rate`, one of `faults`.
#[derive(Debug, Clone)]
pub struct RandomFaults {
    /// Probability in `[0, 1]` that a request gets a fault.
    pub rate: f64,
    /// The faults to choose from, uniformly.
    pub faults: Vec<Fault>,
    /// Seed, for a reproducible run.
    pub seed: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_binary_syntax() {
        assert_eq!("500".parse::<Fault>().unwrap(), Fault::status(500));
        assert_eq!(
            "429:retry=2".parse::<Fault>().unwrap(),
            Fault::Status {
                status: 429,
                body: FaultBody::Envelope("injected 429".into()),
                retry_after: Some(RetryAfter::Seconds(2))
            }
        );
        assert!(matches!(
            "502:html".parse::<Fault>().unwrap(),
            Fault::Status {
                body: FaultBody::Html,
                ..
            }
        ));
        assert_eq!(
            "delay=150".parse::<Fault>().unwrap(),
            Fault::Delay(Duration::from_millis(150))
        );
        assert_eq!(
            "close-after".parse::<Fault>().unwrap(),
            Fault::CloseAfterRead
        );
        for bad in ["", "abc", "700", "500:what", "delay=x", "429:retry=-1"] {
            assert!(bad.parse::<Fault>().is_err(), "{bad}");
        }
        let unknown_fault = "boom".parse::<Fault>().unwrap_err();
        assert!(unknown_fault.contains("close-after"), "{unknown_fault}");
        assert!(
            unknown_fault.contains("429:retry=SECONDS"),
            "{unknown_fault}"
        );
    }

    #[test]
    fn parses_late_effects_and_durations_with_units() {
        assert_eq!(
            "late=2000".parse::<Fault>().unwrap(),
            Fault::late(Duration::from_secs(2))
        );
        assert_eq!(
            "late=2s".parse::<Fault>().unwrap(),
            Fault::Late(Duration::from_secs(2))
        );
        assert_eq!(
            "delay=1500ms".parse::<Fault>().unwrap(),
            Fault::Delay(Duration::from_millis(1500))
        );
        let error = "late=soon".parse::<Fault>().unwrap_err();
        assert!(error.contains("`soon` is not a duration"), "{error}");
        assert!(error.contains("2s"), "{error}");
        assert!(FAULT_SYNTAX.contains("late=MILLISECONDS"));
        assert_eq!(Fault::late(Duration::ZERO).kind(), "late effect");
        assert!(Fault::late(Duration::ZERO).acts());
    }
}
