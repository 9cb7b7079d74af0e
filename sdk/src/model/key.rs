//! `Key`: an API key as `GET /keys`, `POST /keys`, `GET/PATCH /keys/{hash}` return it.

use super::open_enum::LimitReset;
use super::timestamp::{self, Timestamp};
use openrouter_keys_codegen::types;

/// Credit usage in USD over the running periods (UTC days; weeks run Monday to Sunday).
///
/// Each figure is `None` when the response did not carry it (or carried something that is not
/// a number): the tolerant reader never invents a zero.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub struct Usage {
    /// Since the key was created.
    pub total: Option<f64>,
    /// In the current UTC day.
    pub daily: Option<f64>,
    /// In the current UTC week.
    pub weekly: Option<f64>,
    /// In the current UTC month.
    pub monthly: Option<f64>,
}

impl Usage {
    pub(crate) fn new(
        total: Option<f64>,
        daily: Option<f64>,
        weekly: Option<f64>,
        monthly: Option<f64>,
    ) -> Self {
        Self {
            total,
            daily,
            weekly,
            monthly,
        }
    }
}

/// An API key's metadata. The plaintext secret is never part of it (see
/// [`CreatedKey`](crate::CreatedKey)).
///
/// Only [`hash`](Key::hash) is essential: a key whose `hash` is missing or malformed fails to
/// decode. Every other field is `None` when the API did not send it, or sent a value of
/// another type (see the crate documentation, "Secrets and decoding").
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Key {
    /// Identifier used in `/keys/{hash}`; treat as opaque.
    pub hash: String,
    /// Name given at creation.
    pub name: Option<String>,
    /// Human-readable label of the key.
    pub label: Option<String>,
    /// Whether the key is disabled.
    pub disabled: Option<bool>,
    /// Spending limit in USD; `None` for no limit (or when not sent).
    pub limit: Option<f64>,
    /// Limit left in USD; `None` when there is no limit (or when not sent).
    pub limit_remaining: Option<f64>,
    /// How often the limit resets; `None` for never (or when not sent).
    pub limit_reset: Option<LimitReset>,
    /// Whether bring-your-own-key usage counts against the limit.
    pub include_byok_in_limit: Option<bool>,
    /// OpenRouter credit usage.
    pub usage: Usage,
    /// Bring-your-own-key usage.
    pub byok_usage: Usage,
    /// When the key was created.
    pub created_at: Option<Timestamp>,
    /// When the key was last updated; `None` if never.
    pub updated_at: Option<Timestamp>,
    /// When the key expires; `None` for never.
    pub expires_at: Option<Timestamp>,
    /// The user who created the key (organization keys).
    pub creator_user_id: Option<String>,
    /// The workspace the key belongs to.
    pub workspace_id: Option<String>,
    /// The partner identity the key was created for.
    pub external_user: Option<String>,
    /// When the key was last used.
    pub last_used_at: Option<Timestamp>,
}

impl From<types::Key> for Key {
    fn from(key: types::Key) -> Self {
        // Every field by name, none left to `..`: a field the spec gains is a compile error
        // here until it is read below or kept out on purpose with a comment (which
        // `xtask/tests/response_fields.rs` checks). The pattern binds nothing, so each field
        // moves straight from `key` into the public value: binding them all first keeps them
        // live across the calls below, about 35 more instructions per key (callgrind).
        let types::Key {
            byok_usage: _,
            byok_usage_daily: _,
            byok_usage_monthly: _,
            byok_usage_weekly: _,
            created_at: _,
            creator_user_id: _,
            disabled: _,
            expires_at: _,
            external_user: _,
            hash: _,
            include_byok_in_limit: _,
            label: _,
            last_used_at: _,
            limit: _,
            limit_remaining: _,
            limit_reset: _,
            name: _,
            updated_at: _,
            usage: _,
            usage_daily: _,
            usage_monthly: _,
            usage_weekly: _,
            workspace_id: _,
        } = &key;
        Self {
            hash: key.hash,
            name: key.name,
            label: key.label,
            disabled: key.disabled,
            limit: key.limit,
            limit_remaining: key.limit_remaining,
            limit_reset: key.limit_reset.map(LimitReset::from),
            include_byok_in_limit: key.include_byok_in_limit,
            usage: Usage::new(
                key.usage,
                key.usage_daily,
                key.usage_weekly,
                key.usage_monthly,
            ),
            byok_usage: Usage::new(
                key.byok_usage,
                key.byok_usage_daily,
                key.byok_usage_weekly,
                key.byok_usage_monthly,
            ),
            created_at: timestamp::optional(key.created_at),
            updated_at: timestamp::optional(key.updated_at),
            expires_at: timestamp::optional(key.expires_at),
            creator_user_id: key.creator_user_id,
            workspace_id: key.workspace_id,
            external_user: key.external_user,
            last_used_at: timestamp::optional(key.last_used_at),
        }
    }
}

/// `GET /keys/{hash}` and `PATCH /keys/{hash}`: the key in its envelope.
impl From<types::KeyResponse> for Key {
    fn from(response: types::KeyResponse) -> Self {
        let types::KeyResponse { data } = response;
        Key::from(data)
    }
}

impl Key {
    /// `GET /keys`: the keys of one page, in the order listed.
    pub(crate) fn listed(response: types::KeyListResponse) -> Vec<Key> {
        let types::KeyListResponse { data } = response;
        data.into_iter().map(Key::from).collect()
    }
}
