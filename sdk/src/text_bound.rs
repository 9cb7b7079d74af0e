//! The bound on the length of the text the SDK sends, checked before anything is sent.

use crate::error::{Error, Result};
use crate::input_field::InputField;

/// The most characters the SDK sends in one free-text field: a key's name, its hash,
/// `workspace_id`, `creator_user_id`, `external.user`. Longer text is refused with
/// [`Error::InvalidInput`] before anything is sent.
///
/// Our bound, not the API's: OpenRouter documents no limit. It is far above any name or id
/// seen, and it keeps a mistake (a whole file pasted into a CSV cell) from reaching the API.
///
/// ```
/// use openrouter_keys::{Error, InputField, MAX_TEXT_CHARS, NewKey};
///
/// let long = "x".repeat(MAX_TEXT_CHARS + 1);
/// let refused = NewKey::new(long).validate().unwrap_err();
/// assert!(matches!(refused, Error::InvalidInput { what: InputField::Name, .. }));
/// assert!(NewKey::new("x".repeat(MAX_TEXT_CHARS)).validate().is_ok());
/// ```
pub const MAX_TEXT_CHARS: usize = 1_000;

/// `text` when it is at most [`MAX_TEXT_CHARS`] long; else an error about `what` that says
/// how long it is (never the text itself: it may be anything).
pub(crate) fn bounded(what: InputField, text: &str) -> Result<&str> {
    if text.len() <= MAX_TEXT_CHARS {
        return Ok(text);
    }
    let chars = text.chars().count();
    if chars <= MAX_TEXT_CHARS {
        return Ok(text);
    }
    Err(Error::invalid(
        what,
        format!(
            "{chars} characters is longer than {MAX_TEXT_CHARS}, the most this SDK sends \
             (its own bound: OpenRouter documents none)"
        ),
    ))
}
