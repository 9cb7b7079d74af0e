//! What an [`Error::InvalidInput`](crate::Error::InvalidInput) is about, as a typed name.

use std::fmt;

/// The input a call refused before sending anything, in
/// [`Error::InvalidInput`](crate::Error::InvalidInput). `Display` gives its name as messages
/// use it ("invalid hash: …").
///
/// ```
/// use openrouter_keys::{Error, InputField, NewKey};
///
/// # async fn run(client: openrouter_keys::Client) {
/// match client.keys().create(NewKey::new("  ")).await {
///     Err(Error::InvalidInput { what: InputField::Name, reason, .. }) => eprintln!("name: {reason}"),
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
    /// A guardrail's id (`/guardrails/{id}`).
    GuardrailId,
    /// A workspace's id or slug (`/workspaces/{id}`, `NewKey::workspace_id`,
    /// `KeyUpdate::workspace_id`).
    WorkspaceId,
    /// The key hashes of a guardrail assignment (`key_hashes`).
    KeyHashes,
    /// The page size of a listing (`limit`, from 1 to 100).
    PageLimit,
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
            Self::Limit => "limit",
            Self::LimitReset => "limit_reset",
            Self::Update => "update",
            Self::Header => "header",
            Self::Timeout => "timeout",
            Self::Retry => "retry",
            Self::Request => "request",
            Self::GuardrailId => "guardrail id",
            Self::WorkspaceId => "workspace id",
            Self::KeyHashes => "key_hashes",
            Self::PageLimit => "page limit",
        }
    }
}

impl fmt::Display for InputField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
