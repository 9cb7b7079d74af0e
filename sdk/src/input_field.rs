//! What an [`Error::InvalidInput`](crate::Error::InvalidInput) is about, as a typed name;
//! and the bound on the length of the text the SDK sends.

use crate::error::{Error, Result};
use std::fmt;

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

/// The input a call refused before sending anything, in
/// [`Error::InvalidInput`](crate::Error::InvalidInput). `Display` gives its name as messages
/// use it ("invalid hash: …").
///
/// ```
/// use openrouter_keys::{Error, InputField, NewKey};
///
/// # async fn run(client: openrouter_keys::Client) {
/// match client.keys().create(NewKey::new("  ")).await {
///     Err(Error::InvalidInput { what: InputField::Name, reason }) => eprintln!("name: {reason}"),
///     other => println!("{other:?}"),
/// }
/// # }
/// assert_eq!(InputField::ExternalApiKey.to_string(), "external.api_key");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputField {
    /// A key's hash (`/keys/{hash}`).
    Hash,
    /// A key's name.
    Name,
    /// `NewKey::expires_at`.
    ExpiresAt,
    /// `NewKey::creator_user_id`.
    CreatorUserId,
    /// The partner key of `NewKey::external` (`external.api_key`).
    ExternalApiKey,
    /// The partner's user of `NewKey::external` (`external.user`).
    ExternalUser,
    /// A workspace id (`NewKey::workspace_id`, `KeyUpdate::workspace_id`).
    WorkspaceId,
    /// A spending limit.
    Limit,
    /// A limit's reset interval.
    LimitReset,
    /// A `KeyUpdate` as a whole (one that changes nothing).
    Update,
    /// A header given with `Request::header`.
    Header,
    /// A call's timeout (`Request::timeout`).
    Timeout,
    /// A call's retry policy (`Request::retry`).
    Retry,
    /// The request as a whole, when it could not be built.
    Request,
}

impl InputField {
    /// The field's name in messages, e.g. `"expires_at"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hash => "hash",
            Self::Name => "name",
            Self::ExpiresAt => "expires_at",
            Self::CreatorUserId => "creator_user_id",
            Self::ExternalApiKey => "external.api_key",
            Self::ExternalUser => "external.user",
            Self::WorkspaceId => "workspace_id",
            Self::Limit => "limit",
            Self::LimitReset => "limit_reset",
            Self::Update => "update",
            Self::Header => "header",
            Self::Timeout => "timeout",
            Self::Retry => "retry",
            Self::Request => "request",
        }
    }
}

impl fmt::Display for InputField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
