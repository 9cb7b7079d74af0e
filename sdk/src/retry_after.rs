//! Reads the wait a server asks for: `retry-after-ms`, then `Retry-After` (seconds or an
//! HTTP-date, RFC 9110 §10.2.3).
//!
//! Tolerant reader: `Retry-After` seconds may carry a fraction (`1.5`), as `retry-after-ms`
//! already may; a number too large for any type saturates instead of being ignored (the server
//! asked for "longer than any deadline", so the call stops rather than retrying early); and
//! every wait is capped at [`MAX_RETRY_AFTER`], so that what `Error::retry_after()` returns can
//! be added to an `Instant` or a `SystemTime` without overflowing.

use reqwest::header::{HeaderMap, HeaderName, RETRY_AFTER};
use std::time::{Duration, SystemTime};

const RETRY_AFTER_MS: HeaderName = HeaderName::from_static("retry-after-ms");

/// The longest wait the SDK reads from `Retry-After` or `retry-after-ms`: 365 days. A longer
/// request (or one too large to represent) reads as this, which is longer than any sensible
/// retry deadline, so the call returns instead of waiting; and `Instant::now() + wait` cannot
/// overflow in the caller's code.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The requested wait, if the headers carry a usable one. A date in the past means "now"
/// (a zero wait). Every wait is at most [`MAX_RETRY_AFTER`].
pub(crate) fn requested_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    if let Some(ms) = header_str(headers, &RETRY_AFTER_MS).and_then(decimal) {
        return Some(capped_secs(ms / 1000.0));
    }
    let value = header_str(headers, &RETRY_AFTER)?;
    if let Some(seconds) = decimal(value) {
        return Some(capped_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

/// A non-negative decimal number of plain digits with at most one `.` (`7`, `1.5`, `.5`):
/// what servers send. Signs, exponents, `inf` and `NaN` are refused; a number too long for an
/// `f64` reads as infinity, which [`capped_secs`] saturates.
fn decimal(value: &str) -> Option<f64> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !digits_only(whole) || !digits_only(fraction) {
        return None;
    }
    value.parse::<f64>().ok()
}

/// `seconds` (non-negative, possibly infinite) as a `Duration`, at most [`MAX_RETRY_AFTER`].
fn capped_secs(seconds: f64) -> Duration {
    if seconds >= MAX_RETRY_AFTER.as_secs_f64() {
        MAX_RETRY_AFTER
    } else {
        Duration::from_secs_f64(seconds)
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn seconds_date_and_milliseconds() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let wait = |pairs| requested_wait(&headers(pairs), now);
        assert_eq!(wait(&[("retry-after", "7")]), Some(Duration::from_secs(7)));
        assert_eq!(
            wait(&[("retry-after", "Sun, 06 Nov 1994 08:50:07 GMT")]),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            wait(&[("retry-after", "Sun, 06 Nov 1994 08:00:00 GMT")]),
            Some(Duration::ZERO)
        );
        assert_eq!(
            wait(&[("retry-after-ms", "250"), ("retry-after", "9")]),
            Some(Duration::from_millis(250))
        );
        assert_eq!(wait(&[("retry-after", "soon")]), None);
        assert_eq!(wait(&[("retry-after", "-1")]), None);
        assert_eq!(wait(&[("retry-after-ms", "NaN")]), None);
        assert_eq!(wait(&[]), None);
    }

    /// The wait `pairs` ask for, read at the Unix epoch.
    fn wait(pairs: &[(&'static str, &str)]) -> Option<Duration> {
        requested_wait(&headers(pairs), SystemTime::UNIX_EPOCH)
    }

    #[test]
    fn decimal_seconds_are_read() {
        assert_eq!(
            wait(&[("retry-after", "1.5")]),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            wait(&[("retry-after", "0.25")]),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            wait(&[("retry-after", " 2 ")]),
            Some(Duration::from_secs(2))
        );
        for refused in ["-1.5", "+2", "1e3", "inf", "NaN", "1.2.3", ".", "", "1,5"] {
            assert_eq!(wait(&[("retry-after", refused)]), None, "{refused:?}");
        }
        assert_eq!(wait(&[("retry-after-ms", "1e3")]), None);
    }

    #[test]
    fn huge_values_saturate_at_the_cap() {
        let above_u64 = "18446744073709551616";
        let very_long = "9".repeat(400);
        for huge in [above_u64, very_long.as_str(), "31536001", "99999999999.5"] {
            assert_eq!(
                wait(&[("retry-after", huge)]),
                Some(MAX_RETRY_AFTER),
                "{huge}"
            );
        }
        for huge in [above_u64, very_long.as_str()] {
            assert_eq!(
                wait(&[("retry-after-ms", huge)]),
                Some(MAX_RETRY_AFTER),
                "{huge}"
            );
        }
        assert_eq!(
            wait(&[("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT")]),
            Some(MAX_RETRY_AFTER)
        );
        // The cap keeps user arithmetic safe.
        let _ = std::time::Instant::now() + MAX_RETRY_AFTER;
        let _ = SystemTime::now() + MAX_RETRY_AFTER;
    }
}
