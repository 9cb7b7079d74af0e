//! Timestamps as the API sends them: kept as text always, parsed on request when well-formed
//! RFC 3339.
//!
//! A response with one malformed timestamp must still decode, so the text is the source of
//! truth and the parsed value is a convenience, computed only when asked for (a page of keys
//! carries a dozen timestamps that most callers never read).

use std::fmt;
use std::time::SystemTime;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// An ISO 8601 / RFC 3339 timestamp from the API.
///
/// ```
/// use openrouter_keys::Timestamp;
///
/// let ok = Timestamp::from_text("2025-08-24T10:30:00Z");
/// assert_eq!(ok.datetime().map(|t| t.year()), Some(2025));
/// let odd = Timestamp::from_text("last tuesday");
/// assert_eq!(odd.datetime(), None);
/// assert_eq!(odd.as_str(), "last tuesday");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    text: String,
}

impl Timestamp {
    /// Wraps the text the API sent; it is parsed only when asked for.
    pub fn from_text(text: impl Into<String>) -> Self {
        Self { text: text.into() }
    }

    /// A timestamp for a point in time, written as RFC 3339 in UTC. A time RFC 3339 cannot
    /// write (outside the years 0000–9999) gives a timestamp whose text says so and whose
    /// [`datetime`](Self::datetime) is `None`.
    pub fn from_system_time(time: SystemTime) -> Self {
        // `OffsetDateTime::from(SystemTime)` panics out of its range: convert checked.
        let nanos = match time.duration_since(SystemTime::UNIX_EPOCH) {
            Ok(after) => i128::try_from(after.as_nanos()).ok(),
            Err(before) => i128::try_from(before.duration().as_nanos())
                .ok()
                .map(|n| -n),
        };
        let text = nanos
            .and_then(|nanos| OffsetDateTime::from_unix_timestamp_nanos(nanos).ok())
            .and_then(|time| time.format(&Rfc3339).ok())
            .unwrap_or_else(|| "(a time outside the years 0000-9999)".to_string());
        Self { text }
    }

    /// The text as sent.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The time, parsed, or `None` when the text is not RFC 3339.
    pub fn datetime(&self) -> Option<OffsetDateTime> {
        OffsetDateTime::parse(&self.text, &Rfc3339).ok()
    }

    /// The time as a `SystemTime`, or `None` when the text is not RFC 3339.
    pub fn system_time(&self) -> Option<SystemTime> {
        self.datetime().map(SystemTime::from)
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        Self::from_system_time(time)
    }
}

impl From<OffsetDateTime> for Timestamp {
    /// The time as RFC 3339 text in its own offset.
    fn from(time: OffsetDateTime) -> Self {
        let text = time.format(&Rfc3339).unwrap_or_else(|_| time.to_string());
        Self { text }
    }
}

impl From<&str> for Timestamp {
    /// RFC 3339 text such as `2027-12-31T23:59:59Z`, checked when it is used.
    fn from(text: &str) -> Self {
        Self::from_text(text)
    }
}

impl From<String> for Timestamp {
    /// RFC 3339 text such as `2027-12-31T23:59:59Z`, checked when it is used.
    fn from(text: String) -> Self {
        Self::from_text(text)
    }
}

impl Timestamp {
    /// The time as the API takes it in a request: UTC, to the second
    /// (`2027-12-31T23:59:59Z`), whatever offset it was given in; `None` when the text is
    /// not RFC 3339 or the year is outside 0000–9999. Fractions of a second are dropped.
    pub(crate) fn to_utc_seconds(&self) -> Option<String> {
        let utc = self.datetime()?.to_offset(time::UtcOffset::UTC);
        let utc = utc.replace_nanosecond(0).ok()?;
        utc.format(&Rfc3339).ok()
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

pub(crate) fn optional(text: Option<String>) -> Option<Timestamp> {
    text.map(Timestamp::from_text)
}
