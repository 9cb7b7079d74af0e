//! Text from the API made fit for a terminal, and the small words and amounts every view
//! shares.

use crate::key_state::inactive;
use openrouter_keys::Key;
use openrouter_keys::time::OffsetDateTime;
use std::borrow::Cow;

/// The key's name, or empty when the API did not send one.
pub fn name_of(k: &Key) -> &str {
    k.name.as_deref().unwrap_or("")
}

/// Text from the API (a name, a label) made safe for a terminal: control characters (an
/// escape sequence, a line break that would split a table row) and the bidirectional
/// controls that reorder what a terminal shows are written as escapes (`\u{1b}`, `\n`).
/// Anyone who can name a key can put them there; machine formats (JSON, CSV) keep the text
/// as it is, quoted by their own rules.
pub fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if unsafe_char(c) {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// The key's name for humans: `printable`, empty when the API did not send one.
pub fn shown_name(k: &Key) -> Cow<'_, str> {
    printable(name_of(k))
}

/// `hash  name`, for previews and reports of what was done.
pub fn describe(key: &Key) -> String {
    format!("{}  {}", printable(&key.hash), shown_name(key))
}

/// `disabled`, `active`, or `?` when the API did not say.
pub fn status_of(disabled: Option<bool>) -> &'static str {
    match disabled {
        Some(true) => "disabled",
        Some(false) => "active",
        None => "?",
    }
}

/// `disabled`, `expired` (its expiry passed by `now`), `active`, or `?` when the API did not
/// say: a key's state for people (tables and the report's page).
pub fn state_of(k: &Key, now: OffsetDateTime) -> &'static str {
    match (inactive(k, now), k.disabled) {
        (Some(state), _) => state,
        (None, Some(false)) => "active",
        (None, _) => "?",
    }
}

/// `12.50`, or `-` for none.
pub fn usd(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |v| format!("{v:.2}"))
}

/// A value for humans, or `-` when the API did not send it.
pub(super) fn or_dash(value: Option<impl std::fmt::Display>) -> String {
    value.map_or_else(|| "-".to_string(), |v| v.to_string())
}

/// The value, or `never` (for resets and expiries).
pub(super) fn or_never(value: Option<&impl std::fmt::Display>) -> String {
    value.map_or_else(|| "never".to_string(), |v| v.to_string())
}
