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
    fn from(k: types::Key) -> Self {
        Self {
            hash: k.hash,
            name: k.name,
            label: k.label,
            disabled: k.disabled,
            limit: k.limit,
            limit_remaining: k.limit_remaining,
            limit_reset: k.limit_reset.map(LimitReset::from),
            include_byok_in_limit: k.include_byok_in_limit,
            usage: Usage::new(k.usage, k.usage_daily, k.usage_weekly, k.usage_monthly),
            byok_usage: Usage::new(
                k.byok_usage,
                k.byok_usage_daily,
                k.byok_usage_weekly,
                k.byok_usage_monthly,
            ),
            created_at: timestamp::optional(k.created_at),
            updated_at: timestamp::optional(k.updated_at),
            expires_at: timestamp::optional(k.expires_at),
            creator_user_id: k.creator_user_id,
            workspace_id: k.workspace_id,
            external_user: k.external_user,
            last_used_at: timestamp::optional(k.last_used_at),
        }
    }
}
