//! The pieces of wording several errors share: attempts made, a timeout's length, the wait
//! a server asked for, and the root cause of a transport error.

use std::fmt;
use std::time::Duration;

/// "1 attempt", "3 attempts".
pub(crate) struct Attempts(pub u32);

impl fmt::Display for Attempts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = if self.0 == 1 { "" } else { "s" };
        write!(f, "after {} attempt{plural}", self.0)
    }
}

/// " (30s)", or nothing when the length is not known.
pub(crate) struct Length(pub Option<Duration>);

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(length) => write!(f, " ({length:?})"),
            None => Ok(()),
        }
    }
}

/// "; the server asked to wait 2s", when it did.
pub(crate) struct RetryHint(pub Option<Duration>);

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
pub(crate) struct RootCause<'a>(pub &'a reqwest::Error);

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
