//! Scripted misbehaviour: what the fake does instead of (or on top of) answering normally.
//!
//! Faults are queued per route and consumed one per request, so a test can say "the next two
//! `POST /keys` answer 503, then behave". A random plan injects faults at a rate instead, for
//! load tests. Status faults do not touch state; `Delay`, `CloseAfterRead`, `TruncatedBody`
//! and `InvalidJson` happen *after* the operation took effect (a lost response, not a lost
//! request), which is what makes "was my key created?" a real question.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One of the six operations, as a fault target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// `GET /key`
    CurrentKey,
    /// `GET /keys`
    List,
    /// `POST /keys`
    Create,
    /// `GET /keys/{hash}`
    Get,
    /// `PATCH /keys/{hash}`
    Update,
    /// `DELETE /keys/{hash}`
    Delete,
}

impl Route {
    /// All six routes.
    pub const ALL: [Route; 6] = [
        Route::CurrentKey,
        Route::List,
        Route::Create,
        Route::Get,
        Route::Update,
        Route::Delete,
    ];

    /// The spec's operationId of the route.
    pub fn operation_id(self) -> &'static str {
        match self {
            Route::CurrentKey => "getCurrentKey",
            Route::List => "list",
            Route::Create => "createKeys",
            Route::Get => "getKey",
            Route::Update => "updateKeys",
            Route::Delete => "deleteKeys",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.operation_id())
    }
}

impl FromStr for Route {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Route::ALL
            .into_iter()
            .find(|r| r.operation_id().eq_ignore_ascii_case(s))
            .ok_or_else(|| format!("unknown route `{s}`; use one of getCurrentKey, list, createKeys, getKey, updateKeys, deleteKeys"))
    }
}

/// The body of an injected error status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultBody {
    /// OpenRouter's documented error envelope with this message.
    Envelope(String),
    /// An HTML page, as a gateway sends.
    Html,
    /// No body at all.
    Empty,
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

    /// A short name of the fault's kind, for counting (`"status 503"`, `"delay"`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Status { status: 429, .. } => "status 429",
            Fault::Status { status, .. } if *status >= 500 => "status 5xx",
            Fault::Status { .. } => "status other",
            Fault::Delay(_) => "delay",
            Fault::CloseBeforeRead => "close before read",
            Fault::CloseAfterRead => "close after read",
            Fault::TruncatedBody => "truncated body",
            Fault::InvalidJson => "invalid json",
        }
    }

    /// Whether the operation takes effect before this fault shows.
    pub fn acts(&self) -> bool {
        !matches!(self, Fault::Status { .. } | Fault::CloseBeforeRead)
    }
}

impl FromStr for Fault {
    type Err = String;

    /// Parses the binary's fault syntax: `500`, `502:html`, `503:empty`, `429:retry=2`,
    /// `429:date=2`, `429:ms=150`, `delay=1500` (ms), `close-before`, `close-after`,
    /// `truncate`, `invalid-json`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("unknown fault `{s}`");
        let number = |v: &str| v.parse::<u64>().map_err(|_| bad());
        match s {
            "close-before" => return Ok(Fault::CloseBeforeRead),
            "close-after" => return Ok(Fault::CloseAfterRead),
            "truncate" => return Ok(Fault::TruncatedBody),
            "invalid-json" => return Ok(Fault::InvalidJson),
            _ => {}
        }
        if let Some(ms) = s.strip_prefix("delay=") {
            return Ok(Fault::Delay(Duration::from_millis(number(ms)?)));
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
        assert_eq!("createKeys".parse::<Route>().unwrap(), Route::Create);
        assert!("nope".parse::<Route>().is_err());
    }
}
