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

    /// A timestamp for a point in time, written as RFC 3339 in UTC.
    pub fn from_system_time(time: SystemTime) -> Self {
        let time = OffsetDateTime::from(time);
        // Formatting a valid OffsetDateTime as RFC 3339 fails only for years outside 0..=9999.
        let text = time.format(&Rfc3339).unwrap_or_else(|_| time.to_string());
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
