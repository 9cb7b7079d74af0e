//! The machine formats' field sets: a key as `list --format json|ndjson|csv` and `get
//! --format json` write it, the current key of `whoami --format json`, and a created key
//! with its secret. Field names are the API's own (`usage` split into `usage`,
//! `usage_daily`, ...), in a fixed order; adding a field at the end is the only change they
//! get. A field the API did not send is `null` (empty in CSV): the SDK reads tolerantly, and
//! so does the CLI.

use super::spreadsheet::neutralised;
use crate::error::{CliError, CliResult};
use openrouter_keys::{CurrentKey, Key};
use serde::Serialize;
use std::borrow::Cow;

/// A key as the CLI prints it in JSON, NDJSON and CSV.
#[derive(Debug, Clone, Serialize)]
pub struct KeyRow {
    pub hash: String,
    pub name: Option<String>,
    pub label: Option<String>,
    pub disabled: Option<bool>,
    pub limit: Option<f64>,
    pub limit_remaining: Option<f64>,
    pub limit_reset: Option<String>,
    pub include_byok_in_limit: Option<bool>,
    pub usage: Option<f64>,
    pub usage_daily: Option<f64>,
    pub usage_weekly: Option<f64>,
    pub usage_monthly: Option<f64>,
    pub byok_usage: Option<f64>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub expires_at: Option<String>,
    pub workspace_id: Option<String>,
    pub creator_user_id: Option<String>,
    pub external_user: Option<String>,
    pub last_used_at: Option<String>,
}

/// The CSV header, for an empty list (serde writes it with the first row otherwise).
pub(super) const CSV_FIELDS: [&str; 20] = [
    "hash",
    "name",
    "label",
    "disabled",
    "limit",
    "limit_remaining",
    "limit_reset",
    "include_byok_in_limit",
    "usage",
    "usage_daily",
    "usage_weekly",
    "usage_monthly",
    "byok_usage",
    "created_at",
    "updated_at",
    "expires_at",
    "workspace_id",
    "creator_user_id",
    "external_user",
    "last_used_at",
];

impl From<&Key> for KeyRow {
    fn from(k: &Key) -> Self {
        let text = |t: &Option<openrouter_keys::Timestamp>| t.as_ref().map(|t| t.to_string());
        Self {
            hash: k.hash.clone(),
            name: k.name.clone(),
            label: k.label.clone(),
            disabled: k.disabled,
            limit: k.limit,
            limit_remaining: k.limit_remaining,
            limit_reset: k.limit_reset.as_ref().map(|r| r.as_str().to_string()),
            include_byok_in_limit: k.include_byok_in_limit,
            usage: k.usage.total,
            usage_daily: k.usage.daily,
            usage_weekly: k.usage.weekly,
            usage_monthly: k.usage.monthly,
            byok_usage: k.byok_usage.total,
            created_at: text(&k.created_at),
            updated_at: text(&k.updated_at),
            expires_at: text(&k.expires_at),
            workspace_id: k.workspace_id.clone(),
            creator_user_id: k.creator_user_id.clone(),
            external_user: k.external_user.clone(),
            last_used_at: text(&k.last_used_at),
        }
    }
}

impl KeyRow {
    /// The row as `list --format csv` writes it: every text field [`neutralised`] for
    /// spreadsheets; the hash (an identifier read back as it is), numbers and booleans
    /// unchanged. Every field is named, so a new one is a compile error here until it is
    /// sorted into text or not.
    pub fn for_spreadsheet(mut self) -> Self {
        let KeyRow {
            hash: _,
            name,
            label,
            disabled: _,
            limit: _,
            limit_remaining: _,
            limit_reset,
            include_byok_in_limit: _,
            usage: _,
            usage_daily: _,
            usage_weekly: _,
            usage_monthly: _,
            byok_usage: _,
            created_at,
            updated_at,
            expires_at,
            workspace_id,
            creator_user_id,
            external_user,
            last_used_at,
        } = &mut self;
        let texts = [
            name,
            label,
            limit_reset,
            created_at,
            updated_at,
            expires_at,
            workspace_id,
            creator_user_id,
            external_user,
            last_used_at,
        ];
        for text in texts.into_iter().flatten() {
            if let Cow::Owned(safe) = neutralised(text) {
                *text = safe;
            }
        }
        self
    }
}

