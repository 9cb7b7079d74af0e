//! `CurrentKey`: what `GET /key` says about the key that made the request.
//!
//! Nothing in it is essential: every field is `None` when the API did not send it (or sent a
//! value of another type), so the deprecated `rate_limit` and `is_provisioning_key` can
//! disappear without breaking `current_key()`.

use super::key::Usage;
use super::open_enum::{BudgetResetInterval, BudgetScope, DataRegion, LimitReset};
use super::timestamp::{self, Timestamp};
use openrouter_keys_codegen::types;

/// The key that authenticated the request, with its limits, usage and budgets.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CurrentKey {
    /// Human-readable label of the key.
    pub label: Option<String>,
    /// Spending limit in USD; `None` for no limit (or when not sent).
    pub limit: Option<f64>,
    /// Limit left in USD.
    pub limit_remaining: Option<f64>,
    /// How often the limit resets; `None` for never (or when not sent).
    pub limit_reset: Option<LimitReset>,
    /// Whether bring-your-own-key usage counts against the limit.
    pub include_byok_in_limit: Option<bool>,
    /// OpenRouter credit usage.
    pub usage: Usage,
    /// Bring-your-own-key usage.
    pub byok_usage: Usage,
    /// Whether this is a free-tier key.
    pub is_free_tier: Option<bool>,
    /// Whether this is a management key (may call the `/keys` operations). Read from
    /// `is_management_key`, or from its deprecated twin `is_provisioning_key` when only that
    /// one is sent.
    pub is_management_key: Option<bool>,
    /// The user who created the key.
    pub creator_user_id: Option<String>,
    /// Legacy request rate limit. Deprecated by OpenRouter ("will be removed in a future
    /// release"); `None` once the API stops sending it.
    #[deprecated(
        note = "OpenRouter deprecated `rate_limit` and will remove it; it is safe to ignore"
    )]
    pub rate_limit: Option<RateLimit>,
    /// When the key expires; `None` for never.
    pub expires_at: Option<Timestamp>,
    /// Data regions the key may use. `None` when the API did not say; `Some(empty)` means no
    /// region is permitted.
    pub allowed_data_regions: Option<Vec<DataRegion>>,
    /// Daily allowance for free models, when the API reports it.
    pub free_model_daily_requests: Option<FreeModelDailyRequests>,
    /// The organization owning the key.
    pub organization_id: Option<String>,
    /// The workspace of the key.
    pub workspace_id: Option<String>,
    /// Every budget layer that applies to the key. `None` when the API did not say;
    /// `Some(empty)` when no budget applies.
    pub budgets: Option<Vec<BudgetLayer>>,
    /// The budget layer that binds first, if any.
    pub effective_budget: Option<BudgetLayer>,
}

/// Legacy request rate limit reported by `GET /key` (deprecated by OpenRouter).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed per interval.
    pub requests: Option<i64>,
    /// The interval, such as `1h`.
    pub interval: Option<String>,
    /// The API's note about the field.
    pub note: Option<String>,
}

/// Daily request allowance for free models, in requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FreeModelDailyRequests {
    /// Requests allowed per day.
    pub limit: Option<i64>,
    /// Requests left today.
    pub remaining: Option<i64>,
    /// Requests used today.
    pub used: Option<i64>,
}

/// One layer of the budgets that constrain a key's spending.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BudgetLayer {
    /// What the budget applies to.
    pub scope: Option<BudgetScope>,
    /// Budget identifier.
    pub budget_id: Option<String>,
    /// Guardrail that defines the budget.
    pub guardrail_id: Option<String>,
    /// Whether bring-your-own-key usage counts.
    pub include_byok: Option<bool>,
    /// The budget in USD.
    pub limit_usd: Option<f64>,
    /// Spent so far in USD.
    pub spend_usd: Option<f64>,
    /// Left in USD.
    pub remaining_usd: Option<f64>,
    /// How often the budget resets; `None` for never (or when not sent).
    pub reset_interval: Option<BudgetResetInterval>,
    /// When it next resets.
    pub resets_at: Option<Timestamp>,
}

impl From<types::BudgetLayer> for BudgetLayer {
    fn from(layer: types::BudgetLayer) -> Self {
        // Every field by name, none left to `..` (see `Key`'s conversion).
        let types::BudgetLayer {
            budget_id,
            guardrail_id,
            include_byok,
            limit_usd,
            remaining_usd,
            reset_interval,
            resets_at,
            scope,
            spend_usd,
        } = layer;
        Self {
            scope: scope.map(BudgetScope::from),
            budget_id,
            guardrail_id,
            include_byok,
            limit_usd,
            spend_usd,
            remaining_usd,
            reset_interval: reset_interval.map(BudgetResetInterval::from),
            resets_at: timestamp::optional(resets_at),
        }
    }
}

impl From<types::RateLimit> for RateLimit {
    fn from(rate_limit: types::RateLimit) -> Self {
        let types::RateLimit {
            interval,
            note,
            requests,
        } = rate_limit;
        Self {
            requests,
            interval,
            note,
        }
    }
}

impl From<types::FreeModelDailyRequests> for FreeModelDailyRequests {
    fn from(allowance: types::FreeModelDailyRequests) -> Self {
        let types::FreeModelDailyRequests {
            limit,
            remaining,
            used,
        } = allowance;
        Self {
            limit,
            remaining,
            used,
        }
    }
}

impl From<types::CurrentKey> for CurrentKey {
    #[allow(deprecated)] // fills the deprecated `rate_limit` field
    fn from(key: types::CurrentKey) -> Self {
        // Every field by name, none left to `..`: a field the spec gains is a compile error
        // here until it is exposed or kept out on purpose (`xtask/tests/response_fields.rs`).
        let types::CurrentKey {
            allowed_data_regions,
            budgets,
            byok_usage,
            byok_usage_daily,
            byok_usage_monthly,
            byok_usage_weekly,
            creator_user_id,
            effective_budget,
            expires_at,
            free_model_daily_requests,
            include_byok_in_limit,
            is_free_tier,
            is_management_key,
            is_provisioning_key,
            label,
            limit,
            limit_remaining,
            limit_reset,
            organization_id,
            rate_limit,
            usage,
            usage_daily,
            usage_monthly,
            usage_weekly,
            workspace_id,
        } = key;
        Self {
            label,
            limit,
            limit_remaining,
            limit_reset: limit_reset.map(LimitReset::from),
            include_byok_in_limit,
            usage: Usage::new(usage, usage_daily, usage_weekly, usage_monthly),
            byok_usage: Usage::new(
                byok_usage,
                byok_usage_daily,
                byok_usage_weekly,
                byok_usage_monthly,
            ),
            is_free_tier,
            is_management_key: is_management_key.or(is_provisioning_key),
            creator_user_id,
            rate_limit: rate_limit.map(RateLimit::from),
            expires_at: timestamp::optional(expires_at),
            allowed_data_regions: allowed_data_regions
                .map(|regions| regions.into_iter().map(DataRegion::from).collect()),
            free_model_daily_requests: free_model_daily_requests.map(FreeModelDailyRequests::from),
            organization_id,
            workspace_id,
            budgets: budgets.map(|layers| layers.into_iter().map(BudgetLayer::from).collect()),
            effective_budget: effective_budget.map(BudgetLayer::from),
        }
    }
}

/// `GET /key`: the key in its envelope.
impl From<types::CurrentKeyResponse> for CurrentKey {
    fn from(response: types::CurrentKeyResponse) -> Self {
        let types::CurrentKeyResponse { data } = response;
        CurrentKey::from(data)
    }
}