/// The current key as `whoami --format json` prints it: stable field names in this fixed
/// order (a struct, since `serde_json::Value` objects come out sorted), `null` for what the
/// API did not send.
#[derive(Debug, Serialize)]
pub struct CurrentKeyRow<'a> {
    label: Option<&'a str>,
    is_management_key: Option<bool>,
    limit: Option<f64>,
    limit_remaining: Option<f64>,
    limit_reset: Option<&'a str>,
    include_byok_in_limit: Option<bool>,
    usage: Option<f64>,
    usage_daily: Option<f64>,
    usage_weekly: Option<f64>,
    usage_monthly: Option<f64>,
    is_free_tier: Option<bool>,
    expires_at: Option<&'a str>,
    workspace_id: Option<&'a str>,
    organization_id: Option<&'a str>,
    allowed_data_regions: Option<Vec<&'a str>>,
    budgets: Option<Vec<BudgetRow<'a>>>,
}

/// One budget layer of [`CurrentKeyRow`].
#[derive(Debug, Serialize)]
pub struct BudgetRow<'a> {
    scope: Option<&'a str>,
    limit_usd: Option<f64>,
    spend_usd: Option<f64>,
    remaining_usd: Option<f64>,
    reset_interval: Option<&'a str>,
}

impl<'a> From<&'a CurrentKey> for CurrentKeyRow<'a> {
    fn from(k: &'a CurrentKey) -> Self {
        Self {
            label: k.label.as_deref(),
            is_management_key: k.is_management_key,
            limit: k.limit,
            limit_remaining: k.limit_remaining,
            limit_reset: k.limit_reset.as_ref().map(|r| r.as_str()),
            include_byok_in_limit: k.include_byok_in_limit,
            usage: k.usage.total,
            usage_daily: k.usage.daily,
            usage_weekly: k.usage.weekly,
            usage_monthly: k.usage.monthly,
            is_free_tier: k.is_free_tier,
            expires_at: k.expires_at.as_ref().map(|t| t.as_str()),
            workspace_id: k.workspace_id.as_deref(),
            organization_id: k.organization_id.as_deref(),
            allowed_data_regions: k
                .allowed_data_regions
                .as_ref()
                .map(|regions| regions.iter().map(|r| r.as_str()).collect()),
            budgets: k.budgets.as_ref().map(|budgets| {
                budgets
                    .iter()
                    .map(|b| BudgetRow {
                        scope: b.scope.as_ref().map(|s| s.as_str()),
                        limit_usd: b.limit_usd,
                        spend_usd: b.spend_usd,
                        remaining_usd: b.remaining_usd,
                        reset_interval: b.reset_interval.as_ref().map(|r| r.as_str()),
                    })
                    .collect()
            }),
        }
    }
}

/// A created key and its secret as `create --format json` prints them: `key` first, then
/// `secret`. `key` is null when the API made the key but its answer did not decode: the
/// secret was still read from it.
#[derive(Serialize)]
pub struct CreatedRow<'a> {
    pub key: Option<&'a KeyRow>,
    pub secret: &'a str,
}

/// A created key as `create --format json --secret-file PATH` prints it: the same `key`
/// object as without the file, and the file's path where the secret would be.
#[derive(Serialize)]
pub struct SavedRow<'a> {
    pub key: &'a KeyRow,
    pub secret_file: &'a std::path::Path,
}

/// An amount (USD) in a CSV cell, exact and as the `csv` crate writes a number of a
/// serialized row (`15.0`, `0.0034`): every CSV of the CLI writes amounts one way.
pub(super) fn csv_amount(value: f64) -> String {
    ryu::Buffer::new().format(value).to_string()
}

/// A value as indented JSON with a final line end, as the detail commands print it.
pub fn pretty_json(value: &impl Serialize) -> CliResult<String> {
    serde_json::to_string_pretty(value)
        .map(|json| json + "\n")
        .map_err(|e| CliError::failure(format!("cannot write JSON: {e}")))
}
